/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The extractor: tar entries (from libarchive) -> files inside one layer directory. Every call
 * is relative to a directory fd that was itself reached component by component with O_NOFOLLOW,
 * so nothing here can touch a path outside the layer directory. */
#include "core/archive_dl.h"
#include "image/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "image/digest.h"

#define MAX_PATH_LEN 4095
#define MAX_DEPTH    256
#define MAX_XATTRS   128
#define OVL_OPAQUE   "trusted.overlay.opaque"
#define WH_PREFIX    ".wh."
#define WH_OPAQUE    ".wh..wh..opq"
#define WH_META	     ".wh..wh."

void hull_unpack_opts_default(struct hull_unpack_opts *o)
{
	o->lim.max_stream_bytes = 64ull << 30;
	o->lim.max_entries = 2000000;
	o->lim.max_file_size = 32ull << 30;
	o->devices = HULL_DEVICES_REJECT;
	o->digest_files = true;
}

/* ---------------- content digests by inode ---------------- */

struct digest_slot {
	uint64_t ino;
	bool used, known;
	char hex[65];
};

struct hull_file_digests {
	struct digest_slot *v;
	size_t cap, n; /* cap: a power of two */
};

static size_t slot_of(const struct hull_file_digests *d, uint64_t ino)
{
	size_t i = (size_t)((ino * 0x9E3779B97F4A7C15ull) >> 20) & (d->cap - 1);
	while (d->v[i].used && d->v[i].ino != ino)
		i = (i + 1) & (d->cap - 1);
	return i;
}

/* hex NULL: the content of ino is not known (forget what an earlier file with it had). */
static int digests_put(struct hull_file_digests **dp, uint64_t ino, const char *hex)
{
	struct hull_file_digests *d = *dp;
	size_t i;
	if (!d) {
		if (!(d = *dp = calloc(1, sizeof *d)))
			return -1;
	}
	if ((d->n + 1) * 2 > d->cap) {
		struct hull_file_digests g = {.cap = d->cap ? d->cap * 2 : 1024};
		if (!(g.v = calloc(g.cap, sizeof *g.v)))
			return -1;
		for (size_t k = 0; k < d->cap; k++)
			if (d->v[k].used)
				g.v[slot_of(&g, d->v[k].ino)] = d->v[k];
		g.n = d->n;
		free(d->v);
		*d = g;
	}
	i = slot_of(d, ino);
	if (!d->v[i].used)
		d->n++;
	d->v[i].used = true;
	d->v[i].ino = ino;
	d->v[i].known = hex != NULL;
	snprintf(d->v[i].hex, sizeof d->v[i].hex, "%s", hex ? hex : "");
	return 0;
}

const char *hull_file_digests_get(const struct hull_file_digests *d, uint64_t ino)
{
	size_t i;
	if (!d || !d->cap)
		return NULL;
	i = slot_of(d, ino);
	return d->v[i].used && d->v[i].known ? d->v[i].hex : NULL;
}

void hull_unpack_report_free(struct hull_unpack_report *r)
{
	for (size_t i = 0; i < HULL_UNPACK_REPORT_PATHS; i++)
		free(r->setid[i]);
	if (r->digests) {
		free(r->digests->v);
		free(r->digests);
	}
	memset(r, 0, sizeof *r);
}

struct dirtime {
	char *path;
	struct timespec ts[2];
};

struct xctx {
	int root;
	const struct hull_unpack_opts *o;
	struct hull_unpack_report *r;
	bool as_root;
	/* The last parent directory walked, reused while entries stay in one directory. */
	char *cache_path;
	int cache_fd;
	struct dirtime *dt;
	size_t ndt, capdt, dt_bytes;
	char shown[320]; /* the entry name, printable, for errors */
};

/* Entry names go into error messages: keep terminal escapes out. */
static const char *show(struct xctx *x, const char *name)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && o < sizeof x->shown - 4;
	     p++)
		x->shown[o++] = (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p;
	if (strlen(name) > o)
		memcpy(x->shown + o, "...", 3), o += 3;
	x->shown[o] = '\0';
	return x->shown;
}

