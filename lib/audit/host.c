/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host checks: what the kernel offers containers, and whether hull's own files are private. */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit/admission.h"
#include "audit/internal.h"
#include "core/cleanup.h"
#include "core/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Read a small text file under base (e.g. /proc) into buf; trailing newline removed. */
static int read_small(const char *base, const char *rel, char *buf, size_t size)
{
	char path[512];
	ssize_t n;
	int fd;
	snprintf(path, sizeof path, "%s/%s", base, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static struct hull_audit_finding *add(struct hull_audit_report *r, const char *id)
{
	return hull_audit_report_add(r, hull_audit_check_find(id), HULL_AUDIT_NA);
}

static void json_quote(char *out, size_t size, const char *s)
{
	json_object *o = json_object_new_string(s);
	snprintf(out, size, "%s",
		 o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE) : "\"\"");
	json_object_put(o);
}

static void check_userns(const struct hull_audit_host_opts *o, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.user-namespaces");
	char buf[32], path[512];
	uint64_t n = 0;
	snprintf(path, sizeof path, "%s/sys/user/max_user_namespaces", o->proc);
	if (read_small(o->proc, "sys/user/max_user_namespaces", buf, sizeof buf) < 0) {
		hull_audit_set(f, HULL_AUDIT_FAIL, path, "null",
			       "the kernel has no user namespace support");
		return;
	}
	hull_parse_u64(buf, &n);
	hull_audit_set(f, n > 0 ? HULL_AUDIT_PASS : HULL_AUDIT_FAIL, path, buf,
		       n > 0 ? "user namespaces can be created"
			     : "user.max_user_namespaces is 0: no container can have its own");
}

static void check_seccomp(const struct hull_audit_host_opts *o, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.seccomp");
	char buf[256], path[512], v[HULL_AUDIT_VALUE_MAX];
	snprintf(path, sizeof path, "%s/sys/kernel/seccomp/actions_avail", o->proc);
	if (read_small(o->proc, "sys/kernel/seccomp/actions_avail", buf, sizeof buf) == 0) {
		json_quote(v, sizeof v, buf);
		hull_audit_set(f, strstr(buf, "errno") ? HULL_AUDIT_PASS : HULL_AUDIT_FAIL, path, v,
			       strstr(buf, "errno") ? "seccomp filters are available"
						    : "seccomp cannot return errors");
		return;
	}
	/* Older kernels lack the file: PR_GET_SECCOMP fails with EINVAL without CONFIG_SECCOMP. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		hull_audit_set(f, HULL_AUDIT_FAIL, path, "null",
			       "the kernel has no seccomp support");
	else
		hull_audit_set(f, HULL_AUDIT_PASS, "prctl(PR_GET_SECCOMP)", NULL,
			       "seccomp is available (actions_avail not readable)");
}

static void check_cgroups(const struct hull_audit_host_opts *o, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.cgroups");
	char path[512], unified[512];
	struct statfs sf, su;
	snprintf(path, sizeof path, "%s/fs/cgroup", o->sys);
	snprintf(unified, sizeof unified, "%s/fs/cgroup/unified", o->sys);
	if (statfs(path, &sf) < 0) {
		hull_audit_set(f, HULL_AUDIT_FAIL, path, "null", "no cgroup filesystem is mounted");
		return;
	}
	if ((unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC) {
		hull_audit_set(f, HULL_AUDIT_PASS, path, "\"cgroup2\"", "cgroup v2 (unified)");
		return;
	}
	if (statfs(unified, &su) == 0 && (unsigned long)su.f_type == CGROUP2_SUPER_MAGIC) {
		hull_audit_set(f, HULL_AUDIT_FAIL, path, "\"hybrid\"",
			       "hybrid hierarchy: resource controllers are on cgroup v1");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, path, "\"v1\"", "cgroup v1 only");
}

static void check_landlock(struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.landlock");
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	char v[32];
	if (abi >= 1) {
		snprintf(v, sizeof v, "%ld", abi);
		hull_audit_set(f, HULL_AUDIT_PASS, "landlock_create_ruleset(VERSION)", v,
			       "Landlock ABI %ld", abi);
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, "landlock_create_ruleset(VERSION)", "null", "%s",
		       errno == EOPNOTSUPP ? "Landlock is built in but not enabled (lsm=)"
					   : "the kernel has no Landlock");
}

static void check_lsm(const struct hull_audit_host_opts *o, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.lsm");
	char buf[256] = "", path[512], v[HULL_AUDIT_VALUE_MAX];
	bool mac;
	snprintf(path, sizeof path, "%s/kernel/security/lsm", o->sys);
	if (read_small(o->sys, "kernel/security/lsm", buf, sizeof buf) == 0) {
		mac = strstr(buf, "apparmor") || strstr(buf, "selinux") || strstr(buf, "smack") ||
		      strstr(buf, "tomoyo");
		json_quote(v, sizeof v, buf);
		hull_audit_set(f, mac ? HULL_AUDIT_PASS : HULL_AUDIT_FAIL, path, v,
			       mac ? "a MAC LSM is active"
				   : "no AppArmor, SELinux, Smack or TOMOYO");
		return;
	}
	/* securityfs is not always mounted: look for the LSMs' own interfaces. */
	{
		struct hull_audit_host_facts facts;
		hull_audit_host_facts_probe(&facts);
		if (facts.apparmor || facts.selinux) {
			hull_audit_set(f, HULL_AUDIT_PASS, path, NULL, "%s is enabled",
				       facts.apparmor ? "AppArmor" : "SELinux");
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, path, "null",
		       "securityfs is not mounted and neither AppArmor nor SELinux is enabled");
}

/* A directory only root (or hull's owner) can write and, for storage, read. */
static void check_private_dir(struct hull_audit_report *r, const char *id, const char *dir,
			      mode_t forbidden)
{
	struct hull_audit_finding *f = add(r, id);
	struct stat st;
	char v[96];
	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			hull_audit_set(f, HULL_AUDIT_PASS, dir, "null",
				       "does not exist yet (hull creates it private)");
		else
			hull_audit_set(f, HULL_AUDIT_FAIL, dir, "null", "cannot be inspected: %s",
				       strerror(errno));
		return;
	}
	snprintf(v, sizeof v, "{\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u}", st.st_mode & 07777,
		 st.st_uid, st.st_gid);
	if (!S_ISDIR(st.st_mode)) {
		hull_audit_set(f, HULL_AUDIT_FAIL, dir, v, "is not a directory%s",
			       S_ISLNK(st.st_mode) ? " (a symlink)" : "");
		return;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		hull_audit_set(f, HULL_AUDIT_FAIL, dir, v, "is owned by uid %u", st.st_uid);
		return;
	}
	if (st.st_mode & forbidden) {
		hull_audit_set(f, HULL_AUDIT_FAIL, dir, v, "mode %04o lets other users %s",
			       st.st_mode & 07777, (st.st_mode & 022) ? "write to it" : "read it");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, dir, v, "private");
}

static void check_policy(const struct hull_audit_host_opts *o, struct hull_audit_report *r)
{
	struct hull_audit_finding *f = add(r, "host.admission-policy");
	struct hull_admission_policy *p = NULL;
	hull_err e = HULL_ERR_INIT;
	struct stat st;
	if (stat(o->admission_file, &st) < 0 && errno == ENOENT) {
		hull_audit_set(f, HULL_AUDIT_FAIL, o->admission_file, "null",
			       "no admission policy: the runtime admits every container");
		return;
	}
	if (hull_admission_policy_load(o->admission_file, &p, &e) < 0) {
		hull_audit_set(f, HULL_AUDIT_FAIL, o->admission_file, NULL,
			       "invalid (every create is refused): %s", e.msg);
		hull_err_clear(&e);
		return;
	}
	if (st.st_mode & 022) {
		hull_audit_set(f, HULL_AUDIT_FAIL, o->admission_file, NULL,
			       "writable by other users (mode %04o)", st.st_mode & 07777);
	} else {
		static const char *const modes[] = {"\"off\"", "\"warn\"", "\"enforce\""};
		hull_audit_set(
		    f, p->mode == HULL_ADMISSION_ENFORCE ? HULL_AUDIT_PASS : HULL_AUDIT_FAIL,
		    ".mode", modes[p->mode],
		    p->mode == HULL_ADMISSION_ENFORCE ? "valid and enforced"
						      : "valid but not enforced");
	}
	hull_admission_policy_free(p);
}

void hull_audit_host(const struct hull_audit_host_opts *opts, struct hull_audit_report *out)
{
	struct hull_audit_host_opts o = *opts;
	if (!o.proc)
		o.proc = "/proc";
	if (!o.sys)
		o.sys = "/sys";
	if (!o.state_root)
		o.state_root = "/run/hull";
	if (!o.storage_root)
		o.storage_root = "/var/lib/hull";
	if (!o.admission_file)
		o.admission_file = HULL_ADMISSION_DEFAULT_PATH;
	memset(out, 0, sizeof *out);
	out->target = HULL_TARGET_HOST;
	out->standards = HULL_STD_HULL;
	check_userns(&o, out);
	check_seccomp(&o, out);
	check_cgroups(&o, out);
	check_landlock(out);
	check_lsm(&o, out);
	/* State holds container configs and sockets: others may traverse (runc's 0711) but not
	 * write; storage holds image contents: neither write nor read. */
	check_private_dir(out, "host.state-dir", o.state_root, 022);
	check_private_dir(out, "host.storage-dir", o.storage_root, 077);
	check_policy(&o, out);
	hull_audit_report_count(out);
}
