/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vulnerability DB import and matching: OSV range semantics, each format, atomic imports,
 * readers during an import, and matching rules (source packages, origins, releases). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/inventory.h"
#include "scan/match.h"
#include "scan/vulndb.h"
#include <sqlite3.h>

#include "t.h"

static char *tmp_db(void)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/hull-test-db-%d-XXXXXX", getpid());
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	return path;
}

static void cleanup_db(const char *p)
{
	char x[128];
	unlink(p);
	snprintf(x, sizeof x, "%s-wal", p);
	unlink(x);
	snprintf(x, sizeof x, "%s-shm", p);
	unlink(x);
}

static int affects(enum hull_ver_scheme s, const char *events, const char *versions, const char *v,
		   char **fixed)
{
	bool a = false;
	hull_err e = HULL_ERR_INIT;
	char *f = NULL;
	if (hull_range_affects(s, "ECOSYSTEM", events, versions, v, &a, &f, &e) < 0) {
		hull_err_clear(&e);
		return -1;
	}
	if (fixed)
		*fixed = f;
	else
		free(f);
	return a;
}

TEST(range_semantics)
{
	char *fixed = NULL;
	/* introduced 0, fixed X: everything below X */
	T_EQ_INT(affects(HULL_VER_DEB, "introduced 0\nfixed 1.2-3", NULL, "1.2-2", &fixed), 1);
	T_EQ_STR(fixed, "1.2-3");
	free(fixed);
	T_EQ_INT(affects(HULL_VER_DEB, "introduced 0\nfixed 1.2-3", NULL, "1.2-3", NULL), 0);
	T_EQ_INT(affects(HULL_VER_DEB, "introduced 0\nfixed 1.2-3", NULL, "1:1.0-1", NULL), 0);
	/* unfixed: introduced only */
	T_EQ_INT(affects(HULL_VER_DEB, "introduced 0", NULL, "9.9-9", &fixed), 1);
	T_ASSERT(fixed == NULL);
	/* two intervals, events out of order in the record */
	static const char two[] = "fixed 1.5\nintroduced 2.0\nintroduced 1.0\nfixed 2.3";
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "0.9.0", NULL), 0);
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "1.0.0", NULL), 1);
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "1.4.9", &fixed), 1);
	T_EQ_STR(fixed, "1.5");
	free(fixed);
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "1.7.0", NULL), 0);
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "2.2.0", &fixed), 1);
	T_EQ_STR(fixed, "2.3");
	free(fixed);
	T_EQ_INT(affects(HULL_VER_SEMVER, two, NULL, "2.3.0", NULL), 0);
	/* last_affected is inclusive, and leaves no fixed version */
	T_EQ_INT(affects(HULL_VER_SEMVER, "introduced 1.0.0\nlast_affected 1.2.0", NULL, "1.2.0",
			 &fixed),
		 1);
	T_ASSERT(fixed == NULL);
	T_EQ_INT(
	    affects(HULL_VER_SEMVER, "introduced 1.0.0\nlast_affected 1.2.0", NULL, "1.2.1", NULL),
	    0);
	/* versions list: exact strings */
	T_EQ_INT(affects(HULL_VER_PEP440, NULL, "1.0\n1.1", "1.1", NULL), 1);
	T_EQ_INT(affects(HULL_VER_PEP440, NULL, "1.0\n1.1", "1.1.0", NULL), 0);
	/* an unparsable installed version or event is an error, never a finding */
	T_EQ_INT(affects(HULL_VER_DEB, "introduced 0\nfixed 1.0", NULL, "garbage", NULL), -1);
	T_EQ_INT(affects(HULL_VER_APK, "introduced 0\nfixed not_a_version", NULL, "1.0-r0", NULL),
		 -1);
}

static const char osv_pypi[] =
    "{\"id\":\"GHSA-test-0001\",\"modified\":\"2024-01-01T00:00:00Z\",\"schema_version\":\"1.6.0\","
    "\"aliases\":[\"CVE-2023-0001\"],\"summary\":\"test\","
    "\"database_specific\":{\"severity\":\"MODERATE\"},"
    "\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Requests\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.31.0\"}]"
    "}]}]}";

static const char osv_withdrawn[] = "{\"id\":\"GHSA-test-0001\",\"modified\":\"2024-02-01T00:00:"
				    "00Z\",\"withdrawn\":\"2024-02-01T00:00:00Z\","
				    "\"affected\":[]}";