static int efail(hull_err *err, int kind, int code, struct xctx *x, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int efail(hull_err *err, int kind, int code, struct xctx *x, const char *name,
		 const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return hull_failk(err, kind, code, "entry \"%s\": %s", show(x, name), why);
}

static void cache_drop(struct xctx *x)
{
	free(x->cache_path);
	x->cache_path = NULL;
	if (x->cache_fd >= 0)
		close(x->cache_fd);
	x->cache_fd = -1;
}

/* Canonical relative path: "./a//b/" -> "a/b". ".." anywhere and absolute names are refused
 * rather than cleaned: a layer that contains them was made to attack an unpacker. */
static int normalize(struct xctx *x, const char *in, char *out, hull_err *err)
{
	size_t o = 0, depth = 0;
	const char *p = in;
	if (!in || !*in)
		return hull_failk(err, HULL_ERR_INVALID, 0, "entry with an empty name");
	if (in[0] == '/')
		return efail(err, HULL_ERR_INVALID, 0, x, in, "absolute path refused");
	if (strlen(in) > MAX_PATH_LEN)
		return efail(err, HULL_ERR_LIMIT, 0, x, in, "name longer than %d bytes",
			     MAX_PATH_LEN);
	while (*p) {
		const char *s;
		size_t len;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return efail(err, HULL_ERR_INVALID, 0, x, in, "\"..\" component refused");
		if (len > NAME_MAX)
			return efail(err, HULL_ERR_LIMIT, 0, x, in,
				     "component longer than %d bytes", NAME_MAX);
		if (++depth > MAX_DEPTH)
			return efail(err, HULL_ERR_LIMIT, 0, x, in, "deeper than %d directories",
				     MAX_DEPTH);
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, len);
		o += len;
	}
	out[o] = '\0';
	return 0;
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static int set_opaque(int dfd, struct xctx *x, const char *name, hull_err *err)
{
	if (fsetxattr(dfd, OVL_OPAQUE, "y", 1, 0) < 0)
		return efail(err, 0, errno, x, name, "mark directory opaque (%s)", OVL_OPAQUE);
	return 0;
}

/* Open (and with create, make) the directory `rel` inside the layer. Each component is opened
 * with O_NOFOLLOW relative to its parent's fd: a symlink in the way is refused (symlink then
 * write-through), so the walk cannot leave the layer directory. Returns a borrowed fd. */
static int open_dir(struct xctx *x, const char *rel, bool create, const char *entry, hull_err *err)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *comp;
	int cur;

	if (!*rel)
		return x->root;
	if (x->cache_path && !strcmp(x->cache_path, rel))
		return x->cache_fd;
	cache_drop(x);
	copy = strdup(rel);
	if (!copy)
		return hull_fail(err, ENOMEM, "unpack");
	cur = x->root;
	for (comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		int fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENOENT)) {
			struct stat st;
			bool exists = fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0;
			if (exists && S_ISLNK(st.st_mode)) {
				if (cur != x->root)
					close(cur);
				return efail(
				    err, HULL_ERR_INVALID, ELOOP, x, entry,
				    "parent \"%s\" is a symlink: refusing to write through it",
				    comp);
			}
			if (!create || (exists && !is_whiteout(&st))) {
				if (cur != x->root)
					close(cur);
				return efail(err, HULL_ERR_INVALID, exists ? ENOTDIR : ENOENT, x,
					     entry, "parent \"%s\" %s", comp,
					     exists ? "is not a directory" : "does not exist");
			}
			/* A directory created where this layer whited out a lower one replaces it:
			 * the lower one's children must stay hidden (opaque). */
			if (exists && unlinkat(cur, comp, 0) < 0) {
				efail(err, 0, errno, x, entry, "replace whiteout %s", comp);
				fd = -1;
			} else if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				efail(err, 0, errno, x, entry, "mkdir %s", comp);
				fd = -1;
			} else {
				fd = openat(cur, comp,
					    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0)
					efail(err, 0, errno, x, entry, "open %s", comp);
				else if (fchmod(fd, 0755) < 0 ||
					 (exists && set_opaque(fd, x, entry, err) < 0)) {
					if (!hull_err_set(err))
						efail(err, 0, errno, x, entry, "chmod %s", comp);
					close(fd);
					fd = -1;
				}
			}
			if (fd < 0) {
				if (cur != x->root)
					close(cur);
				return -1;
			}
		} else if (fd < 0) {
			int e = errno;
			if (cur != x->root)
				close(cur);
			return efail(err, 0, e, x, entry, "open parent %s", comp);
		}
		if (cur != x->root)
			close(cur);
		cur = fd;
	}
	x->cache_path = strdup(rel);
	if (!x->cache_path) {
		close(cur);
		return hull_fail(err, ENOMEM, "unpack");
	}
	x->cache_fd = cur;
	return cur;
}

