/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "core/path.h"
#include "core/util.h"
#include "runtime/mountapi.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

unsigned hull_ms_to_attr(unsigned long ms)
{
	unsigned a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

int hull_open_verified_null(hull_err *err)
{
	int fd = open("/dev/null", O_PATH | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0)
		return hull_fail(err, errno, "open /dev/null");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
	    minor(st.st_rdev) != 3) {
		close(fd);
		return hull_fail(err, EPERM, "/dev/null is not the null device (char 1:3)");
	}
	return fd;
}

/* Append the filesystem's own error log (fsopen fds carry "e msg" lines) to err. */
static int fs_fail(hull_err *err, int fsfd, int code, const char *what, const char *dest)
{
	char buf[512], msg[600] = "";
	ssize_t n;
	while (fsfd >= 0 && (n = read(fsfd, buf, sizeof buf - 1)) > 0) {
		buf[n] = '\0';
		if (buf[0] == 'e' || buf[0] == 'w')
			snprintf(msg, sizeof msg, " (%s)", buf + 2);
	}
	return hull_fail(err, code, "mount %s%s: %s", dest, msg, what);
}

/* Open (creating when missing) the mount target inside the root. */
static int open_target(struct hull_mount_ctx *ctx, const char *dest, bool dir, unsigned resolve,
		       hull_err *err)
{
	int fd;
	hull_err e = HULL_ERR_INIT;
	if (dir) {
		fd = hull_open_in_root(ctx->rootfd, dest, O_PATH | O_DIRECTORY, 0, resolve, &e);
		if (fd >= 0)
			return fd;
		if (e.code != ENOENT) {
			hull_err_move(err, &e);
			return hull_wrap(err, "mount target");
		}
		hull_err_clear(&e);
		fd = hull_mkdir_in_root(ctx->rootfd, dest, 0755, err);
		if (fd < 0)
			return hull_wrap(err, "create mount target");
		if (resolve) {
			close(fd);
			fd = hull_open_in_root(ctx->rootfd, dest, O_PATH | O_DIRECTORY, 0, resolve, err);
		}
		return fd;
	}
	fd = hull_open_in_root(ctx->rootfd, dest, O_PATH, 0, resolve, &e);
	if (fd >= 0)
		return fd;
	if (e.code != ENOENT) {
		hull_err_move(err, &e);
		return hull_wrap(err, "mount target");
	}
	hull_err_clear(&e);
	{
		_cleanup_free_ char *owned = NULL;
		const char *base;
		_cleanup_close_ int pfd = hull_open_parent_in_root(ctx->rootfd, dest, true, &owned,
								   &base, err);
		int f;
		if (pfd < 0)
			return hull_wrap(err, "create mount target");
		f = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST && errno != EISDIR)
			return hull_fail(err, errno, "create mount target %s", dest);
		if (f >= 0)
			close(f);
	}
	return hull_open_in_root(ctx->rootfd, dest, O_PATH, 0, resolve, err);
}

