/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/tree.h"

#define INDEX_MAX (64u << 20)

static const char *const subdirs[] = {
    "blobs",  "blobs/sha256",  "blobs/sha512",	"stamps",     "stamps/sha256", "stamps/sha512",
    "layers", "layers/sha256", "layers/sha512", "containers", "tmp",	       "locks"};

char *hull_store_default_root(void)
{
	const char *e = getenv("HULL_STORAGE"), *home, *xdg;
	if (e && *e)
		return strdup(e);
	if (geteuid() == 0)
		return strdup("/var/lib/hull");
	xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')
		return hull_strdup_printf("%s/hull", xdg);
	home = getenv("HOME");
	return hull_strdup_printf("%s/.local/share/hull", home && *home ? home : "/tmp");
}

static int mkdir_p(const char *path, mode_t mode, hull_err *err)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return hull_fail(err, ENOMEM, "storage");
	for (char *s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(p, c ? 0755 : mode) < 0 && errno != EEXIST)
				return hull_fail(err, errno, "create storage directory %s", p);
			*s = c;
			if (!c)
				break;
		}
	}
	return 0;
}

int hull_store_lock(struct hull_store *s, const char *name, bool exclusive, bool wait,
		    hull_err *err)
{
	char path[PATH_MAX];
	int fd;
	snprintf(path, sizeof path, "locks/%s", name);
	fd = openat(s->rootfd, path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return hull_fail(err, errno, "storage lock %s", name);
	for (;;) {
		if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		{
			int e = errno;
			close(fd);
			if (e == EWOULDBLOCK)
				return hull_failk(err, HULL_ERR_STATE, e, "storage lock %s is busy",
						  name);
			return hull_fail(err, e, "storage lock %s", name);
		}
	}
}

int hull_store_open(struct hull_store *s, const char *root, hull_err *err)
{
	_cleanup_free_ char *def = NULL;
	memset(s, 0, sizeof *s);
	s->rootfd = s->gc_lock = -1;
	if (!root || !*root) {
		def = hull_store_default_root();
		if (!def)
			return hull_fail(err, ENOMEM, "storage");
		root = def;
	}
	if (mkdir_p(root, 0700, err) < 0)
		return -1;
	s->root = realpath(root, NULL);
	if (!s->root)
		return hull_fail(err, errno, "storage root %s", root);
	s->rootfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		hull_fail(err, errno, "storage root %s", s->root);
		goto fail;
	}
	/* Host users must not reach layer contents (owners come from tar headers). */
	{
		struct stat st;
		if (fstat(s->rootfd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 077))
			fchmod(s->rootfd, 0700);
	}
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
		if (mkdirat(s->rootfd, subdirs[i], 0700) < 0 && errno != EEXIST) {
			hull_fail(err, errno, "storage %s/%s", s->root, subdirs[i]);
			goto fail;
		}
	s->gc_lock = hull_store_lock(s, "gc.lock", false, true, err);
	if (s->gc_lock < 0)
		goto fail;
	return 0;
fail:
	hull_wrap(err, "open storage");
	hull_store_close(s);
	return -1;
}

void hull_store_release_gc(struct hull_store *s)
{
	if (s->gc_lock >= 0)
		close(s->gc_lock);
	s->gc_lock = -1;
}

void hull_store_close(struct hull_store *s)
{
	if (s->gc_lock >= 0)
		close(s->gc_lock);
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s->root);
	memset(s, 0, sizeof *s);
	s->rootfd = s->gc_lock = -1;
}

/* "blobs/sha256/<hex>" for a valid digest. */
static void blob_rel(const char *top, const char *digest, char *out, size_t n)
{
	snprintf(out, n, "%s/%.*s/%s", top, (int)(strchr(digest, ':') - digest), digest,
		 hull_digest_hex(digest));
}

static void lock_name(const char *kind, const char *digest, char *out, size_t n)
{
	snprintf(out, n, "%s-%.*s-%s", kind, (int)(strchr(digest, ':') - digest), digest,
		 hull_digest_hex(digest));
}

