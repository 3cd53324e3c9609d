/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keys: generation, the encrypted cosign private key format, PEM parsing, sign/verify. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "trust/key.h"
#include "t.h"

static int pw_fixed(void *ud, bool confirm, char **pw, hull_err *err)
{
	(void)confirm;
	(void)err;
	*pw = strdup(ud);
	return 0;
}

TEST(generate_encrypt_decrypt_sign_verify)
{
	EVP_PKEY *k = NULL, *k2 = NULL, *pub = NULL;
	char *pem = NULL, *pubpem = NULL;
	unsigned char *sig = NULL;
	size_t siglen;
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_key_generate(&k, &e) == 0);
	T_ASSERT(hull_key_encrypt_cosign(k, "s3cret", &pem, &e) == 0);
	T_CONTAINS(pem, "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----");
	T_ASSERT(hull_key_public_pem(k, &pubpem, &e) == 0);
	T_CONTAINS(pubpem, "-----BEGIN PUBLIC KEY-----");
	T_ASSERT(hull_key_parse_private(pem, strlen(pem), "k", pw_fixed, "s3cret", &k2, &e) == 0);
	T_ASSERT(hull_key_parse_public(pubpem, strlen(pubpem), "p", &pub, &e) == 0);
	T_ASSERT(hull_key_sign(k2, "hello", 5, &sig, &siglen, &e) == 0);
	T_EQ_INT(hull_key_verify(pub, "hello", 5, sig, siglen), 1);
	T_EQ_INT(hull_key_verify(pub, "hellO", 5, sig, siglen), 0);
	sig[siglen / 2] ^= 1;
	T_EQ_INT(hull_key_verify(pub, "hello", 5, sig, siglen), 0);
	T_EQ_INT(hull_key_verify(pub, "hello", 5, sig, 0), 0);
	free(sig);
	EVP_PKEY_free(k2);
	k2 = NULL;
	/* wrong passphrase: a rejection, not a crash or a garbage key */
	T_ASSERT(hull_key_parse_private(pem, strlen(pem), "k", pw_fixed, "wrong", &k2, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_REJECTED);
	T_CONTAINS(e.msg, "wrong passphrase");
	hull_err_clear(&e);
	/* a public key is not a private key and vice versa */
	T_ASSERT(hull_key_parse_private(pubpem, strlen(pubpem), "p", pw_fixed, "x", &k2, &e) < 0);
	hull_err_clear(&e);
	EVP_PKEY_free(pub);
	T_ASSERT(hull_key_parse_public(pem, strlen(pem), "k", &pub, &e) < 0);
	T_ASSERT(pub == NULL);
	hull_err_clear(&e);
	EVP_PKEY_free(k);
	free(pem);
	free(pubpem);
}

TEST(b64_strict)
{
	unsigned char *out;
	size_t n;
	T_ASSERT(hull_b64_decode("aGVsbG8=", 8, 100, &out, &n) == 0);
	T_EQ_INT(n, 5);
	T_ASSERT(!memcmp(out, "hello", 5));
	free(out);
	T_ASSERT(hull_b64_decode("aGVsbG8", 7, 100, &out, &n) < 0);   /* no padding */
	T_ASSERT(hull_b64_decode("aGVs bG8=", 9, 100, &out, &n) < 0); /* whitespace */
	T_ASSERT(hull_b64_decode("aGVsbG8=", 8, 4, &out, &n) < 0);    /* over the limit */
	T_ASSERT(hull_b64_decode("aGVsbG9=", 8, 100, &out, &n) < 0 || (free(out), 1));
}
