/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The content-addressed image store (default /var/lib/hull, `--storage-root`, HULL_STORAGE):
 *
 *   blobs/<alg>/<hex>      verified blobs (manifests, configs, compressed layers), mode 0444
 *   stamps/<alg>/<hex>     "this inode was hashed": inode, size, mtime and ctime at the last
 *                          full hash; a read whose stamp differs re-hashes the blob
 *   layers/<alg>/<hex>/    unpacked layers by DiffID, shared by all images and containers
 *   layers/<alg>/<hex>.json what unpacking reported (setuid files, dropped xattrs, sizes)
 *   images.json            references -> manifest digest, image id (config digest)
 *   containers/<id>/       launched containers (lib/image/launch.h)
 *   tmp/                   partial blobs and layers; never mistaken for complete ones
 *   locks/                 one lock file per blob/layer being written; index.lock, gc.lock
 *
 * The root is mode 0700: unpacked layers keep the owners in their tar headers, so host users
 * must not reach them (a setuid file owned by a real host uid).
 *
 * Writers put content in tmp/, verify digest and size while streaming, and rename into place:
 * a present blob or layer is always complete. Concurrent writers of the same digest serialise on
 * its lock file (the second finds the content present). Garbage collection takes gc.lock
 * exclusively; pulls, imports and launches hold it shared. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "image/digest.h"
#include "image/unpack.h"

struct hull_store {
	char *root; /* absolute path */
	int rootfd;
	int gc_lock; /* held shared while the store is used, exclusive while collecting */
};

/* The default root: HULL_STORAGE, else /var/lib/hull for root and
 * $XDG_DATA_HOME/hull (~/.local/share/hull) for other users. Caller frees. */
char *hull_store_default_root(void);

/* Open (creating) the store at root (NULL: the default) and take gc.lock shared. */
int hull_store_open(struct hull_store *s, const char *root, hull_err *err);
void hull_store_close(struct hull_store *s);
/* Stop holding gc.lock: for long-lived users (a running launched container, whose layers its
 * record protects) so that prune is not blocked for the container's lifetime. */
void hull_store_release_gc(struct hull_store *s);

/* --- blobs --- */

bool hull_store_has_blob(struct hull_store *s, const char *digest);
/* Store a small blob (manifest, config) after checking data against digest. */
int hull_store_put_blob(struct hull_store *s, const char *digest, const void *data, size_t len,
			hull_err *err);
/* Read a small blob (<= max bytes), re-hashed on every read: manifests and configs are a few KB,
 * a hash costs microseconds. */
int hull_store_read_blob(struct hull_store *s, const char *digest, size_t max, char **data,
			 size_t *len, hull_err *err);
/* Open a blob of any size for reading, verified: when its stamp matches the inode it is trusted,
 * otherwise it is re-hashed in full (and a mismatch removes it). size_out may be NULL. */
int hull_store_open_blob(struct hull_store *s, const char *digest, uint64_t *size_out,
			 hull_err *err);

/* Writing a large blob as it streams in. begin takes the digest's lock; it returns 1 when the
 * blob is already present (nothing to do, w is released), 0 with w->fd open on the partial
 * file (which may already hold w->have bytes of an interrupted earlier attempt). */
struct hull_blob_writer {
	int fd;
	int lockfd;
	uint64_t have;
	char digest[HULL_DIGEST_MAX];
	char tmp[256];
};
int hull_store_blob_begin(struct hull_store *s, const char *digest, struct hull_blob_writer *w,
			  hull_err *err);
/* The caller verified digest and size while streaming: publish the blob and its stamp. */
int hull_store_blob_commit(struct hull_store *s, struct hull_blob_writer *w, hull_err *err);
/* keep_partial: leave the bytes for a resumed download (network errors); otherwise delete. */
void hull_store_blob_abort(struct hull_store *s, struct hull_blob_writer *w, bool keep_partial);

/* --- unpacked layers --- */

bool hull_store_has_layer(struct hull_store *s, const char *diff_id);
/* Absolute path of an unpacked layer (caller frees). */
char *hull_store_layer_path(struct hull_store *s, const char *diff_id);
struct hull_layer_writer {
	int dirfd; /* the empty temp directory to unpack into */
	int lockfd;
	char diff_id[HULL_DIGEST_MAX];
	char tmp[256];
};
/* Returns 1 when the layer is already present, 0 with w->dirfd ready. */
int hull_store_layer_begin(struct hull_store *s, const char *diff_id, struct hull_layer_writer *w,
			   hull_err *err);
int hull_store_layer_commit(struct hull_store *s, struct hull_layer_writer *w,
			    const struct hull_unpack_report *r, hull_err *err);
void hull_store_layer_abort(struct hull_store *s, struct hull_layer_writer *w);
/* The report saved with a layer, as JSON text (caller frees); NULL when absent. */
char *hull_store_layer_report(struct hull_store *s, const char *diff_id);

/* --- images --- */

struct hull_image {
	char *id;	/* config digest */
	char *manifest; /* manifest digest */
	char *media_type;
	char **names;	/* "domain/path:tag", NULL-terminated (may be empty) */
	char **digests; /* "domain/path@sha256:..." */
	char *created;	/* from the image config */
	char *added;	/* when it entered the store */
	int64_t size;	/* config + compressed layers */
};

struct hull_image_list {
	struct hull_image *v;
	size_t n;
};

void hull_image_clear(struct hull_image *im);
void hull_image_list_free(struct hull_image_list *l);

int hull_store_images(struct hull_store *s, struct hull_image_list *out, hull_err *err);
/* Record an image (by manifest digest; merging names). A name moves from any other image to
 * this one, as a tag points at one image. */
int hull_store_image_add(struct hull_store *s, const struct hull_image *im, hull_err *err);
/* Find by name ("busybox", "busybox:1", "host/p@sha256:..."), full or short (>= 4 hex) image
 * id, or manifest digest. Short names also match localhost/NAME, like podman. */
int hull_store_image_find(struct hull_store *s, const char *what, struct hull_image *out,
			  hull_err *err);
/* Remove a name, or the whole image when `what` is an id or its last name goes (force: also
 * when it has other names). The image's blobs and layers are collected when unused. */
int hull_store_image_remove(struct hull_store *s, const char *what, bool force, char **removed_id,
			    hull_err *err);
/* Add a name to an image. */
int hull_store_image_tag(struct hull_store *s, const char *what, const char *new_name,
			 hull_err *err);

struct hull_gc_report {
	uint64_t images, blobs, layers, tmp, bytes;
};
/* Delete dangling images (no names) when dangling is true, then every blob, layer and temp
 * entry that no image and no container uses. */
int hull_store_gc(struct hull_store *s, bool dangling, struct hull_gc_report *r, hull_err *err);

/* Used by launch: the layers (DiffIDs, bottom first) and config of a stored image. */
struct hull_manifest;
struct hull_image_config;
int hull_store_image_load(struct hull_store *s, const struct hull_image *im,
			  struct hull_manifest **m, struct hull_image_config **cfg, hull_err *err);

/* Lock files under locks/ (flock); returns the fd or -1. */
int hull_store_lock(struct hull_store *s, const char *name, bool exclusive, bool wait,
		    hull_err *err);
