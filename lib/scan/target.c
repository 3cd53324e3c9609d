/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Collecting a target's inventory. One collector serves directories and image layers alike:
 * every file of the tree passes through collect_file() once per layer that has it, analysers
 * that need one file (language metadata, binaries, secrets, file modes) run right there and
 * their results are tied to the path, and whole-tree databases (dpkg, apk, rpm, os-release,
 * passwd) are kept and parsed after the last layer. A whiteout or a later layer's copy of a
 * path drops what the lower layers said about it. */
#include "core/archive_dl.h"
#include "scan/target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/path.h"
#include "core/util.h"
#include "scan/owned.h"
#include "scan/pkgdb.h"

enum {
	W_KEEP = 1 << 0,
	W_PY = 1 << 1,
	W_NPM = 1 << 2,
	W_JAR = 1 << 3,
	W_GO = 1 << 4,
	W_SECRET = 1 << 5,
};

/* What the collector knows about one path. Only paths with something attached (a result, kept
 * bytes, a symlink) are stored. */
struct entry {
	struct entry *next; /* hash chain */
	char *path;
	int layer;
	bool symlink;
	char *link;
	char *data; /* kept bytes */
	size_t len;
	size_t pkg_lo, pkg_hi, sec_lo, sec_hi, fact_lo, fact_hi;
};

struct collector {
	struct hull_inventory *inv;
	const struct hull_scan_opts *o;
	struct entry **buckets;
	size_t nbuckets, nentries;
	size_t kept_bytes;
	uint64_t files;
	int layer;
};

/* ---- path map ---- */

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void entry_free(struct entry *e)
{
	free(e->path);
	free(e->link);
	free(e->data);
	free(e);
}

static struct entry *map_get(struct collector *c, const char *path)
{
	if (!c->nbuckets)
		return NULL;
	for (struct entry *e = c->buckets[hash_str(path) % c->nbuckets]; e; e = e->next)
		if (!strcmp(e->path, path))
			return e;
	return NULL;
}

static int map_put(struct collector *c, struct entry *e)
{
	if (c->nentries + 1 > c->nbuckets) {
		size_t nb = c->nbuckets ? c->nbuckets * 2 : 1024;
		struct entry **b = calloc(nb, sizeof *b);
		if (!b)
			return -1;
		for (size_t i = 0; i < c->nbuckets; i++) {
			struct entry *x = c->buckets[i], *nx;
			for (; x; x = nx) {
				nx = x->next;
				size_t h = hash_str(x->path) % nb;
				x->next = b[h];
				b[h] = x;
			}
		}
		free(c->buckets);
		c->buckets = b;
		c->nbuckets = nb;
	}
	{
		size_t h = hash_str(e->path) % c->nbuckets;
		e->next = c->buckets[h];
		c->buckets[h] = e;
		c->nentries++;
	}
	return 0;
}

/* Mark everything an entry contributed as removed. */
static void entry_kill(struct collector *c, struct entry *e)
{
	for (size_t i = e->pkg_lo; i < e->pkg_hi; i++)
		c->inv->pkgs[i].dead = true;
	for (size_t i = e->sec_lo; i < e->sec_hi; i++)
		c->inv->secrets[i].dead = true;
	for (size_t i = e->fact_lo; i < e->fact_hi; i++)
		c->inv->facts[i].dead = true;
	c->kept_bytes -= e->data ? e->len : 0;
}

static void map_remove(struct collector *c, const char *path)
{
	struct entry **pp;
	if (!c->nbuckets)
		return;
	for (pp = &c->buckets[hash_str(path) % c->nbuckets]; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->path, path)) {
			struct entry *e = *pp;
			*pp = e->next;
			entry_kill(c, e);
			entry_free(e);
			c->nentries--;
			return;
		}
	}
}

/* Remove dir itself (when self) and everything below it that a lower layer (< c->layer)
 * contributed: a whiteout hides lower layers only, never files of its own layer. */
static void map_remove_tree(struct collector *c, const char *dir, bool self)
{
	size_t dl = strlen(dir);
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry **pp = &c->buckets[i];
		while (*pp) {
			struct entry *e = *pp;
			bool under =
			    (dl == 0) || (!strncmp(e->path, dir, dl) && e->path[dl] == '/');
			bool is_self = self && !strcmp(e->path, dir);
			if ((under || is_self) && e->layer < c->layer) {
				*pp = e->next;
				entry_kill(c, e);
				entry_free(e);
				c->nentries--;
			} else {
				pp = &e->next;
			}
		}
	}
}

void hull_image_meta_free(struct hull_image_meta *m)
{
	free(m->ref);
	free(m->tag);
	free(m->manifest_digest);
	free(m->config_digest);
	free(m->user);
	hull_strv_free(m->env);
	hull_strv_free(m->labels);
	hull_strv_free(m->ports);
	free(m->os);
	free(m->arch);
	memset(m, 0, sizeof *m);
}

/* ---- what to look at ---- */

static const char *const kept_paths[] = {
    "etc/os-release",
    "usr/lib/os-release",
    "etc/debian_version",
    "etc/alpine-release",
    "var/lib/dpkg/status",
    "lib/apk/db/installed",
    "usr/lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/share/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages",
    "etc/passwd",
    "etc/shadow",
    "etc/group",
};

/* rpm's NDB backend (SUSE): not read, said so. */
static const char *const ndb_rpm_paths[] = {
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A package.json is a package's own only at node_modules/NAME/ or node_modules/@scope/NAME/. */
static bool is_npm_manifest(const char *path)
{
	const char *nm = NULL, *p = path;
	while ((p = strstr(p, "node_modules/"))) {
		if (p == path || p[-1] == '/')
			nm = p;
		p += 13;
	}
	if (!nm)
		return false;
	p = nm + 13;
	if (*p == '@') {
		p = strchr(p, '/');
		if (!p)
			return false;
		p++;
	}
	p = strchr(p, '/');
	return p && !strcmp(p + 1, "package.json");
}

static bool is_python_metadata(const char *path)
{
	const char *b = base_name(path);
	size_t dl = (size_t)(b - path);
	if (!strcmp(b, "METADATA"))
		return dl > 11 && !strncmp(b - 11, ".dist-info/", 11);
	if (!strcmp(b, "PKG-INFO"))
		return (dl > 10 && !strncmp(b - 10, ".egg-info/", 10)) ||
		       (dl >= 9 && !strncmp(b - 9, "EGG-INFO/", 9));
	return hull_str_has_suffix(path, ".egg-info");
}

static bool is_jar(const char *path)
{
	size_t l = strlen(path);
	return l > 4 && (!strcasecmp(path + l - 4, ".jar") || !strcasecmp(path + l - 4, ".war") ||
			 !strcasecmp(path + l - 4, ".ear") || !strcasecmp(path + l - 4, ".par"));
}

static bool is_credential_name(const char *path)
{
	static const char *const names[] = {
	    "id_rsa",  "id_dsa",	   "id_ecdsa",	   "id_ed25519",
	    ".env",    "credentials.json", "database.yml", ".git-credentials",
	    ".pgpass", ".netrc",	   ".pypirc",	   ".htpasswd"};
	const char *b = base_name(path);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(b, names[i]))
			return true;
	/* ~/.aws/credentials and ~/.docker/config.json (registry auths) */
	if (!strcmp(b, "credentials") && hull_str_has_suffix(path, ".aws/credentials"))
		return true;
	return false;
}

