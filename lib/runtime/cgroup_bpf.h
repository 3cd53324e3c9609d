/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2 has no devices controller: access is decided by a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup. hull generates it from the OCI rules. */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

/* Build the program (exposed for unit tests). Returns instruction count or -1. */
int hull_cgroup_bpf_build(const struct hull_device_rule *rules, size_t n_rules,
			  const struct hull_device *devices, size_t n_devices,
			  struct bpf_insn **out, hull_err *err);
int hull_cgroup_bpf_devices(int cgroup_fd, const struct hull_device_rule *rules, size_t n_rules,
			    const struct hull_device *devices, size_t n_devices, hull_err *err);
