/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroups on v1, v2 and hybrid hosts, as found in /proc/self/mountinfo. Each resource goes to
 * the hierarchy that owns its controller: a v1 mount when the controller is bound there, else the
 * unified (v2) tree when the controller is available there. On this project's machines that means
 * memory, pids, cpu... on v1 and hugetlb on the cgroup2 tree at /sys/fs/cgroup/unified. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

enum hull_cgroup_mode { HULL_CGROUP_NONE, HULL_CGROUP_V1, HULL_CGROUP_V2, HULL_CGROUP_HYBRID };

#define HULL_CGROUP_MAX_V1 24

struct hull_cgroup_v1 {
	char *mount;       /* /sys/fs/cgroup/memory */
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd" */
	int dirfd;         /* the container's directory, -1 when not open */
};

struct hull_cgroups {
	int mode;
	struct hull_cgroup_v1 v1[HULL_CGROUP_MAX_V1];
	size_t n_v1;
	char *v2_mount;	       /* NULL when there is no cgroup2 mount */
	char v2_available[256]; /* cgroup.controllers of the v2 root */
	int v2_dirfd;
	char *path;	       /* container path relative to each hierarchy root, "/hull/c1" */
};

int hull_cgroups_detect(struct hull_cgroups *cg, hull_err *err);
void hull_cgroups_release(struct hull_cgroups *cg);
const char *hull_cgroup_mode_name(int mode);

/* Container cgroup path from config: absolute or relative (both taken from the hierarchy root),
 * systemd "slice:prefix:name" when systemd is true, or the default "/hull/<id>". */
char *hull_cgroup_path_for(const char *cgroups_path, const char *id, bool systemd, hull_err *err);

/* Create the directories (mkdir -p) in every hierarchy and open them. */
int hull_cgroups_create(struct hull_cgroups *cg, const char *path, hull_err *err);
/* Open existing directories (for state operations); missing ones are skipped. */
int hull_cgroups_open(struct hull_cgroups *cg, const char *path, hull_err *err);
/* Write limits. devices are the linux.devices entries, allowed in addition to the rules. */
int hull_cgroups_apply(struct hull_cgroups *cg, const struct hull_resources *r,
		       const struct hull_device *devices, size_t n_devices, bool update,
		       hull_err *err);
int hull_cgroups_enter(struct hull_cgroups *cg, pid_t pid, hull_err *err);
/* Kill what is left and remove the directories. Missing directories are not an error. */
int hull_cgroups_destroy(struct hull_cgroups *cg, hull_err *err);
int hull_cgroups_pids(struct hull_cgroups *cg, pid_t **pids, size_t *n, hull_err *err);
int hull_cgroups_signal_all(struct hull_cgroups *cg, int sig, hull_err *err);
int hull_cgroups_freeze(struct hull_cgroups *cg, bool freeze, hull_err *err);
/* "paused" state: true when frozen. */
bool hull_cgroups_frozen(struct hull_cgroups *cg);
/* runc-style stats object for `events --stats`. */
int hull_cgroups_stats(struct hull_cgroups *cg, json_object **out, hull_err *err);
