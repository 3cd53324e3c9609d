/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container checks: each reads the parsed config.json and fills one finding. No allocation, no
 * system calls: admission runs these on every `hull create`. */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "audit/internal.h"
#include "core/util.h"

#define CAP(n) (1ull << (n))
/* Docker's 14 defaults minus NET_RAW: the PSS baseline "capabilities.add" allow-list. */
static const uint64_t pss_baseline_caps =
    CAP(29) /* AUDIT_WRITE */ | CAP(0) /* CHOWN */ | CAP(1) /* DAC_OVERRIDE */ |
    CAP(3) /* FOWNER */ | CAP(4) /* FSETID */ | CAP(5) /* KILL */ | CAP(27) /* MKNOD */ |
    CAP(10) /* NET_BIND_SERVICE */ | CAP(31) /* SETFCAP */ | CAP(6) /* SETGID */ |
    CAP(8) /* SETPCAP */ | CAP(7) /* SETUID */ | CAP(18) /* SYS_CHROOT */;
static const uint64_t pss_restricted_caps = CAP(10); /* NET_BIND_SERVICE */
#define CAP_SYS_ADMIN_BIT 21

/* --- helpers ------------------------------------------------------------------------------ */

static void json_str(char *buf, size_t size, const char *s)
{
	size_t o = 0;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (; s && *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (s && *s && o + 4 < size) {
		/* Truncated: say so inside the string, keep the JSON valid. */
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

uint64_t audit_caps_granted(const struct hull_spec *s)
{
	const struct hull_caps *c;
	if (!s->process || !s->process->has_caps)
		return 0;
	c = &s->process->caps;
	return c->set[HULL_CAP_BOUNDING] | c->set[HULL_CAP_EFFECTIVE] | c->set[HULL_CAP_PERMITTED] |
	       c->set[HULL_CAP_AMBIENT] | c->set[HULL_CAP_INHERITABLE];
}

void audit_caps_json(uint64_t mask, char *buf, size_t size)
{
	/* Room kept for the end: ,"..."] and the NUL. */
	const size_t tail = 8;
	size_t o = 0;
	int n = 0;
	if (size < tail + 2) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '[';
	for (int i = 0; i < 64; i++) {
		const char *name;
		int k;
		if (!(mask & CAP(i)))
			continue;
		name = hull_cap_name(i);
		k = snprintf(buf + o, size - o, "%s\"%s\"", n ? "," : "", name ? name : "?");
		if (k < 0 || o + (size_t)k + tail > size) {
			/* Out of room: say the list goes on, keep the JSON valid. */
			o += (size_t)snprintf(buf + o, size - o, "%s\"...\"", n ? "," : "");
			break;
		}
		o += (size_t)k;
		n++;
	}
	buf[o++] = ']';
	buf[o] = '\0';
}

static void ns_types_json(const struct hull_spec *s, char *buf, size_t size)
{
	size_t o = 0;
	buf[o++] = '[';
	for (size_t i = 0; i < s->n_namespaces && o + 24 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s\"%s\"", i ? "," : "",
				      s->namespaces[i].name);
	buf[o++] = ']';
	buf[o] = '\0';
}

const char *audit_host_namespace(const struct hull_spec *s, int type)
{
	const struct hull_namespace *ns = hull_spec_namespace(s, type);
	if (!ns)
		return "no entry in .linux.namespaces: the container shares the host's";
	/* Joining pid 1's namespace is joining the host's (podman --net=host does not do this, but
	 * hand-written configs and some engines do). */
	if (ns->path && (hull_str_has_prefix(ns->path, "/proc/1/ns/") ||
			 hull_str_has_prefix(ns->path, "/proc/self/ns/")))
		return "joins the host's namespace by path";
	return NULL;
}

static void host_ns_check(const struct hull_spec *s, struct hull_audit_finding *f, int type,
			  const char *name)
{
	const char *why = audit_host_namespace(s, type);
	const struct hull_namespace *ns = hull_spec_namespace(s, type);
	char v[HULL_AUDIT_VALUE_MAX];
	if (!why) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.namespaces", NULL,
			       "the container has its own %s namespace", name);
		return;
	}
	if (ns) {
		size_t idx = (size_t)(ns - s->namespaces);
		char p[HULL_AUDIT_PATH_MAX];
		snprintf(p, sizeof p, ".linux.namespaces[%zu].path", idx);
		json_str(v, sizeof v, ns->path);
		hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "%s namespace: %s", name, why);
		return;
	}
	ns_types_json(s, v, sizeof v);
	hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.namespaces", v, "%s namespace: %s", name, why);
}

