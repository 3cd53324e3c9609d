/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t hex_len(enum hull_digest_algo a)
{
	return a == HULL_SHA512 ? 128 : 64;
}

static int algo_parse(const char *s, size_t n, enum hull_digest_algo *a)
{
	if (n == 6 && !memcmp(s, "sha256", 6))
		*a = HULL_SHA256;
	else if (n == 6 && !memcmp(s, "sha512", 6))
		*a = HULL_SHA512;
	else
		return -1;
	return 0;
}

bool hull_digest_valid(const char *s)
{
	const char *colon;
	enum hull_digest_algo a;
	size_t n;
	if (!s || !(colon = strchr(s, ':')) || algo_parse(s, (size_t)(colon - s), &a) < 0)
		return false;
	n = strlen(colon + 1);
	if (n != hex_len(a))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = colon[1 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

int hull_digest_check(const char *s, const char *what, hull_err *err)
{
	if (hull_digest_valid(s))
		return 0;
	return hull_failk(
	    err, HULL_ERR_INVALID, 0,
	    "%s: \"%.80s\" is not a valid digest (sha256:<64 hex> or sha512:<128 hex>)", what,
	    s ? s : "(missing)");
}

enum hull_digest_algo hull_digest_algo_of(const char *digest)
{
	return !strncmp(digest, "sha512:", 7) ? HULL_SHA512 : HULL_SHA256;
}

const char *hull_digest_hex(const char *digest)
{
	const char *c = strchr(digest, ':');
	return c ? c + 1 : digest;
}

int hull_hasher_init(hull_hasher *h, enum hull_digest_algo algo, hull_err *err)
{
	h->algo = algo;
	h->bytes = 0;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx ||
	    !EVP_DigestInit_ex(h->ctx, algo == HULL_SHA512 ? EVP_sha512() : EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(h->ctx);
		h->ctx = NULL;
		return hull_fail(err, ENOMEM, "digest init");
	}
	return 0;
}

void hull_hasher_update(hull_hasher *h, const void *data, size_t len)
{
	if (len) {
		EVP_DigestUpdate(h->ctx, data, len);
		h->bytes += len;
	}
}

void hull_hasher_final(hull_hasher *h, char out[HULL_DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hx[] = "0123456789abcdef";
	char *p;
	EVP_DigestFinal_ex(h->ctx, md, &n);
	p = out + sprintf(out, "%s:", h->algo == HULL_SHA512 ? "sha512" : "sha256");
	for (unsigned i = 0; i < n; i++) {
		*p++ = hx[md[i] >> 4];
		*p++ = hx[md[i] & 15];
	}
	*p = '\0';
}

void hull_hasher_free(hull_hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int hull_digest_buf(enum hull_digest_algo algo, const void *data, size_t len,
		    char out[HULL_DIGEST_MAX], hull_err *err)
{
	hull_hasher h;
	if (hull_hasher_init(&h, algo, err) < 0)
		return -1;
	hull_hasher_update(&h, data, len);
	hull_hasher_final(&h, out);
	hull_hasher_free(&h);
	return 0;
}

int hull_digest_fd(enum hull_digest_algo algo, int fd, char out[HULL_DIGEST_MAX], uint64_t *size,
		   hull_err *err)
{
	hull_hasher h;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	if (!buf)
		return hull_fail(err, ENOMEM, "digest");
	if (hull_hasher_init(&h, algo, err) < 0) {
		free(buf);
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			hull_hasher_free(&h);
			free(buf);
			return hull_fail(err, e, "read");
		}
		if (n == 0)
			break;
		hull_hasher_update(&h, buf, (size_t)n);
	}
	if (size)
		*size = h.bytes;
	hull_hasher_final(&h, out);
	hull_hasher_free(&h);
	free(buf);
	return 0;
}
