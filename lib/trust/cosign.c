/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/cosign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "trust/bundle.h"
#include "trust/key.h"
#include "trust/payload.h"
#include "trust/tjson.h"

#define MAX_LAYERS	 1024 /* layers of a signature manifest we look at */
#define MAX_BUNDLES	 16
#define EMPTY_CONFIG	 "{}"
#define EMPTY_DIGEST	 "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define ZERO_TIME	 "0001-01-01T00:00:00Z"

void hull_cosign_tag(const char *digest, const char *suffix, char out[HULL_COSIGN_TAG_MAX])
{
	snprintf(out, HULL_COSIGN_TAG_MAX, "%.*s-%s%s", (int)(strchr(digest, ':') - digest), digest,
		 hull_digest_hex(digest), suffix);
}

void hull_cosign_layers_free(struct hull_cosign_layer *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].media_type);
		free(v[i].digest);
		free(v[i].signature);
	}
	free(v);
}

int hull_cosign_manifest_parse(const char *data, size_t len, struct hull_cosign_layer **out,
			       size_t *n, hull_err *err)
{
	_cleanup_json_ json_object *o = NULL;
	json_object *layers, *sv;
	struct hull_cosign_layer *v = NULL;
	size_t cnt;
	*out = NULL;
	*n = 0;
	if (len > HULL_MANIFEST_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "signature manifest larger than %u bytes",
				  HULL_MANIFEST_MAX_SIZE);
	if (hull_tjson_parse(data, len, "signature manifest", &o, err) < 0)
		return -1;
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "schemaVersion", &sv) ||
	    !json_object_is_type(sv, json_type_int) || json_object_get_int64(sv) != 2)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "signature manifest: not an image manifest with schemaVersion 2");
	if (!json_object_object_get_ex(o, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "signature manifest: .layers must be an array");
	cnt = json_object_array_length(layers);
	if (cnt > MAX_LAYERS)
		cnt = MAX_LAYERS;
	v = calloc(cnt ? cnt : 1, sizeof *v);
	if (!v)
		return hull_fail(err, ENOMEM, "signature manifest");
	for (size_t i = 0; i < cnt; i++) {
		json_object *l = json_object_array_get_idx(layers, i), *sz, *ann;
		const char *mt, *dg, *sig = NULL;
		char path[64];
		snprintf(path, sizeof path, "signature manifest: .layers[%zu]", i);
		if (!(mt = hull_tjson_str(l, "mediaType", path, err)) ||
		    !(dg = hull_tjson_str(l, "digest", path, err)) ||
		    hull_digest_check(dg, path, err) < 0)
			goto fail;
		if (!json_object_object_get_ex(l, "size", &sz) ||
		    !json_object_is_type(sz, json_type_int) || json_object_get_int64(sz) < 0) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s.size: expected a size", path);
			goto fail;
		}
		if (json_object_object_get_ex(l, "annotations", &ann)) {
			if (!json_object_is_type(ann, json_type_object)) {
				hull_failk(err, HULL_ERR_INVALID, 0,
					   "%s.annotations: expected an object", path);
				goto fail;
			}
			if (hull_tjson_opt_str(ann, HULL_COSIGN_SIG_ANNOTATION, path, &sig, err) < 0)
				goto fail;
		}
		v[i].media_type = strdup(mt);
		v[i].digest = strdup(dg);
		v[i].size = json_object_get_int64(sz);
		v[i].signature = sig ? strdup(sig) : NULL;
		*n = i + 1;
		if (!v[i].media_type || !v[i].digest || (sig && !v[i].signature)) {
			hull_fail(err, ENOMEM, "signature manifest");
			goto fail;
		}
	}
	*out = v;
	return 0;
fail:
	hull_cosign_layers_free(v, *n);
	*n = 0;
	return -1;
}

/* Errors that describe the content (a rejection of this signature) rather than the network. */
static bool content_error(const hull_err *e)
{
	return e->kind == HULL_ERR_NOTFOUND || e->kind == HULL_ERR_INVALID ||
	       e->kind == HULL_ERR_LIMIT;
}