/* Make room for an entry at parent/base. Returns 0 when the name is free, 1 when it is a
 * directory that an incoming directory keeps (attributes are replaced), 2 when it was a whiteout
 * that the incoming directory replaces (the directory must become opaque). */
static int clear_name(struct xctx *x, int parent, const char *base, bool incoming_dir,
		      const char *entry, hull_err *err)
{
	struct stat st;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return efail(err, 0, errno, x, entry, "stat");
	}
	if (S_ISDIR(st.st_mode)) {
		if (incoming_dir)
			return 1;
		/* Removing a directory may remove the cached parent: forget it. */
		cache_drop(x);
		if (hull_rm_rf_at(parent, base, err) < 0)
			return hull_wrap(err, "entry \"%s\": replace directory", show(x, entry));
		return 0;
	}
	if (unlinkat(parent, base, 0) < 0)
		return efail(err, 0, errno, x, entry, "replace existing file");
	return incoming_dir && is_whiteout(&st) ? 2 : 0;
}

static void report_setid(struct xctx *x, const char *path)
{
	if (x->r->n_setid < HULL_UNPACK_REPORT_PATHS)
		x->r->setid[x->r->n_setid] = strdup(path);
	x->r->n_setid++;
}

/* Only user.* (minus user.overlay.*) and security.capability survive. trusted.overlay.* or
 * user.overlay.* from a layer would steer overlayfs itself (redirect, metacopy, opaque, origin);
 * security.selinux and system.* would relabel or grant access on the host. */
static bool xattr_allowed(const char *name)
{
	if (!strncmp(name, "user.", 5))
		return strncmp(name, "user.overlay.", 13) != 0;
	return !strcmp(name, "security.capability");
}

static int apply_xattrs(struct xctx *x, int fd, struct archive_entry *e, const char *entry,
			hull_err *err)
{
	const char *name;
	const void *val;
	size_t size;
	int n = 0;
	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		if (++n > MAX_XATTRS)
			return efail(err, HULL_ERR_LIMIT, 0, x, entry, "more than %d xattrs",
				     MAX_XATTRS);
		if (!name || !xattr_allowed(name) || fd < 0 ||
		    (!x->as_root && !strncmp(name, "security.", 9))) {
			x->r->xattrs_dropped++;
			continue;
		}
		if (fsetxattr(fd, name, val, size, 0) < 0) {
			if (errno == ENOTSUP || errno == EINVAL || errno == EPERM) {
				x->r->xattrs_dropped++;
				continue;
			}
			return efail(err, 0, errno, x, entry, "set xattr %s", name);
		}
	}
	return 0;
}