static unsigned want_for(const struct collector *c, const char *path, mode_t mode, uint64_t size)
{
	unsigned w = 0;
	if (!S_ISREG(mode))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(kept_paths); i++)
		if (!strcmp(path, kept_paths[i]))
			w |= W_KEEP;
	if (hull_str_has_prefix(path, "var/lib/dpkg/status.d/") && !strchr(path + 22, '/') &&
	    !hull_str_has_suffix(path, ".md5sums"))
		w |= W_KEEP;
	/* dpkg's file lists say which language packages the distribution shipped (owned.h) */
	if (c->o->packages && hull_str_has_prefix(path, "var/lib/dpkg/info/") &&
	    hull_str_has_suffix(path, ".list") && !strchr(path + 18, '/'))
		w |= W_KEEP;
	if (c->o->packages) {
		if (is_python_metadata(path))
			w |= W_PY;
		else if (is_npm_manifest(path))
			w |= W_NPM;
		else if (is_jar(path))
			w |= W_JAR;
		else if ((mode & 0111) && size >= 1024)
			w |= W_GO;
	}
	if (c->o->secrets && c->o->rules && size > 0 && size <= HULL_SCAN_SECRET_MAX &&
	    !hull_secret_path_skipped(path))
		w |= W_SECRET;
	return w;
}

/* ---- one file ---- */

struct file_src {
	int fd;		    /* directory targets: the open file */
	struct archive *ar; /* image layers: the current entry's data */
	const char *mem;    /* already in memory */
	size_t mem_len;
};