bool hull_store_has_blob(struct hull_store *s, const char *digest)
{
	char rel[256];
	if (!hull_digest_valid(digest))
		return false;
	blob_rel("blobs", digest, rel, sizeof rel);
	return faccessat(s->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

struct stamp {
	unsigned long long ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
};

static void stamp_of(const struct stat *st, struct stamp *p)
{
	p->ino = st->st_ino;
	p->size = (unsigned long long)st->st_size;
	p->mtime_s = (unsigned long long)st->st_mtim.tv_sec;
	p->mtime_ns = (unsigned long long)st->st_mtim.tv_nsec;
	p->ctime_s = (unsigned long long)st->st_ctim.tv_sec;
	p->ctime_ns = (unsigned long long)st->st_ctim.tv_nsec;
}

static void stamp_write(struct hull_store *s, const char *digest, int fd)
{
	char rel[256], text[160];
	struct stat st;
	struct stamp p;
	hull_err e = HULL_ERR_INIT;
	_cleanup_close_ int dfd = -1;
	if (fstat(fd, &st) < 0)
		return;
	stamp_of(&st, &p);
	snprintf(text, sizeof text, "%llu %llu %llu %llu %llu %llu\n", p.ino, p.size, p.mtime_s,
		 p.mtime_ns, p.ctime_s, p.ctime_ns);
	snprintf(rel, sizeof rel, "stamps/%.*s", (int)(strchr(digest, ':') - digest), digest);
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd >= 0)
		hull_write_file_atomic(dfd, hull_digest_hex(digest), 0600, text, strlen(text), &e);
	hull_err_clear(&e);
}

/* ctime cannot be set from userspace: any write, chmod, truncate or rename of the blob since it
 * was hashed changes it, so a matching stamp means the bytes are the ones that were hashed. */
static bool stamp_matches(struct hull_store *s, const char *digest, const struct stat *st)
{
	char rel[256], text[192];
	struct stamp want, have;
	ssize_t n;
	_cleanup_close_ int fd = -1;
	blob_rel("stamps", digest, rel, sizeof rel);
	fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof text - 1);
	if (n <= 0)
		return false;
	text[n] = '\0';
	if (sscanf(text, "%llu %llu %llu %llu %llu %llu", &want.ino, &want.size, &want.mtime_s,
		   &want.mtime_ns, &want.ctime_s, &want.ctime_ns) != 6)
		return false;
	stamp_of(st, &have);
	return !memcmp(&want, &have, sizeof want);
}

static void blob_remove(struct hull_store *s, const char *digest)
{
	char rel[256];
	blob_rel("blobs", digest, rel, sizeof rel);
	unlinkat(s->rootfd, rel, 0);
	blob_rel("stamps", digest, rel, sizeof rel);
	unlinkat(s->rootfd, rel, 0);
}

int hull_store_put_blob(struct hull_store *s, const char *digest, const void *data, size_t len,
			hull_err *err)
{
	char got[HULL_DIGEST_MAX], rel[256];
	_cleanup_close_ int dfd = -1;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	if (hull_digest_buf(hull_digest_algo_of(digest), data, len, got, err) < 0)
		return -1;
	if (strcmp(got, digest))
		return hull_failk(err, HULL_ERR_INVALID, 0, "blob %s: digest mismatch: got %s",
				  digest, got);
	if (hull_store_has_blob(s, digest))
		return 0;
	snprintf(rel, sizeof rel, "blobs/%.*s", (int)(strchr(digest, ':') - digest), digest);
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return hull_fail(err, errno, "storage %s", rel);
	if (hull_write_file_atomic(dfd, hull_digest_hex(digest), 0444, data, len, err) < 0)
		return hull_wrap(err, "store blob %s", digest);
	return 0;
}

int hull_store_read_blob(struct hull_store *s, const char *digest, size_t max, char **data,
			 size_t *len, hull_err *err)
{
	char rel[256], got[HULL_DIGEST_MAX];
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	blob_rel("blobs", digest, rel, sizeof rel);
	if (hull_read_file_at(s->rootfd, rel, O_NOFOLLOW, max, data, len, err) < 0) {
		if (err->kind == HULL_ERR_NOTFOUND)
			return hull_failk(err, HULL_ERR_NOTFOUND, ENOENT,
					  "blob %s is not in the store", digest);
		return hull_wrap(err, "blob %s", digest);
	}
	if (hull_digest_buf(hull_digest_algo_of(digest), *data, *len, got, err) < 0)
		return -1;
	if (strcmp(got, digest)) {
		free(*data);
		*data = NULL;
		blob_remove(s, digest);
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "blob %s: stored content changed (digest %s): removed it; pull or "
		    "import the image again",
		    digest, got);
	}
	return 0;
}

int hull_store_open_blob(struct hull_store *s, const char *digest, uint64_t *size_out,
			 hull_err *err)
{
	char rel[256], got[HULL_DIGEST_MAX];
	_cleanup_close_ int fd = -1;
	struct stat st;
	uint64_t n;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	blob_rel("blobs", digest, rel, sizeof rel);
	fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "blob %s",
				  digest);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return hull_fail(err, errno ? errno : EINVAL, "blob %s: not a regular file",
				 digest);
	if (size_out)
		*size_out = (uint64_t)st.st_size;
	if (stamp_matches(s, digest, &st))
		return TAKE_FD(fd);
	if (hull_digest_fd(hull_digest_algo_of(digest), fd, got, &n, err) < 0)
		return hull_wrap(err, "verify blob %s", digest);
	if (strcmp(got, digest)) {
		blob_remove(s, digest);
		return hull_failk(
		    err, HULL_ERR_INVALID, 0,
		    "blob %s: stored content changed (digest %s): removed it; pull or "
		    "import the image again",
		    digest, got);
	}
	stamp_write(s, digest, fd);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return hull_fail(err, errno, "blob %s", digest);
	return TAKE_FD(fd);
}

