/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's mount table, built fd-relatively: every target is opened inside the rootfs
 * with openat2(RESOLVE_IN_ROOT) and mounted through that fd with the new mount API (open_tree,
 * fsopen/fsmount, move_mount, mount_setattr). No path string is ever joined onto the rootfs
 * path, so symlinks in the image or swapped in by a racing process cannot send a mount outside
 * (runc CVE-2021-30465, CVE-2019-19921, CVE-2023-27561, crun CVE-2019-18837). */
#pragma once

#include <stdbool.h>

#include "core/error.h"
#include "oci/spec.h"
#include "runtime/cgroup.h"

/* Made by the parent before clone: the rootfs and every bind source as detached mounts. */
struct hull_premounts {
	int rootfs;
	int *binds; /* per spec mount, -1 when not a bind (or consumed) */
	bool *bind_is_dir;
	size_t n;
};

struct hull_mount_ctx {
	const struct hull_spec *spec;
	int bundlefd;	     /* opened lazily in the child's namespace from bundle */
	const char *bundle;
	int rootfd;	     /* root of the container's rootfs mount (after hull_rootfs_bind) */
	int nullfd;	     /* the host's /dev/null, verified char 1:3 */
	bool userns;	     /* container has its own user namespace: bind devices, no mknod */
	bool cgroupns;	     /* container has its own cgroup namespace */
	bool netns_owned;    /* the netns belongs to the container's userns (sysfs mountable) */
	struct hull_cgroups *cg;
	struct hull_premounts *pre;
};

/* Clone the rootfs (always) and, when binds, every bind source (needed when the container has a
 * user namespace: its root may not be able to reach the sources). */
int hull_mounts_prepare(const struct hull_spec *s, int bundlefd, bool binds,
			struct hull_premounts *pre, hull_err *err);
void hull_premounts_release(struct hull_premounts *pre);

/* Make "/" of the new mount namespace slave/private as configured and attach the rootfs the
 * parent cloned on top of it; fills ctx->rootfd. */
int hull_rootfs_bind(struct hull_mount_ctx *ctx, hull_err *err);
int hull_mounts_apply(struct hull_mount_ctx *ctx, hull_err *err);
int hull_devices_create(struct hull_mount_ctx *ctx, hull_err *err);
int hull_masked_paths_apply(struct hull_mount_ctx *ctx, hull_err *err);
int hull_readonly_paths_apply(struct hull_mount_ctx *ctx, hull_err *err);
/* pivot_root into ctx->rootfd (or MS_MOVE + chroot with no_pivot). */
int hull_rootfs_pivot(struct hull_mount_ctx *ctx, bool no_pivot, hull_err *err);
int hull_rootfs_finalize(struct hull_mount_ctx *ctx, hull_err *err);

/* Open the host's /dev/null and check it is really char 1:3 (CVE-2025-31133: a swapped node
 * would turn a masking bind into an exposing one). */
int hull_open_verified_null(hull_err *err);
/* A new detached mount of a filesystem (fsopen/fsconfig/fsmount); data is the comma-separated
 * option string. Returns the mount fd. */
int hull_fs_new(const char *type, const char *source, const char *data, unsigned long ms,
		const char *what, hull_err *err);
/* Translate MS_* flags into MOUNT_ATTR_* for fsmount/mount_setattr. */
unsigned hull_ms_to_attr(unsigned long ms);
