/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go build info: ELF section search, the inline header, and the module lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/inventory.h"
#include "scan/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	hull_parse_go_binary(&inv, data, size, "/bin/app", &e);
	hull_err_clear(&e);
	hull_parse_go_buildinfo(&inv, data, size, "/bin/app", &e);
	hull_err_clear(&e);
	hull_parse_go_modinfo(&inv, "go1.21.0", (const char *)data, size, "/bin/app", &e);
	hull_err_clear(&e);
	if (hull_inventory_finish(&inv, &e) < 0)
		hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
