/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Security audit of containers, hosts and images against the CIS Docker Benchmark v1.6 and the
 * Kubernetes Pod Security Standards, plus hull's own hardening checks.
 *
 * Every check has a stable id ("container.privileged"), the CIS item and/or PSS control it
 * implements, a severity and a remediation line. Running checks yields findings: a status, the
 * evidence (JSON path and value of the config that decided it) and a short explanation. Checks
 * that cannot be decided from a config (port mappings, restart policies...) are reported as not
 * applicable, never silently skipped.
 *
 * Container checks read a parsed `struct hull_spec` and nothing else, with no allocation: they
 * run on every `hull create` under an admission policy and must stay far below a millisecond. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

enum hull_audit_status {
	HULL_AUDIT_PASS,
	HULL_AUDIT_FAIL,
	HULL_AUDIT_NA,	   /* does not apply to this target (reason in detail) */
	HULL_AUDIT_MANUAL, /* needs a person's judgement; the evidence says what to look at */
};

enum hull_audit_severity {
	HULL_SEV_INFO,
	HULL_SEV_LOW,
	HULL_SEV_MEDIUM,
	HULL_SEV_HIGH,
	HULL_SEV_CRITICAL,
};

/* Standards a check belongs to (a bit set). pss-restricted includes pss-baseline, and `hull`
 * is every container check. */
enum {
	HULL_STD_CIS = 1u << 0,
	HULL_STD_PSS_BASELINE = 1u << 1,
	HULL_STD_PSS_RESTRICTED = 1u << 2,
	HULL_STD_HULL = 1u << 3,
};
#define HULL_STD_ALL                                                                               \
	(HULL_STD_CIS | HULL_STD_PSS_BASELINE | HULL_STD_PSS_RESTRICTED | HULL_STD_HULL)

enum hull_audit_target { HULL_TARGET_CONTAINER, HULL_TARGET_HOST, HULL_TARGET_IMAGE };

struct hull_audit_finding;
struct hull_audit_host_facts;
typedef void (*hull_audit_container_fn)(const struct hull_spec *spec,
					const struct hull_audit_host_facts *facts,
					struct hull_audit_finding *out);

struct hull_audit_check {
	const char *id;		 /* stable: "container.privileged" */
	const char *title;	 /* one line */
	const char *cis;	 /* CIS Docker Benchmark v1.6 item ("5.5") or NULL */
	const char *pss;	 /* PSS control name ("privileged") or NULL */
	unsigned standards;	 /* HULL_STD_* */
	int severity;		 /* enum hull_audit_severity */
	const char *remediation; /* one line: what to change */
	enum hull_audit_target target;
	hull_audit_container_fn eval; /* container checks only */
};

#define HULL_AUDIT_PATH_MAX   128
#define HULL_AUDIT_VALUE_MAX  192
#define HULL_AUDIT_DETAIL_MAX 256

struct hull_audit_finding {
	const struct hull_audit_check *check;
	int status;			    /* enum hull_audit_status */
	char path[HULL_AUDIT_PATH_MAX];	    /* JSON path of the evidence ("" when none) */
	char value[HULL_AUDIT_VALUE_MAX];   /* the value there, as JSON text ("" when none) */
	char detail[HULL_AUDIT_DETAIL_MAX]; /* why this status */
};

#define HULL_AUDIT_MAX_FINDINGS 96

struct hull_audit_report {
	enum hull_audit_target target;
	unsigned standards; /* what was asked for */
	size_t n;
	struct hull_audit_finding f[HULL_AUDIT_MAX_FINDINGS];
	size_t counts[4]; /* per status */
};

/* Facts about the host that change what applies (AppArmor and SELinux items are "if
 * applicable"). Fixed in tests so that golden files do not depend on the machine. */
struct hull_audit_host_facts {
	bool apparmor; /* AppArmor enabled on this host */
	bool selinux;  /* SELinux enabled on this host */
	/* The image store whose trust/verified/ records images.requireSignature reads (the trust
	 * code writes one per verified image); NULL: none. Not probed: the caller sets it. */
	const char *storage_root;
};
/* Probe the running host (cheap: two stat calls). */
void hull_audit_host_facts_probe(struct hull_audit_host_facts *facts);

/* Standard names: "cis", "pss-baseline", "pss-restricted", "hull", "all". Returns the bit set
 * or 0 when unknown. */
unsigned hull_audit_standard_parse(const char *name);
const char *hull_audit_status_name(int status);	    /* "pass", "fail", "n/a", "manual" */
const char *hull_audit_severity_name(int severity); /* "info" ... "critical" */
int hull_audit_severity_parse(const char *name);    /* -1 when unknown */

/* The check catalogue. */
size_t hull_audit_checks(const struct hull_audit_check **out);
const struct hull_audit_check *hull_audit_check_find(const char *id);

/* Run every container check that belongs to one of `standards` on spec. Never fails. */
void hull_audit_container(const struct hull_spec *spec, const struct hull_audit_host_facts *facts,
			  unsigned standards, struct hull_audit_report *out);
/* Run one container check (admission runs only the checks a policy requires). */
void hull_audit_container_check(const struct hull_audit_check *c, const struct hull_spec *spec,
				const struct hull_audit_host_facts *facts,
				struct hull_audit_finding *out);

/* Host checks: kernel features, hull's own directories, policy files. */
struct hull_audit_host_opts {
	const char *state_root;	    /* default /run/hull */
	const char *storage_root;   /* default /var/lib/hull */
	const char *admission_file; /* default /etc/hull/admission.json */
	const char *proc;	    /* default /proc (tests point it elsewhere) */
	const char *sys;	    /* default /sys */
};
void hull_audit_host(const struct hull_audit_host_opts *o, struct hull_audit_report *out);

/* Image checks (CIS section 4) on an OCI image config (the JSON blob a manifest points to).
 * Filesystem checks (setuid files) are added by the caller that can read layers. */
int hull_audit_image_config(json_object *config, struct hull_audit_report *out, hull_err *err);

/* Append a finding for check c (used by callers that evaluate extra checks, e.g. layers). */
struct hull_audit_finding *hull_audit_report_add(struct hull_audit_report *r,
						 const struct hull_audit_check *c, int status);
void hull_audit_report_count(struct hull_audit_report *r);

/* Renderings. `target` names what was audited (a bundle path, "host", an image reference). */
json_object *hull_audit_report_json(const struct hull_audit_report *r, const char *target);
json_object *hull_audit_finding_json(const struct hull_audit_finding *f);
/* SARIF 2.1.0: one run, a rule per check, a result per failed or manual finding. */
json_object *hull_audit_report_sarif(const struct hull_audit_report *r, const char *target,
				     const char *version);

/* Helpers for finding text (snprintf into the fixed buffers, truncating safely). */
void hull_audit_set(struct hull_audit_finding *f, int status, const char *path, const char *value,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
