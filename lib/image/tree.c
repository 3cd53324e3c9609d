/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "image/store.h"
#include "image/unpack.h"

#define HEADER		    "hull-layer-tree 1 "
#define TREE_XATTR_LIST_MAX (64u << 10)
#define TREE_XATTR_VAL_MAX  (64u << 10)
#define MAX_DIR_NAMES	    (1u << 20)

/* ---------------- escaping ---------------- */

/* Bytes outside printable ASCII, space, backslash become \xHH: one line per entry, fields
 * separated by single spaces, whatever a layer names its files. */
static int escape(hull_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || c == '\\') {
			if (hull_buf_printf(b, "\\x%02x", c) < 0)
				return -1;
		} else if (hull_buf_append(b, &s[i], 1) < 0) {
			return -1;
		}
	}
	return 0;
}

/* ---------------- live entries ---------------- */

struct live {
	const char *path; /* escaped, "." for the root */
	struct stat st;
	bool root;
	/* computed on demand */
	bool have_detail;
	char content[4200]; /* sha256 hex, escaped link target (capped), major:minor, "-" */
	char xattrs[72];
};

static char type_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return 'd';
	case S_IFREG:
		return 'f';
	case S_IFLNK:
		return 'l';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 's';
	}
	return '?';
}

/* Number formatting for the record, as printf's %llu, %lld, %04o and %09ld would write it
 * (two of these per entry on every launch: printf was a tenth of a check's time). */
