/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/json.h"
#include "image/digest.h"

const char hull_manifest_accept[] = HULL_MT_OCI_INDEX
    ", " HULL_MT_OCI_MANIFEST ", " HULL_MT_DOCKER_LIST ", " HULL_MT_DOCKER_MANIFEST;

#define MAX_STRINGS 65536 /* entries of env, cmd, labels, ... */

struct pctx {
	hull_arena *a;
	const char *what;
	hull_err *err;
};

static int bad(struct pctx *c, const char *path, const char *why)
{
	return hull_failk(c->err, HULL_ERR_INVALID, 0, "%s: %s: %s", c->what, path, why);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

/* A string member: absent -> *out NULL. Embedded NULs are refused: they would make the C view of
 * the value differ from what a digest or a signature covered. */
static int get_str(struct pctx *c, json_object *o, const char *key, const char *path, char **out)
{
	json_object *v = member(o, key);
	const char *s;
	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(c, path, "expected a string");
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return bad(c, path, "string contains a NUL byte");
	*out = hull_arena_strdup(c->a, s);
	if (!*out)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	return 0;
}

static int get_strv(struct pctx *c, json_object *o, const char *key, const char *path, char ***out,
		    bool *present)
{
	json_object *v = member(o, key);
	size_t n;
	*out = NULL;
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(c, path, "expected an array of strings");
	n = json_object_array_length(v);
	if (n > MAX_STRINGS)
		return bad(c, path, "too many entries");
	*out = hull_arena_calloc(c->a, n + 1, sizeof(char *));
	if (!*out)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s;
		if (!json_object_is_type(e, json_type_string) ||
		    strlen(s = json_object_get_string(e)) !=
			(size_t)json_object_get_string_len(e)) {
			char p[256];
			snprintf(p, sizeof p, "%s[%zu]", path, i);
			return bad(c, p, "expected a string without NUL bytes");
		}
		if (!((*out)[i] = hull_arena_strdup(c->a, s)))
			return hull_fail(c->err, ENOMEM, "%s", c->what);
	}
	return 0;
}

/* The keys of an object ("ExposedPorts": {"80/tcp": {}}). */
static int get_keys(struct pctx *c, json_object *o, const char *key, const char *path, char ***out)
{
	json_object *v = member(o, key);
	size_t n, i = 0;
	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return bad(c, path, "expected an object");
	n = (size_t)json_object_object_length(v);
	if (n > MAX_STRINGS)
		return bad(c, path, "too many entries");
	*out = hull_arena_calloc(c->a, n + 1, sizeof(char *));
	if (!*out)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	json_object_object_foreach(v, k, val)
	{
		(void)val;
		if (!((*out)[i++] = hull_arena_strdup(c->a, k)))
			return hull_fail(c->err, ENOMEM, "%s", c->what);
	}
	return 0;
}

static int get_labels(struct pctx *c, json_object *o, const char *path, char ***out)
{
	json_object *v = member(o, "Labels");
	size_t n, i = 0;
	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return bad(c, path, "expected an object");
	n = (size_t)json_object_object_length(v);
	if (n > MAX_STRINGS)
		return bad(c, path, "too many entries");
	*out = hull_arena_calloc(c->a, n + 1, sizeof(char *));
	if (!*out)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	json_object_object_foreach(v, k, val)
	{
		size_t kl = strlen(k);
		const char *s;
		char *kv;
		if (!json_object_is_type(val, json_type_string))
			return bad(c, path, "label values must be strings");
		s = json_object_get_string(val);
		kv = hull_arena_alloc(c->a, kl + strlen(s) + 2);
		if (!kv)
			return hull_fail(c->err, ENOMEM, "%s", c->what);
		memcpy(kv, k, kl);
		kv[kl] = '=';
		strcpy(kv + kl + 1, s);
		(*out)[i++] = kv;
	}
	return 0;
}

