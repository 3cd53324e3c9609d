/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/match.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "scan/advisory.h"

#define MAX_EVENTS 1000

void hull_match_result_free(struct hull_match_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hull_finding *f = &r->f[i];
		free(f->id);
		free(f->ns);
		free(f->summary);
		free(f->severity);
		free(f->aliases);
		free(f->related);
		free(f->refs);
		free(f->published);
		free(f->modified);
		free(f->ecosystem);
		free(f->match_name);
		free(f->installed);
		free(f->fixed);
		free(f->range);
	}
	free(r->f);
	memset(r, 0, sizeof *r);
}

/* "3.18.4" -> "3.18"; "9.2" -> "9"; into out. */
static bool version_prefix(const char *v, int parts, char *out, size_t size)
{
	size_t n = 0;
	int seen = 0;
	if (!v || !*v)
		return false;
	while (n < size - 1 && v[n]) {
		if (v[n] == '.' && ++seen == parts)
			break;
		n++;
	}
	memcpy(out, v, n);
	out[n] = '\0';
	return n > 0;
}

void hull_pep503_name(const char *in, char *out, size_t size)
{
	size_t o = 0;
	for (; *in && o < size - 1; in++) {
		char c = *in;
		if (c == '_' || c == '.' || c == '-') {
			if (o && out[o - 1] == '-')
				continue;
			c = '-';
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c + 32);
		}
		out[o++] = c;
	}
	out[o] = '\0';
}

bool hull_pkg_match_key(const struct hull_os *os, const struct hull_pkg *p, char *eco,
			size_t eco_size, char *name, size_t name_size, const char **version,
			enum hull_ver_scheme *scheme)
{
	char v[64];
	switch (p->type) {
	case HULL_PKG_DEB:
		if (!os->id || strcmp(os->id, "debian"))
			return false; /* Ubuntu and derivatives have their own advisories */
		if (os->version_id && version_prefix(os->version_id, 1, v, sizeof v))
			snprintf(eco, eco_size, "Debian:%s", v);
		else if (os->codename && adv_debian_ecosystem(os->codename))
			/* testing and unstable have no VERSION_ID, only a codename */
			snprintf(eco, eco_size, "%s", adv_debian_ecosystem(os->codename));
		else
			return false;
		/* Debian advisories name source packages and their versions (binNMUs differ). */
		snprintf(name, name_size, "%s", p->src_name ? p->src_name : p->name);
		*version = p->src_version ? p->src_version : p->version;
		*scheme = HULL_VER_DEB;
		return true;
	case HULL_PKG_APK:
		if (!os->id || strcmp(os->id, "alpine") ||
		    !version_prefix(os->version_id, 2, v, sizeof v))
			return false;
		/* secdb "v3.18" applies to every 3.18.x */
		snprintf(eco, eco_size, "Alpine:v%s", v);
		snprintf(name, name_size, "%s", p->src_name ? p->src_name : p->name);
		*version = p->version;
		*scheme = HULL_VER_APK;
		return true;
	case HULL_PKG_RPM: {
		static const struct {
			const char *id, *eco;
		} t[] = {{"almalinux", "AlmaLinux"}, {"rocky", "Rocky Linux"}};
		size_t i;
		if (!os->id || !version_prefix(os->version_id, 1, v, sizeof v))
			return false;
		for (i = 0; i < ARRAY_SIZE(t); i++)
			if (!strcmp(os->id, t[i].id))
				break;
		if (i == ARRAY_SIZE(t))
			return false;
		snprintf(eco, eco_size, "%s:%s", t[i].eco, v);
		snprintf(name, name_size, "%s", p->name); /* ALSA/RLSA name binary rpms */
		*version = p->version;
		*scheme = HULL_VER_RPM;
		return true;
	}
	case HULL_PKG_PYPI:
		snprintf(eco, eco_size, "PyPI");
		hull_pep503_name(p->name, name, name_size);
		*version = p->version;
		*scheme = HULL_VER_PEP440;
		return true;
	case HULL_PKG_NPM:
		snprintf(eco, eco_size, "npm");
		snprintf(name, name_size, "%s", p->name);
		*version = p->version;
		*scheme = HULL_VER_SEMVER;
		return true;
	case HULL_PKG_GOLANG:
	case HULL_PKG_GOSTDLIB:
		snprintf(eco, eco_size, "Go");
		snprintf(name, name_size, "%s", p->name);
		*version = p->version;
		*scheme = HULL_VER_SEMVER;
		return true;
	case HULL_PKG_MAVEN:
		if (!p->group)
			return false; /* without a groupId the Maven coordinates are unknown */
		snprintf(eco, eco_size, "Maven");
		snprintf(name, name_size, "%s:%s", p->group, p->name);
		*version = p->version;
		*scheme = HULL_VER_MAVEN;
		return true;
	}
	return false;
}

