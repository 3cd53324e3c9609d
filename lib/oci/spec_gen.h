/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hull spec`: generate a config.json. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

enum hull_profile { HULL_PROFILE_HARDENED, HULL_PROFILE_RUNC };

/* The built-in pool of host ids for user namespaces: container root never maps to a host id a
 * real account uses. /etc/subuid and /etc/subgid entries for user "hull" override it. */
#define HULL_USERNS_POOL_START 1000000000u
#define HULL_USERNS_SIZE       65536u

struct hull_spec_gen_opts {
	enum hull_profile profile;
	bool rootless;
	uint32_t host_uid, host_gid; /* first host id of the user namespace (hardened) */
	const char *seccomp_json;    /* the hardened seccomp profile (JSON text) */
	const char *native_arch;     /* SCMP_ARCH_* name for "SCMP_ARCH_NATIVE" */
};

/* host_uid/host_gid: the first range of the pool (the "hull" subuid/subgid entries, else
 * HULL_USERNS_POOL_START), the mapping a static config gets. */
void hull_spec_gen_default_ids(struct hull_spec_gen_opts *o);
int hull_spec_generate(const struct hull_spec_gen_opts *o, json_object **out, hull_err *err);
/* First range of /etc/subuid (or subgid) for `user`, if any. */
int hull_subid_range(const char *file, const char *user, uint32_t *start, uint32_t *count);
int hull_profile_parse(const char *name, enum hull_profile *out);