static int parse_descriptor(struct pctx *c, json_object *o, const char *path,
			    struct hull_descriptor *d)
{
	char p[256];
	json_object *v;
	memset(d, 0, sizeof *d);
	if (!json_object_is_type(o, json_type_object))
		return bad(c, path, "expected a descriptor object");
	snprintf(p, sizeof p, "%s.mediaType", path);
	if (get_str(c, o, "mediaType", p, &d->media_type) < 0)
		return -1;
	if (!d->media_type || !*d->media_type)
		return bad(c, p, "missing");
	snprintf(p, sizeof p, "%s.digest", path);
	if (get_str(c, o, "digest", p, &d->digest) < 0)
		return -1;
	if (!d->digest)
		return bad(c, p, "missing");
	if (hull_digest_check(d->digest, p, c->err) < 0)
		return hull_wrap(c->err, "%s", c->what);
	snprintf(p, sizeof p, "%s.size", path);
	v = member(o, "size");
	if (!v)
		return bad(c, p, "missing");
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return bad(c, p, "expected a non-negative integer");
	errno = 0;
	d->size = json_object_get_int64(v);
	if (errno == ERANGE)
		return bad(c, p, "out of range");
	snprintf(p, sizeof p, "%s.artifactType", path);
	if (get_str(c, o, "artifactType", p, &d->artifact_type) < 0)
		return -1;
	if ((v = member(o, "platform"))) {
		snprintf(p, sizeof p, "%s.platform", path);
		if (!json_object_is_type(v, json_type_object))
			return bad(c, p, "expected an object");
		d->has_platform = true;
		if (get_str(c, v, "os", p, &d->platform.os) < 0 ||
		    get_str(c, v, "architecture", p, &d->platform.architecture) < 0 ||
		    get_str(c, v, "variant", p, &d->platform.variant) < 0)
			return -1;
		if (!d->platform.os || !d->platform.architecture)
			return bad(c, p, "os and architecture are required");
	}
	if ((v = member(o, "annotations"))) {
		snprintf(p, sizeof p, "%s.annotations", path);
		if (!json_object_is_type(v, json_type_object))
			return bad(c, p, "expected an object");
		if (get_str(c, v, "org.opencontainers.image.ref.name", p, &d->ref_name) < 0)
			return -1;
	}
	return 0;
}

static int parse_descriptors(struct pctx *c, json_object *arr, const char *path, size_t max,
			     struct hull_descriptor **out, size_t *n)
{
	size_t len;
	if (!json_object_is_type(arr, json_type_array))
		return bad(c, path, "expected an array of descriptors");
	len = json_object_array_length(arr);
	if (len > max) {
		char why[64];
		snprintf(why, sizeof why, "more than %zu entries", max);
		return bad(c, path, why);
	}
	*out = hull_arena_calloc(c->a, len ? len : 1, sizeof **out);
	if (!*out)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	for (size_t i = 0; i < len; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s[%zu]", path, i);
		if (parse_descriptor(c, json_object_array_get_idx(arr, i), p, &(*out)[i]) < 0)
			return -1;
	}
	*n = len;
	return 0;
}

bool hull_media_type_is_manifest(const char *mt)
{
	return mt && (!strcmp(mt, HULL_MT_OCI_MANIFEST) || !strcmp(mt, HULL_MT_DOCKER_MANIFEST));
}

bool hull_media_type_is_index(const char *mt)
{
	return mt && (!strcmp(mt, HULL_MT_OCI_INDEX) || !strcmp(mt, HULL_MT_DOCKER_LIST));
}

