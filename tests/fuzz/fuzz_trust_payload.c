/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simple-signing payloads (both types) and stored signature sets: parse or fail. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "trust/payload.h"
#include "trust/sigs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_payload p;
	struct hull_sigset s;
	hull_err e = HULL_ERR_INIT;
	for (int k = 0; k < 2; k++) {
		if (hull_payload_parse(data, size, k ? HULL_PAYLOAD_ATOMIC : HULL_PAYLOAD_COSIGN, &p,
				       &e) == 0) {
			if (!p.docker_reference || !hull_digest_valid(p.manifest_digest))
				abort();
			hull_payload_free(&p);
		} else if (!e.msg) {
			abort();
		}
		hull_err_clear(&e);
	}
	if (hull_sigset_from_json((const char *)data, size, &s, &e) == 0) {
		char *text = hull_sigset_to_json(&s);
		struct hull_sigset back;
		/* what was read writes back and reads again */
		if (!text || hull_sigset_from_json(text, strlen(text), &back, &e) < 0 ||
		    back.n != s.n)
			abort();
		hull_sigset_free(&back);
		free(text);
		hull_sigset_free(&s);
	}
	hull_err_clear(&e);
	return 0;
}
