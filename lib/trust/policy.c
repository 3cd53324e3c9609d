/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/digest.h"
#include "trust/bundle.h"
#include "trust/gpg.h"
#include "trust/key.h"
#include "trust/payload.h"
#include "trust/tjson.h"

#define MAX_REQS      64   /* requirements in one list */
#define MAX_SCOPES    4096 /* scopes in one transport */
#define MAX_KEYS      64   /* keyPaths / keyDatas */
#define MAX_SCOPE_LEN 1024
#define SIMPLE_MT     "application/vnd.dev.cosign.simplesigning.v1+json"

/* ---------------- references ---------------- */

int hull_policy_parse_ref(const char *s, struct hull_ref *out, bool *name_only, hull_err *err)
{
	const char *at, *slash, *colon;
	size_t end;
	if (hull_ref_parse(s, out, err) < 0)
		return -1;
	/* hull_ref_parse adds ":latest" to a bare name; signatures and policies must not. */
	at = strchr(s, '@');
	end = at ? (size_t)(at - s) : strlen(s);
	slash = memrchr(s, '/', end);
	colon = memchr(slash ? slash : s, ':', end - (size_t)((slash ? slash : s) - s));
	*name_only = !at && !colon;
	if (*name_only) {
		free(out->tag);
		out->tag = NULL;
	}
	return 0;
}

static char *ref_name(const struct hull_ref *r)
{
	return hull_strdup_printf("%s/%s", r->domain, r->path);
}

/* name[:tag][@digest], as reference.String() prints it. */
static char *ref_full(const struct hull_ref *r)
{
	return hull_strdup_printf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
				  r->tag ? r->tag : "", r->digest ? "@" : "",
				  r->digest ? r->digest : "");
}

char *hull_policy_docker_identity(const struct hull_ref *r)
{
	if (r->digest)
		return hull_strdup_printf("%s/%s@%s", r->domain, r->path, r->digest);
	return hull_strdup_printf("%s/%s:%s", r->domain, r->path, r->tag ? r->tag : "latest");
}

char **hull_policy_docker_namespaces(const struct hull_ref *r)
{
	char **v = NULL, *name = ref_name(r), *p;
	if (!name)
		return NULL;
	/* The repository, its parent namespaces, the host. */
	for (;;) {
		if (hull_strv_push(&v, name) < 0)
			goto oom;
		p = strrchr(name, '/');
		if (!p)
			break;
		*p = '\0';
	}
	/* Then *.domain wildcards of the host without its port. */
	if ((p = strchr(name, ':')))
		*p = '\0';
	for (p = name; (p = strchr(p, '.')); p++) {
		_cleanup_free_ char *w = hull_strdup_printf("*%s", p);
		if (!w || hull_strv_push(&v, w) < 0)
			goto oom;
	}
	free(name);
	return v;
oom:
	free(name);
	hull_strv_free(v);
	return NULL;
}

/* ---------------- parsing ---------------- */

struct pctx {
	struct hull_policy *p;
	const char *what;
	hull_err *err;
};

static int pfail(struct pctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pfail(struct pctx *c, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hull_failk(c->err, HULL_ERR_INVALID, 0, "%s: %s: %s", c->what, path, msg);
}

static char *adup(struct pctx *c, const char *s)
{
	char *d = hull_arena_strdup(&c->p->arena, s);
	if (!d)
		hull_fail(c->err, ENOMEM, "policy");
	return d;
}

static const char *req_str(struct pctx *c, json_object *o, const char *key, const char *path)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
		pfail(c, path, "\"%s\" must be a string", key);
		return NULL;
	}
	return json_object_get_string(v);
}

static int check_fields(struct pctx *c, json_object *o, const char *path,
			const char *const *keys, bool exact)
{
	hull_err e = HULL_ERR_INIT;
	if (hull_tjson_fields(o, path, keys, exact, &e) < 0) {
		hull_failk(c->err, HULL_ERR_INVALID, 0, "%s: %s", c->what, e.msg);
		hull_err_clear(&e);
		return -1;
	}
	return 0;
}

/* A docker reference in a policy: parsed as containers/image parses it (normalised). */
static int policy_ref(struct pctx *c, const char *s, const char *path, bool need_tag_or_digest)
{
	struct hull_ref r;
	bool name_only;
	hull_err e = HULL_ERR_INIT;
	if (hull_policy_parse_ref(s, &r, &name_only, &e) < 0) {
		pfail(c, path, "invalid docker reference \"%.200s\": %s", s, e.msg);
		hull_err_clear(&e);
		return -1;
	}
	hull_ref_free(&r);
	if (need_tag_or_digest && name_only)
		return pfail(c, path, "\"%.200s\" contains neither a tag nor a digest", s);
	return 0;
}

static bool prefix_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//"))
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/[]",
			    *p))
			return false;
	return true;
}

