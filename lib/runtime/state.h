/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container state under the state root (/run/hull/<id>/): state.json (written atomically), a
 * copy of config.json (exec and poststop hooks need it after the bundle may have changed) and
 * exec.fifo while the container is "created". Status is computed, never trusted from disk:
 * the init pid must still be the process we started (pid + start time), else "stopped". */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

#define HULL_DEFAULT_STATE_ROOT "/run/hull"
#define HULL_OCI_VERSION	"1.2.0"

struct hull_state {
	char *id;
	char *bundle;
	char *rootfs;
	pid_t pid;
	uint64_t start_time;
	char *created;
	uid_t owner;
	char *cgroup_path;
	bool systemd_cgroup;
	bool own_pidns;	  /* init is pid 1 of its own pid namespace */
	uint32_t userns_base;	/* host id allocated for the user namespace ("org.hull.userns"), 0 none */
	pid_t creator;	  /* the `hull create` still setting this up, 0 once done */
	uint64_t creator_start;
	json_object *annotations;
};

int hull_id_validate(const char *id, hull_err *err);
/* Open (creating, 0700) the state root. */
int hull_state_root_open(const char *root, hull_err *err);
/* Open a container's directory and take its lock (flock, held until the fd is closed). */
int hull_state_dir_open(int rootfd, const char *id, bool lock, hull_err *err);
int hull_state_load(int dirfd, struct hull_state *st, hull_err *err);
int hull_state_save(int dirfd, const struct hull_state *st, hull_err *err);
void hull_state_release(struct hull_state *st);

/* "creating", "created", "running", "paused" or "stopped". */
const char *hull_state_status(const struct hull_state *st, int dirfd);
/* The OCI state object (ociVersion, id, status, pid, bundle, annotations) plus runc's extra
 * fields (rootfs, created, owner) when extra. */
json_object *hull_state_to_json(const struct hull_state *st, const char *status, bool extra);

uint64_t hull_proc_start_time(pid_t pid, char *state_char);
bool hull_proc_is(pid_t pid, uint64_t start_time);