static int add_problem(struct hull_sigset *set, int kind, const char *src, const char *mt,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int add_problem(struct hull_sigset *set, int kind, const char *src, const char *mt,
		       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hull_sigset_add(set, kind, src, mt, NULL, 0, NULL, 0, msg) ? 0 : -1;
}

static int fetch_payload(struct hull_registry *r, const struct hull_cosign_layer *l,
			 const char *src, struct hull_sigset *set, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ unsigned char *sig = NULL;
	size_t len = 0, siglen = 0;
	hull_err e = HULL_ERR_INIT;
	int rc;
	if (!l->signature)
		return add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type,
				   "no %s annotation", HULL_COSIGN_SIG_ANNOTATION);
	if (!*l->signature)
		return add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type,
				   "the %s annotation is empty", HULL_COSIGN_SIG_ANNOTATION);
	if (hull_b64_decode(l->signature, strlen(l->signature), HULL_KEY_SIG_MAX, &sig, &siglen) <
	    0)
		return add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type,
				   "the %s annotation is not valid base64 of at most %d bytes",
				   HULL_COSIGN_SIG_ANNOTATION, HULL_KEY_SIG_MAX);
	/* A payload is a few hundred bytes; a large one is refused before it is downloaded. */
	if (l->size > (int64_t)HULL_PAYLOAD_MAX)
		return add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type,
				   "payload of %lld bytes is larger than the limit of %u",
				   (long long)l->size, HULL_PAYLOAD_MAX);
	if (hull_registry_get_blob(r, l->digest, HULL_PAYLOAD_MAX, &data, &len, &e) < 0) {
		if (!content_error(&e)) {
			hull_err_move(err, &e);
			return hull_wrap(err, "signature payload %s", l->digest);
		}
		rc = add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type, "payload: %s", e.msg);
		hull_err_clear(&e);
		return rc;
	}
	if ((int64_t)len != l->size)
		return add_problem(set, HULL_SIG_SIGSTORE, src, l->media_type,
				   "payload is %zu bytes, its descriptor says %lld", len,
				   (long long)l->size);
	return hull_sigset_add(set, HULL_SIG_SIGSTORE, src, l->media_type, data, len, sig, siglen,
			       NULL)
		   ? 0
		   : -1;
}

int hull_cosign_fetch(struct hull_registry *r, const char *digest, struct hull_sigset *set,
		      hull_err *err)
{
	char tag[HULL_COSIGN_TAG_MAX], md[HULL_DIGEST_MAX];
	_cleanup_free_ char *data = NULL, *mt = NULL;
	struct hull_cosign_layer *layers = NULL;
	size_t len, n = 0, used = 0;
	hull_err e = HULL_ERR_INIT;
	int rc = 0;
	if (hull_digest_check(digest, "signatures", err) < 0)
		return -1;
	hull_cosign_tag(digest, ".sig", tag);
	if (hull_registry_get_manifest(r, tag, &data, &len, &mt, md, &e) < 0) {
		if (e.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e);
			return 0;
		}
		if (content_error(&e))
			goto unusable;
		hull_err_move(err, &e);
		return hull_wrap(err, "signatures (tag %s)", tag);
	}
	if (hull_cosign_manifest_parse(data, len, &layers, &n, &e) < 0)
		goto unusable;
	for (size_t i = 0; i < n && rc == 0; i++) {
		_cleanup_free_ char *src = NULL;
		if (strcmp(layers[i].media_type, HULL_COSIGN_SIMPLESIGNING_MT)) {
			set->other_attachments++;
			continue;
		}
		if (used++ >= HULL_MAX_SIGNATURES) {
			set->ignored++;
			continue;
		}
		src = hull_strdup_printf("registry tag %s, layer %zu", tag, i + 1);
		if (!src) {
			rc = hull_fail(err, ENOMEM, "signatures");
			break;
		}
		rc = fetch_payload(r, &layers[i], src, set, err);
		if (rc < 0 && !hull_err_set(err))
			hull_fail(err, ENOMEM, "signatures");
	}
	hull_cosign_layers_free(layers, n);
	return rc;
unusable:
	/* A broken signature manifest rejects nothing by itself; it is reported. */
	{
		_cleanup_free_ char *src = hull_strdup_printf("registry tag %s", tag);
		rc = add_problem(set, HULL_SIG_SIGSTORE, src, NULL, "%s", e.msg);
		hull_err_clear(&e);
		return rc < 0 ? hull_fail(err, ENOMEM, "signatures") : 0;
	}
}

/* --- writing ------------------------------------------------------------------------------ */

