/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Advisory import (OSV, Alpine secdb JSON and YAML, Debian tracker JSON, DSA/DLA lists) into an
 * in-memory DB; every import is rolled back so the DB stays small. The first byte picks the
 * file name (and so JSON or YAML). */
#include <stdint.h>
#include <stdlib.h>

#include "scan/vulndb.h"

static struct hull_vulndb *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_import_stats st = {0};
	hull_err e = HULL_ERR_INIT;
	if (!db && hull_vulndb_open(":memory:", true, &db, &e) < 0)
		abort();
	if (size < 1)
		return 0;
	if (hull_vulndb_import_begin(db, &e) < 0)
		abort();
	hull_vulndb_import_buffer(db, (data[0] & 1) ? "fuzz.yaml" : "fuzz.json",
				  (const char *)data + 1, size - 1, HULL_ADV_AUTO, &st, &e);
	hull_err_clear(&e);
	hull_vulndb_import_abort(db);
	return 0;
}
