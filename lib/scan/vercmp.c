/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version comparators, written from each scheme's documented rules (see vercmp.h). Locale-free:
 * every character class is ASCII, so a version never sorts differently under another LANG. */
#include "scan/vercmp.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}
static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}
static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}
static int sign(long long v)
{
	return (v > 0) - (v < 0);
}

/* Compare two digit strings of given lengths numerically without converting them (no
 * overflow on 40-digit date stamps): leading zeros dropped, then length, then bytes. */
static int digits_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	while (al && *a == '0')
		a++, al--;
	while (bl && *b == '0')
		b++, bl--;
	if (al != bl)
		return al < bl ? -1 : 1;
	return sign(al ? memcmp(a, b, al) : 0);
}

static bool has_space_or_ctl(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return true;
	return false;
}

static int invalid(hull_err *err, const char *scheme, const char *v, const char *why)
{
	if (!err)
		return -1;
	return hull_failk(err, HULL_ERR_INVALID, 0, "invalid %s version \"%s\": %s", scheme, v,
			  why);
}

/* ---- dpkg (Debian Policy 5.6.12) ---- */

struct deb_ver {
	const char *epoch, *up, *rev; /* pointers into a copy */
	size_t epoch_len, up_len, rev_len;
};

static int deb_parse(const char *v, struct deb_ver *d, hull_err *err)
{
	const char *colon, *dash, *p;

	if (!*v)
		return invalid(err, "deb", v, "empty");
	if (has_space_or_ctl(v))
		return invalid(err, "deb", v, "contains whitespace or a control character");
	colon = strchr(v, ':');
	if (colon) {
		if (colon == v)
			return invalid(err, "deb", v, "empty epoch");
		for (p = v; p < colon; p++)
			if (!is_digit(*p))
				return invalid(err, "deb", v, "epoch is not a number");
		if (colon - v > 9)
			return invalid(err, "deb", v, "epoch is too big");
		d->epoch = v;
		d->epoch_len = (size_t)(colon - v);
		p = colon + 1;
	} else {
		d->epoch = "0";
		d->epoch_len = 1;
		p = v;
	}
	if (!*p)
		return invalid(err, "deb", v, "nothing after the epoch");
	dash = strrchr(p, '-');
	d->up = p;
	if (dash) {
		d->up_len = (size_t)(dash - p);
		d->rev = dash + 1;
		d->rev_len = strlen(dash + 1);
		if (!d->rev_len)
			return invalid(err, "deb", v, "empty revision");
	} else {
		d->up_len = strlen(p);
		d->rev = "";
		d->rev_len = 0;
	}
	if (!d->up_len)
		return invalid(err, "deb", v, "empty upstream version");
	if (!is_digit(d->up[0]))
		return invalid(err, "deb", v, "upstream version does not start with a digit");
	for (size_t i = 0; i < d->up_len; i++) {
		char c = d->up[i];
		if (!is_alnum(c) && !strchr(".+~-:", c))
			return invalid(err, "deb", v, "invalid character in the upstream version");
	}
	for (size_t i = 0; i < d->rev_len; i++) {
		char c = d->rev[i];
		if (!is_alnum(c) && !strchr(".+~", c))
			return invalid(err, "deb", v, "invalid character in the revision");
	}
	return 0;
}

/* Weight of a non-digit character: '~' before everything (even the end), the end and digits
 * next, then letters, then every other character. */
static int deb_weight(int c)
{
	if (c == '~')
		return -1;
	if (!c || is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	return c + 256;
}

static int deb_part_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	while (i < al || j < bl) {
		/* Non-digit run: character by character. */
		while ((i < al && !is_digit(a[i])) || (j < bl && !is_digit(b[j]))) {
			int wa = deb_weight(i < al ? a[i] : 0);
			int wb = deb_weight(j < bl ? b[j] : 0);
			if (wa != wb)
				return wa < wb ? -1 : 1;
			i++, j++;
		}
		/* Digit run: numerically (an empty run is 0). */
		{
			size_t si = i, sj = j;
			int c;
			while (i < al && is_digit(a[i]))
				i++;
			while (j < bl && is_digit(b[j]))
				j++;
			c = digits_cmp(a + si, i - si, b + sj, j - sj);
			if (c)
				return c;
		}
	}
	return 0;
}

