/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import and export through files: OCI image layouts (directory or tar) and docker-archive.
 * Archives and layouts are untrusted like registries: every blob is hashed on its way into the
 * store, names inside a layout are resolved inside its directory, sizes are capped. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/archive_dl.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "core/json.h"
#include "core/path.h"
#include "core/util.h"
#include "image/image.h"
#include "image/manifest.h"
#include "image/ref.h"

#define SMALL_FILE_MAX	  (8u << 20) /* index.json, manifest.json, configs */
#define MAX_ARCHIVE_FILES 100000

/* ---------------- blob ingestion ---------------- */

/* Copy a blob from src into the store, hashing as it goes. expected may be NULL (docker-archive
 * names layers by path): the blob is then published under the digest it hashes to. */
static int ingest(struct hull_store *s, struct hull_byte_source *src, const char *expected,
		  int64_t expected_size, char out[HULL_DIGEST_MAX], uint64_t *size, hull_err *err)
{
	char tmpname[64], got[HULL_DIGEST_MAX];
	_cleanup_close_ int fd = -1;
	hull_hasher h;
	struct hull_blob_writer w;
	int r;
	snprintf(tmpname, sizeof tmpname, "tmp/ingest.%d.%lx", (int)getpid(),
		 (unsigned long)hull_now_ns());
	fd = openat(s->rootfd, tmpname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return hull_fail(err, errno, "create %s", tmpname);
	if (hull_hasher_init(&h, expected ? hull_digest_algo_of(expected) : HULL_SHA256, err) < 0)
		goto fail;
	for (;;) {
		const void *buf;
		ssize_t n = src->read(src->ctx, &buf, err), wr;
		if (n < 0)
			goto fail_h;
		if (n == 0)
			break;
		hull_hasher_update(&h, buf, (size_t)n);
		if (expected_size >= 0 && h.bytes > (uint64_t)expected_size) {
			hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: larger than %lld bytes",
				   expected ? expected : "", (long long)expected_size);
			goto fail_h;
		}
		wr = hull_write_all(fd, buf, (size_t)n);
		if (wr < 0) {
			hull_fail(err, (int)-wr, "write %s", tmpname);
			goto fail_h;
		}
	}
	*size = h.bytes;
	hull_hasher_final(&h, got);
	hull_hasher_free(&h);
	if (expected && strcmp(expected, got)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: digest mismatch: got %s", expected,
			   got);
		goto fail;
	}
	if (expected_size >= 0 && *size != (uint64_t)expected_size) {
		hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: size %llu, descriptor says %lld",
			   got, (unsigned long long)*size, (long long)expected_size);
		goto fail;
	}
	strcpy(out, got);
	/* Publish through the writer (its lock, its rename, its stamp). */
	r = hull_store_blob_begin(s, got, &w, err);
	if (r < 0)
		goto fail;
	if (r == 0) {
		close(w.fd);
		unlinkat(s->rootfd, w.tmp, 0);
		if (renameat(s->rootfd, tmpname, s->rootfd, w.tmp) < 0) {
			hull_fail(err, errno, "publish blob %s", got);
			w.fd = -1;
			hull_store_blob_abort(s, &w, false);
			goto fail;
		}
		w.fd = TAKE_FD(fd);
		if (hull_store_blob_commit(s, &w, err) < 0) {
			hull_store_blob_abort(s, &w, false);
			return -1;
		}
		return 0;
	}
	unlinkat(s->rootfd, tmpname, 0);
	return 0;
fail_h:
	hull_hasher_free(&h);
fail:
	unlinkat(s->rootfd, tmpname, 0);
	return -1;
}

static ssize_t archive_src_read(void *ctx, const void **buf, hull_err *err)
{
	struct archive *a = ctx;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(a, buf, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN)
		return hull_failk(err, HULL_ERR_INVALID, 0, "archive: %s",
				  archive_error_string(a) ? archive_error_string(a) : "read error"),
		       -1;
	return (ssize_t)len;
}

/* ---------------- selecting and recording ---------------- */

/* The name an imported image gets: NAME as given; a name without a registry is local
 * (localhost/NAME), like podman import. */
static char *import_name(const char *name, hull_err *err)
{
	struct hull_ref r;
	char *out;
	if (hull_ref_parse(name, &r, err) < 0)
		return NULL;
	if (r.digest) {
		hull_ref_free(&r);
		hull_failk(err, HULL_ERR_INVALID, 0, "image name \"%s\" cannot be a digest", name);
		return NULL;
	}
	if (!r.had_domain)
		out = hull_strdup_printf(
		    "localhost/%s:%s",
		    hull_str_has_prefix(r.path, "library/") ? r.path + 8 : r.path, r.tag);
	else
		out = hull_ref_name(&r);
	hull_ref_free(&r);
	if (!out)
		hull_fail(err, ENOMEM, "import");
	return out;
}

/* Store-side finish of every import: the manifest (already a verified blob) is checked, its
 * config parsed, layers unpacked from their blobs, and the image recorded. */
static int finish_import(struct hull_store *s, const char *manifest_digest, const char *media_type,
			 const char *name, const struct hull_unpack_opts *uo,
			 struct hull_image *out, hull_err *err)
{
	_cleanup_free_ char *md = NULL, *cd = NULL;
	size_t ml, cl;
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	struct hull_image im = {0};
	char *names[2] = {(char *)name, NULL}, *digests[2] = {NULL, NULL};
	char added[64];
	int rc = -1;
	_cleanup_free_ char *repo_digest = NULL;

