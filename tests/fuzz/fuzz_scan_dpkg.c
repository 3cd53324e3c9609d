/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dpkg status (both the status file and status.d/ rules) and os-release on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "scan/inventory.h"
#include "scan/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	hull_parse_dpkg_status(&inv, (const char *)data, size, "/var/lib/dpkg/status", size % 2,
			       &e);
	hull_err_clear(&e);
	hull_parse_os_release(&inv, (const char *)data, size);
	if (hull_inventory_finish(&inv, &e) < 0)
		hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