static int attach(int treefd, int targetfd, const char *dest, hull_err *err)
{
	if (hull_move_mount(treefd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hull_fail(err, errno, "mount %s: move_mount", dest);
	return 0;
}

static int set_propagation(int treefd, unsigned long prop, const char *dest, hull_err *err)
{
	struct hull_mount_attr a = {.propagation = prop & ~(unsigned long)MS_REC};
	if (!prop)
		return 0;
	if (hull_mount_setattr(treefd, "", AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0), &a) < 0)
		return hull_fail(err, errno, "mount %s: set propagation", dest);
	return 0;
}

static int setattr_tree(int treefd, const struct hull_mount *m, const char *dest, hull_err *err)
{
	struct statvfs sv;
	struct hull_mount_attr a = {0};
	unsigned clr = hull_ms_to_attr(m->ms_clear);

	a.attr_set = hull_ms_to_attr(m->ms_flags);
	/* Clear only what is set: clearing a flag locked by a more privileged namespace fails,
	 * and runc/crun do not touch flags the config does not mention either. */
	if (clr && fstatvfs(treefd, &sv) == 0) {
		unsigned cur = 0;
		if (sv.f_flag & ST_RDONLY)
			cur |= MOUNT_ATTR_RDONLY;
		if (sv.f_flag & ST_NOSUID)
			cur |= MOUNT_ATTR_NOSUID;
		if (sv.f_flag & ST_NODEV)
			cur |= MOUNT_ATTR_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			cur |= MOUNT_ATTR_NOEXEC;
		a.attr_clr = clr & cur & ~(unsigned)MOUNT_ATTR__ATIME;
	}
	if (a.attr_set & MOUNT_ATTR__ATIME)
		a.attr_clr |= MOUNT_ATTR__ATIME;
	if ((a.attr_set || a.attr_clr) && hull_mount_setattr(treefd, "", AT_EMPTY_PATH, &a) < 0)
		return hull_fail(err, errno, "mount %s: set flags", dest);
	if (m->rec_attr_set || m->rec_attr_clr) {
		struct hull_mount_attr r = {.attr_set = m->rec_attr_set, .attr_clr = m->rec_attr_clr};
		if (r.attr_set & MOUNT_ATTR__ATIME)
			r.attr_clr |= MOUNT_ATTR__ATIME;
		if (hull_mount_setattr(treefd, "", AT_EMPTY_PATH | AT_RECURSIVE, &r) < 0)
			return hull_fail(err, errno, "mount %s: set recursive flags", dest);
	}
	return 0;
}

/* Parent side: clone a bind source into a detached mount with its flags applied. Done by the
 * runtime before the container's user namespace exists, so sources the container's root could
 * not even traverse (0700 directories of the engine) still work, as runc's mount fds do. */
static int clone_bind_source(int bundlefd, const struct hull_mount *m, bool *is_dir, hull_err *err)
{
	const char *src = m->source ? m->source : "";
	int srcdir = src[0] == '/' ? AT_FDCWD : bundlefd;
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->rbind ? AT_RECURSIVE : 0);
	_cleanup_close_ int tree = -1;
	struct stat st;

	if (!*src)
		return hull_failk(err, HULL_ERR_INVALID, 0, "mount %s: bind mount without a source",
				  m->destination);
	tree = hull_open_tree(srcdir, src, flags);
	if (tree < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno,
				  "mount %s: bind source %s", m->destination, src);
	*is_dir = fstat(tree, &st) == 0 && S_ISDIR(st.st_mode);
	if (m->idmap)
		hull_warn("mount %s: the idmap option is not supported yet, mounting without it",
			  m->destination);
	if (setattr_tree(tree, m, m->destination, err) < 0)
		return -1;
	return TAKE_FD(tree);
}

static int mount_bind(struct hull_mount_ctx *ctx, size_t idx, const struct hull_mount *m,
		      hull_err *err)
{
	_cleanup_close_ int target = -1;
	bool pre = ctx->pre && idx < ctx->pre->n && ctx->pre->binds[idx] >= 0;
	bool is_dir = pre ? ctx->pre->bind_is_dir[idx] : false;
	int tree = -1, rc;
	hull_err e = HULL_ERR_INIT;

	/* Clone the source here when we can, so mounts get their ids (and their place in
	 * /proc/self/mountinfo) in config order; fall back to the parent's clone when the
	 * source is out of reach of the container's user namespace. */
	if (ctx->bundlefd < 0 && ctx->bundle)
		ctx->bundlefd = open(ctx->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	tree = clone_bind_source(ctx->bundlefd, m, &is_dir, &e);
	if (tree < 0) {
		if (!pre) {
			hull_err_move(err, &e);
			return -1;
		}
		hull_err_clear(&e);
		tree = ctx->pre->binds[idx];
		ctx->pre->binds[idx] = -1;
	}
	target = open_target(ctx, m->destination, is_dir, 0, err);
	if (target < 0) {
		close(tree);
		return hull_wrap(err, "mount %s", m->destination);
	}
	rc = attach(tree, target, m->destination, err);
	if (rc == 0)
		rc = set_propagation(tree, m->propagation, m->destination, err);
	close(tree);
	return rc;
}

/* Run fsconfig for every "key=value" / "flag" in a comma-separated data string. */
static int fs_configure(int fsfd, const char *data, const char *dest, hull_err *err)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;
	if (!data || !*data)
		return 0;
	copy = strdup(data);
	if (!copy)
		return hull_fail(err, ENOMEM, "mount %s", dest);
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int rc;
		if (eq) {
			*eq = '\0';
			rc = hull_fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			rc = hull_fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (rc < 0) {
			char what[300];
			snprintf(what, sizeof what, "option %s%s%s", opt, eq ? "=" : "", eq ? eq + 1 : "");
			return fs_fail(err, fsfd, errno, what, dest);
		}
	}
	return 0;
}

