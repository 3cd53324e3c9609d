/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/bundle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/digest.h"
#include "trust/key.h"
#include "trust/tjson.h"

#define MAX_DSSE_SIGS	  16
#define MAX_SUBJECTS	  256
#define STATEMENT_V01	  "https://in-toto.io/Statement/v0.1"

int hull_dsse_pae(const char *type, const void *payload, size_t len, unsigned char **out,
		  size_t *out_len)
{
	hull_buf b = {0};
	if (hull_buf_printf(&b, "DSSEv1 %zu %s %zu ", strlen(type), type, len) < 0 ||
	    hull_buf_append(&b, payload, len) < 0) {
		hull_buf_free(&b);
		return -1;
	}
	*out_len = b.len;
	*out = (unsigned char *)hull_buf_steal(&b);
	return *out ? 0 : -1;
}

static json_object *statement(const char *name, const char *digest)
{
	json_object *st = json_object_new_object(), *subs = json_object_new_array(),
		    *sub = json_object_new_object(), *dg = json_object_new_object();
	if (!st || !subs || !sub || !dg) {
		json_object_put(st);
		json_object_put(subs);
		json_object_put(sub);
		json_object_put(dg);
		return NULL;
	}
	hull_json_add_str(dg, "sha256", hull_digest_hex(digest));
	hull_json_add_str(sub, "name", name);
	hull_json_add(sub, "digest", dg);
	json_object_array_add(subs, sub);
	hull_json_add_str(st, "_type", HULL_INTOTO_STATEMENT);
	hull_json_add(st, "subject", subs);
	hull_json_add_str(st, "predicateType", HULL_COSIGN_PREDICATE);
	hull_json_add(st, "predicate", json_object_new_object());
	return st;
}

int hull_bundle_build(EVP_PKEY *k, const char *subject_name, const char *digest, char **json,
		      size_t *len, hull_err *err)
{
	_cleanup_json_ json_object *st = NULL, *b = NULL;
	_cleanup_free_ char *payload = NULL, *p64 = NULL, *s64 = NULL;
	_cleanup_free_ unsigned char *pae = NULL, *sig = NULL;
	size_t pae_len, sig_len;
	char fp[HULL_DIGEST_MAX];
	json_object *vm, *pk, *env, *sigs, *s, *tl;

	*json = NULL;
	if (hull_digest_check(digest, "bundle subject", err) < 0)
		return -1;
	if (hull_digest_algo_of(digest) != HULL_SHA256)
		return hull_failk(err, HULL_ERR_INVALID, 0, "bundle: only sha256 digests");
	st = statement(subject_name, digest);
	payload = st ? hull_json_dump(st, false) : NULL;
	if (!payload || hull_dsse_pae(HULL_INTOTO_PAYLOAD, payload, strlen(payload), &pae,
				      &pae_len) < 0)
		return hull_fail(err, ENOMEM, "bundle");
	if (hull_key_sign(k, pae, pae_len, &sig, &sig_len, err) < 0 ||
	    hull_key_fingerprint(k, fp, err) < 0)
		return hull_wrap(err, "bundle");
	p64 = hull_b64_encode(payload, strlen(payload));
	s64 = hull_b64_encode(sig, sig_len);
	b = json_object_new_object();
	vm = json_object_new_object();
	pk = json_object_new_object();
	env = json_object_new_object();
	sigs = json_object_new_array();
	s = json_object_new_object();
	tl = json_object_new_array();
	if (!p64 || !s64 || !b || !vm || !pk || !env || !sigs || !s || !tl) {
		json_object_put(vm);
		json_object_put(pk);
		json_object_put(env);
		json_object_put(sigs);
		json_object_put(s);
		json_object_put(tl);
		return hull_fail(err, ENOMEM, "bundle");
	}
	hull_json_add_str(pk, "hint", hull_digest_hex(fp));
	hull_json_add(vm, "publicKey", pk);
	hull_json_add(vm, "tlogEntries", tl);
	hull_json_add_str(s, "sig", s64);
	hull_json_add_str(s, "keyid", "");
	json_object_array_add(sigs, s);
	hull_json_add_str(env, "payload", p64);
	hull_json_add_str(env, "payloadType", HULL_INTOTO_PAYLOAD);
	hull_json_add(env, "signatures", sigs);
	hull_json_add_str(b, "mediaType", HULL_BUNDLE_MEDIA_TYPE);
	hull_json_add(b, "verificationMaterial", vm);
	hull_json_add(b, "dsseEnvelope", env);
	*json = hull_json_dump(b, false);
	if (!*json)
		return hull_fail(err, ENOMEM, "bundle");
	*len = strlen(*json);
	return 0;
}

