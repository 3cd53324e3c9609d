/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audit/admission.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/internal.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/path.h"
#include "core/util.h"

#define POLICY_CHECK(id_, title_, sev_, rem_)                                                      \
	{                                                                                          \
		id_, title_, NULL, NULL, HULL_STD_HULL, HULL_SEV_##sev_, rem_,                     \
		    HULL_TARGET_CONTAINER, NULL                                                    \
	}

enum { PC_CAPS, PC_BINDS, PC_SECCOMP, PC_USERNS, PC_DIGEST, PC_SIGNATURE, PC_N };

const struct hull_audit_check hull_policy_checks[] = {
    [PC_CAPS] = POLICY_CHECK("policy.capabilities", "Capabilities stay within the policy's maximum",
			     HIGH, "Drop the capabilities the policy does not allow (--cap-drop)."),
    [PC_BINDS] = POLICY_CHECK("policy.bind-mounts", "Bind mounts come from allowed host paths",
			      HIGH, "Mount only host paths listed in allowedHostPaths."),
    [PC_SECCOMP] = POLICY_CHECK("policy.seccomp", "A seccomp profile is applied (required)", HIGH,
				"Run with the engine's default seccomp profile."),
    [PC_USERNS] =
	POLICY_CHECK("policy.user-namespace", "The container has its own user namespace (required)",
		     HIGH, "Run in a user namespace (podman --userns=auto; `hull spec`)."),
    [PC_DIGEST] = POLICY_CHECK("policy.image-digest", "The image digest is allowed", HIGH,
			       "Run an image whose digest is listed in images.allowedDigests."),
    [PC_SIGNATURE] = POLICY_CHECK("policy.image-signature", "The image signature was verified",
				  HIGH, "Run signed images through `hull launch`."),
};
const size_t hull_policy_n_checks = PC_N;

/* --- parsing ------------------------------------------------------------------------------ */

struct pctx {
	struct hull_admission_policy *p;
	const char *what;
	hull_err *err;
};

static int pfail(struct pctx *c, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pfail(struct pctx *c, const char *member, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hull_failk(c->err, HULL_ERR_INVALID, 0, "%s: .%s: %s", c->what, member, msg);
}

static int get_typed(struct pctx *c, json_object *o, const char *key, json_type t,
		     json_object **out)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, t))
		return pfail(c, key, "expected %s, got %s", hull_json_type_name(t),
			     hull_json_type_name(json_object_get_type(v)));
	*out = v;
	return 1;
}

static int get_bool(struct pctx *c, json_object *o, const char *key, bool *out)
{
	json_object *v = NULL;
	int k = get_typed(c, o, key, json_type_boolean, &v);
	if (k > 0)
		*out = json_object_get_boolean(v);
	return k;
}

static int get_str(struct pctx *c, json_object *o, const char *key, const char **out)
{
	json_object *v = NULL;
	int k = get_typed(c, o, key, json_type_string, &v);
	if (k > 0) {
		if (json_object_get_string_len(v) == 0 || json_object_get_string_len(v) > 4096)
			return pfail(c, key, "must be a non-empty string of at most 4096 bytes");
		*out = json_object_get_string(v);
	}
	return k;
}

/* A list of strings; each is passed to fn(c, key, index, string). */
static int get_list(struct pctx *c, json_object *o, const char *key,
		    int (*fn)(struct pctx *, const char *, size_t, const char *, void *),
		    void *data)
{
	json_object *arr = NULL;
	int k = get_typed(c, o, key, json_type_array, &arr);
	size_t n;
	if (k <= 0)
		return k;
	n = json_object_array_length(arr);
	if (n > HULL_ADMISSION_MAX_LIST)
		return pfail(c, key, "too many entries (%zu, at most %d)", n,
			     HULL_ADMISSION_MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		char m[96];
		snprintf(m, sizeof m, "%s[%zu]", key, i);
		if (!json_object_is_type(e, json_type_string))
			return pfail(c, m, "expected a string, got %s",
				     hull_json_type_name(json_object_get_type(e)));
		if (json_object_get_string_len(e) == 0 || json_object_get_string_len(e) > 4096)
			return pfail(c, m, "must be a non-empty string of at most 4096 bytes");
		if (fn(c, m, i, json_object_get_string(e), data) < 0)
			return -1;
	}
	return 1;
}

struct check_list {
	const struct hull_audit_check ***out;
	size_t *n;
	size_t cap;
};

