/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/audit internals shared between the catalogue and the check implementations. */
#pragma once

#include "audit/audit.h"

#define AUDIT_EVAL(name)                                                                           \
	void audit_c_##name(const struct hull_spec *s, const struct hull_audit_host_facts *facts,  \
			    struct hull_audit_finding *f)

AUDIT_EVAL(apparmor);
AUDIT_EVAL(apparmor_unconfined);
AUDIT_EVAL(selinux);
AUDIT_EVAL(selinux_type);
AUDIT_EVAL(capabilities_baseline);
AUDIT_EVAL(capabilities_restricted);
AUDIT_EVAL(privileged);
AUDIT_EVAL(sensitive_mounts);
AUDIT_EVAL(sshd);
AUDIT_EVAL(host_network);
AUDIT_EVAL(memory_limit);
AUDIT_EVAL(cpu_priority);
AUDIT_EVAL(readonly_rootfs);
AUDIT_EVAL(host_pid);
AUDIT_EVAL(host_ipc);
AUDIT_EVAL(host_devices);
AUDIT_EVAL(ulimits);
AUDIT_EVAL(mount_propagation);
AUDIT_EVAL(host_uts);
AUDIT_EVAL(seccomp);
AUDIT_EVAL(cgroup_parent);
AUDIT_EVAL(no_new_privileges);
AUDIT_EVAL(pids_limit);
AUDIT_EVAL(user_namespace);
AUDIT_EVAL(runtime_socket);
AUDIT_EVAL(host_path_mounts);
AUDIT_EVAL(proc_mount);
AUDIT_EVAL(sysctls);
AUDIT_EVAL(volume_types);
AUDIT_EVAL(run_as_non_root);
AUDIT_EVAL(inheritable_caps);
AUDIT_EVAL(seccomp_default_deny);
AUDIT_EVAL(masked_paths);
AUDIT_EVAL(readonly_paths);
AUDIT_EVAL(sys_readonly);
AUDIT_EVAL(device_cgroup);
AUDIT_EVAL(hooks);

/* Not decidable from an OCI config: the engine (port mapping, restart policy...) owns it. */
AUDIT_EVAL(not_applicable);

/* Shared by checks and admission rules. */
uint64_t audit_caps_granted(const struct hull_spec *s);
/* Format the capabilities in mask as a JSON array into buf. */
void audit_caps_json(uint64_t mask, char *buf, size_t size);
/* A bind mount source that an engine manages per container (podman userdata, kubelet
 * configMap/secret/projected volumes, containerd sandboxes): not a user's host path. */
bool audit_engine_managed_source(const char *src);
/* True when m is a bind mount (type "bind" or a bind/rbind option). */
bool audit_mount_is_bind(const struct hull_mount *m);
/* Why the ns is the host's: NULL when the container has its own. */
const char *audit_host_namespace(const struct hull_spec *s, int type);
/* The reason text for not_applicable checks, by check id. */
const char *audit_na_reason(const char *id);
