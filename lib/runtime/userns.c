/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"
#include "oci/spec_gen.h"
#include "runtime/state.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

#define RESERVATIONS ".userns"

/* Base recorded in .userns/<name> (a reservation), or 0. */
static uint32_t reservation_of(int resfd, const char *name)
{
	char buf[32];
	ssize_t n;
	char *end;
	unsigned long v;
	_cleanup_close_ int fd = -1;
	if (resfd < 0)
		return 0;
	fd = openat(resfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v == 0 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

static int push_used(uint32_t **used, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		uint32_t *nu = realloc(*used, nc * sizeof **used);
		if (!nu)
			return -1;
		*used = nu;
		*cap = nc;
	}
	(*used)[(*n)++] = v;
	return 0;
}

/* The pool: the "hull" entries of /etc/subuid and /etc/subgid (their intersection), else the
 * built-in range. */
static int pool(uint32_t *start, uint32_t *count, hull_err *err)
{
	uint32_t gs, gc;
	*start = HULL_USERNS_POOL_START;
	*count = 1u << 30;
	if (hull_subid_range("/etc/subuid", "hull", start, count) == 0 &&
	    hull_subid_range("/etc/subgid", "hull", &gs, &gc) == 0) {
		uint64_t lo = *start > gs ? *start : gs;
		uint64_t hi = (uint64_t)*start + *count < (uint64_t)gs + gc
				  ? (uint64_t)*start + *count
				  : (uint64_t)gs + gc;
		if (hi <= lo)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "userns: the \"hull\" ranges of /etc/subuid and /etc/subgid do not overlap");
		*start = (uint32_t)lo;
		*count = (uint32_t)(hi - lo);
	}
	return 0;
}

static int lock_root(int rootfd, hull_err *err)
{
	int lfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return hull_fail(err, e, "userns: lock the state root");
	}
	return lfd;
}

/* With the root locked: id's reservation if it has one, else the lowest range that no other
 * container (state.json usernsBase) and no other reservation holds. */
static int pick(int rootfd, const char *id, uint32_t size, uint32_t *base, bool *reserved,
		hull_err *err)
{
	uint32_t start, count;
	_cleanup_free_ uint32_t *used = NULL;
	size_t n = 0, cap = 0;
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_close_ int resfd = -1;
	struct dirent *de;

	if (pool(&start, &count, err) < 0)
		return -1;
	resfd = openat(rootfd, RESERVATIONS, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	*reserved = false;
	if ((*base = reservation_of(resfd, id))) {
		*reserved = true;
		return 0;
	}
	if (resfd >= 0) {
		_cleanup_closedir_ DIR *rd = fdopendir(dup(resfd));
		while (rd && (de = readdir(rd))) {
			uint32_t b;
			if (de->d_name[0] == '.' || !(b = reservation_of(resfd, de->d_name)))
				continue;
			if (push_used(&used, &n, &cap, b) < 0)
				return hull_fail(err, ENOMEM, "userns");
		}
	}
	d = fdopendir(dup(rootfd));
	if (!d)
		return hull_fail(err, errno, "userns: list containers");
	while ((de = readdir(d))) {
		_cleanup_close_ int dfd = -1;
		struct hull_state st;
		hull_err e = HULL_ERR_INIT;
		int rc = 0;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, id))
			continue;
		dfd = openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0 || hull_state_load(dfd, &st, &e) < 0) {
			hull_err_clear(&e);
			continue;
		}
		if (st.userns_base)
			rc = push_used(&used, &n, &cap, st.userns_base);
		hull_state_release(&st);
		if (rc < 0)
			return hull_fail(err, ENOMEM, "userns");
	}
	if (n)
		qsort(used, n, sizeof *used, cmp_u32);
	{
		uint64_t cand = start;
		size_t i = 0;
		while (cand + size <= (uint64_t)start + count) {
			while (i < n && (uint64_t)used[i] + size <= cand)
				i++;
			if (i == n || cand + size <= used[i]) {
				*base = (uint32_t)cand;
				return 0;
			}
			cand = (uint64_t)used[i] + size;
		}
	}
	return hull_failk(err, HULL_ERR_LIMIT, ENOSPC,
			  "userns: no free range of %u ids left in the pool (%u ids from %u)", size, count,
			  start);
}

int hull_userns_allocate(int rootfd, const char *id, uint32_t size, uint32_t *base, int *lockfd,
			 hull_err *err)
{
	bool reserved;
	int lfd = lock_root(rootfd, err);
	if (lfd < 0)
		return -1;
	if (pick(rootfd, id, size, base, &reserved, err) < 0) {
		close(lfd);
		return -1;
	}
	*lockfd = lfd;
	return 0;
}

int hull_userns_reserve(int rootfd, const char *id, uint32_t *base, hull_err *err)
{
	_cleanup_close_ int lfd = -1, resfd = -1;
	char buf[16];
	bool reserved;

	if (hull_id_validate(id, err) < 0)
		return -1;
	lfd = lock_root(rootfd, err);
	if (lfd < 0)
		return -1;
	if (pick(rootfd, id, HULL_USERNS_SIZE, base, &reserved, err) < 0)
		return -1;
	if (reserved)
		return 0;
	if (mkdirat(rootfd, RESERVATIONS, 0700) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "userns: create %s", RESERVATIONS);
	resfd = openat(rootfd, RESERVATIONS, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (resfd < 0)
		return hull_fail(err, errno, "userns: open %s", RESERVATIONS);
	snprintf(buf, sizeof buf, "%u\n", *base);
	return hull_write_file_atomic(resfd, id, 0600, buf, strlen(buf), err);
}

void hull_userns_release(int rootfd, const char *id)
{
	_cleanup_close_ int resfd =
	    openat(rootfd, RESERVATIONS, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	hull_err e = HULL_ERR_INIT;
	if (resfd < 0 || hull_id_validate(id, &e) < 0) {
		hull_err_clear(&e);
		return;
	}
	unlinkat(resfd, id, 0);
}

int hull_userns_make_fd(uint32_t host_uid, uint32_t host_gid, uint32_t size, hull_err *err)
{
	int p[2], fd = -1, e = 0;
	char path[64], map[64];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "userns: pipe");
	/* fork semantics (no new stack): the child only waits for the pipe to close. */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		e = errno;
		close(p[0]);
		close(p[1]);
		return hull_fail(err, e, "userns: clone");
	}
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	snprintf(map, sizeof map, "0 %u %u\n", host_uid, size);
	snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
	if (hull_write_file_at(AT_FDCWD, path, O_WRONLY, 0, map, strlen(map), err) < 0)
		goto out;
	snprintf(map, sizeof map, "0 %u %u\n", host_gid, size);
	snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
	if (hull_write_file_at(AT_FDCWD, path, O_WRONLY, 0, map, strlen(map), err) < 0)
		goto out;
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		hull_fail(err, errno, "userns: open %s", path);
out:
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}
