/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registry pull: resolve the reference (mirrors first), negotiate the manifest (index ->
 * platform), fetch and verify the config, then stream every missing layer through the single
 * pass (download -> digest -> decompress -> DiffID -> extract), several layers at once. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/util.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/regconf.h"

void hull_pull_opts_default(struct hull_pull_opts *o)
{
	memset(o, 0, sizeof *o);
	o->reg.tls_verify = true;
	hull_unpack_opts_default(&o->unpack);
	o->parallel = 3;
}

/* ---------------- unpacking a stored blob ---------------- */

int hull_store_unpack_blob(struct hull_store *s, const char *blob_digest, const char *diff_id,
			   const struct hull_unpack_opts *uo, hull_err *err)
{
	struct hull_layer_writer lw;
	struct hull_fd_source fs = {0};
	struct hull_layer_stream ls = {.blob_size = -1, .blob_fd = -1, .diff_id = diff_id};
	_cleanup_close_ int fd = -1;
	int r = hull_store_layer_begin(s, diff_id, &lw, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	/* Verified when opened (stamp or full hash): the pass need not hash it again. */
	fd = hull_store_open_blob(s, blob_digest, NULL, err);
	if (fd < 0 || hull_fd_source_init(&fs, fd, &ls.src, err) < 0)
		goto fail;
	if (hull_layer_unpack(&ls, lw.dirfd, uo, err) < 0)
		goto fail;
	if (hull_store_layer_commit(s, &lw, &ls.report, err) < 0)
		goto fail;
	hull_fd_source_release(&fs);
	hull_unpack_report_free(&ls.report);
	return 0;
fail:
	hull_fd_source_release(&fs);
	hull_unpack_report_free(&ls.report);
	hull_store_layer_abort(s, &lw);
	return hull_wrap(err, "layer %s", blob_digest);
}

int hull_image_ensure_layers(struct hull_store *s, const struct hull_image *im,
			     const struct hull_unpack_opts *uo, hull_err *err)
{
	struct hull_manifest *m;
	struct hull_image_config *c;
	int rc = 0;
	if (hull_store_image_load(s, im, &m, &c, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n_layers && rc == 0; i++)
		if (!hull_store_has_layer(s, c->diff_ids[i]))
			rc =
			    hull_store_unpack_blob(s, m->layers[i].digest, c->diff_ids[i], uo, err);
	hull_manifest_free(m);
	hull_image_config_free(c);
	return rc;
}

/* ---------------- layer jobs ---------------- */

struct pull_ctx {
	struct hull_store *s;
	struct hull_registry *reg;
	const struct hull_pull_opts *o;
	const struct hull_manifest *m;
	const struct hull_image_config *cfg;
	atomic_size_t next;
	atomic_bool failed;
	pthread_mutex_t mu;
	hull_err err; /* the first failure */
	struct hull_progress prog;
};

/* Source: first the bytes an interrupted pull left in the partial file, then the registry from
 * that offset; what arrives from the network is appended to the partial file. */
struct net_src {
	struct pull_ctx *pc;
	const char *digest;
	int fd;
	uint64_t have, pos;
	int64_t size; /* the descriptor's, -1 when unknown */
	char *buf;
	struct hull_blob_stream *bs;
};

static void progress_add(struct pull_ctx *pc, uint64_t n, bool layer_done)
{
	if (!pc->o->progress)
		return;
	pthread_mutex_lock(&pc->mu);
	pc->prog.done += n;
	if (layer_done)
		pc->prog.layers_done++;
	pc->o->progress(pc->o->progress_ud, &pc->prog);
	pthread_mutex_unlock(&pc->mu);
}

static ssize_t net_read(void *ctx, const void **buf, hull_err *err)
{
	struct net_src *ns = ctx;
	ssize_t n;
	if (ns->pos < ns->have) {
		size_t want =
		    ns->have - ns->pos > (1u << 20) ? (1u << 20) : (size_t)(ns->have - ns->pos);
		n = pread(ns->fd, ns->buf, want, (off_t)ns->pos);
		if (n <= 0)
			return hull_fail(err, n < 0 ? errno : EIO, "read partial blob"), -1;
		ns->pos += (uint64_t)n;
		*buf = ns->buf;
		progress_add(ns->pc, (uint64_t)n, false);
		return n;
	}
	/* An interrupted pull may have left the whole blob (killed before the rename): there is
	 * nothing left to ask for, and a range starting at the end is unsatisfiable (416). */
	if (!ns->bs && ns->size >= 0 && ns->have >= (uint64_t)ns->size)
		return 0;
	if (!ns->bs && hull_blob_stream_open(ns->pc->reg, ns->digest, ns->have, &ns->bs, err) < 0)
		return -1;
	n = hull_blob_stream_read(ns->bs, buf, err);
	if (n > 0) {
		ssize_t w = hull_write_all(ns->fd, *buf, (size_t)n);
		if (w < 0)
			return hull_fail(err, (int)-w, "write blob to the store"), -1;
		progress_add(ns->pc, (uint64_t)n, false);
	}
	return n;
}

/* The blob is missing but the layer is unpacked already (shared with another image): fetch and
 * verify the blob only. */
static int fetch_blob_only(struct net_src *ns, int64_t size, hull_err *err)
{
	hull_hasher h;
	char got[HULL_DIGEST_MAX];
	if (hull_hasher_init(&h, hull_digest_algo_of(ns->digest), err) < 0)
		return -1;
	for (;;) {
		const void *buf;
		ssize_t n = net_read(ns, &buf, err);
		if (n < 0) {
			hull_hasher_free(&h);
			return -1;
		}
		if (n == 0)
			break;
		hull_hasher_update(&h, buf, (size_t)n);
		if (size >= 0 && h.bytes > (uint64_t)size) {
			hull_hasher_free(&h);
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "blob %s: larger than its descriptor", ns->digest);
		}
	}
	if (size >= 0 && h.bytes != (uint64_t)size) {
		hull_hasher_free(&h);
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: size mismatch", ns->digest);
	}
	hull_hasher_final(&h, got);
	hull_hasher_free(&h);
	if (strcmp(got, ns->digest))
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: digest mismatch: got %s",
				  ns->digest, got);
	return 0;
}

