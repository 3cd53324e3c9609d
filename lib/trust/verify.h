/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verifying an image reference against a trust policy: resolve the reference in its registry
 * (the manifest digest the signatures must name), fetch signatures only as the policy's
 * requirements need them (cosign tag, sigstore bundles, lookaside), evaluate (policy.h).
 *
 * The store keeps what was fetched (trust/sigs/<alg>/<hex>.json: the signed manifest's bytes
 * and its signature set), so that `hull launch` re-verifies the signatures of a stored image
 * against the current policy without the network, and a record of each successful
 * verification that named a key (trust/verified/<alg>/<hex>.json, keyed by the manifest digest
 * that runs), which admission re-checks (docs/admission.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "image/digest.h"
#include "image/ref.h"
#include "image/registry.h"
#include "image/store.h"
#include "trust/policy.h"
#include "trust/regd.h"
#include "trust/sigs.h"

#define HULL_TRUST_RECORD_MAX (64u << 10)

struct hull_trust_opts {
	const char *registries_d;    /* NULL: the default directory (regd.h) */
	const char *registries_conf; /* NULL: the default (image/regconf.h) */
	struct hull_registry_opts reg;
	bool attachments_always; /* --key: read cosign signatures whatever registries.d says */
};

/* Signatures of one manifest digest: the store's cache (when store != NULL and use_cache),
 * then the registry of ref (when ref != NULL). What is fetched can be saved back. */
struct hull_sig_source {
	struct hull_store *store;
	bool use_cache;
	const struct hull_ref *ref;
	const char *digest;
	const struct hull_trust_opts *o;
	/* state */
	bool cache_read, fetched;
	struct hull_regd *regd;
	bool regd_loaded;
	struct hull_registry *reg;
};
int hull_sig_source_load(void *ctx, int kind, struct hull_sigset *set, hull_err *err);
void hull_sig_source_close(struct hull_sig_source *src);
/* The registry of ref at its primary location (registries.conf rewrites apply, mirrors do
 * not: signatures are read where the image is published). */
int hull_trust_registry_open(const struct hull_ref *ref, const struct hull_trust_opts *o,
			     struct hull_registry **out, hull_err *err);

struct hull_trust_result {
	struct hull_verdict v;
	char digest[HULL_DIGEST_MAX]; /* the manifest digest the reference resolved to */
	char *manifest;		      /* its bytes */
	size_t manifest_len;
	char *media_type;
	struct hull_sigset sigs; /* what was fetched */
};
void hull_trust_result_free(struct hull_trust_result *r);

/* Resolve ref in its registry and evaluate p. 0: decided (out->v.allowed), -1: error. */
int hull_trust_verify_registry(const struct hull_policy *p, const struct hull_ref *ref,
			       const struct hull_trust_opts *o, struct hull_trust_result *out,
			       hull_err *err);

/* The store's signature cache. */
int hull_trust_cache_save(struct hull_store *s, const char *digest, const char *media_type,
			  const char *manifest, size_t len, const struct hull_sigset *set,
			  hull_err *err);
/* 0 with the cached data, -1 with kind HULL_ERR_NOTFOUND when nothing is cached. The
 * manifest's bytes are checked against digest. */
int hull_trust_cache_load(struct hull_store *s, const char *digest, char **media_type,
			  char **manifest, size_t *len, struct hull_sigset *set, hull_err *err);

/* Verification records (for admission). */
struct hull_trust_record {
	const char *manifest_digest; /* what runs (the key) */
	const char *signed_digest;   /* what the signature names (an index, or the same) */
	const char *image_id;
	const char *reference;
	const char *verified_by;
	const char *policy;
	const char *scope;
};
int hull_trust_record_write(struct hull_store *s, const struct hull_trust_record *r,
			    hull_err *err);
void hull_trust_record_remove(struct hull_store *s, const char *manifest_digest);
/* The record's text (caller frees), NULL when absent. */
char *hull_trust_record_read(struct hull_store *s, const char *manifest_digest);