static json_object *descriptor(const char *mt, const char *digest, int64_t size)
{
	json_object *d = json_object_new_object();
	if (d) {
		hull_json_add_str(d, "mediaType", mt);
		hull_json_add_int(d, "size", size);
		hull_json_add_str(d, "digest", digest);
	}
	return d;
}

static int put_json_blob(struct hull_registry *r, json_object *o, char digest[HULL_DIGEST_MAX],
			 int64_t *size, hull_err *err)
{
	_cleanup_free_ char *text = hull_json_dump(o, false);
	if (!text)
		return hull_fail(err, ENOMEM, "blob");
	*size = (int64_t)strlen(text);
	if (hull_digest_buf(HULL_SHA256, text, strlen(text), digest, err) < 0)
		return -1;
	return hull_registry_put_blob(r, digest, text, -1, (uint64_t)*size, err);
}

static json_object *cosign_config(json_object *layers)
{
	json_object *c = json_object_new_object(), *hist = json_object_new_array(),
		    *h = json_object_new_object(), *rootfs = json_object_new_object(),
		    *ids = json_object_new_array();
	if (!c || !hist || !h || !rootfs || !ids) {
		json_object_put(c);
		json_object_put(hist);
		json_object_put(h);
		json_object_put(rootfs);
		json_object_put(ids);
		return NULL;
	}
	/* As containers/image: the payloads' digests are the config's DiffIDs. */
	for (size_t i = 0; i < json_object_array_length(layers); i++)
		hull_json_arr_add_str(ids, hull_json_get_str(json_object_array_get_idx(layers, i),
							     "digest"));
	hull_json_add_str(c, "architecture", "");
	hull_json_add(c, "config", json_object_new_object());
	hull_json_add_str(c, "created", ZERO_TIME);
	hull_json_add_str(h, "created", ZERO_TIME);
	json_object_array_add(hist, h);
	hull_json_add(c, "history", hist);
	hull_json_add_str(c, "os", "");
	hull_json_add_str(rootfs, "type", "layers");
	hull_json_add(rootfs, "diff_ids", ids);
	hull_json_add(c, "rootfs", rootfs);
	return c;
}

/* The existing layers of the signature manifest (a new array when there is none). */
static int existing_layers(struct hull_registry *r, const char *tag, json_object **layers,
			   json_object **annotations, hull_err *err)
{
	_cleanup_free_ char *data = NULL, *mt = NULL;
	_cleanup_json_ json_object *o = NULL;
	char md[HULL_DIGEST_MAX];
	size_t len;
	hull_err e = HULL_ERR_INIT;
	json_object *l, *a;
	struct hull_cosign_layer *chk;
	size_t n;
	*layers = NULL;
	*annotations = NULL;
	if (hull_registry_get_manifest(r, tag, &data, &len, &mt, md, &e) < 0) {
		if (e.kind != HULL_ERR_NOTFOUND) {
			hull_err_move(err, &e);
			return -1;
		}
		hull_err_clear(&e);
		*layers = json_object_new_array();
		return *layers ? 0 : hull_fail(err, ENOMEM, "signatures");
	}
	/* Validate it as a reader would; then keep its layers as they are. */
	if (hull_cosign_manifest_parse(data, len, &chk, &n, err) < 0)
		return hull_wrap(err, "existing signatures at %s (remove the tag to start over)",
				 tag);
	hull_cosign_layers_free(chk, n);
	if (hull_tjson_parse(data, len, "signature manifest", &o, err) < 0)
		return -1;
	json_object_object_get_ex(o, "layers", &l);
	*layers = json_object_get(l);
	if (json_object_object_get_ex(o, "annotations", &a) &&
	    json_object_is_type(a, json_type_object))
		*annotations = json_object_get(a);
	return 0;
}

