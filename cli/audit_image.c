/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hull-toolkit.so side of `hull audit IMAGE`: CIS section 4 checks on an image's config and its
 * layers (setuid/setgid files). `hull audit` (in the hull binary) hands image targets here.
 *
 * Images are read from an OCI image layout (oci:DIR[:REF]) with every blob verified against its
 * digest while it is read, or from hull's image store (lib/image), which verifies what it returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/archive_dl.h"
#include "audit/audit.h"
#include "cli/audit_print.h"
#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/store.h"

#define MAX_JSON_BLOB	  (4u << 20)
#define MAX_SETUID_LISTED 8

struct blob_reader {
	int fd;
	EVP_MD_CTX *md;
	uint64_t read;
	char buf[64 * 1024];
};

static bool valid_digest(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int open_blob(int layout, const char *digest, hull_err *err)
{
	char path[96];
	int fd;
	if (!valid_digest(digest))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "descriptor digest \"%s\" is not sha256:<64 hex>",
				  digest ? digest : "");
	snprintf(path, sizeof path, "blobs/sha256/%s", digest + 7);
	fd = openat(layout, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "blob %s",
				  digest);
	return fd;
}

static int digest_check(EVP_MD_CTX *md, const char *digest, hull_err *err)
{
	unsigned char out[32];
	char hex[65];
	unsigned int n = 0;
	if (!EVP_DigestFinal_ex(md, out, &n) || n != 32)
		return hull_fail(err, 0, "sha256 failed");
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	if (strcmp(hex, digest + 7))
		return hull_failk(err, HULL_ERR_REJECTED, 0,
				  "blob %s: digest mismatch: got sha256:%s", digest, hex);
	return 0;
}

/* A JSON blob (index, manifest, config), size- and digest-checked. */
static int read_json_blob(int layout, const char *digest, json_object **out, hull_err *err)
{
	_cleanup_close_ int fd = open_blob(layout, digest, err);
	_cleanup_free_ char *data = NULL;
	EVP_MD_CTX *md;
	size_t len = 0;
	int rc;
	if (fd < 0 || hull_read_fd(fd, MAX_JSON_BLOB, &data, &len, err) < 0)
		return -1;
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, data, len)) {
		EVP_MD_CTX_free(md);
		return hull_fail(err, 0, "sha256 failed");
	}
	rc = digest_check(md, digest, err);
	EVP_MD_CTX_free(md);
	if (rc < 0)
		return -1;
	return hull_json_parse(data, len, digest, out, err);
}

/* Where blobs come from: an OCI layout directory, or hull's content store (lib/image), which
 * verifies what it returns. */
struct image_src {
	int layout;
	struct hull_store *store;
};

static int src_read_json(struct image_src *src, const char *digest, json_object **out,
			 hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (!src->store)
		return read_json_blob(src->layout, digest, out, err);
	if (hull_store_read_blob(src->store, digest, MAX_JSON_BLOB, &data, &len, err) < 0)
		return -1;
	return hull_json_parse(data, len, digest, out, err);
}

static int src_open_blob(struct image_src *src, const char *digest, hull_err *err)
{
	if (!src->store)
		return open_blob(src->layout, digest, err);
	return hull_store_open_blob(src->store, digest, NULL, err);
}

static const char *desc_digest(json_object *d)
{
	return d ? hull_json_get_str(d, "digest") : NULL;
}

/* index.json -> the manifest named ref (org.opencontainers.image.ref.name), or the only one. */
static int pick_manifest(int layout, const char *ref, json_object **manifest, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *idx = NULL;
	json_object *ms, *chosen = NULL;
	size_t len = 0, n;
	if (hull_read_file_at(layout, "index.json", O_NOFOLLOW, MAX_JSON_BLOB, &data, &len, err) <
		0 ||
	    hull_json_parse(data, len, "index.json", &idx, err) < 0)
		return -1;
	if (!json_object_object_get_ex(idx, "manifests", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "index.json: .manifests is not an array");
	n = json_object_array_length(ms);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ms, i), *ann;
		const char *name = NULL;
		if (json_object_object_get_ex(d, "annotations", &ann))
			name = hull_json_get_str(ann, "org.opencontainers.image.ref.name");
		if (ref ? (name && !strcmp(name, ref)) : n == 1)
			chosen = d;
	}
	if (!chosen && ref)
		return hull_failk(err, HULL_ERR_NOTFOUND, 0, "index.json: no manifest named \"%s\"",
				  ref);
	if (!chosen)
		return hull_failk(err, HULL_ERR_NOTFOUND, 0,
				  "index.json: %zu manifests; name one with oci:DIR:REF", n);
	if (read_json_blob(layout, desc_digest(chosen), manifest, err) < 0)
		return -1;
	/* A nested index (multi-platform): take this machine's platform. */
	{
		json_object *inner;
		if (json_object_object_get_ex(*manifest, "manifests", &inner) &&
		    json_object_is_type(inner, json_type_array)) {
			json_object *pick = NULL;
			for (size_t i = 0; i < json_object_array_length(inner); i++) {
				json_object *d = json_object_array_get_idx(inner, i), *pl;
				const char *arch = json_object_object_get_ex(d, "platform", &pl)
						       ? hull_json_get_str(pl, "architecture")
						       : NULL;
#if defined(__x86_64__)
				if (arch && !strcmp(arch, "amd64"))
#elif defined(__aarch64__)
				if (arch && !strcmp(arch, "arm64"))
#else
				if (arch)
#endif
					pick = d;
			}
			if (!pick)
				return hull_failk(
				    err, HULL_ERR_NOTFOUND, 0,
				    "the image index has no manifest for this platform");
			{
				json_object *m = NULL;
				if (read_json_blob(layout, desc_digest(pick), &m, err) < 0)
					return -1;
				json_object_put(*manifest);
				*manifest = m;
			}
		}
	}
	return 0;
}

