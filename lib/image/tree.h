/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integrity of unpacked layers: a manifest of the tree, recorded when the layer is unpacked
 * from its verified blob and checked before a container mounts it.
 *
 * The record (layers/<alg>/<hex>.tree, next to the layer) lists every entry of the layer in a
 * fixed order (depth first, names sorted bytewise), one line each:
 *
 *   TYPE MODE UID GID SIZE MTIME CONTENT XATTRS STAMP PATH
 *
 * TYPE is d f l c b p s; CONTENT the sha256 of a file, the target of a symlink, major:minor of
 * a device; XATTRS the sha256 of the sorted extended attributes (overlay's opaque marker,
 * file capabilities); STAMP the inode number and ctime at sealing time. The first line,
 * "hull-layer-tree 1 DIFFID TREE", names the layer and the tree digest: the sha256 of the
 * lines without their STAMP, so it depends on content and metadata only.
 *
 * Checking walks the layer the same way. An entry whose inode and ctime equal the stamp is
 * unchanged: no write, chmod, chown, xattr change, rename or replacement leaves ctime alone,
 * and userspace cannot set it (changing the clock or writing the block device can, see
 * docs/trust.md). Any other entry is compared in full: its content is hashed again, its link
 * read, its xattrs listed. Added, removed and renamed entries show as a different sequence.
 * So a check costs one fstatat per entry and one getdents per directory, not a hash of the
 * layer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "image/digest.h"

#define HULL_TREE_MAX	    (256u << 20) /* a record */
#define HULL_TREE_MAX_DEPTH 512

struct hull_tree_stats {
	uint64_t entries;
	uint64_t rehashed; /* entries whose stamp differed and were compared in full */
	char tree_digest[HULL_DIGEST_MAX];
};

/* Walk the layer directory dirfd and produce the record (heap text). known: the content
 * digests the unpack that just wrote dirfd computed (image/unpack.h), or NULL to read every
 * file. */
struct hull_file_digests;
int hull_tree_seal(int dirfd, const char *diff_id, const struct hull_file_digests *known,
		   char **text, size_t *len, struct hull_tree_stats *st, hull_err *err);

/* Check the layer directory dirfd against a record. -1 with kind HULL_ERR_REJECTED and the
 * first difference ("usr/bin/env: content changed") when it does not match. */
int hull_tree_check(int dirfd, const char *diff_id, const char *record, size_t len,
		    struct hull_tree_stats *st, hull_err *err);

/* The tree digest and DiffID of a record's first line (a strict parse of the header). */
int hull_tree_header(const char *record, size_t len, char diff_id[HULL_DIGEST_MAX],
		     char tree[HULL_DIGEST_MAX], hull_err *err);

/* In the store: seal an unpacked layer (its directory fd, before it is published) into
 * layers/<alg>/<hex>.tree; verify a published layer against its record. A layer without a
 * record fails with kind HULL_ERR_NOTFOUND, a changed one with HULL_ERR_REJECTED. */
struct hull_store;
int hull_store_layer_seal(struct hull_store *s, int layerfd, const char *diff_id,
			  const struct hull_file_digests *known, struct hull_tree_stats *st,
			  hull_err *err);
int hull_store_layer_verify(struct hull_store *s, const char *diff_id, struct hull_tree_stats *st,
			    hull_err *err);
/* A layer without a record (unpacked by an older hull): unpack its verified blob again into a
 * temporary directory, and seal the stored layer only when both trees are identical. */
struct hull_unpack_opts;
int hull_store_layer_reseal(struct hull_store *s, const char *blob_digest, const char *diff_id,
			    const struct hull_unpack_opts *uo, hull_err *err);
