/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image config checks (CIS section 4) on any JSON: untrusted image configs never crash them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audit/audit.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hull_audit_report r;
	json_object *o = NULL;
	hull_err e = HULL_ERR_INIT;
	if (hull_json_parse((const char *)data, size, "config", &o, &e) < 0) {
		hull_err_clear(&e);
		return 0;
	}
	if (hull_audit_image_config(o, &r, &e) == 0)
		json_object_put(hull_audit_report_sarif(&r, "img", "0"));
	hull_err_clear(&e);
	json_object_put(o);
	return 0;
}