static char *put_u64(char *p, uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

static char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

/* %lld.%09ld */
static char *put_time(char *p, const struct timespec *ts)
{
	long ns = ts->tv_nsec;
	p = put_i64(p, (int64_t)ts->tv_sec);
	*p++ = '.';
	if (ns < 0 || ns > 999999999) {
		/* not from the kernel; printf's rendering, whatever it is */
		return p + sprintf(p, "%09ld", ns);
	}
	for (int i = 8; i >= 0; i--) {
		p[i] = (char)('0' + ns % 10);
		ns /= 10;
	}
	return p + 9;
}

/* The cheap fields, from stat alone: TYPE MODE UID GID SIZE MTIME. Only a regular file's
 * mtime comes from its tar header; a directory's moves with its entries and the unpacker
 * creates missing parents and symlinks at unpack time, so theirs are "-" (not content).
 * out holds at least 128 bytes. */
static void head_fields(const struct live *l, char *out, size_t n)
{
	char *p = out;
	unsigned mode = (unsigned)(l->st.st_mode & 07777);
	(void)n;
	*p++ = type_of(l->st.st_mode);
	*p++ = ' ';
	for (int i = 3; i >= 0; i--)
		*p++ = (char)('0' + ((mode >> (3 * i)) & 7));
	*p++ = ' ';
	p = put_u64(p, (uint64_t)l->st.st_uid);
	*p++ = ' ';
	p = put_u64(p, (uint64_t)l->st.st_gid);
	*p++ = ' ';
	p = put_u64(p, S_ISREG(l->st.st_mode) ? (uint64_t)l->st.st_size : 0);
	*p++ = ' ';
	if (S_ISREG(l->st.st_mode))
		p = put_time(p, &l->st.st_mtim);
	else
		*p++ = '-';
	*p = '\0';
}

/* INODE:CTIME, or "-". out holds at least 64 bytes. */
static void stamp_field(const struct live *l, char *out, size_t n)
{
	char *p = out;
	(void)n;
	/* The root is renamed into place after sealing (its ctime moves): no stamp. */
	if (l->root) {
		*p++ = '-';
	} else {
		p = put_u64(p, (uint64_t)l->st.st_ino);
		*p++ = ':';
		p = put_time(p, &l->st.st_ctim);
	}
	*p = '\0';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int xattrs_digest(int dfd, const char *name, char out[72], hull_err *err)
{
	char path[64 + NAME_MAX];
	_cleanup_free_ char *list = NULL;
	_cleanup_free_ char **names = NULL;
	size_t cnt = 0;
	ssize_t n;
	hull_hasher h;
	char d[HULL_DIGEST_MAX];
	/* No *at() form of listxattr: go through our own directory fd (a magic link to exactly
	 * that directory, whatever happened to its path). */
	snprintf(path, sizeof path, "/proc/self/fd/%d/%s", dfd, name);
	n = llistxattr(path, NULL, 0);
	if (n < 0 && (errno == ENOTSUP || errno == ENODATA))
		n = 0;
	if (n < 0)
		return hull_fail(err, errno, "list xattrs of %s", name);
	if (n == 0) {
		snprintf(out, 72, "-");
		return 0;
	}
	if ((size_t)n > TREE_XATTR_LIST_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: xattr list too long", name);
	list = malloc((size_t)n + 1);
	if (!list)
		return hull_fail(err, ENOMEM, "xattrs");
	n = llistxattr(path, list, (size_t)n);
	if (n < 0)
		return hull_fail(err, errno, "list xattrs of %s", name);
	list[n] = '\0';
	names = calloc((size_t)n + 1, sizeof(char *));
	if (!names)
		return hull_fail(err, ENOMEM, "xattrs");
	for (char *p = list; p < list + n; p += strlen(p) + 1)
		if (*p)
			names[cnt++] = p;
	qsort(names, cnt, sizeof *names, cmp_str);
	if (hull_hasher_init(&h, HULL_SHA256, err) < 0)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		char val[1024];
		_cleanup_free_ char *big = NULL;
		char *v = val;
		uint64_t len;
		ssize_t vl = lgetxattr(path, names[i], val, sizeof val);
		if (vl < 0 && errno == ERANGE) {
			vl = lgetxattr(path, names[i], NULL, 0);
			if (vl > (ssize_t)TREE_XATTR_VAL_MAX || vl < 0 ||
			    !(big = malloc((size_t)vl + 1))) {
				hull_hasher_free(&h);
				return hull_fail(err, vl < 0 ? errno : EFBIG, "xattr %s of %s",
						 names[i], name);
			}
			vl = lgetxattr(path, names[i], big, (size_t)vl);
			v = big;
		}
		if (vl < 0) {
			int e = errno;
			hull_hasher_free(&h);
			return hull_fail(err, e, "xattr %s of %s", names[i], name);
		}
		len = (uint64_t)vl;
		hull_hasher_update(&h, names[i], strlen(names[i]) + 1);
		hull_hasher_update(&h, &len, sizeof len);
		hull_hasher_update(&h, v, (size_t)vl);
	}
	hull_hasher_final(&h, d);
	hull_hasher_free(&h);
	snprintf(out, 72, "%s", hull_digest_hex(d));
	return 0;
}

/* Content hash of a regular file, opened without following and checked to be the inode that
 * was stat'ed (a swap in between would hash another file). */
static int file_digest(int dfd, const char *name, const struct stat *st, char out[72],
		       hull_err *err)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat fst;
	char d[HULL_DIGEST_MAX];
	uint64_t size;
	if (fd < 0)
		return hull_fail(err, errno, "open %s", name);
	if (fstat(fd, &fst) < 0 || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev ||
	    !S_ISREG(fst.st_mode))
		return hull_failk(err, HULL_ERR_REJECTED, 0, "%s changed while it was read", name);
	if (hull_digest_fd(HULL_SHA256, fd, d, &size, err) < 0)
		return hull_wrap(err, "%s", name);
	snprintf(out, 72, "%s", hull_digest_hex(d));
	return 0;
}

static int detail(int dfd, const char *name, struct live *l, const struct hull_file_digests *known,
		  hull_err *err)
{
	const char *hex;
	if (l->have_detail)
		return 0;
	if (S_ISREG(l->st.st_mode)) {
		if ((hex = hull_file_digests_get(known, (uint64_t)l->st.st_ino)))
			snprintf(l->content, sizeof l->content, "%s", hex);
		else if (file_digest(dfd, name, &l->st, l->content, err) < 0)
			return -1;
	} else if (S_ISLNK(l->st.st_mode)) {
		char target[PATH_MAX];
		hull_buf b = {0};
		ssize_t n = readlinkat(dfd, name, target, sizeof target);
		if (n < 0 || (size_t)n >= sizeof target)
			return hull_fail(err, n < 0 ? errno : ENAMETOOLONG, "readlink %s", name);
		if (escape(&b, target, (size_t)n) < 0 || !b.data) {
			hull_buf_free(&b);
			if ((size_t)n == 0) {
				snprintf(l->content, sizeof l->content, "-");
				goto xattrs;
			}
			return hull_fail(err, ENOMEM, "tree");
		}
		snprintf(l->content, sizeof l->content, "%s", b.data);
		hull_buf_free(&b);
	} else if (S_ISCHR(l->st.st_mode) || S_ISBLK(l->st.st_mode)) {
		snprintf(l->content, sizeof l->content, "%u:%u", major(l->st.st_rdev),
			 minor(l->st.st_rdev));
	} else {
		snprintf(l->content, sizeof l->content, "-");
	}
xattrs:
	if (xattrs_digest(dfd, name, l->xattrs, err) < 0)
		return -1;
	l->have_detail = true;
	return 0;
}

/* ---------------- the walk ---------------- */

struct walker;
typedef int (*visit_fn)(struct walker *w, int dfd, const char *name, struct live *l, hull_err *err);

struct walker {
	visit_fn visit;
	hull_buf path;
	/* seal */
	const struct hull_file_digests *known;
	hull_buf out;
	hull_hasher tree;
	/* check */
	char **lines; /* record lines (after the header), split in place */
	size_t n_lines, next;
	struct hull_tree_stats *st;
};

static int read_names(int dfd, char ***out, size_t *n, hull_err *err)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int fd = dup(dfd);
	*out = NULL;
	*n = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return hull_fail(err, errno, "read directory");
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **nv = nc > MAX_DIR_NAMES ? NULL : realloc(v, nc * sizeof *nv);
			if (!nv)
				goto oom;
			v = nv;
			cap = nc;
		}
		if (!(v[cnt] = strdup(de->d_name)))
			goto oom;
		cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof *v, cmp_str);
	*out = v;
	*n = cnt;
	return 0;