static const char osv_debian[] =
    "{\"id\":\"DSA-9999-1\",\"modified\":\"2024-01-01T00:00:00Z\","
    "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
    "A:H\"}],"
    "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"openssl\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-1~"
    "deb12u2\"}]}]},"
    "{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"openssl\"},"
    "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"9.9\"}]}]}"
    "]}";

static const char secdb[] = "{\"distroversion\":\"v3.18\",\"reponame\":\"main\",\"packages\":["
			    "{\"pkg\":{\"name\":\"openssl\",\"secfixes\":{"
			    "\"3.1.2-r0\":[\"CVE-2023-3817\"],\"3.1.1-r0\":[\"CVE-2023-2975\"],"
			    "\"0\":[\"CVE-2000-0001\"]}}}]}";

static void import(struct hull_vulndb *db, const char *name, const char *data)
{
	struct hull_import_stats st = {0};
	hull_err e = HULL_ERR_INIT;
	if (hull_vulndb_import_begin(db, &e) < 0 ||
	    hull_vulndb_import_buffer(db, name, data, strlen(data), HULL_ADV_AUTO, &st, &e) < 0 ||
	    hull_vulndb_import_commit(db, &e) < 0)
		T_FAIL("import %s: %s", name, e.msg);
}

static const struct hull_finding *finding(const struct hull_match_result *r, const char *pkg,
					  const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->f[i].pkg->name, pkg) && !strcmp(r->f[i].id, id))
			return &r->f[i];
	return NULL;
}

TEST(import_and_match)
{
	char *path = tmp_db();
	struct hull_vulndb *db = NULL;
	struct hull_inventory inv;
	struct hull_match_result r = {0};
	hull_err e = HULL_ERR_INIT;
	const struct hull_finding *f;

	T_EQ_INT(hull_vulndb_open(path, true, &db, &e), 0);
	import(db, "pypi.json", osv_pypi);
	import(db, "dsa.json", osv_debian);
	import(db, "alpine.json", secdb);
	hull_vulndb_close(db);
	T_EQ_INT(hull_vulndb_open(path, false, &db, &e), 0);

	hull_inventory_init(&inv);
	inv.os.id = "debian";
	inv.os.version_id = "12";
	struct hull_pkg pk[] = {
	    /* binary libssl3 from source openssl: matched by the source */
	    {.type = HULL_PKG_DEB,
	     .name = "libssl3",
	     .version = "3.0.9-1",
	     .src_name = "openssl",
	     .src_version = "3.0.9-1",
	     .location = "/s"},
	    {.type = HULL_PKG_DEB,
	     .name = "openssl",
	     .version = "3.0.9-1",
	     .src_name = "openssl",
	     .src_version = "3.0.9-1",
	     .location = "/s"},
	    /* fixed version installed: nothing */
	    {.type = HULL_PKG_DEB,
	     .name = "libssl-dev",
	     .version = "3.0.11-1~deb12u2",
	     .src_name = "openssl",
	     .src_version = "3.0.11-1~deb12u2",
	     .location = "/s"},
	    /* a binary named like the source of an advisory but built from another source */
	    {.type = HULL_PKG_DEB,
	     .name = "openssl-bin",
	     .version = "1.0",
	     .src_name = "other",
	     .src_version = "1.0",
	     .location = "/s"},
	    {.type = HULL_PKG_PYPI, .name = "Requests", .version = "2.25.0", .location = "/p"},
	    {.type = HULL_PKG_PYPI, .name = "requests", .version = "2.31.0", .location = "/q"},
	};
	for (size_t i = 0; i < sizeof pk / sizeof pk[0]; i++)
		hull_inventory_add(&inv, &pk[i]);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
	T_EQ_INT(r.n, 3);
	f = finding(&r, "libssl3", "DSA-9999-1");
	T_ASSERT(f);
	T_EQ_STR(f->fixed, "3.0.11-1~deb12u2");
	T_EQ_STR(f->ecosystem, "Debian:12");
	T_EQ_STR(f->match_name, "openssl");
	T_EQ_STR(f->severity, "CRITICAL"); /* CVSS 9.8 */
	T_ASSERT(finding(&r, "openssl", "DSA-9999-1"));
	f = finding(&r, "Requests", "GHSA-test-0001");
	T_ASSERT(f);
	T_EQ_STR(f->severity, "MEDIUM");
	T_EQ_STR(f->aliases, "CVE-2023-0001");
	hull_match_result_free(&r);

	/* The same packages on Debian 11 match the Debian:11 range only. */
	inv.os.version_id = "11";
	T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
	T_ASSERT(finding(&r, "libssl-dev", "DSA-9999-1")); /* 3.0.11 < 9.9 */
	T_EQ_STR(finding(&r, "libssl-dev", "DSA-9999-1")->fixed, "9.9");
	hull_match_result_free(&r);
	hull_inventory_free(&inv);

	/* Alpine: origin and branch v3.18 for 3.18.4; "0" entries are not findings. */
	hull_inventory_init(&inv);
	inv.os.id = "alpine";
	inv.os.version_id = "3.18.4";
	struct hull_pkg ap = {.type = HULL_PKG_APK,
			      .name = "libcrypto3",
			      .version = "3.1.1-r3",
			      .src_name = "openssl",
			      .location = "/lib/apk/db/installed"};
	hull_inventory_add(&inv, &ap);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
	T_EQ_INT(r.n, 1);
	T_EQ_STR(r.f[0].id, "CVE-2023-3817");
	T_EQ_STR(r.f[0].fixed, "3.1.2-r0");
	hull_match_result_free(&r);
	inv.os.version_id = "3.19.0";
	T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
	T_EQ_INT(r.n, 0);
	hull_match_result_free(&r);
	hull_inventory_free(&inv);
	hull_vulndb_close(db);

	/* The advisory spells the project "Requests": PyPI names compare normalised. A
	 * withdrawn record removes the earlier copy. */
	T_EQ_INT(hull_vulndb_open(path, true, &db, &e), 0);
	import(db, "withdrawn.json", osv_withdrawn);
	hull_vulndb_close(db);
	T_EQ_INT(hull_vulndb_open(path, false, &db, &e), 0);
	hull_inventory_init(&inv);
	hull_inventory_add(&inv, &pk[4]);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
	T_EQ_INT(r.n, 0);
	hull_match_result_free(&r);
	hull_inventory_free(&inv);
	hull_vulndb_close(db);
	cleanup_db(path);
}

