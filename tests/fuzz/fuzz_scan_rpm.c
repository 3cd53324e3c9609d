/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rpm header blobs, and whole rpmdb.sqlite or BerkeleyDB Packages images when the input starts
 * like one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/inventory.h"
#include "scan/owned.h"
#include "scan/pkgdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	if (size >= 16 && !memcmp(data, "SQLite format 3", 16))
		hull_parse_rpmdb_sqlite(&inv, data, size, "/var/lib/rpm/rpmdb.sqlite", &e);
	else if (size >= 512 && (!memcmp(data + 12, "\x61\x15\x06\x00", 4) ||
				 !memcmp(data + 12, "\x00\x06\x15\x61", 4)))
		hull_parse_rpmdb_bdb(&inv, data, size, "/var/lib/rpm/Packages", &e);
	else
		hull_parse_rpm_header(&inv, data, size, "/var/lib/rpm/rpmdb.sqlite", &e);
	hull_err_clear(&e);
	{
		struct hull_owned *o = hull_owned_new();
		if (!o)
			abort();
		hull_rpm_header_files(data, size, o, &e);
		hull_err_clear(&e);
		hull_rpmdb_bdb_files(data, size, "/var/lib/rpm/Packages", o, &e);
		hull_err_clear(&e);
		hull_owned_free(o);
	}
	if (hull_inventory_finish(&inv, &e) < 0)
		hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