oom:
	closedir(d);
	for (size_t i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return hull_fail(err, ENOMEM, "read directory (too many entries?)");
}

static int walk_dir(struct walker *w, int dfd, unsigned depth, hull_err *err)
{
	char **names;
	size_t n, base = w->path.len;
	int rc = 0;
	if (depth > HULL_TREE_MAX_DEPTH)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "%s: nested more than %d directories",
				  w->path.data, HULL_TREE_MAX_DEPTH);
	if (read_names(dfd, &names, &n, err) < 0)
		return hull_wrap(err, "%s", w->path.data ? w->path.data : ".");
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct live l = {0};
		w->path.len = base;
		if (base && hull_buf_append(&w->path, "/", 1) < 0)
			rc = hull_fail(err, ENOMEM, "tree");
		if (rc == 0 && (escape(&w->path, names[i], strlen(names[i])) < 0 ||
				hull_buf_append(&w->path, "", 0) < 0))
			rc = hull_fail(err, ENOMEM, "tree");
		if (rc)
			break;
		l.path = w->path.data;
		if (fstatat(dfd, names[i], &l.st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = hull_fail(err, errno, "stat %s", w->path.data);
			break;
		}
		rc = w->visit(w, dfd, names[i], &l, err);
		if (rc == 0 && S_ISDIR(l.st.st_mode)) {
			int sub =
			    openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = hull_fail(err, errno, "open %s", w->path.data);
			} else {
				rc = walk_dir(w, sub, depth + 1, err);
				close(sub);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	w->path.len = base;
	if (w->path.data)
		w->path.data[base] = '\0';
	return rc;
}

static int walk(struct walker *w, int dirfd, hull_err *err)
{
	struct live root = {.path = ".", .root = true};
	if (fstat(dirfd, &root.st) < 0)
		return hull_fail(err, errno, "stat the layer");
	/* The root's xattrs (an opaque marker) go through "." of its own fd. */
	if (w->visit(w, dirfd, ".", &root, err) < 0)
		return -1;
	return walk_dir(w, dirfd, 0, err);
}

/* ---------------- seal ---------------- */

static int seal_visit(struct walker *w, int dfd, const char *name, struct live *l, hull_err *err)
{
	char head[160], stamp[96];
	size_t start = w->out.len;
	if (detail(dfd, name, l, w->known, err) < 0)
		return -1;
	head_fields(l, head, sizeof head);
	stamp_field(l, stamp, sizeof stamp);
	/* The canonical part (no stamp) feeds the tree digest. */
	if (hull_buf_printf(&w->out, "%s %s %s", head, l->content, l->xattrs) < 0)
		return hull_fail(err, ENOMEM, "tree");
	hull_hasher_update(&w->tree, w->out.data + start, w->out.len - start);
	hull_hasher_update(&w->tree, " ", 1);
	hull_hasher_update(&w->tree, l->path, strlen(l->path));
	hull_hasher_update(&w->tree, "\n", 1);
	if (hull_buf_printf(&w->out, " %s %s\n", stamp, l->path) < 0)
		return hull_fail(err, ENOMEM, "tree");
	if (w->out.len > HULL_TREE_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "layer tree record larger than %u bytes",
				  HULL_TREE_MAX);
	w->st->entries++;
	return 0;
}

int hull_tree_seal(int dirfd, const char *diff_id, const struct hull_file_digests *known,
		   char **text, size_t *len, struct hull_tree_stats *st, hull_err *err)
{
	struct hull_tree_stats local;
	struct walker w = {.visit = seal_visit, .st = st ? st : &local, .known = known};
	hull_buf body = {0};
	char td[HULL_DIGEST_MAX];
	memset(w.st, 0, sizeof *w.st);
	*text = NULL;
	if (hull_digest_check(diff_id, "layer", err) < 0 ||
	    hull_hasher_init(&w.tree, HULL_SHA256, err) < 0)
		return -1;
	if (walk(&w, dirfd, err) < 0) {
		hull_hasher_free(&w.tree);
		hull_buf_free(&w.out);
		hull_buf_free(&w.path);
		return hull_wrap(err, "seal layer %s", diff_id);
	}
	hull_hasher_final(&w.tree, td);
	hull_hasher_free(&w.tree);
	hull_buf_free(&w.path);
	snprintf(w.st->tree_digest, sizeof w.st->tree_digest, "%s", td);
	if (hull_buf_printf(&body, HEADER "%s %s\n", diff_id, td) < 0 ||
	    hull_buf_append(&body, w.out.data ? w.out.data : "", w.out.len) < 0) {
		hull_buf_free(&body);
		hull_buf_free(&w.out);
		return hull_fail(err, ENOMEM, "tree");
	}
	hull_buf_free(&w.out);
	*len = body.len;
	*text = hull_buf_steal(&body);
	return *text ? 0 : hull_fail(err, ENOMEM, "tree");
}

/* ---------------- check ---------------- */

#define N_FIELDS 10

/* Split a record line into its fields (in place). */
static int split(char *line, char *f[N_FIELDS])
{
	int k = 0;
	char *p = line;
	while (k < N_FIELDS) {
		f[k++] = p;
		if (k == N_FIELDS)
			break;
		p = strchr(p, ' ');
		if (!p)
			return -1;
		*p++ = '\0';
	}
	return strchr(f[N_FIELDS - 1], ' ') ? -1 : 0;
}

/* head (six space-separated fields) against the record's f[0..5]. */
static bool head_equal(const char *head, char *const f[N_FIELDS])
{
	const char *h = head;
	for (int k = 0; k < 6; k++) {
		size_t n = strlen(f[k]);
		if (strncmp(h, f[k], n) || h[n] != (k == 5 ? '\0' : ' '))
			return false;
		h += n + 1;
	}
	return true;
}

static int differs(hull_err *err, const char *path, const char *what)
{
	return hull_failk(err, HULL_ERR_REJECTED, 0, "%s: %s", path, what);
}

static int check_visit(struct walker *w, int dfd, const char *name, struct live *l, hull_err *err)
{
	char *f[N_FIELDS], head[160], stamp[96];
	if (w->next >= w->n_lines)
		return differs(err, l->path, "not in the layer as unpacked (added)");
	/* Split in place: the line is not looked at again once visited (the record's own digest
	 * was checked before the walk, and the searches below read only later lines). */
	if (split(w->lines[w->next], f) < 0)
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: line %zu is malformed",
				  w->next + 2);
	if (strcmp(f[9], l->path)) {
		/* Which side has the extra entry: the recorded one missing, or this one new. */
		for (size_t i = w->next + 1; i < w->n_lines; i++) {
			const char *p = strrchr(w->lines[i], ' ');
			if (p && !strcmp(p + 1, l->path))
				return differs(err, f[9], "removed or renamed since unpacking");
		}
		return differs(err, l->path, "not in the layer as unpacked (added or renamed)");
	}
	w->next++;
	w->st->entries++;
	head_fields(l, head, sizeof head);
	{
		if (!head_equal(head, f)) {
			static const char *const names[] = {"type", "mode", "uid",
							    "gid",  "size", "mtime"};
			char msg[400], hcopy[160], *hf[6], *sp = hcopy;
			size_t off = 0;
			snprintf(hcopy, sizeof hcopy, "%s", head);
			for (int k = 0; k < 6; k++) {
				hf[k] = sp;
				sp = strchr(sp, ' ');
				if (sp)
					*sp++ = '\0';
				else
					sp = hcopy + strlen(hcopy);
			}
			off += (size_t)snprintf(msg, sizeof msg, "metadata changed:");
			for (int k = 0; k < 6 && off < sizeof msg; k++)
				if (strcmp(f[k], hf[k]))
					off +=
					    (size_t)snprintf(msg + off, sizeof msg - off,
							     " %s %s -> %s", names[k], f[k], hf[k]);
			return differs(err, l->path, msg);
		}
	}
	stamp_field(l, stamp, sizeof stamp);
	if (!l->root && !strcmp(stamp, f[8]))
		return 0; /* same inode, ctime unchanged: content and xattrs are too */
	w->st->rehashed++;
	if (detail(dfd, name, l, NULL, err) < 0)
		return -1;
	if (strcmp(l->content, f[6]))
		return differs(err, l->path,
			       S_ISREG(l->st.st_mode)	? "content changed"
			       : S_ISLNK(l->st.st_mode) ? "symlink target changed"
							: "device number changed");
	if (strcmp(l->xattrs, f[7]))
		return differs(err, l->path, "extended attributes changed");
	return 0;
}

