/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* apk's installed database and Python METADATA headers on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "scan/inventory.h"
#include "scan/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	hull_parse_apk_installed(&inv, (const char *)data, size, "/lib/apk/db/installed", &e);
	hull_err_clear(&e);
	hull_parse_python_metadata(&inv, (const char *)data, size, "/x.dist-info/METADATA", &e);
	hull_err_clear(&e);
	if (hull_inventory_finish(&inv, &e) < 0)
		hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