static la_ssize_t blob_read_cb(struct archive *a, void *data, const void **buf)
{
	struct blob_reader *r = data;
	ssize_t n;
	(void)a;
	do
		n = read(r->fd, r->buf, sizeof r->buf);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read layer");
		return -1;
	}
	EVP_DigestUpdate(r->md, r->buf, (size_t)n);
	r->read += (uint64_t)n;
	*buf = r->buf;
	return n;
}

struct setuid_scan {
	size_t count;
	size_t layer;
	char first[HULL_AUDIT_VALUE_MAX];
	size_t listed;
};

/* A layer that does not parse is most usefully reported as what it is when its digest is wrong
 * too: tampered or truncated, not merely malformed. */
static int layer_error(struct archive *a, struct blob_reader *r, const char *digest, hull_err *err)
{
	const void *b;
	hull_err e2 = HULL_ERR_INIT;
	while (blob_read_cb(a, r, &b) > 0)
		;
	if (digest_check(r->md, digest, &e2) < 0) {
		hull_err_move(err, &e2);
		return -1;
	}
	return hull_failk(err, HULL_ERR_INVALID, 0, "layer %s: %s", digest,
			  archive_error_string(a));
}

/* Stream one layer, hashing what libarchive reads, and note setuid/setgid regular files. */
static int scan_layer(struct image_src *src, const char *digest, size_t idx, struct setuid_scan *s,
		      hull_err *err)
{
	_cleanup_free_ struct blob_reader *r = calloc(1, sizeof *r);
	struct archive *a;
	struct archive_entry *e;
	int rc = 0, k;
	if (!r)
		return hull_fail(err, ENOMEM, "layer %s", digest);
	r->fd = src_open_blob(src, digest, err);
	if (r->fd < 0)
		return -1;
	r->md = EVP_MD_CTX_new();
	if (!r->md || !EVP_DigestInit_ex(r->md, EVP_sha256(), NULL)) {
		close(r->fd);
		EVP_MD_CTX_free(r->md);
		return hull_fail(err, 0, "sha256 failed");
	}
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, r, NULL, blob_read_cb, NULL) != ARCHIVE_OK) {
		rc = layer_error(a, r, digest, err);
		goto out;
	}
	while ((k = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		mode_t m = archive_entry_mode(e);
		const char *path = archive_entry_pathname(e);
		if (S_ISREG(m) && (m & (S_ISUID | S_ISGID)) && path) {
			if (!s->count)
				s->layer = idx;
			s->count++;
			if (s->listed < MAX_SETUID_LISTED) {
				size_t o = strlen(s->first);
				snprintf(s->first + o, sizeof s->first - o, "%s/%s", o ? ", " : "",
					 path[0] == '.' && path[1] == '/' ? path + 2 : path);
				s->listed++;
			}
		}
	}
	if (k != ARCHIVE_EOF) {
		rc = layer_error(a, r, digest, err);
		goto out;
	}
	/* Hash what libarchive did not need (tar end padding) before comparing digests. */
	{
		const void *b;
		while (blob_read_cb(a, r, &b) > 0)
			;
	}
	rc = digest_check(r->md, digest, err);
out:
	archive_read_free(a);
	EVP_MD_CTX_free(r->md);
	close(r->fd);
	return rc;
}