int hull_tree_header(const char *record, size_t len, char diff_id[HULL_DIGEST_MAX],
		     char tree[HULL_DIGEST_MAX], hull_err *err)
{
	const char *nl = memchr(record, '\n', len), *p, *sp;
	size_t hl = strlen(HEADER);
	if (!nl || (size_t)(nl - record) <= hl || strncmp(record, HEADER, hl))
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: bad header");
	p = record + hl;
	sp = memchr(p, ' ', (size_t)(nl - p));
	if (!sp || (size_t)(sp - p) >= HULL_DIGEST_MAX || (size_t)(nl - sp - 1) >= HULL_DIGEST_MAX)
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: bad header");
	memcpy(diff_id, p, (size_t)(sp - p));
	diff_id[sp - p] = '\0';
	memcpy(tree, sp + 1, (size_t)(nl - sp - 1));
	tree[nl - sp - 1] = '\0';
	if (!hull_digest_valid(diff_id) || !hull_digest_valid(tree))
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: bad header digests");
	return 0;
}

/* The tree digest recomputed from the record's own lines: a record edited by hand to match a
 * tampered layer has to match its header too, and the header is what the verification record
 * of a signed image names. */
static int record_digest(char **lines, size_t n, char out[HULL_DIGEST_MAX], hull_err *err)
{
	hull_hasher h;
	/* The lines without their stamps, gathered so the hash sees large blocks. */
	_cleanup_free_ char *acc = malloc(64u << 10);
	size_t used = 0;
	if (!acc)
		return hull_fail(err, ENOMEM, "tree");
	if (hull_hasher_init(&h, HULL_SHA256, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *stamp_end = strrchr(lines[i], ' '), *stamp_start;
		size_t a, b;
		if (!stamp_end)
			goto bad;
		for (stamp_start = stamp_end - 1; stamp_start > lines[i] && *stamp_start != ' ';
		     stamp_start--)
			;
		if (stamp_start <= lines[i])
			goto bad;
		a = (size_t)(stamp_start - lines[i]);
		b = strlen(stamp_end);
		if (used + a + b + 1 > (64u << 10)) {
			hull_hasher_update(&h, acc, used);
			used = 0;
		}
		if (a + b + 1 > (64u << 10)) {
			hull_hasher_update(&h, lines[i], a);
			hull_hasher_update(&h, stamp_end, b);
			hull_hasher_update(&h, "\n", 1);
			continue;
		}
		memcpy(acc + used, lines[i], a);
		memcpy(acc + used + a, stamp_end, b);
		acc[used + a + b] = '\n';
		used += a + b + 1;
	}
	hull_hasher_update(&h, acc, used);
	hull_hasher_final(&h, out);
	hull_hasher_free(&h);
	return 0;
bad:
	hull_hasher_free(&h);
	return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: malformed line");
}

int hull_tree_check(int dirfd, const char *diff_id, const char *record, size_t len,
		    struct hull_tree_stats *st, hull_err *err)
{
	struct hull_tree_stats local;
	struct walker w = {.visit = check_visit, .st = st ? st : &local};
	char rec_diff[HULL_DIGEST_MAX], rec_tree[HULL_DIGEST_MAX], got[HULL_DIGEST_MAX];
	_cleanup_free_ char *buf = NULL;
	char *p, *nl;
	size_t cap = 0;
	int rc;
	memset(w.st, 0, sizeof *w.st);
	if (len > HULL_TREE_MAX)
		return hull_failk(err, HULL_ERR_LIMIT, 0, "layer record larger than %u bytes",
				  HULL_TREE_MAX);
	if (hull_tree_header(record, len, rec_diff, rec_tree, err) < 0)
		return -1;
	if (strcmp(rec_diff, diff_id))
		return hull_failk(err, HULL_ERR_REJECTED, 0, "the layer record is for %s, not %s",
				  rec_diff, diff_id);
	if (memchr(record, '\0', len))
		return hull_failk(err, HULL_ERR_INVALID, 0, "layer record: NUL byte");
	buf = strndup(record, len);
	if (!buf)
		return hull_fail(err, ENOMEM, "tree");
	p = strchr(buf, '\n') + 1;
	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			free(w.lines);
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "layer record: unterminated line");
		}
		*nl = '\0';
		if (w.n_lines == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			char **nv = realloc(w.lines, nc * sizeof *nv);
			if (!nv) {
				free(w.lines);
				return hull_fail(err, ENOMEM, "tree");
			}
			w.lines = nv;
			cap = nc;
		}
		w.lines[w.n_lines++] = p;
		p = nl + 1;
	}
	if (record_digest(w.lines, w.n_lines, got, err) < 0) {
		free(w.lines);
		return -1;
	}
	if (strcmp(got, rec_tree)) {
		free(w.lines);
		return hull_failk(err, HULL_ERR_REJECTED, 0,
				  "the layer record does not match its own tree digest (edited?)");
	}
	snprintf(w.st->tree_digest, sizeof w.st->tree_digest, "%s", rec_tree);
	rc = walk(&w, dirfd, err);
	if (rc == 0 && w.next < w.n_lines) {
		char *f[N_FIELDS];
		_cleanup_free_ char *copy = strdup(w.lines[w.next]);
		rc = differs(err, copy && split(copy, f) == 0 ? f[9] : "an entry",
			     "removed since unpacking");
	}
	free(w.lines);
	hull_buf_free(&w.path);
	return rc;
}

