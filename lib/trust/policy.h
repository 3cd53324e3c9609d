/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Trust policy in containers-policy.json(5) syntax, and its evaluation.
 *
 *   {"default": [REQ...],
 *    "transports": {"docker": {"": [REQ...], "host/ns/repo": [REQ...], "*.example.com": [...]},
 *                   "oci-archive": {...}, ...}}
 *
 * The most specific scope of the image's transport applies (identity, then namespaces from the
 * repository down to the host, then *.domain wildcards, then the transport's "", then
 * "default"); every requirement in that list must allow the image. Requirements:
 * insecureAcceptAnything, reject, signedBy (GPG keys: keyPath | keyPaths | keyData) and
 * sigstoreSigned (keyPath | keyPaths | keyData | keyDatas: cosign-format signatures and
 * sigstore bundles), each with a signedIdentity: matchExact, matchRepoDigestOrExact (the
 * default), matchRepository, exactReference, exactRepository, remapIdentity.
 *
 * Parsing is strict: unknown or duplicate members, empty requirement lists and requirements
 * hull cannot honour (keyless sigstoreSigned with fulcio/rekor, signedBaseLayer) are errors,
 * because a policy silently read as weaker than written is worse than a refusal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "image/ref.h"
#include "trust/sigs.h"

#define HULL_POLICY_MAX_SIZE (4u << 20)
#define HULL_POLICY_PATH     "/etc/hull/policy.json"
#define HULL_POLICY_FALLBACK "/etc/containers/policy.json"

enum hull_pr_type { HULL_PR_ACCEPT, HULL_PR_REJECT, HULL_PR_SIGNED_BY, HULL_PR_SIGSTORE };

enum hull_prm_type {
	HULL_PRM_MATCH_EXACT,
	HULL_PRM_REPO_DIGEST_OR_EXACT,
	HULL_PRM_MATCH_REPOSITORY,
	HULL_PRM_EXACT_REFERENCE,
	HULL_PRM_EXACT_REPOSITORY,
	HULL_PRM_REMAP,
	HULL_PRM_ANY, /* internal: `verify --key`, like cosign: the identity is not checked */
};

struct hull_prm {
	int type;	/* enum hull_prm_type */
	char *value;	/* exactReference / exactRepository */
	char *prefix;	/* remapIdentity */
	char *signed_prefix;
};

struct hull_pr {
	int type;	/* enum hull_pr_type */
	char *key_type; /* signedBy: "GPGKeys" is the one implemented */
	char **key_paths;
	size_t n_key_paths;
	unsigned char **key_data; /* decoded keyData / keyDatas */
	size_t *key_data_len;
	size_t n_key_data;
	struct hull_prm identity;
};

struct hull_reqs {
	struct hull_pr *v;
	size_t n;
	char *where; /* "default", "transports.docker[\"127.0.0.1:5000/app\"]" */
};

struct hull_policy_scope {
	char *name;
	struct hull_reqs reqs;
};

struct hull_policy_transport {
	char *name;
	struct hull_policy_scope *scopes;
	size_t n;
};

struct hull_policy {
	hull_arena arena;
	char *source; /* file name, for messages */
	struct hull_reqs def;
	struct hull_policy_transport *transports;
	size_t n_transports;
};

int hull_policy_parse(const char *data, size_t len, const char *what, struct hull_policy **out,
		      hull_err *err);
int hull_policy_load(const char *path, struct hull_policy **out, hull_err *err);
/* path, else /etc/hull/policy.json, else /etc/containers/policy.json. With no path and neither
 * file present: 0 and *out = NULL (no policy: nothing is checked). */
int hull_policy_load_default(const char *path, struct hull_policy **out, hull_err *err);
void hull_policy_free(struct hull_policy *p);

/* A policy for `verify --key K`: sigstoreSigned with K and no identity check. */
int hull_policy_for_key(const char *key_path, struct hull_policy **out, hull_err *err);

/* What is being admitted. For transport "docker", ref is the reference asked for (its tag or
 * digest matters to matchRepoDigestOrExact); for file transports (oci, oci-archive,
 * docker-archive, tarball) scope_identity is the absolute path and ref may be NULL. */
struct hull_trust_subject {
	const char *transport;
	const struct hull_ref *ref;
	bool ref_name_only;	    /* the reference names no tag and no digest */
	const char *scope_identity; /* NULL: derived from ref */
	const char *digest;	    /* the manifest digest a signature must name */
};

/* The requirement list for a subject (never NULL: "default" at worst). */
const struct hull_reqs *hull_policy_requirements(const struct hull_policy *p,
						 const struct hull_trust_subject *subj);

/* Does any requirement of the list need a signature (signedBy, sigstoreSigned)? When none
 * does, the decision needs neither the network nor the manifest digest. */
bool hull_reqs_need_signatures(const struct hull_reqs *r);

struct hull_verdict {
	bool allowed;
	bool signed_by_policy; /* a requirement verified a signature */
	char *scope;	       /* the policy section used */
	char *reason;	       /* rejected: which requirement failed and why */
	char *verified_by;     /* allowed with signatures: requirement types and key ids */
};
void hull_verdict_free(struct hull_verdict *v);

/* Evaluate; signatures are loaded through `ld` only when a requirement needs them. Returns 0
 * when decided (out->allowed), -1 on an error that prevents deciding (a registry that cannot
 * be reached while loading signatures). */
int hull_policy_eval(const struct hull_policy *p, const struct hull_trust_subject *subj,
		     struct hull_sigset *set, const struct hull_sig_loader *ld,
		     struct hull_verdict *out, hull_err *err);

/* Docker reference helpers shared with the registries.d lookup: the scope identity
 * ("name:tag" or "name@digest") and namespaces (name, its parents, the host, *.domain). */
char *hull_policy_docker_identity(const struct hull_ref *r);
char **hull_policy_docker_namespaces(const struct hull_ref *r);
/* Parse a reference, reporting whether it named neither a tag nor a digest. */
int hull_policy_parse_ref(const char *s, struct hull_ref *out, bool *name_only, hull_err *err);
/* Does a signature's docker-reference satisfy prm for the subject? */
bool hull_prm_matches(const struct hull_prm *prm, const struct hull_trust_subject *subj,
		      const char *signed_reference);