static int add_check(struct pctx *c, const char *m, size_t i, const char *s, void *data)
{
	struct check_list *l = data;
	const struct hull_audit_check *chk = hull_audit_check_find(s);
	if (!chk)
		return pfail(c, m, "unknown check id \"%s\" (see `hull audit --list`)", s);
	if (chk->target != HULL_TARGET_CONTAINER)
		return pfail(c, m, "\"%s\" is not a container check", s);
	if (!*l->out) {
		*l->out = hull_arena_calloc(&c->p->arena, l->cap, sizeof **l->out);
		if (!*l->out)
			return hull_fail(c->err, ENOMEM, "%s", c->what);
	}
	(*l->out)[(*l->n)++] = chk;
	(void)i;
	return 0;
}

static int add_cap(struct pctx *c, const char *m, size_t i, const char *s, void *data)
{
	char name[64];
	int cap;
	(void)i;
	(void)data;
	/* Accept "CHOWN" and "CAP_CHOWN", as podman and Kubernetes do. */
	snprintf(name, sizeof name, "%s%s", strncasecmp(s, "CAP_", 4) ? "CAP_" : "", s);
	cap = hull_cap_from_name(name);
	if (cap < 0)
		return pfail(c, m, "unknown capability \"%s\"", s);
	c->p->max_caps |= 1ull << cap;
	return 0;
}

static int strv_add(struct pctx *c, char ***v, size_t cap, size_t i, const char *s)
{
	if (!*v) {
		*v = hull_arena_calloc(&c->p->arena, cap + 1, sizeof **v);
		if (!*v)
			return hull_fail(c->err, ENOMEM, "%s", c->what);
	}
	(*v)[i] = hull_arena_strdup(&c->p->arena, s);
	if (!(*v)[i])
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	return 0;
}

static int add_host_path(struct pctx *c, const char *m, size_t i, const char *s, void *data)
{
	_cleanup_free_ char *clean = NULL;
	size_t *cap = data;
	if (s[0] != '/')
		return pfail(c, m, "\"%s\" is not an absolute path", s);
	clean = hull_path_clean(s);
	if (!clean)
		return hull_fail(c->err, ENOMEM, "%s", c->what);
	if (!strcmp(clean, "/"))
		return pfail(c, m,
			     "\"/\" would allow every host path; list the directories instead");
	return strv_add(c, &c->p->host_paths, *cap, i, clean);
}

static int add_digest(struct pctx *c, const char *m, size_t i, const char *s, void *data)
{
	size_t *cap = data;
	if (strncmp(s, "sha256:", 7) || strlen(s) != 7 + 64)
		return pfail(c, m, "\"%s\" is not a sha256:<64 hex> digest", s);
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return pfail(c, m, "\"%s\" is not a sha256:<64 hex> digest", s);
	return strv_add(c, &c->p->image_digests, *cap, i, s);
}

static size_t list_len(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
		return json_object_array_length(v);
	return 0;
}

static int check_members(struct pctx *c, json_object *o, const char *where,
			 const char *const *known)
{
	json_object_object_foreach(o, key, val)
	{
		bool ok = false;
		(void)val;
		for (const char *const *k = known; *k; k++)
			if (!strcmp(key, *k))
				ok = true;
		if (!ok)
			return hull_failk(c->err, HULL_ERR_INVALID, 0,
					  "%s: %sunknown member \"%s\" (see docs/admission.md)",
					  c->what, where, key);
	}
	return 0;
}

static int parse_images(struct pctx *c, json_object *root)
{
	static const char *const known[] = {"allowedDigests", "requireSignature", NULL};
	json_object *im = NULL;
	size_t cap;
	int k = get_typed(c, root, "images", json_type_object, &im);
	if (k <= 0)
		return k;
	if (check_members(c, im, ".images: ", known) < 0)
		return -1;
	cap = list_len(im, "allowedDigests");
	if (json_object_object_get_ex(im, "allowedDigests", NULL)) {
		/* Present, even empty: only listed digests run (an empty list allows none). */
		c->p->image_digests = hull_arena_calloc(&c->p->arena, cap + 1, sizeof(char *));
		if (!c->p->image_digests)
			return hull_fail(c->err, ENOMEM, "%s", c->what);
	}
	if (get_list(c, im, "allowedDigests", add_digest, &cap) < 0)
		return -1;
	return get_bool(c, im, "requireSignature", &c->p->require_signature) < 0 ? -1 : 0;
}