	if (hull_store_read_blob(s, manifest_digest, HULL_MANIFEST_MAX_SIZE, &md, &ml, err) < 0 ||
	    hull_manifest_parse(md, ml, media_type, &m, err) < 0 ||
	    hull_image_check_manifest(m, err) < 0)
		goto out;
	if (hull_store_read_blob(s, m->config.digest, HULL_CONFIG_MAX_SIZE, &cd, &cl, err) < 0)
		goto out;
	if ((int64_t)cl != m->config.size) {
		hull_failk(err, HULL_ERR_INVALID, 0, "config %s: size mismatch", m->config.digest);
		goto out;
	}
	if (hull_image_config_parse(cd, cl, &cfg, err) < 0)
		goto out;
	if (cfg->n_diff_ids != m->n_layers) {
		hull_failk(err, HULL_ERR_INVALID, 0, "manifest has %zu layers, config %zu DiffIDs",
			   m->n_layers, cfg->n_diff_ids);
		goto out;
	}
	for (size_t i = 0; i < m->n_layers; i++) {
		uint64_t size;
		_cleanup_close_ int fd = hull_store_open_blob(s, m->layers[i].digest, &size, err);
		if (fd < 0)
			goto out;
		if ((int64_t)size != m->layers[i].size) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "layer %s: size %llu, descriptor says %lld", m->layers[i].digest,
				   (unsigned long long)size, (long long)m->layers[i].size);
			goto out;
		}
		if (hull_store_unpack_blob(s, m->layers[i].digest, cfg->diff_ids[i], uo, err) < 0)
			goto out;
	}
	hull_rfc3339_now(added, sizeof added);
	if (name) {
		const char *colon = strrchr(name, ':');
		repo_digest =
		    hull_strdup_printf("%.*s@%s", (int)(colon - name), name, manifest_digest);
		digests[0] = repo_digest;
	}
	im.id = m->config.digest;
	im.manifest = (char *)manifest_digest;
	im.media_type = m->media_type;
	im.names = name ? names : names + 1;
	im.digests = digests;
	im.created = cfg->created;
	im.added = added;
	im.size = m->config.size;
	for (size_t i = 0; i < m->n_layers; i++)
		im.size += m->layers[i].size;
	if (hull_store_image_add(s, &im, err) < 0)
		goto out;
	rc = out ? hull_store_image_find(s, manifest_digest, out, err) : 0;
out:
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	return rc;
}

/* Pick the image manifest of an OCI layout's index.json: by ref.name annotation (TAG, or a full
 * name ending in :TAG), else the only entry; nested indexes select this machine's platform. */
static int select_from_index(struct hull_store *s, const char *index_json, size_t len,
			     const char *tag, char digest[HULL_DIGEST_MAX], char **media_type,
			     char **ref_name, hull_err *err)
{
	struct hull_manifest *idx = NULL;
	const struct hull_descriptor *d = NULL;
	int rc = -1;
	*media_type = *ref_name = NULL;
	if (hull_manifest_parse(index_json, len, HULL_MT_OCI_INDEX, &idx, err) < 0)
		return hull_wrap(err, "index.json");
	if (idx->kind != HULL_INDEX) {
		hull_failk(err, HULL_ERR_INVALID, 0, "index.json is not an image index");
		goto out;
	}
	for (size_t i = 0; i < idx->n_manifests; i++) {
		const char *rn = idx->manifests[i].ref_name;
		if (!tag) {
			if (idx->n_manifests == 1)
				d = &idx->manifests[i];
			break;
		}
		if (rn && (!strcmp(rn, tag) ||
			   (hull_str_has_suffix(rn, tag) && strlen(rn) > strlen(tag) &&
			    rn[strlen(rn) - strlen(tag) - 1] == ':'))) {
			d = &idx->manifests[i];
			break;
		}
	}
	if (!d) {
		if (tag)
			hull_failk(err, HULL_ERR_NOTFOUND, 0, "no image named \"%s\" in index.json",
				   tag);
		else
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "index.json lists %zu images: name one (SOURCE:TAG)",
				   idx->n_manifests);
		goto out;
	}
	if (d->ref_name && !(*ref_name = strdup(d->ref_name)))
		goto oom;
	if (hull_media_type_is_index(d->media_type)) {
		/* A multi-platform image: its index is a blob of the layout. */
		_cleanup_free_ char *data = NULL;
		size_t dl;
		struct hull_manifest *sub = NULL;
		const struct hull_descriptor *p;
		const char *os, *arch, *variant;
		hull_native_platform(&os, &arch, &variant);
		if (hull_store_read_blob(s, d->digest, HULL_MANIFEST_MAX_SIZE, &data, &dl, err) <
			0 ||
		    hull_manifest_parse(data, dl, d->media_type, &sub, err) < 0)
			goto out;
		p = sub->kind == HULL_INDEX ? hull_index_select(sub, os, arch, variant) : NULL;
		if (!p) {
			hull_manifest_free(sub);
			hull_failk(err, HULL_ERR_NOTFOUND, 0, "no image for %s/%s in the layout",
				   os, arch);
			goto out;
		}
		snprintf(digest, HULL_DIGEST_MAX, "%s", p->digest);
		*media_type = strdup(p->media_type);
		hull_manifest_free(sub);
	} else {
		snprintf(digest, HULL_DIGEST_MAX, "%s", d->digest);
		*media_type = strdup(d->media_type);
	}
	if (!*media_type)
		goto oom;
	rc = 0;
	goto out;
oom:
	hull_fail(err, ENOMEM, "import");
out:
	hull_manifest_free(idx);
	return rc;
}

/* Name from a layout's ref.name annotation when it is a full reference ("host/repo:tag"). */
static char *name_from_annotation(const char *rn)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	char *out = NULL;
	if (!rn || !strchr(rn, '/') || hull_ref_parse(rn, &r, &e) < 0) {
		hull_err_clear(&e);
		return NULL;
	}
	if (!r.digest)
		out = hull_ref_name(&r);
	hull_ref_free(&r);
	return out;
}

/* "oci-archive:/x/y.tar:tag" -> path and tag. Like containers/image, the path ends at the
 * first ':' (the reference after it may hold more, "localhost/x:1"). */
static int split_transport(const char *src, const char *prefix, char **path, char **tag,
			   hull_err *err)
{
	const char *rest = src + strlen(prefix), *colon = strchr(rest, ':');
	*tag = NULL;
	if (!*rest || colon == rest)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: missing path", src);
	if (colon && colon[1]) {
		*path = strndup(rest, (size_t)(colon - rest));
		*tag = strdup(colon + 1);
	} else {
		*path = colon ? strndup(rest, (size_t)(colon - rest)) : strdup(rest);
	}
	return *path ? 0 : hull_fail(err, ENOMEM, "import");
}

