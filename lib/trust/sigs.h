/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signatures found for one image, as fetched and before any check: cosign-format
 * ("sigstore") signatures from the registry's sha256-<hex>.sig tag, GPG simple signatures from
 * lookaside storage, sigstore bundles from OCI referrers. Nothing here is trusted; policy.c
 * verifies. A set is also what the store keeps next to an image so that `hull launch`
 * re-verifies offline (record.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define HULL_MAX_SIGNATURES   64	 /* evaluated per kind and image; more are ignored */
#define HULL_SIGSET_JSON_MAX  (8u << 20) /* a stored set */

enum hull_sig_kind {
	HULL_SIG_SIGSTORE, /* cosign simple-signing payload + signature (annotation) */
	HULL_SIG_SIMPLE,   /* an OpenPGP signed message around an atomic payload */
	HULL_SIG_BUNDLE,   /* a sigstore bundle (DSSE, in-toto statement) */
	HULL_SIG_KINDS
};

struct hull_sig {
	int kind;	  /* enum hull_sig_kind */
	char *source;	  /* where it came from, for messages */
	char *media_type; /* sigstore: the layer's media type */
	unsigned char *data; /* sigstore: payload bytes; simple: OpenPGP message; bundle: JSON */
	size_t data_len;
	unsigned char *sig; /* sigstore: the decoded signature */
	size_t sig_len;
	char *problem; /* unusable as fetched (bad base64, too large): the reason */
};

struct hull_sigset {
	struct hull_sig *v;
	size_t n;
	unsigned loaded;	  /* bit (1 << kind): that kind was looked for */
	size_t other_attachments; /* sigstore layers that are not signatures */
	size_t ignored;		  /* beyond HULL_MAX_SIGNATURES */
};

void hull_sigset_free(struct hull_sigset *s);
/* Append a copy; data/sig may be NULL. Returns the new entry or NULL on OOM. */
struct hull_sig *hull_sigset_add(struct hull_sigset *s, int kind, const char *source,
				 const char *media_type, const void *data, size_t data_len,
				 const void *sig, size_t sig_len, const char *problem);
size_t hull_sigset_count(const struct hull_sigset *s, int kind);

/* Serialised form (JSON, base64 bytes) for the store. */
char *hull_sigset_to_json(const struct hull_sigset *s);
int hull_sigset_from_json(const char *data, size_t len, struct hull_sigset *out, hull_err *err);

/* Make sure signatures of `kind` are in the set: fetch, read a cache, or nothing. */
struct hull_sig_loader {
	int (*load)(void *ctx, int kind, struct hull_sigset *set, hull_err *err);
	void *ctx;
};