static int parse_prm(struct pctx *c, json_object *o, const char *path, struct hull_prm *out)
{
	static const char *const only_type[] = {"type", NULL};
	static const char *const ref_keys[] = {"type", "dockerReference", NULL};
	static const char *const repo_keys[] = {"type", "dockerRepository", NULL};
	static const char *const remap_keys[] = {"type", "prefix", "signedPrefix", NULL};
	const char *type, *v, *v2;
	if (!json_object_is_type(o, json_type_object))
		return pfail(c, path, "expected an object");
	if (!(type = req_str(c, o, "type", path)))
		return -1;
	if (!strcmp(type, "matchExact") || !strcmp(type, "matchRepoDigestOrExact") ||
	    !strcmp(type, "matchRepository")) {
		out->type = !strcmp(type, "matchExact")		     ? HULL_PRM_MATCH_EXACT
			    : !strcmp(type, "matchRepoDigestOrExact") ? HULL_PRM_REPO_DIGEST_OR_EXACT
								      : HULL_PRM_MATCH_REPOSITORY;
		return check_fields(c, o, path, only_type, true);
	}
	if (!strcmp(type, "exactReference")) {
		if (check_fields(c, o, path, ref_keys, true) < 0 ||
		    !(v = req_str(c, o, "dockerReference", path)) ||
		    policy_ref(c, v, path, true) < 0 || !(out->value = adup(c, v)))
			return -1;
		out->type = HULL_PRM_EXACT_REFERENCE;
		return 0;
	}
	if (!strcmp(type, "exactRepository")) {
		if (check_fields(c, o, path, repo_keys, true) < 0 ||
		    !(v = req_str(c, o, "dockerRepository", path)) ||
		    policy_ref(c, v, path, false) < 0 || !(out->value = adup(c, v)))
			return -1;
		out->type = HULL_PRM_EXACT_REPOSITORY;
		return 0;
	}
	if (!strcmp(type, "remapIdentity")) {
		if (check_fields(c, o, path, remap_keys, true) < 0 ||
		    !(v = req_str(c, o, "prefix", path)) ||
		    !(v2 = req_str(c, o, "signedPrefix", path)))
			return -1;
		if (!prefix_valid(v) || !prefix_valid(v2))
			return pfail(c, path, "prefix \"%.200s\" / signedPrefix \"%.200s\": expected "
					      "a host[:port] or host/namespace",
				     v, v2);
		if (!(out->prefix = adup(c, v)) || !(out->signed_prefix = adup(c, v2)))
			return -1;
		out->type = HULL_PRM_REMAP;
		return 0;
	}
	return pfail(c, path, "unknown signedIdentity type \"%.64s\"", type);
}

static int key_paths(struct pctx *c, json_object *o, const char *key, const char *path,
		     struct hull_pr *pr)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!strcmp(key, "keyPath")) {
		const char *s = req_str(c, o, key, path);
		if (!s)
			return -1;
		if (!*s)
			return pfail(c, path, "keyPath is empty");
		pr->key_paths = hull_arena_calloc(&c->p->arena, 2, sizeof(char *));
		if (!pr->key_paths || !(pr->key_paths[0] = adup(c, s)))
			return -1;
		pr->n_key_paths = 1;
		return 1;
	}
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0 ||
	    json_object_array_length(v) > MAX_KEYS)
		return pfail(c, path, "keyPaths must be a non-empty array of at most %d paths",
			     MAX_KEYS);
	pr->n_key_paths = json_object_array_length(v);
	pr->key_paths = hull_arena_calloc(&c->p->arena, pr->n_key_paths + 1, sizeof(char *));
	if (!pr->key_paths)
		return hull_fail(c->err, ENOMEM, "policy");
	for (size_t i = 0; i < pr->n_key_paths; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string) || !json_object_get_string_len(e))
			return pfail(c, path, "keyPaths[%zu] must be a non-empty string", i);
		if (!(pr->key_paths[i] = adup(c, json_object_get_string(e))))
			return -1;
	}
	return 1;
}

static int key_datas(struct pctx *c, json_object *o, const char *key, const char *path,
		     struct hull_pr *pr)
{
	json_object *v;
	size_t n;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!strcmp(key, "keyData")) {
		n = 1;
	} else {
		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0 ||
		    json_object_array_length(v) > MAX_KEYS)
			return pfail(c, path, "%s must be a non-empty array of at most %d keys", key,
				     MAX_KEYS);
		n = json_object_array_length(v);
	}
	pr->key_data = hull_arena_calloc(&c->p->arena, n, sizeof(unsigned char *));
	pr->key_data_len = hull_arena_calloc(&c->p->arena, n, sizeof(size_t));
	if (!pr->key_data || !pr->key_data_len)
		return hull_fail(c->err, ENOMEM, "policy");
	for (size_t i = 0; i < n; i++) {
		json_object *e = n == 1 && !strcmp(key, "keyData") ? v : json_object_array_get_idx(v, i);
		_cleanup_free_ unsigned char *d = NULL;
		size_t len;
		if (!json_object_is_type(e, json_type_string) ||
		    hull_b64_decode(json_object_get_string(e),
				    (size_t)json_object_get_string_len(e), HULL_KEY_FILE_MAX, &d,
				    &len) < 0 ||
		    len == 0)
			return pfail(c, path, "%s must be non-empty base64 (at most %u bytes)", key,
				     HULL_KEY_FILE_MAX);
		pr->key_data[i] = hull_arena_alloc(&c->p->arena, len + 1);
		if (!pr->key_data[i])
			return hull_fail(c->err, ENOMEM, "policy");
		memcpy(pr->key_data[i], d, len);
		pr->key_data_len[i] = len;
	}
	pr->n_key_data = n;
	return 1;
}

static int parse_identity(struct pctx *c, json_object *o, const char *path, struct hull_pr *pr)
{
	json_object *v;
	char sub[600];
	if (!json_object_object_get_ex(o, "signedIdentity", &v)) {
		pr->identity.type = HULL_PRM_REPO_DIGEST_OR_EXACT;
		return 0;
	}
	snprintf(sub, sizeof sub, "%s.signedIdentity", path);
	return parse_prm(c, v, sub, &pr->identity);
}

