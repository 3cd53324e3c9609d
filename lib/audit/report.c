/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reports as JSON (hull's own shape) and as SARIF 2.1.0 (code scanning dashboards). */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/json.h"

/* Evidence values are JSON text when they came from the config; keep them typed in the output
 * so that consumers can compare them, and fall back to a string for descriptive values. */
static json_object *evidence_value(const char *text)
{
	enum json_tokener_error e = json_tokener_success;
	json_object *o = json_tokener_parse_verbose(text, &e);
	if (e != json_tokener_success)
		return json_object_new_string(text);
	return o; /* NULL for the literal null */
}

static const char *standards_text(unsigned std, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", std & HULL_STD_CIS ? "cis " : "",
		 std & HULL_STD_PSS_RESTRICTED ? "pss-restricted "
		 : std & HULL_STD_PSS_BASELINE ? "pss-baseline "
					       : "",
		 std & HULL_STD_HULL ? "hull " : "", "");
	if (*buf)
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

static const char *pss_level(const struct hull_audit_check *c)
{
	if (!c->pss)
		return NULL;
	return (c->standards & HULL_STD_PSS_BASELINE) ? "baseline" : "restricted";
}

json_object *hull_audit_finding_json(const struct hull_audit_finding *f)
{
	const struct hull_audit_check *c = f->check;
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	hull_json_add_str(o, "id", c->id);
	hull_json_add_str(o, "status", hull_audit_status_name(f->status));
	hull_json_add_str(o, "severity", hull_audit_severity_name(c->severity));
	hull_json_add_str(o, "title", c->title);
	if (c->cis)
		hull_json_add_str(o, "cis", c->cis);
	if (c->pss) {
		json_object *p = json_object_new_object();
		hull_json_add_str(p, "control", c->pss);
		hull_json_add_str(p, "level", pss_level(c));
		hull_json_add(o, "pss", p);
	}
	if (f->path[0]) {
		json_object *e = json_object_new_object();
		hull_json_add_str(e, "path", f->path);
		if (f->value[0])
			json_object_object_add(e, "value", evidence_value(f->value));
		hull_json_add(o, "evidence", e);
	}
	hull_json_add_str(o, "detail", f->detail);
	if (f->status == HULL_AUDIT_FAIL || f->status == HULL_AUDIT_MANUAL)
		hull_json_add_str(o, "remediation", c->remediation);
	return o;
}

json_object *hull_audit_report_json(const struct hull_audit_report *r, const char *target)
{
	static const char *const kinds[] = {"container", "host", "image"};
	json_object *o = json_object_new_object(), *sum, *arr, *std;
	char buf[64];
	if (!o)
		return NULL;
	hull_json_add_str(o, "target", target);
	hull_json_add_str(o, "kind", kinds[r->target]);
	std = json_object_new_array();
	standards_text(r->standards, buf, sizeof buf);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		hull_json_arr_add_str(std, t);
	hull_json_add(o, "standards", std);
	sum = json_object_new_object();
	for (int i = 0; i < 4; i++)
		hull_json_add_int(sum, hull_audit_status_name(i), (int64_t)r->counts[i]);
	hull_json_add(o, "summary", sum);
	arr = json_object_new_array();
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(arr, hull_audit_finding_json(&r->f[i]));
	hull_json_add(o, "findings", arr);
	return o;
}

/* GitHub code scanning orders by security-severity (0-10). */
static const char *security_severity(int sev)
{
	static const char *const s[] = {"0.0", "3.0", "5.5", "8.0", "9.5"};
	return sev >= 0 && sev < 5 ? s[sev] : "0.0";
}

static const char *sarif_level(const struct hull_audit_finding *f)
{
	if (f->status == HULL_AUDIT_PASS || f->status == HULL_AUDIT_NA)
		return "none";
	if (f->status == HULL_AUDIT_MANUAL)
		return "note";
	return f->check->severity >= HULL_SEV_HIGH ? "error" : "warning";
}

static json_object *sarif_rule(const struct hull_audit_check *c)
{
	json_object *r = json_object_new_object(), *t, *props, *tags, *cfg;
	hull_json_add_str(r, "id", c->id);
	t = json_object_new_object();
	hull_json_add_str(t, "text", c->title);
	hull_json_add(r, "shortDescription", t);
	t = json_object_new_object();
	hull_json_add_str(t, "text", c->remediation);
	hull_json_add(r, "help", t);
	cfg = json_object_new_object();
	hull_json_add_str(cfg, "level", c->severity >= HULL_SEV_HIGH ? "error" : "warning");
	hull_json_add(r, "defaultConfiguration", cfg);
	props = json_object_new_object();
	tags = json_object_new_array();
	hull_json_arr_add_str(tags, "security");
	if (c->cis) {
		char b[48];
		snprintf(b, sizeof b, "CIS-Docker-1.6-%s", c->cis);
		hull_json_arr_add_str(tags, b);
	}
	if (c->pss) {
		char b[96];
		snprintf(b, sizeof b, "PSS-%s-%s", pss_level(c), c->pss);
		hull_json_arr_add_str(tags, b);
	}
	hull_json_add(props, "tags", tags);
	hull_json_add_str(props, "security-severity", security_severity(c->severity));
	hull_json_add(r, "properties", props);
	return r;
}

json_object *hull_audit_report_sarif(const struct hull_audit_report *r, const char *target,
				     const char *version)
{
	static const char *const kinds[] = {"pass", "fail", "notApplicable", "review"};
	json_object *root = json_object_new_object(), *runs, *run, *tool, *driver, *rules, *results;
	if (!root)
		return NULL;
	hull_json_add_str(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	hull_json_add_str(root, "version", "2.1.0");
	runs = json_object_new_array();
	run = json_object_new_object();
	tool = json_object_new_object();
	driver = json_object_new_object();
	hull_json_add_str(driver, "name", "hull-audit");
	hull_json_add_str(driver, "version", version);
	rules = json_object_new_array();
	results = json_object_new_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct hull_audit_finding *f = &r->f[i];
		json_object *res = json_object_new_object(), *msg, *locs, *loc, *phys, *art, *logs;
		char text[HULL_AUDIT_DETAIL_MAX + HULL_AUDIT_PATH_MAX + HULL_AUDIT_VALUE_MAX + 16];
		json_object_array_add(rules, sarif_rule(f->check));
		hull_json_add_str(res, "ruleId", f->check->id);
		hull_json_add_int(res, "ruleIndex", (int64_t)i);
		hull_json_add_str(res, "kind", kinds[f->status & 3]);
		hull_json_add_str(res, "level", sarif_level(f));
		msg = json_object_new_object();
		if (f->path[0] && f->value[0])
			snprintf(text, sizeof text, "%s (%s = %s)", f->detail, f->path, f->value);
		else
			snprintf(text, sizeof text, "%s", f->detail);
		hull_json_add_str(msg, "text", text);
		hull_json_add(res, "message", msg);
		locs = json_object_new_array();
		loc = json_object_new_object();
		phys = json_object_new_object();
		art = json_object_new_object();
		hull_json_add_str(art, "uri", target);
		hull_json_add(phys, "artifactLocation", art);
		hull_json_add(loc, "physicalLocation", phys);
		if (f->path[0]) {
			json_object *l = json_object_new_object();
			logs = json_object_new_array();
			hull_json_add_str(l, "fullyQualifiedName", f->path);
			hull_json_add_str(l, "kind", "member");
			json_object_array_add(logs, l);
			hull_json_add(loc, "logicalLocations", logs);
		}
		json_object_array_add(locs, loc);
		hull_json_add(res, "locations", locs);
		json_object_array_add(results, res);
	}
	hull_json_add(driver, "rules", rules);
	hull_json_add(tool, "driver", driver);
	hull_json_add(run, "tool", tool);
	hull_json_add(run, "results", results);
	json_object_array_add(runs, run);
	hull_json_add(root, "runs", runs);
	return root;
}
