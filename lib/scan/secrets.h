/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Secret detection. Rules are data (data/scan/secrets.json, embedded at build time): each has
 * literal keywords that must occur before its regular expression runs, so a file without any
 * keyword costs one pass of memmem per rule. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "scan/inventory.h"

struct hull_secret_rules;

/* Parse a rule set (JSON, see data/scan/secrets.json). */
int hull_secret_rules_load(const char *json, size_t len, struct hull_secret_rules **out,
			   hull_err *err);
/* The built-in rule set (parsed once). */
int hull_secret_rules_builtin(const struct hull_secret_rules **out, hull_err *err);
void hull_secret_rules_free(struct hull_secret_rules *r);
size_t hull_secret_rules_count(const struct hull_secret_rules *r);

/* Whether path (relative to the root, no leading '/') is skipped: system paths, tests,
 * documentation, vendored code. */
bool hull_secret_path_skipped(const char *path);

/* Search data (text; binary input is skipped) and add findings to the inventory. */
int hull_secret_scan(const struct hull_secret_rules *r, struct hull_inventory *inv,
		     const char *path, const char *data, size_t len, hull_err *err);
