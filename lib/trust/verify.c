/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/manifest.h"
#include "image/regconf.h"
#include "trust/cosign.h"
#include "trust/key.h"
#include "trust/lookaside.h"
#include "trust/tjson.h"

#define CACHE_MAX (HULL_SIGSET_JSON_MAX + 2 * HULL_MANIFEST_MAX_SIZE)

void hull_trust_result_free(struct hull_trust_result *r)
{
	hull_verdict_free(&r->v);
	free(r->manifest);
	free(r->media_type);
	hull_sigset_free(&r->sigs);
	memset(r, 0, sizeof *r);
}

int hull_trust_registry_open(const struct hull_ref *ref, const struct hull_trust_opts *o,
			     struct hull_registry **out, hull_err *err)
{
	struct hull_regconf *rc = NULL;
	struct hull_endpoints eps = {0};
	struct hull_registry_opts ro = o->reg;
	const struct hull_endpoint *ep = NULL;
	int r = -1;
	*out = NULL;
	if (hull_regconf_load(o->registries_conf, &rc, err) < 0 ||
	    hull_regconf_endpoints(rc, ref, &eps, err) < 0)
		goto out;
	for (size_t i = 0; i < eps.n; i++)
		if (!eps.v[i].mirror)
			ep = &eps.v[i];
	if (!ep) {
		hull_failk(err, HULL_ERR_INVALID, 0, "no registry location for %s/%s", ref->domain,
			   ref->path);
		goto out;
	}
	ro.tls_verify = o->reg.tls_verify && !ep->insecure;
	r = hull_registry_open(ep->host, ep->repo, &ro, out, err);
out:
	hull_endpoints_free(&eps);
	hull_regconf_free(rc);
	return r;
}

/* ---------------- signature sources ---------------- */

static void merge(struct hull_sigset *dst, struct hull_sigset *src, int kind)
{
	/* Move src's entries of `kind` into dst (dst had none of them). */
	for (size_t i = 0; i < src->n; i++) {
		struct hull_sig *e = &src->v[i];
		if (e->kind != kind)
			continue;
		/* Out of memory loses the entry: a signature not considered, never one accepted. */
		hull_sigset_add(dst, e->kind, e->source, e->media_type, e->data, e->data_len, e->sig,
				e->sig_len, e->problem);
	}
}

static int read_cache(struct hull_sig_source *src, struct hull_sigset *set)
{
	struct hull_sigset cached = {0};
	_cleanup_free_ char *mt = NULL, *m = NULL;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	src->cache_read = true;
	if (!src->store || !src->use_cache)
		return 0;
	if (hull_trust_cache_load(src->store, src->digest, &mt, &m, &len, &cached, &e) < 0) {
		/* A damaged cache is ignored: the registry is asked again. */
		hull_err_clear(&e);
		return 0;
	}
	for (int k = 0; k < HULL_SIG_KINDS; k++)
		if ((cached.loaded & (1u << k)) && !(set->loaded & (1u << k))) {
			merge(set, &cached, k);
			set->loaded |= 1u << k;
		}
	set->other_attachments += cached.other_attachments;
	set->ignored += cached.ignored;
	hull_sigset_free(&cached);
	return 0;
}

static int regd(struct hull_sig_source *src, hull_err *err)
{
	if (src->regd_loaded)
		return 0;
	if (hull_regd_load(src->o->registries_d, &src->regd, err) < 0)
		return -1;
	src->regd_loaded = true;
	return 0;
}

int hull_sig_source_load(void *ctx, int kind, struct hull_sigset *set, hull_err *err)
{
	struct hull_sig_source *src = ctx;
	if (!src->cache_read && read_cache(src, set) < 0)
		return -1;
	if (set->loaded & (1u << kind))
		return 0;
	if (!src->ref)
		return 0; /* offline: nothing more to find */
	if (regd(src, err) < 0)
		return -1;
	if (kind == HULL_SIG_SIMPLE) {
		_cleanup_free_ char *def = NULL;
		const char *base = hull_regd_lookaside(src->regd, src->ref, false);
		if (!base && !(base = def = hull_lookaside_default()))
			return hull_fail(err, ENOMEM, "lookaside");
		if (hull_lookaside_fetch(base, src->ref->path, src->digest, src->o->reg.tls_verify,
					 set, err) < 0)
			return -1;
	} else {
		/* containers/image reads cosign signatures only where registries.d says
		 * use-sigstore-attachments; hull reads them unless it says false (they are
		 * verified like any other input, reading them weakens nothing). */
		if (!src->o->attachments_always &&
		    hull_regd_use_attachments(src->regd, src->ref) == 0)
			return 0;
		if (!src->reg && hull_trust_registry_open(src->ref, src->o, &src->reg, err) < 0)
			return -1;
		if (kind == HULL_SIG_SIGSTORE ? hull_cosign_fetch(src->reg, src->digest, set, err)
					      : hull_bundle_fetch(src->reg, src->digest, set, err))
			return -1;
	}
	src->fetched = true;
	return 0;
}

