/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Seccomp: compile an OCI seccomp profile with libseccomp, cache the compiled BPF, install it.
 *
 * Compiling a Docker-sized profile with libseccomp costs ~40 ms (that is most of crun's start-up
 * time with podman's config). hull compiles once and caches the BPF under the state root, keyed
 * by a hash of the profile's canonical form, the architecture and the libseccomp version. A
 * cache entry stores the canonical profile itself, which is compared byte for byte on load, so a
 * hash collision can never hand a container another profile's filter; the BPF carries its own
 * checksum and the directory and files must be root-owned and not writable by others. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "oci/spec.h"

struct hull_seccomp_filter {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned int flags;	/* SECCOMP_FILTER_FLAG_* to pass at install time */
	bool needs_listener;	/* profile uses SCMP_ACT_NOTIFY */
	bool from_cache;
};

/* Compile (or fetch from cache_dir_fd when >= 0) the filter for profile. */
int hull_seccomp_prepare(const struct hull_seccomp *profile, int cache_dir_fd,
			 struct hull_seccomp_filter *out, hull_err *err);
/* Install in the calling thread. Returns the listener fd when the profile asks for one
 * (SCMP_ACT_NOTIFY), 0 otherwise, -1 on error. Async-signal-safe apart from err formatting. */
int hull_seccomp_install(const struct hull_seccomp_filter *f, hull_err *err);
void hull_seccomp_filter_free(struct hull_seccomp_filter *f);

/* libseccomp's optimisation level for compiles (1 = linear, 2 = binary tree). For benchmarks;
 * HULL_SECCOMP_OPTIMIZE in the environment sets it too. */
void hull_seccomp_set_optimize(int level);

/* A second filter, stacked on the container's profile, refusing the terminal-injection ioctls
 * TIOCSTI and TIOCLINUX (CVE-2017-5226 class: a container attached to the caller's terminal
 * could type commands into it). It cannot be part of an allow-list profile: libseccomp lets an
 * unconditional allow of ioctl win, and 64-bit comparisons are bypassed with high bits, so it
 * is a default-allow filter matching the low 32 bits. The kernel applies the strictest result
 * of all filters. Selected by the annotation org.hull.tiocsti=deny. */
int hull_seccomp_prepare_tiocsti(int cache_dir_fd, struct hull_seccomp_filter *out, hull_err *err);

/* The hardened default profile shipped in the binary (data/seccomp/hardened.json). */
extern const unsigned char hull_seccomp_hardened_json[];
extern const size_t hull_seccomp_hardened_json_len;
/* The native SCMP_ARCH_* name of this build ("SCMP_ARCH_X86_64"). */
const char *hull_seccomp_native_arch(void);