int hull_cosign_attach(struct hull_registry *r, const char *digest, const void *payload,
		       size_t plen, const unsigned char *sig, size_t siglen, hull_err *err)
{
	char tag[HULL_COSIGN_TAG_MAX], pd[HULL_DIGEST_MAX], cd[HULL_DIGEST_MAX];
	_cleanup_json_ json_object *layers = NULL, *annotations = NULL, *cfg = NULL, *m = NULL;
	_cleanup_free_ char *s64 = NULL, *text = NULL;
	json_object *layer, *ann;
	int64_t csize = 0;

	if (hull_digest_check(digest, "sign", err) < 0)
		return -1;
	hull_cosign_tag(digest, ".sig", tag);
	if (hull_digest_buf(HULL_SHA256, payload, plen, pd, err) < 0 ||
	    !(s64 = hull_b64_encode(sig, siglen)))
		return hull_err_set(err) ? -1 : hull_fail(err, ENOMEM, "sign");
	if (existing_layers(r, tag, &layers, &annotations, err) < 0)
		return hull_wrap(err, "read signatures (tag %s)", tag);
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		json_object *l = json_object_array_get_idx(layers, i), *a;
		const char *d = hull_json_get_str(l, "digest"), *s = NULL;
		if (json_object_object_get_ex(l, "annotations", &a))
			s = hull_json_get_str(a, HULL_COSIGN_SIG_ANNOTATION);
		if (d && s && !strcmp(d, pd) && !strcmp(s, s64))
			return 1;
	}
	if (hull_registry_put_blob(r, pd, payload, -1, plen, err) < 0)
		return hull_wrap(err, "upload the signature payload");
	layer = descriptor(HULL_COSIGN_SIMPLESIGNING_MT, pd, (int64_t)plen);
	ann = json_object_new_object();
	if (!layer || !ann) {
		json_object_put(layer);
		json_object_put(ann);
		return hull_fail(err, ENOMEM, "sign");
	}
	hull_json_add_str(ann, HULL_COSIGN_SIG_ANNOTATION, s64);
	hull_json_add(layer, "annotations", ann);
	json_object_array_add(layers, layer);
	cfg = cosign_config(layers);
	if (!cfg)
		return hull_fail(err, ENOMEM, "sign");
	if (put_json_blob(r, cfg, cd, &csize, err) < 0)
		return hull_wrap(err, "upload the signature config");
	m = json_object_new_object();
	if (!m)
		return hull_fail(err, ENOMEM, "sign");
	hull_json_add_int(m, "schemaVersion", 2);
	hull_json_add_str(m, "mediaType", HULL_MT_OCI_MANIFEST);
	hull_json_add(m, "config", descriptor(HULL_MT_OCI_CONFIG, cd, csize));
	hull_json_add(m, "layers", json_object_get(layers));
	if (annotations)
		hull_json_add(m, "annotations", json_object_get(annotations));
	text = hull_json_dump(m, false);
	if (!text)
		return hull_fail(err, ENOMEM, "sign");
	if (hull_registry_put_manifest(r, tag, text, strlen(text), HULL_MT_OCI_MANIFEST, err) < 0)
		return hull_wrap(err, "write signatures (tag %s)", tag);
	return 0;
}

/* --- bundles ------------------------------------------------------------------------------ */

/* The referrer index: the API's answer, else the fallback tag's index, else none. */
static int referrer_index(struct hull_registry *r, const char *digest, char **data, size_t *len,
			  bool *from_api, hull_err *err)
{
	char tag[HULL_COSIGN_TAG_MAX], md[HULL_DIGEST_MAX];
	_cleanup_free_ char *mt = NULL;
	hull_err e = HULL_ERR_INIT;
	*data = NULL;
	*from_api = false;
	if (hull_registry_get_referrers(r, digest, HULL_BUNDLE_MEDIA_TYPE, data, len, &e) == 0) {
		*from_api = true;
		return 0;
	}
	if (e.kind != HULL_ERR_NOTFOUND && e.kind != HULL_ERR_INVALID) {
		hull_err_move(err, &e);
		return -1;
	}
	hull_err_clear(&e);
	hull_cosign_tag(digest, "", tag);
	if (hull_registry_get_manifest(r, tag, data, len, &mt, md, &e) < 0) {
		if (e.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e);
			return 0;
		}
		hull_err_move(err, &e);
		return -1;
	}
	return 0;
}