bool audit_mount_is_bind(const struct hull_mount *m)
{
	return m->bind || m->rbind;
}

static bool mount_readonly(const struct hull_mount *m)
{
	return (m->ms_flags & MS_RDONLY) || (m->rec_attr_set & MOUNT_ATTR_RDONLY);
}

/* Does `path` (cleaned, absolute) equal dir or lie below it? */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* Copy a path lexically cleaned ("//", ".", "..") into buf, without allocating. Paths that
 * do not fit are cut, which can only make them look more specific, never less. */
static void clean_path(const char *in, char *buf, size_t size)
{
	size_t o = 0;
	const char *p = in;
	if (size < 2) {
		if (size)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '/';
	while (*p) {
		const char *e;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 1 && buf[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1 && o + 1 < size)
				buf[o++] = '/';
			for (size_t i = 0; i < n && o + 1 < size; i++)
				buf[o++] = p[i];
		}
		p += n;
	}
	buf[o] = '\0';
}

static bool is_hex_id(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* Engine-managed sources are recognised by the layout engines use for per-container files:
 *   podman/CRI-O:  .../<driver>-containers/<64 hex>/userdata/...
 *   docker:        .../docker/containers/<64 hex>/...
 *   kubelet:       .../pods/<uid>/volumes/kubernetes.io~{configmap,secret,projected,
 *                  downward-api,empty-dir}/..., .../pods/<uid>/etc-hosts, .../containers/...
 *   containerd CRI: .../io.containerd.grpc.v1.cri/sandboxes/<id>/...
 * A hostPath volume is anything else. The heuristic errs towards "host path". */
bool audit_engine_managed_source(const char *src)
{
	char p[512];
	const char *q;
	if (!src || src[0] != '/')
		return false;
	clean_path(src, p, sizeof p);
	if (strlen(src) >= sizeof p - 1)
		return false;
	if ((q = strstr(p, "-containers/")) != NULL) {
		q += strlen("-containers/");
		if (strlen(q) > 64 && is_hex_id(q, 64) && !strncmp(q + 64, "/userdata/", 10))
			return true;
	}
	if ((q = strstr(p, "/docker/containers/")) != NULL) {
		q += strlen("/docker/containers/");
		if (strlen(q) > 64 && is_hex_id(q, 64) && q[64] == '/')
			return true;
	}
	if ((q = strstr(p, "/io.containerd.grpc.v1.cri/sandboxes/")) != NULL)
		return strchr(q + strlen("/io.containerd.grpc.v1.cri/sandboxes/"), '/') != NULL;
	if ((q = strstr(p, "/pods/")) != NULL) {
		static const char *const vols[] = {
		    "kubernetes.io~configmap/", "kubernetes.io~secret/", "kubernetes.io~projected/",
		    "kubernetes.io~downward-api/", "kubernetes.io~empty-dir/"};
		const char *rest = strchr(q + strlen("/pods/"), '/');
		if (!rest)
			return false;
		if (!strcmp(rest, "/etc-hosts") || hull_str_has_prefix(rest, "/containers/"))
			return true;
		if (hull_str_has_prefix(rest, "/volumes/"))
			for (size_t i = 0; i < sizeof vols / sizeof vols[0]; i++)
				if (hull_str_has_prefix(rest + strlen("/volumes/"), vols[i]))
					return true;
	}
	return false;
}

static void mount_path(char *buf, size_t size, size_t i, const char *member)
{
	snprintf(buf, size, ".mounts[%zu]%s%s", i, member ? "." : "", member ? member : "");
}

/* --- CIS 5.2 / 5.3, PSS appArmorProfile / seLinuxOptions ---------------------------------- */

AUDIT_EVAL(apparmor)
{
	const char *p = s->process ? s->process->apparmor_profile : NULL;
	char v[HULL_AUDIT_VALUE_MAX];
	if (!facts->apparmor) {
		hull_audit_set(f, HULL_AUDIT_NA, "", "", "AppArmor is not enabled on this host");
		return;
	}
	if (!p || !*p || !strcmp(p, "unconfined")) {
		json_str(v, sizeof v, p ? p : "");
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.apparmorProfile", p ? v : "null",
			       "no AppArmor profile is applied");
		return;
	}
	json_str(v, sizeof v, p);
	hull_audit_set(f, HULL_AUDIT_PASS, ".process.apparmorProfile", v, "AppArmor profile set");
}