/* Owner, then mode (chown clears setuid bits), then xattrs (chown clears file capabilities). */
static int apply_meta(struct xctx *x, int fd, int parent, const char *base, struct archive_entry *e,
		      const char *entry, bool symlink, hull_err *err)
{
	int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
	mode_t mode = archive_entry_perm(e) & 07777;
	if (uid < 0 || gid < 0 || uid >= 0xffffffffLL || gid >= 0xffffffffLL)
		return efail(err, HULL_ERR_INVALID, 0, x, entry, "owner %lld:%lld out of range",
			     (long long)uid, (long long)gid);
	if (x->as_root) {
		int r = fd >= 0
			    ? fchown(fd, (uid_t)uid, (gid_t)gid)
			    : fchownat(parent, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
		if (r < 0)
			return efail(err, 0, errno, x, entry, "chown");
	}
	if (symlink)
		return 0;
	if (fd >= 0 ? fchmod(fd, mode) < 0 : fchmodat(parent, base, mode, AT_SYMLINK_NOFOLLOW) < 0)
		return efail(err, 0, errno, x, entry, "chmod");
	return apply_xattrs(x, fd, e, entry, err);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec =
	    archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
	ts[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e)
						      : archive_entry_mtime_nsec(e);
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	for (int i = 0; i < 2; i++)
		if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
			ts[i].tv_nsec = 0;
}

static int write_data(struct xctx *x, struct archive *a, int fd, struct archive_entry *e,
		      const char *entry, hull_err *err)
{
	int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	uint64_t end = 0;
	/* The content digest, while the bytes go by: only for data written in order. */
	hull_hasher h;
	bool hashing = false;
	struct stat st;
	char d[HULL_DIGEST_MAX];
	int rc = -1;
	if (declared < 0 || (uint64_t)declared > x->o->lim.max_file_size)
		return efail(err, HULL_ERR_LIMIT, EFBIG, x, entry,
			     "file of %lld bytes exceeds the limit of %llu", (long long)declared,
			     (unsigned long long)x->o->lim.max_file_size);
	if (x->o->digest_files) {
		if (hull_hasher_init(&h, HULL_SHA256, err) < 0)
			return -1;
		hashing = true;
	}
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			efail(err, HULL_ERR_INVALID, 0, x, entry, "read: %s",
			      archive_error_string(a) ? archive_error_string(a) : "truncated");
			goto out;
		}
		if (off < 0 || (uint64_t)off + len > x->o->lim.max_file_size) {
			efail(err, HULL_ERR_LIMIT, EFBIG, x, entry,
			      "data beyond the file size limit");
			goto out;
		}
		for (size_t done = 0; done < len;) {
			ssize_t w =
			    pwrite(fd, (const char *)buf + done, len - done, off + (off_t)done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				efail(err, 0, w < 0 ? errno : EIO, x, entry, "write");
				goto out;
			}
			done += (size_t)w;
		}
		if (hashing) {
			if ((uint64_t)off == end) {
				hull_hasher_update(&h, buf, len);
			} else {
				hull_hasher_free(&h);
				hashing = false;
			}
		}
		if ((uint64_t)off + len > end)
			end = (uint64_t)off + len;
		x->r->file_bytes += len;
	}
	/* A sparse file's trailing hole. */
	if ((uint64_t)declared > end) {
		if (ftruncate(fd, declared) < 0) {
			efail(err, 0, errno, x, entry, "truncate");
			goto out;
		}
		if (hashing) {
			hull_hasher_free(&h);
			hashing = false;
		}
	}
	if (x->o->digest_files) {
		if (fstat(fd, &st) < 0) {
			efail(err, 0, errno, x, entry, "stat");
			goto out;
		}
		if (hashing)
			hull_hasher_final(&h, d);
		if (digests_put(&x->r->digests, (uint64_t)st.st_ino,
				hashing ? hull_digest_hex(d) : NULL) < 0) {
			hull_fail(err, ENOMEM, "unpack");
			goto out;
		}
	}
	rc = 0;
out:
	if (hashing)
		hull_hasher_free(&h);
	return rc;
}

/* Directory times are restored at the end. Their paths are kept in memory, so a layer of
 * millions of long directory names could make that list huge: past 64 MiB the remaining
 * directories keep the time of their extraction (cosmetic, never a failure). */
