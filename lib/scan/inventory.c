/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/inventory.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

const char *hull_pkg_type_name(enum hull_pkg_type t)
{
	static const char *const n[] = {"deb", "apk",	 "rpm",	  "pypi",
					"npm", "golang", "maven", "golang"};
	return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "generic";
}

bool hull_pkg_type_is_os(enum hull_pkg_type t)
{
	return t == HULL_PKG_DEB || t == HULL_PKG_APK || t == HULL_PKG_RPM;
}

void hull_inventory_init(struct hull_inventory *inv)
{
	memset(inv, 0, sizeof *inv);
}

void hull_inventory_free(struct hull_inventory *inv)
{
	free(inv->pkgs);
	free(inv->facts);
	free(inv->secrets);
	free(inv->notes);
	hull_arena_free(&inv->arena);
	memset(inv, 0, sizeof *inv);
}

char *hull_inv_strdup(struct hull_inventory *inv, const char *s)
{
	return s ? hull_arena_strdup(&inv->arena, s) : NULL;
}

char *hull_inv_strndup(struct hull_inventory *inv, const char *s, size_t n)
{
	char *p = hull_arena_alloc(&inv->arena, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = reallocarray(*arr, nc, elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

struct hull_pkg *hull_inventory_add(struct hull_inventory *inv, const struct hull_pkg *p)
{
	struct hull_pkg *d;
	if (grow((void **)&inv->pkgs, &inv->cap_pkgs, inv->npkgs, sizeof *inv->pkgs) < 0)
		return NULL;
	d = &inv->pkgs[inv->npkgs];
	memset(d, 0, sizeof *d);
	d->type = p->type;
#define DUP(f)                                                                                     \
	if (p->f && !(d->f = hull_inv_strdup(inv, p->f)))                                          \
		return NULL;
	DUP(name)
	DUP(version)
	DUP(arch)
	DUP(src_name)
	DUP(src_version)
	DUP(group)
	DUP(license)
	DUP(location)
	DUP(owned_by)
#undef DUP
	inv->npkgs++;
	return d;
}

int hull_inventory_add_fact(struct hull_inventory *inv, enum hull_fact_kind kind, const char *path,
			    uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size)
{
	struct hull_file_fact *f;
	if (grow((void **)&inv->facts, &inv->cap_facts, inv->nfacts, sizeof *inv->facts) < 0)
		return -1;
	f = &inv->facts[inv->nfacts];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->path = hull_inv_strdup(inv, path);
	f->mode = mode;
	f->uid = uid;
	f->gid = gid;
	f->size = size;
	if (!f->path)
		return -1;
	inv->nfacts++;
	return 0;
}

int hull_inventory_add_secret(struct hull_inventory *inv, const struct hull_secret *s)
{
	struct hull_secret *d;
	if (grow((void **)&inv->secrets, &inv->cap_secrets, inv->nsecrets, sizeof *inv->secrets) <
	    0)
		return -1;
	d = &inv->secrets[inv->nsecrets];
	*d = *s;
	d->path = hull_inv_strdup(inv, s->path);
	d->match = hull_inv_strdup(inv, s->match);
	if (!d->path || !d->match)
		return -1;
	inv->nsecrets++;
	return 0;
}

int hull_inventory_note(struct hull_inventory *inv, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	char *s;
	if (inv->nnotes >= 1000)
		return 0; /* notes are advice; never let them grow without bound */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (grow((void **)&inv->notes, &inv->cap_notes, inv->nnotes, sizeof *inv->notes) < 0)
		return -1;
	s = hull_inv_strdup(inv, buf);
	if (!s)
		return -1;
	inv->notes[inv->nnotes++] = s;
	return 0;
}

/* purl-spec percent-encoding: everything but unreserved characters (and ':' in versions of
 * deb/rpm, which purl-spec's test vectors keep literal). */
static void purl_escape(hull_buf *b, const char *s, bool keep_colon)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) || (keep_colon && *p == ':'))
			hull_buf_append(b, p, 1);
		else
			hull_buf_printf(b, "%%%02X", *p);
	}
}