/* Read the whole file (at most max bytes; larger files return 1 and are skipped). */
static int src_read_all(struct file_src *s, uint64_t size, size_t max, char **out, size_t *len,
			hull_err *err)
{
	char *buf;
	size_t have = 0;
	if (size > max)
		return 1;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return hull_fail(err, ENOMEM, "read");
	if (s->fd >= 0) {
		ssize_t n = hull_read_all(s->fd, buf, (size_t)size);
		if (n < 0) {
			free(buf);
			return hull_fail(err, (int)-n, "read");
		}
		have = (size_t)n;
	} else if (s->ar) {
		la_ssize_t n;
		while (have < size &&
		       (n = archive_read_data(s->ar, buf + have, (size_t)size - have)) > 0)
			have += (size_t)n;
		if (have < size) {
			free(buf);
			return hull_failk(err, HULL_ERR_INVALID, 0, "read layer entry: %s",
					  archive_error_string(s->ar) ? archive_error_string(s->ar)
								      : "truncated");
		}
	} else {
		have = s->mem_len < size ? s->mem_len : (size_t)size;
		memcpy(buf, s->mem, have);
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}

/* Directory targets: probe an ELF file for .go.buildinfo with a few preads instead of reading
 * megabytes of every executable. Fills *out with a window starting at the build info. */
static int go_probe_fd(int fd, uint64_t size, char **out, size_t *len)
{
	unsigned char eh[64];
	bool is64, le;
	uint64_t shoff, shentsize, shnum, shstrndx;
	_cleanup_free_ unsigned char *sh = NULL;
	_cleanup_free_ char *strtab = NULL;
	uint64_t stroff, strsz;

#define RD(p, n)                                                                                   \
	({                                                                                         \
		uint64_t _v = 0;                                                                   \
		for (int _i = 0; _i < (n); _i++)                                                   \
			_v = le ? _v | (uint64_t)(p)[_i] << (8 * _i) : (_v << 8) | (p)[_i];        \
		_v;                                                                                \
	})
	if (pread(fd, eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh,
									"\x7f"
									"ELF",
									4))
		return 1;
	is64 = eh[4] == 2;
	le = eh[5] == 1;
	shoff = is64 ? RD(eh + 0x28, 8) : RD(eh + 0x20, 4);
	shentsize = RD(eh + (is64 ? 0x3a : 0x2e), 2);
	shnum = RD(eh + (is64 ? 0x3c : 0x30), 2);
	shstrndx = RD(eh + (is64 ? 0x3e : 0x32), 2);
	if (!shoff || !shnum || shentsize < (is64 ? 64u : 40u) || shentsize > 256 ||
	    shstrndx >= shnum || shoff > size || shnum * shentsize > size - shoff)
		return 1;
	sh = malloc(shnum * shentsize);
	if (!sh)
		return -1;
	if (pread(fd, sh, shnum * shentsize, (off_t)shoff) != (ssize_t)(shnum * shentsize))
		return 1;
	{
		unsigned char *s = sh + shstrndx * shentsize;
		stroff = is64 ? RD(s + 0x18, 8) : RD(s + 0x10, 4);
		strsz = is64 ? RD(s + 0x20, 8) : RD(s + 0x14, 4);
	}
	if (strsz > (1u << 20) || stroff > size || strsz > size - stroff)
		return 1;
	strtab = malloc(strsz + 1);
	if (!strtab)
		return -1;
	if (pread(fd, strtab, strsz, (off_t)stroff) != (ssize_t)strsz)
		return 1;
	strtab[strsz] = '\0';
	for (uint64_t i = 0; i < shnum; i++) {
		unsigned char *s = sh + i * shentsize;
		uint64_t nm = RD(s, 4);
		uint64_t off = is64 ? RD(s + 0x18, 8) : RD(s + 0x10, 4);
		uint64_t want;
		char *buf;
		ssize_t n;
		if (nm >= strsz || strcmp(strtab + nm, ".go.buildinfo"))
			continue;
		if (off >= size)
			return 1;
		/* The inline build info follows the 32-byte header; module lists are a few KiB,
		 * 1 MiB covers the largest seen. */
		want = size - off < (1u << 20) ? size - off : (1u << 20);
		buf = malloc(want + 1);
		if (!buf)
			return -1;
		n = pread(fd, buf, want, (off_t)off);
		if (n < 32) {
			free(buf);
			return 1;
		}
		*out = buf;
		*len = (size_t)n;
		return 0;
	}
	return 1;
#undef RD
}

static const char *arena_path(struct collector *c, const char *path)
{
	/* Locations are shown as absolute paths in the image. */
	char *s = hull_arena_alloc(&c->inv->arena, strlen(path) + 2);
	if (s) {
		s[0] = '/';
		strcpy(s + 1, path);
	}
	return s;
}

/* Everything about one path in the current layer. st fields: mode, uid, gid, size. */
static int collect_file(struct collector *c, const char *path, mode_t mode, uid_t uid, gid_t gid,
			uint64_t size, const char *link, struct file_src *src, hull_err *err)
{
	struct entry *e;
	unsigned w;
	size_t pkg0 = c->inv->npkgs, sec0 = c->inv->nsecrets, fact0 = c->inv->nfacts;
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	const char *loc;
	int r;

	if (++c->files > HULL_SCAN_MAX_FILES)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "more than %d files",
				  HULL_SCAN_MAX_FILES);
	c->inv->files_seen = c->files;
	/* A later layer's copy replaces whatever a lower one said about this path. */
	map_remove(c, path);
	w = want_for(c, path, mode, size);
	loc = arena_path(c, path);
	if (!loc)
		return hull_fail(err, ENOMEM, "%s", path);
	for (size_t i = 0; i < ARRAY_SIZE(ndb_rpm_paths) && c->o->packages; i++)
		if (!strcmp(path, ndb_rpm_paths[i]))
			hull_inventory_note(c->inv,
					    "%s: rpm NDB database not read (rpmdb.sqlite and "
					    "BerkeleyDB Packages are)",
					    loc);

	if (c->o->files) {
		bool ww = (mode & 0002) && (S_ISREG(mode) || (S_ISDIR(mode) && !(mode & S_ISVTX)));
		if (S_ISREG(mode) && (mode & (S_ISUID | S_ISGID)) &&
		    hull_inventory_add_fact(c->inv, HULL_FACT_SETID, loc, mode, uid, gid, size) < 0)
			return hull_fail(err, ENOMEM, "%s", path);
		if (ww && hull_inventory_add_fact(c->inv, HULL_FACT_WORLD_WRITABLE, loc, mode, uid,
						  gid, size) < 0)
			return hull_fail(err, ENOMEM, "%s", path);
		if (S_ISREG(mode) && is_credential_name(path) &&
		    hull_inventory_add_fact(c->inv, HULL_FACT_CREDENTIAL, loc, mode, uid, gid,
					    size) < 0)
			return hull_fail(err, ENOMEM, "%s", path);
	}

	if (w & W_GO && src->fd >= 0 && !(w & (W_PY | W_NPM | W_JAR))) {
		_cleanup_free_ char *win = NULL;
		size_t wl = 0;
		r = go_probe_fd(src->fd, size, &win, &wl);
		if (r < 0)
			return hull_fail(err, ENOMEM, "%s", path);
		if (r == 0 &&
		    hull_parse_go_buildinfo(c->inv, (const uint8_t *)win, wl, loc, err) < 0) {
			/* A malformed binary is not a reason to abandon the scan. */
			if (err->code == ENOMEM)
				return -1;
			hull_inventory_note(c->inv, "%s", err->msg);
			hull_err_clear(err);
		}
		w &= ~(unsigned)W_GO;
	}
	if ((w & W_SECRET) && src->fd >= 0) {
		/* Binaries are not searched for secrets: a NUL in the first 8 KiB says binary, and
		 * saves reading megabytes of every executable in /usr/bin. */
		char head[8192];
		ssize_t n = pread(src->fd, head, sizeof head, 0);
		if (n > 0 && memchr(head, '\0', (size_t)n))
			w &= ~(unsigned)W_SECRET;
	}
	if (w) {
		size_t max =
		    (w & (W_GO | W_JAR | W_KEEP)) ? HULL_SCAN_ANALYSE_MAX : HULL_SCAN_SECRET_MAX;
		if (w & W_KEEP && size > HULL_SCAN_KEEP_MAX) {
			hull_inventory_note(c->inv, "%s: too large (%llu bytes); not read", loc,
					    (unsigned long long)size);
			w = 0;
		}
		if (w && src->fd >= 0 && w == W_GO)
			w = 0;
		if (w) {
			r = src_read_all(src, size, max, &data, &len, err);
			if (r < 0)
				return hull_wrap(err, "%s", loc);
			if (r > 0) {
				hull_inventory_note(
				    c->inv, "%s: larger than %zu bytes; not analysed", loc, max);
				w = 0;
			}
		}
	}
	if (w & W_PY && hull_parse_python_metadata(c->inv, data, len, loc, err) < 0)
		return -1;
	if (w & W_NPM && hull_parse_npm_package(c->inv, data, len, loc, err) < 0)
		return -1;
	if (w & W_JAR && hull_parse_jar(c->inv, data, len, loc, 0, err) < 0)
		return -1;
	if (w & W_GO && hull_parse_go_binary(c->inv, (const uint8_t *)data, len, loc, err) < 0) {
		/* A malformed binary is not a reason to abandon the scan. */
		if (err->code == ENOMEM)
			return -1;
		hull_inventory_note(c->inv, "%s", err->msg);
		hull_err_clear(err);
	}
	if (w & W_SECRET && len <= HULL_SCAN_SECRET_MAX &&
	    hull_secret_scan(c->o->rules, c->inv, loc, data, len, err) < 0)
		return -1;

	if (!(w & W_KEEP) && !link && c->inv->npkgs == pkg0 && c->inv->nsecrets == sec0 &&
	    c->inv->nfacts == fact0)
		return 0;
	e = calloc(1, sizeof *e);
	if (!e || !(e->path = strdup(path)))
		goto oom;
	e->layer = c->layer;
	e->pkg_lo = pkg0, e->pkg_hi = c->inv->npkgs;
	e->sec_lo = sec0, e->sec_hi = c->inv->nsecrets;
	e->fact_lo = fact0, e->fact_hi = c->inv->nfacts;
	if (link) {
		e->symlink = true;
		if (!(e->link = strdup(link)))
			goto oom;
	}
	if (w & W_KEEP) {
		if (c->kept_bytes + len > HULL_SCAN_MEM_BUDGET) {
			entry_free(e);
			return hull_failk(err, HULL_ERR_LIMIT, 0,
					  "%s: memory budget of %u MiB exceeded", loc,
					  HULL_SCAN_MEM_BUDGET >> 20);
		}
		e->data = TAKE_PTR(data);
		e->len = len;
		c->kept_bytes += len;
	}
	if (map_put(c, e) < 0)
		goto oom;
	return 0;
oom:
	if (e)
		entry_free(e);
	return hull_fail(err, ENOMEM, "%s", path);
}

/* ---- after the last layer: whole-tree databases ---- */

/* Resolve path through the symlinks recorded in the tree (never the host's), at most 40. */
static struct entry *tree_lookup(struct collector *c, const char *path)
{
	char cur[PATH_MAX];
	int links = 0;

	if (strlen(path) >= sizeof cur)
		return NULL;
	strcpy(cur, path);
restart : {
	/* Walk the prefixes: the first one that is a symlink is replaced by its target. */
	size_t n = strlen(cur);
	for (size_t i = 0; i <= n; i++) {
		if (cur[i] != '/' && cur[i] != '\0')
			continue;
		char save = cur[i];
		cur[i] = '\0';
		struct entry *e = map_get(c, cur);
		cur[i] = save;
		if (!e || !e->symlink)
			continue;
		if (++links > 40)
			return NULL;
		{
			char tmp[PATH_MAX * 2];
			char *clean;
			const char *rest = cur + i;
			if (e->link[0] == '/') {
				snprintf(tmp, sizeof tmp, "%s%s", e->link, rest);
			} else {
				/* relative to the symlink's directory */
				const char *slash = strrchr(e->path, '/');
				int dl = slash ? (int)(slash - e->path) : 0;
				snprintf(tmp, sizeof tmp, "/%.*s/%s%s", dl, e->path, e->link, rest);
			}
			clean = hull_path_clean(tmp);
			if (!clean)
				return NULL;
			/* hull_path_clean never goes above "/": ".." cannot leave the tree. */
			if (strlen(clean) >= sizeof cur) {
				free(clean);
				return NULL;
			}
			strcpy(cur, clean[0] == '/' ? clean + 1 : clean);
			free(clean);
		}
		goto restart;
	}
}
	return map_get(c, cur);
}