static int rejectf(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rejectf(char **why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
	return 0;
}

static int reject_err(char **why, hull_err *e)
{
	*why = hull_strdup_printf("bundle: %s", e->msg ? e->msg : "invalid");
	hull_err_clear(e);
	return 0;
}

/* The statement's subjects whose sha256 is digest's. */
static int subjects(json_object *st, const char *digest, char ***names, char **why)
{
	static const char *const top[] = {"_type", "subject", "predicateType", "predicate", NULL};
	static const char *const subk[] = {"name", "digest", NULL};
	hull_err e = HULL_ERR_INIT;
	json_object *subs;
	const char *type;
	if (hull_tjson_fields(st, "statement", top, false, &e) < 0 ||
	    !(type = hull_tjson_str(st, "_type", "statement", &e)) ||
	    !hull_tjson_str(st, "predicateType", "statement", &e))
		return reject_err(why, &e);
	if (strcmp(type, HULL_INTOTO_STATEMENT) && strcmp(type, STATEMENT_V01))
		return rejectf(why, "bundle: statement _type \"%.100s\" is not an in-toto Statement",
			       type);
	if (!json_object_object_get_ex(st, "subject", &subs) ||
	    !json_object_is_type(subs, json_type_array) || json_object_array_length(subs) == 0 ||
	    json_object_array_length(subs) > MAX_SUBJECTS)
		return rejectf(why, "bundle: statement .subject must be a non-empty array of at "
				    "most %d subjects",
			       MAX_SUBJECTS);
	for (size_t i = 0; i < json_object_array_length(subs); i++) {
		json_object *sub = json_object_array_get_idx(subs, i), *dg;
		const char *name, *hex;
		char path[64];
		snprintf(path, sizeof path, "statement: .subject[%zu]", i);
		if (hull_tjson_fields(sub, path, subk, false, &e) < 0 ||
		    !(name = hull_tjson_str(sub, "name", path, &e)) ||
		    !(dg = hull_tjson_obj(sub, "digest", path, &e)))
			return reject_err(why, &e);
		if (hull_tjson_opt_str(dg, "sha256", path, &hex, &e) < 0)
			return reject_err(why, &e);
		if (hex && !strcmp(hex, hull_digest_hex(digest)) &&
		    hull_strv_push(names, name) < 0)
			return -1;
	}
	if (!*names && !(*names = calloc(1, sizeof(char *))))
		return -1;
	return 1;
}

int hull_bundle_verify(EVP_PKEY *const *keys, size_t n_keys, const void *json, size_t len,
		       const char *digest, char ***names, char **why)
{
	static const char *const top[] = {"mediaType", "verificationMaterial", "dsseEnvelope",
					  "messageSignature", NULL};
	static const char *const envk[] = {"payload", "payloadType", "signatures", NULL};
	static const char *const sigk[] = {"sig", "keyid", NULL};
	_cleanup_json_ json_object *b = NULL, *st = NULL;
	_cleanup_free_ unsigned char *payload = NULL, *pae = NULL;
	json_object *env, *sigs;
	const char *mt, *p64, *ptype;
	size_t plen, pae_len;
	hull_err e = HULL_ERR_INIT;
	bool verified = false;
	int rc;

	*names = NULL;
	*why = NULL;
	if (len > HULL_BUNDLE_MAX)
		return rejectf(why, "bundle: %zu bytes, more than %u", len, HULL_BUNDLE_MAX);
	if (hull_tjson_parse(json, len, "bundle", &b, &e) < 0 ||
	    hull_tjson_fields(b, "bundle", top, false, &e) < 0 ||
	    !(mt = hull_tjson_str(b, "mediaType", "bundle", &e)))
		return reject_err(why, &e);
	if (strcmp(mt, HULL_BUNDLE_MEDIA_TYPE))
		return rejectf(why, "bundle: mediaType \"%.100s\" is not %s", mt,
			       HULL_BUNDLE_MEDIA_TYPE);
	if (!json_object_object_get_ex(b, "dsseEnvelope", &env))
		return rejectf(why, "bundle: only DSSE bundles (dsseEnvelope) are supported");
	if (hull_tjson_fields(env, "bundle: .dsseEnvelope", envk, true, &e) < 0 ||
	    !(p64 = hull_tjson_str(env, "payload", "bundle: .dsseEnvelope", &e)) ||
	    !(ptype = hull_tjson_str(env, "payloadType", "bundle: .dsseEnvelope", &e)))
		return reject_err(why, &e);
	if (strcmp(ptype, HULL_INTOTO_PAYLOAD))
		return rejectf(why, "bundle: payloadType \"%.100s\" is not %s", ptype,
			       HULL_INTOTO_PAYLOAD);
	if (hull_b64_decode(p64, strlen(p64), HULL_BUNDLE_MAX, &payload, &plen) < 0)
		return rejectf(why, "bundle: .dsseEnvelope.payload is not valid base64");
	json_object_object_get_ex(env, "signatures", &sigs);
	if (!json_object_is_type(sigs, json_type_array) || json_object_array_length(sigs) == 0 ||
	    json_object_array_length(sigs) > MAX_DSSE_SIGS)
		return rejectf(why, "bundle: .dsseEnvelope.signatures must hold 1 to %d entries",
			       MAX_DSSE_SIGS);
	if (hull_dsse_pae(ptype, payload, plen, &pae, &pae_len) < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(sigs) && !verified; i++) {
		json_object *s = json_object_array_get_idx(sigs, i);
		_cleanup_free_ unsigned char *sig = NULL;
		size_t sig_len;
		const char *s64;
		char path[64];
		snprintf(path, sizeof path, "bundle: .dsseEnvelope.signatures[%zu]", i);
		if (hull_tjson_fields(s, path, sigk, false, &e) < 0 ||
		    !(s64 = hull_tjson_str(s, "sig", path, &e)))
			return reject_err(why, &e);
		if (hull_b64_decode(s64, strlen(s64), HULL_KEY_SIG_MAX, &sig, &sig_len) < 0)
			continue;
		/* Verify the envelope before reading the statement inside it. */
		for (size_t k = 0; k < n_keys && !verified; k++)
			verified = hull_key_verify(keys[k], pae, pae_len, sig, sig_len) == 1;
	}
	if (!verified)
		return rejectf(why, "bundle: cryptographic signature verification failed with %s",
			       n_keys == 1 ? "the key" : "every key");
	if (hull_tjson_parse((const char *)payload, plen, "statement", &st, &e) < 0)
		return reject_err(why, &e);
	rc = subjects(st, digest, names, why);
	if (rc != 1) {
		hull_strv_free(*names);
		*names = NULL;
	}
	return rc;
}
