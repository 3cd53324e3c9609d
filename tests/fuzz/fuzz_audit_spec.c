/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every container check, the JSON and SARIF renderings and a strict admission policy, on any
 * config.json the parser accepts: hostile configs must never crash the auditor. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/admission.h"

static const char policy[] = "{\"standard\":\"hull\",\"requireSeccomp\":true,"
			     "\"requireUserNamespace\":true,\"maxCapabilities\":[\"CHOWN\"],"
			     "\"allowedHostPaths\":[\"/srv\"],\"images\":{\"allowedDigests\":[]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hull_audit_report r;
	static struct hull_admission_decision d;
	static struct hull_admission_policy *p;
	struct hull_audit_host_facts facts = {true, true};
	struct hull_spec *s = NULL;
	hull_err e = HULL_ERR_INIT;
	if (!p && hull_admission_policy_parse(policy, strlen(policy), "p", &p, &e) < 0)
		abort();
	if (hull_spec_parse((const char *)data, size, "config.json", &s, &e) < 0) {
		hull_err_clear(&e);
		return 0;
	}
	hull_audit_container(s, &facts, HULL_STD_ALL, &r);
	json_object_put(hull_audit_report_json(&r, "t"));
	json_object_put(hull_audit_report_sarif(&r, "t", "0"));
	hull_admission_evaluate(p, s, &facts, &d);
	free(hull_admission_message(&d, "c", "p"));
	hull_spec_free(s);
	return 0;
}
