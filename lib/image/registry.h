/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI distribution-spec client over libcurl: manifests and blobs by reference, GET/HEAD/PUT,
 * bearer-token auth (WWW-Authenticate challenge, token cached per repository scope), Basic
 * credentials from a containers-auth.json / docker config.json file, https with a plain-http
 * fallback only for insecure registries, resumable blob streams.
 *
 * Everything a registry returns is untrusted: bodies are size-capped, content fetched by digest
 * is verified by the caller (or here, for manifests), and `Docker-Content-Digest` must agree with
 * the body when present. Used by pull and by the trust code (signatures live in the registry). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "image/digest.h"

struct hull_registry_opts {
	bool tls_verify;	/* false: accept any certificate and fall back to http */
	const char *auth_file;	/* NULL: REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
				   ~/.docker/config.json */
	const char *user_agent; /* NULL: "hull/VERSION" */
};

/* One registry endpoint + repository, with its auth state. Safe to share between threads for
 * blob streams (auth refresh is serialised). */
struct hull_registry;

/* host: "127.0.0.1:5000", "registry-1.docker.io"; repo: "library/busybox". */
int hull_registry_open(const char *host, const char *repo, const struct hull_registry_opts *o,
		       struct hull_registry **out, hull_err *err);
void hull_registry_close(struct hull_registry *r);
const char *hull_registry_host(const struct hull_registry *r);
const char *hull_registry_repo(const struct hull_registry *r);

/* GET a manifest by tag or digest (Accept: OCI and Docker schema 2, index and manifest).
 * *media_type is the response's Content-Type, digest_out the sha256 of the body. When
 * `reference` is a digest the body must hash to it. */
int hull_registry_get_manifest(struct hull_registry *r, const char *reference, char **data,
			       size_t *len, char **media_type, char digest_out[HULL_DIGEST_MAX],
			       hull_err *err);
/* HEAD a manifest: its digest (Docker-Content-Digest), size and media type. Returns -1 with
 * kind HULL_ERR_NOTFOUND when it does not exist. */
int hull_registry_head_manifest(struct hull_registry *r, const char *reference,
				char digest_out[HULL_DIGEST_MAX], int64_t *size, char **media_type,
				hull_err *err);
int hull_registry_put_manifest(struct hull_registry *r, const char *reference, const void *data,
			       size_t len, const char *media_type, hull_err *err);

/* GET a small blob (config, signature payload) into memory, verified against digest. */
int hull_registry_get_blob(struct hull_registry *r, const char *digest, size_t max, char **data,
			   size_t *len, hull_err *err);
/* HEAD a blob: 0 and *size when present, -1 with HULL_ERR_NOTFOUND when absent. */
int hull_registry_head_blob(struct hull_registry *r, const char *digest, int64_t *size,
			    hull_err *err);
/* GET /v2/<repo>/referrers/<digest>[?artifactType=T] (OCI 1.1): an image index. A registry
 * without the API answers 404 (kind HULL_ERR_NOTFOUND): use the tag fallback sha256-<hex>. */
int hull_registry_get_referrers(struct hull_registry *r, const char *digest,
				const char *artifact_type, char **data, size_t *len, hull_err *err);
/* Upload a blob (monolithic POST + PUT) from memory (fd < 0) or from fd (len bytes). Skips the
 * upload when the registry has it. */
int hull_registry_put_blob(struct hull_registry *r, const char *digest, const void *data, int fd,
			   uint64_t len, hull_err *err);

/* Stream a blob from `offset`; reads hand out the registry's bytes as they arrive. Transient
 * network failures are retried from where they stopped (HTTP Range). The caller verifies the
 * digest of what it reads. */
struct hull_blob_stream;
int hull_blob_stream_open(struct hull_registry *r, const char *digest, uint64_t offset,
			  struct hull_blob_stream **out, hull_err *err);
ssize_t hull_blob_stream_read(struct hull_blob_stream *s, const void **buf, hull_err *err);
void hull_blob_stream_close(struct hull_blob_stream *s);
/* Bytes received so far (for progress). */
uint64_t hull_blob_stream_received(const struct hull_blob_stream *s);

/* Parsing helpers, exposed for tests and fuzzing. */
struct hull_auth_challenge {
	char scheme[16]; /* "Bearer", "Basic" */
	char *realm, *service, *scope;
};
int hull_auth_challenge_parse(const char *header, struct hull_auth_challenge *c, hull_err *err);
void hull_auth_challenge_free(struct hull_auth_challenge *c);
/* Look up "user:password" for host/repo in an auth file's JSON text. Returns 1 when found. */
int hull_auth_file_lookup(const char *json, size_t len, const char *host, const char *repo,
			  char **user, char **password, hull_err *err);
