/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Path resolution inside an untrusted tree. Every path that comes from an image, a bundle or a
 * container is resolved here, relative to a directory fd that acts as "/": symlinks and ".."
 * can never leave it (openat2 RESOLVE_IN_ROOT, with a userspace walk where openat2 is missing).
 * String-joining such paths onto a host path is the bug class behind runc CVE-2021-30465,
 * CVE-2019-19921, CVE-2024-45310 and friends; do not do it. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"

enum {
	HULL_RESOLVE_NO_SYMLINKS = 1 << 0, /* refuse any symlink on the way (e.g. /proc targets) */
	HULL_RESOLVE_NO_XDEV = 1 << 1,     /* refuse crossing a mount point */
};

/* Open path (absolute or relative, interpreted against rootfd as "/") with open(2) flags.
 * O_CLOEXEC is always added. Returns the fd or -1 with err set. */
int hull_open_in_root(int rootfd, const char *path, int flags, mode_t mode, unsigned resolve,
		      hull_err *err);

/* Create every missing directory of path inside rootfd (mode for new ones) and return an
 * O_PATH|O_DIRECTORY fd of the last one. Each directory is created relative to its verified
 * parent fd, so a symlink swapped in concurrently cannot redirect creation outside the root. */
int hull_mkdir_in_root(int rootfd, const char *path, mode_t mode, hull_err *err);

/* Resolve the parent directory of path inside rootfd (creating it when create_parents) and
 * return its fd; *base receives a pointer into a heap copy stored in *owned (free it). */
int hull_open_parent_in_root(int rootfd, const char *path, bool create_parents, char **owned,
			     const char **base, hull_err *err);

/* Force the userspace fallback (tests; HULL_NO_OPENAT2=1 in the environment does the same). */
void hull_path_force_fallback(bool on);
bool hull_path_using_fallback(void);

/* Lexically clean an absolute or relative path: collapse "//", ".", and ".." without going
 * above the start. The result is newly allocated. Used only for display and comparison,
 * never to access the filesystem. */
char *hull_path_clean(const char *path);