int hull_admission_policy_parse(const char *data, size_t len, const char *what,
				struct hull_admission_policy **out, hull_err *err)
{
	static const char *const known[] = {"version",
					    "mode",
					    "standard",
					    "minSeverity",
					    "requireChecks",
					    "ignoreChecks",
					    "maxCapabilities",
					    "allowedHostPaths",
					    "allowEngineVolumes",
					    "requireSeccomp",
					    "requireUserNamespace",
					    "images",
					    "auditLog",
					    "syslog",
					    "$comment",
					    NULL};
	_cleanup_json_ json_object *root = NULL;
	struct hull_admission_policy *p;
	struct pctx c = {.what = what, .err = err};
	const char *s = NULL;
	json_object *v = NULL;
	size_t cap;
	int k;

	*out = NULL;
	if (len > HULL_ADMISSION_MAX_SIZE)
		return hull_failk(err, HULL_ERR_LIMIT, EFBIG, "%s: larger than %u bytes", what,
				  HULL_ADMISSION_MAX_SIZE);
	if (hull_json_parse(data, len, what, &root, err) < 0)
		return -1;
	if (!json_object_is_type(root, json_type_object))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: expected a JSON object", what);
	p = calloc(1, sizeof *p);
	if (!p)
		return hull_fail(err, ENOMEM, "%s", what);
	c.p = p;
	p->mode = HULL_ADMISSION_ENFORCE; /* a policy file that exists enforces unless told */
	p->min_severity = HULL_SEV_INFO;
	p->allow_engine_volumes = true;
	p->syslog = true;
	p->audit_log = NULL;

	if (check_members(&c, root, "", known) < 0)
		goto fail;
	if (get_typed(&c, root, "version", json_type_int, &v) < 0)
		goto fail;
	if (json_object_object_get_ex(root, "version", &v) && json_object_get_int64(v) != 1) {
		pfail(&c, "version", "unsupported version %lld (this hull reads version 1)",
		      (long long)json_object_get_int64(v));
		goto fail;
	}
	if ((k = get_str(&c, root, "mode", &s)) < 0)
		goto fail;
	if (k > 0) {
		if (!strcmp(s, "enforce"))
			p->mode = HULL_ADMISSION_ENFORCE;
		else if (!strcmp(s, "warn"))
			p->mode = HULL_ADMISSION_WARN;
		else if (!strcmp(s, "off"))
			p->mode = HULL_ADMISSION_OFF;
		else {
			pfail(&c, "mode", "\"%s\" is not enforce, warn or off", s);
			goto fail;
		}
	}
	if ((k = get_str(&c, root, "standard", &s)) < 0)
		goto fail;
	if (k > 0) {
		p->standards = hull_audit_standard_parse(s);
		if (!p->standards || p->standards == HULL_STD_ALL) {
			pfail(&c, "standard",
			      "\"%s\" is not cis, pss-baseline, pss-restricted or hull", s);
			goto fail;
		}
	}
	if ((k = get_str(&c, root, "minSeverity", &s)) < 0)
		goto fail;
	if (k > 0 && (p->min_severity = hull_audit_severity_parse(s)) < 0) {
		pfail(&c, "minSeverity", "\"%s\" is not info, low, medium, high or critical", s);
		goto fail;
	}
	{
		struct check_list rl = {&p->require, &p->n_require,
					list_len(root, "requireChecks")};
		struct check_list il = {&p->ignore, &p->n_ignore, list_len(root, "ignoreChecks")};
		if (get_list(&c, root, "requireChecks", add_check, &rl) < 0 ||
		    get_list(&c, root, "ignoreChecks", add_check, &il) < 0)
			goto fail;
	}
	if ((k = get_list(&c, root, "maxCapabilities", add_cap, NULL)) < 0)
		goto fail;
	p->has_max_caps = k > 0;
	cap = list_len(root, "allowedHostPaths");
	if ((k = get_list(&c, root, "allowedHostPaths", add_host_path, &cap)) < 0)
		goto fail;
	p->has_host_paths = k > 0;
	if (get_bool(&c, root, "allowEngineVolumes", &p->allow_engine_volumes) < 0 ||
	    get_bool(&c, root, "requireSeccomp", &p->require_seccomp) < 0 ||
	    get_bool(&c, root, "requireUserNamespace", &p->require_userns) < 0 ||
	    get_bool(&c, root, "syslog", &p->syslog) < 0 || parse_images(&c, root) < 0)
		goto fail;
	if ((k = get_str(&c, root, "auditLog", &s)) < 0)
		goto fail;
	if (k > 0) {
		if (s[0] != '/') {
			pfail(&c, "auditLog", "\"%s\" is not an absolute path", s);
			goto fail;
		}
		p->audit_log = hull_arena_strdup(&p->arena, s);
	} else if (!json_object_object_get_ex(root, "auditLog", &v)) {
		p->audit_log = hull_arena_strdup(&p->arena, HULL_ADMISSION_DEFAULT_LOG);
	} /* "auditLog": null turns the file log off */
	*out = p;
	return 0;
fail:
	hull_admission_policy_free(p);
	return -1;
}