static int parse_signed_by(struct pctx *c, json_object *o, const char *path, struct hull_pr *pr)
{
	static const char *const keys[] = {"type",     "keyType",	 "keyPath", "keyPaths",
					   "keyData", "signedIdentity", NULL};
	const char *kt;
	int n;
	if (check_fields(c, o, path, keys, false) < 0 || !(kt = req_str(c, o, "keyType", path)))
		return -1;
	if (strcmp(kt, "GPGKeys") && strcmp(kt, "signedByGPGKeys") &&
	    strcmp(kt, "X509Certificates") && strcmp(kt, "signedByX509CAs"))
		return pfail(c, path, "unknown keyType \"%.64s\"", kt);
	if (!(pr->key_type = adup(c, kt)))
		return -1;
	n = 0;
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = {"keyPath", "keyPaths", "keyData"};
		int r = k < 2 ? key_paths(c, o, names[k], path, pr)
			      : key_datas(c, o, names[k], path, pr);
		if (r < 0)
			return -1;
		n += r;
	}
	if (n != 1)
		return pfail(c, path, "exactly one of keyPath, keyPaths and keyData must be given");
	pr->type = HULL_PR_SIGNED_BY;
	return parse_identity(c, o, path, pr);
}

static int parse_sigstore(struct pctx *c, json_object *o, const char *path, struct hull_pr *pr)
{
	static const char *const keys[] = {"type",	"keyPath", "keyPaths", "keyData",
					   "keyDatas", "signedIdentity", NULL};
	static const char *const keyless[] = {"fulcio",
					      "pki",
					      "rekorPublicKeyPath",
					      "rekorPublicKeyPaths",
					      "rekorPublicKeyData",
					      "rekorPublicKeyDatas",
					      NULL};
	int n = 0;
	for (const char *const *k = keyless; *k; k++)
		if (json_object_object_get_ex(o, *k, NULL))
			return pfail(c, path,
				     "\"%s\": keyless verification (Fulcio certificates, Rekor) is "
				     "not supported by hull; use keyPath/keyData",
				     *k);
	if (check_fields(c, o, path, keys, false) < 0)
		return -1;
	for (int k = 0; k < 4; k++) {
		static const char *const names[] = {"keyPath", "keyPaths", "keyData", "keyDatas"};
		int r = k < 2 ? key_paths(c, o, names[k], path, pr)
			      : key_datas(c, o, names[k], path, pr);
		if (r < 0)
			return -1;
		n += r;
	}
	if (n != 1)
		return pfail(c, path,
			     "exactly one of keyPath, keyPaths, keyData and keyDatas must be given");
	pr->type = HULL_PR_SIGSTORE;
	return parse_identity(c, o, path, pr);
}

static int parse_req(struct pctx *c, json_object *o, const char *path, struct hull_pr *pr)
{
	static const char *const only_type[] = {"type", NULL};
	const char *type;
	if (!json_object_is_type(o, json_type_object))
		return pfail(c, path, "expected a requirement object");
	if (!(type = req_str(c, o, "type", path)))
		return -1;
	if (!strcmp(type, "insecureAcceptAnything") || !strcmp(type, "reject")) {
		pr->type = !strcmp(type, "reject") ? HULL_PR_REJECT : HULL_PR_ACCEPT;
		return check_fields(c, o, path, only_type, true);
	}
	if (!strcmp(type, "signedBy"))
		return parse_signed_by(c, o, path, pr);
	if (!strcmp(type, "sigstoreSigned"))
		return parse_sigstore(c, o, path, pr);
	if (!strcmp(type, "signedBaseLayer"))
		return pfail(c, path, "signedBaseLayer is not implemented (containers/image does "
				      "not implement it either)");
	return pfail(c, path, "unknown requirement type \"%.64s\"", type);
}

static int parse_reqs(struct pctx *c, json_object *a, const char *where, struct hull_reqs *out)
{
	size_t n;
	if (!json_object_is_type(a, json_type_array))
		return pfail(c, where, "expected a list of requirements");
	n = json_object_array_length(a);
	if (n == 0)
		return pfail(c, where, "the list of requirements must not be empty");
	if (n > MAX_REQS)
		return pfail(c, where, "more than %d requirements", MAX_REQS);
	out->v = hull_arena_calloc(&c->p->arena, n, sizeof *out->v);
	if (!out->v || !(out->where = adup(c, where)))
		return hull_fail(c->err, ENOMEM, "policy");
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		char path[MAX_SCOPE_LEN + 128];
		snprintf(path, sizeof path, "%s[%zu]", where, i);
		if (parse_req(c, json_object_array_get_idx(a, i), path, &out->v[i]) < 0)
			return -1;
	}
	return 0;
}

static bool scope_valid(const char *t, const char *s)
{
	size_t n = strlen(s);
	if (n > MAX_SCOPE_LEN)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	if (strcmp(t, "docker") && strcmp(t, "atomic"))
		return true;
	if (!strncmp(s, "*.", 2))
		return n > 2 && !strchr(s + 2, '*') && !strchr(s, '/');
	return !strchr(s, '*');
}

static int parse_transport(struct pctx *c, const char *name, json_object *o,
			   struct hull_policy_transport *t)
{
	size_t i = 0;
	char where[MAX_SCOPE_LEN + 128];
	snprintf(where, sizeof where, "transports.%.64s", name);
	if (!json_object_is_type(o, json_type_object))
		return pfail(c, where, "expected an object of scopes");
	if ((size_t)json_object_object_length(o) > MAX_SCOPES)
		return pfail(c, where, "more than %d scopes", MAX_SCOPES);
	t->name = adup(c, name);
	t->n = (size_t)json_object_object_length(o);
	t->scopes = hull_arena_calloc(&c->p->arena, t->n ? t->n : 1, sizeof *t->scopes);
	if (!t->name || !t->scopes)
		return hull_fail(c->err, ENOMEM, "policy");
	json_object_object_foreach(o, scope, reqs)
	{
		snprintf(where, sizeof where, "transports.%.64s[\"%.*s\"]", name, MAX_SCOPE_LEN,
			 scope);
		if (!scope_valid(name, scope))
			return pfail(c, where, "invalid scope");
		if (!(t->scopes[i].name = adup(c, scope)) ||
		    parse_reqs(c, reqs, where, &t->scopes[i].reqs) < 0)
			return -1;
		i++;
	}
	return 0;
}

