/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/audit_print.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"

int audit_format_parse(const char *s, enum audit_format *out)
{
	if (!strcmp(s, "table"))
		*out = AUDIT_FORMAT_TABLE;
	else if (!strcmp(s, "json"))
		*out = AUDIT_FORMAT_JSON;
	else if (!strcmp(s, "sarif"))
		*out = AUDIT_FORMAT_SARIF;
	else
		return -1;
	return 0;
}

static const char *upper_status(int st)
{
	static const char *const n[] = {"PASS", "FAIL", "N/A", "MANUAL"};
	return st >= 0 && st < 4 ? n[st] : "?";
}

static void print_table(const struct hull_audit_report *r, const char *target)
{
	bool color = isatty(STDOUT_FILENO);
	printf("audit of %s\n\n", target);
	printf("%-6s %-8s %-36s %-6s %s\n", "STATUS", "SEVERITY", "CHECK", "CIS", "DETAIL");
	for (size_t i = 0; i < r->n; i++) {
		const struct hull_audit_finding *f = &r->f[i];
		const char *on = "", *off = "";
		if (color && f->status == HULL_AUDIT_FAIL)
			on = "\033[31m", off = "\033[0m";
		printf("%s%-6s%s %-8s %-36s %-6s %s\n", on, upper_status(f->status), off,
		       hull_audit_severity_name(f->check->severity), f->check->id,
		       f->check->cis ? f->check->cis : "-", f->detail);
		if (f->status == HULL_AUDIT_FAIL || f->status == HULL_AUDIT_MANUAL) {
			if (f->path[0])
				printf("%57s evidence: %s%s%s\n", "", f->path,
				       f->value[0] ? " = " : "", f->value);
			printf("%57s fix: %s\n", "", f->check->remediation);
		}
	}
	printf("\n%zu passed, %zu failed, %zu not applicable, %zu manual\n",
	       r->counts[HULL_AUDIT_PASS], r->counts[HULL_AUDIT_FAIL], r->counts[HULL_AUDIT_NA],
	       r->counts[HULL_AUDIT_MANUAL]);
}

int audit_print(const struct hull_audit_report *r, const char *target, enum audit_format fmt)
{
	json_object *o = NULL;
	switch (fmt) {
	case AUDIT_FORMAT_TABLE:
		print_table(r, target);
		break;
	case AUDIT_FORMAT_JSON:
		o = hull_audit_report_json(r, target);
		break;
	case AUDIT_FORMAT_SARIF:
		o = hull_audit_report_sarif(r, target, HULL_VERSION);
		break;
	}
	if (o) {
		printf("%s\n", json_object_to_json_string_ext(
				   o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	fflush(stdout);
	return r->counts[HULL_AUDIT_FAIL] ? 3 : 0;
}