static void purl_lower_escape(hull_buf *b, const char *s)
{
	char tmp[512];
	size_t i;
	for (i = 0; i < sizeof tmp - 1 && s[i]; i++)
		tmp[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	tmp[i] = '\0';
	purl_escape(b, tmp, false);
}

/* Debian's and others' distro qualifier: "debian-12", "alpine-3.18.4", "almalinux-9.2". */
static void purl_distro(hull_buf *b, const struct hull_os *os, bool *first)
{
	if (!os->id)
		return;
	hull_buf_puts(b, *first ? "?" : "&");
	*first = false;
	hull_buf_puts(b, "distro=");
	purl_escape(b, os->id, false);
	if (os->version_id) {
		hull_buf_puts(b, "-");
		purl_escape(b, os->version_id, false);
	}
}

const char *hull_pkg_purl(struct hull_inventory *inv, const struct hull_pkg *p)
{
	hull_buf b = {0};
	bool first = true;
	const char *ver = p->version;
	const char *epoch = NULL;
	char *out;
	_Static_assert(HULL_PKG_GOSTDLIB == 7, "purl types");

	hull_buf_puts(&b, "pkg:");
	switch (p->type) {
	case HULL_PKG_DEB:
		hull_buf_puts(&b, "deb/");
		purl_lower_escape(&b, inv->os.id ? inv->os.id : "debian");
		hull_buf_puts(&b, "/");
		purl_lower_escape(&b, p->name);
		break;
	case HULL_PKG_APK:
		hull_buf_puts(&b, "apk/");
		purl_lower_escape(&b, inv->os.id ? inv->os.id : "alpine");
		hull_buf_puts(&b, "/");
		purl_lower_escape(&b, p->name);
		break;
	case HULL_PKG_RPM: {
		const char *colon = ver ? strchr(ver, ':') : NULL;
		hull_buf_puts(&b, "rpm/");
		purl_lower_escape(&b, inv->os.id ? inv->os.id : "redhat");
		hull_buf_puts(&b, "/");
		purl_escape(&b, p->name, false); /* rpm names are case sensitive */
		if (colon) {
			epoch = hull_inv_strndup(inv, ver, (size_t)(colon - ver));
			ver = colon + 1;
		}
		break;
	}
	case HULL_PKG_PYPI: {
		/* PEP 503 normalisation: lower case, runs of "-_." become "-". */
		char tmp[512];
		size_t o = 0;
		for (const char *s = p->name; *s && o < sizeof tmp - 1; s++) {
			char c = *s;
			if (c == '_' || c == '.' || c == '-') {
				if (o && tmp[o - 1] == '-')
					continue;
				c = '-';
			} else if (c >= 'A' && c <= 'Z') {
				c = (char)(c + 32);
			}
			tmp[o++] = c;
		}
		tmp[o] = '\0';
		hull_buf_puts(&b, "pypi/");
		purl_escape(&b, tmp, false);
		break;
	}
	case HULL_PKG_NPM: {
		const char *slash = p->name[0] == '@' ? strchr(p->name, '/') : NULL;
		hull_buf_puts(&b, "npm/");
		if (slash) {
			char *scope = hull_inv_strndup(inv, p->name, (size_t)(slash - p->name));
			purl_escape(&b, scope ? scope : "", false);
			hull_buf_puts(&b, "/");
			purl_escape(&b, slash + 1, false);
		} else {
			purl_escape(&b, p->name, false);
		}
		break;
	}
	case HULL_PKG_GOLANG:
	case HULL_PKG_GOSTDLIB: {
		/* Go module paths keep their slashes as namespace separators. */
		hull_buf_puts(&b, "golang/");
		for (const char *s = p->name; *s;) {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			char *seg = hull_inv_strndup(inv, s, n);
			purl_escape(&b, seg ? seg : "", false);
			if (!e)
				break;
			hull_buf_puts(&b, "/");
			s = e + 1;
		}
		break;
	}
	case HULL_PKG_MAVEN:
		hull_buf_puts(&b, "maven/");
		if (p->group) {
			purl_escape(&b, p->group, false);
			hull_buf_puts(&b, "/");
		}
		purl_escape(&b, p->name, false);
		break;
	}
	if (ver) {
		hull_buf_puts(&b, "@");
		purl_escape(&b, ver, p->type == HULL_PKG_DEB || p->type == HULL_PKG_RPM);
	}
	if (p->arch && hull_pkg_type_is_os(p->type)) {
		hull_buf_puts(&b, "?arch=");
		purl_escape(&b, p->arch, false);
		first = false;
	}
	if (hull_pkg_type_is_os(p->type)) {
		if (epoch) {
			hull_buf_puts(&b, first ? "?epoch=" : "&epoch=");
			purl_escape(&b, epoch, false);
			first = false;
		}
		purl_distro(&b, &inv->os, &first);
		if (p->src_name && strcmp(p->src_name, p->name)) {
			hull_buf_puts(&b, first ? "?upstream=" : "&upstream=");
			purl_escape(&b, p->src_name, false);
			first = false;
		}
	}
	if (!b.data)
		return NULL;
	out = hull_inv_strdup(inv, b.data);
	hull_buf_free(&b);
	return out;
}

static int str_cmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int pkg_cmp(const void *x, const void *y)
{
	const struct hull_pkg *a = x, *b = y;
	int c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = strcmp(a->name, b->name)))
		return c;
	if ((c = str_cmp_null(a->version, b->version)))
		return c;
	if ((c = str_cmp_null(a->arch, b->arch)))
		return c;
	return str_cmp_null(a->location, b->location);
}

