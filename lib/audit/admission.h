/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Admission policy: which containers the runtime itself agrees to create. Loaded from
 * /etc/hull/admission.json (or --admission FILE), evaluated on the parsed config.json by
 * `hull create`/`run` before anything is written. Schema: docs/admission.md.
 *
 * The policy is security configuration: it is parsed strictly (unknown members, wrong types and
 * unknown check ids are errors, never ignored), because a typo that silently weakened it would
 * be worse than a refusal. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/error.h"
#include "oci/spec.h"

#define HULL_ADMISSION_DEFAULT_PATH "/etc/hull/admission.json"
#define HULL_ADMISSION_DEFAULT_LOG  "/var/log/hull/admission.log"
#define HULL_ADMISSION_MAX_SIZE	    (1u << 20)
#define HULL_ADMISSION_MAX_LIST	    1024

enum hull_admission_mode { HULL_ADMISSION_OFF, HULL_ADMISSION_WARN, HULL_ADMISSION_ENFORCE };
enum hull_admission_verdict { HULL_VERDICT_ALLOW, HULL_VERDICT_WARN, HULL_VERDICT_DENY };

struct hull_admission_policy {
	int mode;	    /* enum hull_admission_mode */
	unsigned standards; /* HULL_STD_* to require (0 = none) */
	int min_severity;   /* only standard checks at or above this severity */
	const struct hull_audit_check **require; /* extra checks, by id */
	size_t n_require;
	const struct hull_audit_check **ignore; /* exemptions */
	size_t n_ignore;
	bool has_max_caps;
	uint64_t max_caps;
	bool has_host_paths;
	char **host_paths; /* cleaned absolute prefixes; NULL-terminated */
	bool allow_engine_volumes;
	bool require_seccomp;
	bool require_userns;
	char **image_digests; /* "sha256:<64 hex>"; NULL = no digest rule */
	bool require_signature;
	char *audit_log; /* file for decision lines; NULL = none */
	bool syslog;
	hull_arena arena;
};

/* Parse policy text. `what` names the source in errors. */
int hull_admission_policy_parse(const char *data, size_t len, const char *what,
				struct hull_admission_policy **out, hull_err *err);
/* Read and parse a policy file (bounded, O_CLOEXEC, not following a final symlink is NOT
 * required: /etc/hull/admission.json may be a symlink managed by configuration tools). */
int hull_admission_policy_load(const char *path, struct hull_admission_policy **out, hull_err *err);
void hull_admission_policy_free(struct hull_admission_policy *p);

struct hull_admission_decision {
	int verdict; /* enum hull_admission_verdict */
	size_t n_failed;
	struct hull_audit_report report; /* every evaluated check */
};

/* Policy-rule checks (ids "policy.*"), shown like catalogue checks in reports. */
extern const struct hull_audit_check hull_policy_checks[];
extern const size_t hull_policy_n_checks;

/* Evaluate spec under policy. Never fails; a mode of off allows everything unchecked. */
void hull_admission_evaluate(const struct hull_admission_policy *p, const struct hull_spec *spec,
			     const struct hull_audit_host_facts *facts,
			     struct hull_admission_decision *out);

/* The refusal (or warning) text: every failed check with its evidence and remediation, in one
 * line so that runc-style text and JSON logs keep it whole. Caller frees. */
char *hull_admission_message(const struct hull_admission_decision *d, const char *id,
			     const char *policy_path);

/* One audit-log record (a JSON object) for a decision. */
struct hull_admission_context {
	const char *id, *bundle, *policy_path;
	uint32_t uid;
	int32_t caller_pid;
	const char *caller_comm; /* may be NULL */
	const char *time;	 /* RFC 3339 */
};
json_object *hull_admission_record(const struct hull_admission_decision *d,
				   const struct hull_admission_context *ctx);

const char *hull_admission_verdict_name(int verdict); /* "allow", "warn", "deny" */
/* The image digest the engine recorded in the config's annotations, if any. */
const char *hull_admission_image_digest(const struct hull_spec *spec);