/* ---------------- oci-archive and docker-archive ---------------- */

struct small_file {
	char *name;
	char *data;
	size_t len;
};

struct archive_import {
	struct small_file files[64];
	size_t n_files;
	/* docker-archive: layer paths -> digests */
	char **paths, **digests;
	int64_t *sizes;
	size_t n, cap;
};

static void archive_import_free(struct archive_import *ai)
{
	for (size_t i = 0; i < ai->n_files; i++) {
		free(ai->files[i].name);
		free(ai->files[i].data);
	}
	for (size_t i = 0; i < ai->n; i++) {
		free(ai->paths[i]);
		free(ai->digests[i]);
	}
	free(ai->paths);
	free(ai->digests);
	free(ai->sizes);
}

static const struct small_file *find_file(const struct archive_import *ai, const char *name)
{
	for (size_t i = 0; i < ai->n_files; i++)
		if (!strcmp(ai->files[i].name, name))
			return &ai->files[i];
	return NULL;
}

static const char *find_blob_path(const struct archive_import *ai, const char *path, int64_t *size)
{
	for (size_t i = 0; i < ai->n; i++)
		if (!strcmp(ai->paths[i], path)) {
			*size = ai->sizes[i];
			return ai->digests[i];
		}
	return NULL;
}

static char *clean_member(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	return strdup(name);
}

/* One pass over the tar: small JSON files are kept, blobs/<alg>/<hex> go into the store
 * (verified against their names), other large files (docker layers) are stored under the
 * digest they hash to. */
static int read_archive(struct hull_store *s, const char *path, bool docker,
			struct archive_import *ai, hull_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	_cleanup_close_ int fd = -1;
	size_t count = 0;
	int rc = -1;
	if (!a)
		return hull_fail(err, ENOMEM, "archive");
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "open %s", path);
		goto out;
	}
	if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	for (;;) {
		int h = archive_read_next_header(a, &e);
		_cleanup_free_ char *name = NULL;
		int64_t size;
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", path,
				   archive_error_string(a));
			goto out;
		}
		if (++count > MAX_ARCHIVE_FILES) {
			hull_failk(err, HULL_ERR_LIMIT, 0, "%s: more than %d entries", path,
				   MAX_ARCHIVE_FILES);
			goto out;
		}
		if (archive_entry_filetype(e) != AE_IFREG || !archive_entry_pathname(e))
			continue;
		name = clean_member(archive_entry_pathname(e));
		if (!name) {
			hull_fail(err, ENOMEM, "archive");
			goto out;
		}
		size = archive_entry_size(e);
		if (hull_str_has_prefix(name, "blobs/") && strchr(name + 6, '/')) {
			char dg[HULL_DIGEST_MAX + 8], out_d[HULL_DIGEST_MAX];
			const char *alg = name + 6, *hex = strchr(alg, '/') + 1;
			struct hull_byte_source src = {archive_src_read, a};
			uint64_t got;
			snprintf(dg, sizeof dg, "%.*s:%s", (int)(hex - alg - 1), alg, hex);
			if (!hull_digest_valid(dg)) {
				hull_failk(err, HULL_ERR_INVALID, 0,
					   "%s: member \"%.200s\" is not a blob name", path, name);
				goto out;
			}
			if (hull_store_has_blob(s, dg))
				continue;
			if (ingest(s, &src, dg, size, out_d, &got, err) < 0) {
				hull_wrap(err, "%s", path);
				goto out;
			}
			if (docker)
				goto remember;
			continue;
		}
		if (hull_str_has_suffix(name, ".json") || !strcmp(name, "oci-layout") ||
		    !strcmp(name, "repositories")) {
			struct small_file *f;
			if (size < 0 || size > (int64_t)SMALL_FILE_MAX) {
				hull_failk(err, HULL_ERR_LIMIT, 0, "%s: %s larger than %u bytes",
					   path, name, SMALL_FILE_MAX);
				goto out;
			}
			if (ai->n_files >= ARRAY_SIZE(ai->files) || find_file(ai, name))
				continue;
			f = &ai->files[ai->n_files];
			f->data = malloc((size_t)size + 1);
			if (!f->data) {
				hull_fail(err, ENOMEM, "archive");
				goto out;
			}
			if (archive_read_data(a, f->data, (size_t)size) != size) {
				free(f->data);
				hull_failk(err, HULL_ERR_INVALID, 0, "%s: short read of %s", path,
					   name);
				goto out;
			}
			f->data[size] = '\0';
			f->len = (size_t)size;
			f->name = TAKE_PTR(name);
			ai->n_files++;
			continue;
		}
		if (docker) {
			char out_d[HULL_DIGEST_MAX];
			struct hull_byte_source src = {archive_src_read, a};
			uint64_t got;
			if (ingest(s, &src, NULL, -1, out_d, &got, err) < 0) {
				hull_wrap(err, "%s: %s", path, name);
				goto out;
			}
			(void)got;
			{
				char dg[HULL_DIGEST_MAX];
				strcpy(dg, out_d);
			remember:
				if (ai->n == ai->cap) {
					size_t cap = ai->cap ? ai->cap * 2 : 16;
					char **p = realloc(ai->paths, cap * sizeof *p);
					char **d = p ? realloc(ai->digests, cap * sizeof *d) : NULL;
					int64_t *z = d ? realloc(ai->sizes, cap * sizeof *z) : NULL;
					if (p)
						ai->paths = p;
					if (d)
						ai->digests = d;
					if (z)
						ai->sizes = z;
					if (!z) {
						hull_fail(err, ENOMEM, "archive");
						goto out;
					}
					ai->cap = cap;
				}
				if (hull_str_has_prefix(name, "blobs/")) {
					const char *alg = name + 6, *hex = strchr(alg, '/') + 1;
					snprintf(dg, sizeof dg, "%.*s:%s", (int)(hex - alg - 1),
						 alg, hex);
				}
				ai->paths[ai->n] = TAKE_PTR(name);
				ai->digests[ai->n] = strdup(dg);
				ai->sizes[ai->n] = size;
				ai->n++;
			}
		}
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

