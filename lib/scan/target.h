/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scan targets: a directory (`dir:PATH`), an OCI image layout (`oci:DIR[:TAG]`), an OCI archive
 * (`oci-archive:PATH[:TAG]`). Images are read layer by layer straight from their blobs, whiteouts
 * honoured, digests verified while streaming; nothing is unpacked to disk and nothing in the
 * tree is ever followed outside it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "scan/inventory.h"
#include "scan/secrets.h"

#define HULL_SCAN_MAX_FILES   5000000	    /* entries walked in one target */
#define HULL_SCAN_MAX_DEPTH   128	    /* directory nesting */
#define HULL_SCAN_KEEP_MAX    (256u << 20)  /* one package database kept in memory */
#define HULL_SCAN_ANALYSE_MAX (256u << 20)  /* one jar or binary read for analysis */
#define HULL_SCAN_SECRET_MAX  (2u << 20)    /* files larger than this are not searched */
#define HULL_SCAN_JSON_MAX    (4u << 20)    /* index, manifest, config */
#define HULL_SCAN_LAYER_MAX   (64ull << 30) /* unpacked bytes of one layer */
#define HULL_SCAN_MEM_BUDGET  (1024u << 20) /* everything kept from one image */

struct hull_image_meta {
	bool is_image;
	char *ref; /* as given */
	char *tag; /* NULL when the reference names none */
	char *manifest_digest;
	char *config_digest;
	char *user; /* config.User ("" when unset) */
	bool has_healthcheck;
	char **env;    /* "KEY=value" */
	char **labels; /* "key=value" */
	char **ports;  /* "22/tcp" */
	char *os, *arch;
	size_t layers;
};

void hull_image_meta_free(struct hull_image_meta *m);

struct hull_scan_opts {
	bool packages; /* OS and language packages */
	bool secrets;
	bool files; /* setuid/setgid, world-writable, credential files, passwd/shadow */
	const struct hull_secret_rules *rules;
};

/* Collect the target's inventory. spec: "dir:PATH", "oci:DIR[:TAG]", "oci-archive:PATH[:TAG]", or a
 * bare existing directory. Image references from hull's store go through
 * hull_scan_store_image (see store.c). */
int hull_scan_target(const char *spec, const struct hull_scan_opts *o, struct hull_inventory *inv,
		     struct hull_image_meta *meta, hull_err *err);

/* Lower-level entry points (tests): scan an open directory fd / an open OCI layout fd. */
int hull_scan_dirfd(int dirfd, const struct hull_scan_opts *o, struct hull_inventory *inv,
		    hull_err *err);
/* An image by manifest digest, its blobs under blobsfd as blobs/<alg>/<hex> (hull's store has
 * that shape too); every blob is verified against its digest while read. */
int hull_scan_oci_manifest(int blobsfd, const char *manifest_digest, const char *tag,
			   const struct hull_scan_opts *o, struct hull_inventory *inv,
			   struct hull_image_meta *meta, hull_err *err);
/* One uncompressed or compressed tar layer held in memory, as the only layer of an image (no
 * digest): the layer walker on its own, for the fuzzer. */
int hull_scan_layer_buffer(const void *data, size_t len, const struct hull_scan_opts *o,
			   struct hull_inventory *inv, hull_err *err);
/* Whether a TARGET names a path (dir:, oci:, oci-archive:, or an absolute/relative path) rather
 * than an image in hull's store. */
bool hull_scan_is_path_target(const char *target);
int hull_scan_oci_layout(int layoutfd, const char *tag, const struct hull_scan_opts *o,
			 struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err);