static int pull_layer(struct pull_ctx *pc, size_t i, hull_err *err)
{
	const struct hull_descriptor *d = &pc->m->layers[i];
	const char *diff_id = pc->cfg->diff_ids[i];
	struct hull_blob_writer bw;
	struct hull_layer_writer lw = {.dirfd = -1, .lockfd = -1};
	struct net_src ns = {.pc = pc, .digest = d->digest};
	struct hull_layer_stream ls = {
	    .blob_digest = d->digest, .blob_size = d->size, .blob_fd = -1, .diff_id = diff_id};
	int rb, rl, rc = -1;
	bool keep_partial = false;

	rb = hull_store_blob_begin(pc->s, d->digest, &bw, err);
	if (rb < 0)
		return -1;
	if (rb == 1) {
		/* Blob present (verified on open): at most the unpacked layer is missing. */
		progress_add(pc, (uint64_t)d->size, true);
		return hull_store_unpack_blob(pc->s, d->digest, diff_id, &pc->o->unpack, err);
	}
	ns.fd = bw.fd;
	ns.have = bw.have;
	ns.size = d->size;
	ns.buf = malloc(1u << 20);
	if (!ns.buf) {
		hull_fail(err, ENOMEM, "pull");
		goto out;
	}
	rl = hull_store_layer_begin(pc->s, diff_id, &lw, err);
	if (rl < 0)
		goto out;
	if (rl == 1) {
		if (fetch_blob_only(&ns, d->size, err) < 0) {
			keep_partial = err->code == ECOMM;
			goto out;
		}
	} else {
		ls.src.read = net_read;
		ls.src.ctx = &ns;
		if (hull_layer_unpack(&ls, lw.dirfd, &pc->o->unpack, err) < 0) {
			keep_partial = err->code == ECOMM;
			goto out;
		}
		if (ls.report.n_setid)
			hull_debug("layer %s: %llu setuid/setgid files (e.g. %s)", d->digest,
				   (unsigned long long)ls.report.n_setid,
				   ls.report.setid[0] ? ls.report.setid[0] : "?");
	}
	/* Blob first, then the layer: a layer never exists without its verified blob. */
	if (hull_store_blob_commit(pc->s, &bw, err) < 0)
		goto out;
	if (rl == 0 && hull_store_layer_commit(pc->s, &lw, &ls.report, err) < 0)
		goto out;
	progress_add(pc, 0, true);
	rc = 0;
out:
	if (rc < 0) {
		hull_store_layer_abort(pc->s, &lw);
		hull_store_blob_abort(pc->s, &bw, keep_partial);
		hull_wrap(err, "layer %zu of %zu", i + 1, pc->m->n_layers);
	}
	hull_blob_stream_close(ns.bs);
	free(ns.buf);
	hull_unpack_report_free(&ls.report);
	return rc;
}