static const struct entry *kept(struct collector *c, const char *path)
{
	struct entry *e = tree_lookup(c, path);
	return e && e->data ? e : NULL;
}

/* Language packages whose files an OS package installed: record the owner (owned.h). The
 * file lists are read only when there is a language package to look up. */
static int mark_os_owned(struct collector *c, const struct entry *apk_db,
			 const struct entry *rpm_db, const struct entry *rpm_bdb, hull_err *err)
{
	struct hull_inventory *inv = c->inv;
	struct hull_owned *o;
	bool any = false;
	int ret = -1;

	for (size_t i = 0; i < inv->npkgs && !any; i++)
		any = !inv->pkgs[i].dead && !hull_pkg_type_is_os(inv->pkgs[i].type);
	if (!any)
		return 0;
	o = hull_owned_new();
	if (!o)
		return hull_fail(err, ENOMEM, "file owners");
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct entry *x = c->buckets[i]; x; x = x->next) {
			char pkg[256];
			const char *base;
			size_t n;
			if (!x->data || !hull_str_has_prefix(x->path, "var/lib/dpkg/info/") ||
			    !hull_str_has_suffix(x->path, ".list"))
				continue;
			/* "python3-requests.list", "libc6:amd64.list" */
			base = x->path + 18;
			n = strcspn(base, ":");
			if (n > strlen(base) - 5)
				n = strlen(base) - 5;
			snprintf(pkg, sizeof pkg, "%.*s", (int)n, base);
			if (hull_owned_add_dpkg_list(o, pkg, x->data, x->len, err) < 0)
				goto out;
		}
	if (apk_db && hull_owned_add_apk_db(o, apk_db->data, apk_db->len, err) < 0)
		goto out;
	if (rpm_db) {
		hull_err e2 = HULL_ERR_INIT;
		/* The database was read once already; a failure here was reported then. */
		if (hull_rpmdb_sqlite_files(rpm_db->data, rpm_db->len, "rpmdb.sqlite", o, &e2) <
			0 &&
		    e2.code == ENOMEM) {
			hull_err_move(err, &e2);
			goto out;
		}
		hull_err_clear(&e2);
	}
	if (rpm_bdb) {
		hull_err e2 = HULL_ERR_INIT;
		if (hull_rpmdb_bdb_files(rpm_bdb->data, rpm_bdb->len, "Packages", o, &e2) < 0 &&
		    e2.code == ENOMEM) {
			hull_err_move(err, &e2);
			goto out;
		}
		hull_err_clear(&e2);
	}
	for (size_t i = 0; i < inv->npkgs; i++) {
		struct hull_pkg *p = &inv->pkgs[i];
		char path[PATH_MAX];
		const char *owner;
		if (p->dead || hull_pkg_type_is_os(p->type) || !p->location)
			continue;
		/* a jar inside a jar: the outer file is the one a package installed */
		snprintf(path, sizeof path, "%.*s", (int)strcspn(p->location, "!"), p->location);
		owner = hull_owned_get(o, path);
		if (owner && !(p->owned_by = hull_inv_strdup(inv, owner))) {
			hull_fail(err, ENOMEM, "file owners");
			goto out;
		}
	}
	ret = 0;
out:
	hull_owned_free(o);
	return ret;
}

static int finish_tree(struct collector *c, hull_err *err)
{
	struct hull_inventory *inv = c->inv;
	const struct entry *e;
	static const char *const apk_dbs[] = {"lib/apk/db/installed", "usr/lib/apk/db/installed"};
	const struct entry *apk_db = NULL, *rpm_db = NULL, *rpm_bdb = NULL;
	static const char *const rpm_bdbs[] = {"var/lib/rpm/Packages",
					       "usr/lib/sysimage/rpm/Packages"};
	static const char *const rpm_dbs[] = {"var/lib/rpm/rpmdb.sqlite",
					      "usr/lib/sysimage/rpm/rpmdb.sqlite",
					      "usr/share/rpm/rpmdb.sqlite"};

	if ((e = kept(c, "etc/os-release")) || (e = kept(c, "usr/lib/os-release")))
		hull_parse_os_release(inv, e->data, e->len);
	if (!inv->os.id && (e = kept(c, "etc/alpine-release"))) {
		inv->os.id = "alpine";
		inv->os.version_id = hull_inv_strndup(inv, e->data, strcspn(e->data, "\n"));
	}
	if (!inv->os.id && (e = kept(c, "etc/debian_version"))) {
		size_t n = strcspn(e->data, ".\n");
		inv->os.id = "debian";
		inv->os.version_id = hull_inv_strndup(inv, e->data, n);
	}
	if (c->o->files) {
		/* Copied into the inventory: the collector's entries die with the walk. */
		if ((e = kept(c, "etc/passwd")) &&
		    !(inv->passwd = hull_inv_strndup(inv, e->data, e->len)))
			return hull_fail(err, ENOMEM, "etc/passwd");
		if ((e = kept(c, "etc/shadow")) &&
		    !(inv->shadow = hull_inv_strndup(inv, e->data, e->len)))
			return hull_fail(err, ENOMEM, "etc/shadow");
		if ((e = kept(c, "etc/group")) &&
		    !(inv->group = hull_inv_strndup(inv, e->data, e->len)))
			return hull_fail(err, ENOMEM, "etc/group");
		inv->passwd_len = inv->passwd ? strlen(inv->passwd) : 0;
		inv->shadow_len = inv->shadow ? strlen(inv->shadow) : 0;
		inv->group_len = inv->group ? strlen(inv->group) : 0;
	}
	if (!c->o->packages)
		return 0;
	if ((e = kept(c, "var/lib/dpkg/status")) &&
	    hull_parse_dpkg_status(inv, e->data, e->len, "/var/lib/dpkg/status", false, err) < 0)
		return -1;
	/* distroless: one file per package in status.d/ */
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct entry *x = c->buckets[i]; x; x = x->next)
			if (x->data && hull_str_has_prefix(x->path, "var/lib/dpkg/status.d/")) {
				const char *loc = arena_path(c, x->path);
				if (!loc)
					return hull_fail(err, ENOMEM, "status.d");
				if (hull_parse_dpkg_status(inv, x->data, x->len, loc, true, err) <
				    0)
					return -1;
			}
	for (size_t i = 0; i < ARRAY_SIZE(apk_dbs); i++) {
		if ((e = kept(c, apk_dbs[i]))) {
			apk_db = e;
			if (hull_parse_apk_installed(inv, e->data, e->len,
						     arena_path(c, apk_dbs[i]), err) < 0)
				return -1;
			break; /* usr/lib/apk is often lib/apk through a symlink: read one */
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(rpm_dbs); i++) {
		if ((e = kept(c, rpm_dbs[i]))) {
			rpm_db = e;
			if (hull_parse_rpmdb_sqlite(inv, e->data, e->len, arena_path(c, rpm_dbs[i]),
						    err) < 0)
				return -1;
			break;
		}
	}
	/* Older rpm (RHEL/CentOS 7 and 8, AlmaLinux 8): BerkeleyDB; only when no rpmdb.sqlite,
	 * which a converted database leaves next to the old file. */
	for (size_t i = 0; !rpm_db && i < ARRAY_SIZE(rpm_bdbs); i++) {
		if ((e = kept(c, rpm_bdbs[i]))) {
			rpm_bdb = e;
			if (hull_parse_rpmdb_bdb(inv, e->data, e->len, arena_path(c, rpm_bdbs[i]),
						 err) < 0)
				return -1;
			break;
		}
	}
	return mark_os_owned(c, apk_db, rpm_db, rpm_bdb, err);
}

