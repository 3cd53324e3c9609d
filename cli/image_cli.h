/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the image and launch commands (cli/image.c, cli/launch.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "image/store.h"

/* Open the store at --storage-root / HULL_STORAGE / the default; prints the error. */
int image_cli_store(struct hull_store *s);
/* The unpack limits as options of pull, import and launch. */
enum { IMAGE_OPT_MAX_LAYER = 0x1000, IMAGE_OPT_MAX_ENTRIES, IMAGE_OPT_MAX_FILE };
#define IMAGE_LIMIT_OPTIONS                                                                        \
	{"max-layer-bytes", required_argument, 0, IMAGE_OPT_MAX_LAYER},                            \
	    {"max-entries", required_argument, 0, IMAGE_OPT_MAX_ENTRIES},                          \
	{                                                                                          \
		"max-file-bytes", required_argument, 0, IMAGE_OPT_MAX_FILE                         \
	}
int image_cli_limit(int opt, const char *v, struct hull_unpack_opts *uo);
/* "64m", "1g", "4096": bytes (k, m, g are powers of 1024). */
int image_cli_size(const char *s, uint64_t *out);
/* Parse --devices reject|skip|allow. */
int image_cli_devices(const char *v, struct hull_unpack_opts *uo);
/* Pull with a progress bar on a TTY, under the trust policy (policy: --policy FILE, NULL:
 * the default files; none on the machine: no check); prints the error. */
int image_cli_pull(const char *ref, const struct hull_pull_opts *po, bool quiet,
		   const char *policy, struct hull_store *s, struct hull_image *out);
/* Is image_id used by a launched container? Its name goes to `container`. (cli/launch.c) */
int image_cli_in_use(struct hull_store *s, const char *image_id, char *container, size_t n);
/* Trust (cli/trust_hooks.c). policy is --policy FILE or NULL for /etc/hull/policy.json, then
 * /etc/containers/policy.json; with neither file present nothing is checked.
 *
 * Pull: verify ref in its registry before anything is downloaded; *pull_ref (NULL without a
 * policy) pins the verified digest; _end saves the signatures and the verification record. */
struct image_trust;
int image_cli_trust_pull_begin(struct hull_store *s, const char *policy, const char *ref,
			       const struct hull_pull_opts *po, char **pull_ref,
			       struct image_trust **t, hull_err *err);
int image_cli_trust_pull_end(struct hull_store *s, struct image_trust *t,
			     const struct hull_image *im, hull_err *err);
void image_cli_trust_free(struct image_trust *t);
/* Import: the policy of the source's transport (oci-archive, oci, docker-archive, tarball). */
int image_cli_trust_import(const char *policy, const char *source, hull_err *err);
/* Launch: re-verify the stored image (cached signatures, else its registry, reached with po's
 * registry options) against the policy; *verified_by (heap, NULL when no signature was required) names what vouched. */
struct hull_image;
int image_cli_trust_check(struct hull_store *s, const char *policy, const char *ref,
			  const struct hull_image *im, const struct hull_pull_opts *po,
			  char **verified_by, hull_err *err);
/* Launch: every layer against its integrity record, before it is mounted. */
struct hull_manifest;
struct hull_image_config;
int image_cli_integrity_check(struct hull_store *s, const struct hull_image *im,
			      const struct hull_manifest *m, const struct hull_image_config *cfg,
			      const struct hull_unpack_opts *uo, hull_err *err);