int hull_store_blob_begin(struct hull_store *s, const char *digest, struct hull_blob_writer *w,
			  hull_err *err)
{
	char lk[200];
	struct stat st;
	memset(w, 0, sizeof *w);
	w->fd = w->lockfd = -1;
	if (hull_digest_check(digest, "blob", err) < 0)
		return -1;
	snprintf(w->digest, sizeof w->digest, "%s", digest);
	lock_name("blob", digest, lk, sizeof lk);
	w->lockfd = hull_store_lock(s, lk, true, true, err);
	if (w->lockfd < 0)
		return -1;
	if (hull_store_has_blob(s, digest)) {
		close(w->lockfd);
		w->lockfd = -1;
		return 1;
	}
	/* Under the digest's lock the partial file is ours alone; what an interrupted pull left
	 * there is a prefix that a resumed download continues (and the digest still checks). */
	snprintf(w->tmp, sizeof w->tmp, "tmp/%s.partial", lk);
	w->fd = openat(s->rootfd, w->tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0 || fstat(w->fd, &st) < 0) {
		hull_fail(err, errno, "create %s", w->tmp);
		hull_store_blob_abort(s, w, false);
		return -1;
	}
	w->have = (uint64_t)st.st_size;
	if (lseek(w->fd, 0, SEEK_END) < 0) {
		hull_fail(err, errno, "seek %s", w->tmp);
		hull_store_blob_abort(s, w, false);
		return -1;
	}
	return 0;
}

int hull_store_blob_commit(struct hull_store *s, struct hull_blob_writer *w, hull_err *err)
{
	char rel[256];
	if (fchmod(w->fd, 0444) < 0)
		return hull_fail(err, errno, "blob %s", w->digest);
	blob_rel("blobs", w->digest, rel, sizeof rel);
	if (renameat(s->rootfd, w->tmp, s->rootfd, rel) < 0)
		return hull_fail(err, errno, "publish blob %s", w->digest);
	stamp_write(s, w->digest, w->fd);
	close(w->fd);
	close(w->lockfd);
	w->fd = w->lockfd = -1;
	return 0;
}

void hull_store_blob_abort(struct hull_store *s, struct hull_blob_writer *w, bool keep_partial)
{
	if (w->fd >= 0) {
		close(w->fd);
		if (!keep_partial)
			unlinkat(s->rootfd, w->tmp, 0);
	}
	if (w->lockfd >= 0)
		close(w->lockfd);
	w->fd = w->lockfd = -1;
}

static void layer_rel(const char *diff_id, char *out, size_t n)
{
	blob_rel("layers", diff_id, out, n);
}

