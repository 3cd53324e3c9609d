/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Manifests, indexes and image configs from a registry or an archive: parse or fail with a
 * message, never crash. The first byte picks the Content-Type the document was fetched as. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image/digest.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {NULL,
					    HULL_MT_OCI_MANIFEST,
					    HULL_MT_OCI_INDEX,
					    HULL_MT_DOCKER_MANIFEST,
					    HULL_MT_DOCKER_LIST,
					    "application/json",
					    "text/html"};
	struct hull_manifest *m = NULL;
	struct hull_image_config *c = NULL;
	hull_err e = HULL_ERR_INIT;
	const char *ct;
	if (size < 1)
		return 0;
	ct = types[data[0] % (sizeof types / sizeof types[0])];
	data++;
	size--;
	if (hull_manifest_parse((const char *)data, size, ct, &m, &e) == 0) {
		if (m->kind == HULL_INDEX) {
			hull_index_select(m, "linux", "amd64", NULL);
			hull_index_select(m, "linux", "arm", "v7");
		} else if (!hull_digest_valid(m->config.digest)) {
			abort();
		}
		for (size_t i = 0; i < m->n_layers; i++)
			if (!hull_digest_valid(m->layers[i].digest) || m->layers[i].size < 0)
				abort();
		hull_manifest_free(m);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	if (hull_image_config_parse((const char *)data, size, &c, &e) == 0) {
		for (size_t i = 0; i < c->n_diff_ids; i++)
			if (!hull_digest_valid(c->diff_ids[i]))
				abort();
		hull_image_config_free(c);
	} else if (!e.msg) {
		abort();
	}
	hull_err_clear(&e);
	return 0;
}
