/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Report writers: hull's JSON (schema in docs/scan.md), a table for people, SARIF 2.1.0,
 * CycloneDX 1.5 and SPDX 2.3 JSON. Writers build documents; the CLI prints them. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "scan/inventory.h"
#include "scan/match.h"
#include "scan/misconf.h"
#include "scan/target.h"

struct hull_report {
	const char *target;
	const struct hull_inventory *inv;
	const struct hull_image_meta *meta;
	const struct hull_finding *vulns;
	size_t nvulns;
	const struct hull_misconf *mis;
	size_t nmis;
	const struct hull_secret *secrets;
	size_t nsecrets;
	bool scanned_vuln, scanned_secret, scanned_misconf;
	json_object *db_info; /* borrowed; may be NULL */
	const char *created;  /* RFC 3339 UTC; NULL: now */
};

/* Severity ranks: UNKNOWN 0, LOW 1, MEDIUM 2, HIGH 3, CRITICAL 4; -1 for anything else. */
int hull_severity_rank(const char *s);
/* "CRITICAL,HIGH" -> bit mask of ranks; -1 naming the bad word in err. */
int hull_severity_mask(const char *list, unsigned *mask, hull_err *err);

json_object *hull_report_json(const struct hull_report *r);
json_object *hull_report_sarif(const struct hull_report *r);
json_object *hull_report_cyclonedx(const struct hull_report *r, bool with_vulns);
json_object *hull_report_spdx(const struct hull_report *r);
/* A table (ANSI colours when color); caller frees. */
char *hull_report_table(const struct hull_report *r, bool color);