/* Config checks plus the setuid scan of every layer of one image manifest. */
static int audit_manifest(struct image_src *src, json_object *manifest,
			  struct hull_audit_report *rep, hull_err *err)
{
	_cleanup_json_ json_object *config = NULL;
	json_object *cfgd, *layers;
	struct setuid_scan su = {0};
	struct hull_audit_finding *f;
	if (!json_object_object_get_ex(manifest, "config", &cfgd))
		return hull_failk(err, HULL_ERR_INVALID, 0, "manifest: no config descriptor");
	if (src_read_json(src, desc_digest(cfgd), &config, err) < 0 ||
	    hull_audit_image_config(config, rep, err) < 0)
		return -1;
	f = hull_audit_report_add(rep, hull_audit_check_find("image.setuid-files"), HULL_AUDIT_NA);
	if (json_object_object_get_ex(manifest, "layers", &layers) &&
	    json_object_is_type(layers, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(layers); i++)
			if (scan_layer(src, desc_digest(json_object_array_get_idx(layers, i)), i,
				       &su, err) < 0)
				return -1;
	}
	if (f) {
		if (su.count) {
			char p[64], v[HULL_AUDIT_VALUE_MAX + 8];
			json_object *js = json_object_new_string(su.first);
			snprintf(p, sizeof p, ".layers[%zu]", su.layer);
			snprintf(
			    v, sizeof v, "%s",
			    json_object_to_json_string_ext(js, JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(js);
			hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "%zu setuid/setgid files",
				       su.count);
		} else {
			hull_audit_set(f, HULL_AUDIT_PASS, ".layers", NULL,
				       "no setuid or setgid files");
		}
	}
	hull_audit_report_count(rep);
	return 0;
}

static int audit_oci_layout(const char *spec, struct hull_audit_report *rep, hull_err *err)
{
	_cleanup_free_ char *dir = strdup(spec + strlen("oci:"));
	_cleanup_close_ int layout = -1;
	_cleanup_json_ json_object *manifest = NULL;
	struct image_src src = {.layout = -1};
	char *colon, *ref = NULL;
	if (!dir)
		return hull_fail(err, ENOMEM, "audit");
	colon = strrchr(dir, ':');
	if (colon) {
		*colon = '\0';
		ref = colon + 1;
	}
	layout = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (layout < 0)
		return hull_fail(err, errno, "OCI layout %s", dir);
	if (faccessat(layout, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s is not an OCI image layout (no oci-layout file)", dir);
	src.layout = layout;
	if (pick_manifest(layout, ref, &manifest, err) < 0 ||
	    audit_manifest(&src, manifest, rep, err) < 0)
		return hull_wrap(err, "%s", spec);
	return 0;
}

/* An image in hull's store, by name, id or digest (as `hull image inspect` finds it). The store
 * is opened only if it exists: auditing must not create one. */
static int audit_store_image(const char *what, struct hull_audit_report *rep, char **label,
			     hull_err *err)
{
	_cleanup_free_ char *root = g_opts.storage_root && *g_opts.storage_root
					? strdup(g_opts.storage_root)
					: hull_store_default_root();
	_cleanup_json_ json_object *manifest = NULL;
	struct hull_store store;
	struct hull_image im;
	struct image_src src = {.layout = -1, .store = &store};
	struct stat st;
	int rc = -1;
	if (!root)
		return hull_fail(err, ENOMEM, "audit");
	if (stat(root, &st) < 0)
		return hull_failk(err, HULL_ERR_NOTFOUND, errno,
				  "image \"%s\": no image store at %s", what, root);
	if (hull_store_open(&store, root, err) < 0)
		return -1;
	memset(&im, 0, sizeof im);
	if (hull_store_image_find(&store, what, &im, err) < 0)
		goto out;
	if (src_read_json(&src, im.manifest, &manifest, err) < 0 ||
	    audit_manifest(&src, manifest, rep, err) < 0) {
		hull_wrap(err, "image %s", what);
		goto out;
	}
	*label = hull_strdup_printf("%s (%s)", what, im.manifest);
	rc = 0;
out:
	hull_image_clear(&im);
	hull_store_close(&store);
	return rc;
}

static int cmd_audit_image(int argc, char **argv)
{
	static const struct option opts[] = {{"standard", required_argument, 0, 's'},
					     {"format", required_argument, 0, 'f'},
					     {"runtime-root", required_argument, 0, 'r'},
					     {"list", no_argument, 0, 'l'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	enum audit_format fmt = AUDIT_FORMAT_TABLE;
	_cleanup_free_ struct hull_audit_report *r = calloc(1, sizeof *r);
	hull_err err = HULL_ERR_INIT;
	_cleanup_free_ char *label = NULL;
	const char *target;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:f:r:lh", opts, NULL)) != -1) {
		if (c == 'f' && audit_format_parse(optarg, &fmt) < 0)
			return cli_errorf("audit: unknown format \"%s\"", optarg);
		if (c == 'h') {
			printf("usage: hull audit [--format table|json|sarif] oci:DIR[:REF]\n");
			return 0;
		}
		if (c == '?')
			return 1;
	}
	if (optind + 1 != argc || !r)
		return cli_errorf("audit: usage: hull audit [--format F] IMAGE");
	target = argv[optind];
	if (hull_str_has_prefix(target, "oci:")) {
		if (audit_oci_layout(target, r, &err) < 0)
			return cli_error(&err);
	} else if (audit_store_image(target, r, &label, &err) < 0) {
		return cli_error(&err);
	}
	return audit_print(r, label ? label : target, fmt);
}

CLI_COMMAND("audit-image", cmd_audit_image, "(internal) image side of `hull audit IMAGE`")
