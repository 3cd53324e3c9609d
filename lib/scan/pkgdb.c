/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OS package databases (dpkg, apk, rpm) and os-release. Input is untrusted: every length is
 * checked against the buffer, nothing assumes NUL termination, and counts are bounded. */
#include "scan/pkgdb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "scan/owned.h"

/* ---- RFC 822-style stanzas (dpkg status, apk installed, METADATA headers) ---- */

struct field {
	const char *name;
	size_t name_len;
	const char *val;
	size_t val_len; /* first line only; continuation lines are not needed here */
};

/* Iterate over the fields of one stanza starting at *pos; returns the number of fields read
 * into f (at most max; extra fields are skipped) and moves *pos past the blank line. */
static size_t stanza_next(const char *d, size_t len, size_t *pos, struct field *f, size_t max,
			  char sep)
{
	size_t n = 0, p = *pos;
	/* skip blank lines between stanzas */
	while (p < len && (d[p] == '\n' || d[p] == '\r'))
		p++;
	while (p < len && d[p] != '\n') {
		const char *line = d + p;
		const char *nl = memchr(line, '\n', len - p);
		size_t ll = nl ? (size_t)(nl - line) : len - p;
		const char *colon;
		if (ll && line[ll - 1] == '\r')
			ll--;
		p += (nl ? (size_t)(nl - line) + 1 : len - p);
		if (!ll)
			break;
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* continuation */
		colon = memchr(line, sep, ll);
		if (!colon || n >= max)
			continue;
		f[n].name = line;
		f[n].name_len = (size_t)(colon - line);
		f[n].val = colon + 1;
		f[n].val_len = ll - f[n].name_len - 1;
		while (f[n].val_len && (*f[n].val == ' ' || *f[n].val == '\t'))
			f[n].val++, f[n].val_len--;
		while (f[n].val_len &&
		       (f[n].val[f[n].val_len - 1] == ' ' || f[n].val[f[n].val_len - 1] == '\t'))
			f[n].val_len--;
		n++;
	}
	*pos = p;
	return n;
}

static const struct field *field_get(const struct field *f, size_t n, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (f[i].name_len == l && !strncasecmp(f[i].name, name, l))
			return &f[i];
	return NULL;
}

static char *field_dup(struct hull_inventory *inv, const struct field *f)
{
	if (!f || !f->val_len)
		return NULL;
	return hull_inv_strndup(inv, f->val, f->val_len);
}

static bool has_nul(const char *d, size_t len)
{
	return memchr(d, '\0', len) != NULL;
}

#define MAX_FIELDS 64

int hull_parse_dpkg_status(struct hull_inventory *inv, const char *data, size_t len,
			   const char *location, bool status_d, hull_err *err)
{
	size_t pos = 0, count = 0;
	struct field f[MAX_FIELDS];

	if (has_nul(data, len))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: binary data in a dpkg status file",
				  location);
	while (pos < len) {
		size_t n = stanza_next(data, len, &pos, f, MAX_FIELDS, ':');
		const struct field *pk, *ver, *st, *src, *arch;
		struct hull_pkg p = {.type = HULL_PKG_DEB, .location = location};
		if (!n)
			continue;
		if (++count > HULL_SCAN_MAX_PKGS)
			return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: more than %d packages",
					  location, HULL_SCAN_MAX_PKGS);
		pk = field_get(f, n, "Package");
		ver = field_get(f, n, "Version");
		st = field_get(f, n, "Status");
		src = field_get(f, n, "Source");
		arch = field_get(f, n, "Architecture");
		if (!pk || !ver || !pk->val_len || !ver->val_len)
			continue;
		/* Status is "want flag state": only the state "installed" means the files are
		 * there. deinstall/purge leftovers ("config-files") are not packages to report.
		 * status.d/ files (distroless) describe installed packages and may lack it. */
		if (st) {
			const char *sp = memrchr(st->val, ' ', st->val_len);
			const char *state = sp ? sp + 1 : st->val;
			size_t sl = st->val_len - (size_t)(state - st->val);
			if (sl != 9 || memcmp(state, "installed", 9))
				continue;
		} else if (!status_d) {
			continue;
		}
		p.name = field_dup(inv, pk);
		p.version = field_dup(inv, ver);
		p.arch = field_dup(inv, arch);
		if (src && src->val_len) {
			/* "Source: name" or "Source: name (version)" */
			const char *paren = memchr(src->val, '(', src->val_len);
			size_t nl = paren ? (size_t)(paren - src->val) : src->val_len;
			while (nl && src->val[nl - 1] == ' ')
				nl--;
			p.src_name = hull_inv_strndup(inv, src->val, nl);
			if (paren) {
				const char *close =
				    memchr(paren, ')', src->val_len - (size_t)(paren - src->val));
				if (close && close > paren + 1)
					p.src_version = hull_inv_strndup(
					    inv, paren + 1, (size_t)(close - paren - 1));
			}
		}
		if (!p.src_name)
			p.src_name = p.name;
		if (!p.src_version)
			p.src_version = p.version;
		if (!p.name || !p.version || !hull_inventory_add(inv, &p))
			return hull_fail(err, ENOMEM, "%s", location);
	}
	return 0;
}

