/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parent <-> container-init messages over a SOCK_SEQPACKET socketpair. Errors in the child
 * travel as structured messages (errno + text) so the parent can report exactly what failed. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

enum hull_sync_type {
	HULL_SYNC_ERROR = 1,
	HULL_SYNC_GO,		/* parent -> child: proceed */
	HULL_SYNC_USERNS,	/* child -> parent: unshared a user namespace, write maps */
	HULL_SYNC_MAPS_DONE,	/* parent -> child */
	HULL_SYNC_INIT_PID,	/* grandchild -> parent: I am the init (pid via SCM_CREDENTIALS) */
	HULL_SYNC_HOOKS,	/* child -> parent: run prestart/createRuntime hooks now */
	HULL_SYNC_HOOKS_DONE,	/* parent -> child */
	HULL_SYNC_CONSOLE,	/* child -> parent: pty master (fd) */
	HULL_SYNC_LISTENER,	/* child -> parent: seccomp notify listener (fd) */
	HULL_SYNC_READY,	/* child -> parent: set up, waiting for start */
	HULL_SYNC_COMMIT,	/* parent -> child: state written, detach from the parent */
	HULL_SYNC_DETACHED,	/* child -> parent */
	HULL_SYNC_START,	/* parent -> child (run without fifo): exec now */
	HULL_SYNC_EXEC_FAILED,	/* stub -> parent: raw errno (4 bytes), not this struct */
};

struct hull_sync_msg {
	uint32_t type;
	int32_t code;
	int32_t value;
	char text[2048];
};

int hull_sync_send(int fd, uint32_t type, int32_t code, int32_t value, const char *text);
int hull_sync_send_fd(int fd, uint32_t type, int passfd);
int hull_sync_send_cred(int fd, uint32_t type);
int hull_sync_send_err(int fd, const hull_err *e);
/* Receive one message. *fd_out (if non-NULL) gets a passed fd or -1; *pid_out (if non-NULL)
 * gets the sender pid from SCM_CREDENTIALS (translated to our pid namespace) or 0.
 * Returns 0, or -1 with err set (EPIPE-like "child exited" when the peer closed). */
int hull_sync_recv(int fd, struct hull_sync_msg *m, int *fd_out, pid_t *pid_out, hull_err *err);
/* Receive and require a type; an ERROR message becomes err. */
int hull_sync_expect(int fd, uint32_t type, struct hull_sync_msg *m, int *fd_out, pid_t *pid_out,
		     hull_err *err);
