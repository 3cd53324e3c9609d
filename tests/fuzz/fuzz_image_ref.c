/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image references: any input parses into parts that round-trip, or fails with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct hull_ref r, r2;
	hull_err e = HULL_ERR_INIT;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (hull_ref_parse(s, &r, &e) == 0) {
		char *full = hull_ref_string(&r), *name = hull_ref_name(&r),
		     *repo = hull_ref_repo(&r);
		/* What hull prints must parse back to the same reference. */
		if (!full || hull_ref_parse(full, &r2, &e) < 0)
			abort();
		if (strcmp(r.domain, r2.domain) || strcmp(r.path, r2.path))
			abort();
		hull_ref_free(&r2);
		free(full);
		free(name);
		free(repo);
		hull_ref_free(&r);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	free(s);
	return 0;
}
