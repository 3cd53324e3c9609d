/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-container user namespace ranges, like podman --userns=auto: a container whose config
 * carries the annotation org.hull.userns=auto gets a host range of its own, so two containers
 * never share host uids (a breakout from one cannot touch the other's files). The pool is the
 * "hull" entry of /etc/subuid and /etc/subgid, else a built-in range starting at 1000000000. */
#pragma once

#include <stdint.h>

#include "core/error.h"

#define HULL_ANNOTATION_USERNS	      "org.hull.userns"
#define HULL_ANNOTATION_ROOTFS_IDMAP "org.hull.rootfs.idmap"
#define HULL_ANNOTATION_LANDLOCK      "org.hull.landlock"
#define HULL_ANNOTATION_TIOCSTI       "org.hull.tiocsti"

/* Pick the range for container `id` (under an flock of the state root): its reservation if it
 * has one, else the lowest range no container and no reservation holds. The caller records it
 * in state.json before releasing *lockfd. */
int hull_userns_allocate(int rootfd, const char *id, uint32_t size, uint32_t *base, int *lockfd,
			 hull_err *err);

/* Reserve a range for a container that does not exist yet (hull launch must chown its upper
 * dir to the container's root before create): <root>/.userns/<id> holds the base, create's
 * allocation takes it, delete releases it. Reserving twice returns the same base. */
int hull_userns_reserve(int rootfd, const char *id, uint32_t *base, hull_err *err);
void hull_userns_release(int rootfd, const char *id);
/* A user namespace mapping 0..size-1 to host_uid/host_gid, as an fd (for idmapped mounts made
 * before the container exists). */
int hull_userns_make_fd(uint32_t host_uid, uint32_t host_gid, uint32_t size, hull_err *err);
