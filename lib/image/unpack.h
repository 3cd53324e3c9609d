/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Layer unpacking that no layer can escape, and the single streaming pass that verifies it.
 *
 * A layer is extracted into its own empty directory (one overlayfs lower layer). Every file
 * system call is relative to a directory fd inside that directory, each parent component is
 * opened with O_NOFOLLOW (a symlink in a parent is refused, never followed), the last component
 * is created with O_EXCL/O_NOFOLLOW or the *at() call's no-follow form, so `..`, absolute names,
 * symlink-then-write-through, hardlinks to outside and symlink chains cannot reach anything but
 * the layer directory. Whiteouts become overlayfs whiteouts (0/0 character devices) and opaque
 * directories (trusted.overlay.opaque=y). Limits stop decompression bombs.
 *
 * The pass, per layer: source bytes -> blob digest + size check (+ copy into the store) ->
 * gunzip/unzstd (libarchive) -> DiffID digest + size limit -> tar reader (libarchive) ->
 * extraction. Decompression runs in a helper thread, extraction in the caller's. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "image/digest.h"

struct archive;

struct hull_unpack_limits {
	uint64_t max_stream_bytes; /* uncompressed bytes of one layer (decompression bombs) */
	uint64_t max_entries;	   /* tar entries of one layer */
	uint64_t max_file_size;	   /* one regular file */
};

enum hull_device_policy {
	HULL_DEVICES_REJECT, /* a device node fails the layer (default) */
	HULL_DEVICES_SKIP,   /* leave it out, count it in the report */
	HULL_DEVICES_ALLOW,  /* create it (only as real root) */
};

struct hull_unpack_opts {
	struct hull_unpack_limits lim;
	enum hull_device_policy devices;
	/* Hash every regular file's content as it is written (report.digests), so that sealing
	 * the layer (image/tree.h) need not read the files again. */
	bool digest_files;
};

void hull_unpack_opts_default(struct hull_unpack_opts *o);

#define HULL_UNPACK_REPORT_PATHS 16

/* What a layer contained that deserves a look: kept but reported. */
struct hull_unpack_report {
	uint64_t entries;
	uint64_t file_bytes;   /* bytes of regular file content */
	uint64_t stream_bytes; /* uncompressed tar stream */
	uint64_t n_setid;      /* setuid/setgid regular files */
	char *setid[HULL_UNPACK_REPORT_PATHS];
	uint64_t xattrs_dropped;	   /* xattrs outside user.* / security.capability */
	uint64_t devices_skipped;	   /* with HULL_DEVICES_SKIP */
	struct hull_file_digests *digests; /* with digest_files */
};

void hull_unpack_report_free(struct hull_unpack_report *r);

/* The sha256 (hex) of the content an unpack wrote to the regular file with inode ino, NULL
 * when it is not known (the file was written sparse or out of order). Every regular file an
 * unpack creates is new (O_EXCL), so an inode number reused within the layer maps to the last
 * file written with it. */
const char *hull_file_digests_get(const struct hull_file_digests *d, uint64_t ino);

/* Extract the entries of an opened tar reader into the directory layerfd (empty, owned by us). */
int hull_unpack_entries(struct archive *a, int layerfd, const struct hull_unpack_opts *o,
			struct hull_unpack_report *r, hull_err *err);

/* A source of layer bytes: read() points *buf at the next bytes (valid until the next call) and
 * returns their count, 0 at the end, -1 with err set. */
struct hull_byte_source {
	ssize_t (*read)(void *ctx, const void **buf, hull_err *err);
	void *ctx;
};

struct hull_layer_stream {
	struct hull_byte_source src;
	/* Verify the (compressed) blob while it streams by: digest and exact size. NULL when the
	 * bytes come from a store blob that was verified when it was opened. */
	const char *blob_digest;
	int64_t blob_size; /* -1: unknown */
	int blob_fd;	   /* >= 0: also write the bytes here (the store's temp file) */
	const char
	    *diff_id; /* expected DiffID (image config rootfs.diff_ids), NULL: compute only */
	/* results */
	char diff_id_out[HULL_DIGEST_MAX];
	struct hull_unpack_report report;
};

/* Run the whole pass into layerfd. On error nothing is removed: the caller owns layerfd's
 * directory (a temp dir it deletes). */
int hull_layer_unpack(struct hull_layer_stream *s, int layerfd, const struct hull_unpack_opts *o,
		      hull_err *err);

/* A byte source over an fd (files, store blobs); buf is owned by the source. */
struct hull_fd_source {
	int fd;
	char *buf;
	size_t cap;
};
int hull_fd_source_init(struct hull_fd_source *s, int fd, struct hull_byte_source *out,
			hull_err *err);
void hull_fd_source_release(struct hull_fd_source *s);
