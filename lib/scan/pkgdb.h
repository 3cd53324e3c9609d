/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of package databases and package metadata. Each takes bytes (already read, bounded)
 * from an untrusted tree and adds what it finds to the inventory; none touches the filesystem,
 * so each is fuzzed on its own. `location` is the file's path in the scanned tree. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "scan/inventory.h"

#define HULL_SCAN_MAX_PKGS    200000 /* packages in one database */
#define HULL_SCAN_JAR_DEPTH   3	     /* jars inside jars inside jars */
#define HULL_SCAN_JAR_ENTRIES 100000

/* var/lib/dpkg/status, or one file of status.d/ (distroless: no Status field needed). */
int hull_parse_dpkg_status(struct hull_inventory *inv, const char *data, size_t len,
			   const char *location, bool status_d, hull_err *err);
/* lib/apk/db/installed */
int hull_parse_apk_installed(struct hull_inventory *inv, const char *data, size_t len,
			     const char *location, hull_err *err);
/* One rpm header blob as stored in rpmdb.sqlite's Packages table (no lead, no magic). */
int hull_parse_rpm_header(struct hull_inventory *inv, const uint8_t *blob, size_t len,
			  const char *location, hull_err *err);
/* A whole rpmdb.sqlite file held in memory (opened read-only with sqlite3_deserialize). */
int hull_parse_rpmdb_sqlite(struct hull_inventory *inv, const void *data, size_t len,
			    const char *location, hull_err *err);
/* A BerkeleyDB hash Packages file (rpm before 4.16: RHEL/CentOS 7 and 8, AlmaLinux 8) held in
 * memory: header blobs from the values (overflow chains followed, each page at most once). */
int hull_parse_rpmdb_bdb(struct hull_inventory *inv, const void *data, size_t len,
			 const char *location, hull_err *err);
struct hull_owned;
int hull_rpmdb_bdb_files(const void *data, size_t len, const char *location, struct hull_owned *o,
			 hull_err *err);
/* The files rpm installed (header file lists) into an owned map, owner "rpm:NAME". */
int hull_rpm_header_files(const uint8_t *blob, size_t len, struct hull_owned *o, hull_err *err);
int hull_rpmdb_sqlite_files(const void *data, size_t len, const char *location,
			    struct hull_owned *o, hull_err *err);
/* etc/os-release (KEY=value); fills inv->os fields that are still unset. */
void hull_parse_os_release(struct hull_inventory *inv, const char *data, size_t len);
/* *.dist-info/METADATA, PKG-INFO */
int hull_parse_python_metadata(struct hull_inventory *inv, const char *data, size_t len,
			       const char *location, hull_err *err);
/* node_modules/.../package.json */
int hull_parse_npm_package(struct hull_inventory *inv, const char *data, size_t len,
			   const char *location, hull_err *err);
/* An ELF executable's Go build info (Go >= 1.18 inline format). Returns 0 and adds nothing
 * when the file is not a Go binary. */
int hull_parse_go_binary(struct hull_inventory *inv, const uint8_t *data, size_t len,
			 const char *location, hull_err *err);
/* The build info itself, data starting at its "\xff Go buildinf:" magic. */
int hull_parse_go_buildinfo(struct hull_inventory *inv, const uint8_t *data, size_t len,
			    const char *location, hull_err *err);
/* Only the build info text (the part after the header), for the fuzzer and tests. */
int hull_parse_go_modinfo(struct hull_inventory *inv, const char *goversion, const char *mod,
			  size_t len, const char *location, hull_err *err);
/* A jar/war/ear held in memory: pom.properties, then MANIFEST.MF, then the file name. */
int hull_parse_jar(struct hull_inventory *inv, const void *data, size_t len, const char *location,
		   int depth, hull_err *err);
/* The same with an explicit budget of member bytes to decompress (default 512 MiB over the
 * whole nesting): a zip bomb stops at the budget. */
int hull_parse_jar_limited(struct hull_inventory *inv, const void *data, size_t len,
			   const char *location, uint64_t budget, hull_err *err);
/* A jar's META-INF/MANIFEST.MF on its own (fuzzed). */
int hull_parse_jar_manifest(const char *data, size_t len, char **title, char **version,
			    char **vendor_id);
