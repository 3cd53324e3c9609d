/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The check catalogue: ids, standards, severities and remediations. Ids are stable: policies,
 * SARIF consumers and suppressions refer to them. Add checks; never rename or reuse an id. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/internal.h"
#include "core/cleanup.h"

#define CIS  HULL_STD_CIS
#define PSSB (HULL_STD_PSS_BASELINE | HULL_STD_PSS_RESTRICTED)
#define PSSR HULL_STD_PSS_RESTRICTED
#define HULL HULL_STD_HULL
#define C(id_, title_, cis_, pss_, std_, sev_, rem_, fn_)                                          \
	{                                                                                          \
		id_, title_, cis_, pss_, (std_) | HULL, HULL_SEV_##sev_, rem_,                     \
		    HULL_TARGET_CONTAINER, audit_c_##fn_                                           \
	}
#define H(id_, title_, sev_, rem_)                                                                 \
	{                                                                                          \
		id_, title_, NULL, NULL, HULL, HULL_SEV_##sev_, rem_, HULL_TARGET_HOST, NULL       \
	}
#define I(id_, title_, cis_, sev_, rem_)                                                           \
	{                                                                                          \
		id_, title_, cis_, NULL, CIS | HULL, HULL_SEV_##sev_, rem_, HULL_TARGET_IMAGE,     \
		    NULL                                                                           \
	}

