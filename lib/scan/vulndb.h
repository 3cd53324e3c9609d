/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vulnerability database: one SQLite file (WAL, so scans read while an import writes), filled
 * offline from OSV JSON (files, directories, osv.dev's per-ecosystem all.zip), Alpine secdb (JSON
 * or YAML), the Debian security tracker JSON and its DSA/DLA lists. An import is one transaction:
 * it lands whole or not at all. Each advisory keeps its origin (source) and the import date. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/error.h"

#define HULL_VULNDB_DEFAULT    "/var/lib/hull/vuln.db"
#define HULL_VULNDB_FILE_MAX   (512u << 20) /* one input file (the tracker JSON is ~70 MiB) */
#define HULL_VULNDB_RECORD_MAX (8u << 20)   /* one OSV record */
#define HULL_VULNDB_YAML_NODES 1000000

enum hull_adv_format {
	HULL_ADV_AUTO,
	HULL_ADV_OSV,
	HULL_ADV_SECDB,		 /* JSON or YAML */
	HULL_ADV_DEBIAN_TRACKER, /* security-tracker.debian.org/tracker/data/json */
	HULL_ADV_DEBIAN_LIST,	 /* data/DSA/list, data/DLA/list */
};

struct hull_vulndb;

struct hull_import_stats {
	size_t files;
	size_t advisories;
	size_t affected;
	size_t withdrawn;
	size_t skipped; /* entries that carry nothing to match (not-affected, unknown release) */
};

/* Open (creating when writable) the database. Readers open it read-only and never block on or
 * block an import. */
int hull_vulndb_open(const char *path, bool writable, struct hull_vulndb **out, hull_err *err);
void hull_vulndb_close(struct hull_vulndb *db);

/* An import: begin, any number of inputs, commit (or abort, which leaves the DB unchanged). */
int hull_vulndb_import_begin(struct hull_vulndb *db, hull_err *err);
int hull_vulndb_import_path(struct hull_vulndb *db, const char *path, enum hull_adv_format fmt,
			    struct hull_import_stats *st, hull_err *err);
/* Import bytes already in memory (tests, fuzzing). name identifies the input in errors. */
int hull_vulndb_import_buffer(struct hull_vulndb *db, const char *name, const char *data,
			      size_t len, enum hull_adv_format fmt, struct hull_import_stats *st,
			      hull_err *err);
int hull_vulndb_import_commit(struct hull_vulndb *db, hull_err *err);
void hull_vulndb_import_abort(struct hull_vulndb *db);

/* { "path", "schema", "advisories", "affected", "sources": [{name, format, origin, imported,
 * records}], "ecosystems": {eco: count} } */
int hull_vulndb_info(struct hull_vulndb *db, json_object **out, hull_err *err);

/* Only { "path", "sources": [...] }: what a report cites, without counting 100k rows. */
int hull_vulndb_sources(struct hull_vulndb *db, json_object **out, hull_err *err);

/* One affected row joined with its advisory. Strings live until the callback returns. */
struct hull_adv_row {
	const char *id;
	const char *ns; /* "osv", "alpine-secdb:v3.11/main", "debian-tracker", ... */
	const char *summary;
	const char *severity; /* CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN */
	const char *aliases;  /* newline-separated */
	const char *related;
	const char *refs; /* newline-separated URLs */
	const char *published, *modified;
	const char *ecosystem, *name;
	const char *rtype;    /* "ECOSYSTEM", "SEMVER" or NULL (versions only) */
	const char *events;   /* lines "introduced V", "fixed V", "last_affected V", "limit V" */
	const char *versions; /* newline-separated or NULL */
};

typedef int (*hull_adv_fn)(const struct hull_adv_row *row, void *data, hull_err *err);

int hull_vulndb_query(struct hull_vulndb *db, const char *ecosystem, const char *name,
		      hull_adv_fn fn, void *data, hull_err *err);

/* Severity from a CVSS v3.x vector ("CVSS:3.1/AV:N/..."): base score, or -1 if unparsable. */
double hull_cvss3_base_score(const char *vector);
const char *hull_severity_from_score(double score);
/* Normalise a severity word (MODERATE -> MEDIUM, Important -> HIGH...) or NULL. */
const char *hull_severity_normalize(const char *s);
