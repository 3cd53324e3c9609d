/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/key.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/digest.h"

#define COSIGN_PEM   "ENCRYPTED COSIGN PRIVATE KEY"
#define SIGSTORE_PEM "ENCRYPTED SIGSTORE PRIVATE KEY"
#define SALT_LEN     32
#define SECRET_LEN   32
#define PKCS8_MAX    (16u << 10)

static void bio_freep(BIO **b)
{
	if (*b)
		BIO_free(*b);
}
#define _cleanup_bio_ __attribute__((cleanup(bio_freep)))

/* The OpenSSL error queue as text, then cleared: a reason for messages, never a crash. */
static const char *ossl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_get_error();
	if (!e)
		snprintf(buf, n, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
	return buf;
}

void hull_key_password_free(char *pw)
{
	if (pw) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
}

int hull_b64_decode(const char *in, size_t inlen, size_t max, unsigned char **out, size_t *outlen)
{
	size_t cap = inlen / 4 * 3 + 3, n = 0;
	const char *end = NULL;
	unsigned char *buf;
	*out = NULL;
	*outlen = 0;
	if (inlen % 4 || cap > max + 3)
		return -1;
	buf = malloc(cap + 1);
	if (!buf)
		return -1;
	if (sodium_base642bin(buf, cap, in, inlen, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) <
		0 ||
	    end != in + inlen || n > max) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

char *hull_b64_encode(const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(n);
	if (!s)
		return NULL;
	sodium_bin2base64(s, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

int hull_key_generate(EVP_PKEY **out, hull_err *err)
{
	char why[256];
	*out = EVP_EC_gen("P-256");
	if (!*out)
		return hull_fail(err, 0, "generate an ECDSA P-256 key: %s",
				 ossl_reason(why, sizeof why));
	return 0;
}

static char *bio_text(BIO *b)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	return n >= 0 ? strndup(p, (size_t)n) : NULL;
}

int hull_key_public_pem(EVP_PKEY *k, char **pem, hull_err *err)
{
	_cleanup_bio_ BIO *b = BIO_new(BIO_s_mem());
	char why[256];
	if (!b || PEM_write_bio_PUBKEY(b, k) != 1)
		return hull_fail(err, 0, "encode the public key: %s", ossl_reason(why, sizeof why));
	*pem = bio_text(b);
	return *pem ? 0 : hull_fail(err, ENOMEM, "public key");
}

int hull_key_fingerprint(EVP_PKEY *k, char out[HULL_DIGEST_MAX], hull_err *err)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	char d[HULL_DIGEST_MAX];
	int rc;
	if (n <= 0)
		return hull_fail(err, 0, "encode the public key");
	rc = hull_digest_buf(HULL_SHA256, der, (size_t)n, d, err);
	OPENSSL_free(der);
	if (rc < 0)
		return -1;
	memcpy(out, d, HULL_DIGEST_MAX);
	return 0;
}

/* PKCS#8 DER of a private key into a buffer that the caller wipes. */
static int pkcs8_der(EVP_PKEY *k, unsigned char **der, size_t *len, hull_err *err)
{
	PKCS8_PRIV_KEY_INFO *p8;
	if (sodium_init() < 0)
		return hull_fail(err, 0, "libsodium initialisation failed");
	p8 = EVP_PKEY2PKCS8(k);
	unsigned char *tmp = NULL;
	int n;
	char why[256];
	if (!p8)
		return hull_fail(err, 0, "encode the private key: %s", ossl_reason(why, sizeof why));
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, &tmp);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return hull_fail(err, 0, "encode the private key: %s", ossl_reason(why, sizeof why));
	*der = sodium_malloc((size_t)n);
	if (!*der) {
		OPENSSL_clear_free(tmp, (size_t)n);
		return hull_fail(err, ENOMEM, "private key");
	}
	memcpy(*der, tmp, (size_t)n);
	OPENSSL_clear_free(tmp, (size_t)n);
	*len = (size_t)n;
	return 0;
}