bool hull_store_has_layer(struct hull_store *s, const char *diff_id)
{
	char rel[256];
	struct stat st;
	if (!hull_digest_valid(diff_id))
		return false;
	layer_rel(diff_id, rel, sizeof rel);
	return fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

char *hull_store_layer_path(struct hull_store *s, const char *diff_id)
{
	char rel[256];
	layer_rel(diff_id, rel, sizeof rel);
	return hull_strdup_printf("%s/%s", s->root, rel);
}

/* Remove tmp/ entries whose name starts with prefix (stale attempts for a lock we hold). */
static void remove_tmp_prefixed(struct hull_store *s, const char *prefix)
{
	_cleanup_close_ int tfd = openat(s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	if (tfd < 0)
		return;
	d = fdopendir(dup(tfd));
	if (!d)
		return;
	while ((de = readdir(d)))
		if (hull_str_has_prefix(de->d_name, prefix)) {
			hull_err e = HULL_ERR_INIT;
			hull_rm_rf_at(tfd, de->d_name, &e);
			hull_err_clear(&e);
		}
	closedir(d);
}

int hull_store_layer_begin(struct hull_store *s, const char *diff_id, struct hull_layer_writer *w,
			   hull_err *err)
{
	char lk[200], prefix[300];
	memset(w, 0, sizeof *w);
	w->dirfd = w->lockfd = -1;
	if (hull_digest_check(diff_id, "layer", err) < 0)
		return -1;
	snprintf(w->diff_id, sizeof w->diff_id, "%s", diff_id);
	lock_name("layer", diff_id, lk, sizeof lk);
	w->lockfd = hull_store_lock(s, lk, true, true, err);
	if (w->lockfd < 0)
		return -1;
	if (hull_store_has_layer(s, diff_id)) {
		close(w->lockfd);
		w->lockfd = -1;
		return 1;
	}
	snprintf(prefix, sizeof prefix, "%s.", lk);
	remove_tmp_prefixed(s, prefix);
	snprintf(w->tmp, sizeof w->tmp, "tmp/%s.%d", lk, (int)getpid());
	if (mkdirat(s->rootfd, w->tmp, 0755) < 0) {
		hull_fail(err, errno, "create %s", w->tmp);
		goto fail;
	}
	w->dirfd = openat(s->rootfd, w->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (w->dirfd < 0 || fchmod(w->dirfd, 0755) < 0) {
		hull_fail(err, errno, "open %s", w->tmp);
		goto fail;
	}
	return 0;
fail:
	hull_store_layer_abort(s, w);
	return -1;
}

static json_object *report_json(const struct hull_layer_writer *w,
				const struct hull_unpack_report *r)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	hull_json_add_str(o, "diffID", w->diff_id);
	hull_json_add_int(o, "entries", (int64_t)r->entries);
	hull_json_add_int(o, "uncompressedSize", (int64_t)r->stream_bytes);
	hull_json_add_int(o, "fileBytes", (int64_t)r->file_bytes);
	hull_json_add_int(o, "setidFiles", (int64_t)r->n_setid);
	for (size_t i = 0; i < r->n_setid && i < HULL_UNPACK_REPORT_PATHS; i++)
		if (r->setid[i])
			hull_json_arr_add_str(a, r->setid[i]);
	hull_json_add(o, "setidExamples", a);
	hull_json_add_int(o, "xattrsDropped", (int64_t)r->xattrs_dropped);
	hull_json_add_int(o, "devicesSkipped", (int64_t)r->devices_skipped);
	return o;
}

int hull_store_layer_commit(struct hull_store *s, struct hull_layer_writer *w,
			    const struct hull_unpack_report *r, hull_err *err)
{
	char rel[256], jrel[300];
	_cleanup_free_ char *text = NULL;
	json_object *o = report_json(w, r);
	errno = 0;
	text = hull_json_dump(o, false);
	json_object_put(o);
	_cleanup_close_ int dfd = -1;
	layer_rel(w->diff_id, rel, sizeof rel);
	snprintf(jrel, sizeof jrel, "%s.json", hull_digest_hex(w->diff_id));
	*strrchr(rel, '/') = '\0';
	dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	/* Report first, then the directory: a present directory is a complete layer. */
	if (!text || dfd < 0 ||
	    hull_write_file_atomic(dfd, jrel, 0600, text, strlen(text), err) < 0) {
		if (!hull_err_set(err))
			hull_fail(err, errno ? errno : ENOMEM, "storage %s", rel);
		return hull_wrap(err, "layer %s", w->diff_id);
	}
	/* The integrity record (image/tree.h), from the tree as unpacked, before it is public. */
	if (hull_store_layer_seal(s, w->dirfd, w->diff_id, r ? r->digests : NULL, NULL, err) < 0)
		return -1;
	layer_rel(w->diff_id, rel, sizeof rel);
	if (renameat(s->rootfd, w->tmp, s->rootfd, rel) < 0)
		return hull_fail(err, errno, "publish layer %s", w->diff_id);
	close(w->dirfd);
	close(w->lockfd);
	w->dirfd = w->lockfd = -1;
	return 0;
}

void hull_store_layer_abort(struct hull_store *s, struct hull_layer_writer *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	if (w->tmp[0]) {
		hull_err e = HULL_ERR_INIT;
		hull_rm_rf_at(s->rootfd, w->tmp, &e);
		hull_err_clear(&e);
	}
	if (w->lockfd >= 0)
		close(w->lockfd);
	w->dirfd = w->lockfd = -1;
	w->tmp[0] = '\0';
}

char *hull_store_layer_report(struct hull_store *s, const char *diff_id)
{
	char rel[256], jrel[300];
	char *data = NULL;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	if (!hull_digest_valid(diff_id))
		return NULL;
	layer_rel(diff_id, rel, sizeof rel);
	snprintf(jrel, sizeof jrel, "%s.json", rel);
	if (hull_read_file_at(s->rootfd, jrel, O_NOFOLLOW, 1 << 20, &data, &len, &e) < 0)
		data = NULL;
	hull_err_clear(&e);
	return data;
}

/* ---------------- images.json ---------------- */

void hull_image_clear(struct hull_image *im)
{
	free(im->id);
	free(im->manifest);
	free(im->media_type);
	hull_strv_free(im->names);
	hull_strv_free(im->digests);
	free(im->created);
	free(im->added);
	memset(im, 0, sizeof *im);
}

void hull_image_list_free(struct hull_image_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		hull_image_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char **json_strv(json_object *o, const char *key)
{
	json_object *a;
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return NULL;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return v;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (json_object_is_type(e, json_type_string))
			hull_strv_push(&v, json_object_get_string(e));
	}
	return v;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int index_load(struct hull_store *s, struct hull_image_list *l, hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *root = NULL;
	json_object *arr;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	memset(l, 0, sizeof *l);
	if (hull_read_file_at(s->rootfd, "images.json", O_NOFOLLOW, INDEX_MAX, &data, &len, &e) <
	    0) {
		if (e.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e);
			return 0;
		}
		hull_err_move(err, &e);
		return hull_wrap(err, "storage");
	}
	if (hull_json_parse(data, len, "images.json", &root, err) < 0)
		return hull_wrap(err, "storage %s", s->root);
	if (!json_object_object_get_ex(root, "images", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "storage %s: images.json: no images array", s->root);
	l->v = calloc(json_object_array_length(arr) + 1, sizeof *l->v);
	if (!l->v)
		return hull_fail(err, ENOMEM, "storage");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i), *sz;
		struct hull_image *im = &l->v[l->n];
		const char *id = hull_json_get_str(o, "id"),
			   *man = hull_json_get_str(o, "manifest");
		if (!hull_digest_valid(id) || !hull_digest_valid(man))
			continue;
		im->id = strdup(id);
		im->manifest = strdup(man);
		im->media_type = dup_or_null(hull_json_get_str(o, "mediaType"));
		im->created = dup_or_null(hull_json_get_str(o, "created"));
		im->added = dup_or_null(hull_json_get_str(o, "added"));
		im->names = json_strv(o, "names");
		im->digests = json_strv(o, "digests");
		if (json_object_object_get_ex(o, "size", &sz))
			im->size = json_object_get_int64(sz);
		l->n++;
		if (!im->id || !im->manifest || !im->names || !im->digests) {
			hull_image_list_free(l);
			return hull_fail(err, ENOMEM, "storage");
		}
	}
	return 0;
}

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		hull_json_arr_add_str(a, *v);
	return a;
}

