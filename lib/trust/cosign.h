/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signatures stored in the registry next to the image.
 *
 * cosign's tag scheme: the manifest at tag "sha256-<hex>.sig" of the same repository is an OCI
 * image manifest with one layer per signature; the layer blob is the simple-signing payload
 * (application/vnd.dev.cosign.simplesigning.v1+json) and the base64 signature is the layer
 * annotation dev.cosignproject.cosign/signature. Adding a signature is read-modify-write of
 * that manifest (racy with a concurrent signer, as cosign's own spec says).
 *
 * Sigstore bundles: OCI 1.1 referrers of the image (bundle.h), listed by the referrers API or,
 * where the registry has none (docker-registry 2.8 answers 404), by the image index at the tag
 * "sha256-<hex>".
 *
 * Everything fetched is bounded (HULL_PAYLOAD_MAX per payload, HULL_BUNDLE_MAX per bundle,
 * HULL_MAX_SIGNATURES entries) and lands in a hull_sigset unverified. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "image/registry.h"
#include "trust/sigs.h"

#define HULL_COSIGN_SIMPLESIGNING_MT "application/vnd.dev.cosign.simplesigning.v1+json"
#define HULL_COSIGN_SIG_ANNOTATION   "dev.cosignproject.cosign/signature"
#define HULL_COSIGN_TAG_MAX	     96

/* "sha256-<hex>.sig" (suffix ".sig") or the referrers fallback "sha256-<hex>" (suffix ""). */
void hull_cosign_tag(const char *digest, const char *suffix, char out[HULL_COSIGN_TAG_MAX]);

/* The signature layers of a signature manifest (exposed for tests and fuzzing). */
struct hull_cosign_layer {
	char *media_type, *digest;
	int64_t size;
	char *signature; /* the annotation, NULL when absent */
};
int hull_cosign_manifest_parse(const char *data, size_t len, struct hull_cosign_layer **out,
			       size_t *n, hull_err *err);
void hull_cosign_layers_free(struct hull_cosign_layer *v, size_t n);

/* Fetch the cosign signatures of digest into set (HULL_SIG_SIGSTORE). No signature tag is not
 * an error. Network failures are (-1); a bad entry becomes an entry with a problem. */
int hull_cosign_fetch(struct hull_registry *r, const char *digest, struct hull_sigset *set,
		      hull_err *err);
/* Add a signature (payload + raw signature) to digest's signature manifest. Returns 1 when
 * the same signature was already there. */
int hull_cosign_attach(struct hull_registry *r, const char *digest, const void *payload,
		       size_t plen, const unsigned char *sig, size_t siglen, hull_err *err);

/* Sigstore bundles attached to digest (HULL_SIG_BUNDLE). */
int hull_bundle_fetch(struct hull_registry *r, const char *digest, struct hull_sigset *set,
		      hull_err *err);
/* Attach a bundle as a referrer of the image (subject: digest, its media type and size) and,
 * when the registry has no referrers API, add it to the fallback tag's index. out gets the
 * referrer manifest's digest. */
int hull_bundle_attach(struct hull_registry *r, const char *digest, const char *subject_mt,
		       int64_t subject_size, const char *bundle, size_t len,
		       char out[HULL_DIGEST_MAX], hull_err *err);
