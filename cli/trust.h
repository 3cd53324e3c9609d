/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the trust commands (cli/trust.c) and the hooks the image and launch commands
 * call (cli/trust_hooks.c). */
#pragma once

#include <stdbool.h>

#include "core/error.h"
#include "image/store.h"
#include "trust/key.h"

/* Passphrase from HULL_PASSWORD, else a prompt on the terminal without echo. */
int trust_cli_password(void *ud, bool confirm, char **pw, hull_err *err);

/* Check every layer of a stored image against its integrity record; a layer unpacked before
 * records existed is compared with a fresh unpack of its verified blob and sealed. `report`
 * (may be NULL) receives one line per layer. */
struct hull_manifest;
struct hull_image_config;
struct hull_unpack_opts;
int trust_cli_layers_check(struct hull_store *s, const struct hull_manifest *m,
			   const struct hull_image_config *cfg, const struct hull_unpack_opts *uo,
			   bool verbose, hull_err *err);