static int import_oci_archive(struct hull_store *s, const char *src, const char *name,
			      const struct hull_unpack_opts *uo, struct hull_image *out,
			      hull_err *err)
{
	_cleanup_free_ char *path = NULL, *tag = NULL, *mt = NULL, *rn = NULL, *final = NULL;
	struct archive_import ai = {0};
	const struct small_file *idx;
	char digest[HULL_DIGEST_MAX];
	int rc = -1;
	if (split_transport(src, "oci-archive:", &path, &tag, err) < 0)
		return -1;
	if (read_archive(s, path, false, &ai, err) < 0)
		goto out;
	if (!find_file(&ai, "oci-layout")) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: no oci-layout file: not an OCI archive",
			   path);
		goto out;
	}
	idx = find_file(&ai, "index.json");
	if (!idx) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: no index.json", path);
		goto out;
	}
	if (select_from_index(s, idx->data, idx->len, tag, digest, &mt, &rn, err) < 0)
		goto out;
	final = name ? import_name(name, err) : name_from_annotation(rn);
	if (name && !final)
		goto out;
	rc = finish_import(s, digest, mt, final, uo, out, err);
out:
	archive_import_free(&ai);
	return rc;
}

static const char *layer_media_type(struct hull_store *s, const char *digest)
{
	unsigned char magic[4] = {0};
	_cleanup_close_ int fd = hull_store_open_blob(s, digest, NULL, NULL);
	if (fd >= 0 && read(fd, magic, 4) == 4) {
		if (magic[0] == 0x1f && magic[1] == 0x8b)
			return HULL_MT_OCI_LAYER_GZ;
		if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
			return HULL_MT_OCI_LAYER_ZST;
	}
	return HULL_MT_OCI_LAYER;
}

/* docker save: manifest.json [{"Config": "x.json", "RepoTags": [...], "Layers": [...]}]. hull
 * builds the OCI manifest for it (the config stays byte for byte, so the image id is the same
 * as docker's and podman's). */
static int import_docker_archive(struct hull_store *s, const char *src, const char *name,
				 const struct hull_unpack_opts *uo, struct hull_image *out,
				 hull_err *err)
{
	_cleanup_free_ char *path = NULL, *tag = NULL, *final = NULL, *mtext = NULL;
	_cleanup_json_ json_object *mj = NULL;
	struct archive_import ai = {0};
	const struct small_file *mf, *cf;
	json_object *entry, *layers, *tags;
	const char *cfgname;
	char cdigest[HULL_DIGEST_MAX], mdigest[HULL_DIGEST_MAX];
	json_object *man = NULL, *ld;
	int rc = -1;
	if (split_transport(src, "docker-archive:", &path, &tag, err) < 0)
		return -1;
	free(path);
	path = strdup(src + strlen("docker-archive:"));
	if (!path || read_archive(s, path, true, &ai, err) < 0)
		goto out;
	mf = find_file(&ai, "manifest.json");
	if (!mf) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: no manifest.json: not a docker archive",
			   path);
		goto out;
	}
	if (hull_json_parse(mf->data, mf->len, "manifest.json", &mj, err) < 0)
		goto out;
	if (!json_object_is_type(mj, json_type_array) || json_object_array_length(mj) < 1) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "%s: manifest.json: expected a non-empty array", path);
		goto out;
	}
	if (json_object_array_length(mj) > 1 && !name)
		hull_debug("%s holds %zu images; importing the first", path,
			   json_object_array_length(mj));
	entry = json_object_array_get_idx(mj, 0);
	cfgname = hull_json_get_str(entry, "Config");
	if (!cfgname || !json_object_object_get_ex(entry, "Layers", &layers) ||
	    !json_object_is_type(layers, json_type_array) ||
	    json_object_array_length(layers) > HULL_MAX_LAYERS) {
		hull_failk(err, HULL_ERR_INVALID, 0,
			   "%s: manifest.json: Config and Layers are required", path);
		goto out;
	}
	{
		_cleanup_free_ char *cn = clean_member(cfgname);
		cf = cn ? find_file(&ai, cn) : NULL;
	}
	if (!cf) {
		int64_t sz;
		_cleanup_free_ char *cn = clean_member(cfgname);
		const char *d = cn ? find_blob_path(&ai, cn, &sz) : NULL;
		if (!d) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s: config %.200s missing", path,
				   cfgname);
			goto out;
		}
		snprintf(cdigest, sizeof cdigest, "%s", d);
	} else if (hull_digest_buf(HULL_SHA256, cf->data, cf->len, cdigest, err) < 0 ||
		   hull_store_put_blob(s, cdigest, cf->data, cf->len, err) < 0) {
		goto out;
	}
	man = json_object_new_object();
	hull_json_add_int(man, "schemaVersion", 2);
	hull_json_add_str(man, "mediaType", HULL_MT_OCI_MANIFEST);
	{
		json_object *c = json_object_new_object();
		uint64_t csize = 0;
		_cleanup_close_ int cfd = hull_store_open_blob(s, cdigest, &csize, err);
		if (cfd < 0)
			goto out;
		hull_json_add_str(c, "mediaType", HULL_MT_OCI_CONFIG);
		hull_json_add_str(c, "digest", cdigest);
		hull_json_add_int(c, "size", (int64_t)csize);
		hull_json_add(man, "config", c);
	}
	ld = json_object_new_array();
	hull_json_add(man, "layers", ld);
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		const char *lp = json_object_get_string(json_object_array_get_idx(layers, i));
		_cleanup_free_ char *cl = lp ? clean_member(lp) : NULL;
		int64_t sz = -1;
		const char *d = cl ? find_blob_path(&ai, cl, &sz) : NULL;
		json_object *l;
		if (!d) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s: layer %.200s missing", path,
				   lp ? lp : "?");
			goto out;
		}
		l = json_object_new_object();
		hull_json_add_str(l, "mediaType", layer_media_type(s, d));
		hull_json_add_str(l, "digest", d);
		hull_json_add_int(l, "size", sz);
		json_object_array_add(ld, l);
	}
	mtext = hull_json_dump(man, false);
	if (!mtext || hull_digest_buf(HULL_SHA256, mtext, strlen(mtext), mdigest, err) < 0 ||
	    hull_store_put_blob(s, mdigest, mtext, strlen(mtext), err) < 0) {
		if (!hull_err_set(err))
			hull_fail(err, ENOMEM, "import");
		goto out;
	}
	if (name) {
		final = import_name(name, err);
		if (!final)
			goto out;
	} else if (json_object_object_get_ex(entry, "RepoTags", &tags) &&
		   json_object_is_type(tags, json_type_array) &&
		   json_object_array_length(tags) > 0) {
		const char *t = json_object_get_string(json_object_array_get_idx(tags, 0));
		hull_err e = HULL_ERR_INIT;
		if (t)
			final = import_name(t, &e);
		hull_err_clear(&e);
	}
	rc = finish_import(s, mdigest, HULL_MT_OCI_MANIFEST, final, uo, out, err);