static int64_t count_adv(const char *path)
{
	struct hull_vulndb *db;
	json_object *info;
	hull_err e = HULL_ERR_INIT;
	int64_t n;
	if (hull_vulndb_open(path, false, &db, &e) < 0 || hull_vulndb_info(db, &info, &e) < 0)
		return -1;
	n = json_object_get_int64(json_object_object_get(info, "advisories"));
	json_object_put(info);
	hull_vulndb_close(db);
	return n;
}

TEST(import_is_atomic_and_readers_proceed)
{
	char *path = tmp_db();
	struct hull_vulndb *db = NULL;
	struct hull_import_stats st = {0};
	hull_err e = HULL_ERR_INIT;
	static const char bad[] = "{\"id\":\"X-1\",\"affected\":[]}"; /* no "modified" */

	T_EQ_INT(hull_vulndb_open(path, true, &db, &e), 0);
	import(db, "pypi.json", osv_pypi);
	T_EQ_INT(count_adv(path), 1);
	T_EQ_INT(hull_vulndb_import_begin(db, &e), 0);
	T_EQ_INT(hull_vulndb_import_buffer(db, "dsa.json", osv_debian, strlen(osv_debian),
					   HULL_ADV_AUTO, &st, &e),
		 0);
	/* While the import is open, a reader sees the committed state (WAL) without waiting. */
	T_EQ_INT(count_adv(path), 1);
	T_EQ_INT(
	    hull_vulndb_import_buffer(db, "bad.json", bad, strlen(bad), HULL_ADV_AUTO, &st, &e),
	    -1);
	T_CONTAINS(e.msg, "bad.json: OSV record X-1 without \"modified\"");
	hull_err_clear(&e);
	hull_vulndb_import_abort(db);
	/* The good file of the failed import did not land either. */
	T_EQ_INT(count_adv(path), 1);
	hull_vulndb_close(db);
	cleanup_db(path);
}

