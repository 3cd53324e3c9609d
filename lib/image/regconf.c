/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/regconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/util.h"

#define MAX_REGISTRIES 512
#define MAX_MIRRORS    16
#define MAX_LIST       512

struct mirror {
	char *location;
	bool insecure;
};

struct registry {
	char *prefix, *location;
	bool insecure, blocked;
	struct mirror mirrors[MAX_MIRRORS];
	size_t n_mirrors;
};

struct hull_regconf {
	struct registry *v;
	size_t n;
	char **insecure_v1, **blocked_v1;
};

void hull_regconf_free(struct hull_regconf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].prefix);
		free(c->v[i].location);
		for (size_t k = 0; k < c->v[i].n_mirrors; k++)
			free(c->v[i].mirrors[k].location);
	}
	free(c->v);
	hull_strv_free(c->insecure_v1);
	hull_strv_free(c->blocked_v1);
	free(c);
}

enum section { SEC_NONE, SEC_REGISTRY, SEC_MIRROR, SEC_V1_INSECURE, SEC_V1_BLOCK, SEC_OTHER };

struct parser {
	const char *p, *end, *what;
	int line;
	hull_err *err;
};

static int perr(struct parser *ps, const char *why)
{
	return hull_failk(ps->err, HULL_ERR_INVALID, 0, "%s:%d: %s", ps->what, ps->line, why);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

/* A basic string "..." with the escapes TOML allows for these files; literal 'x' too. */
static int parse_string(struct parser *ps, char **out)
{
	hull_buf b = {0};
	char q = *ps->p++;
	/* hull_buf_steal of a never-appended buffer is not NUL-terminated: start with "". */
	if (hull_buf_append(&b, "", 0) < 0)
		return hull_fail(ps->err, ENOMEM, "%s", ps->what);
	while (ps->p < ps->end && *ps->p != q && *ps->p != '\n') {
		char c = *ps->p++;
		if (c == '\\' && q == '"') {
			if (ps->p >= ps->end)
				break;
			c = *ps->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
			case '"':
				break;
			default:
				hull_buf_free(&b);
				return perr(ps, "unsupported escape in string");
			}
		}
		if (c == '\0') {
			hull_buf_free(&b);
			return perr(ps, "NUL byte in string");
		}
		if (hull_buf_append(&b, &c, 1) < 0) {
			hull_buf_free(&b);
			return hull_fail(ps->err, ENOMEM, "%s", ps->what);
		}
	}
	if (ps->p >= ps->end || *ps->p != q) {
		hull_buf_free(&b);
		return perr(ps, "unterminated string");
	}
	ps->p++;
	*out = hull_buf_steal(&b);
	return *out ? 0 : hull_fail(ps->err, ENOMEM, "%s", ps->what);
}

enum vtype { V_STRING, V_BOOL, V_LIST, V_OTHER };
struct value {
	enum vtype t;
	char *s;
	bool b;
	char **list;
};

static void value_free(struct value *v)
{
	free(v->s);
	hull_strv_free(v->list);
	memset(v, 0, sizeof *v);
}

static int parse_value(struct parser *ps, struct value *v)
{
	memset(v, 0, sizeof *v);
	skip_ws(ps);
	if (ps->p >= ps->end)
		return perr(ps, "missing value");
	if (*ps->p == '"' || *ps->p == '\'') {
		v->t = V_STRING;
		return parse_string(ps, &v->s);
	}
	if (ps->end - ps->p >= 4 && !strncmp(ps->p, "true", 4)) {
		v->t = V_BOOL;
		v->b = true;
		ps->p += 4;
		return 0;
	}
	if (ps->end - ps->p >= 5 && !strncmp(ps->p, "false", 5)) {
		v->t = V_BOOL;
		ps->p += 5;
		return 0;
	}
	if (*ps->p == '[') {
		size_t n = 0;
		v->t = V_LIST;
		v->list = calloc(1, sizeof(char *));
		if (!v->list)
			return hull_fail(ps->err, ENOMEM, "%s", ps->what);
		ps->p++;
		for (;;) {
			char *s;
			while (ps->p < ps->end && strchr(" \t\r\n,", *ps->p)) {
				if (*ps->p == '\n')
					ps->line++;
				ps->p++;
			}
			if (ps->p < ps->end && *ps->p == '#') {
				while (ps->p < ps->end && *ps->p != '\n')
					ps->p++;
				continue;
			}
			if (ps->p >= ps->end)
				return perr(ps, "unterminated list");
			if (*ps->p == ']') {
				ps->p++;
				return 0;
			}
			if (*ps->p != '"' && *ps->p != '\'')
				return perr(ps, "lists hold strings only");
			if (++n > MAX_LIST)
				return perr(ps, "list too long");
			if (parse_string(ps, &s) < 0)
				return -1;
			if (hull_strv_push(&v->list, s) < 0) {
				free(s);
				return hull_fail(ps->err, ENOMEM, "%s", ps->what);
			}
			free(s);
		}
	}
	/* Numbers, dates, inline tables: not used by the keys hull reads; skip to the line end. */
	v->t = V_OTHER;
	while (ps->p < ps->end && *ps->p != '\n' && *ps->p != '#')
		ps->p++;
	return 0;
}

