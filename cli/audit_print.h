/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Printing audit reports (shared by `hull audit` and the toolkit's image audit). */
#pragma once

#include "audit/audit.h"

enum audit_format { AUDIT_FORMAT_TABLE, AUDIT_FORMAT_JSON, AUDIT_FORMAT_SARIF };

int audit_format_parse(const char *s, enum audit_format *out);
/* Print r about target in fmt; returns the exit status (0, or 3 when a check failed). */
int audit_print(const struct hull_audit_report *r, const char *target, enum audit_format fmt);