void hull_sig_source_close(struct hull_sig_source *src)
{
	hull_registry_close(src->reg);
	hull_regd_free(src->regd);
	src->reg = NULL;
	src->regd = NULL;
	src->regd_loaded = false;
}

int hull_trust_verify_registry(const struct hull_policy *p, const struct hull_ref *ref,
			       const struct hull_trust_opts *o, struct hull_trust_result *out,
			       hull_err *err)
{
	struct hull_sig_source src = {.use_cache = false, .ref = ref, .o = o};
	struct hull_sig_loader ld = {hull_sig_source_load, &src};
	struct hull_trust_subject subj = {.transport = "docker", .ref = ref};
	int rc;
	memset(out, 0, sizeof *out);
	if (hull_trust_registry_open(ref, o, &src.reg, err) < 0)
		return -1;
	/* The digest is computed here from the bytes (a Docker-Content-Digest header is not
	 * trusted); when the reference names a digest the client checks the bytes match it. */
	if (hull_registry_get_manifest(src.reg, ref->digest ? ref->digest : ref->tag,
				       &out->manifest, &out->manifest_len, &out->media_type,
				       out->digest, err) < 0) {
		hull_sig_source_close(&src);
		return hull_wrap(err, "resolve %s/%s", ref->domain, ref->path);
	}
	src.digest = out->digest;
	subj.digest = out->digest;
	rc = hull_policy_eval(p, &subj, &out->sigs, &ld, &out->v, err);
	hull_sig_source_close(&src);
	return rc;
}

/* ---------------- the store's trust directory ---------------- */

static int trust_dir(struct hull_store *s, const char *sub, const char *digest, hull_err *err)
{
	char rel[128];
	int fd;
	if (mkdirat(s->rootfd, "trust", 0700) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "storage trust/");
	snprintf(rel, sizeof rel, "trust/%s", sub);
	if (mkdirat(s->rootfd, rel, 0700) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "storage %s", rel);
	snprintf(rel, sizeof rel, "trust/%s/%.*s", sub, (int)(strchr(digest, ':') - digest),
		 digest);
	if (mkdirat(s->rootfd, rel, 0700) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "storage %s", rel);
	fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_fail(err, errno, "storage %s", rel);
	return fd;
}

static void trust_rel(const char *sub, const char *digest, char *out, size_t n)
{
	snprintf(out, n, "trust/%s/%.*s/%s.json", sub, (int)(strchr(digest, ':') - digest), digest,
		 hull_digest_hex(digest));
}

int hull_trust_cache_save(struct hull_store *s, const char *digest, const char *media_type,
			  const char *manifest, size_t len, const struct hull_sigset *set,
			  hull_err *err)
{
	_cleanup_json_ json_object *o = NULL, *sj = NULL;
	_cleanup_free_ char *sets = NULL, *m64 = NULL, *text = NULL, *name = NULL;
	_cleanup_close_ int dfd = -1;
	if (hull_digest_check(digest, "signature cache", err) < 0)
		return -1;
	sets = hull_sigset_to_json(set);
	m64 = hull_b64_encode(manifest, len);
	o = json_object_new_object();
	if (!sets || !m64 || !o)
		return hull_fail(err, ENOMEM, "signature cache");
	if (hull_json_parse(sets, strlen(sets), "signature set", &sj, err) < 0)
		return -1;
	hull_json_add_int(o, "version", 1);
	hull_json_add_str(o, "digest", digest);
	hull_json_add_str(o, "mediaType", media_type ? media_type : "");
	hull_json_add_str(o, "manifest", m64);
	hull_json_add(o, "signatures", json_object_get(sj));
	text = hull_json_dump(o, false);
	name = hull_strdup_printf("%s.json", hull_digest_hex(digest));
	if (!text || !name)
		return hull_fail(err, ENOMEM, "signature cache");
	dfd = trust_dir(s, "sigs", digest, err);
	if (dfd < 0)
		return -1;
	return hull_write_file_atomic(dfd, name, 0600, text, strlen(text), err);
}

