/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/identity.h"

#include <errno.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"

int hull_rlimits_apply(const struct hull_process *p, hull_err *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return hull_fail(err, errno, "setrlimit %s (soft %llu, hard %llu)",
					 p->rlimits[i].name, (unsigned long long)rl.rlim_cur,
					 (unsigned long long)rl.rlim_max);
	}
	return 0;
}

struct hull_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

int hull_sched_apply(const struct hull_process *p, hull_err *err)
{
	if (p->has_scheduler) {
		struct hull_sched_attr a = {
			.size = sizeof a,
			.sched_policy = (uint32_t)p->sched_policy,
			.sched_flags = p->sched_flags,
			.sched_nice = p->sched_nice,
			.sched_priority = (uint32_t)p->sched_priority,
			.sched_runtime = p->sched_runtime,
			.sched_deadline = p->sched_deadline,
			.sched_period = p->sched_period,
		};
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return hull_fail(err, errno, "sched_setattr");
	}
	if (p->has_io_priority) {
		int v = (p->io_priority_class << 13) | p->io_priority;
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, v) < 0)
			return hull_fail(err, errno, "ioprio_set");
	}
	return 0;
}

static int set_caps(const struct hull_caps *c, hull_err *err)
{
	cap_t caps = cap_init();
	int last = cap_max_bits() - 1;
	if (!caps)
		return hull_fail(err, errno, "capabilities");
	for (int i = 0; i <= last && i < 64; i++) {
		cap_value_t v = i;
		if (c->set[HULL_CAP_PERMITTED] & (1ull << i))
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (c->set[HULL_CAP_EFFECTIVE] & (1ull << i))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (c->set[HULL_CAP_INHERITABLE] & (1ull << i))
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(caps) < 0) {
		int e = errno;
		cap_free(caps);
		return hull_fail(err, e, "set capabilities (effective must be within permitted)");
	}
	cap_free(caps);
	return 0;
}

int hull_identity_apply(const struct hull_process *p, hull_err *err)
{
	const struct hull_user *u = &p->user;
	int last = cap_max_bits() - 1;

	if (p->has_caps) {
		/* Bounding set first, while CAP_SETPCAP is still held. */
		for (int i = 0; i <= last && i < 64; i++)
			if (!(p->caps.set[HULL_CAP_BOUNDING] & (1ull << i)) &&
			    prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
				return hull_fail(err, errno, "drop capability %d from the bounding set", i);
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_fail(err, errno, "PR_SET_KEEPCAPS");
	if (setgroups(u->n_additional_gids, (gid_t *)u->additional_gids) < 0 &&
	    !(errno == EPERM && u->n_additional_gids == 0))
		return hull_fail(err, errno, "setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return hull_fail(err, errno, "setgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return hull_fail(err, errno, "setuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hull_fail(err, errno, "PR_SET_KEEPCAPS");
	if (p->has_caps) {
		if (set_caps(&p->caps, err) < 0)
			return -1;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
			return hull_fail(err, errno, "clear ambient capabilities");
		for (int i = 0; i <= last && i < 64; i++)
			if ((p->caps.set[HULL_CAP_AMBIENT] & (1ull << i)) &&
			    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
				return hull_fail(err, errno,
						 "raise ambient capability %d (it must be permitted and inheritable)",
						 i);
	}
	return 0;
}

int hull_no_new_privs(hull_err *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_fail(err, errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}
