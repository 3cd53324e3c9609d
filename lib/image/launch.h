/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hull launch`: an image from the store becomes a running container. This file holds the
 * library half: launched-container records in the store (containers/<id>/meta.json, upper and
 * work dirs, log), the overlay rootfs, and the hardened runtime spec derived from the image
 * config. The runtime (lib/runtime) then runs it in-process. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "image/store.h"

enum hull_launch_net { HULL_NET_PRIVATE, HULL_NET_NONE, HULL_NET_HOST };

struct hull_launch_opts {
	const char *name;     /* NULL: generated */
	char **cmd;	      /* replaces the image's Cmd (NULL: keep) */
	char **entrypoint;    /* replaces the image's Entrypoint (NULL: keep) */
	char **env;	      /* extra K=V, applied last */
	char **volumes;	      /* SRC:DST[:ro|rw] */
	const char *user;     /* USER[:GROUP] names or ids (NULL: the image's User) */
	const char *workdir;  /* NULL: the image's WorkingDir */
	const char *hostname; /* NULL: the name */
	bool read_only, terminal, detach, rm;
	int64_t memory;	    /* bytes; 0: no limit */
	int64_t pids_limit; /* 0: the hardened default */
	enum hull_launch_net network;
};

/* A launched container's record (containers/<id>/meta.json). */
struct hull_launched {
	char *id, *name, *image_id, *image_ref, *created, *status, *command;
	int exit_code; /* -1 unknown */
	bool rm, detach;
	char **layers; /* DiffIDs, bottom first */
	char *dir;     /* absolute containers/<id> */
};

void hull_launched_clear(struct hull_launched *c);

/* Create containers/<id>/ with upper, work, rootfs and meta.json; the name must be unique. */
int hull_launch_create(struct hull_store *s, const struct hull_image *im, const char *image_ref,
		       const struct hull_launch_opts *o, struct hull_launched *out, hull_err *err);
/* Rewrite meta.json (status, exit code). */
int hull_launch_save(struct hull_store *s, const struct hull_launched *c, hull_err *err);
/* Find by id, id prefix (>= 4) or name. */
int hull_launch_find(struct hull_store *s, const char *what, struct hull_launched *out,
		     hull_err *err);
/* All records (caller frees each and the array). */
int hull_launch_list(struct hull_store *s, struct hull_launched **out, size_t *n, hull_err *err);
/* Remove containers/<id> (the rootfs must not be mounted in this namespace any more). */
int hull_launch_remove(struct hull_store *s, const struct hull_launched *c, hull_err *err);
/* Lock one container (launch monitor, stop, rm). */
int hull_launch_lock(struct hull_store *s, const char *id, bool wait, hull_err *err);

/* Move this process into a private mount namespace (so the overlay disappears with it, even on
 * a crash) and mount the overlay of the container's layers on containers/<id>/rootfs. The upper
 * and work dirs are given to host_uid:host_gid (the container's root). */
int hull_launch_mount(struct hull_store *s, const struct hull_launched *c, uint32_t host_uid,
		      uint32_t host_gid, hull_err *err);
int hull_launch_umount(const struct hull_launched *c);

/* The first host ids of the spec's user namespace (uid/gid maps of container id 0), so the
 * upper dir can be handed to the container's root. Returns -1 without a user namespace. */
int hull_spec_root_ids(json_object *spec, uint32_t *uid, uint32_t *gid);

/* Adjust a generated hardened spec (hull_spec_generate) for the image and options: process
 * args/env/cwd/user/terminal from the image config and flags, root path, binds, limits,
 * network, hostname, annotations. The user is resolved in the mounted rootfs (rootfd) through
 * its /etc/passwd and /etc/group, read fd-relative and size-capped. */
struct hull_image_config;
int hull_launch_spec(json_object *spec, const struct hull_image_config *cfg,
		     const struct hull_launched *c, const struct hull_launch_opts *o, int rootfd,
		     hull_err *err);
