/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the parent side (container.c, exec.c) and the container init (init.c). */
#pragma once

#include <signal.h>

#include <stdbool.h>
#include <sys/types.h>

#include "oci/spec.h"
#include "runtime/cgroup.h"
#include "runtime/mounts.h"
#include "runtime/seccomp.h"

enum hull_init_mode { HULL_INIT_CREATE, HULL_INIT_RUN, HULL_INIT_EXEC };

struct hull_ns_join {
	int type; /* CLONE_NEW* */
	int fd;
};

struct hull_init_args {
	enum hull_init_mode mode;
	const struct hull_spec *spec;
	const struct hull_process *process;
	const char *id;
	const char *bundle; /* absolute */
	const char *rootfs; /* absolute host path of root.path */
	int sync_fd;	    /* child end */
	struct hull_premounts *premounts; /* rootfs and bind sources, cloned by the parent */
	int fifo_fd;	    /* O_PATH to exec.fifo (create mode), else -1 */
	const struct hull_seccomp_filter *filter; /* NULL: no seccomp */
	const struct hull_seccomp_filter *filter2; /* stacked extra filter (TIOCSTI), or NULL */
	struct hull_cgroups *cg;
	bool no_pivot, no_new_keyring;
	int preserve_fds;
	unsigned new_ns;    /* CLONE_NEW* flags to create */
	bool userns;	    /* the container has its own (new or joined) user namespace */
	struct hull_ns_join joins[8];
	int n_joins;
	bool stage1;	    /* slow path: set namespaces up after clone, maybe fork again */
	int exec_pidfd;	    /* exec: pidfd of the container init to setns into, else -1 */
};

/* The container init (or exec helper). Never returns. */
__attribute__((noreturn)) void hull_init_main(struct hull_init_args *a);

/* Sysctl keys the container may set given its namespaces. */
int hull_sysctl_check(const struct hull_spec *s, const char *key, hull_err *err);

/* Parent-side helpers shared by container.c and exec.c. */
struct hull_state;
int hull_open_verified_pidfd(const struct hull_state *st);
struct hull_spec *hull_load_saved_config(int dirfd, hull_err *err);
int hull_load_cgroups(const struct hull_state *st, struct hull_cgroups *cg, hull_err *err);
int hull_write_pid_file(const char *path, pid_t pid, hull_err *err);
int hull_wait_exec(int sync_fd, hull_err *err);
int hull_proxy_and_wait(pid_t pid, int console, const sigset_t *old, int *status, hull_err *err);
void hull_forwarded_signals(sigset_t *mask);
uint32_t hull_host_id(const struct hull_idmap *m, size_t n, uint32_t id);
bool tiocsti_denied(const struct hull_spec *spec);