static unsigned long sb_flag_options(unsigned long ms)
{
	return ms & (MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_LAZYTIME);
}

/* fsopen/fsconfig/fsmount: a new detached superblock mount. */
int hull_fs_new(const char *type, const char *source, const char *data, unsigned long ms,
		  const char *dest, hull_err *err)
{
	_cleanup_close_ int fsfd = hull_fsopen(type, FSOPEN_CLOEXEC);
	int mfd;
	unsigned long sb = sb_flag_options(ms);
	if (fsfd < 0)
		return hull_fail(err, errno, "mount %s: filesystem type %s", dest, type);
	if (source && *source && hull_fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fs_fail(err, fsfd, errno, "source", dest);
	if (fs_configure(fsfd, data, dest, err) < 0)
		return -1;
	if ((sb & MS_SYNCHRONOUS) && hull_fsconfig(fsfd, FSCONFIG_SET_FLAG, "sync", NULL, 0) < 0)
		return fs_fail(err, fsfd, errno, "sync", dest);
	if ((sb & MS_DIRSYNC) && hull_fsconfig(fsfd, FSCONFIG_SET_FLAG, "dirsync", NULL, 0) < 0)
		return fs_fail(err, fsfd, errno, "dirsync", dest);
	if ((sb & MS_LAZYTIME) && hull_fsconfig(fsfd, FSCONFIG_SET_FLAG, "lazytime", NULL, 0) < 0)
		return fs_fail(err, fsfd, errno, "lazytime", dest);
	if (hull_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_fail(err, fsfd, errno, "create", dest);
	mfd = hull_fsmount(fsfd, FSMOUNT_CLOEXEC, hull_ms_to_attr(ms));
	if (mfd < 0)
		return fs_fail(err, fsfd, errno, "fsmount", dest);
	return mfd;
}

static int verify_fs(int fd, long magic, const char *dest, hull_err *err)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return hull_fail(err, errno, "mount %s: statfs", dest);
	if (sf.f_type != magic)
		return hull_fail(err, EPERM, "mount %s: not the expected filesystem after mounting", dest);
	return 0;
}

static int mount_rbind_host(struct hull_mount_ctx *ctx, const struct hull_mount *m, const char *host,
			    hull_err *err)
{
	struct hull_mount b = *m;
	b.source = (char *)host;
	b.bind = b.rbind = true;
	b.ms_flags |= MS_NOSUID | MS_NODEV | MS_NOEXEC;
	return mount_bind(ctx, SIZE_MAX, &b, err);
}

static int mount_fs(struct hull_mount_ctx *ctx, const struct hull_mount *m, hull_err *err)
{
	bool is_proc = !strcmp(m->type, "proc"), is_sys = !strcmp(m->type, "sysfs");
	/* /proc and /sys must be real directories: a symlink there (CVE-2019-16884,
	 * CVE-2023-27561) could put a fake procfs where the runtime writes. */
	unsigned resolve = (is_proc || is_sys) ? HULL_RESOLVE_NO_SYMLINKS : 0;
	_cleanup_close_ int target = -1, mfd = -1;
	hull_err e = HULL_ERR_INIT;

	target = open_target(ctx, m->destination, true, resolve, err);
	if (target < 0) {
		if (resolve && err->code == ELOOP)
			return hull_fail(err, ELOOP,
					 "mount %s (%s): the target is a symlink or goes through one; "
					 "refusing to mount %s there (CVE-2019-16884, CVE-2023-27561)",
					 m->destination, m->type, m->type);
		return hull_wrap(err, "mount %s (%s)", m->destination, m->type);
	}
	mfd = hull_fs_new(m->type, m->source, m->data, m->ms_flags, m->destination, &e);
	if (mfd < 0) {
		/* sysfs needs a network namespace owned by our user namespace; without it
		 * bind the host's /sys read-only, as runc does. */
		if (is_sys && e.code == EPERM && ctx->userns) {
			hull_err_clear(&e);
			return mount_rbind_host(ctx, m, "/sys", err);
		}
		if (!strcmp(m->type, "mqueue") && e.code == EPERM && ctx->userns) {
			hull_err_clear(&e);
			return mount_rbind_host(ctx, m, "/dev/mqueue", err);
		}
		hull_err_move(err, &e);
		return -1;
	}
	if (attach(mfd, target, m->destination, err) < 0)
		return -1;
	if (is_proc && verify_fs(mfd, PROC_SUPER_MAGIC, m->destination, err) < 0)
		return -1;
	return set_propagation(mfd, m->propagation, m->destination, err);
}

/* /sys/fs/cgroup: cgroup2 on v2 hosts; on v1/hybrid a tmpfs with one mount per hierarchy.
 * With a cgroup namespace the container sees its own cgroup as root; without one, its own
 * directory is bound instead of the host tree. Always read-only unless the config says rw. */
static int cgroup_sub(struct hull_mount_ctx *ctx, int parentfd, const char *name, const char *type,
		      const char *opts, const char *host_dir, const struct hull_mount *m,
		      const char *dest, hull_err *err)
{
	_cleanup_close_ int dirfd = -1, mfd = -1;
	hull_err e = HULL_ERR_INIT;
	unsigned long ms = m->ms_flags | MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (mkdirat(parentfd, name, 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "mount %s/%s: mkdir", dest, name);
	dirfd = openat(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return hull_fail(err, errno, "mount %s/%s", dest, name);
	if (ctx->cgroupns) {
		mfd = hull_fs_new(type, "cgroup", opts, ms, dest, &e);
		if (mfd < 0 && e.code != EPERM && e.code != EBUSY) {
			hull_err_move(err, &e);
			return -1;
		}
		hull_err_clear(&e);
	}
	if (mfd < 0) {
		struct hull_mount_attr a = {.attr_set = hull_ms_to_attr(ms)};
		mfd = hull_open_tree(AT_FDCWD, host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (mfd < 0)
			return hull_fail(err, errno, "mount %s/%s: bind %s", dest, name, host_dir);
		if (hull_mount_setattr(mfd, "", AT_EMPTY_PATH, &a) < 0)
			return hull_fail(err, errno, "mount %s/%s: set flags", dest, name);
	}
	return attach(mfd, dirfd, dest, err);
}

static int mount_cgroup(struct hull_mount_ctx *ctx, const struct hull_mount *m, hull_err *err)
{
	struct hull_cgroups *cg = ctx->cg;
	_cleanup_close_ int target = -1, tmpfs = -1;
	char host[4096];

	target = open_target(ctx, m->destination, true, HULL_RESOLVE_NO_SYMLINKS, err);
	if (target < 0)
		return hull_wrap(err, "mount %s (cgroup)", m->destination);
	if (!cg || cg->mode == HULL_CGROUP_NONE)
		return 0;
	if (cg->mode == HULL_CGROUP_V2) {
		_cleanup_close_ int mfd = -1;
		struct hull_mount cm = *m;
		cm.type = (char *)"cgroup2";
		cm.ms_flags |= MS_NOSUID | MS_NODEV | MS_NOEXEC;
		if (ctx->cgroupns) {
			hull_err e = HULL_ERR_INIT;
			mfd = hull_fs_new("cgroup2", "cgroup2", NULL, cm.ms_flags, m->destination, &e);
			if (mfd >= 0)
				return attach(mfd, target, m->destination, err);
			hull_err_clear(&e);
		}
		snprintf(host, sizeof host, "%s%s", cg->v2_mount, cg->path ? cg->path : "");
		return mount_rbind_host(ctx, &cm, host, err);
	}
	/* v1 or hybrid: a small tmpfs holding one directory per hierarchy. */
	tmpfs = hull_fs_new("tmpfs", "tmpfs", "mode=755,size=64k", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		       m->destination, err);
	if (tmpfs < 0)
		return -1;
	if (attach(tmpfs, target, m->destination, err) < 0)
		return -1;
	for (size_t i = 0; i < cg->n_v1; i++) {
		const char *ctl = cg->v1[i].controllers;
		char name[128];
		snprintf(name, sizeof name, "%s",
			 hull_str_has_prefix(ctl, "name=") ? ctl + 5 : ctl);
		snprintf(host, sizeof host, "%s%s", cg->v1[i].mount, cg->path ? cg->path : "");
		if (cgroup_sub(ctx, tmpfs, name, "cgroup", ctl, host, m, m->destination, err) < 0)
			return -1;
		/* Co-mounted controllers get symlinks (cpu -> cpu,cpuacct), as on the host. */
		if (strchr(ctl, ',') && !hull_str_has_prefix(ctl, "name=")) {
			_cleanup_free_ char *copy = strdup(ctl);
			char *save = NULL;
			for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c;
			     c = strtok_r(NULL, ",", &save))
				if (symlinkat(name, tmpfs, c) < 0 && errno != EEXIST)
					return hull_fail(err, errno, "mount %s: symlink %s", m->destination, c);
		}
	}
	if (cg->v2_mount) {
		snprintf(host, sizeof host, "%s%s", cg->v2_mount, cg->path ? cg->path : "");
		if (cgroup_sub(ctx, tmpfs, "unified", "cgroup2", NULL, host, m, m->destination, err) < 0)
			return -1;
	}
	if (m->ms_flags & MS_RDONLY) {
		struct hull_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
		if (hull_mount_setattr(tmpfs, "", AT_EMPTY_PATH, &a) < 0)
			return hull_fail(err, errno, "mount %s: read-only", m->destination);
	}
	return 0;
}

int hull_mounts_prepare(const struct hull_spec *s, int bundlefd, bool binds,
			struct hull_premounts *pre, hull_err *err)
{
	int srcdir = s->root_path[0] == '/' ? AT_FDCWD : bundlefd;
	memset(pre, 0, sizeof *pre);
	pre->rootfs = -1;
	pre->binds = malloc((s->n_mounts ? s->n_mounts : 1) * sizeof(int));
	pre->bind_is_dir = calloc(s->n_mounts ? s->n_mounts : 1, sizeof(bool));
	if (!pre->binds || !pre->bind_is_dir)
		return hull_fail(err, ENOMEM, "mounts");
	pre->n = s->n_mounts;
	for (size_t i = 0; i < s->n_mounts; i++)
		pre->binds[i] = -1;
	pre->rootfs = hull_open_tree(srcdir, s->root_path,
				     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (pre->rootfs < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno, "rootfs %s",
				  s->root_path);
	for (size_t i = 0; binds && i < s->n_mounts; i++) {
		if (!s->mounts[i].bind)
			continue;
		pre->binds[i] = clone_bind_source(bundlefd, &s->mounts[i], &pre->bind_is_dir[i], err);
		if (pre->binds[i] < 0)
			return -1;
	}
	return 0;
}

void hull_premounts_release(struct hull_premounts *pre)
{
	if (pre->rootfs >= 0)
		close(pre->rootfs);
	for (size_t i = 0; pre->binds && i < pre->n; i++)
		if (pre->binds[i] >= 0)
			close(pre->binds[i]);
	free(pre->binds);
	free(pre->bind_is_dir);
	memset(pre, 0, sizeof *pre);
	pre->rootfs = -1;
}

int hull_rootfs_bind(struct hull_mount_ctx *ctx, hull_err *err)
{
	const struct hull_spec *s = ctx->spec;
	unsigned long prop = s->rootfs_propagation ? s->rootfs_propagation : (MS_SLAVE | MS_REC);
	/* Host mount events may flow in (slave) but nothing we do flows out; "private" when the
	 * config asks for it. "shared" applies to the rootfs mount only, below. */
	unsigned long root_prop = (prop & ~(unsigned long)MS_REC) == MS_PRIVATE ? MS_PRIVATE : MS_SLAVE;
	int tree = ctx->pre->rootfs;

	if (mount(NULL, "/", NULL, MS_REC | root_prop, NULL) < 0)
		return hull_fail(err, errno, "make / %s", root_prop == MS_PRIVATE ? "private" : "slave");
	/* The rootfs, cloned by the parent, goes on top of our "/"; pivot_root moves into it. */
	if (hull_move_mount(tree, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return hull_fail(err, errno, "rootfs %s: attach", s->root_path);
	ctx->pre->rootfs = -1;
	ctx->rootfd = tree;
	return 0;
}

int hull_mounts_apply(struct hull_mount_ctx *ctx, hull_err *err)
{
	const struct hull_spec *s = ctx->spec;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		int rc;
		if (m->bind)
			rc = mount_bind(ctx, i, m, err);
		else if (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"))
			rc = mount_cgroup(ctx, m, err);
		else
			rc = mount_fs(ctx, m, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- devices ---- */

struct dev_spec {
	const char *path;
	char type;
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_spec default_devices[] = {
	{"/dev/null", 'c', 1, 3, 0666, 0, 0},	 {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
	{"/dev/full", 'c', 1, 7, 0666, 0, 0},	 {"/dev/random", 'c', 1, 8, 0666, 0, 0},
	{"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static int create_device(struct hull_mount_ctx *ctx, const struct dev_spec *d, hull_err *err)
{
	_cleanup_free_ char *owned = NULL;
	const char *base;
	_cleanup_close_ int pfd = -1;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

	/* Created relative to a parent fd resolved inside the root: a /dev symlink in the image
	 * cannot redirect creation onto the host (runc CVE-2026-41579, CVE-2024-45310). */
	pfd = hull_open_parent_in_root(ctx->rootfd, d->path, true, &owned, &base, err);
	if (pfd < 0)
		return hull_wrap(err, "device %s", d->path);
	if (ctx->userns && d->type != 'p') {
		/* No mknod in a user namespace: bind the host's node onto an empty file, after
		 * checking the host node is the device it claims to be. */
		_cleanup_close_ int host = open(d->path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		_cleanup_close_ int target = -1, tree = -1;
		struct stat st;
		if (host < 0)
			return hull_fail(err, errno, "device %s: open host node", d->path);
		if (fstat(host, &st) < 0 || (st.st_mode & S_IFMT) != type ||
		    major(st.st_rdev) != d->major || minor(st.st_rdev) != d->minor)
			return hull_fail(err, EPERM, "device %s: host node is not %c %u:%u", d->path,
					 d->type, d->major, d->minor);
		target = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (target < 0 && errno == ELOOP) {
			if (unlinkat(pfd, base, 0) < 0)
				return hull_fail(err, errno, "device %s: remove symlink", d->path);
			target = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		}
		if (target < 0) {
			target = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (target < 0 || fstat(target, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
				return hull_fail(err, errno ? errno : EEXIST, "device %s: create bind target", d->path);
		}
		tree = hull_open_tree(host, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			return hull_fail(err, errno, "device %s: clone host node", d->path);
		return attach(tree, target, d->path, err);
	}
	if (mknodat(pfd, base, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0) {
		struct stat st;
		if (errno != EEXIST)
			return hull_fail(err, errno, "device %s: mknod", d->path);
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode))
			return hull_fail(err, EEXIST, "device %s: a directory is in the way", d->path);
		if (unlinkat(pfd, base, 0) < 0 ||
		    mknodat(pfd, base, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
			return hull_fail(err, errno, "device %s: mknod", d->path);
	}
	if (fchownat(pfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return hull_fail(err, errno, "device %s: chown", d->path);
	if (fchmodat(pfd, base, d->mode & 07777, 0) < 0)
		return hull_fail(err, errno, "device %s: chmod", d->path);
	return 0;
}

static bool dev_is_host_bind(const struct hull_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, "/dev") && s->mounts[i].bind)
			return true;
	return false;
}

int hull_devices_create(struct hull_mount_ctx *ctx, hull_err *err)
{
	const struct hull_spec *s = ctx->spec;
	static const struct {
		const char *name, *target;
	} links[] = {{"fd", "/proc/self/fd"},	    {"stdin", "/proc/self/fd/0"},
		     {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
		     {"ptmx", "pts/ptmx"}};
	_cleanup_close_ int devfd = -1;

	if (dev_is_host_bind(s))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		bool overridden = false;
		for (size_t j = 0; j < s->n_devices; j++)
			overridden |= !strcmp(s->devices[j].path, default_devices[i].path);
		if (!overridden && create_device(ctx, &default_devices[i], err) < 0)
			return -1;
	}
	for (size_t j = 0; j < s->n_devices; j++) {
		const struct hull_device *d = &s->devices[j];
		struct dev_spec ds = {
			.path = d->path,
			.type = d->type == 'u' ? 'c' : d->type,
			.major = (unsigned)d->major,
			.minor = (unsigned)d->minor,
			.mode = d->has_mode ? d->mode : 0666,
			.uid = d->has_uid ? d->uid : 0,
			.gid = d->has_gid ? d->gid : 0,
		};
		if (create_device(ctx, &ds, err) < 0)
			return -1;
	}
	devfd = hull_mkdir_in_root(ctx->rootfd, "/dev", 0755, err);
	if (devfd < 0)
		return hull_wrap(err, "devices");
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, devfd, links[i].name) < 0 && errno != EEXIST)
			return hull_fail(err, errno, "symlink /dev/%s", links[i].name);
	return 0;
}

/* ---- masked and read-only paths ---- */

int hull_masked_paths_apply(struct hull_mount_ctx *ctx, hull_err *err)
{
	for (char **p = ctx->spec->masked_paths; p && *p; p++) {
		_cleanup_close_ int target = -1, tree = -1;
		hull_err e = HULL_ERR_INIT;
		struct stat st;
		target = hull_open_in_root(ctx->rootfd, *p, O_PATH, 0, 0, &e);
		if (target < 0) {
			if (e.code == ENOENT) {
				hull_err_clear(&e);
				continue;
			}
			hull_err_move(err, &e);
			return hull_wrap(err, "mask %s", *p);
		}
		if (fstat(target, &st) < 0)
			return hull_fail(err, errno, "mask %s", *p);
		if (S_ISDIR(st.st_mode))
			tree = hull_fs_new("tmpfs", "tmpfs", "size=0,nr_inodes=1,mode=555", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				      *p, err);
		else
			tree = hull_open_tree(ctx->nullfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			return err->msg ? hull_wrap(err, "mask %s", *p)
					: hull_fail(err, errno, "mask %s: clone /dev/null", *p);
		if (attach(tree, target, *p, err) < 0)
			return -1;
	}
	return 0;
}

int hull_readonly_paths_apply(struct hull_mount_ctx *ctx, hull_err *err)
{
	for (char **p = ctx->spec->readonly_paths; p && *p; p++) {
		_cleanup_close_ int target = -1, tree = -1;
		hull_err e = HULL_ERR_INIT;
		struct hull_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
		target = hull_open_in_root(ctx->rootfd, *p, O_PATH, 0, 0, &e);
		if (target < 0) {
			if (e.code == ENOENT) {
				hull_err_clear(&e);
				continue;
			}
			hull_err_move(err, &e);
			return hull_wrap(err, "read-only %s", *p);
		}
		tree = hull_open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
		if (tree < 0)
			return hull_fail(err, errno, "read-only %s: clone", *p);
		if (hull_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
			return hull_fail(err, errno, "read-only %s: set flags", *p);
		if (attach(tree, target, *p, err) < 0)
			return -1;
	}
	return 0;
}

int hull_rootfs_pivot(struct hull_mount_ctx *ctx, bool no_pivot, hull_err *err)
{
	if (fchdir(ctx->rootfd) < 0)
		return hull_fail(err, errno, "chdir to rootfs");
	if (no_pivot) {
		/* The rootfs is already mounted on top of "/" (hull_rootfs_bind): chroot into it.
		 * Weaker than pivot_root (the old root stays underneath), as with runc. */
		if (chroot(".") < 0)
			return hull_fail(err, errno, "chroot");
		if (chdir("/") < 0)
			return hull_fail(err, errno, "chdir /");
		return 0;
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return hull_fail(err, errno, "pivot_root");
	/* The old root is now stacked on "/"; make it private so the detach does not propagate
	 * to the host, then drop it. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hull_fail(err, errno, "make old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		return hull_fail(err, errno, "detach old root");
	if (chdir("/") < 0)
		return hull_fail(err, errno, "chdir /");
	return 0;
}

int hull_rootfs_finalize(struct hull_mount_ctx *ctx, hull_err *err)
{
	unsigned long prop = ctx->spec->rootfs_propagation;
	/* shared/unbindable only now: pivot_root refuses a shared put_old. */
	if (prop && (prop & ~(unsigned long)MS_REC) != MS_SLAVE &&
	    mount(NULL, "/", NULL, prop, NULL) < 0)
		return hull_fail(err, errno, "set rootfs propagation");
	if (ctx->spec->root_readonly) {
		struct hull_mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
		if (hull_mount_setattr(AT_FDCWD, "/", 0, &a) < 0)
			return hull_fail(err, errno, "make rootfs read-only");
	}
	return 0;
}