AUDIT_EVAL(apparmor_unconfined)
{
	const char *p = s->process ? s->process->apparmor_profile : NULL;
	char v[HULL_AUDIT_VALUE_MAX];
	json_str(v, sizeof v, p ? p : "");
	if (p && !strcmp(p, "unconfined"))
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.apparmorProfile", v,
			       "the AppArmor profile is explicitly unconfined");
	else
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.apparmorProfile", p ? v : "null",
			       p ? "a confining profile is named" : "unset (the runtime default)");
}

AUDIT_EVAL(selinux)
{
	const char *l = s->process ? s->process->selinux_label : NULL;
	char v[HULL_AUDIT_VALUE_MAX];
	if (!facts->selinux) {
		hull_audit_set(f, HULL_AUDIT_NA, "", "", "SELinux is not enabled on this host");
		return;
	}
	if (!l || !*l) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.selinuxLabel", "null",
			       "no SELinux label: the process runs with the runtime's own context");
		return;
	}
	json_str(v, sizeof v, l);
	hull_audit_set(f, HULL_AUDIT_PASS, ".process.selinuxLabel", v, "SELinux label set");
}

AUDIT_EVAL(selinux_type)
{
	static const char *const allowed[] = {"container_t", "container_init_t", "container_kvm_t"};
	const char *l = s->process ? s->process->selinux_label : NULL;
	char v[HULL_AUDIT_VALUE_MAX], type[64] = "";
	const char *p;
	if (!l || !*l) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.selinuxLabel", "null",
			       "unset (the runtime default)");
		return;
	}
	json_str(v, sizeof v, l);
	/* user:role:type[:level] */
	p = strchr(l, ':');
	p = p ? strchr(p + 1, ':') : NULL;
	if (p) {
		const char *e = strchr(p + 1, ':');
		size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
		if (n < sizeof type) {
			memcpy(type, p + 1, n);
			type[n] = '\0';
		}
	}
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (!strcmp(type, allowed[i])) {
			hull_audit_set(f, HULL_AUDIT_PASS, ".process.selinuxLabel", v,
				       "type %s is allowed", type);
			return;
		}
	hull_audit_set(
	    f, HULL_AUDIT_FAIL, ".process.selinuxLabel", v,
	    "SELinux type \"%s\" is not container_t, container_init_t or container_kvm_t", type);
}

/* --- capabilities ------------------------------------------------------------------------- */

static void caps_check(const struct hull_spec *s, struct hull_audit_finding *f, uint64_t allowed,
		       const char *allowed_text)
{
	uint64_t extra = audit_caps_granted(s) & ~allowed;
	char v[HULL_AUDIT_VALUE_MAX];
	if (!extra) {
		audit_caps_json(audit_caps_granted(s), v, sizeof v);
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.capabilities", v, "only %s",
			       allowed_text);
		return;
	}
	audit_caps_json(extra, v, sizeof v);
	hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities", v, "%d capabilities beyond %s",
		       __builtin_popcountll(extra), allowed_text);
}

AUDIT_EVAL(capabilities_baseline)
{
	caps_check(s, f, pss_baseline_caps, "the baseline set (Docker's defaults without NET_RAW)");
}

AUDIT_EVAL(capabilities_restricted)
{
	caps_check(s, f, pss_restricted_caps, "NET_BIND_SERVICE");
}

AUDIT_EVAL(inheritable_caps)
{
	const struct hull_caps *c = s->process && s->process->has_caps ? &s->process->caps : NULL;
	char v[HULL_AUDIT_VALUE_MAX];
	if (c && c->set[HULL_CAP_INHERITABLE]) {
		audit_caps_json(c->set[HULL_CAP_INHERITABLE], v, sizeof v);
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities.inheritable", v,
			       "inheritable capabilities let file capabilities raise privileges "
			       "(CVE-2022-29162)");
		return;
	}
	if (c && c->set[HULL_CAP_AMBIENT]) {
		audit_caps_json(c->set[HULL_CAP_AMBIENT], v, sizeof v);
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities.ambient", v,
			       "ambient capabilities survive exec of unprivileged programs");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".process.capabilities", NULL,
		       "inheritable and ambient sets are empty");
}

/* --- privileged --------------------------------------------------------------------------- */

static const char *first_unmasked(const struct hull_spec *s);