out:
	if (man)
		json_object_put(man);
	archive_import_free(&ai);
	return rc;
}

/* ---------------- oci: directory layouts ---------------- */

static int import_oci_dir(struct hull_store *s, const char *src, const char *name,
			  const struct hull_unpack_opts *uo, struct hull_image *out, hull_err *err)
{
	_cleanup_free_ char *path = NULL, *tag = NULL, *idx = NULL, *mt = NULL, *rn = NULL,
			    *final = NULL;
	_cleanup_close_ int dfd = -1;
	size_t il;
	char digest[HULL_DIGEST_MAX];
	if (split_transport(src, "oci:", &path, &tag, err) < 0)
		return -1;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "open %s",
				  path);
	{
		_cleanup_close_ int ifd = hull_open_in_root(dfd, "index.json", O_RDONLY, 0, 0, err);
		if (ifd < 0 || hull_read_fd(ifd, SMALL_FILE_MAX, &idx, &il, err) < 0)
			return hull_wrap(err, "%s", path);
	}
	/* Copy the blobs the chosen image needs: its index (if any), manifest, config, layers. */
	{
		struct hull_manifest *top = NULL;
		if (hull_manifest_parse(idx, il, HULL_MT_OCI_INDEX, &top, err) < 0)
			return hull_wrap(err, "%s/index.json", path);
		for (size_t i = 0; i < top->n_manifests; i++) {
			const char *d = top->manifests[i].digest;
			char rel[HULL_DIGEST_MAX + 16], got[HULL_DIGEST_MAX];
			uint64_t sz;
			_cleanup_close_ int bfd = -1;
			struct hull_fd_source fs = {0};
			struct hull_byte_source bs;
			if (hull_store_has_blob(s, d))
				continue;
			snprintf(rel, sizeof rel, "blobs/%.*s/%s", (int)(strchr(d, ':') - d), d,
				 hull_digest_hex(d));
			bfd = hull_open_in_root(dfd, rel, O_RDONLY, 0, 0, err);
			if (bfd < 0 || hull_fd_source_init(&fs, bfd, &bs, err) < 0 ||
			    ingest(s, &bs, d, top->manifests[i].size, got, &sz, err) < 0) {
				hull_fd_source_release(&fs);
				hull_manifest_free(top);
				return hull_wrap(err, "%s", path);
			}
			hull_fd_source_release(&fs);
		}
		hull_manifest_free(top);
	}
	if (select_from_index(s, idx, il, tag, digest, &mt, &rn, err) < 0)
		return hull_wrap(err, "%s", path);
	{
		_cleanup_free_ char *md = NULL;
		size_t ml;
		struct hull_manifest *m = NULL;
		if (hull_store_read_blob(s, digest, HULL_MANIFEST_MAX_SIZE, &md, &ml, err) < 0 ||
		    hull_manifest_parse(md, ml, mt, &m, err) < 0)
			return hull_wrap(err, "%s", path);
		for (size_t i = 0; i <= m->n_layers; i++) {
			const struct hull_descriptor *d =
			    i == m->n_layers ? &m->config : &m->layers[i];
			char rel[HULL_DIGEST_MAX + 16], got[HULL_DIGEST_MAX];
			uint64_t sz;
			_cleanup_close_ int bfd = -1;
			struct hull_fd_source fs = {0};
			struct hull_byte_source bs;
			if (hull_store_has_blob(s, d->digest))
				continue;
			snprintf(rel, sizeof rel, "blobs/%.*s/%s",
				 (int)(strchr(d->digest, ':') - d->digest), d->digest,
				 hull_digest_hex(d->digest));
			bfd = hull_open_in_root(dfd, rel, O_RDONLY, 0, 0, err);
			if (bfd < 0 || hull_fd_source_init(&fs, bfd, &bs, err) < 0 ||
			    ingest(s, &bs, d->digest, d->size, got, &sz, err) < 0) {
				hull_fd_source_release(&fs);
				hull_manifest_free(m);
				return hull_wrap(err, "%s", path);
			}
			hull_fd_source_release(&fs);
		}
		hull_manifest_free(m);
	}
	final = name ? import_name(name, err) : name_from_annotation(rn);
	if (name && !final)
		return -1;
	return finish_import(s, digest, mt, final, uo, out, err);
}

/* tarball:PATH: a root file system as one tar (gzip/zstd allowed), like `podman import`. The
 * blob is stored as given; its DiffID comes from unpacking it; the config says Cmd /bin/sh. */
