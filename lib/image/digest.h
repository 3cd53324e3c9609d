/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Content digests ("sha256:<64 hex>", "sha512:<128 hex>") and streaming hashers (OpenSSL EVP).
 * A digest string that passed hull_digest_valid() is safe to use as a file name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* "sha512:" + 128 hex + NUL */
#define HULL_DIGEST_MAX 136

enum hull_digest_algo { HULL_SHA256, HULL_SHA512 };

/* Strict: a known algorithm, lower-case hex of the exact length (image-spec descriptor.md). */
bool hull_digest_valid(const char *s);
/* Validate and name the offender in the error ("manifest: config.digest: ..."). */
int hull_digest_check(const char *s, const char *what, hull_err *err);
/* The algorithm of a valid digest. */
enum hull_digest_algo hull_digest_algo_of(const char *digest);
/* Pointer to the hex part of a valid digest. */
const char *hull_digest_hex(const char *digest);

struct evp_md_ctx_st;
typedef struct hull_hasher {
	struct evp_md_ctx_st *ctx;
	enum hull_digest_algo algo;
	uint64_t bytes;
} hull_hasher;

int hull_hasher_init(hull_hasher *h, enum hull_digest_algo algo, hull_err *err);
void hull_hasher_update(hull_hasher *h, const void *data, size_t len);
/* Writes "algo:hex" into out (HULL_DIGEST_MAX bytes). The hasher can be re-initialised. */
void hull_hasher_final(hull_hasher *h, char out[HULL_DIGEST_MAX]);
void hull_hasher_free(hull_hasher *h);

/* One-shot digest of a buffer. */
int hull_digest_buf(enum hull_digest_algo algo, const void *data, size_t len,
		    char out[HULL_DIGEST_MAX], hull_err *err);
/* Digest of everything readable from fd (from its current offset); *size gets the length. */
int hull_digest_fd(enum hull_digest_algo algo, int fd, char out[HULL_DIGEST_MAX], uint64_t *size,
		   hull_err *err);