static void collector_free(struct collector *c)
{
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct entry *e = c->buckets[i], *n;
		for (; e; e = n) {
			n = e->next;
			entry_free(e);
		}
	}
	free(c->buckets);
	memset(c, 0, sizeof *c);
}

/* ---- directories ---- */

static int walk_dir(struct collector *c, int dfd, char *path, size_t plen, int depth, dev_t dev,
		    hull_err *err)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (depth > HULL_SCAN_MAX_DEPTH)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "/%s: nested deeper than %d", path,
				  HULL_SCAN_MAX_DEPTH);
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return hull_fail(err, errno, "/%s", path);
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		size_t nl = strlen(de->d_name);
		char link[PATH_MAX];
		const char *lp = NULL;
		struct file_src src = {.fd = -1};

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (plen + nl + 2 >= PATH_MAX) {
			hull_inventory_note(c->inv, "/%s/%s: path too long; skipped", path,
					    de->d_name);
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* vanished while we looked */
		if (plen)
			path[plen] = '/';
		memcpy(path + plen + (plen ? 1 : 0), de->d_name, nl + 1);
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof link - 1);
			if (n > 0) {
				link[n] = '\0';
				lp = link;
			}
		} else if (S_ISREG(st.st_mode) &&
			   want_for(c, path, st.st_mode, (uint64_t)st.st_size)) {
			/* O_NOFOLLOW: the name was a regular file a moment ago; if it was swapped
			 * for a symlink since, refuse rather than follow. O_NONBLOCK: a FIFO
			 * swapped in must not hang the scan. */
			src.fd = openat(dirfd(d), de->d_name,
					O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
			if (src.fd >= 0) {
				struct stat st2;
				if (fstat(src.fd, &st2) < 0 || !S_ISREG(st2.st_mode) ||
				    st2.st_ino != st.st_ino) {
					close(src.fd);
					src.fd = -1;
				} else {
					st = st2;
				}
			}
			if (src.fd < 0) {
				path[plen] = '\0';
				continue;
			}
		}
		{
			int r = collect_file(c, path, st.st_mode, st.st_uid, st.st_gid,
					     (uint64_t)st.st_size, lp, &src, err);
			if (src.fd >= 0)
				close(src.fd);
			if (r < 0) {
				ret = -1;
				break;
			}
		}
		if (S_ISDIR(st.st_mode)) {
			int sub;
			if (st.st_dev != dev) {
				/* Another filesystem mounted inside (proc, sys, a bind mount): not
				 * part of the tree. */
				path[plen] = '\0';
				continue;
			}
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0 && walk_dir(c, sub, path, plen + nl + (plen ? 1 : 0),
						 depth + 1, dev, err) < 0) {
				ret = -1;
				break;
			}
		}
		path[plen] = '\0';
	}
	if (!ret && errno)
		ret = hull_fail(err, errno, "read directory /%s", path);
	closedir(d);
	return ret;
}

int hull_scan_dirfd(int dirfd, const struct hull_scan_opts *o, struct hull_inventory *inv,
		    hull_err *err)
{
	struct collector c = {.inv = inv, .o = o};
	char path[PATH_MAX] = "";
	struct stat st;
	int fd, r;

	if (fstat(dirfd, &st) < 0)
		return hull_fail(err, errno, "stat");
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "open");
	r = walk_dir(&c, fd, path, 0, 0, st.st_dev, err);
	if (r == 0)
		r = finish_tree(&c, err);
	collector_free(&c);
	return r;
}

/* ---- OCI image layout ---- */