static int import_tarball(struct hull_store *s, const char *src, const char *name,
			  const struct hull_unpack_opts *uo, struct hull_image *out, hull_err *err)
{
	const char *path = src + strlen("tarball:");
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *final = NULL, *cfg_text = NULL, *man_text = NULL;
	struct hull_fd_source fs = {0};
	struct hull_byte_source bs;
	char blob[HULL_DIGEST_MAX], cdigest[HULL_DIGEST_MAX], mdigest[HULL_DIGEST_MAX];
	uint64_t size;
	struct hull_layer_stream ls = {.blob_size = -1, .blob_fd = -1};
	struct hull_layer_writer lw;
	json_object *cfg = NULL, *man = NULL;
	int rc = -1, r;
	char created[64];

	if (!name)
		return hull_failk(err, HULL_ERR_INVALID, 0, "a tarball import needs a NAME");
	final = import_name(name, err);
	if (!final)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "open %s",
				  path);
	if (hull_fd_source_init(&fs, fd, &bs, err) < 0 ||
	    ingest(s, &bs, NULL, -1, blob, &size, err) < 0)
		goto out;
	hull_fd_source_release(&fs);
	/* Unpack from the verified store copy into a temp dir; its DiffID names the layer. */
	{
		_cleanup_close_ int bfd = hull_store_open_blob(s, blob, NULL, err);
		struct hull_layer_writer tw;
		char tmpname[HULL_DIGEST_MAX];
		if (bfd < 0 || hull_fd_source_init(&fs, bfd, &ls.src, err) < 0)
			goto out;
		/* The DiffID is unknown until the pass ends: unpack under a provisional name. */
		snprintf(tmpname, sizeof tmpname, "%s", blob);
		r = hull_store_layer_begin(s, tmpname, &tw, err);
		if (r < 0)
			goto out;
		if (r == 0) {
			if (hull_layer_unpack(&ls, tw.dirfd, uo, err) < 0) {
				hull_store_layer_abort(s, &tw);
				goto out;
			}
			if (strcmp(ls.diff_id_out, blob)) {
				/* Compressed tarball: publish under the DiffID. */
				r = hull_store_layer_begin(s, ls.diff_id_out, &lw, err);
				if (r < 0) {
					hull_store_layer_abort(s, &tw);
					goto out;
				}
				if (r == 0) {
					close(lw.dirfd);
					lw.dirfd = tw.dirfd;
					tw.dirfd = -1;
					unlinkat(s->rootfd, lw.tmp, AT_REMOVEDIR);
					if (renameat(s->rootfd, tw.tmp, s->rootfd, lw.tmp) < 0) {
						hull_fail(err, errno, "storage");
						hull_store_layer_abort(s, &lw);
						hull_store_layer_abort(s, &tw);
						goto out;
					}
					tw.tmp[0] = '\0';
					if (hull_store_layer_commit(s, &lw, &ls.report, err) < 0) {
						hull_store_layer_abort(s, &lw);
						hull_store_layer_abort(s, &tw);
						goto out;
					}
				}
				hull_store_layer_abort(s, &tw);
			} else if (hull_store_layer_commit(s, &tw, &ls.report, err) < 0) {
				hull_store_layer_abort(s, &tw);
				goto out;
			}
		} else {
			snprintf(ls.diff_id_out, sizeof ls.diff_id_out, "%s", blob);
		}
		hull_fd_source_release(&fs);
	}
	hull_rfc3339_now(created, sizeof created);
	cfg = json_object_new_object();
	{
		const char *os, *arch, *variant;
		json_object *c = json_object_new_object(), *rf = json_object_new_object(),
			    *ids = json_object_new_array(), *cmd = json_object_new_array(),
			    *env = json_object_new_array();
		hull_native_platform(&os, &arch, &variant);
		hull_json_add_str(cfg, "created", created);
		hull_json_add_str(cfg, "architecture", arch);
		hull_json_add_str(cfg, "os", os);
		hull_json_arr_add_str(cmd, "/bin/sh");
		hull_json_arr_add_str(
		    env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
		hull_json_add(c, "Cmd", cmd);
		hull_json_add(c, "Env", env);
		hull_json_add(cfg, "config", c);
		hull_json_add_str(rf, "type", "layers");
		hull_json_arr_add_str(ids, ls.diff_id_out);
		hull_json_add(rf, "diff_ids", ids);
		hull_json_add(cfg, "rootfs", rf);
	}
	cfg_text = hull_json_dump(cfg, false);
	if (!cfg_text ||
	    hull_digest_buf(HULL_SHA256, cfg_text, strlen(cfg_text), cdigest, err) < 0 ||
	    hull_store_put_blob(s, cdigest, cfg_text, strlen(cfg_text), err) < 0)
		goto out;
	man = json_object_new_object();
	hull_json_add_int(man, "schemaVersion", 2);
	hull_json_add_str(man, "mediaType", HULL_MT_OCI_MANIFEST);
	{
		json_object *c = json_object_new_object(), *l = json_object_new_object(),
			    *arr = json_object_new_array();
		hull_json_add_str(c, "mediaType", HULL_MT_OCI_CONFIG);
		hull_json_add_str(c, "digest", cdigest);
		hull_json_add_int(c, "size", (int64_t)strlen(cfg_text));
		hull_json_add(man, "config", c);
		hull_json_add_str(l, "mediaType", layer_media_type(s, blob));
		hull_json_add_str(l, "digest", blob);
		hull_json_add_int(l, "size", (int64_t)size);
		json_object_array_add(arr, l);
		hull_json_add(man, "layers", arr);
	}
	man_text = hull_json_dump(man, false);
	if (!man_text ||
	    hull_digest_buf(HULL_SHA256, man_text, strlen(man_text), mdigest, err) < 0 ||
	    hull_store_put_blob(s, mdigest, man_text, strlen(man_text), err) < 0)
		goto out;
	rc = finish_import(s, mdigest, HULL_MT_OCI_MANIFEST, final, uo, out, err);
out:
	hull_fd_source_release(&fs);
	hull_unpack_report_free(&ls.report);
	if (cfg)
		json_object_put(cfg);
	if (man)
		json_object_put(man);
	return rc;
}

int hull_image_import(struct hull_store *s, const char *source, const char *name,
		      const struct hull_unpack_opts *uo, struct hull_image *out, hull_err *err)
{
	int rc;
	if (hull_str_has_prefix(source, "tarball:"))
		rc = import_tarball(s, source, name, uo, out, err);
	else if (hull_str_has_prefix(source, "oci-archive:"))
		rc = import_oci_archive(s, source, name, uo, out, err);
	else if (hull_str_has_prefix(source, "docker-archive:"))
		rc = import_docker_archive(s, source, name, uo, out, err);
	else if (hull_str_has_prefix(source, "oci:"))
		rc = import_oci_dir(s, source, name, uo, out, err);
	else
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "import %s: unknown transport (oci-archive:PATH, oci:DIR, "
				  "docker-archive:PATH, tarball:PATH)",
				  source);
	if (rc < 0)
		hull_wrap(err, "import %s", source);
	return rc;
}