int hull_parse_apk_installed(struct hull_inventory *inv, const char *data, size_t len,
			     const char *location, hull_err *err)
{
	size_t pos = 0, count = 0;

	if (has_nul(data, len))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: binary data in an apk database",
				  location);
	while (pos < len) {
		/* apk's fields are one letter, "P:name"; many F:/R: lines per package, so read
		 * the whole stanza but keep only the fields we know (the rest are skipped). */
		size_t n = 0, p0 = pos;
		const char *P = NULL, *V = NULL, *o = NULL, *A = NULL, *L = NULL;
		size_t Pl = 0, Vl = 0, ol = 0, Al = 0, Ll = 0;
		while (p0 < len && (data[p0] == '\n' || data[p0] == '\r'))
			p0++;
		while (p0 < len && data[p0] != '\n') {
			const char *line = data + p0;
			const char *nl = memchr(line, '\n', len - p0);
			size_t ll = nl ? (size_t)(nl - line) : len - p0;
			p0 += nl ? ll + 1 : ll;
			if (ll && line[ll - 1] == '\r')
				ll--;
			if (ll < 2 || line[1] != ':')
				continue;
			n++;
			switch (line[0]) {
			case 'P':
				P = line + 2, Pl = ll - 2;
				break;
			case 'V':
				V = line + 2, Vl = ll - 2;
				break;
			case 'o':
				o = line + 2, ol = ll - 2;
				break;
			case 'A':
				A = line + 2, Al = ll - 2;
				break;
			case 'L':
				L = line + 2, Ll = ll - 2;
				break;
			}
		}
		pos = p0;
		if (!n)
			continue;
		if (++count > HULL_SCAN_MAX_PKGS)
			return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: more than %d packages",
					  location, HULL_SCAN_MAX_PKGS);
		if (!Pl || !Vl)
			continue;
		{
			struct hull_pkg p = {.type = HULL_PKG_APK, .location = location};
			p.name = hull_inv_strndup(inv, P, Pl);
			p.version = hull_inv_strndup(inv, V, Vl);
			p.src_name = ol ? hull_inv_strndup(inv, o, ol) : p.name;
			p.src_version = p.version;
			p.arch = Al ? hull_inv_strndup(inv, A, Al) : NULL;
			p.license = Ll ? hull_inv_strndup(inv, L, Ll) : NULL;
			if (!p.name || !p.version || !hull_inventory_add(inv, &p))
				return hull_fail(err, ENOMEM, "%s", location);
		}
	}
	return 0;
}

/* ---- rpm headers ---- */

#define RPMTAG_NAME	 1000
#define RPMTAG_VERSION	 1001
#define RPMTAG_RELEASE	 1002
#define RPMTAG_EPOCH	 1003
#define RPMTAG_LICENSE	 1014
#define RPMTAG_ARCH	 1022
#define RPMTAG_SOURCERPM 1044
#define RPM_INT32_TYPE	 4
#define RPM_STRING_TYPE	 6
#define RPM_I18N_TYPE	 9
#define RPM_MAX_INDEX	 100000
#define RPM_MAX_DATA	 (256u << 20)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A string tag: NUL-terminated inside the data store, or NULL. */
static const char *rpm_str(const uint8_t *store, uint32_t dl, uint32_t type, uint32_t off)
{
	if ((type != RPM_STRING_TYPE && type != RPM_I18N_TYPE) || off >= dl)
		return NULL;
	if (!memchr(store + off, '\0', dl - off))
		return NULL;
	return (const char *)store + off;
}

/* Source rpm "openssl-3.0.7-2.el9.src.rpm" -> "openssl": strip ".src.rpm"/".nosrc.rpm" and
 * the last two dash-separated fields (version, release). */