void hull_policy_free(struct hull_policy *p)
{
	if (!p)
		return;
	hull_arena_free(&p->arena);
	free(p);
}

int hull_policy_parse(const char *data, size_t len, const char *what, struct hull_policy **out,
		      hull_err *err)
{
	static const char *const top[] = {"default", "transports", NULL};
	_cleanup_json_ json_object *o = NULL;
	json_object *def, *tr;
	struct hull_policy *p;
	struct pctx c = {.what = what, .err = err};
	size_t i = 0;

	*out = NULL;
	if (len > HULL_POLICY_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_POLICY_MAX_SIZE);
	if (hull_tjson_parse(data, len, what, &o, err) < 0)
		return -1;
	p = calloc(1, sizeof *p);
	if (!p)
		return hull_fail(err, ENOMEM, "policy");
	c.p = p;
	if (check_fields(&c, o, "top level", top, false) < 0)
		goto fail;
	if (!json_object_object_get_ex(o, "default", &def)) {
		pfail(&c, "top level", "\"default\" is missing (it is mandatory)");
		goto fail;
	}
	if (!(p->source = adup(&c, what)) || parse_reqs(&c, def, "default", &p->def) < 0)
		goto fail;
	if (json_object_object_get_ex(o, "transports", &tr)) {
		if (!json_object_is_type(tr, json_type_object)) {
			pfail(&c, "transports", "expected an object");
			goto fail;
		}
		p->n_transports = (size_t)json_object_object_length(tr);
		p->transports =
		    hull_arena_calloc(&p->arena, p->n_transports ? p->n_transports : 1,
				      sizeof *p->transports);
		if (!p->transports) {
			hull_fail(err, ENOMEM, "policy");
			goto fail;
		}
		json_object_object_foreach(tr, name, scopes)
		{
			if (parse_transport(&c, name, scopes, &p->transports[i++]) < 0)
				goto fail;
		}
	}
	*out = p;
	return 0;
fail:
	hull_policy_free(p);
	return -1;
}

int hull_policy_load(const char *path, struct hull_policy **out, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	*out = NULL;
	if (hull_read_file_at(AT_FDCWD, path, 0, HULL_POLICY_MAX_SIZE, &data, &len, err) < 0)
		return hull_wrap(err, "trust policy");
	return hull_policy_parse(data, len, path, out, err);
}

int hull_policy_load_default(const char *path, struct hull_policy **out, hull_err *err)
{
	static const char *const defaults[] = {HULL_POLICY_PATH, HULL_POLICY_FALLBACK};
	*out = NULL;
	if (path)
		return hull_policy_load(path, out, err) < 0 ? hull_wrap(err, "--policy %s", path) : 0;
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++) {
		if (access(defaults[i], F_OK) < 0 && errno == ENOENT)
			continue;
		/* A policy file that exists but cannot be read or parsed is an error: failing
		 * open would let a corrupted file switch verification off. */
		return hull_policy_load(defaults[i], out, err);
	}
	return 0;
}

int hull_policy_for_key(const char *key_path, struct hull_policy **out, hull_err *err)
{
	struct hull_policy *p = calloc(1, sizeof *p);
	struct hull_pr *pr;
	*out = NULL;
	if (!p)
		return hull_fail(err, ENOMEM, "policy");
	pr = hull_arena_calloc(&p->arena, 1, sizeof *pr);
	p->source = hull_arena_strdup(&p->arena, "--key");
	p->def.where = hull_arena_strdup(&p->arena, "--key");
	if (pr) {
		pr->key_paths = hull_arena_calloc(&p->arena, 2, sizeof(char *));
		if (pr->key_paths)
			pr->key_paths[0] = hull_arena_strdup(&p->arena, key_path);
	}
	if (!pr || !p->source || !p->def.where || !pr->key_paths || !pr->key_paths[0]) {
		hull_policy_free(p);
		return hull_fail(err, ENOMEM, "policy");
	}
	pr->type = HULL_PR_SIGSTORE;
	pr->n_key_paths = 1;
	pr->identity.type = HULL_PRM_ANY;
	p->def.v = pr;
	p->def.n = 1;
	*out = p;
	return 0;
}

/* ---------------- scope lookup ---------------- */

static const struct hull_reqs *scope_find(const struct hull_policy_transport *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->scopes[i].name, name))
			return &t->scopes[i].reqs;
	return NULL;
}

