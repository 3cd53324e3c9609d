/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI runtime-spec configuration (config.json, runtime-spec 1.x) as C types.
 * Parsing is strict about types and values and lenient about unknown members (newer 1.x
 * documents must load). Every error names the JSON path: ".linux.namespaces[2].type". */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/error.h"

#define HULL_SPEC_MAX_SIZE (4u << 20) /* config.json larger than 4 MiB is refused */

struct hull_idmap {
	uint32_t container_id, host_id, size;
};

/* Mount flags that the kernel applies per mount (MOUNT_ATTR_* / MS_*) split from the
 * filesystem data string. */
struct hull_mount {
	char *destination, *type, *source;
	char **options; /* as written */
	size_t n_options;
	/* derived from options */
	unsigned long ms_flags;     /* MS_RDONLY, MS_NOSUID, ... set on the mount */
	unsigned long ms_clear;     /* flags explicitly cleared (rw, suid, ...) */
	unsigned long propagation;  /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE [|MS_REC] */
	uint64_t rec_attr_set;      /* MOUNT_ATTR_* applied recursively (rro, rnosuid, ...) */
	uint64_t rec_attr_clr;
	bool bind, rbind, tmpcopyup, idmap, ridmap;
	char *data; /* remaining filesystem options, comma-joined, or NULL */
	struct hull_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

struct hull_rlimit {
	int resource;
	const char *name;
	uint64_t soft, hard;
};

enum { HULL_CAP_BOUNDING, HULL_CAP_EFFECTIVE, HULL_CAP_INHERITABLE, HULL_CAP_PERMITTED,
       HULL_CAP_AMBIENT, HULL_CAP_NSETS };

struct hull_caps {
	uint64_t set[HULL_CAP_NSETS];
	bool present[HULL_CAP_NSETS];
};

struct hull_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* informational */
};

struct hull_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct hull_user user;
	char **args; /* NULL-terminated */
	char **env;  /* NULL-terminated */
	char *cwd;
	bool has_caps;
	struct hull_caps caps;
	struct hull_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile, *selinux_label;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_io_priority;
	int io_priority_class, io_priority;
	bool has_scheduler;
	int sched_policy, sched_nice, sched_priority;
	uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
	char *exec_cpu_affinity_initial, *exec_cpu_affinity_final;
};

struct hull_namespace {
	int type; /* CLONE_NEW* */
	const char *name;
	char *path; /* join when non-NULL */
};

struct hull_device {
	char type; /* 'c', 'b', 'u', 'p' */
	char *path;
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t mode, uid, gid;
};

struct hull_device_rule {
	bool allow;
	char type;            /* 'a', 'b', 'c' */
	int64_t major, minor; /* -1 = wildcard */
	char access[4];       /* subset of "rwm" */
};

struct hull_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct hull_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct hull_hugepage_limit {
	char *page_size;
	uint64_t limit;
};

struct hull_kv {
	char *key, *value;
};

struct hull_resources {
	struct hull_device_rule *devices;
	size_t n_devices;
	/* memory */
	bool has_mem_limit, has_mem_reservation, has_mem_swap, has_mem_kernel, has_mem_kernel_tcp,
		has_mem_swappiness, has_disable_oom_killer, has_use_hierarchy,
		has_check_before_update;
	int64_t mem_limit, mem_reservation, mem_swap, mem_kernel, mem_kernel_tcp;
	uint64_t mem_swappiness;
	bool disable_oom_killer, use_hierarchy, check_before_update;
	/* cpu */
	bool has_cpu_shares, has_cpu_quota, has_cpu_burst, has_cpu_period, has_cpu_rt_runtime,
		has_cpu_rt_period, has_cpu_idle;
	uint64_t cpu_shares, cpu_period, cpu_rt_period, cpu_burst;
	int64_t cpu_quota, cpu_rt_runtime, cpu_idle;
	char *cpu_cpus, *cpu_mems;
	/* pids */
	bool has_pids_limit;
	int64_t pids_limit;
	/* blkio */
	bool has_blkio_weight, has_blkio_leaf_weight;
	uint16_t blkio_weight, blkio_leaf_weight;
	struct hull_weight_device *weight_devices;
	size_t n_weight_devices;
	struct hull_throttle_device *throttle[4]; /* read bps, write bps, read iops, write iops */
	size_t n_throttle[4];
	struct hull_hugepage_limit *hugepages;
	size_t n_hugepages;
	/* network (v1 net_cls/net_prio) */
	bool has_net_class_id;
	uint32_t net_class_id;
	struct hull_kv *net_priorities; /* value is the priority as text */
	size_t n_net_priorities;
	/* cgroup v2 unified key/values */
	struct hull_kv *unified;
	size_t n_unified;
};