static int fetch_bundle(struct hull_registry *r, const char *digest, const char *mdigest,
			struct hull_sigset *set, hull_err *err)
{
	_cleanup_free_ char *data = NULL, *mt = NULL, *blob = NULL, *src = NULL;
	_cleanup_json_ json_object *o = NULL;
	char got[HULL_DIGEST_MAX];
	size_t len, blen;
	json_object *layers, *l0, *subj, *sz;
	const char *ldg, *lmt, *sdg;
	hull_err e = HULL_ERR_INIT;
	src = hull_strdup_printf("referrer %s", mdigest);
	if (!src)
		return hull_fail(err, ENOMEM, "bundle");
	if (hull_registry_get_manifest(r, mdigest, &data, &len, &mt, got, &e) < 0 ||
	    hull_tjson_parse(data, len, "bundle manifest", &o, &e) < 0) {
		if (!content_error(&e)) {
			hull_err_move(err, &e);
			return -1;
		}
		goto problem;
	}
	if (!json_object_object_get_ex(o, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array) ||
	    json_object_array_length(layers) != 1 || !(l0 = json_object_array_get_idx(layers, 0)) ||
	    !(ldg = hull_json_get_str(l0, "digest")) || !hull_digest_valid(ldg) ||
	    !(lmt = hull_json_get_str(l0, "mediaType")) || strcmp(lmt, HULL_BUNDLE_MEDIA_TYPE) ||
	    !json_object_object_get_ex(l0, "size", &sz) || !json_object_is_type(sz, json_type_int)) {
		hull_failk(&e, HULL_ERR_INVALID, 0,
			   "expected one layer of type %s with a digest and size",
			   HULL_BUNDLE_MEDIA_TYPE);
		goto problem;
	}
	/* The referrer must say it is about this image (a referrer index can lie). */
	if (!json_object_object_get_ex(o, "subject", &subj) ||
	    !(sdg = hull_json_get_str(subj, "digest")) || strcmp(sdg, digest)) {
		hull_failk(&e, HULL_ERR_INVALID, 0, "its subject is not %s", digest);
		goto problem;
	}
	if (json_object_get_int64(sz) < 0 || json_object_get_int64(sz) > (int64_t)HULL_BUNDLE_MAX) {
		hull_failk(&e, HULL_ERR_LIMIT, 0, "bundle of %lld bytes is larger than %u",
			   (long long)json_object_get_int64(sz), HULL_BUNDLE_MAX);
		goto problem;
	}
	if (hull_registry_get_blob(r, ldg, HULL_BUNDLE_MAX, &blob, &blen, &e) < 0) {
		if (!content_error(&e)) {
			hull_err_move(err, &e);
			return -1;
		}
		goto problem;
	}
	return hull_sigset_add(set, HULL_SIG_BUNDLE, src, HULL_BUNDLE_MEDIA_TYPE, blob, blen, NULL,
			       0, NULL)
		   ? 0
		   : hull_fail(err, ENOMEM, "bundle");
problem:
	if (add_problem(set, HULL_SIG_BUNDLE, src, NULL, "%s", e.msg ? e.msg : "invalid") < 0) {
		hull_err_clear(&e);
		return hull_fail(err, ENOMEM, "bundle");
	}
	hull_err_clear(&e);
	return 0;
}

int hull_bundle_fetch(struct hull_registry *r, const char *digest, struct hull_sigset *set,
		      hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *o = NULL;
	json_object *ms;
	size_t len, used = 0;
	bool api;
	hull_err e = HULL_ERR_INIT;
	if (hull_digest_check(digest, "bundles", err) < 0)
		return -1;
	if (referrer_index(r, digest, &data, &len, &api, err) < 0)
		return hull_wrap(err, "bundles of %s", digest);
	if (!data)
		return 0;
	if (hull_tjson_parse(data, len, "referrers index", &o, &e) < 0 ||
	    !json_object_object_get_ex(o, "manifests", &ms) ||
	    !json_object_is_type(ms, json_type_array)) {
		int rc = add_problem(set, HULL_SIG_BUNDLE, "referrers index", NULL, "%s",
				     e.msg ? e.msg : "no .manifests array");
		hull_err_clear(&e);
		return rc < 0 ? hull_fail(err, ENOMEM, "bundles") : 0;
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i);
		const char *at = hull_json_get_str(d, "artifactType"),
			   *dg = hull_json_get_str(d, "digest");
		if (!at || strcmp(at, HULL_BUNDLE_MEDIA_TYPE) || !dg || !hull_digest_valid(dg))
			continue;
		if (used++ >= MAX_BUNDLES) {
			set->ignored++;
			continue;
		}
		if (fetch_bundle(r, digest, dg, set, err) < 0)
			return hull_wrap(err, "bundles of %s", digest);
	}
	return 0;
}

