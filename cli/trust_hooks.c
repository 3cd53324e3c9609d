/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `hull image pull`, `hull image import` and `hull launch` ask of the trust code: the
 * policy decision before anything is pulled, imported or run, the signature cache and
 * verification records they leave in the store, and the integrity check of every layer
 * before it is mounted. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/image_cli.h"
#include "cli/trust.h"
#include "core/cleanup.h"
#include "core/util.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/tree.h"
#include "trust/policy.h"
#include "trust/verify.h"

/* ---------------- layers ---------------- */

int trust_cli_layers_check(struct hull_store *s, const struct hull_manifest *m,
			   const struct hull_image_config *cfg, const struct hull_unpack_opts *uo,
			   bool verbose, hull_err *err)
{
	for (size_t i = 0; i < cfg->n_diff_ids; i++) {
		struct hull_tree_stats st;
		const char *d = cfg->diff_ids[i];
		if (hull_store_layer_verify(s, d, &st, err) == 0) {
			if (verbose)
				printf("layer %zu %s: intact (%llu entries, %llu re-read)\n", i + 1,
				       d, (unsigned long long)st.entries,
				       (unsigned long long)st.rehashed);
			continue;
		}
		if (err->kind != HULL_ERR_NOTFOUND || !hull_store_has_layer(s, d))
			return -1;
		/* Unpacked before integrity records existed: compare with its verified blob. */
		hull_err_clear(err);
		if (hull_store_layer_reseal(s, m->layers[i].digest, d, uo, err) < 0)
			return -1;
		if (verbose)
			printf("layer %zu %s: sealed now (matches its blob)\n", i + 1, d);
	}
	return 0;
}

int image_cli_integrity_check(struct hull_store *s, const struct hull_image *im,
			      const struct hull_manifest *m, const struct hull_image_config *cfg,
			      const struct hull_unpack_opts *uo, hull_err *err)
{
	if (trust_cli_layers_check(s, m, cfg, uo, false, err) < 0)
		return hull_wrap(err, "image %.19s: integrity check failed, refusing to run it "
				      "(remove the image and pull it again)",
				 im->id);
	return 0;
}

/* ---------------- pull ---------------- */

struct image_trust {
	struct hull_policy *p;
	struct hull_ref ref;
	struct hull_trust_result res;
};

void image_cli_trust_free(struct image_trust *t)
{
	if (!t)
		return;
	hull_policy_free(t->p);
	hull_ref_free(&t->ref);
	hull_trust_result_free(&t->res);
	free(t);
}

static void opts_from_pull(const struct hull_pull_opts *po, struct hull_trust_opts *o)
{
	memset(o, 0, sizeof *o);
	o->reg = po->reg;
	o->registries_conf = po->registries_conf;
}