AUDIT_EVAL(privileged)
{
	const char *ann = hull_spec_annotation(s, "io.podman.annotations.privileged");
	uint64_t caps = audit_caps_granted(s);
	int last = hull_cap_last_cap();
	uint64_t all = last >= 63 ? ~0ull : (CAP((unsigned)last + 1) - 1);
	bool sys_rw = false;
	char v[HULL_AUDIT_VALUE_MAX];

	if (ann && !strcasecmp(ann, "TRUE")) {
		hull_audit_set(f, HULL_AUDIT_FAIL,
			       ".annotations[\"io.podman.annotations.privileged\"]", "\"TRUE\"",
			       "the engine created a privileged container");
		return;
	}
	if ((caps & all) == all) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities.bounding",
			       "(every capability)",
			       "all %d capabilities are granted, as with --privileged", last + 1);
		return;
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, "/sys") && !mount_readonly(&s->mounts[i]))
			sys_rw = true;
	/* CAP_SYS_ADMIN with the kernel's interfaces unprotected is privileged in all but name. */
	if ((caps & CAP(CAP_SYS_ADMIN_BIT)) && !s->seccomp && first_unmasked(s)) {
		audit_caps_json(CAP(CAP_SYS_ADMIN_BIT), v, sizeof v);
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.capabilities", v,
			       "CAP_SYS_ADMIN without seccomp or masked paths%s",
			       sys_rw ? ", and /sys is writable" : "");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, "", "", "not privileged");
}

/* --- mounts ------------------------------------------------------------------------------- */

AUDIT_EVAL(sensitive_mounts)
{
	static const char *const dirs[] = {"/",	   "/boot", "/dev", "/etc",
					   "/lib", "/proc", "/sys", "/usr"};
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		char src[512], p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		if (!audit_mount_is_bind(m) || !m->source || m->source[0] != '/')
			continue;
		clean_path(m->source, src, sizeof src);
		for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
			bool exact = !strcmp(src, dirs[d]);
			/* A read-only single file below /etc (localtime) is harmless; the
			 * directories themselves, or anything writable below them, are not. */
			if (exact || (strcmp(dirs[d], "/") && path_under(src, dirs[d]) &&
				      !mount_readonly(m))) {
				mount_path(p, sizeof p, i, "source");
				json_str(v, sizeof v, m->source);
				hull_audit_set(f, HULL_AUDIT_FAIL, p, v,
					       "host %s %s mounted into the container at %s%s",
					       exact ? "directory" : "path below", dirs[d],
					       m->destination,
					       mount_readonly(m) ? "" : " read-write");
				return;
			}
		}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL,
		       "no sensitive host directory is mounted");
}

AUDIT_EVAL(runtime_socket)
{
	static const char *const socks[] = {"docker.sock", "containerd.sock", "podman.sock",
					    "crio.sock", "hull.sock"};
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		const char *base;
		if (!audit_mount_is_bind(m) || !m->source)
			continue;
		base = strrchr(m->source, '/');
		base = base ? base + 1 : m->source;
		for (size_t k = 0; k < sizeof socks / sizeof socks[0]; k++)
			if (!strcmp(base, socks[k])) {
				char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
				mount_path(p, sizeof p, i, "source");
				json_str(v, sizeof v, m->source);
				hull_audit_set(
				    f, HULL_AUDIT_FAIL, p, v,
				    "a container engine's socket is mounted: whoever can "
				    "reach it controls the host");
				return;
			}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL, "no engine socket is mounted");
}

AUDIT_EVAL(mount_propagation)
{
	char v[HULL_AUDIT_VALUE_MAX];
	if (s->rootfs_propagation & MS_SHARED) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.rootfsPropagation", "\"shared\"",
			       "mounts made in the container propagate to the host");
		return;
	}
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].propagation & MS_SHARED) {
			char p[HULL_AUDIT_PATH_MAX];
			mount_path(p, sizeof p, i, "options");
			json_str(v, sizeof v,
				 (s->mounts[i].propagation & MS_REC) ? "rshared" : "shared");
			hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "mount %s propagates to the host",
				       s->mounts[i].destination);
			return;
		}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL, "no shared mount propagation");
}

/* hostPath volumes (PSS baseline): bind mounts of host paths the engine does not manage. */
AUDIT_EVAL(host_path_mounts)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		if (!audit_mount_is_bind(m) || audit_engine_managed_source(m->source))
			continue;
		/* The rootless /sys bind (what runc and hull generate without a network namespace)
		 * is the kernel's sysfs, not a volume. */
		if (m->source && !strcmp(m->source, "/sys") && !strcmp(m->destination, "/sys") &&
		    mount_readonly(m))
			continue;
		mount_path(p, sizeof p, i, "source");
		json_str(v, sizeof v, m->source ? m->source : "");
		hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "host path bind-mounted at %s",
			       m->destination);
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL, "no host path volumes");
}

