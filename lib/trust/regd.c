/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "trust/regd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "trust/policy.h"

#define MAX_SCOPES 4096

struct ns {
	char *scope; /* NULL for default-docker */
	char *lookaside, *staging;
	int attachments; /* -1 unset */
	char *from;	 /* file that defined it */
};

struct hull_regd {
	struct ns *v;
	size_t n;
	bool has_default;
};

void hull_regd_free(struct hull_regd *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].scope);
		free(c->v[i].lookaside);
		free(c->v[i].staging);
		free(c->v[i].from);
	}
	free(c->v);
	free(c);
}

struct yp {
	yaml_parser_t p;
	const char *what;
	hull_err *err;
};

static int yfail(struct yp *y, const yaml_event_t *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int yfail(struct yp *y, const yaml_event_t *ev, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ev)
		return hull_failk(y->err, HULL_ERR_INVALID, 0, "%s: line %zu: %s", y->what,
				  ev->start_mark.line + 1, msg);
	return hull_failk(y->err, HULL_ERR_INVALID, 0, "%s: %s", y->what, msg);
}

/* The next event; anchors and aliases are refused (no use here, and alias expansion is how
 * YAML bombs work). */
static int next(struct yp *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->p, ev))
		return hull_failk(y->err, HULL_ERR_INVALID, 0, "%s: line %zu: %s", y->what,
				  y->p.problem_mark.line + 1,
				  y->p.problem ? y->p.problem : "invalid YAML");
	if (ev->type == YAML_ALIAS_EVENT ||
	    (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.anchor) ||
	    (ev->type == YAML_MAPPING_START_EVENT && ev->data.mapping_start.anchor) ||
	    (ev->type == YAML_SEQUENCE_START_EVENT && ev->data.sequence_start.anchor)) {
		int rc = yfail(y, ev, "YAML anchors and aliases are not allowed here");
		yaml_event_delete(ev);
		return rc;
	}
	return 0;
}

static bool scalar_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static int scalar_bool(const char *v)
{
	static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On",
					"ON"};
	static const char *const f[] = {"false", "False", "FALSE", "no", "No",
					"NO",	 "off",	  "Off",   "OFF"};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcmp(v, t[i]))
			return 1;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (!strcmp(v, f[i]))
			return 0;
	return -1;
}

static struct ns *ns_add(struct hull_regd *c, const char *scope, const char *from)
{
	struct ns *v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v)
		return NULL;
	c->v = v;
	memset(&v[c->n], 0, sizeof v[c->n]);
	v[c->n].attachments = -1;
	v[c->n].scope = scope ? strdup(scope) : NULL;
	v[c->n].from = strdup(from);
	if ((scope && !v[c->n].scope) || !v[c->n].from) {
		free(v[c->n].scope);
		free(v[c->n].from);
		return NULL;
	}
	return &v[c->n++];
}

static struct ns *ns_find(struct hull_regd *c, const char *scope)
{
	for (size_t i = 0; i < c->n; i++)
		if (scope ? c->v[i].scope && !strcmp(c->v[i].scope, scope) : !c->v[i].scope)
			return &c->v[i];
	return NULL;
}

/* A namespace's mapping (the MAPPING_START was consumed). */
static int parse_ns(struct yp *y, struct ns *n)
{
	bool seen[5] = {0};
	static const char *const keys[] = {"lookaside", "lookaside-staging", "sigstore",
					   "sigstore-staging", "use-sigstore-attachments"};
	for (;;) {
		yaml_event_t k, v;
		size_t i;
		if (next(y, &k) < 0)
			return -1;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return 0;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&k);
			return yfail(y, NULL, "expected a key of a signature storage entry");
		}
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp((char *)k.data.scalar.value, keys[i]))
				break;
		if (i == ARRAY_SIZE(keys)) {
			int rc = yfail(y, &k, "unknown key \"%.64s\" (known: lookaside, "
					      "lookaside-staging, use-sigstore-attachments)",
				       (char *)k.data.scalar.value);
			yaml_event_delete(&k);
			return rc;
		}
		if (seen[i]) {
			int rc = yfail(y, &k, "\"%s\" appears twice", keys[i]);
			yaml_event_delete(&k);
			return rc;
		}
		seen[i] = true;
		if (next(y, &v) < 0) {
			yaml_event_delete(&k);
			return -1;
		}
		if (v.type != YAML_SCALAR_EVENT) {
			int rc = yfail(y, &k, "\"%s\" must be a single value", keys[i]);
			yaml_event_delete(&k);
			yaml_event_delete(&v);
			return rc;
		}
		if (!scalar_null(&v)) {
			const char *val = (const char *)v.data.scalar.value;
			if (i == 4) {
				n->attachments = scalar_bool(val);
				if (n->attachments < 0) {
					int rc = yfail(y, &v, "use-sigstore-attachments must be "
							      "true or false");
					yaml_event_delete(&k);
					yaml_event_delete(&v);
					return rc;
				}
			} else {
				/* lookaside wins over the old name sigstore (same for staging). */
				char **dst = (i == 0 || i == 2) ? &n->lookaside : &n->staging;
				if (!*dst || i < 2) {
					free(*dst);
					*dst = strdup(val);
					if (!*dst) {
						yaml_event_delete(&k);
						yaml_event_delete(&v);
						return hull_fail(y->err, ENOMEM, "registries.d");
					}
				}
			}
		}
		yaml_event_delete(&k);
		yaml_event_delete(&v);
	}
}