#define DIRTIME_MAX_BYTES (64u << 20)

static int add_dirtime(struct xctx *x, const char *rel, struct archive_entry *e, hull_err *err)
{
	size_t need = strlen(rel) + 1 + sizeof(struct dirtime);
	if (x->dt_bytes + need > DIRTIME_MAX_BYTES)
		return 0;
	x->dt_bytes += need;
	if (x->ndt == x->capdt) {
		size_t cap = x->capdt ? x->capdt * 2 : 256;
		struct dirtime *n = realloc(x->dt, cap * sizeof *n);
		if (!n)
			return hull_fail(err, ENOMEM, "unpack");
		x->dt = n;
		x->capdt = cap;
	}
	x->dt[x->ndt].path = strdup(rel);
	if (!x->dt[x->ndt].path)
		return hull_fail(err, ENOMEM, "unpack");
	entry_times(e, x->dt[x->ndt].ts);
	x->ndt++;
	return 0;
}

static int do_whiteout(struct xctx *x, int parent, const char *base, const char *entry,
		       hull_err *err)
{
	const char *name = base + strlen(WH_PREFIX);
	struct stat st;
	if (!strcmp(base, WH_OPAQUE)) {
		/* parent is an O_RDONLY directory fd: the opaque xattr goes on it. Only lower
		 * layers' children are hidden; this layer's own stay. */
		return set_opaque(parent, x, entry, err);
	}
	if (!strncmp(base, WH_META, strlen(WH_META)))
		return efail(err, HULL_ERR_INVALID, 0, x, entry, "reserved whiteout name");
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return efail(err, HULL_ERR_INVALID, 0, x, entry, "whiteout of an invalid name");
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* this layer's own entry stays: whiteouts apply only to lower layers */
	if (errno != ENOENT)
		return efail(err, 0, errno, x, entry, "stat whiteout target");
	if (mknodat(parent, name, S_IFCHR | 0, makedev(0, 0)) < 0)
		return efail(err, 0, errno, x, entry, "create overlay whiteout");
	return 0;
}