static int index_save(struct hull_store *s, const struct hull_image_list *l, hull_err *err)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	_cleanup_free_ char *text = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct hull_image *im = &l->v[i];
		json_object *o = json_object_new_object();
		hull_json_add_str(o, "id", im->id);
		hull_json_add_str(o, "manifest", im->manifest);
		if (im->media_type)
			hull_json_add_str(o, "mediaType", im->media_type);
		hull_json_add(o, "names", strv_json(im->names));
		hull_json_add(o, "digests", strv_json(im->digests));
		if (im->created)
			hull_json_add_str(o, "created", im->created);
		if (im->added)
			hull_json_add_str(o, "added", im->added);
		hull_json_add_int(o, "size", im->size);
		json_object_array_add(arr, o);
	}
	hull_json_add(root, "images", arr);
	text = hull_json_dump(root, true);
	json_object_put(root);
	if (!text)
		return hull_fail(err, ENOMEM, "storage");
	return hull_write_file_atomic(s->rootfd, "images.json", 0600, text, strlen(text), err);
}

int hull_store_images(struct hull_store *s, struct hull_image_list *out, hull_err *err)
{
	int lk = hull_store_lock(s, "index.lock", false, true, err), rc;
	if (lk < 0)
		return -1;
	rc = index_load(s, out, err);
	close(lk);
	return rc;
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static void strv_remove(char **v, const char *s)
{
	size_t n = hull_strv_len(v), o = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i], s))
			free(v[i]);
		else
			v[o++] = v[i];
	}
	if (v)
		v[o] = NULL;
}

static int image_copy(struct hull_image *dst, const struct hull_image *src)
{
	memset(dst, 0, sizeof *dst);
	dst->id = strdup(src->id);
	dst->manifest = strdup(src->manifest);
	dst->media_type = dup_or_null(src->media_type);
	dst->created = dup_or_null(src->created);
	dst->added = dup_or_null(src->added);
	dst->size = src->size;
	dst->names = calloc(1, sizeof(char *));
	dst->digests = calloc(1, sizeof(char *));
	for (char **p = src->names; p && *p; p++)
		hull_strv_push(&dst->names, *p);
	for (char **p = src->digests; p && *p; p++)
		hull_strv_push(&dst->digests, *p);
	return dst->id && dst->manifest && dst->names && dst->digests ? 0 : -1;
}

int hull_store_image_add(struct hull_store *s, const struct hull_image *im, hull_err *err)
{
	struct hull_image_list l;
	struct hull_image *target = NULL;
	int lk = hull_store_lock(s, "index.lock", true, true, err), rc = -1;
	if (lk < 0)
		return -1;
	if (index_load(s, &l, err) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].manifest, im->manifest))
			target = &l.v[i];
		else
			for (char **p = im->names; p && *p; p++)
				strv_remove(l.v[i].names, *p);
	}
	if (!target) {
		struct hull_image *nv = realloc(l.v, (l.n + 1) * sizeof *nv);
		if (!nv) {
			hull_fail(err, ENOMEM, "storage");
			goto out_free;
		}
		l.v = nv;
		target = &l.v[l.n];
		if (image_copy(target, im) < 0) {
			hull_fail(err, ENOMEM, "storage");
			goto out_free;
		}
		l.n++;
	} else {
		for (char **p = im->names; p && *p; p++)
			if (!strv_has(target->names, *p))
				hull_strv_push(&target->names, *p);
		for (char **p = im->digests; p && *p; p++)
			if (!strv_has(target->digests, *p))
				hull_strv_push(&target->digests, *p);
	}
	rc = index_save(s, &l, err);
out_free:
	hull_image_list_free(&l);
out:
	close(lk);
	return rc;
}