static int end_of_line(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '#')
		while (ps->p < ps->end && *ps->p != '\n')
			ps->p++;
	if (ps->p < ps->end && *ps->p == '\r')
		ps->p++;
	if (ps->p < ps->end && *ps->p != '\n')
		return perr(ps, "unexpected text after the value");
	return 0;
}

static int assign(struct parser *ps, struct hull_regconf *c, enum section sec, const char *key,
		  struct value *v)
{
	struct registry *r = c->n ? &c->v[c->n - 1] : NULL;
	if (sec == SEC_REGISTRY || sec == SEC_MIRROR) {
		bool is_str = v->t == V_STRING, is_bool = v->t == V_BOOL;
		if (sec == SEC_MIRROR) {
			struct mirror *m = &r->mirrors[r->n_mirrors - 1];
			if (!strcmp(key, "location")) {
				if (!is_str)
					return perr(ps, "location must be a string");
				free(m->location);
				m->location = TAKE_PTR(v->s);
			} else if (!strcmp(key, "insecure")) {
				if (!is_bool)
					return perr(ps, "insecure must be true or false");
				m->insecure = v->b;
			}
			return 0;
		}
		if (!strcmp(key, "prefix") || !strcmp(key, "location")) {
			if (!is_str)
				return perr(ps, "prefix and location must be strings");
			if (!strcmp(key, "prefix")) {
				free(r->prefix);
				r->prefix = TAKE_PTR(v->s);
			} else {
				free(r->location);
				r->location = TAKE_PTR(v->s);
			}
		} else if (!strcmp(key, "insecure") || !strcmp(key, "blocked")) {
			if (!is_bool)
				return perr(ps, "insecure and blocked must be true or false");
			if (key[0] == 'i')
				r->insecure = v->b;
			else
				r->blocked = v->b;
		}
		return 0;
	}
	if ((sec == SEC_V1_INSECURE || sec == SEC_V1_BLOCK) && !strcmp(key, "registries")) {
		if (v->t != V_LIST)
			return perr(ps, "registries must be a list of strings");
		if (sec == SEC_V1_INSECURE) {
			hull_strv_free(c->insecure_v1);
			c->insecure_v1 = TAKE_PTR(v->list);
		} else {
			hull_strv_free(c->blocked_v1);
			c->blocked_v1 = TAKE_PTR(v->list);
		}
	}
	return 0;
}