int image_cli_trust_pull_begin(struct hull_store *s, const char *policy, const char *ref,
			       const struct hull_pull_opts *po, char **pull_ref,
			       struct image_trust **out, hull_err *err)
{
	struct image_trust *t;
	struct hull_trust_opts o;
	(void)s;
	*pull_ref = NULL;
	*out = NULL;
	t = calloc(1, sizeof *t);
	if (!t)
		return hull_fail(err, ENOMEM, "trust");
	if (hull_policy_load_default(policy, &t->p, err) < 0)
		goto fail;
	if (!t->p) {
		image_cli_trust_free(t);
		return 0; /* no policy on this machine: nothing to enforce */
	}
	opts_from_pull(po, &o);
	if (hull_ref_parse(ref, &t->ref, err) < 0)
		goto fail;
	{
		/* insecureAcceptAnything / reject decide without the registry (and mirrors keep
		 * working for pulls that need no signature). */
		struct hull_trust_subject subj = {.transport = "docker", .ref = &t->ref};
		if (!hull_reqs_need_signatures(hull_policy_requirements(t->p, &subj))) {
			if (hull_policy_eval(t->p, &subj, &t->res.sigs, NULL, &t->res.v, err) < 0)
				goto fail;
			if (!t->res.v.allowed) {
				hull_failk(err, HULL_ERR_REJECTED, 0,
					   "%s rejected by the trust policy: %s", ref,
					   t->res.v.reason);
				goto fail;
			}
			image_cli_trust_free(t);
			return 0;
		}
	}
	if (hull_trust_verify_registry(t->p, &t->ref, &o, &t->res, err) < 0)
		goto fail;
	if (!t->res.v.allowed) {
		hull_failk(err, HULL_ERR_REJECTED, 0, "%s@%s rejected by the trust policy: %s", ref,
			   t->res.digest, t->res.v.reason);
		goto fail;
	}
	/* Pull exactly what was verified, whatever the tag points to by now. */
	*pull_ref = t->ref.tag ? hull_strdup_printf("%s/%s:%s@%s", t->ref.domain, t->ref.path,
						    t->ref.tag, t->res.digest)
			       : hull_strdup_printf("%s/%s@%s", t->ref.domain, t->ref.path,
						    t->res.digest);
	if (!*pull_ref) {
		hull_fail(err, ENOMEM, "trust");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	image_cli_trust_free(t);
	return -1;
}

static int record(struct hull_store *s, const struct hull_image *im, const char *signed_digest,
		  const char *reference, const struct hull_policy *p, const struct hull_verdict *v,
		  hull_err *err)
{
	struct hull_trust_record r = {.manifest_digest = im->manifest,
				      .signed_digest = signed_digest,
				      .image_id = im->id,
				      .reference = reference,
				      .verified_by = v->verified_by,
				      .policy = p->source,
				      .scope = v->scope};
	/* Only a verified signature makes a record: insecureAcceptAnything admits, but it does
	 * not vouch for the image (admission's requireSignature needs the record). */
	if (!v->signed_by_policy) {
		hull_trust_record_remove(s, im->manifest);
		return 0;
	}
	return hull_trust_record_write(s, &r, err);
}

int image_cli_trust_pull_end(struct hull_store *s, struct image_trust *t,
			     const struct hull_image *im, hull_err *err)
{
	_cleanup_free_ char *name = NULL;
	if (!t)
		return 0;
	if (hull_trust_cache_save(s, t->res.digest, t->res.media_type, t->res.manifest,
				  t->res.manifest_len, &t->res.sigs, err) < 0)
		return hull_wrap(err, "save signatures");
	name = hull_ref_string(&t->ref);
	return record(s, im, t->res.digest, name, t->p, &t->res.v, err);
}

/* ---------------- import ---------------- */

int image_cli_trust_import(const char *policy, const char *source, hull_err *err)
{
	static const char *const transports[] = {"oci-archive", "oci", "docker-archive",
						 "tarball"};
	struct hull_policy *p = NULL;
	struct hull_trust_subject subj = {0};
	struct hull_verdict v = {0};
	struct hull_sigset none = {.loaded = (1u << HULL_SIG_KINDS) - 1};
	_cleanup_free_ char *path = NULL;
	char real[PATH_MAX], transport[32];
	const char *colon = strchr(source, ':');
	int rc = -1;
	if (hull_policy_load_default(policy, &p, err) < 0)
		return -1;
	if (!p)
		return 0;
	if (!colon || (size_t)(colon - source) >= sizeof transport) {
		hull_policy_free(p);
		return 0; /* hull_image_import names the bad source */
	}
	snprintf(transport, sizeof transport, "%.*s", (int)(colon - source), source);
	for (size_t i = 0; i < ARRAY_SIZE(transports) && !subj.transport; i++)
		if (!strcmp(transport, transports[i]))
			subj.transport = transports[i];
	path = strdup(colon + 1);
	if (!subj.transport || !path) {
		hull_policy_free(p);
		return subj.transport ? hull_fail(err, ENOMEM, "trust") : 0;
	}
	/* oci:DIR:TAG and oci-archive:PATH:TAG name a tag after the path. */
	if (!realpath(path, real)) {
		char *c = strrchr(path, ':');
		if (c)
			*c = '\0';
		if (!realpath(path, real))
			snprintf(real, sizeof real, "%s", path);
	}
	subj.scope_identity = real;
	/* hull reads no signatures from archives and layouts: a requirement that needs one
	 * rejects ("no signature exists"). */
	if (hull_policy_eval(p, &subj, &none, NULL, &v, err) < 0)
		goto out;
	if (!v.allowed) {
		hull_failk(err, HULL_ERR_REJECTED, 0, "%s rejected by the trust policy: %s", source,
			   v.reason);
		goto out;
	}
	rc = 0;
out:
	hull_verdict_free(&v);
	hull_policy_free(p);
	return rc;
}

/* ---------------- launch ---------------- */

/* The reference the image is launched as: what the user typed when it names this image,
 * else the image's first name. */
static int subject_ref(const char *typed, const struct hull_image *im, struct hull_ref *out)
{
	hull_err e = HULL_ERR_INIT;
	if (typed && hull_ref_parse(typed, out, &e) == 0) {
		_cleanup_free_ char *name = hull_ref_name(out), *repo = hull_ref_repo(out);
		for (char **n = im->names; name && n && *n; n++)
			if (!strcmp(*n, name))
				return 0;
		if (out->digest && repo) {
			if (!strcmp(out->digest, im->manifest))
				return 0;
			for (char **d = im->digests; d && *d; d++) {
				const char *at = strchr(*d, '@');
				if (at && !strcmp(at + 1, out->digest) &&
				    !strncmp(*d, repo, (size_t)(at - *d)) &&
				    strlen(repo) == (size_t)(at - *d))
					return 0;
			}
		}
		hull_ref_free(out);
	}
	hull_err_clear(&e);
	if (im->names && im->names[0] && hull_ref_parse(im->names[0], out, &e) == 0)
		return 0;
	hull_err_clear(&e);
	if (im->digests && im->digests[0] && hull_ref_parse(im->digests[0], out, &e) == 0)
		return 0;
	hull_err_clear(&e);
	return -1;
}

/* Does the index (bytes) list manifest? The chain from a signed index to what runs. */
static bool index_lists(const char *data, size_t len, const char *mt, const char *manifest)
{
	struct hull_manifest *idx = NULL;
	hull_err e = HULL_ERR_INIT;
	bool ok = false;
	if (hull_manifest_parse(data, len, mt && *mt ? mt : NULL, &idx, &e) == 0 &&
	    idx->kind == HULL_INDEX)
		for (size_t i = 0; i < idx->n_manifests && !ok; i++)
			ok = !strcmp(idx->manifests[i].digest, manifest);
	hull_err_clear(&e);
	hull_manifest_free(idx);
	return ok;
}

/* The signed manifest's bytes for digest d: the store (the image's own manifest), the cache,
 * or the registry. */
static int signed_bytes(struct hull_store *s, const struct hull_image *im, const char *d,
			const struct hull_ref *ref, const struct hull_trust_opts *o, char **data,
			size_t *len, char **mt, hull_err *err)
{
	struct hull_sigset tmp = {0};
	struct hull_registry *reg = NULL;
	char got[HULL_DIGEST_MAX];
	hull_err e = HULL_ERR_INIT;
	int rc;
	*data = *mt = NULL;
	if (!strcmp(d, im->manifest)) {
		*mt = strdup(im->media_type ? im->media_type : "");
		if (!*mt)
			return hull_fail(err, ENOMEM, "trust");
		return hull_store_read_blob(s, d, HULL_MANIFEST_MAX_SIZE, data, len, err);
	}
	if (hull_trust_cache_load(s, d, mt, data, len, &tmp, &e) == 0) {
		hull_sigset_free(&tmp);
		return 0;
	}
	hull_err_clear(&e);
	if (!ref)
		return hull_failk(err, HULL_ERR_NOTFOUND, 0, "manifest %s is not available", d);
	if (hull_trust_registry_open(ref, o, &reg, err) < 0)
		return -1;
	rc = hull_registry_get_manifest(reg, d, data, len, mt, got, err);
	hull_registry_close(reg);
	return rc;
}

int image_cli_trust_check(struct hull_store *s, const char *policy, const char *typed,
			  const struct hull_image *im, const struct hull_pull_opts *po,
			  char **verified_by, hull_err *err)
{
	struct hull_policy *p = NULL;
	struct hull_ref ref = {0};
	bool have_ref;
	struct hull_trust_opts o;
	_cleanup_strv_ char **cands = NULL;
	_cleanup_free_ char *repo = NULL, *refname = NULL;
	hull_buf reasons = {0};
	int rc = -1;

	*verified_by = NULL;
	if (hull_policy_load_default(policy, &p, err) < 0)
		return -1;
	if (!p)
		return 0;
	opts_from_pull(po, &o);
	have_ref = subject_ref(typed, im, &ref) == 0;
	repo = have_ref ? hull_ref_repo(&ref) : NULL;
	refname = have_ref ? hull_ref_string(&ref) : NULL;
	{
		/* No signature needed: decided here, without the cache or the registry. */
		struct hull_trust_subject subj = {.transport = "docker",
						  .ref = have_ref ? &ref : NULL,
						  .digest = im->manifest};
		if (!hull_reqs_need_signatures(hull_policy_requirements(p, &subj))) {
			struct hull_sigset none = {0};
			struct hull_verdict v = {0};
			if (hull_policy_eval(p, &subj, &none, NULL, &v, err) == 0) {
				if (v.allowed) {
					hull_trust_record_remove(s, im->manifest);
					rc = 0;
				} else {
					hull_failk(err, HULL_ERR_REJECTED, 0,
						   "image %s (%.19s) rejected by the trust policy: %s",
						   refname ? refname : im->id, im->id, v.reason);
				}
			}
			hull_verdict_free(&v);
			goto out;
		}
	}
	/* Candidates: the index this image came from (what a tag-based signature names), then
	 * the image's own manifest. */
	for (char **d = im->digests; d && *d; d++) {
		const char *at = strchr(*d, '@');
		if (at && repo && strlen(repo) == (size_t)(at - *d) &&
		    !strncmp(*d, repo, (size_t)(at - *d)) && strcmp(at + 1, im->manifest))
			hull_strv_push(&cands, at + 1);
	}
	if (hull_strv_push(&cands, im->manifest) < 0) {
		hull_fail(err, ENOMEM, "trust");
		goto out;
	}
	for (char **d = cands; *d; d++) {
		struct hull_sig_source src = {.store = s,
					      .use_cache = true,
					      .ref = have_ref ? &ref : NULL,
					      .digest = *d,
					      .o = &o};
		struct hull_sig_loader ld = {hull_sig_source_load, &src};
		struct hull_trust_subject subj = {.transport = "docker",
						  .ref = have_ref ? &ref : NULL,
						  .digest = *d};
		struct hull_sigset set = {0};
		struct hull_verdict v = {0};
		_cleanup_free_ char *data = NULL, *mt = NULL;
		size_t len = 0;
		int r;
		if (strcmp(*d, im->manifest)) {
			hull_err e = HULL_ERR_INIT;
			if (signed_bytes(s, im, *d, subj.ref, &o, &data, &len, &mt, &e) < 0 ||
			    !index_lists(data, len, mt, im->manifest)) {
				hull_err_clear(&e);
				continue;
			}
		}
		r = hull_policy_eval(p, &subj, &set, &ld, &v, err);
		if (r == 0 && src.fetched) {
			/* Keep what the registry said for the next launch (best effort). */
			hull_err e = HULL_ERR_INIT;
			if ((data || signed_bytes(s, im, *d, subj.ref, &o, &data, &len, &mt, &e) ==
					 0))
				hull_trust_cache_save(s, *d, mt, data, len, &set, &e);
			hull_err_clear(&e);
		}
		hull_sig_source_close(&src);
		hull_sigset_free(&set);
		if (r < 0) {
			hull_verdict_free(&v);
			goto out;
		}
		if (v.allowed) {
			if (record(s, im, *d, refname, p, &v, err) < 0) {
				hull_verdict_free(&v);
				goto out;
			}
			if (v.verified_by)
				*verified_by = hull_strdup_printf("%s %s: %s", p->source, v.scope,
								  v.verified_by);
			hull_verdict_free(&v);
			rc = 0;
			goto out;
		}
		hull_buf_printf(&reasons, "%s%s: %s", reasons.len ? "; " : "", *d, v.reason);
		hull_verdict_free(&v);
	}
	hull_trust_record_remove(s, im->manifest);
	hull_failk(err, HULL_ERR_REJECTED, 0, "image %s (%.19s) rejected by the trust policy: %s",
		   refname ? refname : im->id, im->id, reasons.data ? reasons.data : "rejected");
out:
	hull_buf_free(&reasons);
	if (have_ref)
		hull_ref_free(&ref);
	hull_policy_free(p);
	return rc;
}