/* ---------------- in the store ---------------- */

static void tree_rel(const char *diff_id, const char *suffix, char *out, size_t n)
{
	snprintf(out, n, "layers/%.*s/%s%s", (int)(strchr(diff_id, ':') - diff_id), diff_id,
		 hull_digest_hex(diff_id), suffix);
}

int hull_store_layer_seal(struct hull_store *s, int layerfd, const char *diff_id,
			  const struct hull_file_digests *known, struct hull_tree_stats *st,
			  hull_err *err)
{
	char rel[256], name[200];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	size_t len;
	if (hull_tree_seal(layerfd, diff_id, known, &text, &len, st, err) < 0)
		return -1;
	snprintf(rel, sizeof rel, "layers/%.*s", (int)(strchr(diff_id, ':') - diff_id), diff_id);
	snprintf(name, sizeof name, "%s.tree", hull_digest_hex(diff_id));
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return hull_fail(err, errno, "storage %s", rel);
	if (hull_write_file_atomic(dfd, name, 0600, text, len, err) < 0)
		return hull_wrap(err, "layer %s", diff_id);
	return 0;
}

int hull_store_layer_verify(struct hull_store *s, const char *diff_id, struct hull_tree_stats *st,
			    hull_err *err)
{
	char rel[256];
	_cleanup_free_ char *rec = NULL;
	_cleanup_close_ int lfd = -1;
	size_t len;
	if (hull_digest_check(diff_id, "layer", err) < 0)
		return -1;
	tree_rel(diff_id, ".tree", rel, sizeof rel);
	if (hull_read_file_at(s->rootfd, rel, O_NOFOLLOW, HULL_TREE_MAX, &rec, &len, err) < 0) {
		if (err->kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(err);
			return hull_failk(err, HULL_ERR_NOTFOUND, ENOENT,
					  "layer %s has no integrity record (unpacked by an older "
					  "hull)",
					  diff_id);
		}
		return hull_wrap(err, "layer %s", diff_id);
	}
	tree_rel(diff_id, "", rel, sizeof rel);
	lfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (lfd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "layer %s",
				  diff_id);
	if (hull_tree_check(lfd, diff_id, rec, len, st, err) < 0)
		return hull_wrap(err, "layer %s", diff_id);
	return 0;
}

