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
/* Pull with a progress bar on a TTY; prints the error. */
int image_cli_pull(const char *ref, const struct hull_pull_opts *po, bool quiet,
		   struct hull_store *s, struct hull_image *out);
/* Is image_id used by a launched container? Its name goes to `container`. (cli/launch.c) */
int image_cli_in_use(struct hull_store *s, const char *image_id, char *container, size_t n);
/* Check a launch against a trust policy (issue 6 provides the strong definition). */
struct hull_image;
int image_cli_trust_check(struct hull_store *s, const char *policy, const char *ref,
			  const struct hull_image *im, hull_err *err);
