/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenPGP "simple signing" (containers/image, skopeo) through gpgme.
 *
 * Verification never touches the user's keyring: like containers/image, the policy's keys are
 * imported into an ephemeral GNUPGHOME (a 0700 temporary directory, removed afterwards) and a
 * signature is accepted only when gpg reports it good and its key is one of those imported.
 * A signature is an OpenPGP signed message (not detached) whose literal data is the atomic
 * payload (payload.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HULL_GPG_SIG_MAX (64u << 10) /* one signature file */
#define HULL_GPG_FPR_MAX 128

struct hull_gpg_ring;

/* Import keys (armored or binary public keys, one keyring blob each) into a fresh ephemeral
 * keyring. Returns -1 when gpg cannot run; a ring with no key imported is not an error here
 * (hull_gpg_ring_keys says 0). */
int hull_gpg_ring_open(const unsigned char *const *keys, const size_t *lens, size_t n,
		       struct hull_gpg_ring **out, hull_err *err);
size_t hull_gpg_ring_keys(const struct hull_gpg_ring *r);
void hull_gpg_ring_close(struct hull_gpg_ring *r);

/* 1: a good signature by an imported key; *plain gets the signed data (heap, NUL-terminated)
 * and fpr the signing key's primary fingerprint. 0: rejected, *why says why (heap). -1: gpg
 * failed to run. */
int hull_gpg_verify(struct hull_gpg_ring *r, const void *msg, size_t len, char **plain,
		    size_t *plain_len, char fpr[HULL_GPG_FPR_MAX], char **why, hull_err *err);

/* Sign data with the secret key `fingerprint` from the user's keyring (GNUPGHOME). A
 * passphrase (may be NULL: gpg-agent asks) is given to gpg in loopback mode. */
int hull_gpg_sign(const char *fingerprint, const char *passphrase, const void *data, size_t len,
		  unsigned char **sig, size_t *sig_len, hull_err *err);