int hull_bundle_attach(struct hull_registry *r, const char *digest, const char *subject_mt,
		       int64_t subject_size, const char *bundle, size_t len,
		       char out[HULL_DIGEST_MAX], hull_err *err)
{
	_cleanup_json_ json_object *m = NULL, *idx = NULL;
	_cleanup_free_ char *text = NULL, *itext = NULL, *old = NULL;
	char bd[HULL_DIGEST_MAX], tag[HULL_COSIGN_TAG_MAX];
	json_object *cfg, *layers, *ms, *desc;
	size_t olen;
	bool api;
	if (hull_digest_buf(HULL_SHA256, bundle, len, bd, err) < 0 ||
	    hull_registry_put_blob(r, EMPTY_DIGEST, EMPTY_CONFIG, -1, 2, err) < 0 ||
	    hull_registry_put_blob(r, bd, bundle, -1, len, err) < 0)
		return hull_wrap(err, "attach bundle");
	m = json_object_new_object();
	cfg = descriptor(HULL_MT_OCI_EMPTY, EMPTY_DIGEST, 2);
	layers = json_object_new_array();
	if (!m || !cfg || !layers) {
		json_object_put(cfg);
		json_object_put(layers);
		return hull_fail(err, ENOMEM, "attach bundle");
	}
	json_object_array_add(layers, descriptor(HULL_BUNDLE_MEDIA_TYPE, bd, (int64_t)len));
	hull_json_add_int(m, "schemaVersion", 2);
	hull_json_add_str(m, "mediaType", HULL_MT_OCI_MANIFEST);
	hull_json_add_str(m, "artifactType", HULL_BUNDLE_MEDIA_TYPE);
	hull_json_add(m, "config", cfg);
	hull_json_add(m, "layers", layers);
	hull_json_add(m, "subject", descriptor(subject_mt, digest, subject_size));
	text = hull_json_dump(m, false);
	if (!text || hull_digest_buf(HULL_SHA256, text, strlen(text), out, err) < 0)
		return hull_err_set(err) ? -1 : hull_fail(err, ENOMEM, "attach bundle");
	if (hull_registry_put_manifest(r, out, text, strlen(text), HULL_MT_OCI_MANIFEST, err) < 0)
		return hull_wrap(err, "attach bundle");
	/* Registries with the referrers API index it themselves; the others need the fallback
	 * tag's index updated (read-modify-write, like the signature tag). */
	if (referrer_index(r, digest, &old, &olen, &api, err) < 0)
		return hull_wrap(err, "attach bundle");
	if (api)
		return 0;
	if (old) {
		if (hull_tjson_parse(old, olen, "referrers index", &idx, err) < 0 ||
		    !json_object_object_get_ex(idx, "manifests", &ms) ||
		    !json_object_is_type(ms, json_type_array)) {
			if (!hull_err_set(err))
				hull_failk(err, HULL_ERR_INVALID, 0,
					   "referrers index: no .manifests array");
			return hull_wrap(err, "attach bundle: fallback tag");
		}
	} else {
		idx = json_object_new_object();
		ms = json_object_new_array();
		if (!idx || !ms) {
			json_object_put(ms);
			return hull_fail(err, ENOMEM, "attach bundle");
		}
		hull_json_add_int(idx, "schemaVersion", 2);
		hull_json_add_str(idx, "mediaType", HULL_MT_OCI_INDEX);
		hull_json_add(idx, "manifests", ms);
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		const char *d = hull_json_get_str(json_object_array_get_idx(ms, i), "digest");
		if (d && !strcmp(d, out))
			return 0;
	}
	desc = descriptor(HULL_MT_OCI_MANIFEST, out, (int64_t)strlen(text));
	if (!desc)
		return hull_fail(err, ENOMEM, "attach bundle");
	hull_json_add_str(desc, "artifactType", HULL_BUNDLE_MEDIA_TYPE);
	json_object_array_add(ms, desc);
	itext = hull_json_dump(idx, false);
	if (!itext)
		return hull_fail(err, ENOMEM, "attach bundle");
	hull_cosign_tag(digest, "", tag);
	if (hull_registry_put_manifest(r, tag, itext, strlen(itext), HULL_MT_OCI_INDEX, err) < 0)
		return hull_wrap(err, "attach bundle: fallback tag %s", tag);
	return 0;
}