/* Restricted volume types: only kernel pseudo-filesystems, tmpfs and engine-managed volumes. */
AUDIT_EVAL(volume_types)
{
	static const char *const ok[] = {"proc",   "sysfs",   "tmpfs", "devpts", "mqueue",
					 "cgroup", "cgroup2", "shm",   "none"};
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		bool fine = false;
		if (audit_mount_is_bind(m)) {
			fine = audit_engine_managed_source(m->source) ||
			       (m->source && !strcmp(m->source, "/sys") && mount_readonly(m));
			if (!fine) {
				mount_path(p, sizeof p, i, "source");
				json_str(v, sizeof v, m->source ? m->source : "");
				hull_audit_set(
				    f, HULL_AUDIT_FAIL, p, v,
				    "hostPath volume at %s is not an allowed volume type",
				    m->destination);
				return;
			}
			continue;
		}
		for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
			if (m->type && !strcmp(m->type, ok[k]))
				fine = true;
		if (!fine) {
			mount_path(p, sizeof p, i, "type");
			json_str(v, sizeof v, m->type ? m->type : "");
			hull_audit_set(f, HULL_AUDIT_FAIL, p, v,
				       "filesystem type at %s is not an allowed volume type",
				       m->destination);
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL,
		       "only pseudo-filesystems, tmpfs and engine-managed volumes");
}

static bool has_path(char **v, const char *p)
{
	for (; v && *v; v++)
		if (!strcmp(*v, p))
			return true;
	return false;
}

/* The paths whose exposure the PSS "procMount: Default" control is about. */
static const char *const must_mask[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list",
					"/proc/sched_debug", "/sys/firmware"};

static const char *first_unmasked(const struct hull_spec *s)
{
	for (size_t i = 0; i < sizeof must_mask / sizeof must_mask[0]; i++)
		if (!has_path(s->masked_paths, must_mask[i]))
			return must_mask[i];
	return NULL;
}

AUDIT_EVAL(proc_mount)
{
	const char *miss = first_unmasked(s);
	char v[HULL_AUDIT_VALUE_MAX];
	if (!miss) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.maskedPaths", NULL,
			       "/proc is masked (Default procMount)");
		return;
	}
	if (!audit_host_namespace(s, CLONE_NEWUSER)) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.maskedPaths", NULL,
			       "/proc is unmasked but the container has its own user namespace");
		return;
	}
	json_str(v, sizeof v, miss);
	hull_audit_set(
	    f, HULL_AUDIT_FAIL, ".linux.maskedPaths", v,
	    "%s is not masked (Unmasked procMount) and the host user namespace is shared", miss);
}

AUDIT_EVAL(masked_paths)
{
	const char *miss = first_unmasked(s);
	char v[HULL_AUDIT_VALUE_MAX];
	if (miss) {
		json_str(v, sizeof v, miss);
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.maskedPaths", v, "%s is not masked",
			       miss);
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.maskedPaths", NULL,
		       "kernel information files are masked");
}

AUDIT_EVAL(readonly_paths)
{
	static const char *const ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
					 "/proc/bus"};
	char v[HULL_AUDIT_VALUE_MAX];
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
		if (!has_path(s->readonly_paths, ro[i]) && !has_path(s->masked_paths, ro[i])) {
			json_str(v, sizeof v, ro[i]);
			hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.readonlyPaths", v,
				       "%s is writable in the container", ro[i]);
			return;
		}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.readonlyPaths", NULL,
		       "/proc/sys, sysrq-trigger, irq and bus are read-only");
}

AUDIT_EVAL(sys_readonly)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hull_mount *m = &s->mounts[i];
		char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		if (strcmp(m->destination, "/sys") && strcmp(m->destination, "/sys/fs/cgroup"))
			continue;
		if (mount_readonly(m))
			continue;
		/* CVE-2023-25809: a writable cgroupfs without a cgroup namespace. */
		mount_path(p, sizeof p, i, "options");
		json_str(v, sizeof v, m->destination);
		hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "%s is mounted read-write",
			       m->destination);
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".mounts", NULL,
		       "/sys and /sys/fs/cgroup are read-only");
}