/* A value that must be a mapping or null. Returns 1 for a mapping (start consumed), 0 for
 * null. */
static int mapping_or_null(struct yp *y, const char *what)
{
	yaml_event_t ev;
	int rc;
	if (next(y, &ev) < 0)
		return -1;
	if (ev.type == YAML_MAPPING_START_EVENT)
		rc = 1;
	else if (ev.type == YAML_SCALAR_EVENT && scalar_null(&ev))
		rc = 0;
	else
		rc = yfail(y, &ev, "%s must be a mapping", what);
	yaml_event_delete(&ev);
	return rc;
}

static int parse_docker(struct yp *y, struct hull_regd *c)
{
	for (;;) {
		yaml_event_t k;
		struct ns *n;
		int m;
		_cleanup_free_ char *scope = NULL;
		if (next(y, &k) < 0)
			return -1;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return 0;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&k);
			return yfail(y, NULL, "docker: expected a scope name");
		}
		scope = strdup((char *)k.data.scalar.value);
		if (!scope) {
			yaml_event_delete(&k);
			return hull_fail(y->err, ENOMEM, "registries.d");
		}
		if ((n = ns_find(c, scope))) {
			int rc = yfail(y, &k, "docker scope \"%.200s\" is also defined in %s", scope,
				       n->from);
			yaml_event_delete(&k);
			return rc;
		}
		yaml_event_delete(&k);
		if (c->n >= MAX_SCOPES)
			return yfail(y, NULL, "more than %d scopes", MAX_SCOPES);
		if (!(n = ns_add(c, scope, y->what)))
			return hull_fail(y->err, ENOMEM, "registries.d");
		m = mapping_or_null(y, "a docker scope");
		if (m < 0 || (m == 1 && parse_ns(y, n) < 0))
			return -1;
	}
}

static int parse_top(struct yp *y, struct hull_regd *c)
{
	bool seen_default = false, seen_docker = false;
	for (;;) {
		yaml_event_t k;
		int m;
		if (next(y, &k) < 0)
			return -1;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return 0;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			yaml_event_delete(&k);
			return yfail(y, NULL, "expected default-docker or docker");
		}
		if (!strcmp((char *)k.data.scalar.value, "default-docker")) {
			struct ns *n;
			if (seen_default || c->has_default) {
				int rc = yfail(y, &k, "default-docker is defined twice%s%s",
					       c->has_default ? ", also in " : "",
					       c->has_default ? ns_find(c, NULL)->from : "");
				yaml_event_delete(&k);
				return rc;
			}
			yaml_event_delete(&k);
			seen_default = true;
			m = mapping_or_null(y, "default-docker");
			if (m < 0)
				return -1;
			if (m == 1) {
				if (!(n = ns_add(c, NULL, y->what)))
					return hull_fail(y->err, ENOMEM, "registries.d");
				c->has_default = true;
				if (parse_ns(y, n) < 0)
					return -1;
			}
		} else if (!strcmp((char *)k.data.scalar.value, "docker")) {
			if (seen_docker) {
				int rc = yfail(y, &k, "docker is defined twice");
				yaml_event_delete(&k);
				return rc;
			}
			yaml_event_delete(&k);
			seen_docker = true;
			m = mapping_or_null(y, "docker");
			if (m < 0 || (m == 1 && parse_docker(y, c) < 0))
				return -1;
		} else {
			int rc = yfail(y, &k, "unknown top-level key \"%.64s\"",
				       (char *)k.data.scalar.value);
			yaml_event_delete(&k);
			return rc;
		}
	}
}

