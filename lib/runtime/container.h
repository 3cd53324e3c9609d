/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime's public API: the runc-compatible container lifecycle. The CLI (and `hull
 * launch`) call these; they never print. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

/* Admission control: called by create/run (and so for podman, containerd, Kubernetes and
 * `hull launch`) after config.json is parsed and before anything is created. Returning < 0
 * refuses the container; err says why. */
typedef int (*hull_admission_fn)(const struct hull_spec *spec, const char *id, const char *bundle,
				 void *data, hull_err *err);

struct hull_runtime {
	const char *state_root; /* default /run/hull */
	bool systemd_cgroup;
	int rootless;		/* -1 auto, 0, 1 */
	int rootfd;		/* opened lazily */
	hull_admission_fn admission;
	void *admission_data;
};

struct hull_create_opts {
	const char *id;
	const char *bundle;	   /* directory holding config.json */
	const char *pid_file;	   /* NULL for none */
	const char *console_socket; /* NULL for none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	/* When set, this config (JSON text) instead of bundle/config.json (launch); saved with the
	 * state like a bundle's, so exec and delete find it. */
	const char *config;
	size_t config_len;
};

int hull_runtime_init(struct hull_runtime *rt, const char *state_root, hull_err *err);
void hull_runtime_release(struct hull_runtime *rt);

int hull_container_create(struct hull_runtime *rt, const struct hull_create_opts *o, hull_err *err);
int hull_container_start(struct hull_runtime *rt, const char *id, hull_err *err);
/* create + start; when detach is false, wait for the container, forward signals (and proxy a
 * terminal when no console socket is given), delete it and return its exit status in *status
 * (128+N when killed by signal N). */
int hull_container_run(struct hull_runtime *rt, const struct hull_create_opts *o, bool detach,
		       int *status, hull_err *err);
int hull_container_kill(struct hull_runtime *rt, const char *id, int sig, bool all, hull_err *err);
int hull_container_delete(struct hull_runtime *rt, const char *id, bool force, hull_err *err);
/* Reserve the user namespace range a later create of `id` with org.hull.userns=auto will get
 * (for callers that must chown files to the container's root first); delete releases it, and
 * so does hull_container_unreserve for a container that was never created. */
int hull_container_reserve_userns(struct hull_runtime *rt, const char *id, uint32_t *base,
				  hull_err *err);
void hull_container_unreserve(struct hull_runtime *rt, const char *id);
int hull_container_state(struct hull_runtime *rt, const char *id, json_object **out, hull_err *err);
int hull_container_list(struct hull_runtime *rt, json_object **out, hull_err *err);
int hull_container_pause(struct hull_runtime *rt, const char *id, bool pause, hull_err *err);

/* Parse a signal name ("KILL", "SIGKILL", "9"). Returns -1 when unknown. */
int hull_signal_parse(const char *s);

/* `hull exec`: run a process in a running container. Without process_file, the process is the
 * container's (from its saved config) with args and the overrides below. */
struct hull_exec_opts {
	const char *id;
	const char *process_file; /* process.json */
	char **args;		  /* NULL-terminated; required without process_file */
	const char *cwd;
	char **env;		  /* extra KEY=VALUE, replacing same keys */
	bool has_user, has_gid;
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char **caps;		  /* extra capabilities (bounding, effective, permitted) */
	bool no_new_privs;
	int tty;		  /* -1 keep, 0 no, 1 yes */
	bool detach;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool ignore_paused;
};

int hull_container_exec(struct hull_runtime *rt, const struct hull_exec_opts *o, int *status,
			hull_err *err);
