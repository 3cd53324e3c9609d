/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Java archives (zip, nested jars, pom.properties) and MANIFEST.MF on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "scan/inventory.h"
#include "scan/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	char *t, *v, *g;
	hull_inventory_init(&inv);
	hull_parse_jar(&inv, data, size, "/app/x-1.0.jar", 0, &e);
	hull_err_clear(&e);
	if (hull_parse_jar_manifest((const char *)data, size, &t, &v, &g) == 0) {
		free(t);
		free(v);
		free(g);
	}
	if (hull_inventory_finish(&inv, &e) < 0)
		hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