int hull_regd_parse(const char *text, size_t len, const char *what, struct hull_regd **c,
		    hull_err *err)
{
	struct yp y = {.what = what, .err = err};
	yaml_event_t ev;
	int rc = -1, docs = 0;
	bool created = false;
	if (len > HULL_REGD_FILE_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_REGD_FILE_MAX);
	if (!*c) {
		*c = calloc(1, sizeof **c);
		if (!*c)
			return hull_fail(err, ENOMEM, "registries.d");
		created = true;
	}
	if (!yaml_parser_initialize(&y.p))
		return hull_fail(err, ENOMEM, "registries.d");
	yaml_parser_set_input_string(&y.p, (const unsigned char *)text, len);
	for (;;) {
		if (next(&y, &ev) < 0)
			goto out;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			if (++docs > 1) {
				yaml_event_delete(&ev);
				yfail(&y, NULL, "more than one YAML document");
				goto out;
			}
		} else if (ev.type == YAML_MAPPING_START_EVENT) {
			yaml_event_delete(&ev);
			if (parse_top(&y, *c) < 0)
				goto out;
			continue;
		} else if (ev.type == YAML_SCALAR_EVENT && !scalar_null(&ev)) {
			yaml_event_delete(&ev);
			yfail(&y, NULL, "expected a mapping at the top level");
			goto out;
		} else if (ev.type == YAML_SEQUENCE_START_EVENT) {
			yaml_event_delete(&ev);
			yfail(&y, NULL, "expected a mapping at the top level");
			goto out;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
out:
	yaml_parser_delete(&y.p);
	if (rc < 0 && created) {
		hull_regd_free(*c);
		*c = NULL;
	}
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *default_dir(void)
{
	const char *e = getenv("HULL_REGISTRIES_D"), *home = getenv("HOME");
	struct stat st;
	if (e && *e)
		return strdup(e);
	if (home && *home == '/') {
		char *u = hull_strdup_printf("%s/.config/containers/registries.d", home);
		if (u && stat(u, &st) == 0 && S_ISDIR(st.st_mode))
			return u;
		free(u);
	}
	return strdup(HULL_REGD_DIR);
}

int hull_regd_load(const char *dir, struct hull_regd **out, hull_err *err)
{
	_cleanup_free_ char *def = NULL;
	_cleanup_close_ int dfd = -1;
	_cleanup_strv_ char **names = NULL;
	DIR *d;
	struct dirent *de;
	size_t n = 0;
	*out = NULL;
	if (!dir && !(dir = def = default_dir()))
		return hull_fail(err, ENOMEM, "registries.d");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		return hull_fail(err, errno, "registries.d %s", dir);
	}
	d = fdopendir(dup(dfd));
	if (!d)
		return hull_fail(err, errno, "registries.d %s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !hull_str_has_suffix(de->d_name, ".yaml"))
			continue;
		if (++n > HULL_REGD_MAX_FILES || hull_strv_push(&names, de->d_name) < 0) {
			closedir(d);
			return n > HULL_REGD_MAX_FILES
				   ? hull_failk(err, HULL_ERR_LIMIT, 0,
						"registries.d %s: more than %d files", dir,
						HULL_REGD_MAX_FILES)
				   : hull_fail(err, ENOMEM, "registries.d");
		}
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL, *what = NULL;
		size_t len;
		what = hull_strdup_printf("%s/%s", dir, names[i]);
		if (!what)
			goto oom;
		if (hull_read_file_at(dfd, names[i], 0, HULL_REGD_FILE_MAX, &text, &len, err) < 0 ||
		    hull_regd_parse(text, len, what, out, err) < 0) {
			hull_regd_free(*out);
			*out = NULL;
			return hull_wrap(err, "registries.d");
		}
	}
	return 0;
oom:
	hull_regd_free(*out);
	*out = NULL;
	return hull_fail(err, ENOMEM, "registries.d");
}

/* Scopes from most to least specific, then default-docker; first one setting the value. */
static const struct ns *lookup(const struct hull_regd *c, const struct hull_ref *ref,
			       bool (*has)(const struct ns *, bool), bool write)
{
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **ns = NULL;
	if (!c)
		return NULL;
	id = hull_policy_docker_identity(ref);
	ns = hull_policy_docker_namespaces(ref);
	for (size_t k = 0; id && k <= hull_strv_len(ns); k++) {
		const char *want = k == 0 ? id : ns[k - 1];
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i].scope && !strcmp(c->v[i].scope, want) && has(&c->v[i], write))
				return &c->v[i];
	}
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].scope && has(&c->v[i], write))
			return &c->v[i];
	return NULL;
}

static bool has_url(const struct ns *n, bool write)
{
	return n->lookaside || (write && n->staging);
}

static bool has_attach(const struct ns *n, bool write)
{
	(void)write;
	return n->attachments >= 0;
}

const char *hull_regd_lookaside(const struct hull_regd *c, const struct hull_ref *ref, bool write)
{
	const struct ns *n = lookup(c, ref, has_url, write);
	if (!n)
		return NULL;
	return write && n->staging ? n->staging : n->lookaside;
}

int hull_regd_use_attachments(const struct hull_regd *c, const struct hull_ref *ref)
{
	const struct ns *n = lookup(c, ref, has_attach, false);
	return n ? n->attachments : -1;
}

char *hull_lookaside_default(void)
{
	const char *home = getenv("HOME");
	if (geteuid() == 0)
		return strdup("file:///var/lib/containers/sigstore");
	return hull_strdup_printf("file://%s/.local/share/containers/sigstore",
				  home && *home == '/' ? home : "/tmp");
}
