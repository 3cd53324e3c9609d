/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Admission policy parser: any input parses or fails with a message; a parsed policy evaluates a
 * fixed config without crashing, and its refusal message and audit record build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/admission.h"

static const char config[] =
    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],"
    "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_CHOWN\"]}},"
    "\"mounts\":[{\"destination\":\"/d\",\"type\":\"bind\",\"source\":\"/srv/data/x\","
    "\"options\":[\"rbind\"]}],\"annotations\":{\"io.hull.image.digest\":\"sha256:"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hull_spec *spec;
	static struct hull_admission_decision d;
	struct hull_admission_policy *p = NULL;
	struct hull_audit_host_facts facts = {false, false};
	hull_err e = HULL_ERR_INIT;
	if (!spec && hull_spec_parse(config, strlen(config), "config", &spec, &e) < 0)
		abort();
	if (hull_admission_policy_parse((const char *)data, size, "policy", &p, &e) < 0) {
		if (!e.msg)
			abort(); /* a failure must always say why */
		hull_err_clear(&e);
		return 0;
	}
	hull_admission_evaluate(p, spec, &facts, &d);
	{
		struct hull_admission_context ctx = {
		    .id = "c", .bundle = "/b", .policy_path = "p", .time = "t"};
		char *m = hull_admission_message(&d, "c", "p");
		json_object *o = hull_admission_record(&d, &ctx);
		free(m);
		json_object_put(o);
	}
	hull_admission_policy_free(p);
	return 0;
}