/* ---------------- export ---------------- */

static json_object *index_entry(const struct hull_image *im, const char *ref_name, int64_t msize)
{
	json_object *d = json_object_new_object();
	hull_json_add_str(d, "mediaType", im->media_type ? im->media_type : HULL_MT_OCI_MANIFEST);
	hull_json_add_str(d, "digest", im->manifest);
	hull_json_add_int(d, "size", msize);
	if (ref_name) {
		json_object *a = json_object_new_object();
		hull_json_add_str(a, "org.opencontainers.image.ref.name", ref_name);
		hull_json_add(d, "annotations", a);
	}
	return d;
}

static const char oci_layout_text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

static int write_member(struct archive *a, const char *name, const void *data, int fd, int64_t size,
			hull_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 0, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		rc = hull_fail(err, EIO, "archive %s: %s", name, archive_error_string(a));
	} else if (data) {
		if (archive_write_data(a, data, (size_t)size) != (la_ssize_t)size)
			rc = hull_fail(err, EIO, "archive %s: %s", name, archive_error_string(a));
	} else {
		char *buf = malloc(1 << 20);
		int64_t left = size;
		while (buf && left > 0) {
			ssize_t n = read(fd, buf, left > (1 << 20) ? (1 << 20) : (size_t)left);
			if (n <= 0) {
				rc = hull_fail(err, n < 0 ? errno : EIO, "read blob for %s", name);
				break;
			}
			if (archive_write_data(a, buf, (size_t)n) != n) {
				rc = hull_fail(err, EIO, "archive %s: %s", name,
					       archive_error_string(a));
				break;
			}
			left -= n;
		}
		if (!buf)
			rc = hull_fail(err, ENOMEM, "export");
		free(buf);
	}
	archive_entry_free(e);
	return rc;
}

struct blob_list {
	char *digest[HULL_MAX_LAYERS + 2];
	size_t n;
};

static int export_blobs(struct hull_store *s, const struct hull_image *im, struct blob_list *bl,
			hull_err *err)
{
	struct hull_manifest *m;
	struct hull_image_config *c;
	if (hull_store_image_load(s, im, &m, &c, err) < 0)
		return -1;
	bl->n = 0;
	bl->digest[bl->n++] = strdup(im->manifest);
	bl->digest[bl->n++] = strdup(m->config.digest);
	for (size_t i = 0; i < m->n_layers; i++)
		bl->digest[bl->n++] = strdup(m->layers[i].digest);
	hull_manifest_free(m);
	hull_image_config_free(c);
	for (size_t i = 0; i < bl->n; i++)
		if (!bl->digest[i])
			return hull_fail(err, ENOMEM, "export");
	return 0;
}

static void blob_list_free(struct blob_list *bl)
{
	for (size_t i = 0; i < bl->n; i++)
		free(bl->digest[i]);
	bl->n = 0;
}

static int copy_fd(int from, int to, hull_err *err);

/* Exports go into directories hull does not own (/tmp, a user's home): a file is always
 * created new (O_EXCL|O_NOFOLLOW, a random name) and renamed over the target, so a planted
 * symlink or hardlink at the target or temp name cannot redirect root's writes. */
static int create_temp(int dirfd, char *name, size_t n, hull_err *err)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char r[8];
		int fd;
		if (getrandom(r, sizeof r, 0) != sizeof r)
			return hull_fail(err, errno, "random");
		snprintf(name, n, ".hull-export-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2],
			 r[3], r[4], r[5], r[6], r[7]);
		fd =
		    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : hull_fail(err, errno, "create %s", name);
	}
	return hull_fail(err, EEXIST, "create a temporary file");
}

static int publish_data(int dirfd, const char *name, const void *data, size_t len, int from_fd,
			hull_err *err)
{
	char tmp[64];
	int fd = create_temp(dirfd, tmp, sizeof tmp, err), rc;
	ssize_t w;
	if (fd < 0)
		return -1;
	if (from_fd >= 0) {
		rc = copy_fd(from_fd, fd, err);
	} else {
		w = hull_write_all(fd, data, len);
		rc = w < 0 ? hull_fail(err, (int)-w, "write %s", name) : 0;
	}
	if (close(fd) < 0 && rc == 0)
		rc = hull_fail(err, errno, "write %s", name);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = hull_fail(err, errno, "rename to %s", name);
	if (rc < 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

static int export_archive(struct hull_store *s, const struct hull_image *im, const char *path,
			  const char *ref_name, hull_err *err)
{
	struct archive *a = archive_write_new();
	struct blob_list bl = {0};
	_cleanup_free_ char *index = NULL, *dir = strdup(path), *base = strdup(path);
	_cleanup_close_ int dfd = -1, out_fd = -1;
	char tmp[64];
	json_object *idx = NULL, *arr;
	int rc = -1;
	uint64_t msize = 0;
	tmp[0] = '\0';
	if (!a || !dir || !base)
		return hull_fail(err, ENOMEM, "export");
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		hull_fail(err, errno, "open the directory of %s", path);
		goto out;
	}
	if (export_blobs(s, im, &bl, err) < 0)
		goto out;
	out_fd = create_temp(dfd, tmp, sizeof tmp, err);
	if (out_fd < 0)
		goto out;
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, out_fd) != ARCHIVE_OK) {
		hull_fail(err, errno, "write %s: %s", path, archive_error_string(a));
		goto out_file;
	}
	if (write_member(a, "oci-layout", oci_layout_text, -1, (int64_t)strlen(oci_layout_text),
			 err) < 0)
		goto out_file;
	for (size_t i = 0; i < bl.n; i++) {
		char name[HULL_DIGEST_MAX + 16];
		uint64_t size;
		_cleanup_close_ int fd = hull_store_open_blob(s, bl.digest[i], &size, err);
		if (fd < 0)
			goto out_file;
		if (i == 0)
			msize = size;
		snprintf(name, sizeof name, "blobs/%.*s/%s",
			 (int)(strchr(bl.digest[i], ':') - bl.digest[i]), bl.digest[i],
			 hull_digest_hex(bl.digest[i]));
		if (write_member(a, name, NULL, fd, (int64_t)size, err) < 0)
			goto out_file;
	}
	idx = json_object_new_object();
	hull_json_add_int(idx, "schemaVersion", 2);
	hull_json_add_str(idx, "mediaType", HULL_MT_OCI_INDEX);
	arr = json_object_new_array();
	json_object_array_add(arr, index_entry(im, ref_name, (int64_t)msize));
	hull_json_add(idx, "manifests", arr);
	index = hull_json_dump(idx, false);
	if (!index || write_member(a, "index.json", index, -1, (int64_t)strlen(index), err) < 0)
		goto out_file;
	if (archive_write_close(a) != ARCHIVE_OK) {
		hull_fail(err, EIO, "write %s: %s", tmp, archive_error_string(a));
		goto out_file;
	}
	if (renameat(dfd, tmp, dfd, basename(base)) < 0) {
		hull_fail(err, errno, "rename to %s", path);
		goto out_file;
	}
	rc = 0;
