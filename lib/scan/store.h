/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scanning images in hull's store (lib/image): the store keeps blobs as blobs/<alg>/<hex>, the
 * OCI layout shape, so the image is read layer by layer exactly like an oci: target. */
#pragma once

#include "scan/target.h"

/* storage_root NULL: the store's default root. ref: a name, id or digest (see
 * hull_store_image_find). */
int hull_scan_store_image(const char *storage_root, const char *ref, const struct hull_scan_opts *o,
			  struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err);