static char *srpm_name(struct hull_inventory *inv, const char *s)
{
	size_t n = strlen(s);
	const char *d1, *d2;
	char *tmp;
	if (n > 8 && !strcmp(s + n - 8, ".src.rpm"))
		n -= 8;
	else if (n > 10 && !strcmp(s + n - 10, ".nosrc.rpm"))
		n -= 10;
	else
		return NULL;
	tmp = hull_inv_strndup(inv, s, n);
	if (!tmp)
		return NULL;
	d1 = strrchr(tmp, '-');
	if (!d1)
		return NULL;
	tmp[d1 - tmp] = '\0';
	d2 = strrchr(tmp, '-');
	if (!d2)
		return NULL;
	tmp[d2 - tmp] = '\0';
	return tmp;
}

int hull_parse_rpm_header(struct hull_inventory *inv, const uint8_t *blob, size_t len,
			  const char *location, hull_err *err)
{
	uint32_t il, dl;
	const uint8_t *index, *store;
	const char *name = NULL, *ver = NULL, *rel = NULL, *arch = NULL, *srpm = NULL, *lic = NULL;
	int64_t epoch = -1;
	struct hull_pkg p = {.type = HULL_PKG_RPM, .location = location};

	if (len < 8)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: rpm header too short", location);
	il = be32(blob);
	dl = be32(blob + 4);
	if (il == 0 || il > RPM_MAX_INDEX || dl > RPM_MAX_DATA || (uint64_t)il * 16 + dl + 8 > len)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: rpm header sizes out of range (%u entries, %u bytes)",
				  location, il, dl);
	index = blob + 8;
	store = index + (size_t)il * 16;
	for (uint32_t i = 0; i < il; i++) {
		const uint8_t *e = index + (size_t)i * 16;
		uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), cnt = be32(e + 12);
		switch (tag) {
		case RPMTAG_NAME:
			name = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_VERSION:
			ver = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_RELEASE:
			rel = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_ARCH:
			arch = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_SOURCERPM:
			srpm = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_LICENSE:
			lic = rpm_str(store, dl, type, off);
			break;
		case RPMTAG_EPOCH:
			if (type == RPM_INT32_TYPE && cnt >= 1 && off % 4 == 0 &&
			    (uint64_t)off + 4 <= dl)
				epoch = be32(store + off);
			break;
		}
	}
	if (!name || !ver || !rel || !*name || !*ver)
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s: rpm header without name, version or release", location);
	/* gpg-pubkey entries are keys imported into the rpmdb, not software. */
	if (!strcmp(name, "gpg-pubkey"))
		return 0;
	p.name = name;
	{
		char buf[1024];
		if (epoch > 0)
			snprintf(buf, sizeof buf, "%lld:%s-%s", (long long)epoch, ver, rel);
		else
			snprintf(buf, sizeof buf, "%s-%s", ver, rel);
		p.version = buf;
		p.arch = arch;
		p.license = lic;
		p.src_name = srpm ? srpm_name(inv, srpm) : NULL;
		if (!p.src_name)
			p.src_name = name;
		if (!hull_inventory_add(inv, &p))
			return hull_fail(err, ENOMEM, "%s", location);
	}
	return 0;
}

/* The file list of one header (DIRINDEXES, BASENAMES, DIRNAMES) into the owned map, owner
 * "rpm:NAME". */
#define RPMTAG_DIRINDEXES 1116
#define RPMTAG_BASENAMES  1117
#define RPMTAG_DIRNAMES	  1118
#define RPM_STRING_ARRAY  8
#define RPM_MAX_FILES	  1000000

/* Offsets of cnt consecutive NUL-terminated strings at off; false when they do not fit. */
static bool rpm_strings(const uint8_t *store, uint32_t dl, uint32_t off, uint32_t cnt,
			uint32_t *offs)
{
	for (uint32_t i = 0; i < cnt; i++) {
		const uint8_t *z;
		if (off >= dl)
			return false;
		z = memchr(store + off, '\0', dl - off);
		if (!z)
			return false;
		offs[i] = off;
		off = (uint32_t)(z - store) + 1;
	}
	return true;
}

