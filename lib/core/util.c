/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"

int hull_buf_reserve(hull_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int hull_buf_append(hull_buf *b, const void *data, size_t len)
{
	if (hull_buf_reserve(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int hull_buf_puts(hull_buf *b, const char *s)
{
	return hull_buf_append(b, s, strlen(s));
}

int hull_buf_printf(hull_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || hull_buf_reserve(b, (size_t)n) < 0) {
		va_end(ap2);
		return -1;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

void hull_buf_free(hull_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *hull_buf_steal(hull_buf *b)
{
	char *p;
	if (!b->data) {
		if (hull_buf_reserve(b, 0) < 0)
			return NULL;
		b->data[0] = '\0';
	}
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

char *hull_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

bool hull_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool hull_str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

size_t hull_strv_len(char *const *v)
{
	size_t n = 0;
	if (v)
		while (v[n])
			n++;
	return n;
}

void hull_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int hull_strv_push(char ***v, const char *s)
{
	size_t n = hull_strv_len(*v);
	char **nv;
	char *c = strdup(s);
	if (!c)
		return -1;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(c);
		return -1;
	}
	nv[n] = c;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

ssize_t hull_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t hull_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int hull_read_fd(int fd, size_t max, char **out, size_t *out_len, hull_err *err)
{
	hull_buf b = {0};
	for (;;) {
		ssize_t r;
		if (hull_buf_reserve(&b, 8192) < 0) {
			hull_buf_free(&b);
			return hull_fail(err, ENOMEM, "read");
		}
		r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hull_buf_free(&b);
			return hull_fail(err, errno, "read");
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		if (b.len > max) {
			hull_buf_free(&b);
			return hull_failk(err, HULL_ERR_LIMIT, 0, "input larger than %zu bytes", max);
		}
	}
	b.data[b.len] = '\0';
	if (out_len)
		*out_len = b.len;
	*out = hull_buf_steal(&b);
	return 0;
}

int hull_read_file_at(int dirfd, const char *path, int oflags, size_t max, char **out,
		      size_t *out_len, hull_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | oflags);
	if (fd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "open %s",
				  path);
	if (hull_read_fd(fd, max, out, out_len, err) < 0)
		return hull_wrap(err, "%s", path);
	return 0;
}

int hull_write_file_at(int dirfd, const char *path, int oflags, mode_t mode, const void *data,
		       size_t len, hull_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | oflags, mode);
	ssize_t r;
	if (fd < 0)
		return hull_fail(err, errno, "open %s", path);
	r = hull_write_all(fd, data, len);
	if (r < 0)
		return hull_fail(err, (int)-r, "write %s", path);
	return 0;
}

int hull_write_file_atomic(int dirfd, const char *name, mode_t mode, const void *data, size_t len,
			   hull_err *err)
{
	char tmp[PATH_MAX];
	uint64_t rnd = 0;
	int fd = -1;
	ssize_t r;

	/* A fresh, unpredictable name created with O_EXCL: a hardlink or symlink planted in a
	 * writable directory (a bundle, say) cannot redirect the write. */
	for (int tries = 0; tries < 16 && fd < 0; tries++) {
		if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
			rnd = hull_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)tries;
		if ((size_t)snprintf(tmp, sizeof tmp, ".%s.%016llx.tmp", name, (unsigned long long)rnd) >=
		    sizeof tmp)
			return hull_fail(err, ENAMETOOLONG, "write %s", name);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && errno != EEXIST)
			return hull_fail(err, errno, "create %s", tmp);
	}
	if (fd < 0)
		return hull_fail(err, EEXIST, "create a temporary file for %s", name);
	r = hull_write_all(fd, data, len);
	if (r < 0 || close(fd) < 0) {
		int e = r < 0 ? (int)-r : errno;
		unlinkat(dirfd, tmp, 0);
		return hull_fail(err, e, "write %s", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return hull_fail(err, e, "rename %s to %s", tmp, name);
	}
	return 0;
}

int hull_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int hull_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s || *s == ' ')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int hull_close_fds_from(int first)
{
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0) == 0)
		return 0;
	/* Fallback for kernels without close_range: walk /proc/self/fd. */
	{
		DIR *d = opendir("/proc/self/fd");
		struct dirent *de;
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			uint64_t n;
			if (hull_parse_u64(de->d_name, &n) < 0 || n < (uint64_t)first ||
			    (int)n == dirfd(d))
				continue;
			close((int)n);
		}
		closedir(d);
	}
	return 0;
}

uint64_t hull_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int hull_rfc3339_now(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	return snprintf(out, size, "%s.%09ldZ", base, ts.tv_nsec) < (int)size ? 0 : -1;
}

static int rm_rf_children(int dfd, dev_t dev, int depth, hull_err *err);

static int rm_rf_entry(int dirfd, const char *name, dev_t dev, int depth, hull_err *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return hull_fail(err, errno, "stat %s", name);
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int fd = -1;
		if (st.st_dev != dev)
			return hull_fail(err, EXDEV, "refusing to remove %s: another filesystem", name);
		if (depth > 256)
			return hull_fail(err, ELOOP, "remove %s: too deep", name);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hull_fail(err, errno, "open %s", name);
		if (rm_rf_children(fd, dev, depth + 1, err) < 0)
			return hull_wrap(err, "%s", name);
		if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return hull_fail(err, errno, "rmdir %s", name);
		return 0;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return hull_fail(err, errno, "unlink %s", name);
	return 0;
}

static int rm_rf_children(int dfd, dev_t dev, int depth, hull_err *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd = dup(dfd);
	if (fd < 0)
		return hull_fail(err, errno, "dup");
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return hull_fail(err, errno, "opendir");
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (rm_rf_entry(dfd, de->d_name, dev, depth, err) < 0)
			return -1;
	}
	return 0;
}

int hull_rm_rf_at(int dirfd, const char *name, hull_err *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return hull_fail(err, errno, "stat %s", name);
	}
	return rm_rf_entry(dirfd, name, st.st_dev, 0, err);
}