struct event {
	int kind; /* 0 introduced, 1 fixed, 2 last_affected, 3 limit */
	const char *ver;
	bool zero; /* introduced "0": before everything */
};

struct sort_ctx {
	enum hull_ver_scheme s;
	bool failed;
};

static _Thread_local struct sort_ctx *g_sort;

static int event_cmp(const void *x, const void *y)
{
	const struct event *a = x, *b = y;
	int c = 0;
	if (a->zero || b->zero)
		return a->zero && b->zero ? 0 : a->zero ? -1 : 1;
	if (hull_vercmp(g_sort->s, a->ver, b->ver, &c, NULL) < 0)
		g_sort->failed = true;
	return c;
}

int hull_range_affects(enum hull_ver_scheme s, const char *rtype, const char *events,
		       const char *versions, const char *v, bool *affected, char **fixed,
		       hull_err *err)
{
	struct event ev[MAX_EVENTS];
	size_t n = 0;
	_cleanup_free_ char *copy = NULL;
	bool vuln = false;
	int c;

	*affected = false;
	*fixed = NULL;
	/* An exact entry of the versions list needs no comparator. */
	if (versions) {
		const char *p = versions;
		size_t vl = strlen(v);
		while (p && *p) {
			const char *e = strchr(p, '\n');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l == vl && !memcmp(p, v, l)) {
				*affected = true;
				return 0;
			}
			p = e ? e + 1 : NULL;
		}
	}
	if (!events || !rtype)
		return 0;
	if (!strcmp(rtype, "SEMVER"))
		s = HULL_VER_SEMVER;
	else if (strcmp(rtype, "ECOSYSTEM"))
		return 0;
	if (s == HULL_VER_NONE)
		return 0;
	if (!hull_ver_valid(s, v, err))
		return -1;
	copy = strdup(events);
	if (!copy)
		return hull_fail(err, ENOMEM, "match");
	for (char *line = strtok(copy, "\n"); line && n < MAX_EVENTS; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		ev[n].ver = sp + 1;
		if (!strcmp(line, "introduced"))
			ev[n].kind = 0;
		else if (!strcmp(line, "fixed"))
			ev[n].kind = 1;
		else if (!strcmp(line, "last_affected"))
			ev[n].kind = 2;
		else if (!strcmp(line, "limit"))
			ev[n].kind = 3;
		else
			continue;
		ev[n].zero = ev[n].kind == 0 && !strcmp(ev[n].ver, "0");
		if (!ev[n].zero && !hull_ver_valid(s, ev[n].ver, err))
			return hull_wrap(err, "range event %s", line);
		n++;
	}
	{
		struct sort_ctx sc = {.s = s};
		g_sort = &sc;
		qsort(ev, n, sizeof ev[0], event_cmp);
		g_sort = NULL;
		if (sc.failed)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "range with incomparable versions");
	}
	/* OSV evaluation: walk the sorted events; introduced opens, fixed/last_affected close. */
	for (size_t i = 0; i < n; i++) {
		if (ev[i].kind == 0) {
			if (ev[i].zero || (hull_vercmp(s, v, ev[i].ver, &c, NULL) == 0 && c >= 0))
				vuln = true;
		} else if (ev[i].kind == 1 || ev[i].kind == 3) {
			if (hull_vercmp(s, v, ev[i].ver, &c, NULL) == 0 && c >= 0)
				vuln = false;
		} else if (ev[i].kind == 2) {
			if (hull_vercmp(s, v, ev[i].ver, &c, NULL) == 0 && c > 0)
				vuln = false;
		}
	}
	if (!vuln)
		return 0;
	*affected = true;
	/* The fix: the first fixed event above v. */
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == 1 && hull_vercmp(s, v, ev[i].ver, &c, NULL) == 0 && c < 0) {
			*fixed = strdup(ev[i].ver);
			if (!*fixed)
				return hull_fail(err, ENOMEM, "match");
			break;
		}
	return 0;
}

