/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registries.d YAML: parse or fail with a message; lookups on what parsed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "trust/regd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_regd *c = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_regd_parse((const char *)data, size, "fuzz.yaml", &c, &e) == 0) {
		static const char *const refs[] = {"busybox", "127.0.0.1:5000/a/b:1",
						   "reg.example.com/ns/app:2"};
		for (size_t i = 0; i < 3; i++) {
			struct hull_ref r;
			if (hull_ref_parse(refs[i], &r, &e) < 0)
				abort();
			(void)hull_regd_lookaside(c, &r, false);
			(void)hull_regd_lookaside(c, &r, true);
			(void)hull_regd_use_attachments(c, &r);
			hull_ref_free(&r);
		}
		hull_regd_free(c);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	return 0;
}