bool hull_media_type_is_layer(const char *mt)
{
	static const char *const ok[] = {
	    HULL_MT_OCI_LAYER,
	    HULL_MT_OCI_LAYER_GZ,
	    HULL_MT_OCI_LAYER_ZST,
	    HULL_MT_DOCKER_LAYER_GZ,
	    HULL_MT_DOCKER_FOREIGN,
	    "application/vnd.oci.image.layer.nondistributable.v1.tar",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"};
	for (size_t i = 0; mt && i < sizeof ok / sizeof ok[0]; i++)
		if (!strcmp(mt, ok[i]))
			return true;
	return false;
}

void hull_manifest_free(struct hull_manifest *m)
{
	if (!m)
		return;
	hull_arena a = m->arena;
	hull_arena_free(&a);
}

static bool type_is_json_like(const char *ct)
{
	return !ct || !*ct || !strncmp(ct, "application/json", 16) ||
	       !strncmp(ct, "text/plain", 10) || !strcmp(ct, "application/octet-stream");
}

int hull_manifest_parse(const char *data, size_t len, const char *content_type,
			struct hull_manifest **out, hull_err *err)
{
	hull_arena a = {0};
	struct hull_manifest *m;
	struct pctx c = {&a, "manifest", err};
	_cleanup_json_ json_object *root = NULL;
	json_object *v, *layers, *manifests, *config;
	char *doc_mt = NULL;

	*out = NULL;
	if (len > HULL_MANIFEST_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "manifest: larger than %u bytes",
				  HULL_MANIFEST_MAX_SIZE);
	if (hull_json_parse(data, len, "manifest", &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "manifest: expected a JSON object");
	m = hull_arena_alloc(&a, sizeof *m);
	if (!m)
		return hull_fail(err, ENOMEM, "manifest");
	v = member(root, "schemaVersion");
	if (!v || !json_object_is_type(v, json_type_int))
		goto bad_schema;
	if (json_object_get_int64(v) != 2) {
		if (json_object_get_int64(v) == 1) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "manifest: Docker schema 1 is deprecated and not supported");
			goto fail;
		}
		goto bad_schema;
	}
	if (get_str(&c, root, "mediaType", ".mediaType", &doc_mt) < 0)
		goto fail;
	layers = member(root, "layers");
	manifests = member(root, "manifests");
	config = member(root, "config");
	/* CVE-2021-41190: a document that reads as both kinds could be interpreted differently by
	 * two parties; refuse it outright. */
	if (manifests && (layers || config)) {
		bad(&c, ".manifests",
		    "a document with both \"manifests\" and \"layers\"/\"config\" is ambiguous");
		goto fail;
	}
	if (!manifests && !layers) {
		bad(&c, ".", "neither an image manifest (\"layers\") nor an index (\"manifests\")");
		goto fail;
	}
	m->kind = manifests ? HULL_INDEX : HULL_MANIFEST;
	if (doc_mt) {
		bool ok = m->kind == HULL_INDEX ? hull_media_type_is_index(doc_mt)
						: hull_media_type_is_manifest(doc_mt);
		if (!ok) {
			hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "manifest: .mediaType \"%.100s\" does not match the document (an %s)",
			    doc_mt, m->kind == HULL_INDEX ? "index" : "image manifest");
			goto fail;
		}
	}
	if (content_type && !type_is_json_like(content_type)) {
		const char *want = doc_mt ? doc_mt : NULL;
		bool ok = m->kind == HULL_INDEX ? hull_media_type_is_index(content_type)
						: hull_media_type_is_manifest(content_type);
		if (!ok || (want && strcmp(want, content_type))) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "manifest: fetched as \"%.100s\" but the document is %s%.100s%s",
				   content_type, want ? "\"" : "an ",
				   want ? want
					: (m->kind == HULL_INDEX ? "index" : "image manifest"),
				   want ? "\"" : "");
			goto fail;
		}
	}
	m->media_type = doc_mt;
	if (!m->media_type) {
		const char *ct =
		    content_type && !type_is_json_like(content_type)
			? content_type
			: (m->kind == HULL_INDEX ? HULL_MT_OCI_INDEX : HULL_MT_OCI_MANIFEST);
		if (!(m->media_type = hull_arena_strdup(&a, ct)))
			goto oom;
	}
	m->docker = !strncmp(m->media_type, "application/vnd.docker.", 23);
	if (get_str(&c, root, "artifactType", ".artifactType", &m->artifact_type) < 0)
		goto fail;
	if ((v = member(root, "subject"))) {
		if (parse_descriptor(&c, v, ".subject", &m->subject) < 0)
			goto fail;
		m->has_subject = true;
	}
	if (m->kind == HULL_INDEX) {
		if (parse_descriptors(&c, manifests, ".manifests", HULL_MAX_INDEX_ENTRIES,
				      &m->manifests, &m->n_manifests) < 0)
			goto fail;
	} else {
		if (!config) {
			bad(&c, ".config", "missing");
			goto fail;
		}
		if (parse_descriptor(&c, config, ".config", &m->config) < 0 ||
		    parse_descriptors(&c, layers, ".layers", HULL_MAX_LAYERS, &m->layers,
				      &m->n_layers) < 0)
			goto fail;
	}
	m->arena = a;
	*out = m;
	return 0;
bad_schema:
	hull_failk(err, HULL_ERR_INVALID, 0, "manifest: .schemaVersion: expected 2");
	goto fail;
oom:
	hull_fail(err, ENOMEM, "manifest");
fail:
	hull_arena_free(&a);
	return -1;
}

void hull_native_platform(const char **os, const char **arch, const char **variant)
{
	*os = "linux";
	*variant = NULL;
#if defined(__x86_64__)
	*arch = "amd64";
#elif defined(__aarch64__)
	*arch = "arm64";
	*variant = "v8";
#elif defined(__arm__)
	*arch = "arm";
	*variant = "v7";
#elif defined(__i386__)
	*arch = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	*arch = "ppc64le";
#elif defined(__s390x__)
	*arch = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	*arch = "riscv64";
#else
	*arch = "unknown";
#endif
}

