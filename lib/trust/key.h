/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signing keys in the formats cosign and containers/image use.
 *
 *   public key   PEM "PUBLIC KEY" (SubjectPublicKeyInfo): ECDSA (P-256 is what cosign makes),
 *                Ed25519 or RSA (>= 2048 bits)
 *   private key  PEM "ENCRYPTED COSIGN PRIVATE KEY" (or the newer "ENCRYPTED SIGSTORE PRIVATE
 *                KEY"): a JSON body {"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},
 *                "cipher":{"name":"nacl/secretbox","nonce"},"ciphertext"} whose plaintext is
 *                the PKCS#8 DER of the key. hull writes N=32768 r=8 p=1, the only parameters
 *                old go-tuf readers accept. Plain PEM "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY"
 *                and "ENCRYPTED PRIVATE KEY" (PKCS#8 PBES2) are read too.
 *
 * Signatures: ECDSA over SHA-256 of the message (ASN.1 DER, what cosign puts in the
 * dev.cosignproject.cosign/signature annotation, base64), Ed25519 over the message itself,
 * RSA PKCS#1 v1.5 over SHA-256. Crypto is OpenSSL 3; scrypt and secretbox are libsodium. */
#pragma once

#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "image/digest.h"

#define HULL_KEY_FILE_MAX (64u << 10) /* a key file (PEM) */
#define HULL_KEY_SIG_MAX  1024	      /* a decoded signature (RSA-8192 is 1024 bytes) */

/* The cosign scrypt parameters. */
#define HULL_KEY_SCRYPT_N (1u << 15)
#define HULL_KEY_SCRYPT_R 8u
#define HULL_KEY_SCRYPT_P 1u

/* Passphrase source for encrypted keys: fill *pw (NUL-terminated, heap, the caller wipes and
 * frees it with hull_key_password_free). confirm asks twice (key generation). */
typedef int (*hull_key_password_fn)(void *ud, bool confirm, char **pw, hull_err *err);
void hull_key_password_free(char *pw);

/* A new ECDSA P-256 key. */
int hull_key_generate(EVP_PKEY **out, hull_err *err);

/* PEM texts (caller frees; private ones with hull_key_password_free, as they are secrets). */
int hull_key_public_pem(EVP_PKEY *k, char **pem, hull_err *err);
int hull_key_encrypt_cosign(EVP_PKEY *k, const char *pw, char **pem, hull_err *err);

/* Parse a private key from PEM text in any of the formats above; `pw` is asked only for an
 * encrypted key. A wrong passphrase is an error of kind HULL_ERR_REJECTED. */
int hull_key_parse_private(const char *data, size_t len, const char *what, hull_key_password_fn pw,
			   void *ud, EVP_PKEY **out, hull_err *err);
int hull_key_load_private(const char *path, hull_key_password_fn pw, void *ud, EVP_PKEY **out,
			  hull_err *err);

/* Parse a public key: PEM "PUBLIC KEY", or a private key's public half is NOT accepted. */
int hull_key_parse_public(const char *data, size_t len, const char *what, EVP_PKEY **out,
			  hull_err *err);
int hull_key_load_public(const char *path, EVP_PKEY **out, hull_err *err);

/* Sign msg; *sig is heap (caller frees). */
int hull_key_sign(EVP_PKEY *k, const void *msg, size_t len, unsigned char **sig, size_t *siglen,
		  hull_err *err);
/* 1: the signature is valid for msg, 0: it is not (any malformation included). */
int hull_key_verify(EVP_PKEY *k, const void *msg, size_t len, const unsigned char *sig,
		    size_t siglen);

/* "sha256:<hex>" of the SubjectPublicKeyInfo DER: names a key in messages and records. */
int hull_key_fingerprint(EVP_PKEY *k, char out[HULL_DIGEST_MAX], hull_err *err);

/* Strict standard base64 (RFC 4648 with padding, no whitespace). *out is heap and
 * NUL-terminated; max bounds the decoded size. */
int hull_b64_decode(const char *in, size_t inlen, size_t max, unsigned char **out, size_t *outlen);
char *hull_b64_encode(const void *data, size_t len);