TEST(import_formats_and_errors)
{
	char *path = tmp_db();
	struct hull_vulndb *db = NULL;
	struct hull_import_stats st = {0};
	hull_err e = HULL_ERR_INIT;
	static const char tracker[] =
	    "{\"pkg\":{\"CVE-2020-1\":{\"releases\":{\"bookworm\":{\"status\":\"resolved\",\"fixed_"
	    "version\":\"0\","
	    "\"urgency\":\"low\"},\"bullseye\":{\"status\":\"open\",\"urgency\":\"high**\"},"
	    "\"buster\":{\"status\":\"resolved\",\"fixed_version\":\"1.2-1\",\"urgency\":"
	    "\"medium\"}}},"
	    "\"CVE-2020-2\":{\"releases\":[]}}}";
	static const char list[] =
	    "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n"
	    "\t{CVE-2023-1393}\n"
	    "\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n"
	    "\t[buster] - xorg-server <not-affected> (Vulnerable code not present)\n"
	    "\tNOTE: a note\n"
	    "[01 Jan 2023] DSA-5300-1 foo - security update\n"
	    "\t[bullseye] - foo <unfixed>\n";
	static const char yaml[] = "distroversion: v3.11\nreponame: main\npackages:\n"
				   "  - pkg:\n      name: busybox\n      secfixes:\n"
				   "        1.31.1-r10:\n          - CVE-2021-28831\n";
	static const char not_adv[] = "{\"hello\": 1}";
	T_EQ_INT(hull_vulndb_open(path, true, &db, &e), 0);
	T_EQ_INT(hull_vulndb_import_begin(db, &e), 0);
	T_EQ_INT(hull_vulndb_import_buffer(db, "tracker.json", tracker, strlen(tracker),
					   HULL_ADV_AUTO, &st, &e),
		 0);
	/* bookworm "0" skipped, bullseye open, buster fixed; the [] releases skipped */
	T_EQ_INT(st.affected, 2);
	T_EQ_INT(hull_vulndb_import_buffer(db, "list", list, strlen(list), HULL_ADV_AUTO, &st, &e),
		 0);
	T_EQ_INT(st.affected, 4);
	T_EQ_INT(
	    hull_vulndb_import_buffer(db, "main.yaml", yaml, strlen(yaml), HULL_ADV_AUTO, &st, &e),
	    0);
	T_EQ_INT(st.affected, 5);
	T_EQ_INT(hull_vulndb_import_buffer(db, "x.json", not_adv, strlen(not_adv), HULL_ADV_AUTO,
					   &st, &e),
		 -1);
	T_CONTAINS(e.msg, "x.json: unknown format");
	hull_err_clear(&e);
	T_EQ_INT(hull_vulndb_import_buffer(db, "y.json", "{\"a\":", 5, HULL_ADV_AUTO, &st, &e), -1);
	T_CONTAINS(e.msg, "y.json");
	hull_err_clear(&e);
	T_EQ_INT(hull_vulndb_import_buffer(db, "z.yaml", "a: [", 4, HULL_ADV_AUTO, &st, &e), -1);
	T_CONTAINS(e.msg, "z.yaml: YAML error at line");
	hull_err_clear(&e);
	{
		/* YAML aliases: a few hundred bytes that expand to 10^8 nodes are refused. */
		static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
					   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
					   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
					   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
					   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
					   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
					   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
					   "h: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
		T_EQ_INT(hull_vulndb_import_buffer(db, "bomb.yaml", bomb, strlen(bomb),
						   HULL_ADV_AUTO, &st, &e),
			 -1);
		T_CONTAINS(e.msg, "too large YAML document");
		hull_err_clear(&e);
	}
	T_EQ_INT(hull_vulndb_import_commit(db, &e), 0);
	hull_vulndb_close(db);

	T_EQ_INT(hull_vulndb_open(path, false, &db, &e), 0);
	{
		struct hull_inventory inv;
		struct hull_match_result r = {0};
		struct hull_pkg p[] = {
		    {.type = HULL_PKG_DEB,
		     .name = "xserver-xorg-core",
		     .version = "2:1.20.11-1+deb11u5",
		     .src_name = "xorg-server",
		     .src_version = "2:1.20.11-1+deb11u5",
		     .location = "/s"},
		    {.type = HULL_PKG_DEB, .name = "foo", .version = "1.0-1", .location = "/s"},
		    {.type = HULL_PKG_DEB, .name = "pkg", .version = "1.0-1", .location = "/s"},
		};
		hull_inventory_init(&inv);
		inv.os.id = "debian";
		inv.os.version_id = "11";
		for (size_t i = 0; i < 3; i++)
			hull_inventory_add(&inv, &p[i]);
		T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
		T_EQ_INT(hull_match(db, &inv, &r, &e), 0);
		T_EQ_INT(r.n, 3);
		T_ASSERT(finding(&r, "xserver-xorg-core", "DSA-5380-1"));
		T_EQ_STR(finding(&r, "xserver-xorg-core", "DSA-5380-1")->aliases, "CVE-2023-1393");
		T_ASSERT(finding(&r, "foo", "DSA-5300-1"));
		T_ASSERT(!finding(&r, "foo", "DSA-5300-1")->fixed);
		T_ASSERT(finding(&r, "pkg", "CVE-2020-1"));
		T_EQ_STR(finding(&r, "pkg", "CVE-2020-1")->severity, "HIGH");
		hull_match_result_free(&r);
		hull_inventory_free(&inv);
	}
	hull_vulndb_close(db);
	cleanup_db(path);
}

