/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci/spec_gen.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"

void hull_spec_gen_default_ids(struct hull_spec_gen_opts *o)
{
	uint32_t start, count;
	o->host_uid = o->host_gid = HULL_USERNS_POOL_START;
	if (hull_subid_range("/etc/subuid", "hull", &start, &count) == 0 &&
	    count >= HULL_USERNS_SIZE)
		o->host_uid = start;
	if (hull_subid_range("/etc/subgid", "hull", &start, &count) == 0 &&
	    count >= HULL_USERNS_SIZE)
		o->host_gid = start;
}

int hull_profile_parse(const char *name, enum hull_profile *out)
{
	if (!strcmp(name, "hardened") || !strcmp(name, "default"))
		*out = HULL_PROFILE_HARDENED;
	else if (!strcmp(name, "runc"))
		*out = HULL_PROFILE_RUNC;
	else
		return -1;
	return 0;
}

int hull_subid_range(const char *file, const char *user, uint32_t *start, uint32_t *count)
{
	FILE *f = fopen(file, "re");
	char line[512];
	size_t ul = strlen(user);
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, c;
		if (!strncmp(line, user, ul) && line[ul] == ':' &&
		    sscanf(line + ul + 1, "%lu:%lu", &s, &c) == 2 && c > 0 && s > 0 &&
		    s + c <= 4294967295ul) {
			*start = (uint32_t)s;
			*count = (uint32_t)c;
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

static json_object *strv(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; a && *v; v++)
		hull_json_arr_add_str(a, *v);
	return a;
}

static json_object *mount(const char *dest, const char *type, const char *src, const char *const *opts)
{
	json_object *m = json_object_new_object();
	hull_json_add_str(m, "destination", dest);
	hull_json_add_str(m, "type", type);
	hull_json_add_str(m, "source", src);
	if (opts)
		hull_json_add(m, "options", strv(opts));
	return m;
}

static json_object *idmap(uint32_t cid, uint32_t hid, uint32_t size)
{
	json_object *m = json_object_new_object();
	hull_json_add_int(m, "containerID", cid);
	hull_json_add_int(m, "hostID", hid);
	hull_json_add_int(m, "size", size);
	return m;
}

/* Docker's masked paths plus podman's extras, and Docker's per-CPU thermal_throttle dirs. */
static json_object *masked_paths(bool hardened)
{
	static const char *const base[] = {
		"/proc/acpi",	       "/proc/asound",	   "/proc/interrupts", "/proc/kcore",
		"/proc/keys",	       "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug",   "/proc/scsi",	   "/sys/firmware",    "/sys/devices/virtual/powercap",
		"/sys/fs/selinux",     "/sys/dev/block",   NULL};
	json_object *a = strv(base);
	if (hardened) {
		glob_t g;
		if (glob("/sys/devices/system/cpu/cpu*/thermal_throttle", 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				hull_json_arr_add_str(a, g.gl_pathv[i]);
			globfree(&g);
		}
	}
	return a;
}

static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					      "/proc/sysrq-trigger", NULL};

/* Pod Security Standards "restricted" allows NET_BIND_SERVICE alone, and so does hull's hardened
 * default. (Docker grants 14, podman 11; a workload that needs e.g. CAP_SETUID to drop
 * privileges adds it explicitly: inside the user namespace it stays confined to the container.) */
static const char *const hardened_caps[] = {"CAP_NET_BIND_SERVICE", NULL};
static const char *const runc_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static int seccomp_for(const struct hull_spec_gen_opts *o, json_object **out, hull_err *err)
{
	json_object *sc, *arches;
	if (hull_json_parse(o->seccomp_json, strlen(o->seccomp_json), "seccomp profile", &sc, err) < 0)
		return -1;
	arches = json_object_new_array();
	hull_json_arr_add_str(arches, o->native_arch);
	json_object_object_add(sc, "architectures", arches);
	*out = sc;
	return 0;
}

int hull_spec_generate(const struct hull_spec_gen_opts *o, json_object **out, hull_err *err)
{
	bool hard = o->profile == HULL_PROFILE_HARDENED;
	json_object *root = json_object_new_object(), *proc, *user, *caps, *rl, *lnx, *mounts, *ns,
		    *res, *dev;
	static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					  "TERM=xterm", NULL};
	static const char *const args[] = {"sh", NULL};
	const char *const *cl = hard ? hardened_caps : runc_caps;
	static const char *const empty[] = {NULL};

	if (!root)
		return hull_fail(err, ENOMEM, "spec");
	/* 1.0.2 so that older runtimes (crun 1.8 refuses 1.2.0) accept what hull writes. */
	hull_json_add_str(root, "ociVersion", "1.0.2");

	proc = json_object_new_object();
	hull_json_add_bool(proc, "terminal", !hard);
	user = json_object_new_object();
	hull_json_add_int(user, "uid", 0);
	hull_json_add_int(user, "gid", 0);
	hull_json_add(proc, "user", user);
	hull_json_add(proc, "args", strv(args));
	hull_json_add(proc, "env", strv(env));
	hull_json_add_str(proc, "cwd", "/");
	caps = json_object_new_object();
	hull_json_add(caps, "bounding", strv(cl));
	hull_json_add(caps, "effective", strv(cl));
	hull_json_add(caps, "permitted", strv(cl));
	if (hard) {
		/* Explicitly empty: CVE-2022-29162. */
		hull_json_add(caps, "inheritable", strv(empty));
		hull_json_add(caps, "ambient", strv(empty));
	}
	hull_json_add(proc, "capabilities", caps);
	rl = json_object_new_array();
	{
		json_object *r = json_object_new_object();
		hull_json_add_str(r, "type", "RLIMIT_NOFILE");
		hull_json_add_int(r, "hard", 1024);
		hull_json_add_int(r, "soft", 1024);
		json_object_array_add(rl, r);
	}
	hull_json_add(proc, "rlimits", rl);
	hull_json_add_bool(proc, "noNewPrivileges", true);
	hull_json_add(root, "process", proc);

	{
		json_object *r = json_object_new_object();
		hull_json_add_str(r, "path", "rootfs");
		hull_json_add_bool(r, "readonly", true);
		hull_json_add(root, "root", r);
	}
	hull_json_add_str(root, "hostname", "hull");

	mounts = json_object_new_array();
	{
		static const char *const proc_o[] = {"nosuid", "noexec", "nodev", NULL};
		static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
		static const char *const pts_o[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666",
						    "mode=0620", "gid=5", NULL};
		static const char *const shm_o[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
		static const char *const mq_o[] = {"nosuid", "noexec", "nodev", NULL};
		static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro", NULL};
		static const char *const sys_rl[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
		static const char *const cg_o[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
		static const char *const tmp_o[] = {"nosuid", "nodev", "noexec", "mode=1777", "size=65536k", NULL};
		static const char *const run_o[] = {"nosuid", "nodev", "noexec", "mode=755", "size=65536k", NULL};
		json_object_array_add(mounts, mount("/proc", "proc", "proc", proc_o));
		json_object_array_add(mounts, mount("/dev", "tmpfs", "tmpfs", dev_o));
		json_object_array_add(mounts, mount("/dev/pts", "devpts", "devpts", pts_o));
		json_object_array_add(mounts, mount("/dev/shm", "tmpfs", "shm", shm_o));
		json_object_array_add(mounts, mount("/dev/mqueue", "mqueue", "mqueue", mq_o));
		if (o->rootless)
			json_object_array_add(mounts, mount("/sys", "none", "/sys", sys_rl));
		else
			json_object_array_add(mounts, mount("/sys", "sysfs", "sysfs", sys_o));
		if (!o->rootless)
			json_object_array_add(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg_o));
		if (hard) {
			/* A read-only rootfs still needs somewhere to write. */
			json_object_array_add(mounts, mount("/tmp", "tmpfs", "tmpfs", tmp_o));
			json_object_array_add(mounts, mount("/run", "tmpfs", "tmpfs", run_o));
		}
	}
	hull_json_add(root, "mounts", mounts);

	lnx = json_object_new_object();
	if (hard || o->rootless) {
		json_object *um = json_object_new_array(), *gm = json_object_new_array();
		if (o->rootless) {
			json_object_array_add(um, idmap(0, (uint32_t)getuid(), 1));
			json_object_array_add(gm, idmap(0, (uint32_t)getgid(), 1));
		} else {
			json_object_array_add(um, idmap(0, o->host_uid, HULL_USERNS_SIZE));
			json_object_array_add(gm, idmap(0, o->host_gid, HULL_USERNS_SIZE));
		}
		hull_json_add(lnx, "uidMappings", um);
		hull_json_add(lnx, "gidMappings", gm);
	}
	res = json_object_new_object();
	{
		json_object *devs = json_object_new_array();
		dev = json_object_new_object();
		hull_json_add_bool(dev, "allow", false);
		hull_json_add_str(dev, "access", "rwm");
		json_object_array_add(devs, dev);
		hull_json_add(res, "devices", devs);
	}
	if (hard) {
		/* Limits by default (CIS 5.10-5.12, 5.28): 1 GiB of memory (no extra swap), half the
		 * default CPU weight, 1024 tasks. Raise them in config.json for bigger workloads. */
		json_object *pids = json_object_new_object(), *mem = json_object_new_object(),
			    *cpu = json_object_new_object();
		hull_json_add_int(pids, "limit", 1024);
		hull_json_add(res, "pids", pids);
		hull_json_add_int(mem, "limit", 1024 * 1024 * 1024);
		hull_json_add_int(mem, "swap", 1024 * 1024 * 1024);
		hull_json_add(res, "memory", mem);
		hull_json_add_int(cpu, "shares", 512);
		hull_json_add(res, "cpu", cpu);
	}
	if (!o->rootless)
		hull_json_add(lnx, "resources", res);
	else
		json_object_put(res);
	ns = json_object_new_array();
	{
		static const char *const names[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", "user"};
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			json_object *n;
			if (!strcmp(names[i], "user") && !hard && !o->rootless)
				continue;
			if (!strcmp(names[i], "network") && o->rootless)
				continue;
			n = json_object_new_object();
			hull_json_add_str(n, "type", names[i]);
			json_object_array_add(ns, n);
		}
	}
	hull_json_add(lnx, "namespaces", ns);
	if (hard) {
		json_object *sc;
		if (seccomp_for(o, &sc, err) < 0) {
			json_object_put(lnx);
			json_object_put(root);
			return -1;
		}
		hull_json_add(lnx, "seccomp", sc);
	}
	hull_json_add(lnx, "maskedPaths", masked_paths(hard));
	if (hard && !o->rootless) {
		/* hull's own hardening, ignored by other runtimes: a host uid range per container,
		 * the rootfs idmapped onto it, and Landlock confining file access to the rootfs. */
		json_object *an = json_object_new_object();
		hull_json_add_str(an, "org.hull.userns", "auto");
		hull_json_add_str(an, "org.hull.rootfs.idmap", "true");
		hull_json_add_str(an, "org.hull.landlock", "true");
		hull_json_add_str(an, "org.hull.tiocsti", "deny");
		hull_json_add(root, "annotations", an);
	}
	hull_json_add(lnx, "readonlyPaths", strv(readonly_paths));
	hull_json_add(root, "linux", lnx);
	*out = root;
	return 0;
}
