/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock for the container: file access confined to beneath the container's root. Applied
 * by the init after pivot_root, so a host directory fd that leaked into the container (the
 * CVE-2024-21626 class) cannot be used to open anything, and /proc/PID/root of processes in
 * other mount namespaces leads nowhere. Signal and abstract-socket scoping are not used: they
 * would cut `hull exec` processes (a sibling domain) off from the container's own. */
#pragma once

#include "core/error.h"

/* The Landlock ABI version of this kernel, 0 when Landlock is unavailable. */
int hull_landlock_abi(void);
/* Restrict the calling process (needs no_new_privs or CAP_SYS_ADMIN). Returns 0 when applied,
 * 1 when the kernel has no Landlock (nothing done), -1 on error. */
int hull_landlock_confine_to_root(hull_err *err);