static int deb_cmp(const struct deb_ver *a, const struct deb_ver *b)
{
	int c = digits_cmp(a->epoch, a->epoch_len, b->epoch, b->epoch_len);
	if (c)
		return c;
	c = deb_part_cmp(a->up, a->up_len, b->up, b->up_len);
	if (c)
		return c;
	return deb_part_cmp(a->rev, a->rev_len, b->rev, b->rev_len);
}

/* ---- rpm ---- */

int hull_rpmvercmp(const char *a, const char *b)
{
	const char *x = a, *y = b;

	if (!strcmp(a, b))
		return 0;
	while (*x || *y) {
		const char *sx, *sy;
		bool num;
		int c;

		while (*x && !is_alnum(*x) && *x != '~' && *x != '^')
			x++;
		while (*y && !is_alnum(*y) && *y != '~' && *y != '^')
			y++;
		/* '~' sorts before everything, the end of the string included. */
		if (*x == '~' || *y == '~') {
			if (*x != '~')
				return 1;
			if (*y != '~')
				return -1;
			x++, y++;
			continue;
		}
		/* '^' sorts after the end of the string but before anything else. */
		if (*x == '^' || *y == '^') {
			if (!*x)
				return -1;
			if (!*y)
				return 1;
			if (*x != '^')
				return 1;
			if (*y != '^')
				return -1;
			x++, y++;
			continue;
		}
		if (!*x || !*y)
			break;
		sx = x, sy = y;
		num = is_digit(*x);
		if (num) {
			while (is_digit(*x))
				x++;
			while (is_digit(*y))
				y++;
		} else {
			while (is_alpha(*x))
				x++;
			while (is_alpha(*y))
				y++;
		}
		if (y == sy) /* segments of different kinds: a number beats letters */
			return num ? 1 : -1;
		if (num) {
			c = digits_cmp(sx, (size_t)(x - sx), sy, (size_t)(y - sy));
		} else {
			size_t lx = (size_t)(x - sx), ly = (size_t)(y - sy);
			c = sign(memcmp(sx, sy, lx < ly ? lx : ly));
			if (!c && lx != ly)
				c = lx < ly ? -1 : 1;
		}
		if (c)
			return c;
	}
	if (!*x && !*y)
		return 0;
	return *x ? 1 : -1;
}

struct rpm_evr {
	char *buf;
	const char *epoch, *ver, *rel;
};

static int rpm_parse(const char *v, struct rpm_evr *e, hull_err *err)
{
	char *colon, *dash;

	if (!*v)
		return invalid(err, "rpm", v, "empty");
	if (has_space_or_ctl(v))
		return invalid(err, "rpm", v, "contains whitespace or a control character");
	e->buf = strdup(v);
	if (!e->buf)
		return hull_fail(err, ENOMEM, "compare versions");
	e->epoch = "0";
	e->ver = e->buf;
	e->rel = "";
	colon = strchr(e->buf, ':');
	if (colon) {
		*colon = '\0';
		if (!*e->buf || strlen(e->buf) > 9)
			goto bad_epoch;
		for (char *p = e->buf; *p; p++)
			if (!is_digit(*p))
				goto bad_epoch;
		e->epoch = e->buf;
		e->ver = colon + 1;
	}
	dash = strrchr((char *)e->ver, '-');
	if (dash) {
		*dash = '\0';
		e->rel = dash + 1;
		if (!*e->rel) {
			free(e->buf);
			return invalid(err, "rpm", v, "empty release");
		}
	}
	if (!*e->ver) {
		free(e->buf);
		return invalid(err, "rpm", v, "empty version");
	}
	return 0;
bad_epoch:
	free(e->buf);
	return invalid(err, "rpm", v, "epoch is not a number");
}

/* EVR order: epoch numerically, then version, then release with rpmvercmp. A missing release
 * on either side compares equal, as rpm does for a dependency written without one. */
static int rpm_cmp(const struct rpm_evr *a, const struct rpm_evr *b)
{
	int c = digits_cmp(a->epoch, strlen(a->epoch), b->epoch, strlen(b->epoch));
	if (c)
		return c;
	c = hull_rpmvercmp(a->ver, b->ver);
	if (c || !*a->rel || !*b->rel)
		return c;
	return hull_rpmvercmp(a->rel, b->rel);
}