static bool valid_digest(const char *d, const char **hex, const char **alg)
{
	size_t n;
	if (hull_str_has_prefix(d, "sha256:")) {
		*alg = "sha256";
		n = 64;
	} else if (hull_str_has_prefix(d, "sha512:")) {
		*alg = "sha512";
		n = 128;
	} else {
		return false;
	}
	*hex = strchr(d, ':') + 1;
	if (strlen(*hex) != n)
		return false;
	for (const char *p = *hex; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int open_blob(int layoutfd, const char *digest, hull_err *err)
{
	const char *hex, *alg;
	char rel[200];
	if (!valid_digest(digest, &hex, &alg))
		return hull_failk(err, HULL_ERR_INVALID, 0, "invalid digest \"%s\"", digest);
	snprintf(rel, sizeof rel, "blobs/%s/%s", alg, hex);
	return hull_open_in_root(layoutfd, rel, O_RDONLY | O_NOFOLLOW, 0, 0, err);
}

static int digest_hex(const char *alg, const void *d, size_t n, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int ml = 0;
	if (!EVP_Digest(d, n, md, &ml, !strcmp(alg, "sha512") ? EVP_sha512() : EVP_sha256(), NULL))
		return -1;
	for (unsigned i = 0; i < ml; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	return 0;
}

/* Read a small JSON blob and verify its digest. */
static int read_json_blob(int layoutfd, const char *digest, json_object **out, hull_err *err)
{
	_cleanup_close_ int fd = open_blob(layoutfd, digest, err);
	_cleanup_free_ char *data = NULL;
	size_t len;
	const char *hex, *alg;
	char got[EVP_MAX_MD_SIZE * 2 + 1];

	if (fd < 0)
		return hull_wrap(err, "blob %s", digest);
	if (hull_read_fd(fd, HULL_SCAN_JSON_MAX, &data, &len, err) < 0)
		return hull_wrap(err, "blob %s", digest);
	valid_digest(digest, &hex, &alg);
	if (digest_hex(alg, data, len, got) < 0)
		return hull_fail(err, EIO, "blob %s: digest", digest);
	if (strcmp(got, hex))
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: digest mismatch: got %s:%s",
				  digest, alg, got);
	return hull_json_parse(data, len, digest, out, err);
}

static bool host_arch_matches(const char *arch)
{
#if defined(__x86_64__)
	return !strcmp(arch, "amd64");
#elif defined(__aarch64__)
	return !strcmp(arch, "arm64");
#else
	return true;
#endif
}

/* Pick the manifest: by tag (org.opencontainers.image.ref.name), the only one, or the host
 * platform's entry of an image index. */
static int pick_manifest(int layoutfd, json_object *index, const char *tag, int depth,
			 json_object **manifest, char **mdigest, hull_err *err)
{
	json_object *mans, *pick = NULL;
	size_t n;
	if (depth > 2)
		return hull_failk(err, HULL_ERR_INVALID, 0, "image indexes nested too deep");
	if (!json_object_object_get_ex(index, "manifests", &mans) ||
	    !json_object_is_type(mans, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0, "index: no manifests[]");
	n = json_object_array_length(mans);
	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(mans, i), *ann, *plat;
		const char *name = NULL;
		if (json_object_object_get_ex(m, "annotations", &ann))
			name = hull_json_get_str(ann, "org.opencontainers.image.ref.name");
		if (tag && depth == 0) {
			if (name && !strcmp(name, tag)) {
				pick = m;
				break;
			}
			continue;
		}
		if (json_object_object_get_ex(m, "platform", &plat)) {
			const char *os = hull_json_get_str(plat, "os");
			const char *arch = hull_json_get_str(plat, "architecture");
			if ((os && strcmp(os, "linux")) || (arch && !host_arch_matches(arch)))
				continue;
		}
		if (pick && depth == 0)
			return hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "the layout holds several images: name one with oci:DIR:TAG");
		if (!pick)
			pick = m;
	}
	if (!pick)
		return hull_failk(err, HULL_ERR_NOTFOUND, 0,
				  tag ? "no image tagged \"%s\"" : "no image%s",
				  tag ? tag : " for this platform");
	{
		const char *digest = hull_json_get_str(pick, "digest");
		const char *mt = hull_json_get_str(pick, "mediaType");
		json_object *doc = NULL;
		if (!digest)
			return hull_failk(err, HULL_ERR_INVALID, 0, "index entry without a digest");
		if (read_json_blob(layoutfd, digest, &doc, err) < 0)
			return -1;
		if (!mt)
			mt = hull_json_get_str(doc, "mediaType");
		if (mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"))) {
			int r =
			    pick_manifest(layoutfd, doc, NULL, depth + 1, manifest, mdigest, err);
			json_object_put(doc);
			return r;
		}
		*manifest = doc;
		*mdigest = strdup(digest);
		return *mdigest ? 0 : hull_fail(err, ENOMEM, "manifest");
	}
}

static char **strv_from_json_array(json_object *a)
{
	char **v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	if (a && json_object_is_type(a, json_type_array))
		for (size_t i = 0; i < json_object_array_length(a) && i < 10000; i++) {
			json_object *s = json_object_array_get_idx(a, i);
			if (json_object_is_type(s, json_type_string) &&
			    hull_strv_push(&v, json_object_get_string(s)) < 0) {
				hull_strv_free(v);
				return NULL;
			}
		}
	return v;
}

static int read_config(int layoutfd, const char *digest, struct hull_image_meta *meta,
		       hull_err *err)
{
	_cleanup_json_ json_object *cfg = NULL;
	json_object *c, *x;
	if (read_json_blob(layoutfd, digest, &cfg, err) < 0)
		return hull_wrap(err, "image config");
	meta->config_digest = strdup(digest);
	meta->os = strdup(hull_json_get_str(cfg, "os") ? hull_json_get_str(cfg, "os") : "");
	meta->arch = strdup(
	    hull_json_get_str(cfg, "architecture") ? hull_json_get_str(cfg, "architecture") : "");
	if (!json_object_object_get_ex(cfg, "config", &c) ||
	    !json_object_is_type(c, json_type_object))
		c = NULL;
	meta->user = strdup(c && hull_json_get_str(c, "User") ? hull_json_get_str(c, "User") : "");
	meta->env = strv_from_json_array(c && json_object_object_get_ex(c, "Env", &x) ? x : NULL);
	meta->labels = calloc(1, sizeof(char *));
	meta->ports = calloc(1, sizeof(char *));
	if (!meta->config_digest || !meta->os || !meta->arch || !meta->user || !meta->env ||
	    !meta->labels || !meta->ports)
		return hull_fail(err, ENOMEM, "image config");
	if (c && json_object_object_get_ex(c, "Labels", &x) &&
	    json_object_is_type(x, json_type_object)) {
		json_object_object_foreach(x, k, v)
		{
			_cleanup_free_ char *kv = hull_strdup_printf(
			    "%s=%s", k,
			    json_object_is_type(v, json_type_string) ? json_object_get_string(v)
								     : "");
			if (!kv || hull_strv_push(&meta->labels, kv) < 0)
				return hull_fail(err, ENOMEM, "image config");
		}
	}
	if (c && json_object_object_get_ex(c, "ExposedPorts", &x) &&
	    json_object_is_type(x, json_type_object)) {
		json_object_object_foreach(x, k, v)
		{
			(void)v;
			if (hull_strv_push(&meta->ports, k) < 0)
				return hull_fail(err, ENOMEM, "image config");
		}
	}
	if (c && json_object_object_get_ex(c, "Healthcheck", &x) &&
	    json_object_is_type(x, json_type_object)) {
		json_object *t;
		/* ["NONE"] disables a health check inherited from the base image. */
		if (json_object_object_get_ex(x, "Test", &t) &&
		    json_object_is_type(t, json_type_array) && json_object_array_length(t) > 0) {
			const char *t0 = json_object_get_string(json_object_array_get_idx(t, 0));
			meta->has_healthcheck = t0 && strcmp(t0, "NONE");
		}
	}
	return 0;
}

/* libarchive reads the layer through us so the digest is computed on exactly the bytes read. */
struct layer_reader {
	int fd;
	EVP_MD_CTX *md;
	uint64_t total;
	char buf[128 * 1024];
	bool failed;
};

static la_ssize_t layer_read(struct archive *a, void *data, const void **buf)
{
	struct layer_reader *r = data;
	ssize_t n;
	(void)a;
	do
		n = read(r->fd, r->buf, sizeof r->buf);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->failed = true;
		archive_set_error(a, errno, "read layer");
		return -1;
	}
	if (n > 0)
		EVP_DigestUpdate(r->md, r->buf, (size_t)n);
	r->total += (uint64_t)n;
	*buf = r->buf;
	return n;
}

/* Normalise a tar member name: no leading "./" or "/", no ".." components (refused). */
static int clean_member(const char *name, char *out, size_t size)
{
	char *c = hull_path_clean(name);
	const char *p;
	if (!c)
		return -1;
	p = c[0] == '/' ? c + 1 : c;
	if (!strcmp(p, ".") || strlen(p) >= size) {
		free(c);
		return 1;
	}
	/* hull_path_clean drops leading "..": a member that tried is refused outright */
	if (strstr(name, "../") || !strcmp(name, "..") || hull_str_has_suffix(name, "/..")) {
		free(c);
		return 1;
	}
	strcpy(out, p);
	free(c);
	return 0;
}

/* Every member of one layer through the collector (whiteouts, hard links, refused names).
 * Returns the last libarchive status (ARCHIVE_EOF when the layer was read to its end) or -1. */