const struct hull_descriptor *hull_index_select(const struct hull_manifest *idx, const char *os,
						const char *arch, const char *variant)
{
	const struct hull_descriptor *fallback = NULL;
	for (size_t i = 0; i < idx->n_manifests; i++) {
		const struct hull_descriptor *d = &idx->manifests[i];
		if (!hull_media_type_is_manifest(d->media_type) || !d->has_platform)
			continue;
		if (strcmp(d->platform.os, os) || strcmp(d->platform.architecture, arch))
			continue;
		if (!variant || !d->platform.variant || !strcmp(d->platform.variant, variant))
			return d;
		if (!fallback)
			fallback = d;
	}
	return fallback;
}

void hull_image_config_free(struct hull_image_config *cfg)
{
	if (!cfg)
		return;
	hull_arena a = cfg->arena;
	hull_arena_free(&a);
}

int hull_image_config_parse(const char *data, size_t len, struct hull_image_config **out,
			    hull_err *err)
{
	hull_arena a = {0};
	struct pctx c = {&a, "image config", err};
	_cleanup_json_ json_object *root = NULL;
	struct hull_image_config *cfg;
	json_object *v, *rootfs;
	char *type = NULL;

	*out = NULL;
	if (len > HULL_CONFIG_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "image config: larger than %u bytes",
				  HULL_CONFIG_MAX_SIZE);
	if (hull_json_parse(data, len, "image config", &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "image config: expected a JSON object");
	cfg = hull_arena_alloc(&a, sizeof *cfg);
	if (!cfg)
		return hull_fail(err, ENOMEM, "image config");
	if (get_str(&c, root, "architecture", ".architecture", &cfg->architecture) < 0 ||
	    get_str(&c, root, "os", ".os", &cfg->os) < 0 ||
	    get_str(&c, root, "variant", ".variant", &cfg->variant) < 0 ||
	    get_str(&c, root, "created", ".created", &cfg->created) < 0 ||
	    get_str(&c, root, "author", ".author", &cfg->author) < 0)
		goto fail;
	if ((v = member(root, "config"))) {
		if (!json_object_is_type(v, json_type_object)) {
			bad(&c, ".config", "expected an object");
			goto fail;
		}
		if (get_str(&c, v, "User", ".config.User", &cfg->user) < 0 ||
		    get_str(&c, v, "WorkingDir", ".config.WorkingDir", &cfg->working_dir) < 0 ||
		    get_str(&c, v, "StopSignal", ".config.StopSignal", &cfg->stop_signal) < 0 ||
		    get_strv(&c, v, "Env", ".config.Env", &cfg->env, NULL) < 0 ||
		    get_strv(&c, v, "Entrypoint", ".config.Entrypoint", &cfg->entrypoint,
			     &cfg->has_entrypoint) < 0 ||
		    get_strv(&c, v, "Cmd", ".config.Cmd", &cfg->cmd, &cfg->has_cmd) < 0 ||
		    get_keys(&c, v, "ExposedPorts", ".config.ExposedPorts", &cfg->exposed_ports) <
			0 ||
		    get_keys(&c, v, "Volumes", ".config.Volumes", &cfg->volumes) < 0 ||
		    get_labels(&c, v, ".config.Labels", &cfg->labels) < 0)
			goto fail;
	}
	rootfs = member(root, "rootfs");
	if (!rootfs || !json_object_is_type(rootfs, json_type_object)) {
		bad(&c, ".rootfs", "missing or not an object");
		goto fail;
	}
	if (get_str(&c, rootfs, "type", ".rootfs.type", &type) < 0)
		goto fail;
	if (!type || strcmp(type, "layers")) {
		bad(&c, ".rootfs.type", "must be \"layers\"");
		goto fail;
	}
	if (get_strv(&c, rootfs, "diff_ids", ".rootfs.diff_ids", &cfg->diff_ids, NULL) < 0)
		goto fail;
	if (!cfg->diff_ids) {
		bad(&c, ".rootfs.diff_ids", "missing");
		goto fail;
	}
	for (size_t i = 0; cfg->diff_ids[i]; i++) {
		char p[64];
		snprintf(p, sizeof p, "image config: .rootfs.diff_ids[%zu]", i);
		if (hull_digest_check(cfg->diff_ids[i], p, err) < 0)
			goto fail;
		cfg->n_diff_ids++;
	}
	if (cfg->n_diff_ids > HULL_MAX_LAYERS) {
		bad(&c, ".rootfs.diff_ids", "too many layers");
		goto fail;
	}
	cfg->arena = a;
	*out = cfg;
	return 0;
fail:
	hull_arena_free(&a);
	return -1;
}