int hull_rpm_header_files(const uint8_t *blob, size_t len, struct hull_owned *o, hull_err *err)
{
	uint32_t il, dl, nbase = 0, ndir = 0, nidx = 0;
	uint32_t obase = 0, odir = 0, oidx = 0;
	const uint8_t *index, *store;
	const char *name = NULL;
	uint32_t *boffs = NULL, *doffs = NULL;
	char owner[300], path[4096];
	const char *ow;
	int ret = 0;

	if (len < 8)
		return 0;
	il = be32(blob);
	dl = be32(blob + 4);
	if (il == 0 || il > RPM_MAX_INDEX || dl > RPM_MAX_DATA || (uint64_t)il * 16 + dl + 8 > len)
		return 0; /* reported by hull_parse_rpm_header already */
	index = blob + 8;
	store = index + (size_t)il * 16;
	for (uint32_t i = 0; i < il; i++) {
		const uint8_t *e = index + (size_t)i * 16;
		uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), cnt = be32(e + 12);
		if (tag == RPMTAG_NAME)
			name = rpm_str(store, dl, type, off);
		else if (tag == RPMTAG_BASENAMES && type == RPM_STRING_ARRAY)
			nbase = cnt, obase = off;
		else if (tag == RPMTAG_DIRNAMES && type == RPM_STRING_ARRAY)
			ndir = cnt, odir = off;
		else if (tag == RPMTAG_DIRINDEXES && type == RPM_INT32_TYPE)
			nidx = cnt, oidx = off;
	}
	if (!name || !nbase || !ndir || nidx != nbase || nbase > RPM_MAX_FILES ||
	    ndir > RPM_MAX_FILES || oidx % 4 || (uint64_t)oidx + (uint64_t)nidx * 4 > dl)
		return 0;
	boffs = calloc(nbase, sizeof *boffs);
	doffs = calloc(ndir, sizeof *doffs);
	snprintf(owner, sizeof owner, "rpm:%s", name);
	ow = hull_owned_intern(o, owner);
	if (!boffs || !doffs || !ow) {
		ret = hull_fail(err, ENOMEM, "rpm file list");
		goto out;
	}
	if (!rpm_strings(store, dl, obase, nbase, boffs) ||
	    !rpm_strings(store, dl, odir, ndir, doffs))
		goto out;
	for (uint32_t i = 0; i < nbase; i++) {
		uint32_t di = be32(store + oidx + (size_t)i * 4);
		int n;
		if (di >= ndir)
			continue;
		n = snprintf(path, sizeof path, "%s%s", (const char *)store + doffs[di],
			     (const char *)store + boffs[i]);
		if (n <= 0 || (size_t)n >= sizeof path || path[0] != '/')
			continue;
		if (hull_owned_add(o, path, (size_t)n, ow) < 0) {
			ret = hull_failk(err, HULL_ERR_LIMIT, ENOMEM,
					 "rpm file lists: too many paths");
			goto out;
		}
	}
out:
	free(boffs);
	free(doffs);
	return ret;
}

typedef int (*rpm_blob_fn)(const uint8_t *blob, size_t len, void *ctx, hull_err *err);

