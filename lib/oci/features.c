/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci/features.h"

#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "oci/spec.h"

static json_object *arr(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; *v; v++)
		hull_json_arr_add_str(a, *v);
	return a;
}

json_object *hull_features(void)
{
	static const char *const hooks[] = {"prestart", "createRuntime", "createContainer",
					    "startContainer", "poststart", "poststop", NULL};
	static const char *const mount_opts[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime",
		"loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand",
		"norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind",
		"rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev",
		"rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow",
		"ro", "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime",
		"rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime",
		"suid", "symfollow", "sync", "tmpcopyup", "unbindable", NULL};
	static const char *const ns[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user",
					 "uts", NULL};
	static const char *const actions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					      "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					      "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
					      "SCMP_ACT_TRAP", NULL};
	static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
					  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL};
	static const char *const archs[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS",
					    "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
					    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
					    "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
					    "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
					    "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", NULL};
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	static const char *const unsafe[] = {"bundle", "org.systemd.property.", NULL};
	json_object *o = json_object_new_object(), *lnx, *cg, *sc, *caps, *me, *idm;
	hull_json_add_str(o, "ociVersionMin", "1.0.0");
	hull_json_add_str(o, "ociVersionMax", "1.2.1");
	hull_json_add(o, "hooks", arr(hooks));
	hull_json_add(o, "mountOptions", arr(mount_opts));
	hull_json_add(o, "potentiallyUnsafeConfigAnnotations", arr(unsafe));
	lnx = json_object_new_object();
	hull_json_add(lnx, "namespaces", arr(ns));
	caps = json_object_new_array();
	for (int i = 0; i <= hull_cap_last_cap(); i++)
		if (hull_cap_name(i))
			hull_json_arr_add_str(caps, hull_cap_name(i));
	hull_json_add(lnx, "capabilities", caps);
	cg = json_object_new_object();
	hull_json_add_bool(cg, "v1", true);
	hull_json_add_bool(cg, "v2", true);
	/* No systemd D-Bus client: --systemd-cgroup paths are mapped onto cgroupfs. */
	hull_json_add_bool(cg, "systemd", false);
	hull_json_add_bool(cg, "systemdUser", false);
	hull_json_add_bool(cg, "rdma", false);
	hull_json_add(lnx, "cgroup", cg);
	sc = json_object_new_object();
	hull_json_add_bool(sc, "enabled", true);
	hull_json_add(sc, "actions", arr(actions));
	hull_json_add(sc, "operators", arr(ops));
	hull_json_add(sc, "archs", arr(archs));
	hull_json_add(sc, "knownFlags", arr(flags));
	hull_json_add(sc, "supportedFlags", arr(flags));
	hull_json_add(lnx, "seccomp", sc);
	{
		json_object *aa = json_object_new_object(), *se = json_object_new_object();
		hull_json_add_bool(aa, "enabled", false);
		hull_json_add_bool(se, "enabled", false);
		hull_json_add(lnx, "apparmor", aa);
		hull_json_add(lnx, "selinux", se);
	}
	{
		json_object *rdt = json_object_new_object();
		hull_json_add_bool(rdt, "enabled", false);
		hull_json_add(lnx, "intelRdt", rdt);
	}
	me = json_object_new_object();
	idm = json_object_new_object();
	/* Truthful: idmapped bind mounts from config are not implemented yet. */
	hull_json_add_bool(idm, "enabled", false);
	hull_json_add(me, "idmap", idm);
	hull_json_add(lnx, "mountExtensions", me);
	hull_json_add(o, "linux", lnx);
	{
		json_object *an = json_object_new_object();
		const struct scmp_version *v = seccomp_version();
		char buf[32];
		snprintf(buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
		hull_json_add_str(an, "io.github.seccomp.libseccomp.version", buf);
		hull_json_add_str(an, "org.hull.version", HULL_VERSION);
		hull_json_add(o, "annotations", an);
	}
	return o;
}