out_file:
	if (rc < 0 && tmp[0])
		unlinkat(dfd, tmp, 0);
out:
	if (idx)
		json_object_put(idx);
	blob_list_free(&bl);
	archive_write_free(a);
	return rc;
}

static int copy_fd(int from, int to, hull_err *err)
{
	char *buf = malloc(1 << 20);
	if (!buf)
		return hull_fail(err, ENOMEM, "export");
	for (;;) {
		ssize_t n = read(from, buf, 1 << 20), w;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? hull_fail(err, errno, "read blob") : 0;
		}
		w = hull_write_all(to, buf, (size_t)n);
		if (w < 0) {
			free(buf);
			return hull_fail(err, (int)-w, "write blob");
		}
	}
}

static int export_dir(struct hull_store *s, const struct hull_image *im, const char *path,
		      const char *ref_name, hull_err *err)
{
	struct blob_list bl = {0};
	_cleanup_close_ int dfd = -1;
	_cleanup_json_ json_object *idx = NULL;
	_cleanup_free_ char *old = NULL, *text = NULL;
	json_object *arr, *narr;
	size_t ol;
	uint64_t msize = 0;
	int rc = -1;
	hull_err e = HULL_ERR_INIT;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "create %s", path);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hull_fail(err, errno, "open %s", path);
	if (export_blobs(s, im, &bl, err) < 0)
		return -1;
	for (size_t i = 0; i < bl.n; i++) {
		char dir[32];
		uint64_t size;
		_cleanup_close_ int fd = hull_store_open_blob(s, bl.digest[i], &size, err), bd = -1;
		if (fd < 0)
			goto out;
		if (i == 0)
			msize = size;
		snprintf(dir, sizeof dir, "blobs/%.*s",
			 (int)(strchr(bl.digest[i], ':') - bl.digest[i]), bl.digest[i]);
		bd = hull_mkdir_in_root(dfd, dir, 0755, err);
		if (bd < 0)
			goto out;
		if (publish_data(bd, hull_digest_hex(bl.digest[i]), NULL, 0, fd, err) < 0)
			goto out;
	}
	if (publish_data(dfd, "oci-layout", oci_layout_text, strlen(oci_layout_text), -1, err) < 0)
		goto out;
	/* Merge into an existing index.json: same ref.name is replaced. */
	narr = json_object_new_array();
	if (hull_read_file_at(dfd, "index.json", O_NOFOLLOW, SMALL_FILE_MAX, &old, &ol, &e) == 0 &&
	    hull_json_parse(old, ol, "index.json", &idx, &e) == 0 &&
	    json_object_object_get_ex(idx, "manifests", &arr) &&
	    json_object_is_type(arr, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *d = json_object_array_get_idx(arr, i), *an;
			const char *rn =
			    json_object_object_get_ex(d, "annotations", &an)
				? hull_json_get_str(an, "org.opencontainers.image.ref.name")
				: NULL;
			if (ref_name && rn && !strcmp(rn, ref_name))
				continue;
			json_object_array_add(narr, json_object_get(d));
		}
	}
	hull_err_clear(&e);
	if (idx)
		json_object_put(idx);
	idx = json_object_new_object();
	hull_json_add_int(idx, "schemaVersion", 2);
	hull_json_add_str(idx, "mediaType", HULL_MT_OCI_INDEX);
	json_object_array_add(narr, index_entry(im, ref_name, (int64_t)msize));
	hull_json_add(idx, "manifests", narr);
	text = hull_json_dump(idx, false);
	if (!text || publish_data(dfd, "index.json", text, strlen(text), -1, err) < 0) {
		if (!hull_err_set(err))
			hull_fail(err, ENOMEM, "export");
		goto out;
	}
	rc = 0;
out:
	blob_list_free(&bl);
	return rc;
}

int hull_image_export(struct hull_store *s, const char *what, const char *dest, hull_err *err)
{
	struct hull_image im = {0};
	_cleanup_free_ char *path = NULL, *tag = NULL;
	const char *ref_name;
	int rc;
	if (hull_store_image_find(s, what, &im, err) < 0)
		return hull_wrap(err, "export");
	if (hull_str_has_prefix(dest, "oci-archive:"))
		rc = split_transport(dest, "oci-archive:", &path, &tag, err);
	else if (hull_str_has_prefix(dest, "oci:"))
		rc = split_transport(dest, "oci:", &path, &tag, err);
	else
		rc = hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "export %s: unknown destination (oci-archive:PATH[:TAG], oci:DIR[:TAG])", dest);
	if (rc == 0) {
		/* The name goes in as given (TAG) or the image's full name, so that podman load
		 * and skopeo find it. */
		ref_name = tag ? tag : (im.names[0] ? im.names[0] : NULL);
		rc = hull_str_has_prefix(dest, "oci:")
			 ? export_dir(s, &im, path, ref_name, err)
			 : export_archive(s, &im, path, ref_name, err);
	}
	if (rc < 0)
		hull_wrap(err, "export %s to %s", what, dest);
	hull_image_clear(&im);
	return rc;
}