static int do_hardlink(struct xctx *x, int parent, const char *base, const char *target_raw,
		       const char *entry, hull_err *err)
{
	char target[MAX_PATH_LEN + 1];
	char *slash, *tbase;
	int tparent;
	struct stat st;
	if (normalize(x, target_raw, target, err) < 0)
		return hull_wrap(err, "hardlink \"%s\"", show(x, entry));
	if (!*target)
		return efail(err, HULL_ERR_INVALID, 0, x, entry, "hardlink to the layer root");
	slash = strrchr(target, '/');
	if (slash) {
		*slash = '\0';
		tbase = slash + 1;
	} else {
		tbase = target;
	}
	/* The target must already be in this layer, reached without symlinks: a link can only
	 * share an inode this layer created, never one outside it. */
	{
		int fd = open_dir(x, slash ? target : "", false, entry, err);
		if (fd < 0)
			return hull_wrap(err, "hardlink target");
		tparent = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (tparent < 0)
			return efail(err, 0, errno, x, entry, "dup");
	}
	if (fstatat(tparent, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		close(tparent);
		return efail(err, HULL_ERR_INVALID, e, x, entry,
			     "hardlink target \"%s\" not in this layer", show(x, target_raw));
	}
	if (S_ISDIR(st.st_mode) || is_whiteout(&st)) {
		close(tparent);
		return efail(err, HULL_ERR_INVALID, 0, x, entry, "hardlink to a %s refused",
			     S_ISDIR(st.st_mode) ? "directory" : "whiteout");
	}
	if (linkat(tparent, tbase, parent, base, 0) < 0) {
		int e = errno;
		close(tparent);
		return efail(err, 0, e, x, entry, "link");
	}
	close(tparent);
	return 0;
}

static int extract_one(struct xctx *x, struct archive *a, struct archive_entry *e, hull_err *err)
{
	char rel[MAX_PATH_LEN + 1], dir[MAX_PATH_LEN + 1];
	const char *raw = archive_entry_pathname(e), *hl = archive_entry_hardlink(e), *base;
	mode_t type = archive_entry_filetype(e);
	char *slash;
	int parent, kept;

	if (!raw)
		raw = archive_entry_pathname_utf8(e);
	if (!raw)
		return hull_failk(err, HULL_ERR_INVALID, 0, "entry without a usable name");
	if (normalize(x, raw, rel, err) < 0)
		return -1;
	if (!*rel) {
		/* The layer root itself ("./"). Its type never changes (CVE-2021-29136: a symlink
		 * as root redirected umoci's whole extraction). */
		if (type != AE_IFDIR || hl)
			return efail(err, HULL_ERR_INVALID, 0, x, raw,
				     "would replace the layer root with a non-directory");
		if (apply_meta(x, x->root, -1, NULL, e, raw, false, err) < 0)
			return -1;
		return add_dirtime(x, "", e, err);
	}
	strcpy(dir, rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		base = rel + (slash - dir) + 1;
	} else {
		dir[0] = '\0';
		base = rel;
	}
	if (!strncmp(base, WH_PREFIX, strlen(WH_PREFIX))) {
		parent = open_dir(x, dir, true, raw, err);
		if (parent < 0)
			return -1;
		return do_whiteout(x, parent, base, raw, err);
	}
	if (hl) {
		int fd;
		/* Resolve the target first (it may move the cache), then the entry's parent. */
		char target[MAX_PATH_LEN + 1];
		if (normalize(x, hl, target, err) < 0)
			return hull_wrap(err, "hardlink \"%s\"", show(x, raw));
		parent = open_dir(x, dir, true, raw, err);
		if (parent < 0)
			return -1;
		parent = fcntl(parent, F_DUPFD_CLOEXEC, 3);
		if (parent < 0)
			return efail(err, 0, errno, x, raw, "dup");
		if (!strcmp(target, rel)) {
			close(parent);
			return efail(err, HULL_ERR_INVALID, 0, x, raw, "hardlink to itself");
		}
		if (clear_name(x, parent, base, false, raw, err) < 0) {
			close(parent);
			return -1;
		}
		fd = do_hardlink(x, parent, base, hl, raw, err);
		close(parent);
		return fd;
	}
	parent = open_dir(x, dir, true, raw, err);
	if (parent < 0)
		return -1;
	kept = clear_name(x, parent, base, type == AE_IFDIR, raw, err);
	if (kept < 0)
		return -1;
	/* clear_name may have dropped the cache (a removed directory): reopen. */
	parent = open_dir(x, dir, true, raw, err);
	if (parent < 0)
		return -1;

	switch (type) {
	case AE_IFREG: {
		_cleanup_close_ int fd = openat(
		    parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		struct timespec ts[2];
		if (fd < 0)
			return efail(err, 0, errno, x, raw, "create");
		if (write_data(x, a, fd, e, raw, err) < 0 ||
		    apply_meta(x, fd, parent, base, e, raw, false, err) < 0)
			return -1;
		if (archive_entry_perm(e) & (S_ISUID | S_ISGID))
			report_setid(x, rel);
		entry_times(e, ts);
		futimens(fd, ts);
		return 0;
	}
	case AE_IFDIR: {
		_cleanup_close_ int fd = -1;
		if (kept != 1 && mkdirat(parent, base, 0700) < 0)
			return efail(err, 0, errno, x, raw, "mkdir");
		fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return efail(err, 0, errno, x, raw, "open directory");
		if (kept == 2 && set_opaque(fd, x, raw, err) < 0)
			return -1;
		if (apply_meta(x, fd, parent, base, e, raw, false, err) < 0)
			return -1;
		return add_dirtime(x, rel, e, err);
	}
	case AE_IFLNK: {
		const char *t = archive_entry_symlink(e);
		struct timespec ts[2];
		if (!t)
			t = archive_entry_symlink_utf8(e);
		if (!t || !*t || strlen(t) > MAX_PATH_LEN)
			return efail(err, HULL_ERR_INVALID, 0, x, raw,
				     "symlink target empty or too long");
		/* The target is stored, never followed by the extractor. */
		if (symlinkat(t, parent, base) < 0)
			return efail(err, 0, errno, x, raw, "symlink");
		if (apply_meta(x, -1, parent, base, e, raw, true, err) < 0)
			return -1;
		entry_times(e, ts);
		utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	case AE_IFIFO: {
		struct timespec ts[2];
		if (mkfifoat(parent, base, 0600) < 0)
			return efail(err, 0, errno, x, raw, "mkfifo");
		if (apply_meta(x, -1, parent, base, e, raw, false, err) < 0)
			return -1;
		entry_times(e, ts);
		utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	case AE_IFCHR:
	case AE_IFBLK: {
		dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
		/* A 0/0 character device is how overlayfs spells a whiteout: one smuggled in as a
		 * plain entry would hide lower files without a whiteout entry saying so. */
		if (type == AE_IFCHR && dev == makedev(0, 0))
			return efail(
			    err, HULL_ERR_REJECTED, 0, x, raw,
			    "0/0 character device refused (it would act as an overlay whiteout)");
		if (x->o->devices == HULL_DEVICES_SKIP) {
			x->r->devices_skipped++;
			return 0;
		}
		if (x->o->devices != HULL_DEVICES_ALLOW || !x->as_root)
			return efail(err, HULL_ERR_REJECTED, 0, x, raw,
				     "device node %u:%u refused (the unpack policy allows none)",
				     major(dev), minor(dev));
		if (mknodat(parent, base, (type == AE_IFCHR ? S_IFCHR : S_IFBLK) | 0600, dev) < 0)
			return efail(err, 0, errno, x, raw, "mknod");
		return apply_meta(x, -1, parent, base, e, raw, false, err);
	}
	default:
		return efail(err, HULL_ERR_INVALID, 0, x, raw, "unsupported entry type 0%o",
			     (unsigned)type);
	}
}

static int restore_dir_times(struct xctx *x, hull_err *err)
{
	for (size_t i = x->ndt; i-- > 0;) {
		int fd;
		if (!*x->dt[i].path) {
			futimens(x->root, x->dt[i].ts);
			continue;
		}
		fd = open_dir(x, x->dt[i].path, false, x->dt[i].path, err);
		if (fd < 0) {
			/* Replaced later in the layer by a non-directory: nothing to stamp. */
			hull_err_clear(err);
			continue;
		}
		futimens(fd, x->dt[i].ts);
	}
	return 0;
}

int hull_unpack_entries(struct archive *a, int layerfd, const struct hull_unpack_opts *o,
			struct hull_unpack_report *r, hull_err *err)
{
	struct xctx x = {.root = layerfd, .o = o, .r = r, .cache_fd = -1};
	struct archive_entry *e;
	int rc = 0;

	x.as_root = geteuid() == 0;
	for (;;) {
		int h = archive_read_next_header(a, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			rc = hull_failk(
			    err, HULL_ERR_INVALID, archive_errno(a) > 0 ? archive_errno(a) : 0,
			    "tar: %s (after %llu entries)",
			    archive_error_string(a) ? archive_error_string(a) : "bad header",
			    (unsigned long long)r->entries);
			break;
		}
		if (++r->entries > o->lim.max_entries) {
			rc = hull_failk(err, HULL_ERR_LIMIT, 0, "more than %llu entries",
					(unsigned long long)o->lim.max_entries);
			break;
		}
		if (extract_one(&x, a, e, err) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0)
		rc = restore_dir_times(&x, err);
	cache_drop(&x);
	for (size_t i = 0; i < x.ndt; i++)
		free(x.dt[i].path);
	free(x.dt);
	return rc;
}