int hull_admission_policy_load(const char *path, struct hull_admission_policy **out, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (hull_read_file_at(AT_FDCWD, path, 0, HULL_ADMISSION_MAX_SIZE, &data, &len, err) < 0)
		return hull_wrap(err, "admission policy %s", path);
	return hull_admission_policy_parse(data, len, path, out, err);
}

void hull_admission_policy_free(struct hull_admission_policy *p)
{
	if (!p)
		return;
	hull_arena_free(&p->arena);
	free(p);
}

/* --- evaluation --------------------------------------------------------------------------- */

const char *hull_admission_image_digest(const struct hull_spec *spec)
{
	/* Written by the engine that resolved the image: hull launch, CRI-O, containerd's CRI. */
	static const char *const keys[] = {"io.hull.image.digest", "io.kubernetes.cri-o.ImageRef",
					   "io.kubernetes.cri.image-id"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = hull_spec_annotation(spec, keys[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

static bool ignored(const struct hull_admission_policy *p, const struct hull_audit_check *c)
{
	for (size_t i = 0; i < p->n_ignore; i++)
		if (p->ignore[i] == c)
			return true;
	return false;
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static void eval_binds(const struct hull_admission_policy *p, const struct hull_spec *s,
		       struct hull_audit_finding *f)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		_cleanup_free_ char *src = NULL;
		bool ok = false;
		char path[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		if (!audit_mount_is_bind(m))
			continue;
		if (p->allow_engine_volumes && audit_engine_managed_source(m->source))
			continue;
		src = m->source && m->source[0] == '/' ? hull_path_clean(m->source) : NULL;
		for (char **h = p->host_paths; src && h && *h; h++)
			if (path_under(src, *h))
				ok = true;
		if (ok)
			continue;
		snprintf(path, sizeof path, ".mounts[%zu].source", i);
		{
			json_object *js = json_object_new_string(m->source ? m->source : "");
			snprintf(
			    v, sizeof v, "%s",
			    json_object_to_json_string_ext(js, JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(js);
		}
		hull_audit_set(f, HULL_AUDIT_FAIL, path, v,
			       "host path bind-mounted at %s is not under an allowed host path",
			       m->destination);
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL, "bind mounts come from allowed paths");
}

#define TRUST_RECORD_MAX (64u << 10)

/* The trust code's record of a successful verification of digest (trust/verified/ in the
 * image store, written by pull and launch after the signature check). A file lookup, not
 * crypto: the runtime binary links no crypto library. The record must be a regular file owned
 * by root or by us and writable by no one else, or it does not count. 1 found (*by says who
 * vouched), 0 not (*why says why). */
static int trust_record(const char *root, const char *digest, char *by, size_t bn, char *why,
			size_t wn)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *o = NULL;
	struct stat st;
	size_t len;
	const char *md, *vb;
	hull_err e = HULL_ERR_INIT;
	if ((size_t)snprintf(path, sizeof path, "%s/trust/verified/sha256/%s.json", root,
			     digest + 7) >= sizeof path) {
		snprintf(why, wn, "store path too long");
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, wn, "no verification record in %.120s/trust/verified", root);
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		snprintf(why, wn, "the record is not a regular file owned by root and writable only "
				    "by it");
		return 0;
	}
	if (hull_read_fd(fd, TRUST_RECORD_MAX, &data, &len, &e) < 0 ||
	    hull_json_parse(data, len, path, &o, &e) < 0) {
		snprintf(why, wn, "%.150s", e.msg);
		hull_err_clear(&e);
		return 0;
	}
	md = hull_json_get_str(o, "manifestDigest");
	vb = hull_json_get_str(o, "verifiedBy");
	if (!md || strcmp(md, digest) || !vb || !*vb) {
		snprintf(why, wn, "the record names no verified signature of this digest");
		return 0;
	}
	snprintf(by, bn, "%s", vb);
	return 1;
}

static void eval_signature(const struct hull_spec *s, const struct hull_audit_host_facts *facts,
			   struct hull_audit_finding *f)
{
	/* Only hull launch's own annotation: it names the manifest it verified and mounted. */
	const char *digest = hull_spec_annotation(s, "io.hull.image.digest");
	char v[HULL_AUDIT_VALUE_MAX], by[160], why[200];
	if (!digest || !*digest) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", "null",
			       "no io.hull.image.digest: only images started by hull launch carry "
			       "the digest that was verified");
		return;
	}
	snprintf(v, sizeof v, "\"%.160s\"", digest);
	if (strncmp(digest, "sha256:", 7) || strlen(digest) != 71 ||
	    strspn(digest + 7, "0123456789abcdef") != 64) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", v,
			       "io.hull.image.digest is not a sha256 digest");
		return;
	}
	if (!facts->storage_root) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", v,
			       "no image store to look up verification records in");
		return;
	}
	if (trust_record(facts->storage_root, digest, by, sizeof by, why, sizeof why) == 1)
		hull_audit_set(f, HULL_AUDIT_PASS, ".annotations", v, "signature verified: %.200s", by);
	else
		hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", v,
			       "the trust policy never verified a signature for this digest (%.180s)",
			       why);
}