int hull_trust_cache_load(struct hull_store *s, const char *digest, char **media_type,
			  char **manifest, size_t *len, struct hull_sigset *set, hull_err *err)
{
	static const char *const keys[] = {"version", "digest", "mediaType", "manifest",
					   "signatures", NULL};
	char rel[256], got[HULL_DIGEST_MAX];
	_cleanup_free_ char *data = NULL, *sets = NULL;
	_cleanup_json_ json_object *o = NULL;
	json_object *sj;
	const char *d, *mt, *m64;
	size_t dlen;
	unsigned char *m = NULL;
	*media_type = *manifest = NULL;
	memset(set, 0, sizeof *set);
	if (hull_digest_check(digest, "signature cache", err) < 0)
		return -1;
	trust_rel("sigs", digest, rel, sizeof rel);
	if (hull_read_file_at(s->rootfd, rel, O_NOFOLLOW, CACHE_MAX, &data, &dlen, err) < 0)
		return -1;
	if (hull_tjson_parse(data, dlen, rel, &o, err) < 0 ||
	    hull_tjson_fields(o, rel, keys, true, err) < 0 ||
	    !(d = hull_tjson_str(o, "digest", rel, err)) ||
	    !(mt = hull_tjson_str(o, "mediaType", rel, err)) ||
	    !(m64 = hull_tjson_str(o, "manifest", rel, err)))
		return -1;
	if (strcmp(d, digest))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: names %s", rel, d);
	if (hull_b64_decode(m64, strlen(m64), HULL_MANIFEST_MAX_SIZE, &m, len) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: .manifest is not base64", rel);
	if (hull_digest_buf(hull_digest_algo_of(digest), m, *len, got, err) < 0 ||
	    strcmp(got, digest)) {
		free(m);
		return hull_err_set(err) ? -1
					 : hull_failk(err, HULL_ERR_INVALID, 0,
						      "%s: the cached manifest is not %s", rel,
						      digest);
	}
	json_object_object_get_ex(o, "signatures", &sj);
	sets = hull_json_dump(sj, false);
	if (!sets || hull_sigset_from_json(sets, strlen(sets), set, err) < 0) {
		free(m);
		return hull_err_set(err) ? -1 : hull_fail(err, ENOMEM, "signature cache");
	}
	*manifest = (char *)m;
	*media_type = strdup(mt);
	if (!*media_type) {
		free(m);
		*manifest = NULL;
		hull_sigset_free(set);
		return hull_fail(err, ENOMEM, "signature cache");
	}
	return 0;
}

int hull_trust_record_write(struct hull_store *s, const struct hull_trust_record *r,
			    hull_err *err)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	_cleanup_free_ char *text = NULL, *name = NULL;
	_cleanup_close_ int dfd = -1;
	char now[64];
	if (!o)
		return hull_fail(err, ENOMEM, "trust record");
	if (hull_digest_check(r->manifest_digest, "trust record", err) < 0)
		return -1;
	hull_rfc3339_now(now, sizeof now);
	hull_json_add_int(o, "version", 1);
	hull_json_add_str(o, "manifestDigest", r->manifest_digest);
	hull_json_add_str(o, "signedDigest", r->signed_digest ? r->signed_digest : r->manifest_digest);
	if (r->image_id)
		hull_json_add_str(o, "imageId", r->image_id);
	if (r->reference)
		hull_json_add_str(o, "reference", r->reference);
	hull_json_add_str(o, "verifiedBy", r->verified_by ? r->verified_by : "");
	hull_json_add_str(o, "policy", r->policy ? r->policy : "");
	hull_json_add_str(o, "scope", r->scope ? r->scope : "");
	hull_json_add_str(o, "time", now);
	text = hull_json_dump(o, false);
	name = hull_strdup_printf("%s.json", hull_digest_hex(r->manifest_digest));
	if (!text || !name)
		return hull_fail(err, ENOMEM, "trust record");
	dfd = trust_dir(s, "verified", r->manifest_digest, err);
	if (dfd < 0)
		return -1;
	return hull_write_file_atomic(dfd, name, 0600, text, strlen(text), err);
}

void hull_trust_record_remove(struct hull_store *s, const char *manifest_digest)
{
	char rel[256];
	if (!hull_digest_valid(manifest_digest))
		return;
	trust_rel("verified", manifest_digest, rel, sizeof rel);
	unlinkat(s->rootfd, rel, 0);
}

char *hull_trust_record_read(struct hull_store *s, const char *manifest_digest)
{
	char rel[256];
	char *data = NULL;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	if (!hull_digest_valid(manifest_digest))
		return NULL;
	trust_rel("verified", manifest_digest, rel, sizeof rel);
	if (hull_read_file_at(s->rootfd, rel, O_NOFOLLOW, HULL_TRUST_RECORD_MAX, &data, &len, &e) <
	    0)
		data = NULL;
	hull_err_clear(&e);
	return data;
}