static const struct hull_audit_check catalog[] = {
    /* CIS Docker Benchmark v1.6 section 5, in order, then PSS-only and hull's own. */
    C("container.swarm-mode", "Swarm mode is not enabled unless needed", "5.1", NULL, CIS, INFO,
      "Engine setting: run `docker swarm leave` on hosts that do not need swarm.", not_applicable),
    C("container.apparmor", "An AppArmor profile is applied", "5.2", NULL, CIS, MEDIUM,
      "Set process.apparmorProfile (podman --security-opt apparmor=PROFILE).", apparmor),
    C("container.selinux", "SELinux options are set", "5.3", NULL, CIS, MEDIUM,
      "Set process.selinuxLabel (podman --security-opt label=type:container_t).", selinux),
    C("container.capabilities", "Capabilities are restricted to the baseline set", "5.4",
      "capabilities", CIS | PSSB, HIGH,
      "Drop every capability beyond AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD "
      "NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT (--cap-drop).",
      capabilities_baseline),
    C("container.privileged", "The container is not privileged", "5.5", "privileged", CIS | PSSB,
      CRITICAL, "Do not use --privileged; grant the one capability or device that is needed.",
      privileged),
    C("container.sensitive-host-mounts", "Sensitive host directories are not mounted", "5.6", NULL,
      CIS, HIGH,
      "Remove bind mounts of / /boot /dev /etc /lib /proc /sys /usr (or make single files "
      "read-only).",
      sensitive_mounts),
    C("container.sshd", "sshd does not run in the container", "5.7", NULL, CIS, LOW,
      "Use `podman exec` or `hull exec` instead of an SSH daemon.", sshd),
    C("container.privileged-ports", "Privileged ports are not mapped", "5.8", "hostPorts",
      CIS | PSSB, MEDIUM, "Engine setting: publish container ports on host ports >= 1024.",
      not_applicable),
    C("container.open-ports", "Only needed ports are open", "5.9", NULL, CIS, LOW,
      "Engine setting: publish only the ports the service needs.", not_applicable),
    C("container.host-network", "The host's network namespace is not shared", "5.10", "hostNetwork",
      CIS | PSSB, HIGH,
      "Add {\"type\":\"network\"} to linux.namespaces (do not use --network=host).", host_network),
    C("container.memory-limit", "Memory usage is limited", "5.11", NULL, CIS, MEDIUM,
      "Set linux.resources.memory.limit (--memory).", memory_limit),
    C("container.cpu-priority", "CPU priority is set", "5.12", NULL, CIS, LOW,
      "Set linux.resources.cpu.shares or quota (--cpu-shares, --cpus).", cpu_priority),
    C("container.readonly-rootfs", "The root filesystem is read-only", "5.13", NULL, CIS, MEDIUM,
      "Set root.readonly to true (--read-only) and mount tmpfs where the workload writes.",
      readonly_rootfs),
    C("container.host-interface", "Incoming traffic is bound to a host interface", "5.14", NULL,
      CIS, LOW, "Engine setting: publish ports as IP:PORT:PORT.", not_applicable),
    C("container.restart-policy", "On-failure restart count is at most 5", "5.15", NULL, CIS, LOW,
      "Engine setting: --restart=on-failure:5.", not_applicable),
    C("container.host-pid", "The host's PID namespace is not shared", "5.16", "hostPID", CIS | PSSB,
      HIGH, "Add {\"type\":\"pid\"} to linux.namespaces (do not use --pid=host).", host_pid),
    C("container.host-ipc", "The host's IPC namespace is not shared", "5.17", "hostIPC", CIS | PSSB,
      HIGH, "Add {\"type\":\"ipc\"} to linux.namespaces (do not use --ipc=host).", host_ipc),
    C("container.host-devices", "Host devices are not exposed", "5.18", NULL, CIS, HIGH,
      "Remove linux.devices entries and device cgroup rules that allow host devices (--device).",
      host_devices),
    C("container.ulimits", "Default ulimits are overridden only when needed", "5.19", NULL, CIS,
      INFO, "Review process.rlimits; remove overrides the workload does not need.", ulimits),
    C("container.mount-propagation", "Mount propagation is not shared", "5.20", NULL, CIS, HIGH,
      "Use private or slave propagation (no shared/rshared options or rootfsPropagation).",
      mount_propagation),
    C("container.host-uts", "The host's UTS namespace is not shared", "5.21", NULL, CIS, MEDIUM,
      "Add {\"type\":\"uts\"} to linux.namespaces (do not use --uts=host).", host_uts),
    C("container.seccomp", "A seccomp profile is applied", "5.22", "seccompProfile", CIS | PSSB,
      HIGH,
      "Set linux.seccomp (the engine's default profile; never --security-opt seccomp=unconfined).",
      seccomp),
    C("container.exec-privileged", "exec is not run with --privileged", "5.23", NULL, CIS, HIGH,
      "Operational: never run `exec --privileged`.", not_applicable),
    C("container.exec-root", "exec is not run as root", "5.24", NULL, CIS, MEDIUM,
      "Operational: run `exec --user` with an unprivileged user.", not_applicable),
    C("container.cgroup-parent", "cgroup usage is confirmed", "5.25", NULL, CIS, INFO,
      "Review linux.cgroupsPath.", cgroup_parent),
    C("container.no-new-privileges", "The process cannot gain new privileges", "5.26",
      "allowPrivilegeEscalation", CIS | PSSR, HIGH,
      "Set process.noNewPrivileges to true (--security-opt no-new-privileges).", no_new_privileges),
    C("container.healthcheck", "Container health is checked at runtime", "5.27", NULL, CIS, LOW,
      "Engine setting: --health-cmd (image HEALTHCHECK is audited on the image).", not_applicable),
    C("container.latest-image", "The latest image version is used", "5.28", NULL, CIS, LOW,
      "Operational: pull by digest and rebuild regularly.", not_applicable),
    C("container.pids-limit", "The number of processes is limited", "5.29", NULL, CIS, MEDIUM,
      "Set linux.resources.pids.limit (--pids-limit).", pids_limit),
    C("container.default-bridge", "The default bridge docker0 is not used", "5.30", NULL, CIS, LOW,
      "Engine setting: use a user-defined network.", not_applicable),
    C("container.user-namespace", "The host's user namespace is not shared", "5.31", NULL, CIS,
      HIGH,
      "Add {\"type\":\"user\"} with uid/gid mappings (podman --userns=auto; `hull spec` does).",
      user_namespace),
    C("container.runtime-socket", "No container engine socket is mounted", "5.32", NULL, CIS,
      CRITICAL, "Remove the bind mount of docker.sock/containerd.sock/podman.sock.",
      runtime_socket),
    /* Pod Security Standards controls without a CIS item. */
    C("container.apparmor-unconfined", "The AppArmor profile is not unconfined", NULL,
      "appArmorProfile", PSSB, HIGH, "Remove apparmorProfile \"unconfined\".", apparmor_unconfined),
    C("container.selinux-type", "The SELinux type is a container type", NULL, "seLinuxOptions",
      PSSB, HIGH, "Use type container_t, container_init_t or container_kvm_t.", selinux_type),
    C("container.host-path-volumes", "No host path volumes", NULL, "hostPathVolumes", PSSB, HIGH,
      "Replace bind mounts of host paths with engine-managed volumes or tmpfs.", host_path_mounts),
    C("container.proc-mount", "/proc is masked (Default procMount)", NULL, "procMount", PSSB, HIGH,
      "Keep linux.maskedPaths (do not use --security-opt unmask=ALL).", proc_mount),
    C("container.sysctls", "Only safe sysctls are set", NULL, "sysctls", PSSB, HIGH,
      "Remove linux.sysctl keys outside the safe set (kernel.shm_rmid_forced, "
      "net.ipv4.ip_local_port_range, ...).",
      sysctls),
    C("container.capabilities-restricted", "All capabilities are dropped but NET_BIND_SERVICE",
      NULL, "capabilities", PSSR, MEDIUM, "--cap-drop=ALL [--cap-add=NET_BIND_SERVICE].",
      capabilities_restricted),
    C("container.run-as-non-root", "The process does not run as host root", NULL, "runAsNonRoot",
      PSSR, MEDIUM,
      "Set process.user.uid to a non-zero uid, or run in a user namespace (--userns=auto).",
      run_as_non_root),
    C("container.volume-types", "Only allowed volume types are mounted", NULL, "volumeTypes", PSSR,
      MEDIUM, "Use tmpfs, engine-managed volumes or pseudo-filesystems only.", volume_types),
    /* hull's own hardening floor. */
    C("container.inheritable-capabilities", "Inheritable and ambient capabilities are empty", NULL,
      NULL, 0, HIGH, "Empty process.capabilities.inheritable and ambient.", inheritable_caps),
    C("container.seccomp-default-deny", "The seccomp profile denies by default", NULL, NULL, 0,
      MEDIUM, "Use an allow-list profile (defaultAction SCMP_ACT_ERRNO), e.g. `hull spec`'s.",
      seccomp_default_deny),
    C("container.masked-paths", "Kernel information files are masked", NULL, "procMount", PSSR,
      MEDIUM,
      "Add /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /sys/firmware to "
      "linux.maskedPaths.",
      masked_paths),
    C("container.readonly-paths", "Kernel tunables are read-only", NULL, NULL, 0, MEDIUM,
      "Add /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus to linux.readonlyPaths.",
      readonly_paths),
    C("container.sys-readonly", "/sys and /sys/fs/cgroup are read-only", NULL, NULL, 0, HIGH,
      "Mount /sys and /sys/fs/cgroup with the ro option.", sys_readonly),
    C("container.device-cgroup", "Device access is denied by default", NULL, NULL, 0, MEDIUM,
      "Start linux.resources.devices with {\"allow\":false,\"access\":\"rwm\"}.", device_cgroup),
    C("container.hooks", "OCI hooks are trusted", NULL, NULL, 0, INFO,
      "Review every hook in .hooks: they run on the host.", hooks),

    /* Host. */
    H("host.user-namespaces", "User namespaces are available", HIGH,
      "Set user.max_user_namespaces > 0 (sysctl) so containers can run in user namespaces."),
    H("host.seccomp", "The kernel supports seccomp filters", HIGH,
      "Use a kernel built with CONFIG_SECCOMP_FILTER."),
    H("host.cgroups", "cgroup v2 is the unified hierarchy", LOW,
      "Boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2 resource control."),
    H("host.landlock", "Landlock is available", LOW,
      "Use a kernel with CONFIG_SECURITY_LANDLOCK and landlock in the lsm= list."),
    H("host.lsm", "A mandatory access control LSM is enabled", MEDIUM,
      "Enable AppArmor or SELinux (lsm= kernel parameter)."),
    H("host.state-dir", "hull's state directory is private", HIGH,
      "chown root:root and chmod 0700 (or 0711) the state root (/run/hull)."),
    H("host.storage-dir", "hull's image storage is private", HIGH,
      "chown root:root and chmod 0700 the storage root (/var/lib/hull)."),
    H("host.admission-policy", "An admission policy is installed and valid", MEDIUM,
      "Install /etc/hull/admission.json (see docs/admission.md); `hull audit host` validates it."),

    /* Images (CIS section 4). */
    I("image.user", "A non-root user is configured", "4.1", MEDIUM,
      "Add USER with a non-root uid to the Dockerfile."),
    I("image.healthcheck", "A HEALTHCHECK is defined", "4.6", LOW,
      "Add a HEALTHCHECK instruction."),
    I("image.update-alone", "Update instructions are not used alone", "4.7", LOW,
      "Combine `apt-get update` with the install in one RUN instruction."),
    I("image.setuid-files", "setuid and setgid files are removed", "4.8", MEDIUM,
      "Remove the setuid/setgid bits (chmod u-s,g-s) of files the image does not need."),
    I("image.copy-not-add", "COPY is used instead of ADD", "4.9", LOW,
      "Replace ADD with COPY (ADD fetches URLs and unpacks archives)."),
    I("image.secrets-in-env", "No secrets in environment variables", "4.10", HIGH,
      "Pass secrets at run time (secret mounts), never in ENV."),
};

