/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* containers-policy.json: parse or fail with a message; a parsed policy is evaluated for a few
 * subjects with no signatures (no key file is read, no gpg started: nothing to verify). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/policy.h"

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_policy_parse((const char *)data, size, "fuzz.json", &p, &e) == 0) {
		static const char *const refs[] = {"busybox", "127.0.0.1:5000/a/b:1",
						   ("quay.io/x/y@" DG)};
		for (size_t i = 0; i < 3; i++) {
			struct hull_ref r;
			struct hull_sigset set = {.loaded = (1u << HULL_SIG_KINDS) - 1};
			struct hull_verdict v;
			struct hull_trust_subject s = {.transport = "docker", .digest = DG};
			if (hull_ref_parse(refs[i], &r, &e) < 0)
				abort();
			s.ref = &r;
			if (hull_policy_eval(p, &s, &set, NULL, &v, &e) == 0) {
				if (!v.allowed && !v.reason)
					abort(); /* a rejection always says why */
				hull_verdict_free(&v);
			}
			hull_err_clear(&e);
			hull_ref_free(&r);
		}
		hull_policy_free(p);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	return 0;
}