static int fact_cmp(const void *x, const void *y)
{
	const struct hull_file_fact *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : (int)a->kind - (int)b->kind;
}

static int secret_cmp(const void *x, const void *y)
{
	const struct hull_secret *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

/* Reports list files in path order, whatever order the directory or the layers gave. */
int hull_inventory_finish(struct hull_inventory *inv, hull_err *err)
{
	size_t o = 0;
	for (size_t i = 0; i < inv->npkgs; i++)
		if (!inv->pkgs[i].dead)
			inv->pkgs[o++] = inv->pkgs[i];
	inv->npkgs = o;
	o = 0;
	for (size_t i = 0; i < inv->nfacts; i++)
		if (!inv->facts[i].dead)
			inv->facts[o++] = inv->facts[i];
	inv->nfacts = o;
	o = 0;
	for (size_t i = 0; i < inv->nsecrets; i++)
		if (!inv->secrets[i].dead)
			inv->secrets[o++] = inv->secrets[i];
	inv->nsecrets = o;
	if (inv->nfacts)
		qsort(inv->facts, inv->nfacts, sizeof *inv->facts, fact_cmp);
	if (inv->nsecrets)
		qsort(inv->secrets, inv->nsecrets, sizeof *inv->secrets, secret_cmp);
	o = 0;
	if (inv->npkgs)
		qsort(inv->pkgs, inv->npkgs, sizeof *inv->pkgs, pkg_cmp);
	for (size_t i = 0; i < inv->npkgs; i++) {
		if (o && !pkg_cmp(&inv->pkgs[o - 1], &inv->pkgs[i]))
			continue;
		inv->pkgs[o++] = inv->pkgs[i];
	}
	inv->npkgs = o;
	for (size_t i = 0; i < inv->npkgs; i++) {
		struct hull_pkg *p = &inv->pkgs[i];
		char ref[64];
		p->purl = hull_pkg_purl(inv, p);
		/* bom-refs are positional so that two copies of one package in different files
		 * (two node_modules trees) stay distinct components. */
		snprintf(ref, sizeof ref, "pkg-%zu", i + 1);
		p->bom_ref = hull_inv_strdup(inv, ref);
		if (!p->purl || !p->bom_ref)
			return hull_fail(err, ENOMEM, "inventory");
	}
	return 0;
}