AUDIT_EVAL(readonly_rootfs)
{
	if (s->root_readonly)
		hull_audit_set(f, HULL_AUDIT_PASS, ".root.readonly", "true",
			       "root filesystem is read-only");
	else
		hull_audit_set(f, HULL_AUDIT_FAIL, ".root.readonly", "false",
			       "the root filesystem is writable");
}

/* --- namespaces --------------------------------------------------------------------------- */

AUDIT_EVAL(host_network)
{
	host_ns_check(s, f, CLONE_NEWNET, "network");
}
AUDIT_EVAL(host_pid)
{
	host_ns_check(s, f, CLONE_NEWPID, "PID");
}
AUDIT_EVAL(host_ipc)
{
	host_ns_check(s, f, CLONE_NEWIPC, "IPC");
}
AUDIT_EVAL(host_uts)
{
	host_ns_check(s, f, CLONE_NEWUTS, "UTS");
}

AUDIT_EVAL(user_namespace)
{
	char v[HULL_AUDIT_VALUE_MAX];
	if (audit_host_namespace(s, CLONE_NEWUSER)) {
		host_ns_check(s, f, CLONE_NEWUSER, "user");
		return;
	}
	for (size_t i = 0; i < s->n_uid_mappings; i++) {
		const struct hull_idmap *m = &s->uid_mappings[i];
		if (m->container_id == 0 && m->host_id == 0) {
			snprintf(v, sizeof v, "{\"containerID\":0,\"hostID\":0,\"size\":%u}",
				 m->size);
			hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.uidMappings", v,
				       "container root is mapped to host root");
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.namespaces", NULL,
		       "own user namespace; container root is not host root");
}

/* --- resources ---------------------------------------------------------------------------- */

AUDIT_EVAL(memory_limit)
{
	const struct hull_resources *r = &s->resources;
	char v[64];
	if (s->has_resources && r->has_mem_limit && r->mem_limit > 0) {
		snprintf(v, sizeof v, "%lld", (long long)r->mem_limit);
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.resources.memory.limit", v,
			       "memory is limited");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.resources.memory.limit", "null",
		       "no memory limit: one container can exhaust the host's memory");
}

AUDIT_EVAL(cpu_priority)
{
	const struct hull_resources *r = &s->resources;
	char v[64];
	if (s->has_resources && r->has_cpu_quota && r->cpu_quota > 0) {
		snprintf(v, sizeof v, "%lld", (long long)r->cpu_quota);
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.resources.cpu.quota", v,
			       "CPU quota set");
		return;
	}
	/* 1024 is the kernel's default weight: setting it changes nothing. */
	if (s->has_resources && r->has_cpu_shares && r->cpu_shares > 0 && r->cpu_shares != 1024) {
		snprintf(v, sizeof v, "%llu", (unsigned long long)r->cpu_shares);
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.resources.cpu.shares", v,
			       "CPU shares set");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.resources.cpu", "null",
		       "no CPU shares or quota: the container competes equally with the host");
}

AUDIT_EVAL(pids_limit)
{
	const struct hull_resources *r = &s->resources;
	char v[64];
	if (s->has_resources && r->has_pids_limit && r->pids_limit > 0) {
		snprintf(v, sizeof v, "%lld", (long long)r->pids_limit);
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.resources.pids.limit", v,
			       "PIDs are limited");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.resources.pids.limit",
		       s->has_resources && r->has_pids_limit ? "-1" : "null",
		       "no PIDs limit: a fork bomb takes the host down");
}

AUDIT_EVAL(cgroup_parent)
{
	char v[HULL_AUDIT_VALUE_MAX];
	json_str(v, sizeof v, s->cgroups_path ? s->cgroups_path : "");
	hull_audit_set(
	    f, HULL_AUDIT_MANUAL, ".linux.cgroupsPath", s->cgroups_path ? v : "null",
	    "confirm the container's cgroup is where your limits and accounting expect it");
}

AUDIT_EVAL(ulimits)
{
	char v[HULL_AUDIT_VALUE_MAX];
	size_t o = 0;
	const struct hull_process *p = s->process;
	if (!p || !p->n_rlimits) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.rlimits", NULL, "no ulimit overrides");
		return;
	}
	v[o++] = '[';
	for (size_t i = 0; p && i < p->n_rlimits && o + 40 < sizeof v; i++)
		o += (size_t)snprintf(v + o, sizeof v - o, "%s\"%s\"", i ? "," : "",
				      p->rlimits[i].name ? p->rlimits[i].name : "?");
	v[o++] = ']';
	v[o] = '\0';
	hull_audit_set(f, HULL_AUDIT_MANUAL, ".process.rlimits", v,
		       "confirm each overridden ulimit is needed");
}

