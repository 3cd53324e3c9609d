/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image configuration and filesystem checks with stable IDs, modelled on CIS Docker Benchmark
 * section 4 and Dockle. Each check names the benchmark item it follows. */
#pragma once

#include <stddef.h>

#include "scan/inventory.h"
#include "scan/target.h"

struct hull_check_def {
	const char *id;
	const char *title;
	const char *severity;
	const char *refs; /* "CIS-DI-0001, CIS Docker 4.1" */
	const char *fix;
};

struct hull_misconf {
	const struct hull_check_def *check;
	char *message;
	char *path; /* file in the tree, or NULL for image config findings */
};

struct hull_misconf_list {
	struct hull_misconf *m;
	size_t n, cap;
};

void hull_misconf_list_free(struct hull_misconf_list *l);
const struct hull_check_def *hull_check_defs(size_t *n);

/* Run every check that applies: config checks only for images (meta->is_image). */
int hull_misconf_check(const struct hull_inventory *inv, const struct hull_image_meta *meta,
		       struct hull_misconf_list *out, hull_err *err);

/* Parsers used by the checks (fuzzed/tested on their own). */
/* Accounts of /etc/shadow with an empty password field: NULL-terminated, caller frees. */
char **hull_shadow_empty_passwords(const char *data, size_t len);
/* Duplicate numeric ids (field 3) of a passwd or group file: "0 (root, toor)" entries. */
char **hull_duplicate_ids(const char *data, size_t len);