static void *layer_worker(void *arg)
{
	struct pull_ctx *pc = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&pc->next, 1);
		hull_err e = HULL_ERR_INIT;
		if (i >= pc->m->n_layers || atomic_load(&pc->failed))
			break;
		if (pull_layer(pc, i, &e) < 0) {
			pthread_mutex_lock(&pc->mu);
			if (!hull_err_set(&pc->err))
				hull_err_move(&pc->err, &e);
			pthread_mutex_unlock(&pc->mu);
			atomic_store(&pc->failed, true);
		}
		hull_err_clear(&e);
	}
	return NULL;
}

static int pull_layers(struct pull_ctx *pc, hull_err *err)
{
	unsigned n = pc->o->parallel ? pc->o->parallel : 3;
	pthread_t th[16];
	unsigned started = 0;
	if (n > 16)
		n = 16;
	if (n > pc->m->n_layers)
		n = (unsigned)pc->m->n_layers;
	pthread_mutex_init(&pc->mu, NULL);
	for (size_t i = 0; i < pc->m->n_layers; i++)
		pc->prog.total += (uint64_t)pc->m->layers[i].size;
	pc->prog.layers_total = (unsigned)pc->m->n_layers;
	for (unsigned i = 1; i < n; i++)
		if (pthread_create(&th[started], NULL, layer_worker, pc) == 0)
			started++;
	layer_worker(pc);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&pc->mu);
	if (atomic_load(&pc->failed)) {
		hull_err_move(err, &pc->err);
		return -1;
	}
	return 0;
}

/* ---------------- manifest and config ---------------- */

/* Config media types of runnable images; artifacts (signatures, SBOMs) are refused here. */
static bool config_type_ok(const char *mt)
{
	return !strcmp(mt, HULL_MT_OCI_CONFIG) || !strcmp(mt, HULL_MT_DOCKER_CONFIG);
}

int hull_image_check_manifest(const struct hull_manifest *m, hull_err *err)
{
	if (m->kind != HULL_MANIFEST)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "expected an image manifest, got an index");
	if (!config_type_ok(m->config.media_type))
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "config media type \"%.100s\" is not a container image (an artifact?)",
		    m->config.media_type);
	if (m->config.size > (int64_t)HULL_CONFIG_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "image config of %lld bytes is too large",
				  (long long)m->config.size);
	for (size_t i = 0; i < m->n_layers; i++)
		if (!hull_media_type_is_layer(m->layers[i].media_type))
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "layer %zu: unsupported media type \"%.100s\"", i,
					  m->layers[i].media_type);
	return 0;
}