int hull_store_layer_reseal(struct hull_store *s, const char *blob_digest, const char *diff_id,
			    const struct hull_unpack_opts *uo, hull_err *err)
{
	char lk[200], tmp[300], rel[256];
	struct hull_fd_source fs = {0};
	struct hull_layer_stream ls = {.blob_size = -1, .blob_fd = -1, .diff_id = diff_id};
	_cleanup_free_ char *fresh = NULL, *have = NULL;
	_cleanup_close_ int lockfd = -1, bfd = -1, tfd = -1, lfd = -1;
	struct hull_tree_stats fst, hst;
	size_t flen, hlen;
	int rc = -1;

	if (hull_digest_check(diff_id, "layer", err) < 0 ||
	    hull_digest_check(blob_digest, "blob", err) < 0)
		return -1;
	/* tmp/<lock>.<pid>: garbage collection skips it while we hold the lock. */
	snprintf(lk, sizeof lk, "reseal-%s", hull_digest_hex(diff_id));
	lockfd = hull_store_lock(s, lk, true, true, err);
	if (lockfd < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "tmp/%s.%d", lk, (int)getpid());
	{
		hull_err e = HULL_ERR_INIT;
		hull_rm_rf_at(s->rootfd, tmp, &e);
		hull_err_clear(&e);
	}
	/* As hull_store_layer_begin makes a layer's directory (0755; the store root is 0700). */
	if (mkdirat(s->rootfd, tmp, 0755) < 0)
		return hull_fail(err, errno, "create %s", tmp);
	tfd = openat(s->rootfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (tfd >= 0 && fchmod(tfd, 0755) < 0) {
		hull_fail(err, errno, "chmod %s", tmp);
		goto out;
	}
	bfd = tfd >= 0 ? hull_store_open_blob(s, blob_digest, NULL, err) : -1;
	if (tfd < 0 && !hull_err_set(err))
		hull_fail(err, errno, "open %s", tmp);
	if (bfd < 0 || hull_fd_source_init(&fs, bfd, &ls.src, err) < 0 ||
	    hull_layer_unpack(&ls, tfd, uo, err) < 0 ||
	    hull_tree_seal(tfd, diff_id, ls.report.digests, &fresh, &flen, &fst, err) < 0)
		goto out;
	tree_rel(diff_id, "", rel, sizeof rel);
	lfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (lfd < 0) {
		hull_fail(err, errno, "layer %s", diff_id);
		goto out;
	}
	if (hull_tree_seal(lfd, diff_id, NULL, &have, &hlen, &hst, err) < 0)
		goto out;
	if (strcmp(fst.tree_digest, hst.tree_digest)) {
		/* Name the first difference: the fresh record against the stored tree. */
		if (hull_tree_check(lfd, diff_id, fresh, flen, NULL, err) == 0)
			hull_failk(err, HULL_ERR_REJECTED, 0, "tree digest %s, expected %s",
				   hst.tree_digest, fst.tree_digest);
		hull_wrap(err, "layer %s differs from its verified blob %s", diff_id, blob_digest);
		goto out;
	}
	rc = hull_store_layer_seal(s, lfd, diff_id, NULL, NULL, err);
out:
	hull_fd_source_release(&fs);
	hull_unpack_report_free(&ls.report);
	{
		hull_err e = HULL_ERR_INIT;
		hull_rm_rf_at(s->rootfd, tmp, &e);
		hull_err_clear(&e);
	}
	return rc;
}
