/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* Child side: allocate a pty from the container's own devpts (rootfd is the container root),
 * get the peer with TIOCGPTPEER (no path lookup of /dev/pts/N, CVE-2025-52565), bind it on
 * /dev/console (which must not be a symlink) and return master and slave fds. */
int hull_console_create(int rootfd, bool has_size, uint32_t rows, uint32_t cols, int *master,
			int *slave, hull_err *err);
/* Make slave the controlling terminal and stdio of the calling process (after setsid). */
int hull_console_attach(int slave, hull_err *err);
/* Parent side: send the master to a --console-socket as runc does (SCM_RIGHTS). */
int hull_console_send(const char *socket_path, int master, hull_err *err);
