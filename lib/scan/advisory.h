/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: advisory records as the format parsers hand them to the DB. */
#pragma once

#include <stdint.h>

#include "scan/vulndb.h"

struct adv_record {
	const char *ns; /* namespace: advisories of one ns replace each other by id */
	const char *id;
	const char *summary;
	const char *severity;
	const char *aliases, *related, *refs; /* newline-separated */
	const char *published, *modified;
};

struct adv_affected {
	const char *ecosystem, *name;
	const char *rtype;    /* ECOSYSTEM | SEMVER | NULL */
	const char *events;   /* "introduced 0\nfixed 1.2-3" */
	const char *versions; /* newline-separated, or NULL */
	const char *severity;
};

int adv_drop_ns(struct hull_vulndb *db, const char *ns, hull_err *err);
int adv_drop(struct hull_vulndb *db, const char *ns, const char *id, hull_err *err);
int adv_insert(struct hull_vulndb *db, const struct adv_record *a, int64_t *rowid, hull_err *err);
int adv_insert_affected(struct hull_vulndb *db, int64_t adv, const struct adv_affected *f,
			hull_err *err);
int adv_record_source(struct hull_vulndb *db, const char *name, const char *format,
		      const char *origin, size_t records, hull_err *err);

/* Debian release codename -> "Debian:N" ("sid" stays "Debian:sid"); NULL when unknown. */
const char *adv_debian_ecosystem(const char *codename);
