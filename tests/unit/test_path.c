/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-root resolution: every escape attempt must stay inside the root, with openat2 and with
 * the userspace fallback. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "core/util.h"
#include "t.h"

static char tmpl[64];
static int rootfd = -1;

/* Layout:
 *   outside/secret            (must never be reachable)
 *   root/etc/passwd
 *   root/abs -> /etc          (absolute link: means root/etc)
 *   root/up -> ../../outside  (relative escape)
 *   root/loop -> loop
 *   root/proc/self/fd -> /outside (text a magic link would have) */
static void setup(void)
{
	char p[PATH_MAX];
	if (rootfd >= 0)
		return;
	snprintf(tmpl, sizeof tmpl, "/tmp/hull-path-XXXXXX");
	T_ASSERT(mkdtemp(tmpl));
	snprintf(p, sizeof p, "%s/outside", tmpl);
	T_ASSERT(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/outside/secret", tmpl);
	T_ASSERT(close(open(p, O_CREAT | O_WRONLY, 0600)) == 0);
	snprintf(p, sizeof p, "%s/root", tmpl);
	T_ASSERT(mkdir(p, 0755) == 0);
	rootfd = open(p, O_PATH | O_DIRECTORY);
	T_ASSERT(rootfd >= 0);
	T_ASSERT(mkdirat(rootfd, "etc", 0755) == 0);
	T_ASSERT(close(openat(rootfd, "etc/passwd", O_CREAT | O_WRONLY, 0644)) == 0);
	T_ASSERT(symlinkat("/etc", rootfd, "abs") == 0);
	T_ASSERT(symlinkat("../../outside", rootfd, "up") == 0);
	T_ASSERT(symlinkat("loop", rootfd, "loop") == 0);
	T_ASSERT(mkdirat(rootfd, "proc", 0755) == 0);
	T_ASSERT(mkdirat(rootfd, "proc/self", 0755) == 0);
	T_ASSERT(symlinkat("/outside", rootfd, "proc/self/fd") == 0);
}

static void check_all(bool fallback)
{
	hull_err e = HULL_ERR_INIT;
	struct stat st, st2;
	int fd;

	setup();
	hull_path_force_fallback(fallback);
	fd = hull_open_in_root(rootfd, "/abs/passwd", O_RDONLY, 0, 0, &e);
	T_ASSERT(fd >= 0);
	T_ASSERT(fstat(fd, &st) == 0);
	T_ASSERT(fstatat(rootfd, "etc/passwd", &st2, 0) == 0);
	T_EQ_INT(st.st_ino, st2.st_ino);
	close(fd);

	/* ../../outside from root/ stays at root: outside/secret is not found. */
	fd = hull_open_in_root(rootfd, "/up/secret", O_RDONLY, 0, 0, &e);
	T_ASSERT(fd < 0);
	T_EQ_INT(e.code, ENOENT);
	hull_err_clear(&e);
	fd = hull_open_in_root(rootfd, "../../../../outside/secret", O_RDONLY, 0, 0, &e);
	T_ASSERT(fd < 0);
	hull_err_clear(&e);

	fd = hull_open_in_root(rootfd, "/loop/x", O_RDONLY, 0, 0, &e);
	T_ASSERT(fd < 0);
	T_EQ_INT(e.code, ELOOP);
	hull_err_clear(&e);

	/* A symlink is refused outright when asked (targets like /proc). */
	fd = hull_open_in_root(rootfd, "/abs", O_PATH, 0, HULL_RESOLVE_NO_SYMLINKS, &e);
	T_ASSERT(fd < 0);
	T_EQ_INT(e.code, ELOOP);
	hull_err_clear(&e);

	/* Creating through a dangling escape link lands inside the root. */
	fd = hull_open_in_root(rootfd, "/up/created", O_WRONLY | O_CREAT, 0600, 0, &e);
	if (fd >= 0)
		close(fd);
	hull_err_clear(&e);
	{
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/outside/created", tmpl);
		T_ASSERT(access(p, F_OK) != 0);
	}

	/* "/" and ".." resolve to the root itself. */
	fd = hull_open_in_root(rootfd, "/..", O_PATH | O_DIRECTORY, 0, 0, &e);
	T_ASSERT(fd >= 0);
	T_ASSERT(fstat(fd, &st) == 0 && fstat(rootfd, &st2) == 0);
	T_EQ_INT(st.st_ino, st2.st_ino);
	close(fd);
	hull_path_force_fallback(false);
}

TEST(openat2_contains_escapes)
{
	check_all(false);
}

TEST(fallback_contains_escapes)
{
	check_all(true);
}

TEST(mkdir_in_root_does_not_follow_out)
{
	hull_err e = HULL_ERR_INIT;
	char p[PATH_MAX];
	int fd;
	setup();
	for (int fb = 0; fb < 2; fb++) {
		hull_path_force_fallback(fb);
		fd = hull_mkdir_in_root(rootfd, fb ? "/up/made-fb/deep" : "/up/made/deep", 0755, &e);
		T_ASSERT(fd >= 0);
		close(fd);
		snprintf(p, sizeof p, "%s/outside/made", tmpl);
		T_ASSERT(access(p, F_OK) != 0);
		snprintf(p, sizeof p, "%s/outside/made-fb", tmpl);
		T_ASSERT(access(p, F_OK) != 0);
	}
	hull_path_force_fallback(false);
}

TEST(magic_link_text_stays_inside)
{
	/* cwd "/proc/self/fd/N" must not reach a host fd (CVE-2024-21626): inside a plain tree the
	 * link text resolves within the root. */
	hull_err e = HULL_ERR_INIT;
	int fd;
	setup();
	for (int fb = 0; fb < 2; fb++) {
		hull_path_force_fallback(fb);
		fd = hull_open_in_root(rootfd, "/proc/self/fd/secret", O_RDONLY, 0, 0, &e);
		T_ASSERT(fd < 0);
		hull_err_clear(&e);
	}
	hull_path_force_fallback(false);
}

TEST(path_clean)
{
	char *s = hull_path_clean("/a//b/./c/../d/");
	T_EQ_STR(s, "/a/b/d");
	free(s);
	s = hull_path_clean("/../../x");
	T_EQ_STR(s, "/x");
	free(s);
	s = hull_path_clean("/");
	T_EQ_STR(s, "/");
	free(s);
}