static int fetch_manifest(struct hull_registry *reg, const struct hull_ref *ref,
			  const struct hull_pull_opts *o, char **data, size_t *len, char **mt,
			  char digest[HULL_DIGEST_MAX], char index_digest[HULL_DIGEST_MAX],
			  struct hull_manifest **m, hull_err *err)
{
	const char *reference = ref->digest ? ref->digest : ref->tag;
	index_digest[0] = '\0';
	if (hull_registry_get_manifest(reg, reference, data, len, mt, digest, err) < 0)
		return -1;
	if (hull_manifest_parse(*data, *len, *mt, m, err) < 0)
		return hull_wrap(err, "%s", reference);
	if ((*m)->kind == HULL_INDEX) {
		const char *os = o->os, *arch = o->arch, *variant = o->variant;
		const char *nos, *narch, *nvariant;
		const struct hull_descriptor *d;
		_cleanup_free_ char *want = NULL;
		hull_native_platform(&nos, &narch, &nvariant);
		if (!os)
			os = nos;
		if (!arch) {
			arch = narch;
			variant = variant ? variant : nvariant;
		}
		d = hull_index_select(*m, os, arch, variant);
		if (!d) {
			hull_manifest_free(*m);
			*m = NULL;
			return hull_failk(err, HULL_ERR_NOTFOUND, 0,
					  "%s: no image for %s/%s%s%s in the index", reference, os,
					  arch, variant ? "/" : "", variant ? variant : "");
		}
		want = strdup(d->digest);
		strcpy(index_digest, digest);
		hull_manifest_free(*m);
		*m = NULL;
		free(*data);
		free(*mt);
		*data = *mt = NULL;
		if (!want)
			return hull_fail(err, ENOMEM, "pull");
		if (hull_registry_get_manifest(reg, want, data, len, mt, digest, err) < 0)
			return -1;
		if (hull_manifest_parse(*data, *len, *mt, m, err) < 0)
			return hull_wrap(err, "%s", want);
		if ((*m)->kind != HULL_MANIFEST) {
			hull_manifest_free(*m);
			*m = NULL;
			return hull_failk(err, HULL_ERR_INVALID, 0, "%s: an index inside an index",
					  want);
		}
	}
	return 0;
}

static int record_image(struct hull_store *s, const struct hull_ref *ref, const char *digest,
			const char *index_digest, const struct hull_manifest *m,
			const struct hull_image_config *cfg, struct hull_image *out, hull_err *err)
{
	struct hull_image im = {0};
	_cleanup_free_ char *repo = hull_ref_repo(ref), *name = NULL;
	char added[64];
	char *names[2] = {NULL, NULL};
	char *digests[3] = {NULL, NULL, NULL};
	int rc;
	hull_rfc3339_now(added, sizeof added);
	if (ref->tag)
		name = names[0] = hull_strdup_printf("%s/%s:%s", ref->domain, ref->path, ref->tag);
	digests[0] = hull_strdup_printf("%s@%s", repo, digest);
	if (index_digest && *index_digest)
		digests[1] = hull_strdup_printf("%s@%s", repo, index_digest);
	im.id = m->config.digest;
	im.manifest = (char *)digest;
	im.media_type = m->media_type;
	im.names = names;
	im.digests = digests;
	im.created = cfg->created;
	im.added = added;
	im.size = m->config.size;
	for (size_t i = 0; i < m->n_layers; i++)
		im.size += m->layers[i].size;
	rc = hull_store_image_add(s, &im, err);
	if (rc == 0 && out) {
		hull_err e = HULL_ERR_INIT;
		rc = hull_store_image_find(s, digest, out, &e) < 0 ? -1 : 0;
		if (rc < 0)
			hull_err_move(err, &e);
	}
	free(digests[0]);
	free(digests[1]);
	return rc;
}

static int pull_from(struct hull_store *s, const struct hull_ref *ref,
		     const struct hull_endpoint *ep, const struct hull_pull_opts *o,
		     struct hull_image *out, hull_err *err)
{
	struct hull_registry_opts ro = o->reg;
	struct hull_registry *reg = NULL;
	_cleanup_free_ char *data = NULL, *mt = NULL, *cdata = NULL;
	char digest[HULL_DIGEST_MAX], index_digest[HULL_DIGEST_MAX];
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	size_t len, clen;
	int rc = -1;