/* Candidate names for a user's string: as given (normalised), and for a short name also
 * localhost/NAME (what `podman import` and `hull image import` call unqualified images). */
static int match_image(const struct hull_image_list *l, const char *what, size_t *idx,
		       bool *by_name, char **matched_name)
{
	struct hull_ref r;
	hull_err e = HULL_ERR_INIT;
	bool hexlike = strlen(what) >= 4;
	const char *hex = hull_str_has_prefix(what, "sha256:") ? what + 7 : what;
	*by_name = false;
	*matched_name = NULL;
	for (const char *p = hex; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			hexlike = false;
	if (hexlike) {
		int found = -1;
		for (size_t i = 0; i < l->n; i++) {
			if (hull_str_has_prefix(hull_digest_hex(l->v[i].id), hex) ||
			    !strcmp(l->v[i].manifest, what)) {
				if (found >= 0 && (size_t)found != i)
					return -2; /* ambiguous */
				found = (int)i;
			}
		}
		if (found >= 0) {
			*idx = (size_t)found;
			return 0;
		}
	}
	if (hull_ref_parse(what, &r, &e) < 0) {
		hull_err_clear(&e);
		return -1;
	}
	for (int pass = 0; pass < 2; pass++) {
		_cleanup_free_ char *name = NULL;
		struct hull_ref alt = r;
		_cleanup_free_ char *lpath = NULL;
		if (pass == 1) {
			if (r.had_domain)
				break;
			/* "busybox" was normalised to docker.io/library/busybox; podman-style
			 * local images are localhost/busybox. */
			alt.domain = (char *)"localhost";
			lpath =
			    strdup(hull_str_has_prefix(r.path, "library/") ? r.path + 8 : r.path);
			alt.path = lpath;
		}
		if (r.digest) {
			_cleanup_free_ char *repo = hull_ref_repo(&alt);
			for (size_t i = 0; i < l->n; i++) {
				bool ok = !strcmp(l->v[i].manifest, r.digest);
				if (!ok)
					for (char **p = l->v[i].digests; *p; p++) {
						const char *at = strchr(*p, '@');
						if (at && !strcmp(at + 1, r.digest) && repo &&
						    !strncmp(*p, repo, (size_t)(at - *p)) &&
						    strlen(repo) == (size_t)(at - *p))
							ok = true;
					}
				if (ok) {
					*idx = i;
					hull_ref_free(&r);
					return 0;
				}
			}
			continue;
		}
		name = hull_ref_name(&alt);
		for (size_t i = 0; name && i < l->n; i++)
			if (strv_has(l->v[i].names, name)) {
				*idx = i;
				*by_name = true;
				*matched_name = TAKE_PTR(name);
				hull_ref_free(&r);
				return 0;
			}
	}
	hull_ref_free(&r);
	return -1;
}

static int not_found(hull_err *err, const char *what, int m)
{
	if (m == -2)
		return hull_failk(err, HULL_ERR_INVALID, 0, "image id \"%s\" is ambiguous", what);
	return hull_failk(err, HULL_ERR_NOTFOUND, ENOENT, "image \"%s\" is not in the store", what);
}

int hull_store_image_find(struct hull_store *s, const char *what, struct hull_image *out,
			  hull_err *err)
{
	struct hull_image_list l;
	size_t idx;
	bool by_name;
	char *name = NULL;
	int m, rc;
	if (hull_store_images(s, &l, err) < 0)
		return -1;
	m = match_image(&l, what, &idx, &by_name, &name);
	free(name);
	if (m < 0)
		rc = not_found(err, what, m);
	else
		rc = image_copy(out, &l.v[idx]) < 0 ? hull_fail(err, ENOMEM, "storage") : 0;
	hull_image_list_free(&l);
	return rc;
}

int hull_store_image_remove(struct hull_store *s, const char *what, bool force, char **removed_id,
			    hull_err *err)
{
	struct hull_image_list l;
	size_t idx;
	bool by_name;
	_cleanup_free_ char *name = NULL;
	int lk = hull_store_lock(s, "index.lock", true, true, err), m, rc = -1;
	if (removed_id)
		*removed_id = NULL;
	if (lk < 0)
		return -1;
	if (index_load(s, &l, err) < 0)
		goto out;
	m = match_image(&l, what, &idx, &by_name, &name);
	if (m < 0) {
		not_found(err, what, m);
		goto out_free;
	}
	if (by_name && !force && hull_strv_len(l.v[idx].names) > 1) {
		/* Untag only, like `podman rmi NAME` on an image with several names. */
		strv_remove(l.v[idx].names, name);
	} else {
		if (!by_name && !force && hull_strv_len(l.v[idx].names) > 1) {
			hull_failk(
			    err, HULL_ERR_STATE, 0,
			    "image %.19s has %zu names: remove them one by one or use --force",
			    l.v[idx].id, hull_strv_len(l.v[idx].names));
			goto out_free;
		}
		if (removed_id)
			*removed_id = strdup(l.v[idx].id);
		hull_image_clear(&l.v[idx]);
		memmove(&l.v[idx], &l.v[idx + 1], (l.n - idx - 1) * sizeof l.v[0]);
		l.n--;
	}
	rc = index_save(s, &l, err);
out_free:
	hull_image_list_free(&l);
out:
	close(lk);
	return rc;
}

int hull_store_image_tag(struct hull_store *s, const char *what, const char *new_name,
			 hull_err *err)
{
	struct hull_image im = {0};
	struct hull_image add = {0};
	struct hull_ref r;
	char *names[2] = {NULL, NULL}, *none[1] = {NULL};
	int rc;
	if (hull_ref_parse(new_name, &r, err) < 0)
		return -1;
	if (r.digest) {
		hull_ref_free(&r);
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "tag: \"%s\": a new name cannot be a digest", new_name);
	}
	names[0] = hull_ref_name(&r);
	hull_ref_free(&r);
	if (hull_store_image_find(s, what, &im, err) < 0) {
		free(names[0]);
		return -1;
	}
	add = im;
	add.names = names;
	add.digests = none;
	rc = hull_store_image_add(s, &add, err);
	free(names[0]);
	hull_image_clear(&im);
	return rc;
}

