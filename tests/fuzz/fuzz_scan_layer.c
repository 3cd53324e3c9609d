/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A layer (tar, compressed or not) through the collector: member names, whiteouts, hard links,
 * symlinks, and every analyser a file can reach (packages, Go, jars, secrets, file facts). */
#include <stdint.h>
#include <stdlib.h>

#include "scan/inventory.h"
#include "scan/secrets.h"
#include "scan/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct hull_secret_rules *rules;
	struct hull_scan_opts o = {.packages = true, .secrets = true, .files = true};
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	if (!rules && hull_secret_rules_builtin(&rules, &e) < 0)
		abort();
	o.rules = rules;
	hull_inventory_init(&inv);
	if (hull_scan_layer_buffer(data, size, &o, &inv, &e) == 0 &&
	    hull_inventory_finish(&inv, &e) < 0)
		abort();
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	return 0;
}