struct match_ctx {
	struct hull_inventory *inv;
	const struct hull_pkg *pkg;
	const char *eco, *name, *version;
	enum hull_ver_scheme scheme;
	struct hull_match_result *out;
	size_t first; /* findings of this package start here */
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *range_text(const char *events, const char *versions, bool by_versions)
{
	hull_buf b = {0};
	if (by_versions) {
		hull_buf_puts(&b, "versions list");
	} else if (events) {
		for (const char *p = events; *p; p++)
			hull_buf_append(&b, *p == '\n' ? ", " : p, *p == '\n' ? 2 : 1);
	}
	(void)versions;
	return b.data ? hull_buf_steal(&b) : strdup("");
}

static int on_row(const struct hull_adv_row *r, void *data, hull_err *err)
{
	struct match_ctx *m = data;
	struct hull_finding *f;
	bool affected = false, by_versions = false;
	char *fixed = NULL;
	hull_err e = HULL_ERR_INIT;

	if (hull_range_affects(m->scheme, r->rtype, r->events, r->versions, m->version, &affected,
			       &fixed, &e) < 0) {
		hull_inventory_note(m->inv, "%s %s: advisory %s not evaluated: %s", m->pkg->name,
				    m->version, r->id, e.msg);
		hull_err_clear(&e);
		return 0;
	}
	if (!affected)
		return 0;
	if (r->versions && !fixed) {
		/* matched by the exact versions list (or an open range): keep it explicit */
		const char *p = strstr(r->versions, m->version);
		by_versions = p != NULL && !r->events;
	}
	/* Same advisory from two rows (two ranges, or two sources): one finding. */
	for (size_t i = m->first; i < m->out->n; i++)
		if (!strcmp(m->out->f[i].id, r->id)) {
			free(fixed);
			return 0;
		}
	if (m->out->n == m->out->cap) {
		size_t nc = m->out->cap ? m->out->cap * 2 : 64;
		struct hull_finding *nf = reallocarray(m->out->f, nc, sizeof *nf);
		if (!nf) {
			free(fixed);
			return hull_fail(err, ENOMEM, "match");
		}
		m->out->f = nf;
		m->out->cap = nc;
	}
	f = &m->out->f[m->out->n];
	memset(f, 0, sizeof *f);
	f->pkg = m->pkg;
	f->id = strdup(r->id);
	f->ns = dup_or_null(r->ns);
	f->summary = dup_or_null(r->summary);
	f->severity = strdup(r->severity ? r->severity : "UNKNOWN");
	f->aliases = dup_or_null(r->aliases);
	f->related = dup_or_null(r->related);
	f->refs = dup_or_null(r->refs);
	f->published = dup_or_null(r->published);
	f->modified = dup_or_null(r->modified);
	f->ecosystem = strdup(m->eco);
	f->match_name = strdup(m->name);
	f->installed = strdup(m->version);
	f->fixed = fixed;
	f->range = range_text(r->events, r->versions, by_versions);
	m->out->n++;
	if (!f->id || !f->severity || !f->ecosystem || !f->match_name || !f->installed || !f->range)
		return hull_fail(err, ENOMEM, "match");
	return 0;
}

int hull_match(struct hull_vulndb *db, struct hull_inventory *inv, struct hull_match_result *out,
	       hull_err *err)
{
	for (size_t i = 0; i < inv->npkgs; i++) {
		const struct hull_pkg *p = &inv->pkgs[i];
		char eco[128], name[1024];
		struct match_ctx m = {.inv = inv, .pkg = p, .out = out, .first = out->n};
		/* Shipped by the distribution: its OS package is what gets matched (owned.h). */
		if (p->owned_by && !hull_pkg_type_is_os(p->type))
			continue;
		if (!hull_pkg_match_key(&inv->os, p, eco, sizeof eco, name, sizeof name, &m.version,
					&m.scheme))
			continue;
		m.eco = eco;
		m.name = name;
		if (hull_vulndb_query(db, eco, name, on_row, &m, err) < 0)
			return hull_wrap(err, "match %s %s", p->name, p->version);
	}
	return 0;
}