int hull_store_image_load(struct hull_store *s, const struct hull_image *im,
			  struct hull_manifest **m, struct hull_image_config **cfg, hull_err *err)
{
	_cleanup_free_ char *md = NULL, *cd = NULL;
	size_t ml, cl;
	*m = NULL;
	*cfg = NULL;
	if (hull_store_read_blob(s, im->manifest, HULL_MANIFEST_MAX_SIZE, &md, &ml, err) < 0 ||
	    hull_manifest_parse(md, ml, im->media_type, m, err) < 0)
		return hull_wrap(err, "image %.19s", im->id);
	if ((*m)->kind != HULL_MANIFEST) {
		hull_manifest_free(*m);
		*m = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "image %.19s: stored manifest is an index", im->id);
	}
	if (strcmp((*m)->config.digest, im->id) ||
	    hull_store_read_blob(s, im->id, HULL_CONFIG_MAX_SIZE, &cd, &cl, err) < 0 ||
	    hull_image_config_parse(cd, cl, cfg, err) < 0) {
		if (!hull_err_set(err))
			hull_failk(err, HULL_ERR_INVALID, 0,
				   "manifest config %s is not the image id", (*m)->config.digest);
		hull_manifest_free(*m);
		*m = NULL;
		return hull_wrap(err, "image %.19s", im->id);
	}
	if ((*cfg)->n_diff_ids != (*m)->n_layers) {
		size_t nl = (*m)->n_layers, nd = (*cfg)->n_diff_ids;
		hull_manifest_free(*m);
		hull_image_config_free(*cfg);
		*m = NULL;
		*cfg = NULL;
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "image %.19s: manifest has %zu layers, config %zu DiffIDs",
				  im->id, nl, nd);
	}
	return 0;
}

/* ---------------- garbage collection ---------------- */

struct strset {
	char **v;
	size_t n, cap;
};

static int set_add(struct strset *s, const char *x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(x)))
		return -1;
	s->n++;
	return 0;
}

static bool set_has(const struct strset *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], x))
			return true;
	return false;
}

static void set_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Layers that launched containers use: containers/<id>/meta.json "layers". */
static void container_layers(struct hull_store *s, struct strset *layers)
{
	_cleanup_close_ int cfd =
	    openat(s->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	if (cfd < 0 || !(d = fdopendir(dup(cfd))))
		return;
	while ((de = readdir(d))) {
		char rel[300];
		_cleanup_free_ char *data = NULL;
		_cleanup_json_ json_object *o = NULL;
		json_object *a;
		size_t len;
		hull_err e = HULL_ERR_INIT;
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "%s/meta.json", de->d_name);
		if (hull_read_file_at(cfd, rel, O_NOFOLLOW, 1 << 20, &data, &len, &e) == 0 &&
		    hull_json_parse(data, len, "meta.json", &o, &e) == 0 &&
		    json_object_object_get_ex(o, "layers", &a) &&
		    json_object_is_type(a, json_type_array))
			for (size_t i = 0; i < json_object_array_length(a); i++)
				set_add(layers,
					json_object_get_string(json_object_array_get_idx(a, i)));
		hull_err_clear(&e);
	}
	closedir(d);
}

static uint64_t du(int dfd, const char *name)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (uint64_t)st.st_blocks * 512;
}