TEST(cvss3)
{
	/* Scores from NVD for well-known vectors. */
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") == 9.8);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") == 10.0);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N") == 5.9);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H") == 7.8);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") == 6.1);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N") == 0.0);
	T_ASSERT(hull_cvss3_base_score("CVSS:2.0/AV:N") < 0);
	T_ASSERT(hull_cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") < 0);
	T_EQ_STR(hull_severity_normalize("high**"), "HIGH");
	T_EQ_STR(hull_severity_normalize("Important:"), "HIGH");
	T_ASSERT(hull_severity_normalize("not yet assigned") == NULL);
}

TEST(match_keys)
{
	struct hull_os os = {.id = "debian", .codename = "trixie"};
	struct hull_pkg deb = {.type = HULL_PKG_DEB,
			       .name = "libc6",
			       .version = "2.40-1+b1",
			       .src_name = "glibc",
			       .src_version = "2.40-1"};
	struct hull_pkg py = {.type = HULL_PKG_PYPI, .name = "Zope.Interface", .version = "5.0"};
	struct hull_pkg mvn = {.type = HULL_PKG_MAVEN, .name = "app", .version = "1.0"};
	char eco[64], name[256];
	const char *v;
	enum hull_ver_scheme s;
	T_ASSERT(hull_pkg_match_key(&os, &deb, eco, sizeof eco, name, sizeof name, &v, &s));
	T_EQ_STR(eco, "Debian:13"); /* testing: codename only */
	T_EQ_STR(name, "glibc");
	T_EQ_STR(v, "2.40-1");
	os.version_id = "12";
	T_ASSERT(hull_pkg_match_key(&os, &deb, eco, sizeof eco, name, sizeof name, &v, &s));
	T_EQ_STR(eco, "Debian:12");
	os.id = "ubuntu"; /* no Debian data for Ubuntu packages */
	T_ASSERT(!hull_pkg_match_key(&os, &deb, eco, sizeof eco, name, sizeof name, &v, &s));
	T_ASSERT(hull_pkg_match_key(&os, &py, eco, sizeof eco, name, sizeof name, &v, &s));
	T_EQ_STR(name, "zope-interface");
	T_ASSERT(!hull_pkg_match_key(&os, &mvn, eco, sizeof eco, name, sizeof name, &v, &s));
}

TEST(foreign_or_old_databases_refused)
{
	char *path = tmp_db();
	struct hull_vulndb *db = NULL;
	hull_err e = HULL_ERR_INIT;
	sqlite3 *raw;
	T_EQ_INT(sqlite3_open(path, &raw), SQLITE_OK);
	T_EQ_INT(sqlite3_exec(raw, "CREATE TABLE notes(x); INSERT INTO notes VALUES(1)", NULL, NULL,
			      NULL),
		 SQLITE_OK);
	sqlite3_close(raw);
	/* someone else's SQLite file: neither read nor written into */
	T_EQ_INT(hull_vulndb_open(path, true, &db, &e), -1);
	T_CONTAINS(e.msg, "not a hull vulnerability database of schema");
	hull_err_clear(&e);
	T_EQ_INT(hull_vulndb_open(path, false, &db, &e), -1);
	T_CONTAINS(e.msg, "found none");
	hull_err_clear(&e);
	T_EQ_INT(sqlite3_open(path, &raw), SQLITE_OK);
	{
		sqlite3_stmt *st;
		T_EQ_INT(
		    sqlite3_prepare_v2(raw, "SELECT count(*) FROM sqlite_master", -1, &st, NULL),
		    SQLITE_OK);
		T_EQ_INT(sqlite3_step(st), SQLITE_ROW);
		T_EQ_INT(sqlite3_column_int(st, 0), 1); /* still only its own table */
		sqlite3_finalize(st);
	}
	/* an older hull schema */
	T_EQ_INT(sqlite3_exec(raw,
			      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
			      "INSERT INTO meta VALUES('schema', '1')",
			      NULL, NULL, NULL),
		 SQLITE_OK);
	sqlite3_close(raw);
	T_EQ_INT(hull_vulndb_open(path, false, &db, &e), -1);
	T_CONTAINS(e.msg, "(found 1); remove it and import the advisories again");
	hull_err_clear(&e);
	cleanup_db(path);
}
