/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Getting images into the store and out of it: registry pull, OCI layout / oci-archive /
 * docker-archive import, oci-archive / OCI layout export. Every path ends in the store
 * (store.h) with verified blobs and unpacked layers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "image/registry.h"
#include "image/store.h"
#include "image/unpack.h"

struct hull_progress {
	uint64_t done, total; /* bytes of layer blobs */
	unsigned layers_done, layers_total;
};
typedef void (*hull_progress_fn)(void *ud, const struct hull_progress *p);

struct hull_pull_opts {
	struct hull_registry_opts reg;
	const char *registries_conf;	 /* NULL: the default (regconf.h) */
	const char *os, *arch, *variant; /* NULL: this machine's platform */
	struct hull_unpack_opts unpack;
	unsigned parallel; /* layers at once (0: 3) */
	hull_progress_fn progress;
	void *progress_ud;
};

void hull_pull_opts_default(struct hull_pull_opts *o);

/* Pull ref (e.g. "127.0.0.1:5000/busybox:1") into the store and record it. *out (may be NULL)
 * receives the image record. */
int hull_image_pull(struct hull_store *s, const char *ref, const struct hull_pull_opts *o,
		    struct hull_image *out, hull_err *err);

/* Import from a transport:
 *   oci-archive:PATH[:TAG]  a tar of an OCI image layout (podman save --format oci-archive)
 *   oci:DIR[:TAG]	     an OCI image layout directory (skopeo copy ... oci:DIR)
 *   docker-archive:PATH     docker save / podman save (docker format)
 *   tarball:PATH	     a root file system tar (gzip/zstd allowed), like podman import;
 *			     NAME is required
 * name (may be NULL) becomes the image's name; otherwise the layout's ref.name annotation or
 * the archive's RepoTags are used (a bare name gets localhost/, like podman). */
int hull_image_import(struct hull_store *s, const char *source, const char *name,
		      const struct hull_unpack_opts *uo, struct hull_image *out, hull_err *err);

/* Export a stored image to oci-archive:PATH[:TAG] or oci:DIR[:TAG]; the manifest and every blob
 * are written byte for byte as stored (digests and signatures stay valid). */
int hull_image_export(struct hull_store *s, const char *what, const char *dest, hull_err *err);

/* Push a stored image to a registry under dest (NULL: its first name): blobs (skipped when the
 * registry has them), then the manifest, byte for byte. */
int hull_image_push(struct hull_store *s, const char *what, const char *dest,
		    const struct hull_registry_opts *o, hull_err *err);

/* Make sure every layer of a stored image is unpacked (from its verified blob if needed).
 * Used by launch after a `prune` or for images whose layers were removed. */
int hull_image_ensure_layers(struct hull_store *s, const struct hull_image *im,
			     const struct hull_unpack_opts *uo, hull_err *err);

/* Unpack one stored blob into the store's layer for diff_id (no-op when present). */
int hull_store_unpack_blob(struct hull_store *s, const char *blob_digest, const char *diff_id,
			   const struct hull_unpack_opts *uo, hull_err *err);

struct hull_manifest;
/* A manifest hull can run: an image manifest whose config is an image config and whose layers
 * are tar, tar+gzip or tar+zstd. */
int hull_image_check_manifest(const struct hull_manifest *m, hull_err *err);
