/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

/* Access rights by ABI version (1: 13 rights, 2: +REFER, 3: +TRUNCATE, 5: +IOCTL_DEV). */
#define LL_FS_ABI1 ((1ULL << 13) - 1)
#define LL_FS_REFER (1ULL << 13)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_FS_IOCTL_DEV (1ULL << 15)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

int hull_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

int hull_landlock_confine_to_root(hull_err *err)
{
	int abi = hull_landlock_abi();
	struct ll_ruleset_attr attr = {0};
	struct ll_path_beneath rule;
	_cleanup_close_ int ruleset = -1, root = -1;
	uint64_t fs = LL_FS_ABI1;

	if (abi <= 0)
		return 1;
	if (abi >= 2)
		fs |= LL_FS_REFER;
	if (abi >= 3)
		fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LL_FS_IOCTL_DEV;
	attr.handled_access_fs = fs;
	/* Pass only the part of the struct this ABI knows. */
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
			       abi >= 4 ? (abi >= 6 ? sizeof attr : 16) : 8, 0);
	if (ruleset < 0)
		return hull_fail(err, errno, "landlock: create ruleset");
	root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return hull_fail(err, errno, "landlock: open /");
	rule.allowed_access = fs;
	rule.parent_fd = root;
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0) < 0)
		return hull_fail(err, errno, "landlock: add rule for /");
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		return hull_fail(err, errno, "landlock: restrict");
	return 0;
}