/* Devices other than the pseudo-devices every runtime creates. */
AUDIT_EVAL(host_devices)
{
	const struct hull_resources *r = &s->resources;
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct hull_device *d = &s->devices[i];
		char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
		bool pseudo = d->type == 'c' &&
			      ((d->major == 1 && (d->minor == 3 || d->minor == 5 || d->minor == 7 ||
						  d->minor == 8 || d->minor == 9)) ||
			       (d->major == 5 && d->minor <= 2) || (d->major == 136));
		if (pseudo)
			continue;
		snprintf(p, sizeof p, ".linux.devices[%zu]", i);
		json_str(v, sizeof v, d->path);
		hull_audit_set(f, HULL_AUDIT_FAIL, p, v, "host device %c %lld:%lld is exposed",
			       d->type, (long long)d->major, (long long)d->minor);
		return;
	}
	for (size_t i = 0; s->has_resources && i < r->n_devices; i++) {
		const struct hull_device_rule *d = &r->devices[i];
		char p[HULL_AUDIT_PATH_MAX];
		if (d->allow && (d->type == 'a' || d->type == 'b' || d->major < 0) &&
		    strchr(d->access, 'r')) {
			snprintf(p, sizeof p, ".linux.resources.devices[%zu]", i);
			hull_audit_set(f, HULL_AUDIT_FAIL, p, "{\"allow\":true}",
				       "the device cgroup allows %s devices",
				       d->type == 'b' ? "block" : "all");
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.devices", NULL, "no host devices exposed");
}

AUDIT_EVAL(device_cgroup)
{
	const struct hull_resources *r = &s->resources;
	if (s->has_resources && r->n_devices > 0 && !r->devices[0].allow &&
	    (r->devices[0].type == 'a' || r->devices[0].type == 0) && r->devices[0].major < 0 &&
	    r->devices[0].minor < 0) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.resources.devices[0]",
			       "{\"allow\":false,\"access\":\"rwm\"}",
			       "device access denied by default");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.resources.devices", "null",
		       "the device cgroup does not start by denying every device");
}

AUDIT_EVAL(sysctls)
{
	static const char *const ok[] = {"kernel.shm_rmid_forced",
					 "net.ipv4.ip_local_port_range",
					 "net.ipv4.ip_unprivileged_port_start",
					 "net.ipv4.tcp_syncookies",
					 "net.ipv4.ping_group_range",
					 "net.ipv4.ip_local_reserved_ports",
					 "net.ipv4.tcp_keepalive_time",
					 "net.ipv4.tcp_keepalive_intvl",
					 "net.ipv4.tcp_keepalive_probes",
					 "net.ipv4.tcp_fin_timeout",
					 "net.ipv4.tcp_rmem",
					 "net.ipv4.tcp_wmem",
					 "net.ipv4.tcp_slow_start_after_idle",
					 "net.ipv4.tcp_notsent_lowat"};
	for (size_t i = 0; i < s->n_sysctl; i++) {
		bool fine = false;
		for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
			if (!strcmp(s->sysctl[i].key, ok[k]))
				fine = true;
		if (!fine) {
			char v[HULL_AUDIT_VALUE_MAX];
			json_str(v, sizeof v, s->sysctl[i].key);
			hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.sysctl", v,
				       "sysctl %s is not in the safe set", s->sysctl[i].key);
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.sysctl", NULL, "only safe sysctls");
}

/* --- process ------------------------------------------------------------------------------ */

AUDIT_EVAL(sshd)
{
	const char *a0 = s->process && s->process->args ? s->process->args[0] : NULL;
	const char *base = a0 ? strrchr(a0, '/') : NULL;
	char v[HULL_AUDIT_VALUE_MAX];
	base = base ? base + 1 : a0;
	json_str(v, sizeof v, a0 ? a0 : "");
	if (base && !strcmp(base, "sshd"))
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.args[0]", v,
			       "the container runs an SSH daemon");
	else
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.args[0]", a0 ? v : "null",
			       "the entrypoint is not sshd (processes started later are not "
			       "visible in a config)");
}

AUDIT_EVAL(no_new_privileges)
{
	if (s->process && s->process->no_new_privileges)
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.noNewPrivileges", "true",
			       "setuid binaries and file capabilities cannot raise privileges");
	else
		hull_audit_set(f, HULL_AUDIT_FAIL, ".process.noNewPrivileges",
			       s->process ? "false" : "null",
			       "the process can gain privileges through setuid binaries");
}

