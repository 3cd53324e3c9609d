/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sigstore bundles (v0.3) for images, key-based and offline:
 *
 *   {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 *    "verificationMaterial":{"publicKey":{"hint":"<sha256 of the SPKI, hex>"},"tlogEntries":[]},
 *    "dsseEnvelope":{"payloadType":"application/vnd.in-toto+json","payload":"<base64>",
 *                    "signatures":[{"sig":"<base64>","keyid":""}]}}
 *
 * The payload is an in-toto Statement v1 whose subject is the image (name and sha256 of the
 * manifest) with predicateType https://sigstore.dev/cosign/sign/v1; the signature covers the
 * DSSE pre-authentication encoding "DSSEv1 <len> <type> <len> <payload>". No transparency log
 * entry and no certificate: what @sigstore/verify accepts with a public key and zero
 * thresholds. In a registry a bundle is an OCI 1.1 referrer of the image (artifactType the
 * bundle media type, the empty config, one layer), found through the referrers API or its
 * tag fallback sha256-<hex> (an image index). */
#pragma once

#include <openssl/types.h>
#include <stddef.h>

#include "core/error.h"

#define HULL_BUNDLE_MAX		(1u << 20)
#define HULL_BUNDLE_MEDIA_TYPE	"application/vnd.dev.sigstore.bundle.v0.3+json"
#define HULL_INTOTO_PAYLOAD	"application/vnd.in-toto+json"
#define HULL_COSIGN_PREDICATE	"https://sigstore.dev/cosign/sign/v1"
#define HULL_INTOTO_STATEMENT	"https://in-toto.io/Statement/v1"

int hull_bundle_build(EVP_PKEY *k, const char *subject_name, const char *digest, char **json,
		      size_t *len, hull_err *err);

/* 1: a signature of the envelope verifies with one of keys and the statement is well formed:
 * *names (NULL-terminated, heap) are the subjects whose sha256 equals `digest`, possibly none.
 * 0: rejected, *why (heap) says why. */
int hull_bundle_verify(EVP_PKEY *const *keys, size_t n_keys, const void *json, size_t len,
		       const char *digest, char ***names, char **why);

/* DSSE pre-authentication encoding (heap). */
int hull_dsse_pae(const char *type, const void *payload, size_t len, unsigned char **out,
		  size_t *out_len);