/* File transports: the path, then its parent directories. */
static const struct hull_reqs *path_scopes(const struct hull_policy_transport *t, const char *id)
{
	_cleanup_free_ char *p = strdup(id);
	const struct hull_reqs *r;
	char *slash;
	if (!p)
		return NULL;
	if ((r = scope_find(t, p)))
		return r;
	/* "path:tag" -> "path" */
	if ((slash = strrchr(p, '/')) && strchr(slash, ':')) {
		*strchr(slash, ':') = '\0';
		if ((r = scope_find(t, p)))
			return r;
	}
	while ((slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if ((r = scope_find(t, p)))
			return r;
	}
	return scope_find(t, "/");
}

const struct hull_reqs *hull_policy_requirements(const struct hull_policy *p,
						 const struct hull_trust_subject *subj)
{
	for (size_t i = 0; i < p->n_transports; i++) {
		const struct hull_policy_transport *t = &p->transports[i];
		const struct hull_reqs *r = NULL;
		if (strcmp(t->name, subj->transport))
			continue;
		if (subj->scope_identity) {
			r = path_scopes(t, subj->scope_identity);
		} else if (subj->ref) {
			_cleanup_free_ char *id = hull_policy_docker_identity(subj->ref);
			_cleanup_strv_ char **ns = hull_policy_docker_namespaces(subj->ref);
			if (id)
				r = scope_find(t, id);
			for (char **n = ns; !r && n && *n; n++)
				r = scope_find(t, *n);
		}
		if (!r)
			r = scope_find(t, "");
		if (r)
			return r;
	}
	return &p->def;
}

bool hull_reqs_need_signatures(const struct hull_reqs *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].type == HULL_PR_SIGNED_BY || r->v[i].type == HULL_PR_SIGSTORE)
			return true;
	return false;
}

/* ---------------- identity ---------------- */

static bool names_equal(const struct hull_ref *a, const struct hull_ref *b)
{
	return !strcmp(a->domain, b->domain) && !strcmp(a->path, b->path);
}

static bool strings_equal(const struct hull_ref *a, const struct hull_ref *b)
{
	_cleanup_free_ char *x = ref_full(a), *y = ref_full(b);
	return x && y && !strcmp(x, y);
}

/* matchRepoDigestOrExact on parsed values: a tagged image needs the exact reference, a
 * digest-only image the same repository (the digest itself is checked separately). */
static bool repo_digest_or_exact(const struct hull_ref *intended, bool intended_name_only,
				 const struct hull_ref *sig, bool sig_name_only)
{
	if (sig_name_only || intended_name_only)
		return false;
	if (intended->tag)
		return strings_equal(sig, intended);
	if (intended->digest)
		return names_equal(sig, intended);
	return false;
}

static bool remap_matches(const struct hull_prm *prm, const struct hull_trust_subject *subj,
			  const struct hull_ref *sig, bool sig_name_only)
{
	_cleanup_free_ char *name = ref_name(subj->ref), *full = ref_full(subj->ref),
			    *mapped = NULL;
	size_t pl = strlen(prm->prefix);
	struct hull_ref r;
	bool name_only, ok;
	hull_err e = HULL_ERR_INIT;
	if (!name || !full)
		return false;
	if (strncmp(name, prm->prefix, pl) || (name[pl] != '\0' && name[pl] != '/'))
		return repo_digest_or_exact(subj->ref, subj->ref_name_only, sig, sig_name_only);
	mapped = hull_strdup_printf("%s%s", prm->signed_prefix, full + pl);
	if (!mapped || hull_policy_parse_ref(mapped, &r, &name_only, &e) < 0) {
		hull_err_clear(&e);
		return false;
	}
	ok = repo_digest_or_exact(&r, name_only, sig, sig_name_only);
	hull_ref_free(&r);
	return ok;
}

bool hull_prm_matches(const struct hull_prm *prm, const struct hull_trust_subject *subj,
		      const char *signed_reference)
{
	struct hull_ref sig, other;
	bool sig_name_only, other_name_only, ok = false;
	hull_err e = HULL_ERR_INIT;
	if (prm->type == HULL_PRM_ANY)
		return true;
	if (hull_policy_parse_ref(signed_reference, &sig, &sig_name_only, &e) < 0) {
		hull_err_clear(&e);
		return false;
	}
	switch (prm->type) {
	case HULL_PRM_MATCH_EXACT:
		ok = subj->ref && !subj->ref_name_only && !sig_name_only &&
		     strings_equal(&sig, subj->ref);
		break;
	case HULL_PRM_REPO_DIGEST_OR_EXACT:
		ok = subj->ref &&
		     repo_digest_or_exact(subj->ref, subj->ref_name_only, &sig, sig_name_only);
		break;
	case HULL_PRM_MATCH_REPOSITORY:
		ok = subj->ref && names_equal(&sig, subj->ref);
		break;
	case HULL_PRM_EXACT_REFERENCE:
	case HULL_PRM_EXACT_REPOSITORY:
		if (hull_policy_parse_ref(prm->value, &other, &other_name_only, &e) < 0) {
			hull_err_clear(&e);
			break;
		}
		if (prm->type == HULL_PRM_EXACT_REFERENCE)
			ok = !other_name_only && !sig_name_only && strings_equal(&sig, &other);
		else
			ok = names_equal(&sig, &other);
		hull_ref_free(&other);
		break;
	case HULL_PRM_REMAP:
		ok = subj->ref && remap_matches(prm, subj, &sig, sig_name_only);
		break;
	}
	hull_ref_free(&sig);
	return ok;
}

/* ---------------- evaluation ---------------- */

void hull_verdict_free(struct hull_verdict *v)
{
	free(v->scope);
	free(v->reason);
	free(v->verified_by);
	memset(v, 0, sizeof *v);
}

struct keyset {
	EVP_PKEY **v;
	char **ids; /* fingerprints, for verified-by */
	size_t n;
};

static void keyset_free(struct keyset *k)
{
	for (size_t i = 0; i < k->n; i++) {
		EVP_PKEY_free(k->v[i]);
		free(k->ids[i]);
	}
	free(k->v);
	free(k->ids);
	memset(k, 0, sizeof *k);
}