int hull_regconf_parse(const char *text, size_t len, const char *what, struct hull_regconf **out,
		       hull_err *err)
{
	struct hull_regconf *c = calloc(1, sizeof *c);
	struct parser ps = {text, text + len, what, 1, err};
	enum section sec = SEC_NONE;
	*out = NULL;
	if (!c)
		return hull_fail(err, ENOMEM, "%s", what);
	if (len > HULL_REGCONF_MAX_SIZE) {
		hull_regconf_free(c);
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: larger than %u bytes", what,
				  HULL_REGCONF_MAX_SIZE);
	}
	while (ps.p < ps.end) {
		skip_ws(&ps);
		if (ps.p >= ps.end)
			break;
		if (*ps.p == '\n' || *ps.p == '\r' || *ps.p == '#') {
			while (ps.p < ps.end && *ps.p != '\n')
				ps.p++;
		} else if (*ps.p == '[') {
			const char *e = memchr(ps.p, '\n', (size_t)(ps.end - ps.p));
			size_t n = e ? (size_t)(e - ps.p) : (size_t)(ps.end - ps.p);
			char hdr[64];
			while (n > 0 && strchr(" \t\r", ps.p[n - 1]))
				n--;
			{
				const char *hash = memchr(ps.p, '#', n);
				if (hash)
					n = (size_t)(hash - ps.p);
				while (n > 0 && strchr(" \t\r", ps.p[n - 1]))
					n--;
			}
			snprintf(hdr, sizeof hdr, "%.*s", (int)(n < 63 ? n : 63), ps.p);
			if (!strcmp(hdr, "[[registry]]")) {
				struct registry *nv;
				if (c->n >= MAX_REGISTRIES)
					goto fail_msg_many;
				nv = realloc(c->v, (c->n + 1) * sizeof *nv);
				if (!nv)
					goto oom;
				c->v = nv;
				memset(&c->v[c->n++], 0, sizeof *nv);
				sec = SEC_REGISTRY;
			} else if (!strcmp(hdr, "[[registry.mirror]]")) {
				struct registry *r = c->n ? &c->v[c->n - 1] : NULL;
				if (!r) {
					perr(&ps, "[[registry.mirror]] outside a [[registry]]");
					goto fail;
				}
				if (r->n_mirrors >= MAX_MIRRORS) {
					perr(&ps, "too many mirrors");
					goto fail;
				}
				r->n_mirrors++;
				sec = SEC_MIRROR;
			} else if (!strcmp(hdr, "[registries.insecure]")) {
				sec = SEC_V1_INSECURE;
			} else if (!strcmp(hdr, "[registries.block]")) {
				sec = SEC_V1_BLOCK;
			} else if (hdr[n - 1 < 63 ? n - 1 : 62] == ']' || n >= 63) {
				sec = SEC_OTHER;
			} else {
				perr(&ps, "malformed table header");
				goto fail;
			}
			ps.p += (e ? (size_t)(e - ps.p) : (size_t)(ps.end - ps.p));
		} else {
			char key[64];
			size_t kl = 0;
			struct value v;
			if (*ps.p == '"' || *ps.p == '\'') {
				char *qk;
				if (parse_string(&ps, &qk) < 0)
					goto fail;
				snprintf(key, sizeof key, "%s", qk);
				free(qk);
			} else {
				while (ps.p + kl < ps.end &&
				       strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789-_.",
					      ps.p[kl]) &&
				       ps.p[kl] && kl < sizeof key - 1)
					kl++;
				if (!kl) {
					perr(&ps, "expected a key, a table header or a comment");
					goto fail;
				}
				memcpy(key, ps.p, kl);
				key[kl] = '\0';
				ps.p += kl;
			}
			skip_ws(&ps);
			if (ps.p >= ps.end || *ps.p != '=') {
				perr(&ps, "expected '=' after the key");
				goto fail;
			}
			ps.p++;
			if (parse_value(&ps, &v) < 0)
				goto fail_v;
			if (assign(&ps, c, sec, key, &v) < 0 || end_of_line(&ps) < 0) {
				value_free(&v);
				goto fail;
			}
			value_free(&v);
			continue;
		fail_v:
			value_free(&v);
			goto fail;
		}
		if (ps.p < ps.end && *ps.p == '\n') {
			ps.p++;
			ps.line++;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		if (!c->v[i].prefix && !c->v[i].location) {
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "%s: a [[registry]] needs a prefix or a location", what);
			goto fail;
		}
		for (size_t k = 0; k < c->v[i].n_mirrors; k++)
			if (!c->v[i].mirrors[k].location) {
				hull_failk(err, HULL_ERR_INVALID, 0,
					   "%s: a [[registry.mirror]] needs a location", what);
				goto fail;
			}
	}
	*out = c;
	return 0;
fail_msg_many:
	perr(&ps, "too many [[registry]] tables");
	goto fail;
oom:
	hull_fail(err, ENOMEM, "%s", what);
fail:
	hull_regconf_free(c);
	return -1;
}

int hull_regconf_load(const char *path, struct hull_regconf **out, hull_err *err)
{
	static const char *const defaults[] = {"/etc/hull/registries.conf",
					       "/etc/containers/registries.conf"};
	const char *env = getenv("HULL_REGISTRIES_CONF");
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	*out = NULL;
	if (!path && env && *env)
		path = env;
	for (size_t i = 0; !path && i < ARRAY_SIZE(defaults); i++)
		if (access(defaults[i], R_OK) == 0)
			path = defaults[i];
	if (path &&
	    hull_read_file_at(AT_FDCWD, path, 0, HULL_REGCONF_MAX_SIZE, &data, &len, err) < 0)
		return hull_wrap(err, "registries configuration");
	return hull_regconf_parse(data ? data : "", len, path ? path : "registries.conf", out, err);
}