static void eval_policy_rule(const struct hull_admission_policy *p, int rule,
			     const struct hull_spec *s, const struct hull_audit_host_facts *facts,
			     struct hull_audit_finding *f)
{
	char v[HULL_AUDIT_VALUE_MAX];
	const char *digest;
	switch (rule) {
	case PC_CAPS: {
		uint64_t extra = audit_caps_granted(s) & ~p->max_caps;
		if (extra) {
			audit_caps_json(extra, v, sizeof v);
			hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities", v,
				       "%d capabilities beyond the policy's maxCapabilities",
				       __builtin_popcountll(extra));
		} else {
			hull_audit_set(f, HULL_AUDIT_PASS, ".process.capabilities", NULL,
				       "within maxCapabilities");
		}
		break;
	}
	case PC_BINDS:
		eval_binds(p, s, f);
		break;
	case PC_SECCOMP:
		audit_c_seccomp(s, facts, f);
		break;
	case PC_USERNS:
		audit_c_user_namespace(s, facts, f);
		break;
	case PC_DIGEST:
		digest = hull_admission_image_digest(s);
		if (!digest) {
			hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", "null",
				       "the engine recorded no image digest (io.hull.image.digest, "
				       "io.kubernetes.cri-o.ImageRef, io.kubernetes.cri.image-id)");
			break;
		}
		snprintf(v, sizeof v, "\"%.160s\"", digest);
		for (char **d = p->image_digests; d && *d; d++)
			/* CRI-O records the bare hex id. */
			if (!strcmp(digest, *d) || !strcmp(digest, *d + 7)) {
				hull_audit_set(f, HULL_AUDIT_PASS, ".annotations", v,
					       "the image digest is allowed");
				return;
			}
		hull_audit_set(f, HULL_AUDIT_FAIL, ".annotations", v,
			       "the image digest is not in images.allowedDigests");
		break;
	case PC_SIGNATURE:
		eval_signature(s, facts, f);
		break;
	}
}

void hull_admission_evaluate(const struct hull_admission_policy *p, const struct hull_spec *spec,
			     const struct hull_audit_host_facts *facts,
			     struct hull_admission_decision *out)
{
	const struct hull_audit_check *cat;
	size_t n = hull_audit_checks(&cat);
	struct hull_audit_report *r = &out->report;
	bool rules[PC_N] = {
	    [PC_CAPS] = p->has_max_caps,
	    [PC_BINDS] = p->has_host_paths,
	    [PC_SECCOMP] = p->require_seccomp,
	    [PC_USERNS] = p->require_userns,
	    [PC_DIGEST] = p->image_digests != NULL,
	    [PC_SIGNATURE] = p->require_signature,
	};