size_t hull_audit_checks(const struct hull_audit_check **out)
{
	*out = catalog;
	return ARRAY_SIZE(catalog);
}

const struct hull_audit_check *hull_audit_check_find(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (!strcmp(catalog[i].id, id))
			return &catalog[i];
	return NULL;
}

const char *audit_na_reason(const char *id)
{
	static const struct {
		const char *id, *why;
	} r[] = {
	    {"container.swarm-mode", "an engine setting, not part of a container's config"},
	    {"container.privileged-ports",
	     "port publishing is done by the engine, outside the OCI config"},
	    {"container.open-ports",
	     "port publishing is done by the engine, outside the OCI config"},
	    {"container.host-interface",
	     "port publishing is done by the engine, outside the OCI config"},
	    {"container.restart-policy",
	     "restart policies belong to the engine, not the OCI config"},
	    {"container.exec-privileged", "decided per exec call, not by the container's config"},
	    {"container.exec-root", "decided per exec call, not by the container's config"},
	    {"container.healthcheck",
	     "health checks are run by the engine; images are audited for HEALTHCHECK"},
	    {"container.latest-image", "needs the registry's view of the image, not the config"},
	    {"container.default-bridge", "networks belong to the engine, not the OCI config"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(r); i++)
		if (!strcmp(r[i].id, id))
			return r[i].why;
	return "not decidable from this target";
}

void hull_audit_host_facts_probe(struct hull_audit_host_facts *facts)
{
	struct stat st;
	char buf[8] = "";
	FILE *f;
	facts->apparmor = false;
	f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	if (f) {
		facts->apparmor = fgets(buf, sizeof buf, f) && buf[0] == 'Y';
		fclose(f);
	}
	facts->selinux = stat("/sys/fs/selinux/enforce", &st) == 0;
	facts->storage_root = NULL;
}

unsigned hull_audit_standard_parse(const char *name)
{
	if (!strcmp(name, "cis"))
		return HULL_STD_CIS;
	if (!strcmp(name, "pss-baseline") || !strcmp(name, "baseline"))
		return HULL_STD_PSS_BASELINE;
	if (!strcmp(name, "pss-restricted") || !strcmp(name, "restricted"))
		return HULL_STD_PSS_RESTRICTED;
	if (!strcmp(name, "hull"))
		return HULL_STD_HULL;
	if (!strcmp(name, "all"))
		return HULL_STD_ALL;
	return 0;
}

const char *hull_audit_status_name(int status)
{
	static const char *const n[] = {"pass", "fail", "n/a", "manual"};
	return status >= 0 && status < 4 ? n[status] : "?";
}

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *hull_audit_severity_name(int severity)
{
	return severity >= 0 && severity < 5 ? sev_names[severity] : "?";
}

int hull_audit_severity_parse(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, sev_names[i]))
			return i;
	return -1;
}

