/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH    256

static int fallback_state = -1; /* -1 unknown, 0 openat2, 1 fallback */

void hull_path_force_fallback(bool on)
{
	fallback_state = on ? 1 : 0;
}

bool hull_path_using_fallback(void)
{
	if (fallback_state < 0) {
		const char *e = getenv("HULL_NO_OPENAT2");
		fallback_state = (e && *e && strcmp(e, "0") != 0) ? 1 : 0;
	}
	return fallback_state == 1;
}

static int sys_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long resolve)
{
	struct open_how how = {
		.flags = (unsigned long long)flags,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = resolve,
	};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Userspace emulation of RESOLVE_IN_ROOT: walk component by component with O_PATH|O_NOFOLLOW,
 * keeping a stack of directory fds so that ".." pops to an fd we already hold (never above
 * the root), and expanding symlink text ourselves relative to the root. Magic links are
 * expanded as text too, so they can never jump out of the tree. */
struct walk {
	int fds[MAX_DEPTH + 1];
	int depth;
	dev_t root_dev;
};

static void walk_free(struct walk *w)
{
	for (int i = 1; i <= w->depth; i++)
		close(w->fds[i]);
	w->depth = 0;
}

static int walk_cur(struct walk *w)
{
	return w->fds[w->depth];
}

/* With mkdir_mode != 0, missing directories are created on the way (MkdirAllInRoot): each one
 * with mkdirat relative to the verified parent fd, symlinks followed as text inside the root. */
static int walk_open(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve,
		     mode_t mkdir_mode, hull_err *err)
{
	struct walk w = {.depth = 0};
	_cleanup_free_ char *rest = strdup(path);
	int links = 0, ret = -1;
	struct stat rst;

	if (!rest)
		return hull_fail(err, ENOMEM, "resolve %s", path);
	if (fstat(rootfd, &rst) < 0)
		return hull_fail(err, errno, "resolve %s: stat root", path);
	w.fds[0] = rootfd;
	w.root_dev = rst.st_dev;

	for (;;) {
		char *p = rest, *comp, *next;
		bool last;
		int fd;
		struct stat st;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* Path ended on a directory (root, "." or ".."): open it with flags. */
			fd = openat(walk_cur(&w), ".", (flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC);
			if (fd < 0)
				hull_fail(err, errno, "resolve %s", path);
			ret = fd;
			break;
		}
		comp = p;
		next = strchr(p, '/');
		if (next)
			*next++ = '\0';
		else
			next = p + strlen(p);
		{
			const char *q = next;
			while (*q == '/')
				q++;
			last = *q == '\0';
		}
		if (!strcmp(comp, ".")) {
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		if (!strcmp(comp, "..")) {
			if (w.depth > 0)
				close(w.fds[w.depth--]);
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		if (strlen(comp) > NAME_MAX) {
			hull_fail(err, ENAMETOOLONG, "resolve %s", path);
			break;
		}
		if (last && !mkdir_mode) {
			int oflags = flags | O_NOFOLLOW | O_CLOEXEC;
			fd = openat(walk_cur(&w), comp, oflags, mode);
			if (fd < 0 && errno != ELOOP) {
				hull_fail(err, errno, "resolve %s", path);
				break;
			}
			if (fd >= 0) {
				if (fstat(fd, &st) < 0) {
					hull_fail(err, errno, "resolve %s", path);
					close(fd);
					break;
				}
				if (!S_ISLNK(st.st_mode) || (flags & O_NOFOLLOW)) {
					if ((resolve & HULL_RESOLVE_NO_XDEV) && st.st_dev != w.root_dev) {
						close(fd);
						hull_fail(err, EXDEV, "resolve %s", path);
						break;
					}
					ret = fd;
					break;
				}
				close(fd);
			} else if (flags & O_NOFOLLOW) {
				hull_fail(err, ELOOP, "resolve %s", path);
				break;
			}
			/* A symlink as last component: follow it below. */
		} else {
			fd = openat(walk_cur(&w), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 && errno == ENOENT && mkdir_mode) {
				if (mkdirat(walk_cur(&w), comp, mkdir_mode) < 0 && errno != EEXIST) {
					hull_fail(err, errno, "mkdir %s", path);
					break;
				}
				fd = openat(walk_cur(&w), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			}
			if (fd < 0) {
				hull_fail(err, errno, "resolve %s", path);
				break;
			}
			if (fstat(fd, &st) < 0) {
				hull_fail(err, errno, "resolve %s", path);
				close(fd);
				break;
			}
			if (!S_ISLNK(st.st_mode)) {
				if (!S_ISDIR(st.st_mode)) {
					close(fd);
					hull_fail(err, ENOTDIR, "resolve %s", path);
					break;
				}
				if ((resolve & HULL_RESOLVE_NO_XDEV) && st.st_dev != w.root_dev) {
					close(fd);
					hull_fail(err, EXDEV, "resolve %s", path);
					break;
				}
				if (w.depth >= MAX_DEPTH) {
					close(fd);
					hull_fail(err, ELOOP, "resolve %s: too deep", path);
					break;
				}
				w.fds[++w.depth] = fd;
				memmove(rest, next, strlen(next) + 1);
				continue;
			}
			close(fd);
		}

		/* comp is a symlink: splice its target in front of the remaining path. */
		{
			char target[PATH_MAX];
			ssize_t n;
			_cleanup_free_ char *joined = NULL;

			if (resolve & HULL_RESOLVE_NO_SYMLINKS) {
				hull_fail(err, ELOOP, "resolve %s: symlink at %s not allowed", path,
					  comp);
				break;
			}
			if (++links > MAX_SYMLINKS) {
				hull_fail(err, ELOOP, "resolve %s", path);
				break;
			}
			n = readlinkat(walk_cur(&w), comp, target, sizeof target - 1);
			if (n < 0) {
				hull_fail(err, errno, "resolve %s: readlink %s", path, comp);
				break;
			}
			target[n] = '\0';
			/* RESOLVE_NO_MAGICLINKS in userspace: procfs "magic" links (fd/N, exe, cwd,
			 * root, ns/...) read as absolute paths or "type:[inode]"; plain procfs links
			 * (self, thread-self, mounts, net) are relative. Refuse the magic ones. */
			{
				struct statfs sf;
				if ((target[0] == '/' || strchr(target, ':')) &&
				    fstatfs(walk_cur(&w), &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
					hull_fail(err, ELOOP, "resolve %s: %s is a procfs magic link", path,
						  comp);
					break;
				}
			}
			if (target[0] == '/') {
				while (w.depth > 0)
					close(w.fds[w.depth--]);
			}
			joined = hull_strdup_printf("%s/%s", target, next);
			if (!joined) {
				hull_fail(err, ENOMEM, "resolve %s", path);
				break;
			}
			free(rest);
			rest = TAKE_PTR(joined);
		}
	}
	walk_free(&w);
	return ret;
}

int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve,
		      hull_err *err)
{
	unsigned long how = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	int fd;

	if (!hull_path_using_fallback()) {
		if (resolve & HULL_RESOLVE_NO_SYMLINKS)
			how |= RESOLVE_NO_SYMLINKS;
		if (resolve & HULL_RESOLVE_NO_XDEV)
			how |= RESOLVE_NO_XDEV;
		for (int tries = 0; tries < 16; tries++) {
			fd = sys_openat2(rootfd, path, flags | O_CLOEXEC, mode, how);
			if (fd >= 0)
				return fd;
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS) {
			int kind = errno == ENOENT ? HULL_ERR_NOTFOUND : 0;
			return hull_failk(err, kind, errno, "resolve %s", path);
		}
		fallback_state = 1;
	}
	fd = walk_open(rootfd, path, flags, mode, resolve, 0, err);
	if (fd < 0 && err && err->code == ENOENT)
		err->kind = HULL_ERR_NOTFOUND;
	return fd;
}

static void split_path(char *copy, char **dir, char **base)
{
	size_t n = strlen(copy);
	char *slash;
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		*dir = NULL;
		*base = copy;
	} else if (slash == copy) {
		*dir = (char *)"/";
		*base = slash + 1;
	} else {
		*slash = '\0';
		*dir = copy;
		*base = slash + 1;
	}
}

int hull_mkdir_in_root(int rootfd, const char *path, mode_t mode, hull_err *err)
{
	hull_err e2 = HULL_ERR_INIT;
	int fd = hull_open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0, 0, &e2);
	if (fd >= 0)
		return fd;
	if (e2.code != ENOENT) {
		hull_err_move(err, &e2);
		return -1;
	}
	hull_err_clear(&e2);
	fd = walk_open(rootfd, path, O_PATH | O_DIRECTORY, 0, 0, mode ? mode : 0755, err);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
			close(fd);
			return hull_fail(err, ENOTDIR, "mkdir %s", path);
		}
	}
	return fd;
}

