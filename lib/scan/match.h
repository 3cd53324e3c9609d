/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Matching packages against the vulnerability DB. A finding exists only when a stored range or
 * versions list says the installed version is affected; every finding carries that range. */
#pragma once

#include <stdbool.h>

#include "scan/inventory.h"
#include "scan/vercmp.h"
#include "scan/vulndb.h"

struct hull_finding {
	const struct hull_pkg *pkg;
	char *id;
	char *ns;
	char *summary;
	char *severity;			/* CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN */
	char *aliases, *related, *refs; /* newline-separated, may be NULL */
	char *published, *modified;
	char *ecosystem;  /* "Debian:12" */
	char *match_name; /* the name looked up: source package for deb, origin for apk */
	char *installed;  /* the version compared: source version for deb */
	char *fixed;	  /* NULL: no fixed version known */
	char *range;	  /* the events or versions entry that matched */
};

struct hull_match_result {
	struct hull_finding *f;
	size_t n, cap;
};

void hull_match_result_free(struct hull_match_result *r);

/* PEP 503 normalisation (lower case, runs of "-_." become "-"): how PyPI names compare. Both
 * the DB (at import) and the lookup use it: "Jinja2" in an advisory is "jinja2" installed. */
void hull_pep503_name(const char *in, char *out, size_t size);

/* The OSV ecosystem, lookup name, version and comparator for a package on an OS. Returns false
 * when the package cannot be matched (unknown distribution, no comparator). */
bool hull_pkg_match_key(const struct hull_os *os, const struct hull_pkg *p, char *eco,
			size_t eco_size, char *name, size_t name_size, const char **version,
			enum hull_ver_scheme *scheme);

/* Evaluate one stored range (OSV semantics) for version v. *affected set; *fixed receives the
 * fixed version that ends the affected interval (malloc'd, NULL when none). Errors: a version
 * (v or an event's) the comparator rejects; the caller skips the row. */
int hull_range_affects(enum hull_ver_scheme s, const char *rtype, const char *events,
		       const char *versions, const char *v, bool *affected, char **fixed,
		       hull_err *err);

int hull_match(struct hull_vulndb *db, struct hull_inventory *inv, struct hull_match_result *out,
	       hull_err *err);