void hull_audit_set(struct hull_audit_finding *f, int status, const char *path, const char *value,
		    const char *fmt, ...)
{
	va_list ap;
	f->status = status;
	snprintf(f->path, sizeof f->path, "%s", path ? path : "");
	snprintf(f->value, sizeof f->value, "%s", value ? value : "");
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
}

struct hull_audit_finding *hull_audit_report_add(struct hull_audit_report *r,
						 const struct hull_audit_check *c, int status)
{
	struct hull_audit_finding *f;
	if (r->n >= HULL_AUDIT_MAX_FINDINGS)
		return NULL;
	f = &r->f[r->n++];
	memset(f, 0, sizeof *f);
	f->check = c;
	f->status = status;
	return f;
}

void hull_audit_report_count(struct hull_audit_report *r)
{
	memset(r->counts, 0, sizeof r->counts);
	for (size_t i = 0; i < r->n; i++)
		if (r->f[i].status >= 0 && r->f[i].status < 4)
			r->counts[r->f[i].status]++;
}

void hull_audit_container_check(const struct hull_audit_check *c, const struct hull_spec *spec,
				const struct hull_audit_host_facts *facts,
				struct hull_audit_finding *out)
{
	memset(out, 0, sizeof *out);
	out->check = c;
	if (c->eval)
		c->eval(spec, facts, out);
	else
		hull_audit_set(out, HULL_AUDIT_NA, "", "", "not a container check");
}

void hull_audit_container(const struct hull_spec *spec, const struct hull_audit_host_facts *facts,
			  unsigned standards, struct hull_audit_report *out)
{
	memset(out, 0, sizeof *out);
	out->target = HULL_TARGET_CONTAINER;
	out->standards = standards;
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++) {
		struct hull_audit_finding *f;
		if (catalog[i].target != HULL_TARGET_CONTAINER ||
		    !(catalog[i].standards & standards))
			continue;
		f = hull_audit_report_add(out, &catalog[i], HULL_AUDIT_NA);
		if (f)
			hull_audit_container_check(&catalog[i], spec, facts, f);
	}
	hull_audit_report_count(out);
}