/* ---- apk (apk-tools grammar: digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}) ---- */

#define APK_MAX_NUMS 32
#define APK_MAX_SUFS 8

struct apk_ver {
	struct {
		const char *s;
		size_t len;
	} num[APK_MAX_NUMS];
	int nnum;
	int letter; /* 0 when absent */
	struct {
		int kind; /* negative: pre-release, positive: post-release */
		const char *n;
		size_t nlen; /* 0: no number (sorts below any number) */
	} suf[APK_MAX_SUFS];
	int nsuf;
	const char *rev;
	size_t revlen;
	bool has_rev;
};

static const struct {
	const char *name;
	int kind;
} apk_suffixes[] = {
    {"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1}, {"cvs", 1},
    {"svn", 2},	   {"git", 3},	 {"hg", 4},   {"p", 5},
};

static int apk_parse(const char *v, struct apk_ver *a, hull_err *err)
{
	const char *p = v;

	memset(a, 0, sizeof *a);
	if (!*v)
		return invalid(err, "apk", v, "empty");
	if (!is_digit(*p))
		return invalid(err, "apk", v, "does not start with a digit");
	for (;;) {
		const char *s = p;
		while (is_digit(*p))
			p++;
		if (p == s)
			return invalid(err, "apk", v, "empty number component");
		if (a->nnum == APK_MAX_NUMS)
			return invalid(err, "apk", v, "too many components");
		a->num[a->nnum].s = s;
		a->num[a->nnum].len = (size_t)(p - s);
		a->nnum++;
		if (*p != '.')
			break;
		p++;
	}
	if (*p >= 'a' && *p <= 'z')
		a->letter = *p++;
	while (*p == '_') {
		size_t k, len;
		const char *s = ++p;
		while (*p >= 'a' && *p <= 'z')
			p++;
		len = (size_t)(p - s);
		for (k = 0; k < (sizeof apk_suffixes / sizeof apk_suffixes[0]); k++)
			if (strlen(apk_suffixes[k].name) == len &&
			    !memcmp(apk_suffixes[k].name, s, len))
				break;
		if (k == (sizeof apk_suffixes / sizeof apk_suffixes[0]))
			return invalid(err, "apk", v, "unknown suffix");
		if (a->nsuf == APK_MAX_SUFS)
			return invalid(err, "apk", v, "too many suffixes");
		a->suf[a->nsuf].kind = apk_suffixes[k].kind;
		s = p;
		while (is_digit(*p))
			p++;
		a->suf[a->nsuf].n = s;
		a->suf[a->nsuf].nlen = (size_t)(p - s);
		a->nsuf++;
	}
	if (*p == '~') {
		const char *s = ++p;
		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			p++;
		if (p == s)
			return invalid(err, "apk", v, "empty commit hash");
	}
	if (*p == '-') {
		const char *s;
		if (p[1] != 'r')
			return invalid(err, "apk", v, "expected -r after the version");
		p += 2;
		s = p;
		while (is_digit(*p))
			p++;
		if (p == s)
			return invalid(err, "apk", v, "empty revision number");
		a->rev = s;
		a->revlen = (size_t)(p - s);
		a->has_rev = true;
	}
	if (*p)
		return invalid(err, "apk", v, "unexpected character");
	return 0;
}

/* A component other than the first that starts with '0' is compared as a string (apk treats
 * "1.01" and "1.001" as decimal fractions). */
static int apk_num_cmp(const struct apk_ver *a, const struct apk_ver *b, int i)
{
	const char *x = a->num[i].s, *y = b->num[i].s;
	size_t xl = a->num[i].len, yl = b->num[i].len;
	if (i > 0 && (x[0] == '0' || y[0] == '0')) {
		int c = sign(memcmp(x, y, xl < yl ? xl : yl));
		if (c)
			return c;
		return xl == yl ? 0 : (xl < yl ? -1 : 1);
	}
	return digits_cmp(x, xl, y, yl);
}

static int apk_cmp(const struct apk_ver *a, const struct apk_ver *b)
{
	int c, n = a->nnum < b->nnum ? a->nnum : b->nnum;

	for (int i = 0; i < n; i++) {
		c = apk_num_cmp(a, b, i);
		if (c)
			return c;
	}
	/* More number components is newer: 1.0.1 > 1.0a > 1.0 > 1.0_rc1. */
	if (a->nnum != b->nnum)
		return a->nnum > b->nnum ? 1 : -1;
	if (a->letter != b->letter)
		return a->letter < b->letter ? -1 : 1;
	for (int i = 0; i < a->nsuf || i < b->nsuf; i++) {
		int ka = i < a->nsuf ? a->suf[i].kind : 0;
		int kb = i < b->nsuf ? b->suf[i].kind : 0;
		if (ka != kb)
			return ka < kb ? -1 : 1;
		if (i < a->nsuf && i < b->nsuf) {
			size_t la = a->suf[i].nlen, lb = b->suf[i].nlen;
			if (!la || !lb) {
				if (la != lb)
					return la < lb ? -1 : 1;
			} else {
				c = digits_cmp(a->suf[i].n, la, b->suf[i].n, lb);
				if (c)
					return c;
			}
		}
	}
	/* No revision sorts below -r0. */
	if (a->has_rev != b->has_rev)
		return a->has_rev ? 1 : -1;
	if (a->has_rev)
		return digits_cmp(a->rev, a->revlen, b->rev, b->revlen);
	return 0;
}

/* ---- SemVer 2.0.0 ---- */

struct sem_ver {
	const char *core[3];
	size_t core_len[3];
	const char *pre; /* NULL when absent */
	size_t pre_len;
};

static int semver_parse(const char *v, struct sem_ver *s, hull_err *err)
{
	const char *p = v;
	int i;

	memset(s, 0, sizeof *s);
	if (*p == 'v')
		p++;
	for (i = 0; i < 3; i++) {
		const char *st = p;
		while (is_digit(*p))
			p++;
		if (p == st)
			return invalid(err, "semver", v, "expected a number");
		s->core[i] = st;
		s->core_len[i] = (size_t)(p - st);
		if (*p != '.')
			break;
		p++;
	}
	/* "1.2" is read as 1.2.0 (seen in advisories); the missing parts are zero. */
	for (i = i + 1; i < 3; i++) {
		s->core[i] = "0";
		s->core_len[i] = 1;
	}
	if (*p == '-') {
		s->pre = ++p;
		while (is_alnum(*p) || *p == '.' || *p == '-')
			p++;
		s->pre_len = (size_t)(p - s->pre);
		if (!s->pre_len || s->pre[0] == '.' || s->pre[s->pre_len - 1] == '.' ||
		    memmem(s->pre, s->pre_len, "..", 2))
			return invalid(err, "semver", v, "empty pre-release identifier");
	}
	if (*p == '+') {
		p++;
		if (!*p)
			return invalid(err, "semver", v, "empty build metadata");
		while (is_alnum(*p) || *p == '.' || *p == '-')
			p++;
	}
	if (*p)
		return invalid(err, "semver", v, "unexpected character");
	return 0;
}

static int semver_pre_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	while (i < al && j < bl) {
		size_t si = i, sj = j;
		bool na = true, nb = true;
		int c;
		while (i < al && a[i] != '.')
			na &= is_digit(a[i++]);
		while (j < bl && b[j] != '.')
			nb &= is_digit(b[j++]);
		if (na && nb) {
			c = digits_cmp(a + si, i - si, b + sj, j - sj);
		} else if (na != nb) {
			c = na ? -1 : 1; /* numeric identifiers sort below alphanumeric ones */
		} else {
			size_t la = i - si, lb = j - sj;
			c = sign(memcmp(a + si, b + sj, la < lb ? la : lb));
			if (!c && la != lb)
				c = la < lb ? -1 : 1;
		}
		if (c)
			return c;
		i += i < al, j += j < bl;
	}
	if (i < al)
		return 1;
	if (j < bl)
		return -1;
	return 0;
}

