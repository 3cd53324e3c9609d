/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the container process is: user, groups, capabilities, rlimits, scheduling. */
#pragma once

#include <stdbool.h>

#include "core/error.h"
#include "oci/spec.h"

int hull_rlimits_apply(const struct hull_process *p, hull_err *err);
int hull_sched_apply(const struct hull_process *p, hull_err *err);
/* Switch to the process user and capability sets (bounding first, then uid/gid with
 * KEEPCAPS, then permitted/effective/inheritable, then ambient). */
int hull_identity_apply(const struct hull_process *p, hull_err *err);
int hull_no_new_privs(hull_err *err);
