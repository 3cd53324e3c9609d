/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json parser: any input either parses or fails with an error; never crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_spec *s = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_spec_parse((const char *)data, size, "config.json", &s, &e) == 0) {
		char *c = s->seccomp ? hull_seccomp_canonical(s->seccomp, NULL) : NULL;
		free(c);
		hull_spec_free(s);
	} else if (!e.msg) {
		abort(); /* a failure must always say why */
	}
	hull_err_clear(&e);
	return 0;
}
