/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lookaside signature storage (containers/image "sigstore"):
 *
 *   <base>/<repository path>@<algorithm>=<hex>/signature-<N>
 *
 * N counts from 1 without gaps; readers stop at the first missing one. The repository path has
 * no host ("library/busybox"). Bases are file:///dir or http(s)://host/path for reading, a
 * directory or file:///dir for writing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "trust/sigs.h"

/* Read every signature-N into set as HULL_SIG_SIMPLE. A missing first signature is no error. */
int hull_lookaside_fetch(const char *base, const char *repo_path, const char *digest,
			 bool tls_verify, struct hull_sigset *set, hull_err *err);
/* Write sig as the next signature-N; *written (may be NULL) gets the file's path. */
int hull_lookaside_write(const char *base, const char *repo_path, const char *digest,
			 const void *sig, size_t len, char **written, hull_err *err);
