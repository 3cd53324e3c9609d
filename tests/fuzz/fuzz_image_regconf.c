/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registries.conf, WWW-Authenticate challenges and auth files: parse or fail with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/regconf.h"
#include "image/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_regconf *c = NULL;
	struct hull_auth_challenge ch;
	hull_err e = HULL_ERR_INIT;
	char *s = malloc(size + 1), *u = NULL, *p = NULL;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (hull_regconf_parse(s, size, "fuzz.conf", &c, &e) == 0) {
#define PINNED "quay.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		static const char *const refs[] = {"busybox", "127.0.0.1:5000/a/b:1", PINNED};
		for (size_t i = 0; i < 3; i++) {
			struct hull_ref r;
			struct hull_endpoints eps;
			if (hull_ref_parse(refs[i], &r, &e) < 0)
				abort();
			if (hull_regconf_endpoints(c, &r, &eps, &e) == 0) {
				if (eps.n == 0)
					abort();
				hull_endpoints_free(&eps);
			}
			hull_err_clear(&e);
			hull_ref_free(&r);
		}
		hull_regconf_free(c);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	if (hull_auth_challenge_parse(s, &ch, &e) == 0)
		hull_auth_challenge_free(&ch);
	else if (!e.msg)
		abort();
	hull_err_clear(&e);
	if (hull_auth_file_lookup(s, size, "reg.example", "a/b", &u, &p, &e) == 1) {
		if (!u || !p)
			abort();
		free(u);
		free(p);
	}
	hull_err_clear(&e);
	free(s);
	return 0;
}