static int derive(const char *pw, const unsigned char *salt, size_t saltlen, uint64_t N,
		  uint32_t r, uint32_t p, unsigned char key[SECRET_LEN], hull_err *err)
{
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pw, strlen(pw), salt, saltlen, N,
						  r, p, key, SECRET_LEN) != 0)
		return hull_fail(err, ENOMEM, "scrypt key derivation (N=%llu r=%u p=%u)",
				 (unsigned long long)N, r, p);
	return 0;
}

static int pem_wrap(const char *name, const void *data, size_t len, char **pem, hull_err *err)
{
	_cleanup_bio_ BIO *b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio(b, name, "", data, (long)len) <= 0)
		return hull_fail(err, ENOMEM, "PEM");
	*pem = bio_text(b);
	return *pem ? 0 : hull_fail(err, ENOMEM, "PEM");
}

int hull_key_encrypt_cosign(EVP_PKEY *k, const char *pw, char **pem, hull_err *err)
{
	unsigned char salt[SALT_LEN], nonce[crypto_secretbox_NONCEBYTES], key[SECRET_LEN];
	unsigned char *der = NULL, *box = NULL;
	size_t dlen = 0, blen;
	_cleanup_free_ char *s_salt = NULL, *s_nonce = NULL, *s_ct = NULL;
	_cleanup_json_ json_object *o = NULL;
	json_object *kdf, *params, *cipher;
	const char *text;
	int rc = -1;

	*pem = NULL;
	if (sodium_init() < 0)
		return hull_fail(err, 0, "libsodium initialisation failed");
	randombytes_buf(salt, sizeof salt);
	randombytes_buf(nonce, sizeof nonce);
	if (pkcs8_der(k, &der, &dlen, err) < 0)
		return -1;
	if (derive(pw, salt, sizeof salt, HULL_KEY_SCRYPT_N, HULL_KEY_SCRYPT_R, HULL_KEY_SCRYPT_P,
		   key, err) < 0)
		goto out;
	blen = dlen + crypto_secretbox_MACBYTES;
	box = malloc(blen);
	if (!box) {
		hull_fail(err, ENOMEM, "encrypt the key");
		goto out;
	}
	/* Same layout as Go's secretbox.Seal: the 16-byte tag, then the ciphertext. */
	crypto_secretbox_easy(box, der, dlen, nonce, key);
	s_salt = hull_b64_encode(salt, sizeof salt);
	s_nonce = hull_b64_encode(nonce, sizeof nonce);
	s_ct = hull_b64_encode(box, blen);
	o = json_object_new_object();
	kdf = json_object_new_object();
	params = json_object_new_object();
	cipher = json_object_new_object();
	if (!s_salt || !s_nonce || !s_ct || !o || !kdf || !params || !cipher) {
		json_object_put(kdf);
		json_object_put(params);
		json_object_put(cipher);
		hull_fail(err, ENOMEM, "encrypt the key");
		goto out;
	}
	hull_json_add_str(kdf, "name", "scrypt");
	hull_json_add_int(params, "N", HULL_KEY_SCRYPT_N);
	hull_json_add_int(params, "r", HULL_KEY_SCRYPT_R);
	hull_json_add_int(params, "p", HULL_KEY_SCRYPT_P);
	hull_json_add(kdf, "params", params);
	hull_json_add_str(kdf, "salt", s_salt);
	hull_json_add_str(cipher, "name", "nacl/secretbox");
	hull_json_add_str(cipher, "nonce", s_nonce);
	hull_json_add(o, "kdf", kdf);
	hull_json_add(o, "cipher", cipher);
	hull_json_add_str(o, "ciphertext", s_ct);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text) {
		hull_fail(err, ENOMEM, "encrypt the key");
		goto out;
	}
	rc = pem_wrap(COSIGN_PEM, text, strlen(text), pem, err);
