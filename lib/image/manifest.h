/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI image-spec and Docker schema 2 documents: image manifest, image index / manifest list and
 * image config, parsed strictly into C types. Every document is untrusted: sizes are capped,
 * descriptors must carry a valid digest and a non-negative size, and the document's structure
 * must agree with its mediaType and with the media type it was fetched as (CVE-2021-41190: an
 * ambiguous document that is both a manifest and an index is refused). Errors name the JSON
 * path: "manifest: .layers[2].digest: ...". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

#define HULL_MANIFEST_MAX_SIZE (4u << 20) /* as containers/image */
#define HULL_CONFIG_MAX_SIZE   (8u << 20)
#define HULL_MAX_LAYERS	       256
#define HULL_MAX_INDEX_ENTRIES 4096

#define HULL_MT_OCI_MANIFEST	"application/vnd.oci.image.manifest.v1+json"
#define HULL_MT_OCI_INDEX	"application/vnd.oci.image.index.v1+json"
#define HULL_MT_OCI_CONFIG	"application/vnd.oci.image.config.v1+json"
#define HULL_MT_OCI_LAYER	"application/vnd.oci.image.layer.v1.tar"
#define HULL_MT_OCI_LAYER_GZ	"application/vnd.oci.image.layer.v1.tar+gzip"
#define HULL_MT_OCI_LAYER_ZST	"application/vnd.oci.image.layer.v1.tar+zstd"
#define HULL_MT_OCI_EMPTY	"application/vnd.oci.empty.v1+json"
#define HULL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define HULL_MT_DOCKER_LIST	"application/vnd.docker.distribution.manifest.list.v2+json"
#define HULL_MT_DOCKER_CONFIG	"application/vnd.docker.container.image.v1+json"
#define HULL_MT_DOCKER_LAYER_GZ "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define HULL_MT_DOCKER_FOREIGN	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

/* The Accept header for manifest requests, most preferred first. */
extern const char hull_manifest_accept[];

struct hull_platform {
	char *os, *architecture, *variant;
};

struct hull_descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	char *artifact_type;
	bool has_platform;
	struct hull_platform platform;
	char *ref_name; /* annotation org.opencontainers.image.ref.name */
};

enum hull_manifest_kind { HULL_MANIFEST, HULL_INDEX };

struct hull_manifest {
	hull_arena arena;
	enum hull_manifest_kind kind;
	char *media_type; /* effective: the document's, or the fetched type when it has none */
	bool docker;	  /* Docker schema 2 media types */
	/* HULL_MANIFEST */
	struct hull_descriptor config;
	struct hull_descriptor *layers;
	size_t n_layers;
	/* HULL_INDEX */
	struct hull_descriptor *manifests;
	size_t n_manifests;
	/* both (OCI 1.1) */
	char *artifact_type;
	bool has_subject;
	struct hull_descriptor subject;
};

/* Parse a manifest or index. content_type is the media type the document was fetched as
 * (HTTP Content-Type or the referring descriptor's mediaType); NULL when unknown. */
int hull_manifest_parse(const char *data, size_t len, const char *content_type,
			struct hull_manifest **out, hull_err *err);
void hull_manifest_free(struct hull_manifest *m);
bool hull_media_type_is_manifest(const char *mt);
bool hull_media_type_is_index(const char *mt);
/* A layer media type hull can unpack (tar, tar+gzip, tar+zstd, OCI or Docker). */
bool hull_media_type_is_layer(const char *mt);

/* Pick the manifest for a platform from an index ("linux", "amd64", NULL variant = any). */
const struct hull_descriptor *hull_index_select(const struct hull_manifest *idx, const char *os,
						const char *arch, const char *variant);
/* The platform hull runs on, in Go/OCI names ("amd64", "arm64", "arm" + "v7"). */
void hull_native_platform(const char **os, const char **arch, const char **variant);

struct hull_image_config {
	hull_arena arena;
	char *architecture, *os, *variant, *created, *author;
	/* .config */
	char *user, *working_dir, *stop_signal;
	char **env, **entrypoint, **cmd; /* NULL-terminated, NULL when absent */
	bool has_entrypoint, has_cmd;
	char **exposed_ports, **volumes; /* keys of the objects, NULL-terminated */
	char **labels;			 /* "key=value" */
	/* .rootfs */
	char **diff_ids;
	size_t n_diff_ids;
};

int hull_image_config_parse(const char *data, size_t len, struct hull_image_config **out,
			    hull_err *err);
void hull_image_config_free(struct hull_image_config *c);