enum hull_seccomp_op { HULL_SCMP_NE = 1, HULL_SCMP_LT, HULL_SCMP_LE, HULL_SCMP_EQ, HULL_SCMP_GE,
		       HULL_SCMP_GT, HULL_SCMP_MASKED_EQ };

struct hull_seccomp_arg {
	uint32_t index;
	uint64_t value, value_two;
	int op; /* enum hull_seccomp_op */
};

struct hull_seccomp_rule {
	char **names; /* NULL-terminated */
	char *action; /* SCMP_ACT_* */
	bool has_errno;
	uint32_t errno_ret;
	struct hull_seccomp_arg *args;
	size_t n_args;
};

struct hull_seccomp {
	char *default_action;
	bool has_default_errno;
	uint32_t default_errno;
	char **architectures; /* SCMP_ARCH_* */
	char **flags;         /* SECCOMP_FILTER_FLAG_* */
	char *listener_path, *listener_metadata;
	struct hull_seccomp_rule *rules;
	size_t n_rules;
};

struct hull_hook {
	char *path;
	char **args, **env;
	bool has_timeout;
	int timeout;
};

enum { HULL_HOOK_PRESTART, HULL_HOOK_CREATE_RUNTIME, HULL_HOOK_CREATE_CONTAINER,
       HULL_HOOK_START_CONTAINER, HULL_HOOK_POSTSTART, HULL_HOOK_POSTSTOP, HULL_HOOK_NKINDS };

struct hull_time_offset {
	int clock; /* CLOCK_MONOTONIC / CLOCK_BOOTTIME */
	int64_t secs;
	uint32_t nanosecs;
};

struct hull_spec {
	hull_arena arena;
	char *oci_version;
	struct hull_process *process; /* NULL when absent (allowed for create-only configs) */
	char *root_path;
	bool root_readonly;
	char *hostname, *domainname;
	bool has_hostname, has_domainname;
	struct hull_mount *mounts;
	size_t n_mounts;
	struct hull_hook *hooks[HULL_HOOK_NKINDS];
	size_t n_hooks[HULL_HOOK_NKINDS];
	struct hull_kv *annotations;
	size_t n_annotations;

	bool has_linux;
	struct hull_namespace *namespaces;
	size_t n_namespaces;
	struct hull_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct hull_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct hull_resources resources;
	struct hull_kv *sysctl;
	size_t n_sysctl;
	struct hull_seccomp *seccomp;
	unsigned long rootfs_propagation; /* MS_* or 0 */
	char **masked_paths, **readonly_paths;
	char *mount_label;
	bool has_personality;
	unsigned long personality;
	struct hull_time_offset *time_offsets;
	size_t n_time_offsets;
};

/* Parse config.json text. `what` names the source in errors. On success *out must be released
 * with hull_spec_free. */
int hull_spec_parse(const char *data, size_t len, const char *what, struct hull_spec **out,
		    hull_err *err);
/* Read and parse DIR/config.json relative to bundle_fd. */
int hull_spec_load(int bundle_fd, struct hull_spec **out, hull_err *err);
void hull_spec_free(struct hull_spec *spec);

/* Parse a process object (process.json for `exec --process`). Allocated in arena. */
int hull_process_parse(hull_arena *arena, json_object *obj, const char *what,
		       struct hull_process **out, hull_err *err);

/* Parse a linux.resources object (`update --resources FILE`). */
int hull_resources_parse(hull_arena *arena, json_object *obj, const char *what,
			 struct hull_resources *out, hull_err *err);

/* Lookups. */
const struct hull_namespace *hull_spec_namespace(const struct hull_spec *s, int type);
const char *hull_spec_annotation(const struct hull_spec *s, const char *key);

/* Names <-> values. */
int hull_cap_from_name(const char *name);       /* -1 if unknown */
const char *hull_cap_name(int cap);              /* "CAP_CHOWN" */
int hull_rlimit_from_name(const char *name);    /* RLIMIT_*, -1 if unknown */
int hull_namespace_from_name(const char *name); /* CLONE_NEW*, 0 if unknown */
const char *hull_namespace_name(int type);      /* "pid", "network", ... */
int hull_cap_last_cap(void);                     /* from /proc/sys/kernel/cap_last_cap */

/* Parse one mount option into m (shared with exec/update paths and tests). Returns 1 when
 * the option was a flag, 0 when it belongs to the filesystem data string. */
int hull_mount_option_parse(const char *opt, struct hull_mount *m);

/* A canonical text form of the seccomp profile (independent of JSON layout, member order
 * and unknown members): the key for the compiled-filter cache. Caller frees. */
char *hull_seccomp_canonical(const struct hull_seccomp *s, size_t *len);