out:
	sodium_memzero(key, sizeof key);
	if (der)
		sodium_free(der);
	free(box);
	return rc;
}

/* --- reading ------------------------------------------------------------------------------ */

static int b64_member(json_object *o, const char *key, const char *what, size_t max,
		      unsigned char **out, size_t *len, hull_err *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .%s: expected a base64 string",
				  what, key);
	if (hull_b64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), max,
			    out, len) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .%s: invalid base64 or too long",
				  what, key);
	return 0;
}

static int int_member(json_object *o, const char *key, const char *what, int64_t lo, int64_t hi,
		      int64_t *out, hull_err *err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .%s: expected an integer", what,
				  key);
	*out = json_object_get_int64(v);
	if (*out < lo || *out > hi)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: .%s = %lld is outside %lld..%lld", what, key,
				  (long long)*out, (long long)lo, (long long)hi);
	return 0;
}

static int str_is(json_object *o, const char *key, const char *want)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
	       !strcmp(json_object_get_string(v), want);
}

static int der_to_key(const unsigned char *der, size_t len, const char *what, EVP_PKEY **out,
		      hull_err *err)
{
	const unsigned char *p = der;
	char why[256];
	*out = d2i_AutoPrivateKey(NULL, &p, (long)len);
	if (!*out)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: the decrypted key is not PKCS#8: %s",
				  what, ossl_reason(why, sizeof why));
	if (p != der + len) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: trailing bytes after the PKCS#8 key", what);
	}
	return 0;
}

/* The JSON body of an ENCRYPTED COSIGN/SIGSTORE PRIVATE KEY. */
static int decrypt_cosign(const unsigned char *body, size_t blen, const char *what,
			  hull_key_password_fn pwfn, void *ud, EVP_PKEY **out, hull_err *err)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *kdf, *params, *cipher;
	_cleanup_free_ unsigned char *salt = NULL, *nonce = NULL, *ct = NULL;
	size_t saltlen, noncelen, ctlen;
	int64_t N, r, p;
	unsigned char key[SECRET_LEN], *plain = NULL;
	char *pw = NULL;
	int rc = -1;

	if (hull_json_parse((const char *)body, blen, what, &o, err) < 0)
		return -1;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "kdf", &kdf) ||
	    !json_object_is_type(kdf, json_type_object) ||
	    !json_object_object_get_ex(o, "cipher", &cipher) ||
	    !json_object_is_type(cipher, json_type_object) ||
	    !json_object_object_get_ex(kdf, "params", &params) ||
	    !json_object_is_type(params, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: expected {\"kdf\":{\"params\":...},\"cipher\":...,"
				  "\"ciphertext\":...}",
				  what);
	if (!str_is(kdf, "name", "scrypt"))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .kdf.name: only scrypt is supported",
				  what);
	if (!str_is(cipher, "name", "nacl/secretbox"))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: .cipher.name: only nacl/secretbox is supported", what);
	/* Bounded so that a hostile file cannot ask for gigabytes of scrypt memory (128*r*N). */
	if (int_member(params, "N", what, 1024, 1 << 20, &N, err) < 0 ||
	    int_member(params, "r", what, 1, 32, &r, err) < 0 ||
	    int_member(params, "p", what, 1, 16, &p, err) < 0)
		return -1;
	if (N & (N - 1))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .kdf.params.N must be a power of 2",
				  what);
	if ((uint64_t)N * (uint64_t)r * 128u > (1ull << 30))
		return hull_failk(err, HULL_ERR_LIMIT, 0,
				  "%s: scrypt parameters need more than 1 GiB of memory", what);
	if (b64_member(kdf, "salt", what, 1024, &salt, &saltlen, err) < 0 ||
	    b64_member(cipher, "nonce", what, 64, &nonce, &noncelen, err) < 0 ||
	    b64_member(o, "ciphertext", what, PKCS8_MAX, &ct, &ctlen, err) < 0)
		return -1;
	if (noncelen != crypto_secretbox_NONCEBYTES)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .cipher.nonce: %zu bytes, expected %d",
				  what, noncelen, crypto_secretbox_NONCEBYTES);
	if (ctlen < crypto_secretbox_MACBYTES + 1)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .ciphertext is too short", what);
	if (!pwfn)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: the key is encrypted and no passphrase source was given",
				  what);
	if (pwfn(ud, false, &pw, err) < 0)
		return hull_wrap(err, "%s", what);
	if (derive(pw, salt, saltlen, (uint64_t)N, (uint32_t)r, (uint32_t)p, key, err) < 0)
		goto out;
	plain = sodium_malloc(ctlen);
	if (!plain) {
		hull_fail(err, ENOMEM, "%s", what);
		goto out;
	}
	if (crypto_secretbox_open_easy(plain, ct, ctlen, nonce, key) != 0) {
		hull_failk(err, HULL_ERR_REJECTED, 0,
			   "%s: decryption failed: wrong passphrase (or a damaged key file)", what);
		goto out;
	}
	rc = der_to_key(plain, ctlen - crypto_secretbox_MACBYTES, what, out, err);
