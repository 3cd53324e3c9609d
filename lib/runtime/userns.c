/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/userns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "oci/spec_gen.h"
#include "runtime/state.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int hull_userns_allocate(int rootfd, const char *id, uint32_t size, uint32_t *base, int *lockfd,
			 hull_err *err)
{
	uint32_t start = HULL_USERNS_POOL_START, count = 1u << 30, gs, gc;
	_cleanup_free_ uint32_t *used = NULL;
	size_t n = 0, cap = 0;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int lfd;

	/* The pool must be valid for both uids and gids: intersect the two entries. */
	if (hull_subid_range("/etc/subuid", "hull", &start, &count) == 0 &&
	    hull_subid_range("/etc/subgid", "hull", &gs, &gc) == 0) {
		uint64_t lo = start > gs ? start : gs;
		uint64_t hi = (uint64_t)start + count < (uint64_t)gs + gc ? (uint64_t)start + count
									  : (uint64_t)gs + gc;
		if (hi <= lo)
			return hull_failk(err, HULL_ERR_INVALID, 0,
					  "userns: the \"hull\" ranges of /etc/subuid and /etc/subgid do not overlap");
		start = (uint32_t)lo;
		count = (uint32_t)(hi - lo);
	}
	lfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		return hull_fail(err, e, "userns: lock the state root");
	}
	d = fdopendir(dup(rootfd));
	if (!d) {
		close(lfd);
		return hull_fail(err, errno, "userns: list containers");
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int dfd = -1;
		struct hull_state st;
		hull_err e = HULL_ERR_INIT;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, id))
			continue;
		dfd = openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dfd < 0 || hull_state_load(dfd, &st, &e) < 0) {
			hull_err_clear(&e);
			continue;
		}
		if (st.userns_base) {
			if (n == cap) {
				uint32_t *nu = realloc(used, (cap ? cap * 2 : 64) * sizeof *used);
				if (!nu) {
					hull_state_release(&st);
					close(lfd);
					return hull_fail(err, ENOMEM, "userns");
				}
				used = nu;
				cap = cap ? cap * 2 : 64;
			}
			used[n++] = st.userns_base;
		}
		hull_state_release(&st);
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
				*lockfd = lfd;
				return 0;
			}
			cand = (uint64_t)used[i] + size;
		}
	}
	close(lfd);
	return hull_failk(err, HULL_ERR_LIMIT, ENOSPC,
			  "userns: no free range of %u ids left in the pool (%u ids from %u)", size, count,
			  start);
}