static int keyset_add(struct keyset *k, EVP_PKEY *pk)
{
	EVP_PKEY **v = realloc(k->v, (k->n + 1) * sizeof *v);
	char **ids;
	char fp[HULL_DIGEST_MAX];
	hull_err e = HULL_ERR_INIT;
	if (!v)
		return -1;
	k->v = v;
	ids = realloc(k->ids, (k->n + 1) * sizeof *ids);
	if (!ids)
		return -1;
	k->ids = ids;
	if (hull_key_fingerprint(pk, fp, &e) < 0)
		snprintf(fp, sizeof fp, "unknown");
	hull_err_clear(&e);
	if (!(k->ids[k->n] = strdup(fp)))
		return -1;
	k->v[k->n++] = pk;
	return 0;
}

/* Public keys of a sigstoreSigned requirement. An unreadable key is a rejection, with why. */
static int load_sigstore_keys(const struct hull_pr *pr, struct keyset *ks, char **why)
{
	for (size_t i = 0; i < pr->n_key_paths + pr->n_key_data; i++) {
		EVP_PKEY *pk = NULL;
		hull_err e = HULL_ERR_INIT;
		int rc;
		if (i < pr->n_key_paths) {
			rc = hull_key_load_public(pr->key_paths[i], &pk, &e);
		} else {
			size_t k = i - pr->n_key_paths;
			char what[32];
			snprintf(what, sizeof what, "keyData[%zu]", k);
			rc = hull_key_parse_public((const char *)pr->key_data[k],
						   pr->key_data_len[k], what, &pk, &e);
		}
		if (rc < 0) {
			*why = hull_strdup_printf("%s", e.msg);
			hull_err_clear(&e);
			return -1;
		}
		if (keyset_add(ks, pk) < 0) {
			EVP_PKEY_free(pk);
			*why = strdup("out of memory");
			return -1;
		}
	}
	return 0;
}

/* Collected reasons why signatures were not accepted, joined as containers/image does. */
struct reasons {
	hull_buf b;
	size_t n;
};

static void reason_add(struct reasons *r, const struct hull_sig *s, size_t idx, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));
static void reason_add(struct reasons *r, const struct hull_sig *s, size_t idx, const char *fmt,
		       ...)
{
	va_list ap;
	char msg[768];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->n < 16)
		hull_buf_printf(&r->b, "%ssignature %zu (%s): %s", r->n ? "; " : "", idx + 1,
				s->source, msg);
	else if (r->n == 16)
		hull_buf_puts(&r->b, "; ...");
	r->n++;
}

/* Check a verified payload's digest and identity against the subject. */
static bool check_claims(const struct hull_pr *pr, const struct hull_trust_subject *subj,
			 const char *digest, const char *identity, struct reasons *rs,
			 const struct hull_sig *s, size_t idx)
{
	if (strcmp(digest, subj->digest)) {
		reason_add(rs, s, idx,
			   "valid signature, but it is for manifest %s, not this image (%s)",
			   digest, subj->digest);
		return false;
	}
	if (!hull_prm_matches(&pr->identity, subj, identity)) {
		reason_add(rs, s, idx,
			   "valid signature, but its identity \"%.300s\" is not accepted by "
			   "signedIdentity",
			   identity);
		return false;
	}
	return true;
}

/* 1: accepted, 0: this signature rejected (reason added). */
static int sigstore_one(const struct hull_pr *pr, const struct hull_trust_subject *subj,
			const struct keyset *ks, const struct hull_sig *s, size_t idx,
			struct reasons *rs, size_t *key_used)
{
	struct hull_payload pl;
	hull_err e = HULL_ERR_INIT;
	size_t k;
	bool ok;
	if (s->problem) {
		reason_add(rs, s, idx, "%s", s->problem);
		return 0;
	}
	/* Verify before parsing: nothing of an unauthenticated payload is interpreted. */
	for (k = 0; k < ks->n; k++)
		if (hull_key_verify(ks->v[k], s->data, s->data_len, s->sig, s->sig_len) == 1)
			break;
	if (k == ks->n) {
		reason_add(rs, s, idx, "cryptographic signature verification failed with %s",
			   ks->n == 1 ? "the key" : "every key");
		return 0;
	}
	if (hull_payload_parse(s->data, s->data_len, HULL_PAYLOAD_COSIGN, &pl, &e) < 0) {
		reason_add(rs, s, idx, "%s", e.msg);
		hull_err_clear(&e);
		return 0;
	}
	ok = check_claims(pr, subj, pl.manifest_digest, pl.docker_reference, rs, s, idx);
	hull_payload_free(&pl);
	*key_used = k;
	return ok ? 1 : 0;
}

static int bundle_one(const struct hull_pr *pr, const struct hull_trust_subject *subj,
		      const struct keyset *ks, const struct hull_sig *s, size_t idx,
		      struct reasons *rs)
{
	char **names = NULL, *why = NULL;
	int ok = 0;
	if (s->problem) {
		reason_add(rs, s, idx, "%s", s->problem);
		return 0;
	}
	if (hull_bundle_verify(ks->v, ks->n, s->data, s->data_len, subj->digest, &names, &why) !=
	    1) {
		reason_add(rs, s, idx, "%s", why ? why : "bundle rejected");
		free(why);
		return 0;
	}
	if (!names || !names[0]) {
		reason_add(rs, s, idx,
			   "valid bundle, but its statement names no subject with digest %s",
			   subj->digest);
	} else {
		for (char **n = names; *n && !ok; n++)
			ok = hull_prm_matches(&pr->identity, subj, *n);
		if (!ok)
			reason_add(rs, s, idx,
				   "valid bundle, but its subject \"%.300s\" is not accepted by "
				   "signedIdentity",
				   names[0]);
	}
	hull_strv_free(names);
	return ok;
}