/* Delete entries of top/<alg>/ that are not in keep (and not locked by a writer). */
static void sweep(struct hull_store *s, const char *top, const struct strset *keep,
		  const char *lock_kind, uint64_t *count, uint64_t *bytes)
{
	static const char *const algs[] = {"sha256", "sha512"};
	for (size_t a = 0; a < 2; a++) {
		char rel[64];
		_cleanup_close_ int dfd = -1;
		DIR *d;
		struct dirent *de;
		snprintf(rel, sizeof rel, "%s/%s", top, algs[a]);
		dfd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0 || !(d = fdopendir(dup(dfd))))
			continue;
		while ((de = readdir(d))) {
			char dg[300], lk[200];
			int lfd;
			hull_err e = HULL_ERR_INIT;
			if (de->d_name[0] == '.' || hull_str_has_suffix(de->d_name, ".json") ||
			    hull_str_has_suffix(de->d_name, ".tree"))
				continue;
			snprintf(dg, sizeof dg, "%s:%s", algs[a], de->d_name);
			if (!hull_digest_valid(dg) || set_has(keep, dg))
				continue;
			lock_name(lock_kind, dg, lk, sizeof lk);
			lfd = hull_store_lock(s, lk, true, false, &e);
			hull_err_clear(&e);
			if (lfd < 0)
				continue; /* being written right now */
			*bytes += du(dfd, de->d_name);
			if (hull_rm_rf_at(dfd, de->d_name, &e) == 0)
				(*count)++;
			hull_err_clear(&e);
			if (!strcmp(top, "layers")) {
				char j[300];
				snprintf(j, sizeof j, "%s.json", de->d_name);
				unlinkat(dfd, j, 0);
				snprintf(j, sizeof j, "%s.tree", de->d_name);
				unlinkat(dfd, j, 0);
			} else {
				char st[300];
				snprintf(st, sizeof st, "stamps/%s/%s", algs[a], de->d_name);
				unlinkat(s->rootfd, st, 0);
			}
			close(lfd);
		}
		closedir(d);
	}
}

int hull_store_gc(struct hull_store *s, bool dangling, struct hull_gc_report *r, hull_err *err)
{
	struct hull_image_list l;
	struct strset blobs = {0}, layers = {0};
	int lk, rc = -1;
	memset(r, 0, sizeof *r);
	/* Upgrade our shared gc.lock: wait until no pull, import or launch holds it. */
	if (s->gc_lock < 0)
		return hull_failk(err, HULL_ERR_STATE, 0, "storage: gc lock released");
	if (flock(s->gc_lock, LOCK_EX) < 0)
		return hull_fail(err, errno, "storage gc lock");
	lk = hull_store_lock(s, "index.lock", true, true, err);
	if (lk < 0)
		goto out_gc;
	if (index_load(s, &l, err) < 0)
		goto out_lk;
	if (dangling) {
		size_t o = 0;
		for (size_t i = 0; i < l.n; i++) {
			if (!l.v[i].names[0]) {
				hull_image_clear(&l.v[i]);
				r->images++;
			} else {
				l.v[o++] = l.v[i];
			}
		}
		l.n = o;
		if (r->images && index_save(s, &l, err) < 0)
			goto out_list;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct hull_manifest *m = NULL;
		struct hull_image_config *c = NULL;
		hull_err e = HULL_ERR_INIT;
		set_add(&blobs, l.v[i].manifest);
		set_add(&blobs, l.v[i].id);
		if (hull_store_image_load(s, &l.v[i], &m, &c, &e) < 0) {
			/* A damaged image keeps whatever it might still reference. */
			hull_err_clear(&e);
			hull_failk(
			    err, HULL_ERR_INVALID, 0,
			    "image %.19s cannot be read; remove it before collecting garbage",
			    l.v[i].id);
			goto out_list;
		}
		for (size_t k = 0; k < m->n_layers; k++)
			set_add(&blobs, m->layers[k].digest);
		for (size_t k = 0; k < c->n_diff_ids; k++)
			set_add(&layers, c->diff_ids[k]);
		hull_manifest_free(m);
		hull_image_config_free(c);
	}
	container_layers(s, &layers);
	sweep(s, "blobs", &blobs, "blob", &r->blobs, &r->bytes);
	sweep(s, "layers", &layers, "layer", &r->layers, &r->bytes);
	/* tmp/: partial blobs and layers whose writer is gone (their lock is free). */
	{
		_cleanup_close_ int tfd =
		    openat(s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = tfd >= 0 ? fdopendir(dup(tfd)) : NULL;
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char lk2[300], *dot;
			int lfd;
			hull_err e = HULL_ERR_INIT;
			if (de->d_name[0] == '.')
				continue;
			snprintf(lk2, sizeof lk2, "%s", de->d_name);
			dot = strchr(lk2, '.');
			if (dot)
				*dot = '\0';
			lfd = hull_store_lock(s, lk2, true, false, &e);
			hull_err_clear(&e);
			if (lfd < 0)
				continue;
			r->bytes += du(tfd, de->d_name);
			if (hull_rm_rf_at(tfd, de->d_name, &e) == 0)
				r->tmp++;
			hull_err_clear(&e);
			close(lfd);
		}
		if (d)
			closedir(d);
	}
	rc = 0;
out_list:
	hull_image_list_free(&l);
out_lk:
	close(lk);
out_gc:
	set_free(&blobs);
	set_free(&layers);
	flock(s->gc_lock, LOCK_SH);
	return rc;
}