out:
	sodium_memzero(key, sizeof key);
	if (plain)
		sodium_free(plain);
	hull_key_password_free(pw);
	return rc;
}

struct pem_cb_ctx {
	hull_key_password_fn fn;
	void *ud;
	hull_err *err;
	bool failed;
};

static int key_password_cb(char *buf, int size, int rwflag, void *u)
{
	struct pem_cb_ctx *c = u;
	char *pw = NULL;
	size_t n;
	(void)rwflag;
	if (!c->fn || c->fn(c->ud, false, &pw, c->err) < 0) {
		c->failed = true;
		return -1;
	}
	n = strlen(pw);
	if (n > (size_t)size) {
		hull_key_password_free(pw);
		return -1;
	}
	memcpy(buf, pw, n);
	hull_key_password_free(pw);
	return (int)n;
}

static bool key_type_ok(EVP_PKEY *k, char *why, size_t n)
{
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
	case EVP_PKEY_ED25519:
		return true;
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(k) >= 2048)
			return true;
		snprintf(why, n, "an RSA key of %d bits (at least 2048 are required)",
			 EVP_PKEY_get_bits(k));
		return false;
	default:
		snprintf(why, n, "a %s key (ECDSA, Ed25519 or RSA are supported)",
			 OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
		return false;
	}
}

int hull_key_parse_private(const char *data, size_t len, const char *what, hull_key_password_fn pw,
			   void *ud, EVP_PKEY **out, hull_err *err)
{
	_cleanup_bio_ BIO *b = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *body = NULL;
	long blen = 0;
	char why[256];
	int rc;

	*out = NULL;
	if (len > HULL_KEY_FILE_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_KEY_FILE_MAX);
	if (sodium_init() < 0)
		return hull_fail(err, 0, "libsodium initialisation failed");
	b = BIO_new_mem_buf(data, (int)len);
	if (!b)
		return hull_fail(err, ENOMEM, "%s", what);
	if (PEM_read_bio(b, &name, &header, &body, &blen) != 1) {
		ERR_clear_error();
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not a PEM private key", what);
	}
	if (!strcmp(name, COSIGN_PEM) || !strcmp(name, SIGSTORE_PEM)) {
		rc = decrypt_cosign(body, (size_t)blen, what, pw, ud, out, err);
	} else {
		struct pem_cb_ctx c = {.fn = pw, .ud = ud, .err = err};
		BIO_free(b);
		b = BIO_new_mem_buf(data, (int)len);
		*out = b ? PEM_read_bio_PrivateKey(b, NULL, key_password_cb, &c) : NULL;
		rc = 0;
		if (!*out) {
			if (c.failed)
				rc = hull_wrap(err, "%s", what);
			else if (!strcmp(name, "ENCRYPTED PRIVATE KEY"))
				rc = hull_failk(err, HULL_ERR_REJECTED, 0,
						"%s: decryption failed: wrong passphrase", what);
			else
				rc = hull_failk(err, HULL_ERR_INVALID, 0,
						"%s: PEM \"%s\" is not a private key hull reads "
						"(%s)",
						what, name, ossl_reason(why, sizeof why));
			ERR_clear_error();
		}
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_clear_free(body, (size_t)(blen > 0 ? blen : 0));
	if (rc == 0 && !key_type_ok(*out, why, sizeof why)) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", what, why);
	}
	return rc;
}

