/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/error.h"
#include "oci/spec.h"

/* Run every hook of a kind with the state JSON on stdin. A hook that fails, times out or
 * cannot be started makes this fail with its output in the message. */
int hull_hooks_run(const struct hull_spec *spec, int kind, const char *state_json, hull_err *err);
const char *hull_hook_kind_name(int kind);
