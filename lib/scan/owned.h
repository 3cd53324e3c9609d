/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which OS package owns a file. A Python module, jar or Go binary shipped by the distribution
 * (python3-requests puts requests-2.28.1.egg-info under /usr/lib/python3/dist-packages) is
 * patched by the distribution: matching it against PyPI advisories reports fixes Debian already
 * backported (grype #2314). Such language packages stay in the SBOM, marked with their owner,
 * and are matched through their OS package only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct hull_owned;

struct hull_owned *hull_owned_new(void);
void hull_owned_free(struct hull_owned *o);
/* path: absolute ("/usr/bin/x"), n bytes; owner copied ("deb:python3-requests"). */
int hull_owned_add(struct hull_owned *o, const char *path, size_t n, const char *owner);
/* A copy of owner that lives as long as the map (for hull_owned_add). */
const char *hull_owned_intern(struct hull_owned *o, const char *owner);
/* The owner of path, or NULL. */
const char *hull_owned_get(const struct hull_owned *o, const char *path);
size_t hull_owned_count(const struct hull_owned *o);

/* var/lib/dpkg/info/PKG[:arch].list: one absolute path per line. */
int hull_owned_add_dpkg_list(struct hull_owned *o, const char *pkg, const char *data, size_t len,
			     hull_err *err);
/* lib/apk/db/installed: "P:" names the package, "F:" a directory, "R:" a file in it. */
int hull_owned_add_apk_db(struct hull_owned *o, const char *data, size_t len, hull_err *err);
