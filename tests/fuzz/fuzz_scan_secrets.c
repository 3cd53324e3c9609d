/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built-in secret rules and the passwd/shadow/group checks on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"
#include "scan/inventory.h"
#include "scan/misconf.h"
#include "scan/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hull_secret_rules *rs;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	char **v;
	if (hull_secret_rules_builtin(&rs, &e) < 0)
		abort();
	hull_inventory_init(&inv);
	hull_secret_scan(rs, &inv, "/app/config", (const char *)data, size, &e);
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	v = hull_shadow_empty_passwords((const char *)data, size);
	hull_strv_free(v);
	v = hull_duplicate_ids((const char *)data, size);
	hull_strv_free(v);
	return 0;
}