static int semver_cmp(const struct sem_ver *a, const struct sem_ver *b)
{
	for (int i = 0; i < 3; i++) {
		int c = digits_cmp(a->core[i], a->core_len[i], b->core[i], b->core_len[i]);
		if (c)
			return c;
	}
	if (!a->pre || !b->pre)
		return a->pre ? -1 : b->pre ? 1 : 0;
	return semver_pre_cmp(a->pre, a->pre_len, b->pre, b->pre_len);
}

/* ---- PEP 440 ---- */

#define PEP_MAX_REL 32

struct pep_ver {
	long long epoch;
	long long rel[PEP_MAX_REL];
	int nrel;
	int pre_kind; /* 0 none, 1 a, 2 b, 3 rc */
	long long pre_n;
	bool has_post, has_dev;
	long long post_n, dev_n;
	char local[128];
};

static bool pep_num(const char **pp, long long *out)
{
	const char *p = *pp;
	long long v = 0;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p)) {
		if (v > (LLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	*pp = p;
	*out = v;
	return true;
}

static bool pep_word(const char **pp, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i < n; i++)
		if (lower((*pp)[i]) != w[i])
			return false;
	*pp += n;
	return true;
}

static void pep_sep(const char **pp)
{
	if (**pp == '-' || **pp == '_' || **pp == '.')
		(*pp)++;
}

static int pep_parse(const char *v, struct pep_ver *pv, hull_err *err)
{
	const char *p = v, *save;
	long long n;

	memset(pv, 0, sizeof *pv);
	while (*p == ' ')
		p++;
	if (lower(*p) == 'v')
		p++;
	if (!pep_num(&p, &n))
		return invalid(err, "pep440", v, "expected a number");
	if (*p == '!') {
		pv->epoch = n;
		p++;
		if (!pep_num(&p, &n))
			return invalid(err, "pep440", v, "expected a release after the epoch");
	}
	pv->rel[pv->nrel++] = n;
	while (*p == '.' && is_digit(p[1])) {
		p++;
		if (pv->nrel == PEP_MAX_REL || !pep_num(&p, &n))
			return invalid(err, "pep440", v, "bad release segment");
		pv->rel[pv->nrel++] = n;
	}
	/* Pre-release: a, b, rc and their spellings alpha, beta, c, pre, preview. */
	save = p;
	pep_sep(&p);
	{
		static const struct {
			const char *w;
			int kind;
		} pre[] = {{"alpha", 1}, {"beta", 2}, {"preview", 3}, {"pre", 3},
			   {"rc", 3},	 {"a", 1},    {"b", 2},	      {"c", 3}};
		size_t k;
		for (k = 0; k < sizeof pre / sizeof pre[0]; k++)
			if (pep_word(&p, pre[k].w))
				break;
		if (k < sizeof pre / sizeof pre[0]) {
			pv->pre_kind = pre[k].kind;
			pep_sep(&p);
			if (!pep_num(&p, &pv->pre_n))
				pv->pre_n = 0;
		} else {
			p = save;
		}
	}
	/* Post-release: ".post1", "-1", "rev1", "r1". */
	save = p;
	if (*p == '-' && is_digit(p[1])) {
		p++;
		pep_num(&p, &pv->post_n);
		pv->has_post = true;
	} else {
		pep_sep(&p);
		if (pep_word(&p, "post") || pep_word(&p, "rev") || pep_word(&p, "r")) {
			pv->has_post = true;
			pep_sep(&p);
			if (!pep_num(&p, &pv->post_n))
				pv->post_n = 0;
		} else {
			p = save;
		}
	}
	save = p;
	pep_sep(&p);
	if (pep_word(&p, "dev")) {
		pv->has_dev = true;
		if (!pep_num(&p, &pv->dev_n))
			pv->dev_n = 0;
	} else {
		p = save;
	}
	if (*p == '+') {
		size_t i = 0;
		p++;
		if (!is_alnum(*p))
			return invalid(err, "pep440", v, "empty local version");
		while (is_alnum(*p) || *p == '.' || *p == '-' || *p == '_') {
			if (i + 1 >= sizeof pv->local)
				return invalid(err, "pep440", v, "local version too long");
			pv->local[i++] = (char)(is_alnum(*p) ? lower(*p) : '.');
			p++;
		}
		pv->local[i] = '\0';
	}
	while (*p == ' ')
		p++;
	if (*p)
		return invalid(err, "pep440", v, "unexpected character");
	return 0;
}

static int pep_cmp(const struct pep_ver *a, const struct pep_ver *b)
{
	int n = a->nrel > b->nrel ? a->nrel : b->nrel;
	long long ka, kb;
	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	for (int i = 0; i < n; i++) {
		long long x = i < a->nrel ? a->rel[i] : 0, y = i < b->nrel ? b->rel[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	/* Pre-release key: a dev release of a final version sorts before its pre-releases, the
	 * final version after them (kinds: a 1, b 2, rc 3). */
	ka = a->pre_kind ? a->pre_kind : ((!a->has_post && a->has_dev) ? 0 : 4);
	kb = b->pre_kind ? b->pre_kind : ((!b->has_post && b->has_dev) ? 0 : 4);
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (a->pre_kind && a->pre_n != b->pre_n)
		return a->pre_n < b->pre_n ? -1 : 1;
	ka = a->has_post ? a->post_n : -1;
	kb = b->has_post ? b->post_n : -1;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	ka = a->has_dev ? a->dev_n : LLONG_MAX;
	kb = b->has_dev ? b->dev_n : LLONG_MAX;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (!a->local[0] || !b->local[0])
		return a->local[0] ? 1 : b->local[0] ? -1 : 0;
	return semver_pre_cmp(a->local, strlen(a->local), b->local, strlen(b->local));
}

/* ---- Maven (ComparableVersion order, flattened) ---- */

#define MVN_MAX_ITEMS 32

struct mvn_item {
	bool num;
	const char *s;
	size_t len;
	int qrank; /* qualifiers: alpha 0 .. sp 6, unknown 7 */
};

static int mvn_qrank(const char *s, size_t len, bool before_digit)
{
	static const struct {
		const char *w;
		int rank;
	} q[] = {{"alpha", 0}, {"beta", 1},	{"milestone", 2}, {"rc", 3},
		 {"cr", 3},    {"snapshot", 4}, {"", 5},	  {"ga", 5},
		 {"final", 5}, {"release", 5},	{"sp", 6}};
	if (before_digit && len == 1) {
		if (lower(s[0]) == 'a')
			return 0;
		if (lower(s[0]) == 'b')
			return 1;
		if (lower(s[0]) == 'm')
			return 2;
	}
	for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
		if (strlen(q[k].w) != len)
			continue;
		size_t i;
		for (i = 0; i < len && lower(s[i]) == q[k].w[i]; i++)
			;
		if (i == len)
			return q[k].rank;
	}
	return 7;
}

static int mvn_parse(const char *v, struct mvn_item *it, int *n, hull_err *err)
{
	const char *p = v;
	*n = 0;
	if (!*v || has_space_or_ctl(v))
		return invalid(err, "maven", v, "empty or contains whitespace");
	while (*p) {
		const char *s = p;
		bool num = is_digit(*p);
		if (*p == '.' || *p == '-' || *p == '_' || *p == '+') {
			p++;
			continue;
		}
		while (*p && *p != '.' && *p != '-' && *p != '_' && *p != '+' &&
		       is_digit(*p) == num)
			p++;
		if (*n == MVN_MAX_ITEMS)
			return invalid(err, "maven", v, "too many components");
		it[*n].num = num;
		it[*n].s = s;
		it[*n].len = (size_t)(p - s);
		it[*n].qrank = num ? 0 : mvn_qrank(s, it[*n].len, is_digit(*p));
		(*n)++;
	}
	/* Trailing zeros and release qualifiers carry no order (1.0.0 == 1 == 1-ga). */
	while (*n > 0 &&
	       ((it[*n - 1].num && digits_cmp(it[*n - 1].s, it[*n - 1].len, "0", 1) == 0) ||
		(!it[*n - 1].num && it[*n - 1].qrank == 5)))
		(*n)--;
	return 0;
}

static int mvn_item_cmp(const struct mvn_item *a, const struct mvn_item *b)
{
	static const struct mvn_item zero = {true, "0", 1, 0};
	static const struct mvn_item empty = {false, "", 0, 5};
	if (!a)
		a = b->num ? &zero : &empty;
	if (!b)
		b = a->num ? &zero : &empty;
	if (a->num && b->num)
		return digits_cmp(a->s, a->len, b->s, b->len);
	if (a->num != b->num)
		return a->num ? 1 : -1; /* 1.0.1 > 1.0-alpha: numbers beat qualifiers */
	if (a->qrank != b->qrank)
		return a->qrank < b->qrank ? -1 : 1;
	if (a->qrank == 7) {
		size_t l = a->len < b->len ? a->len : b->len;
		for (size_t i = 0; i < l; i++)
			if (lower(a->s[i]) != lower(b->s[i]))
				return lower(a->s[i]) < lower(b->s[i]) ? -1 : 1;
		return a->len == b->len ? 0 : (a->len < b->len ? -1 : 1);
	}
	return 0;
}

/* ---- dispatch ---- */

int hull_ver_scheme_parse(const char *name, enum hull_ver_scheme *out)
{
	static const struct {
		const char *n;
		enum hull_ver_scheme s;
	} t[] = {
	    {"deb", HULL_VER_DEB},	 {"dpkg", HULL_VER_DEB},      {"debian", HULL_VER_DEB},
	    {"rpm", HULL_VER_RPM},	 {"apk", HULL_VER_APK},	      {"alpine", HULL_VER_APK},
	    {"semver", HULL_VER_SEMVER}, {"pep440", HULL_VER_PEP440}, {"maven", HULL_VER_MAVEN}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(name, t[i].n)) {
			*out = t[i].s;
			return 0;
		}
	return -1;
}

const char *hull_ver_scheme_name(enum hull_ver_scheme s)
{
	static const char *const names[] = {"deb",    "rpm",   "apk", "semver",
					    "pep440", "maven", "none"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

int hull_vercmp(enum hull_ver_scheme s, const char *a, const char *b, int *out, hull_err *err)
{
	switch (s) {
	case HULL_VER_DEB: {
		struct deb_ver x, y;
		if (deb_parse(a, &x, err) < 0 || deb_parse(b, &y, err) < 0)
			return -1;
		*out = deb_cmp(&x, &y);
		return 0;
	}
	case HULL_VER_RPM: {
		struct rpm_evr x, y;
		if (rpm_parse(a, &x, err) < 0)
			return -1;
		if (rpm_parse(b, &y, err) < 0) {
			free(x.buf);
			return -1;
		}
		*out = rpm_cmp(&x, &y);
		free(x.buf);
		free(y.buf);
		return 0;
	}
	case HULL_VER_APK: {
		struct apk_ver x, y;
		if (apk_parse(a, &x, err) < 0 || apk_parse(b, &y, err) < 0)
			return -1;
		*out = apk_cmp(&x, &y);
		return 0;
	}
	case HULL_VER_SEMVER: {
		struct sem_ver x, y;
		if (semver_parse(a, &x, err) < 0 || semver_parse(b, &y, err) < 0)
			return -1;
		*out = semver_cmp(&x, &y);
		return 0;
	}
	case HULL_VER_PEP440: {
		struct pep_ver x, y;
		if (pep_parse(a, &x, err) < 0 || pep_parse(b, &y, err) < 0)
			return -1;
		*out = pep_cmp(&x, &y);
		return 0;
	}
	case HULL_VER_MAVEN: {
		struct mvn_item x[MVN_MAX_ITEMS], y[MVN_MAX_ITEMS];
		int nx, ny, c = 0;
		if (mvn_parse(a, x, &nx, err) < 0 || mvn_parse(b, y, &ny, err) < 0)
			return -1;
		for (int i = 0; !c && (i < nx || i < ny); i++)
			c = mvn_item_cmp(i < nx ? &x[i] : NULL, i < ny ? &y[i] : NULL);
		*out = c;
		return 0;
	}
	case HULL_VER_NONE:
		break;
	}
	return hull_failk(err, HULL_ERR_INVALID, 0, "no version comparator for this ecosystem");
}

bool hull_ver_valid(enum hull_ver_scheme s, const char *v, hull_err *err)
{
	int c;
	hull_err tmp = HULL_ERR_INIT;
	if (hull_vercmp(s, v, v, &c, err ? err : &tmp) < 0) {
		hull_err_clear(&tmp);
		return false;
	}
	return true;
}