void hull_endpoints_free(struct hull_endpoints *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].host);
		free(e->v[i].repo);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* "host[:port]/a/b" -> host and "a/b" + rest. */
static int add_endpoint(struct hull_endpoints *e, const char *location, const char *rest,
			bool insecure, bool mirror)
{
	const char *slash = strchr(location, '/');
	struct hull_endpoint *nv = realloc(e->v, (e->n + 1) * sizeof *nv), *ep;
	if (!nv)
		return -1;
	e->v = nv;
	ep = &e->v[e->n];
	memset(ep, 0, sizeof *ep);
	ep->host = slash ? strndup(location, (size_t)(slash - location)) : strdup(location);
	if (slash && *rest)
		ep->repo = hull_strdup_printf("%s/%s", slash + 1, rest);
	else
		ep->repo = strdup(slash ? slash + 1 : rest);
	if (ep->host && !strcmp(ep->host, "docker.io")) {
		free(ep->host);
		ep->host = strdup("registry-1.docker.io");
	}
	ep->insecure = insecure;
	ep->mirror = mirror;
	if (!ep->host || !ep->repo) {
		free(ep->host);
		free(ep->repo);
		return -1;
	}
	e->n++;
	return 0;
}

static bool prefix_matches(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);
	while (n > 0 && prefix[n - 1] == '/')
		n--;
	if (!strncmp(prefix, "*.", 2)) {
		/* "*.example.com" matches any subdomain host. */
		const char *slash = strchr(name, '/');
		size_t hl = slash ? (size_t)(slash - name) : strlen(name);
		return hl > n - 1 && !strncmp(name + hl - (n - 1), prefix + 1, n - 1);
	}
	return !strncmp(prefix, name, n) &&
	       (name[n] == '/' || name[n] == '\0' || name[n] == ':' || name[n] == '@');
}

static bool in_list(char **v, const char *host)
{
	for (; v && *v; v++)
		if (!strcmp(*v, host))
			return true;
	return false;
}

int hull_regconf_endpoints(const struct hull_regconf *c, const struct hull_ref *ref,
			   struct hull_endpoints *out, hull_err *err)
{
	_cleanup_free_ char *name = hull_ref_repo(ref);
	const struct registry *best = NULL;
	size_t best_len = 0;
	memset(out, 0, sizeof *out);
	if (!name)
		return hull_fail(err, ENOMEM, "registries");
	for (size_t i = 0; c && i < c->n; i++) {
		const char *p = c->v[i].prefix ? c->v[i].prefix : c->v[i].location;
		size_t pl = strlen(p);
		if (prefix_matches(p, name) && pl >= best_len) {
			best = &c->v[i];
			best_len = pl;
		}
	}
	if (c && in_list(c->blocked_v1, ref->domain))
		return hull_failk(err, HULL_ERR_REJECTED, 0,
				  "registry %s is blocked by the registries "
				  "configuration",
				  ref->domain);
	if (best && best->blocked)
		return hull_failk(err, HULL_ERR_REJECTED, 0,
				  "%s is blocked by the registries configuration (prefix \"%s\")",
				  name, best->prefix ? best->prefix : best->location);
	if (best) {
		const char *p = best->prefix ? best->prefix : best->location;
		size_t pl = strlen(p);
		const char *rest;
		while (pl > 0 && p[pl - 1] == '/')
			pl--;
		rest = name + (strncmp(p, "*.", 2) ? pl : strcspn(name, "/"));
		while (*rest == '/')
			rest++;
		for (size_t k = 0; k < best->n_mirrors; k++)
			if (add_endpoint(out, best->mirrors[k].location, rest,
					 best->mirrors[k].insecure, true) < 0)
				goto oom;
		if (best->location && strncmp(p, "*.", 2)) {
			if (add_endpoint(out, best->location, rest, best->insecure, false) < 0)
				goto oom;
			return 0;
		}
		if (add_endpoint(out, ref->domain, ref->path, best->insecure, false) < 0)
			goto oom;
		return 0;
	}
	if (add_endpoint(out, ref->domain, ref->path, c && in_list(c->insecure_v1, ref->domain),
			 false) < 0)
		goto oom;
	return 0;
oom:
	hull_endpoints_free(out);
	return hull_fail(err, ENOMEM, "registries");
}