AUDIT_EVAL(run_as_non_root)
{
	const struct hull_process *p = s->process;
	char v[64];
	if (!p) {
		hull_audit_set(f, HULL_AUDIT_NA, "", "", "the config has no process");
		return;
	}
	snprintf(v, sizeof v, "%u", p->user.uid);
	if (p->user.uid != 0) {
		hull_audit_set(f, HULL_AUDIT_PASS, ".process.user.uid", v,
			       "runs as a non-root user");
		return;
	}
	/* Kubernetes 1.35 relaxes this for hostUsers: false: root in a user namespace whose root
	 * is an unprivileged host uid. */
	if (!audit_host_namespace(s, CLONE_NEWUSER)) {
		bool mapped_to_root = false;
		for (size_t i = 0; i < s->n_uid_mappings; i++)
			if (s->uid_mappings[i].container_id == 0 && s->uid_mappings[i].host_id == 0)
				mapped_to_root = true;
		if (!mapped_to_root) {
			hull_audit_set(f, HULL_AUDIT_PASS, ".process.user.uid", v,
				       "root only inside its own user namespace");
			return;
		}
	}
	hull_audit_set(f, HULL_AUDIT_FAIL, ".process.user.uid", v,
		       "the process runs as root in the host's user namespace");
}

/* --- seccomp ------------------------------------------------------------------------------ */

static bool action_denies(const char *a)
{
	return a && (hull_str_has_prefix(a, "SCMP_ACT_ERRNO") ||
		     hull_str_has_prefix(a, "SCMP_ACT_KILL") ||
		     hull_str_has_prefix(a, "SCMP_ACT_TRAP") || !strcmp(a, "SCMP_ACT_TRACE"));
}

AUDIT_EVAL(seccomp)
{
	const struct hull_seccomp *sc = s->seccomp;
	char v[HULL_AUDIT_VALUE_MAX];
	if (!sc) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.seccomp", "null",
			       "no seccomp profile: the process is unconfined");
		return;
	}
	json_str(v, sizeof v, sc->default_action);
	if (!action_denies(sc->default_action)) {
		for (size_t i = 0; i < sc->n_rules; i++)
			if (action_denies(sc->rules[i].action)) {
				hull_audit_set(f, HULL_AUDIT_PASS, ".linux.seccomp.defaultAction",
					       v, "a deny-list profile is applied");
				return;
			}
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.seccomp.defaultAction", v,
			       "the profile denies nothing: unconfined in effect");
		return;
	}
	hull_audit_set(f, HULL_AUDIT_PASS, ".linux.seccomp.defaultAction", v,
		       "a seccomp profile is applied");
}

AUDIT_EVAL(seccomp_default_deny)
{
	const struct hull_seccomp *sc = s->seccomp;
	char v[HULL_AUDIT_VALUE_MAX];
	if (!sc) {
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.seccomp", "null", "no seccomp profile");
		return;
	}
	json_str(v, sizeof v, sc->default_action);
	if (action_denies(sc->default_action))
		hull_audit_set(f, HULL_AUDIT_PASS, ".linux.seccomp.defaultAction", v,
			       "syscalls are denied unless allowed");
	else
		hull_audit_set(f, HULL_AUDIT_FAIL, ".linux.seccomp.defaultAction", v,
			       "unknown and new syscalls are allowed (a deny-list)");
}

AUDIT_EVAL(hooks)
{
	for (int k = 0; k < HULL_HOOK_NKINDS; k++)
		if (s->n_hooks[k]) {
			static const char *const names[] = {"prestart",	       "createRuntime",
							    "createContainer", "startContainer",
							    "poststart",       "poststop"};
			char p[HULL_AUDIT_PATH_MAX], v[HULL_AUDIT_VALUE_MAX];
			snprintf(p, sizeof p, ".hooks.%s[0].path", names[k]);
			json_str(v, sizeof v, s->hooks[k][0].path);
			hull_audit_set(
			    f, HULL_AUDIT_MANUAL, p, v,
			    "hooks run on the host with the runtime's privileges: confirm "
			    "each is trusted");
			return;
		}
	hull_audit_set(f, HULL_AUDIT_PASS, ".hooks", NULL, "no hooks");
}

AUDIT_EVAL(not_applicable)
{
	(void)s;
	(void)facts;
	hull_audit_set(f, HULL_AUDIT_NA, "", "", "%s", audit_na_reason(f->check->id));
}