static int walk_layer(struct collector *c, struct archive *a, const char *digest, hull_err *err)
{
	struct archive_entry *ent;
	char path[PATH_MAX];
	uint64_t layer_bytes = 0;
	int rc;

	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		const char *base, *hl;
		/* Every byte of a compressed layer is inflated to reach the next header, read or
		 * not: a layer claiming more than this is a decompression bomb, not an image. */
		if (archive_entry_size(ent) > 0)
			layer_bytes += (uint64_t)archive_entry_size(ent);
		if (layer_bytes > HULL_SCAN_LAYER_MAX) {
			hull_failk(err, HULL_ERR_LIMIT, 0, "layer %s: more than %llu GiB unpacked",
				   digest, (unsigned long long)(HULL_SCAN_LAYER_MAX >> 30));
			return -1;
		}
		mode_t mode = archive_entry_mode(ent);
		struct file_src src = {.fd = -1, .ar = a};
		int cr;
		if (!name)
			continue;
		cr = clean_member(name, path, sizeof path);
		if (cr < 0) {
			hull_fail(err, ENOMEM, "layer");
			return -1;
		}
		if (cr > 0) {
			if (strcmp(name, ".") && strcmp(name, "./"))
				hull_inventory_note(c->inv, "layer %.19s: member \"%s\" refused",
						    digest, name);
			continue;
		}
		base = base_name(path);
		/* Whiteouts (OCI image-spec layer.md): ".wh..wh..opq" hides the directory's lower
		 * contents, ".wh.NAME" hides NAME. */
		if (!strcmp(base, ".wh..wh..opq")) {
			size_t dl = (size_t)(base - path);
			path[dl ? dl - 1 : 0] = '\0';
			map_remove_tree(c, path, false);
			continue;
		}
		if (hull_str_has_prefix(base, ".wh.")) {
			memmove((char *)base, base + 4, strlen(base + 4) + 1);
			map_remove_tree(c, path, true);
			continue;
		}
		hl = archive_entry_hardlink(ent);
		if (hl) {
			/* A hard link shares its target's content: carry over what was kept. */
			char target[PATH_MAX];
			struct entry *t;
			if (clean_member(hl, target, sizeof target) == 0 &&
			    (t = map_get(c, target)) && t->data) {
				src.ar = NULL;
				src.mem = t->data;
				src.mem_len = t->len;
				mode = (mode & ~(mode_t)S_IFMT) | S_IFREG;
				if (collect_file(c, path, mode, archive_entry_uid(ent),
						 archive_entry_gid(ent), t->len, NULL, &src,
						 err) < 0)
					return -1;
			} else if (c->o->files && (mode & (S_ISUID | S_ISGID))) {
				mode = (mode & ~(mode_t)S_IFMT) | S_IFREG;
				src.ar = NULL;
				if (collect_file(c, path, mode, archive_entry_uid(ent),
						 archive_entry_gid(ent), 0, NULL, &src, err) < 0)
					return -1;
			}
			continue;
		}
		if (collect_file(c, path, mode, archive_entry_uid(ent), archive_entry_gid(ent),
				 (uint64_t)archive_entry_size(ent),
				 S_ISLNK(mode) ? archive_entry_symlink(ent) : NULL, &src, err) < 0)
			return -1;
	}
	return rc;
}

static int scan_layer(struct collector *c, int layoutfd, const char *digest, hull_err *err)
{
	struct layer_reader *r;
	struct archive *a;
	const char *hex, *alg;
	char got[EVP_MAX_MD_SIZE * 2 + 1];
	int rc, ret = -1;

	if (!valid_digest(digest, &hex, &alg))
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer: invalid digest \"%s\"", digest);
	r = calloc(1, sizeof *r);
	if (!r)
		return hull_fail(err, ENOMEM, "layer");
	r->fd = open_blob(layoutfd, digest, err);
	if (r->fd < 0) {
		free(r);
		return hull_wrap(err, "layer %s", digest);
	}
	r->md = EVP_MD_CTX_new();
	a = archive_read_new();
	if (!r->md || !a ||
	    !EVP_DigestInit_ex(r->md, !strcmp(alg, "sha512") ? EVP_sha512() : EVP_sha256(), NULL)) {
		hull_fail(err, ENOMEM, "layer");
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open(a, r, NULL, layer_read, NULL) != ARCHIVE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "layer %s: %s", digest,
			   archive_error_string(a));
		goto out;
	}
	rc = walk_layer(c, a, digest, err);
	if (rc == -1)
		goto out;
	if (rc != ARCHIVE_EOF) {
		hull_failk(err, HULL_ERR_INVALID, 0, "layer %s: %s", digest,
			   archive_error_string(a));
		goto out;
	}
	/* Hash whatever follows the end-of-archive marker too: the digest covers the blob. */
	{
		const void *b;
		while (layer_read(a, r, &b) > 0)
			;
	}
	{
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int ml = 0;
		EVP_DigestFinal_ex(r->md, md, &ml);
		for (unsigned i = 0; i < ml; i++)
			sprintf(got + 2 * i, "%02x", md[i]);
	}
	if (r->failed || strcmp(got, hex)) {
		hull_failk(err, HULL_ERR_INVALID, 0, "layer %s: digest mismatch: got %s:%s", digest,
			   alg, got);
		goto out;
	}
	ret = 0;
out:
	if (a)
		archive_read_free(a);
	EVP_MD_CTX_free(r->md);
	close(r->fd);
	free(r);
	return ret;
}

int hull_scan_layer_buffer(const void *data, size_t len, const struct hull_scan_opts *o,
			   struct hull_inventory *inv, hull_err *err)
{
	struct collector c = {.inv = inv, .o = o};
	struct archive *a = archive_read_new();
	int rc, ret = -1;
	if (!a)
		return hull_fail(err, ENOMEM, "layer");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "layer: %s", archive_error_string(a));
		goto out;
	}
	rc = walk_layer(&c, a, "(memory)", err);
	if (rc == -1)
		goto out;
	if (rc != ARCHIVE_EOF) {
		hull_failk(err, HULL_ERR_INVALID, 0, "layer: %s", archive_error_string(a));
		goto out;
	}
	c.layer = 1;
	ret = finish_tree(&c, err);
out:
	archive_read_free(a);
	collector_free(&c);
	return ret;
}

/* Scan the image whose manifest (already parsed) is in *manifest; blobs come from blobsfd's
 * blobs/<alg>/<hex> (an OCI layout, or hull's store, which uses the same shape). */