int hull_open_parent_in_root(int rootfd, const char *path, bool create_parents, char **owned,
			     const char **base, hull_err *err)
{
	char *copy = strdup(path), *dir, *b;
	int fd;
	if (!copy)
		return hull_fail(err, ENOMEM, "resolve %s", path);
	split_path(copy, &dir, &b);
	if (!*b || !strcmp(b, ".") || !strcmp(b, "..")) {
		free(copy);
		return hull_fail(err, EINVAL, "resolve %s: no file name", path);
	}
	if (!dir)
		dir = (char *)".";
	if (create_parents)
		fd = hull_mkdir_in_root(rootfd, dir, 0755, err);
	else
		fd = hull_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0, 0, err);
	if (fd < 0) {
		free(copy);
		return -1;
	}
	*owned = copy;
	*base = b;
	return fd;
}

char *hull_path_clean(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2);
	size_t o = 0;
	bool abs = path[0] == '/';
	const char *p = path;

	if (!out)
		return NULL;
	if (abs)
		out[o++] = '/';
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
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			size_t floor = abs ? 1 : 0;
			if (o > floor) {
				while (o > floor && out[o - 1] != '/')
					o--;
				if (o > floor)
					o--;
			}
			continue;
		}
		if (o > (abs ? 1u : 0u))
			out[o++] = '/';
		memcpy(out + o, s, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}