	memset(r, 0, sizeof *r);
	out->verdict = HULL_VERDICT_ALLOW;
	out->n_failed = 0;
	r->target = HULL_TARGET_CONTAINER;
	r->standards = p->standards;
	if (p->mode == HULL_ADMISSION_OFF)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct hull_audit_check *c = &cat[i];
		bool want = false;
		struct hull_audit_finding *f;
		if (c->target != HULL_TARGET_CONTAINER || ignored(p, c))
			continue;
		if ((c->standards & p->standards) && c->severity >= p->min_severity)
			want = true;
		for (size_t k = 0; k < p->n_require; k++)
			if (p->require[k] == c)
				want = true;
		if (!want || !(f = hull_audit_report_add(r, c, HULL_AUDIT_NA)))
			continue;
		hull_audit_container_check(c, spec, facts, f);
	}
	for (int k = 0; k < PC_N; k++) {
		struct hull_audit_finding *f;
		if (!rules[k] ||
		    !(f = hull_audit_report_add(r, &hull_policy_checks[k], HULL_AUDIT_NA)))
			continue;
		eval_policy_rule(p, k, spec, facts, f);
	}
	hull_audit_report_count(r);
	out->n_failed = r->counts[HULL_AUDIT_FAIL];
	if (out->n_failed)
		out->verdict =
		    p->mode == HULL_ADMISSION_ENFORCE ? HULL_VERDICT_DENY : HULL_VERDICT_WARN;
}

const char *hull_admission_verdict_name(int verdict)
{
	static const char *const n[] = {"allow", "warn", "deny"};
	return verdict >= 0 && verdict < 3 ? n[verdict] : "?";
}

char *hull_admission_message(const struct hull_admission_decision *d, const char *id,
			     const char *policy_path)
{
	hull_buf b = {0};
	size_t k = 0;
	hull_buf_printf(&b, "admission %s container \"%s\" (policy %s): %zu check%s failed:",
			d->verdict == HULL_VERDICT_DENY ? "refused" : "warning for", id,
			policy_path, d->n_failed, d->n_failed == 1 ? "" : "s");
	for (size_t i = 0; i < d->report.n; i++) {
		const struct hull_audit_finding *f = &d->report.f[i];
		const struct hull_audit_check *c = f->check;
		if (f->status != HULL_AUDIT_FAIL)
			continue;
		hull_buf_printf(&b, " (%zu) %s", ++k, c->id);
		if (c->cis || c->pss)
			hull_buf_printf(&b, " [%s%s%s%s%s]", c->cis ? "CIS " : "",
					c->cis ? c->cis : "", c->cis && c->pss ? ", " : "",
					c->pss ? "PSS " : "", c->pss ? c->pss : "");
		hull_buf_printf(&b, ": %s", f->detail);
		if (f->path[0] && f->value[0])
			hull_buf_printf(&b, " (%s = %s)", f->path, f->value);
		hull_buf_printf(&b, "; fix: %s", c->remediation);
	}
	return hull_buf_steal(&b);
}

json_object *hull_admission_record(const struct hull_admission_decision *d,
				   const struct hull_admission_context *ctx)
{
	json_object *o = json_object_new_object(), *checks;
	if (!o)
		return NULL;
	hull_json_add_str(o, "time", ctx->time);
	hull_json_add_str(o, "event", "admission");
	hull_json_add_str(o, "decision", hull_admission_verdict_name(d->verdict));
	hull_json_add_str(o, "id", ctx->id);
	hull_json_add_str(o, "bundle", ctx->bundle);
	hull_json_add_int(o, "uid", ctx->uid);
	hull_json_add_int(o, "callerPid", ctx->caller_pid);
	if (ctx->caller_comm)
		hull_json_add_str(o, "caller", ctx->caller_comm);
	hull_json_add_str(o, "policy", ctx->policy_path);
	hull_json_add_int(o, "failed", (int64_t)d->n_failed);
	checks = json_object_new_array();
	for (size_t i = 0; i < d->report.n; i++) {
		const struct hull_audit_finding *f = &d->report.f[i];
		json_object *c = json_object_new_object();
		hull_json_add_str(c, "id", f->check->id);
		hull_json_add_str(c, "status", hull_audit_status_name(f->status));
		if (f->status == HULL_AUDIT_FAIL) {
			if (f->path[0])
				hull_json_add_str(c, "path", f->path);
			if (f->value[0])
				hull_json_add_str(c, "value", f->value);
			hull_json_add_str(c, "detail", f->detail);
		}
		json_object_array_add(checks, c);
	}
	hull_json_add(o, "checks", checks);
	return o;
}
