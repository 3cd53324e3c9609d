/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* registries.d (containers-registries.d(5)): where signatures of an image live.
 *
 *   default-docker:
 *     lookaside: https://sigs.example.com          # read (and write unless -staging is set)
 *     lookaside-staging: file:///srv/sigstore      # write
 *     use-sigstore-attachments: true               # cosign-format signatures in the registry
 *   docker:
 *     registry.example.com/ns:
 *       lookaside: file:///var/lib/sigs
 *
 * Every *.yaml file of the directory is read (the old names sigstore / sigstore-staging are
 * accepted); a scope defined twice, in one file or across files, is an error. The most
 * specific scope that sets a value wins (identity, namespaces, host, *.domain, then
 * default-docker), as in containers/image. Unknown members are errors (a misspelt
 * "lookaside" silently ignored would lose every signature). The directory: --registries.d,
 * else $HULL_REGISTRIES_D, else ~/.config/containers/registries.d when it exists, else
 * /etc/containers/registries.d; a missing directory means no configuration. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "image/ref.h"

#define HULL_REGD_FILE_MAX  (1u << 20)
#define HULL_REGD_MAX_FILES 256
#define HULL_REGD_DIR	    "/etc/containers/registries.d"

struct hull_regd;

/* Parse one file's text into c (created when *c is NULL), merging. */
int hull_regd_parse(const char *text, size_t len, const char *what, struct hull_regd **c,
		    hull_err *err);
int hull_regd_load(const char *dir, struct hull_regd **out, hull_err *err);
void hull_regd_free(struct hull_regd *c);

/* The lookaside base for ref ("file:///...", "https://..."), without the repository path;
 * NULL when nothing is configured (the caller applies the built-in default). */
const char *hull_regd_lookaside(const struct hull_regd *c, const struct hull_ref *ref, bool write);
/* use-sigstore-attachments for ref: 1 / 0 when configured, -1 when no scope sets it. */
int hull_regd_use_attachments(const struct hull_regd *c, const struct hull_ref *ref);

/* The built-in lookaside: file:///var/lib/containers/sigstore for root, else
 * file://$HOME/.local/share/containers/sigstore (as containers/image). Caller frees. */
char *hull_lookaside_default(void);
