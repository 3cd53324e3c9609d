/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mirrors, insecure and blocked registries from a containers-registries.conf(5)-style file
 * (the TOML subset those files use):
 *
 *   [[registry]]
 *   prefix = "docker.io/library"      # what references it applies to (longest prefix wins)
 *   location = "127.0.0.1:5000/lib"   # where it really is (default: the prefix)
 *   insecure = true                   # allow http and unverified TLS
 *   blocked = false
 *   [[registry.mirror]]               # tried first, in order, for pulls
 *   location = "mirror.local:5000/library"
 *   insecure = true
 *
 * plus the v1 tables [registries.insecure] / [registries.block] with `registries = [...]`.
 * Default file: $HULL_REGISTRIES_CONF, else /etc/hull/registries.conf, else
 * /etc/containers/registries.conf; a missing file means no rules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "image/ref.h"

#define HULL_REGCONF_MAX_SIZE (1u << 20)

struct hull_regconf;

struct hull_endpoint {
	char *host; /* "127.0.0.1:5000" (registry-1.docker.io for docker.io) */
	char *repo; /* repository path at that host */
	bool insecure;
	bool mirror;
};

struct hull_endpoints {
	struct hull_endpoint *v;
	size_t n;
};

int hull_regconf_parse(const char *text, size_t len, const char *what, struct hull_regconf **out,
		       hull_err *err);
int hull_regconf_load(const char *path, struct hull_regconf **out, hull_err *err);
void hull_regconf_free(struct hull_regconf *c);

/* Where to pull ref from: mirrors first, then the primary location. A blocked registry is an
 * error (kind HULL_ERR_REJECTED). */
int hull_regconf_endpoints(const struct hull_regconf *c, const struct hull_ref *ref,
			   struct hull_endpoints *out, hull_err *err);
void hull_endpoints_free(struct hull_endpoints *e);