struct eval {
	const struct hull_policy *p;
	const struct hull_trust_subject *subj;
	struct hull_sigset *set;
	const struct hull_sig_loader *ld;
	hull_buf verified;
};

static int ensure(struct eval *ev, int kind, hull_err *err)
{
	if (ev->set->loaded & (1u << kind))
		return 0;
	if (ev->ld && ev->ld->load && ev->ld->load(ev->ld->ctx, kind, ev->set, err) < 0)
		return -1;
	ev->set->loaded |= 1u << kind;
	return 0;
}

static char *no_signature(const struct hull_sigset *set, int kind, const char *what)
{
	size_t others = 0;
	for (size_t i = 0; i < set->n; i++)
		others += set->v[i].kind != kind && !(kind == HULL_SIG_SIGSTORE &&
						      set->v[i].kind == HULL_SIG_BUNDLE);
	if (set->other_attachments || others)
		return hull_strdup_printf("a %s signature was required, but none exists (%zu "
					  "signatures of other kinds, %zu non-signature "
					  "attachments)",
					  what, others, set->other_attachments);
	return hull_strdup_printf("a %s signature was required, but none exists", what);
}

/* 1 allowed, 0 rejected (*why), -1 error. */
static int eval_sigstore(struct eval *ev, const struct hull_pr *pr, char **why, hull_err *err)
{
	struct keyset ks = {0};
	struct reasons rs = {0};
	size_t considered = 0;
	int rc = 0;
	if (ensure(ev, HULL_SIG_SIGSTORE, err) < 0 || ensure(ev, HULL_SIG_BUNDLE, err) < 0)
		return -1;
	for (size_t i = 0; i < ev->set->n; i++) {
		const struct hull_sig *s = &ev->set->v[i];
		if (s->kind == HULL_SIG_BUNDLE ||
		    (s->kind == HULL_SIG_SIGSTORE &&
		     (s->problem || (s->media_type && !strcmp(s->media_type, SIMPLE_MT)))))
			considered++;
	}
	if (considered == 0) {
		/* Nothing to verify: the keys are not even read. */
		*why = no_signature(ev->set, HULL_SIG_SIGSTORE, "sigstore");
		return 0;
	}
	considered = 0;
	if (load_sigstore_keys(pr, &ks, why) < 0) {
		keyset_free(&ks);
		return 0;
	}
	for (size_t i = 0; i < ev->set->n && rc == 0; i++) {
		const struct hull_sig *s = &ev->set->v[i];
		size_t used = 0;
		if (s->kind == HULL_SIG_SIGSTORE) {
			if (!s->problem && (!s->media_type || strcmp(s->media_type, SIMPLE_MT)))
				continue;
			considered++;
			if (sigstore_one(pr, ev->subj, &ks, s, i, &rs, &used) == 1) {
				hull_buf_printf(&ev->verified, "%ssigstoreSigned(key %.19s)",
						ev->verified.len ? ", " : "", ks.ids[used]);
				rc = 1;
			}
		} else if (s->kind == HULL_SIG_BUNDLE) {
			considered++;
			if (bundle_one(pr, ev->subj, &ks, s, i, &rs) == 1) {
				hull_buf_printf(&ev->verified, "%ssigstoreSigned(bundle)",
						ev->verified.len ? ", " : "");
				rc = 1;
			}
		}
	}
	if (rc == 0) {
		if (considered == 0)
			*why = no_signature(ev->set, HULL_SIG_SIGSTORE, "sigstore");
		else if (considered == 1)
			*why = hull_strdup_printf("%s", rs.b.data ? rs.b.data : "");
		else
			*why = hull_strdup_printf("none of the %zu signatures were accepted: %s",
						  considered, rs.b.data ? rs.b.data : "");
	}
	hull_buf_free(&rs.b);
	keyset_free(&ks);
	return rc;
}

static int read_key_file(const char *path, unsigned char **data, size_t *len, char **why)
{
	hull_err e = HULL_ERR_INIT;
	char *d = NULL;
	if (hull_read_file_at(AT_FDCWD, path, 0, HULL_KEY_FILE_MAX, &d, len, &e) < 0) {
		*why = hull_strdup_printf("GPG key %s: %s", path, e.msg);
		hull_err_clear(&e);
		return -1;
	}
	*data = (unsigned char *)d;
	return 0;
}

