/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/store.h"

#include <stdlib.h>
#include <string.h>

#include "image/store.h"

int hull_scan_store_image(const char *storage_root, const char *ref, const struct hull_scan_opts *o,
			  struct hull_inventory *inv, struct hull_image_meta *meta, hull_err *err)
{
	struct hull_store s = {0};
	struct hull_image im = {0};
	const char *colon = strrchr(ref, ':');
	const char *tag = NULL;
	int r;

	/* The store's open takes gc.lock shared: no blob disappears while we read it. */
	if (hull_store_open(&s, storage_root, err) < 0)
		return hull_wrap(err, "scan %s", ref);
	if (hull_store_image_find(&s, ref, &im, err) < 0) {
		hull_store_close(&s);
		return hull_wrap(err, "scan %s (for a directory use dir:PATH)", ref);
	}
	/* "name:tag" (no '/' after the colon, not a digest): the tag checks need it. */
	if (colon && !strchr(colon, '/') && !strchr(ref, '@'))
		tag = colon + 1;
	meta->ref = meta->ref ? meta->ref : strdup(ref);
	r = hull_scan_oci_manifest(s.rootfd, im.manifest, tag, o, inv, meta, err);
	if (r < 0)
		hull_wrap(err, "scan %s", ref);
	hull_image_clear(&im);
	hull_store_close(&s);
	return r;
}