static int scan_manifest(int blobsfd, json_object *manifest, const struct hull_scan_opts *o,
			 struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err)
{
	struct collector c = {.inv = inv, .o = o};
	json_object *cfg, *layers;
	int ret = -1;

	meta->is_image = true;
	if (!json_object_object_get_ex(manifest, "config", &cfg) ||
	    !hull_json_get_str(cfg, "digest"))
		return hull_failk(err, HULL_ERR_INVALID, 0, "manifest %s: no config",
				  meta->manifest_digest);
	if (read_config(blobsfd, hull_json_get_str(cfg, "digest"), meta, err) < 0)
		return -1;
	if (!json_object_object_get_ex(manifest, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0, "manifest %s: no layers[]",
				  meta->manifest_digest);
	meta->layers = json_object_array_length(layers);
	for (size_t i = 0; i < meta->layers; i++) {
		const char *d = hull_json_get_str(json_object_array_get_idx(layers, i), "digest");
		c.layer = (int)i;
		if (!d) {
			hull_failk(err, HULL_ERR_INVALID, 0, "layer %zu: no digest", i);
			goto out;
		}
		if (scan_layer(&c, blobsfd, d, err) < 0)
			goto out;
	}
	c.layer = (int)meta->layers;
	ret = finish_tree(&c, err);
out:
	collector_free(&c);
	return ret;
}

int hull_scan_oci_manifest(int blobsfd, const char *manifest_digest, const char *tag,
			   const struct hull_scan_opts *o, struct hull_inventory *inv,
			   struct hull_image_meta *meta, hull_err *err)
{
	_cleanup_json_ json_object *manifest = NULL;
	if (read_json_blob(blobsfd, manifest_digest, &manifest, err) < 0)
		return hull_wrap(err, "manifest");
	if (!(meta->manifest_digest = strdup(manifest_digest)) ||
	    (tag && !(meta->tag = strdup(tag))))
		return hull_fail(err, ENOMEM, "image");
	return scan_manifest(blobsfd, manifest, o, inv, meta, err);
}

int hull_scan_oci_layout(int layoutfd, const char *tag, const struct hull_scan_opts *o,
			 struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err)
{
	_cleanup_json_ json_object *index = NULL, *manifest = NULL;
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (hull_read_file_at(layoutfd, "index.json", O_NOFOLLOW, HULL_SCAN_JSON_MAX, &data, &len,
			      err) < 0)
		return hull_wrap(err, "OCI layout");
	if (hull_json_parse(data, len, "index.json", &index, err) < 0)
		return -1;
	if (pick_manifest(layoutfd, index, tag, 0, &manifest, &meta->manifest_digest, err) < 0)
		return -1;
	if (tag && !(meta->tag = strdup(tag)))
		return hull_fail(err, ENOMEM, "image");
	return scan_manifest(layoutfd, manifest, o, inv, meta, err);
}

bool hull_scan_is_path_target(const char *t)
{
	return hull_str_has_prefix(t, "dir:") || hull_str_has_prefix(t, "oci:") ||
	       hull_str_has_prefix(t, "oci-archive:") || t[0] == '/' || t[0] == '.';
}

/* ---- oci-archive: the layout inside a tar, copied to a private directory ---- */

static bool archive_member_allowed(const char *p)
{
	const char *hex, *alg;
	if (!strcmp(p, "oci-layout") || !strcmp(p, "index.json"))
		return true;
	if (hull_str_has_prefix(p, "blobs/sha256/") || hull_str_has_prefix(p, "blobs/sha512/")) {
		char d[200];
		if (strlen(p) > 150)
			return false;
		snprintf(d, sizeof d, "%.6s:%.150s", p + 6, p + 13);
		return valid_digest(d, &hex, &alg);
	}
	return false;
}

static int extract_oci_archive(const char *file, int outfd, hull_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int rc, ret = -1;
	char path[PATH_MAX];

	if (!a)
		return hull_fail(err, ENOMEM, "oci-archive");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", file, archive_error_string(a));
		goto out;
	}
	if (mkdirat(outfd, "blobs", 0700) < 0 || mkdirat(outfd, "blobs/sha256", 0700) < 0 ||
	    mkdirat(outfd, "blobs/sha512", 0700) < 0) {
		hull_fail(err, errno, "oci-archive: mkdir");
		goto out;
	}
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		_cleanup_close_ int fd = -1;
		const void *buf;
		size_t n;
		la_int64_t off;
		if (!name || archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if (clean_member(name, path, sizeof path) != 0 || !archive_member_allowed(path))
			continue;
		/* Only names of the fixed shapes above are written, relative to our private
		 * directory, never through an existing file or link. */
		fd =
		    openat(outfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			hull_fail(err, errno, "%s: %s", file, path);
			goto out;
		}
		while ((rc = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
			if (lseek(fd, off, SEEK_SET) < 0 || hull_write_all(fd, buf, n) < 0) {
				hull_fail(err, errno, "%s: write %s", file, path);
				goto out;
			}
		}
		if (rc != ARCHIVE_EOF) {
			hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", file,
				   archive_error_string(a));
			goto out;
		}
	}
	if (rc != ARCHIVE_EOF) {
		hull_failk(err, HULL_ERR_INVALID, 0, "%s: %s", file, archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_read_free(a);
	return ret;
}

static int scan_oci_archive(const char *file, const char *tag, const struct hull_scan_opts *o,
			    struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err)
{
	const char *tmpd = getenv("TMPDIR");
	_cleanup_free_ char *tmpl =
	    hull_strdup_printf("%s/hull-scan-XXXXXX", tmpd && *tmpd ? tmpd : "/var/tmp");
	_cleanup_close_ int parent = -1, dfd = -1;
	char *base;
	int r;

	if (!tmpl || !mkdtemp(tmpl))
		return hull_fail(err, errno ? errno : ENOMEM, "oci-archive: temporary directory");
	dfd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? hull_fail(err, errno, "%s", tmpl) : extract_oci_archive(file, dfd, err);
	if (r == 0)
		r = hull_scan_oci_layout(dfd, tag, o, inv, meta, err);
	base = strrchr(tmpl, '/');
	*base = '\0';
	parent = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent >= 0) {
		hull_err e2 = HULL_ERR_INIT;
		hull_rm_rf_at(parent, base + 1, &e2);
		hull_err_clear(&e2);
	}
	return r;
}

int hull_scan_target(const char *spec, const struct hull_scan_opts *o, struct hull_inventory *inv,
		     struct hull_image_meta *meta, hull_err *err)
{
	int r;
	if (!(meta->ref = strdup(spec)))
		return hull_fail(err, ENOMEM, "scan");
	if (hull_str_has_prefix(spec, "oci-archive:")) {
		/* oci-archive:PATH[:TAG], split like oci: (a file named with a colon wins) */
		_cleanup_free_ char *file = strdup(spec + 12);
		char *colon, *tag = NULL;
		struct stat st;
		if (!file)
			return hull_fail(err, ENOMEM, "scan");
		colon = strrchr(file, ':');
		if (colon && !strchr(colon, '/') && stat(file, &st) < 0) {
			*colon = '\0';
			tag = colon + 1;
		}
		r = scan_oci_archive(file, tag && *tag ? tag : NULL, o, inv, meta, err);
		if (r < 0)
			return hull_wrap(err, "scan %s", spec);
		return 0;
	}
	if (hull_str_has_prefix(spec, "oci:")) {
		/* oci:DIR[:TAG]: a tag never contains '/', so a last ':' followed by no '/' is it.
		 */
		_cleanup_free_ char *dir = strdup(spec + 4);
		_cleanup_close_ int fd = -1;
		char *colon, *tag = NULL;
		struct stat st;
		if (!dir)
			return hull_fail(err, ENOMEM, "scan");
		colon = strrchr(dir, ':');
		if (colon && !strchr(colon, '/') && (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
			*colon = '\0';
			tag = colon + 1;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno,
					  "scan %s: open %s", spec, dir);
		if (hull_scan_oci_layout(fd, tag && *tag ? tag : NULL, o, inv, meta, err) < 0)
			return hull_wrap(err, "scan %s", spec);
		return 0;
	}
	{
		const char *dir = hull_str_has_prefix(spec, "dir:") ? spec + 4 : spec;
		_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return hull_failk(err,
					  errno == ENOENT ? HULL_ERR_NOTFOUND : HULL_ERR_INVALID,
					  errno, "scan %s", spec);
		if (hull_scan_dirfd(fd, o, inv, err) < 0)
			return hull_wrap(err, "scan %s", spec);
	}
	return 0;
}