static int eval_signed_by(struct eval *ev, const struct hull_pr *pr, char **why, hull_err *err)
{
	struct hull_gpg_ring *ring = NULL;
	unsigned char **files = NULL;
	size_t *lens = NULL, nk = pr->n_key_paths + pr->n_key_data, considered = 0;
	struct reasons rs = {0};
	int rc = 0;
	if (strcmp(pr->key_type, "GPGKeys")) {
		*why = hull_strdup_printf("keyType \"%s\" is not implemented", pr->key_type);
		return 0;
	}
	if (ensure(ev, HULL_SIG_SIMPLE, err) < 0)
		return -1;
	if (hull_sigset_count(ev->set, HULL_SIG_SIMPLE) == 0) {
		/* Nothing to verify: no key file is read, no gpg is started. */
		*why = no_signature(ev->set, HULL_SIG_SIMPLE, "GPG");
		return 0;
	}
	files = calloc(nk, sizeof *files);
	lens = calloc(nk, sizeof *lens);
	if (!files || !lens) {
		rc = hull_fail(err, ENOMEM, "policy");
		goto out;
	}
	for (size_t i = 0; i < nk; i++) {
		if (i < pr->n_key_paths) {
			if (read_key_file(pr->key_paths[i], &files[i], &lens[i], why) < 0)
				goto out;
		} else {
			files[i] = malloc(pr->key_data_len[i - pr->n_key_paths]);
			if (!files[i]) {
				rc = hull_fail(err, ENOMEM, "policy");
				goto out;
			}
			memcpy(files[i], pr->key_data[i - pr->n_key_paths],
			       pr->key_data_len[i - pr->n_key_paths]);
			lens[i] = pr->key_data_len[i - pr->n_key_paths];
		}
	}
	if (hull_gpg_ring_open((const unsigned char *const *)files, lens, nk, &ring, err) < 0) {
		rc = -1;
		goto out;
	}
	if (hull_gpg_ring_keys(ring) == 0) {
		*why = strdup("no public keys could be imported from the requirement's keys");
		goto out;
	}
	for (size_t i = 0; i < ev->set->n && rc == 0; i++) {
		const struct hull_sig *s = &ev->set->v[i];
		char fpr[HULL_GPG_FPR_MAX], *plain = NULL, *w = NULL;
		size_t plen;
		struct hull_payload pl;
		hull_err e = HULL_ERR_INIT;
		int v;
		if (s->kind != HULL_SIG_SIMPLE)
			continue;
		considered++;
		if (s->problem) {
			reason_add(&rs, s, i, "%s", s->problem);
			continue;
		}
		v = hull_gpg_verify(ring, s->data, s->data_len, &plain, &plen, fpr, &w, err);
		if (v < 0) {
			rc = -1;
			break;
		}
		if (v == 0) {
			reason_add(&rs, s, i, "%s", w ? w : "rejected");
			free(w);
			continue;
		}
		if (hull_payload_parse(plain, plen, HULL_PAYLOAD_ATOMIC, &pl, &e) < 0) {
			reason_add(&rs, s, i, "%s", e.msg);
			hull_err_clear(&e);
		} else {
			if (check_claims(pr, ev->subj, pl.manifest_digest, pl.docker_reference, &rs,
					 s, i)) {
				hull_buf_printf(&ev->verified, "%ssignedBy(GPG key %s)",
						ev->verified.len ? ", " : "", fpr);
				rc = 1;
			}
			hull_payload_free(&pl);
		}
		free(plain);
	}
	if (rc == 0) {
		if (considered == 1)
			*why = hull_strdup_printf("%s", rs.b.data ? rs.b.data : "");
		else
			*why = hull_strdup_printf("none of the %zu signatures were accepted: %s",
						  considered, rs.b.data ? rs.b.data : "");
	}
out:
	hull_gpg_ring_close(ring);
	for (size_t i = 0; files && i < nk; i++)
		free(files[i]);
	free(files);
	free(lens);
	hull_buf_free(&rs.b);
	return rc;
}

static const char *pr_name(const struct hull_pr *pr)
{
	static const char *const names[] = {"insecureAcceptAnything", "reject", "signedBy",
					    "sigstoreSigned"};
	return names[pr->type];
}

static void describe_keys(const struct hull_pr *pr, char *out, size_t n)
{
	if (pr->n_key_paths == 1)
		snprintf(out, n, ", keyPath %s", pr->key_paths[0]);
	else if (pr->n_key_paths)
		snprintf(out, n, ", %zu keyPaths", pr->n_key_paths);
	else if (pr->n_key_data)
		snprintf(out, n, ", keyData");
	else
		out[0] = '\0';
}

int hull_policy_eval(const struct hull_policy *p, const struct hull_trust_subject *subj,
		     struct hull_sigset *set, const struct hull_sig_loader *ld,
		     struct hull_verdict *out, hull_err *err)
{
	const struct hull_reqs *reqs = hull_policy_requirements(p, subj);
	struct eval ev = {.p = p, .subj = subj, .set = set, .ld = ld};
	memset(out, 0, sizeof *out);
	out->scope = hull_strdup_printf("%s", reqs->where);
	if (!out->scope)
		return hull_fail(err, ENOMEM, "policy");
	for (size_t i = 0; i < reqs->n; i++) {
		const struct hull_pr *pr = &reqs->v[i];
		char *why = NULL, keys[300];
		int rc = 1;
		switch (pr->type) {
		case HULL_PR_ACCEPT:
			break;
		case HULL_PR_REJECT:
			rc = 0;
			why = strdup("the policy rejects every image here");
			break;
		case HULL_PR_SIGNED_BY:
			rc = eval_signed_by(&ev, pr, &why, err);
			break;
		case HULL_PR_SIGSTORE:
			if (!subj->digest) {
				rc = 0;
				why = strdup("a sigstore signature was required, but none exists (hull "
					     "reads signatures only from registries, not from this "
					     "source)");
				break;
			}
			rc = eval_sigstore(&ev, pr, &why, err);
			break;
		}
		if (rc < 0) {
			hull_buf_free(&ev.verified);
			hull_verdict_free(out);
			return -1;
		}
		if (rc == 0) {
			describe_keys(pr, keys, sizeof keys);
			out->reason = hull_strdup_printf(
			    "policy %s, %s, requirement %zu (%s%s): %s", p->source, reqs->where,
			    i + 1, pr_name(pr), keys, why ? why : "rejected");
			free(why);
			hull_buf_free(&ev.verified);
			return out->reason ? 0 : hull_fail(err, ENOMEM, "policy");
		}
		if (pr->type == HULL_PR_SIGNED_BY || pr->type == HULL_PR_SIGSTORE)
			out->signed_by_policy = true;
	}
	out->allowed = true;
	if (ev.verified.len)
		out->verified_by = hull_buf_steal(&ev.verified);
	hull_buf_free(&ev.verified);
	return 0;
}