/* Open an rpmdb.sqlite image from memory and call fn for every header blob. */
static int rpmdb_each(const void *data, size_t len, const char *location, rpm_blob_fn fn, void *ctx,
		      hull_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy;
	int rc, ret = -1;
	size_t count = 0;

	if (len < 100 || memcmp(data, "SQLite format 3", 16))
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not an SQLite database", location);
	if (len > (size_t)INT32_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: too large", location);
	/* sqlite3_deserialize takes ownership of memory from sqlite3_malloc64. */
	copy = sqlite3_malloc64(len);
	if (!copy)
		return hull_fail(err, ENOMEM, "%s", location);
	memcpy(copy, data, len);
	/* A WAL-mode file (rpm >= 4.16 uses WAL) cannot be opened from memory; the header bytes
	 * 18/19 say "WAL". Flip them to the rollback-journal format on our private copy: the
	 * committed content is in the main file once rpm has checkpointed. */
	if (copy[18] == 2)
		copy[18] = 1;
	if (copy[19] == 2)
		copy[19] = 1;
	rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_free(copy);
		hull_fail(err, ENOMEM, "%s: sqlite open", location);
		goto out;
	}
	rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				 SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
	if (rc != SQLITE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", location, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)RPM_MAX_DATA);
	/* The file is the image's: "Packages" must be a plain table. A view could run any query
	 * (a recursive CTE that never ends) when we select from it. */
	rc = sqlite3_prepare_v2(db, "SELECT type FROM sqlite_master WHERE name='Packages'", -1, &st,
				NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "table")) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: no Packages table: %s", location,
			   sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		st = NULL;
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", location, sqlite3_errmsg(db));
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		if (++count > HULL_SCAN_MAX_PKGS) {
			hull_failk(err, HULL_ERR_LIMIT, 0, "%s: more than %d packages", location,
				   HULL_SCAN_MAX_PKGS);
			goto out;
		}
		if (!b || n <= 0)
			continue;
		if (fn(b, (size_t)n, ctx, err) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", location, sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

struct parse_ctx {
	struct hull_inventory *inv;
	const char *location;
};

static int parse_one(const uint8_t *blob, size_t len, void *ctx, hull_err *err)
{
	struct parse_ctx *pc = ctx;
	hull_err e = HULL_ERR_INIT;
	if (hull_parse_rpm_header(pc->inv, blob, len, pc->location, &e) < 0) {
		if (e.code == ENOMEM) {
			hull_err_move(err, &e);
			return -1;
		}
		/* One damaged header must not hide the other packages; say so. */
		hull_inventory_note(pc->inv, "%s", e.msg);
		hull_err_clear(&e);
	}
	return 0;
}

int hull_parse_rpmdb_sqlite(struct hull_inventory *inv, const void *data, size_t len,
			    const char *location, hull_err *err)
{
	struct parse_ctx pc = {inv, location};
	return rpmdb_each(data, len, location, parse_one, &pc, err);
}

static int files_one(const uint8_t *blob, size_t len, void *ctx, hull_err *err)
{
	return hull_rpm_header_files(blob, len, ctx, err);
}

int hull_rpmdb_sqlite_files(const void *data, size_t len, const char *location,
			    struct hull_owned *o, hull_err *err)
{
	return rpmdb_each(data, len, location, files_one, o, err);
}

/* ---- rpm BerkeleyDB hash databases (Packages of RHEL/CentOS <= 8, AlmaLinux 8) ---- */

#define BDB_HASH_MAGIC 0x061561
#define BDB_PAGE_HDR   26
#define BDB_P_HASH_UNS 2 /* unsorted hash page (RHEL 5) */
#define BDB_P_OVERFLOW 7
#define BDB_P_HASHMETA 8
#define BDB_P_HASH     13
#define BDB_H_KEYDATA  1
#define BDB_H_OFFPAGE  3

struct bdb {
	const uint8_t *d;
	size_t len;
	bool be; /* written on a big-endian machine */
	uint32_t pagesize, last;
};

static uint32_t bdb32(const struct bdb *b, const uint8_t *p)
{
	return b->be ? be32(p)
		     : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			   (uint32_t)p[3] << 24;
}

static uint16_t bdb16(const struct bdb *b, const uint8_t *p)
{
	return b->be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[0] | p[1] << 8);
}

static const uint8_t *bdb_page(const struct bdb *b, uint32_t n)
{
	if (n > b->last || ((uint64_t)n + 1) * b->pagesize > b->len)
		return NULL;
	return b->d + (size_t)n * b->pagesize;
}

/* Follow an overflow chain into one buffer (at most tlen bytes, each page at most once). */
static int bdb_overflow(const struct bdb *b, uint32_t pgno, uint32_t tlen, uint8_t **out,
			size_t *outlen)
{
	uint8_t *buf;
	size_t have = 0;
	uint32_t pages = 0;
	if (tlen == 0 || tlen > RPM_MAX_DATA)
		return -1;
	buf = malloc(tlen);
	if (!buf)
		return -2;
	while (pgno && have < tlen) {
		const uint8_t *pg = bdb_page(b, pgno);
		uint32_t next;
		size_t n;
		if (!pg || pg[25] != BDB_P_OVERFLOW || ++pages > b->last)
			break; /* broken chain or a loop */
		next = bdb32(b, pg + 16);
		n = next ? b->pagesize - BDB_PAGE_HDR : bdb16(b, pg + 22);
		if (n > b->pagesize - BDB_PAGE_HDR)
			break;
		if (n > tlen - have)
			n = tlen - have;
		memcpy(buf + have, pg + BDB_PAGE_HDR, n);
		have += n;
		pgno = next;
	}
	if (have != tlen) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = have;
	return 0;
}

static int rpmbdb_each(const void *data, size_t len, const char *location, rpm_blob_fn fn,
		       void *ctx, struct hull_inventory *inv, hull_err *err)
{
	struct bdb b = {.d = data, .len = len};
	size_t count = 0, damaged = 0;

	if (len < 512)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not a BerkeleyDB file", location);
	if (be32(b.d + 12) == BDB_HASH_MAGIC)
		b.be = true;
	else if (bdb32(&b, b.d + 12) != BDB_HASH_MAGIC)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: not a BerkeleyDB hash database",
				  location);
	b.pagesize = bdb32(&b, b.d + 20);
	b.last = bdb32(&b, b.d + 32);
	if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)) ||
	    b.d[25] != BDB_P_HASHMETA)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: bad BerkeleyDB metadata page",
				  location);
	/* The metadata's page count is a claim; the file's length is the fact. */
	if (b.last > len / b.pagesize - 1)
		b.last = (uint32_t)(len / b.pagesize - 1);
	if (b.d[24] != 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "%s: encrypted BerkeleyDB database",
				  location);
	for (uint32_t n = 1; n <= b.last; n++) {
		const uint8_t *pg = bdb_page(&b, n);
		uint16_t entries;
		if (!pg)
			break; /* the file is shorter than its metadata says: read what is there */
		if (pg[25] != BDB_P_HASH && pg[25] != BDB_P_HASH_UNS)
			continue;
		entries = bdb16(&b, pg + 20);
		if ((size_t)BDB_PAGE_HDR + (size_t)entries * 2 > b.pagesize)
			continue;
		/* Index entries come in (key, value) pairs; values are the odd ones. */
		for (uint16_t i = 1; i < entries; i += 2) {
			uint16_t off = bdb16(&b, pg + BDB_PAGE_HDR + 2 * i);
			uint16_t koff = bdb16(&b, pg + BDB_PAGE_HDR + 2 * (i - 1));
			uint8_t *blob = NULL;
			size_t blen = 0;
			int r;
			if (off >= b.pagesize)
				continue;
			if (pg[off] == BDB_H_OFFPAGE && (size_t)off + 12 <= b.pagesize) {
				r = bdb_overflow(&b, bdb32(&b, pg + off + 4),
						 bdb32(&b, pg + off + 8), &blob, &blen);
				if (r == -2)
					return hull_fail(err, ENOMEM, "%s", location);
				if (r < 0) {
					damaged++;
					continue;
				}
			} else if (pg[off] == BDB_H_KEYDATA && koff > off + 1 &&
				   koff <= b.pagesize) {
				/* small value stored on the page, up to where its key starts */
				blen = (size_t)(koff - off - 1);
				blob = malloc(blen);
				if (!blob)
					return hull_fail(err, ENOMEM, "%s", location);
				memcpy(blob, pg + off + 1, blen);
			} else {
				continue;
			}
			if (++count > HULL_SCAN_MAX_PKGS) {
				free(blob);
				return hull_failk(err, HULL_ERR_LIMIT, 0,
						  "%s: more than %d packages", location,
						  HULL_SCAN_MAX_PKGS);
			}
			r = fn(blob, blen, ctx, err);
			free(blob);
			if (r < 0)
				return -1;
		}
	}
	if (damaged && inv)
		hull_inventory_note(inv, "%s: %zu damaged BerkeleyDB records skipped", location,
				    damaged);
	return 0;
}