	ro.tls_verify = o->reg.tls_verify && !ep->insecure;
	if (hull_registry_open(ep->host, ep->repo, &ro, &reg, err) < 0)
		return -1;
	if (fetch_manifest(reg, ref, o, &data, &len, &mt, digest, index_digest, &m, err) < 0 ||
	    hull_image_check_manifest(m, err) < 0)
		goto out;
	/* Config: small, fetched whole, verified, parsed before any layer moves. */
	if (hull_store_has_blob(s, m->config.digest)) {
		if (hull_store_read_blob(s, m->config.digest, HULL_CONFIG_MAX_SIZE, &cdata, &clen,
					 err) < 0)
			goto out;
	} else if (hull_registry_get_blob(reg, m->config.digest, HULL_CONFIG_MAX_SIZE, &cdata,
					  &clen, err) < 0) {
		goto out;
	}
	if ((int64_t)clen != m->config.size) {
		hull_failk(err, HULL_ERR_INVALID, 0, "config %s: size %zu, descriptor says %lld",
			   m->config.digest, clen, (long long)m->config.size);
		goto out;
	}
	if (hull_image_config_parse(cdata, clen, &cfg, err) < 0)
		goto out;
	if (cfg->n_diff_ids != m->n_layers) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "manifest has %zu layers but the config %zu DiffIDs", m->n_layers,
			   cfg->n_diff_ids);
		goto out;
	}
	{
		struct pull_ctx pc = {.s = s, .reg = reg, .o = o, .m = m, .cfg = cfg};
		if (pull_layers(&pc, err) < 0)
			goto out;
	}
	if (hull_store_put_blob(s, m->config.digest, cdata, clen, err) < 0 ||
	    hull_store_put_blob(s, digest, data, len, err) < 0)
		goto out;
	rc = record_image(s, ref, digest, index_digest, m, cfg, out, err);
out:
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	hull_registry_close(reg);
	return rc;
}

int hull_image_pull(struct hull_store *s, const char *refstr, const struct hull_pull_opts *o,
		    struct hull_image *out, hull_err *err)
{
	struct hull_ref ref;
	struct hull_regconf *rc = NULL;
	struct hull_endpoints eps = {0};
	int r = -1;
	if (hull_ref_parse(refstr, &ref, err) < 0)
		return -1;
	if (hull_regconf_load(o->registries_conf, &rc, err) < 0 ||
	    hull_regconf_endpoints(rc, &ref, &eps, err) < 0)
		goto out;
	for (size_t i = 0; i < eps.n; i++) {
		hull_err e = HULL_ERR_INIT;
		r = pull_from(s, &ref, &eps.v[i], o, out, &e);
		if (r == 0) {
			hull_err_clear(err);
			break;
		}
		/* Mirrors are best effort; the error that counts is the primary's. */
		hull_err_move(err, &e);
		if (eps.v[i].mirror)
			hull_debug("mirror %s failed: %s", eps.v[i].host, err->msg);
	}
out:
	if (r < 0)
		hull_wrap(err, "pull %s", refstr);
	hull_endpoints_free(&eps);
	hull_regconf_free(rc);
	hull_ref_free(&ref);
	return r;
}

/* ---------------- push ---------------- */

int hull_image_push(struct hull_store *s, const char *what, const char *dest,
		    const struct hull_registry_opts *o, hull_err *err)
{
	struct hull_image im = {0};
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	struct hull_registry *reg = NULL;
	struct hull_ref ref = {0};
	_cleanup_free_ char *md = NULL;
	size_t ml;
	int rc = -1;

	if (hull_store_image_find(s, what, &im, err) < 0)
		return hull_wrap(err, "push");
	if (hull_ref_parse(dest ? dest : (im.names[0] ? im.names[0] : ""), &ref, err) < 0)
		goto out;
	if (hull_store_image_load(s, &im, &m, &cfg, err) < 0 ||
	    hull_store_read_blob(s, im.manifest, HULL_MANIFEST_MAX_SIZE, &md, &ml, err) < 0)
		goto out;
	if (hull_registry_open(hull_ref_registry_host(ref.domain), ref.path, o, &reg, err) < 0)
		goto out;
	/* Blobs first (each verified as it is read from the store), the manifest last: a
	 * registry never holds a manifest whose blobs are missing. */
	for (size_t i = 0; i <= m->n_layers; i++) {
		const char *d = i < m->n_layers ? m->layers[i].digest : m->config.digest;
		uint64_t size;
		_cleanup_close_ int fd = hull_store_open_blob(s, d, &size, err);
		if (fd < 0 || hull_registry_put_blob(reg, d, NULL, fd, size, err) < 0)
			goto out;
	}
	if (hull_registry_put_manifest(reg, ref.digest ? ref.digest : ref.tag, md, ml,
				       m->media_type, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		hull_wrap(err, "push %s", what);
	hull_registry_close(reg);
	hull_ref_free(&ref);
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	hull_image_clear(&im);
	return rc;
}