int hull_key_parse_public(const char *data, size_t len, const char *what, EVP_PKEY **out,
			  hull_err *err)
{
	_cleanup_bio_ BIO *b = NULL;
	char why[256];
	*out = NULL;
	if (len > HULL_KEY_FILE_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_KEY_FILE_MAX);
	b = BIO_new_mem_buf(data, (int)len);
	if (!b)
		return hull_fail(err, ENOMEM, "%s", what);
	*out = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	if (!*out) {
		ERR_clear_error();
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: not a PEM public key (-----BEGIN PUBLIC KEY-----)", what);
	}
	if (!key_type_ok(*out, why, sizeof why)) {
		EVP_PKEY_free(*out);
		*out = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", what, why);
	}
	return 0;
}

static int load_file(const char *path, char **data, size_t *len, hull_err *err)
{
	return hull_read_file_at(AT_FDCWD, path, 0, HULL_KEY_FILE_MAX, data, len, err);
}

int hull_key_load_private(const char *path, hull_key_password_fn pw, void *ud, EVP_PKEY **out,
			  hull_err *err)
{
	char *data = NULL;
	size_t len;
	int rc;
	if (load_file(path, &data, &len, err) < 0)
		return hull_wrap(err, "private key");
	rc = hull_key_parse_private(data, len, path, pw, ud, out, err);
	sodium_memzero(data, len);
	free(data);
	return rc;
}

int hull_key_load_public(const char *path, EVP_PKEY **out, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	if (load_file(path, &data, &len, err) < 0)
		return hull_wrap(err, "public key");
	return hull_key_parse_public(data, len, path, out, err);
}

/* ECDSA and RSA sign a SHA-256 digest; Ed25519 signs the message itself (no digest). */
static const EVP_MD *md_for(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
}

int hull_key_sign(EVP_PKEY *k, const void *msg, size_t len, unsigned char **sig, size_t *siglen,
		  hull_err *err)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char why[256];
	size_t n = 0;
	*sig = NULL;
	if (!c)
		return hull_fail(err, ENOMEM, "sign");
	if (EVP_DigestSignInit(c, NULL, md_for(k), NULL, k) != 1 ||
	    EVP_DigestSign(c, NULL, &n, msg, len) != 1 || !(*sig = malloc(n)) ||
	    EVP_DigestSign(c, *sig, &n, msg, len) != 1) {
		EVP_MD_CTX_free(c);
		free(*sig);
		*sig = NULL;
		return hull_fail(err, 0, "sign: %s", ossl_reason(why, sizeof why));
	}
	EVP_MD_CTX_free(c);
	*siglen = n;
	return 0;
}

int hull_key_verify(EVP_PKEY *k, const void *msg, size_t len, const unsigned char *sig,
		    size_t siglen)
{
	EVP_MD_CTX *c;
	int ok;
	if (!sig || siglen == 0 || siglen > HULL_KEY_SIG_MAX)
		return 0;
	c = EVP_MD_CTX_new();
	if (!c)
		return 0;
	ok = EVP_DigestVerifyInit(c, NULL, md_for(k), NULL, k) == 1 &&
	     EVP_DigestVerify(c, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok ? 1 : 0;
}