int hull_parse_rpmdb_bdb(struct hull_inventory *inv, const void *data, size_t len,
			 const char *location, hull_err *err)
{
	struct parse_ctx pc = {inv, location};
	return rpmbdb_each(data, len, location, parse_one, &pc, inv, err);
}

int hull_rpmdb_bdb_files(const void *data, size_t len, const char *location, struct hull_owned *o,
			 hull_err *err)
{
	return rpmbdb_each(data, len, location, files_one, o, NULL, err);
}

/* ---- os-release ---- */

void hull_parse_os_release(struct hull_inventory *inv, const char *data, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *eq = memchr(line, '=', ll);
		const char **dst = NULL;
		pos += nl ? ll + 1 : ll;
		if (!eq || line[0] == '#')
			continue;
		{
			size_t kl = (size_t)(eq - line);
			const char *v = eq + 1;
			size_t vl = ll - kl - 1;
			if (kl == 2 && !memcmp(line, "ID", 2))
				dst = &inv->os.id;
			else if (kl == 10 && !memcmp(line, "VERSION_ID", 10))
				dst = &inv->os.version_id;
			else if (kl == 16 && !memcmp(line, "VERSION_CODENAME", 16))
				dst = &inv->os.codename;
			else if (kl == 11 && !memcmp(line, "PRETTY_NAME", 11))
				dst = &inv->os.pretty;
			if (!dst || *dst)
				continue;
			if (vl && v[vl - 1] == '\r')
				vl--;
			if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0])
				v++, vl -= 2;
			if (!vl || vl > 256 || memchr(v, '\0', vl))
				continue;
			*dst = hull_inv_strndup(inv, v, vl);
		}
	}
}
