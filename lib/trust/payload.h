/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "simple signing" payload that both cosign and containers/image sign:
 *
 *   {"critical":{"identity":{"docker-reference":"reg/repo:tag"},
 *                "image":{"docker-manifest-digest":"sha256:..."},
 *                "type":"cosign container image signature"},     (GPG: "atomic container signature")
 *    "optional":{"creator":"...","timestamp":1700000000}}         (or null, as cosign writes)
 *
 * Parsing is for bytes whose signature was already verified, and still strict (containers/image
 * rules): exactly these members in critical/identity/image, a valid digest, optional an object
 * or null whose creator is a string and timestamp an integer, no duplicate members. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define HULL_PAYLOAD_MAX (64u << 10)

#define HULL_PAYLOAD_TYPE_COSIGN "cosign container image signature"
#define HULL_PAYLOAD_TYPE_ATOMIC "atomic container signature"

enum hull_payload_kind { HULL_PAYLOAD_COSIGN, HULL_PAYLOAD_ATOMIC };

struct hull_payload {
	char *docker_reference;
	char *manifest_digest;
	char *creator; /* NULL when absent */
	bool has_timestamp;
	int64_t timestamp;
};

int hull_payload_parse(const void *data, size_t len, enum hull_payload_kind kind,
		       struct hull_payload *out, hull_err *err);
void hull_payload_free(struct hull_payload *p);

/* The payload for a signature of digest under the identity docker_reference; creator and
 * timestamp (> 0) go into optional. *out is heap, NUL-terminated. */
int hull_payload_build(enum hull_payload_kind kind, const char *docker_reference,
		       const char *digest, const char *creator, int64_t timestamp, char **out,
		       size_t *len, hull_err *err);
