/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Package database and metadata parsers, each on hand-written input whose expected packages
 * are stated here. */
#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "scan/inventory.h"
#include "scan/owned.h"
#include "scan/pkgdb.h"
#include "t.h"

static const struct hull_pkg *find(const struct hull_inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->npkgs; i++)
		if (!strcmp(inv->pkgs[i].name, name))
			return &inv->pkgs[i];
	return NULL;
}

static const char dpkg_status[] = "Package: libssl3\n"
				  "Status: install ok installed\n"
				  "Architecture: amd64\n"
				  "Source: openssl\n"
				  "Version: 3.0.11-1~deb12u2\n"
				  "Description: Secure Sockets Layer toolkit\n"
				  " continuation line: Version: 9.9\n"
				  "\n"
				  "Package: libfoo1\n"
				  "Status: install ok installed\n"
				  "Architecture: amd64\n"
				  "Source: foo (1.2-3)\n"
				  "Version: 1.2-3+b1\n"
				  "\n"
				  "Package: removed-pkg\n"
				  "Status: deinstall ok config-files\n"
				  "Architecture: amd64\n"
				  "Version: 1.0-1\n"
				  "\n"
				  "Package: half\n"
				  "Status: install ok half-configured\n"
				  "Version: 1.0-1\n"
				  "\n"
				  "\n"
				  "Package: bash\n"
				  "Status: install ok installed\n"
				  "Version: 5.2.15-2+b2\n"
				  "Architecture: amd64\n";

TEST(dpkg_status_installed_only)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	const struct hull_pkg *p;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_dpkg_status(&inv, dpkg_status, strlen(dpkg_status),
					"/var/lib/dpkg/status", false, &e),
		 0);
	T_EQ_INT(inv.npkgs, 3);
	T_ASSERT(!find(&inv, "removed-pkg"));
	T_ASSERT(!find(&inv, "half"));
	p = find(&inv, "libssl3");
	T_ASSERT(p);
	T_EQ_STR(p->version, "3.0.11-1~deb12u2");
	T_EQ_STR(p->src_name, "openssl");
	T_EQ_STR(p->src_version, "3.0.11-1~deb12u2");
	T_EQ_STR(p->arch, "amd64");
	/* binNMU: the source version comes from "Source: foo (1.2-3)" */
	p = find(&inv, "libfoo1");
	T_EQ_STR(p->version, "1.2-3+b1");
	T_EQ_STR(p->src_name, "foo");
	T_EQ_STR(p->src_version, "1.2-3");
	/* no Source: the binary is its own source */
	p = find(&inv, "bash");
	T_EQ_STR(p->src_name, "bash");
	T_EQ_STR(p->src_version, "5.2.15-2+b2");
	hull_inventory_free(&inv);
}

TEST(dpkg_status_d_without_status)
{
	static const char d[] = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	T_EQ_INT(
	    hull_parse_dpkg_status(&inv, d, strlen(d), "/var/lib/dpkg/status.d/base", true, &e), 0);
	T_EQ_INT(inv.npkgs, 1);
	/* the same stanza in the main status file, without Status, is not installed */
	T_EQ_INT(hull_parse_dpkg_status(&inv, d, strlen(d), "/var/lib/dpkg/status", false, &e), 0);
	T_EQ_INT(inv.npkgs, 1);
	hull_inventory_free(&inv);
}

TEST(dpkg_binary_refused)
{
	static const char d[] = "Package: a\0\nVersion: 1\n";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_dpkg_status(&inv, d, sizeof d - 1, "/s", false, &e), -1);
	T_CONTAINS(e.msg, "/s: binary data");
	hull_err_clear(&e);
	hull_inventory_free(&inv);
}

TEST(apk_installed)
{
	static const char d[] =
	    "C:Q1abc=\nP:libcrypto1.1\nV:1.1.1d-r3\nA:x86_64\no:openssl\nL:OpenSSL\n"
	    "F:lib\nR:libcrypto.so.1.1\n\n"
	    "P:musl\nV:1.1.24-r2\nA:x86_64\nL:MIT\n\n"
	    "P:broken\n\n";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	const struct hull_pkg *p;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_apk_installed(&inv, d, strlen(d), "/lib/apk/db/installed", &e), 0);
	T_EQ_INT(inv.npkgs, 2);
	p = find(&inv, "libcrypto1.1");
	T_EQ_STR(p->src_name, "openssl");
	T_EQ_STR(p->version, "1.1.1d-r3");
	T_EQ_STR(p->license, "OpenSSL");
	p = find(&inv, "musl");
	T_EQ_STR(p->src_name, "musl");
	hull_inventory_free(&inv);
}

/* An rpm header blob: index entries then the data store, big-endian. */
struct rpmh {
	unsigned char idx[16 * 16];
	unsigned char data[1024];
	uint32_t il, dl;
};

static void rpmh_str(struct rpmh *h, uint32_t tag, const char *s)
{
	uint32_t e[4] = {htonl(tag), htonl(6), htonl(h->dl), htonl(1)};
	memcpy(h->idx + 16 * h->il++, e, 16);
	memcpy(h->data + h->dl, s, strlen(s) + 1);
	h->dl += (uint32_t)strlen(s) + 1;
}

static void rpmh_int(struct rpmh *h, uint32_t tag, uint32_t v)
{
	uint32_t e[4], be = htonl(v);
	while (h->dl % 4)
		h->data[h->dl++] = 0;
	e[0] = htonl(tag), e[1] = htonl(4), e[2] = htonl(h->dl), e[3] = htonl(1);
	memcpy(h->idx + 16 * h->il++, e, 16);
	memcpy(h->data + h->dl, &be, 4);
	h->dl += 4;
}

static size_t rpmh_blob(const struct rpmh *h, unsigned char *out)
{
	uint32_t il = htonl(h->il), dl = htonl(h->dl);
	memcpy(out, &il, 4);
	memcpy(out + 4, &dl, 4);
	memcpy(out + 8, h->idx, 16 * h->il);
	memcpy(out + 8 + 16 * h->il, h->data, h->dl);
	return 8 + 16 * h->il + h->dl;
}

static size_t make_openssl_header(unsigned char *out, bool with_epoch)
{
	struct rpmh h = {0};
	rpmh_str(&h, 1000, "openssl-libs");
	rpmh_str(&h, 1001, "3.0.1");
	rpmh_str(&h, 1002, "43.el9_0");
	rpmh_str(&h, 1022, "x86_64");
	rpmh_str(&h, 1044, "openssl-3.0.1-43.el9_0.src.rpm");
	rpmh_str(&h, 1014, "ASL 2.0");
	if (with_epoch)
		rpmh_int(&h, 1003, 1);
	return rpmh_blob(&h, out);
}

TEST(rpm_header)
{
	unsigned char blob[2048];
	size_t n = make_openssl_header(blob, true);
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	const struct hull_pkg *p;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_rpm_header(&inv, blob, n, "/var/lib/rpm/rpmdb.sqlite", &e), 0);
	p = find(&inv, "openssl-libs");
	T_ASSERT(p);
	T_EQ_STR(p->version, "1:3.0.1-43.el9_0");
	T_EQ_STR(p->src_name, "openssl");
	T_EQ_STR(p->arch, "x86_64");
	/* every truncation is refused with an error, never read past the end */
	for (size_t cut = 0; cut < n; cut++) {
		int r = hull_parse_rpm_header(&inv, blob, cut, "/x", &e);
		if (r == 0)
			T_FAIL("truncated header of %zu bytes accepted", cut);
		hull_err_clear(&e);
	}
	hull_inventory_free(&inv);
}

TEST(rpmdb_sqlite)
{
	unsigned char blob[2048];
	size_t n = make_openssl_header(blob, false);
	sqlite3 *db;
	sqlite3_stmt *st;
	sqlite3_int64 sz;
	unsigned char *img;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	T_EQ_INT(sqlite3_exec(db,
			      "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob "
			      "BLOB NOT NULL)",
			      NULL, NULL, NULL),
		 SQLITE_OK);
	T_EQ_INT(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES(?)", -1, &st, NULL),
		 SQLITE_OK);
	sqlite3_bind_blob(st, 1, blob, (int)n, SQLITE_STATIC);
	T_EQ_INT(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
	/* a damaged row is noted, the good one still read */
	sqlite3_bind_blob(st, 1, "\0\0\0\1\0\0\0\0", 8, SQLITE_STATIC);
	T_EQ_INT(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	img = sqlite3_serialize(db, "main", &sz, 0);
	T_ASSERT(img);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_rpmdb_sqlite(&inv, img, (size_t)sz, "/var/lib/rpm/rpmdb.sqlite", &e),
		 0);
	T_EQ_INT(inv.npkgs, 1);
	T_EQ_STR(inv.pkgs[0].version, "3.0.1-43.el9_0");
	T_EQ_INT(inv.nnotes, 1);
	T_EQ_INT(hull_parse_rpmdb_sqlite(&inv, "not a db", 8, "/x", &e), -1);
	T_CONTAINS(e.msg, "not an SQLite database");
	hull_err_clear(&e);
	sqlite3_free(img);
	sqlite3_close(db);
	hull_inventory_free(&inv);
}

TEST(os_release)
{
	static const char d[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian\"\n"
				"VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
	struct hull_inventory inv;
	hull_inventory_init(&inv);
	hull_parse_os_release(&inv, d, strlen(d));
	T_EQ_STR(inv.os.id, "debian");
	T_EQ_STR(inv.os.version_id, "12");
	T_EQ_STR(inv.os.codename, "bookworm");
	T_EQ_STR(inv.os.pretty, "Debian GNU/Linux 12 (bookworm)");
	hull_inventory_free(&inv);
}

TEST(python_metadata)
{
	static const char d[] =
	    "Metadata-Version: 2.1\nName: Requests\nVersion: 2.25.0\nLicense: Apache 2.0\n\n"
	    "Name: not-a-header\nVersion: 9\n";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_python_metadata(&inv, d, strlen(d),
					    "/x/requests-2.25.0.dist-info/METADATA", &e),
		 0);
	T_EQ_INT(inv.npkgs, 1);
	T_EQ_STR(inv.pkgs[0].name, "Requests");
	T_EQ_STR(inv.pkgs[0].version, "2.25.0");
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_STR(inv.pkgs[0].purl, "pkg:pypi/requests@2.25.0");
	hull_inventory_free(&inv);
}

TEST(npm_package)
{
	static const char d[] =
	    "{\"name\": \"@babel/core\", \"version\": \"7.0.0\", \"license\": \"MIT\"}";
	static const char bad[] = "{\"name\": ";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_npm_package(&inv, d, strlen(d),
					"/app/node_modules/@babel/core/package.json", &e),
		 0);
	/* a broken package.json is a note, not a failed scan */
	T_EQ_INT(
	    hull_parse_npm_package(&inv, bad, strlen(bad), "/app/node_modules/x/package.json", &e),
	    0);
	T_EQ_INT(inv.npkgs, 1);
	T_EQ_INT(inv.nnotes, 1);
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_STR(inv.pkgs[0].purl, "pkg:npm/%40babel/core@7.0.0");
	hull_inventory_free(&inv);
}

/* Go build info as the Go >= 1.18 linker writes it (inline strings). */
static size_t go_buildinfo(unsigned char *out, const char *gover, const char *mod)
{
	static const char sent1[16] = "0w\xaf\x0c\x92t\x08\x02"
				      "A\xe1\xc1\x07\xe6\xd6\x18\xe6";
	static const char sent2[16] = "\xf9"
				      "2C1\x86\x18 r\x00\x82"
				      "B\x10"
				      "A\x16\xd8\xf2";
	size_t n = 0, ml = strlen(mod) + 32;
	memset(out, 0, 32);
	memcpy(out, "\xff Go buildinf:", 14);
	out[14] = 8;
	out[15] = 2;
	n = 32;
	out[n++] = (unsigned char)strlen(gover);
	memcpy(out + n, gover, strlen(gover));
	n += strlen(gover);
	out[n++] = (unsigned char)(0x80 | (ml & 0x7f));
	out[n++] = (unsigned char)(ml >> 7);
	memcpy(out + n, sent1, 16);
	n += 16;
	memcpy(out + n, mod, strlen(mod));
	n += strlen(mod);
	memcpy(out + n, sent2, 16);
	return n + 16;
}

TEST(go_binary)
{
	static const char mod[] = "path\texample.com/app\n"
				  "mod\texample.com/app\t(devel)\t\n"
				  "dep\tgolang.org/x/text\tv0.3.7\th1:abc=\n"
				  "dep\tgithub.com/old/mod\tv1.0.0\th1:x=\n"
				  "=>\tgithub.com/new/mod\tv1.2.0\th1:y=\n"
				  "build\t-compiler=gc\n";
	unsigned char bin[4096] = {0};
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	/* An ELF without section headers: the build info is found by its aligned magic. */
	memcpy(bin,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	size_t n = 256 + go_buildinfo(bin + 256, "go1.21.3", mod);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_go_binary(&inv, bin, n, "/usr/bin/app", &e), 0);
	T_EQ_INT(inv.npkgs, 3);
	T_ASSERT(find(&inv, "stdlib"));
	T_EQ_STR(find(&inv, "stdlib")->version, "v1.21.3");
	T_EQ_STR(find(&inv, "golang.org/x/text")->version, "v0.3.7");
	/* the replaced module is reported as what was compiled in */
	T_ASSERT(!find(&inv, "github.com/old/mod"));
	T_EQ_STR(find(&inv, "github.com/new/mod")->version, "v1.2.0");
	/* not Go, not ELF: nothing, no error */
	T_EQ_INT(hull_parse_go_binary(&inv, (const unsigned char *)"#!/bin/sh\n", 10, "/x", &e), 0);
	T_EQ_INT(inv.npkgs, 3);
	/* truncated build info is an error */
	T_EQ_INT(hull_parse_go_binary(&inv, bin, 256 + 40, "/usr/bin/app", &e), -1);
	T_CONTAINS(e.msg, "truncated Go build info");
	hull_err_clear(&e);
	hull_inventory_free(&inv);
}

static size_t make_zip(unsigned char *buf, size_t cap, const char *const *names,
		       const char *const *contents, size_t n)
{
	struct archive *a = archive_write_new();
	size_t used = 0;
	archive_write_set_format_zip(a);
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(contents[i]));
		archive_write_header(a, e);
		archive_write_data(a, contents[i], strlen(contents[i]));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

TEST(jar_pom_properties_and_nesting)
{
	static unsigned char inner[8192], outer[32768];
	const char *in_names[] = {
	    "META-INF/MANIFEST.MF",
	    "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties"};
	const char *in_data[] = {
	    "Manifest-Version: 1.0\nImplementation-Title: ignored\n",
	    "groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n"};
	size_t ni = make_zip(inner, sizeof inner, in_names, in_data, 2);
	const char *out_names[] = {"META-INF/MANIFEST.MF", "BOOT-INF/lib/log4j-core-2.14.1.jar"};
	char *inner_copy = malloc(ni + 1);
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	const struct hull_pkg *p;
	T_ASSERT(ni > 0 && inner_copy);
	memcpy(inner_copy, inner, ni);
	inner_copy[ni] = '\0';
	/* make_zip takes strings; write the nested jar with its real length instead */
	{
		struct archive *a = archive_write_new();
		size_t used = 0;
		archive_write_set_format_zip(a);
		archive_write_open_memory(a, outer, sizeof outer, &used);
		for (int i = 0; i < 2; i++) {
			struct archive_entry *en = archive_entry_new();
			const char *d = i ? inner_copy
					  : "Manifest-Version: 1.0\nImplementation-Title: "
					    "app\nImplementation-Version: 1.0\n";
			size_t dl = i ? ni : strlen(d);
			archive_entry_set_pathname(en, out_names[i]);
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_perm(en, 0644);
			archive_entry_set_size(en, (la_int64_t)dl);
			archive_write_header(a, en);
			archive_write_data(a, d, dl);
			archive_entry_free(en);
		}
		archive_write_close(a);
		archive_write_free(a);
		hull_inventory_init(&inv);
		T_EQ_INT(hull_parse_jar(&inv, outer, used, "/app/app.jar", 0, &e), 0);
	}
	p = find(&inv, "log4j-core");
	T_ASSERT(p);
	T_EQ_STR(p->group, "org.apache.logging.log4j");
	T_EQ_STR(p->version, "2.14.1");
	T_EQ_STR(p->location, "/app/app.jar!BOOT-INF/lib/log4j-core-2.14.1.jar");
	/* the outer jar has no pom.properties: its manifest names it */
	T_ASSERT(find(&inv, "app"));
	T_EQ_INT(hull_inventory_finish(&inv, &e), 0);
	T_EQ_STR(find(&inv, "log4j-core")->purl,
		 "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
	free(inner_copy);
	hull_inventory_free(&inv);
}

TEST(jar_manifest_and_filename)
{
	char *t, *v, *g;
	static const char mf[] =
	    "Manifest-Version: 1.0\r\nImplementation-Title: commons-text\r\n"
	    "Implementation-Version: 1.9\r\nImplementation-Vendor-Id: org.apache.commons\r\n\r\n"
	    "Name: other\r\nImplementation-Version: 0\r\n";
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	T_EQ_INT(hull_parse_jar_manifest(mf, strlen(mf), &t, &v, &g), 0);
	T_EQ_STR(t, "commons-text");
	T_EQ_STR(v, "1.9");
	T_EQ_STR(g, "org.apache.commons");
	free(t);
	free(v);
	free(g);
	/* an empty zip: the file name is the last resort */
	{
		static unsigned char z[1024];
		size_t n = make_zip(z, sizeof z, NULL, NULL, 0);
		hull_inventory_init(&inv);
		T_EQ_INT(hull_parse_jar(&inv, z, n, "/opt/lib/guava-31.1-jre.jar", 0, &e), 0);
		T_EQ_INT(inv.npkgs, 1);
		T_EQ_STR(inv.pkgs[0].name, "guava");
		T_EQ_STR(inv.pkgs[0].version, "31.1-jre");
		T_ASSERT(!inv.pkgs[0].group);
		hull_inventory_free(&inv);
	}
}

TEST(purls)
{
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	struct hull_pkg deb = {.type = HULL_PKG_DEB,
			       .name = "attr",
			       .version = "1:2.4.47-2+b1",
			       .arch = "amd64",
			       .src_name = "attr",
			       .location = "/s"};
	struct hull_pkg rpm = {.type = HULL_PKG_RPM,
			       .name = "openssl-libs",
			       .version = "1:3.0.1-43.el9_0",
			       .arch = "x86_64",
			       .src_name = "openssl",
			       .location = "/r"};
	struct hull_pkg apk = {.type = HULL_PKG_APK,
			       .name = "curl",
			       .version = "7.83.0-r0",
			       .arch = "x86",
			       .src_name = "curl",
			       .location = "/a"};
	hull_inventory_init(&inv);
	inv.os.id = "debian";
	inv.os.version_id = "12";
	T_EQ_STR(hull_pkg_purl(&inv, &deb),
		 "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&distro=debian-12");
	inv.os.id = "almalinux";
	inv.os.version_id = "9.2";
	T_EQ_STR(hull_pkg_purl(&inv, &rpm), "pkg:rpm/almalinux/"
					    "openssl-libs@3.0.1-43.el9_0?arch=x86_64&epoch=1&"
					    "distro=almalinux-9.2&upstream=openssl");
	inv.os.id = "alpine";
	inv.os.version_id = "3.16.2";
	T_EQ_STR(hull_pkg_purl(&inv, &apk),
		 "pkg:apk/alpine/curl@7.83.0-r0?arch=x86&distro=alpine-3.16.2");
	(void)e;
	hull_inventory_free(&inv);
}

TEST(file_owners)
{
	static const char list[] =
	    "/.\n/usr\n/usr/bin/tool\n/usr/lib/python3/dist-packages/x-1.0.egg-info\n";
	static const char apk[] =
	    "P:py3-six\nV:1.16.0-r6\nF:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\n"
	    "R:METADATA\nR:RECORD\n\nP:musl\nF:lib\nR:ld-musl-x86_64.so.1\n";
	struct hull_owned *o = hull_owned_new();
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(o);
	T_EQ_INT(hull_owned_add_dpkg_list(o, "tool", list, strlen(list), &e), 0);
	T_EQ_INT(hull_owned_add_apk_db(o, apk, strlen(apk), &e), 0);
	T_EQ_STR(hull_owned_get(o, "/usr/bin/tool"), "deb:tool");
	T_EQ_STR(
	    hull_owned_get(o, "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA"),
	    "apk:py3-six");
	T_EQ_STR(hull_owned_get(o, "/lib/ld-musl-x86_64.so.1"), "apk:musl");
	T_ASSERT(hull_owned_get(o, "/usr/bin/other") == NULL);
	T_ASSERT(hull_owned_get(o, "/usr/lib/python3.11/site-packages/six-1.16.0.dist-info") ==
		 NULL);
	/* enough paths to make the table grow several times */
	for (int i = 0; i < 20000; i++) {
		char p[64];
		int n = snprintf(p, sizeof p, "/opt/f%d", i);
		T_EQ_INT(hull_owned_add(o, p, (size_t)n, "deb:many"), 0);
	}
	T_EQ_STR(hull_owned_get(o, "/opt/f12345"), "deb:many");
	T_EQ_STR(hull_owned_get(o, "/usr/bin/tool"), "deb:tool");
	hull_owned_free(o);
}

static void rpmh_strs(struct rpmh *h, uint32_t tag, const char *const *v, uint32_t n)
{
	uint32_t e[4] = {htonl(tag), htonl(8), htonl(h->dl), htonl(n)};
	memcpy(h->idx + 16 * h->il++, e, 16);
	for (uint32_t i = 0; i < n; i++) {
		memcpy(h->data + h->dl, v[i], strlen(v[i]) + 1);
		h->dl += (uint32_t)strlen(v[i]) + 1;
	}
}

static void rpmh_ints(struct rpmh *h, uint32_t tag, const uint32_t *v, uint32_t n)
{
	uint32_t e[4];
	while (h->dl % 4)
		h->data[h->dl++] = 0;
	e[0] = htonl(tag), e[1] = htonl(4), e[2] = htonl(h->dl), e[3] = htonl(n);
	memcpy(h->idx + 16 * h->il++, e, 16);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t be = htonl(v[i]);
		memcpy(h->data + h->dl, &be, 4);
		h->dl += 4;
	}
}

TEST(rpm_file_lists)
{
	static const char *const dirs[] = {"/usr/bin/",
					   "/usr/lib/python3.9/site-packages/six.dist-info/"};
	static const char *const bases[] = {"tool", "METADATA", "RECORD"};
	static const uint32_t idx[] = {0, 1, 1};
	struct rpmh h = {0};
	unsigned char blob[2048];
	size_t n;
	struct hull_owned *o = hull_owned_new();
	hull_err e = HULL_ERR_INIT;
	rpmh_str(&h, 1000, "python3-six");
	rpmh_ints(&h, 1116, idx, 3);
	rpmh_strs(&h, 1117, bases, 3);
	rpmh_strs(&h, 1118, dirs, 2);
	n = rpmh_blob(&h, blob);
	T_EQ_INT(hull_rpm_header_files(blob, n, o, &e), 0);
	T_EQ_INT(hull_owned_count(o), 3);
	T_EQ_STR(hull_owned_get(o, "/usr/bin/tool"), "rpm:python3-six");
	T_EQ_STR(hull_owned_get(o, "/usr/lib/python3.9/site-packages/six.dist-info/METADATA"),
		 "rpm:python3-six");
	/* truncated: nothing added, nothing read out of bounds */
	for (size_t cut = 0; cut < n; cut++)
		T_EQ_INT(hull_rpm_header_files(blob, cut, o, &e), 0);
	T_EQ_INT(hull_owned_count(o), 3);
	hull_owned_free(o);
}

TEST(rpmdb_packages_must_be_a_table)
{
	sqlite3 *db;
	sqlite3_int64 sz;
	unsigned char *img;
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	/* a view that would never finish if selected from */
	T_EQ_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	T_EQ_INT(sqlite3_exec(db,
			      "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
			      "SELECT x + 1 FROM c) SELECT x AS blob FROM c WHERE x < 0",
			      NULL, NULL, NULL),
		 SQLITE_OK);
	img = sqlite3_serialize(db, "main", &sz, 0);
	T_ASSERT(img);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_rpmdb_sqlite(&inv, img, (size_t)sz, "/var/lib/rpm/rpmdb.sqlite", &e),
		 -1);
	T_CONTAINS(e.msg, "no Packages table");
	hull_err_clear(&e);
	hull_inventory_free(&inv);
	sqlite3_free(img);
	sqlite3_close(db);
}

TEST(jar_member_budget)
{
	static unsigned char z[8192];
	const char *names[] = {"META-INF/maven/a/one/pom.properties",
			       "META-INF/maven/a/two/pom.properties",
			       "META-INF/maven/a/three/pom.properties"};
	const char *data[] = {"groupId=a\nartifactId=one\nversion=1\n",
			      "groupId=a\nartifactId=two\nversion=1\n",
			      "groupId=a\nartifactId=three\nversion=1\n"};
	size_t n = make_zip(z, sizeof z, names, data, 3);
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	hull_inventory_init(&inv);
	/* room for two members of ~33 bytes, not three */
	T_EQ_INT(hull_parse_jar_limited(&inv, z, n, "/app/bomb.jar", 70, &e), 0);
	T_EQ_INT(inv.npkgs, 2);
	T_EQ_INT(inv.nnotes, 1);
	T_CONTAINS(inv.notes[0], "/app/bomb.jar: member budget spent");
	hull_inventory_free(&inv);
	hull_inventory_init(&inv);
	T_EQ_INT(hull_parse_jar(&inv, z, n, "/app/ok.jar", 0, &e), 0);
	T_EQ_INT(inv.npkgs, 3);
	hull_inventory_free(&inv);
}

TEST(go_toolchain_versions)
{
	static const char mod[] = "path\tx\nmod\tx\tv1.0.0\t\n";
	static const struct {
		const char *go, *stdlib; /* NULL: not listed */
	} v[] = {
	    {"go1.21.3", "v1.21.3"},
	    {"go1.21.3 X:boringcrypto", "v1.21.3"},
	    {"go1.22", "v1.22"},
	    {"go1.22rc1", NULL},
	    {"devel go1.23-abcdef", NULL},
	    {"go1.22-20231128 RC00 cl/586082447 +5e50e8d3ee X:fieldtrack,boringcrypto", NULL},
	    {"go1..2", NULL},
	    {"go1.2.", NULL},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct hull_inventory inv;
		hull_err e = HULL_ERR_INIT;
		hull_inventory_init(&inv);
		T_EQ_INT(hull_parse_go_modinfo(&inv, v[i].go, mod, strlen(mod), "/bin/x", &e), 0);
		if (v[i].stdlib) {
			T_ASSERT(find(&inv, "stdlib"));
			T_EQ_STR(find(&inv, "stdlib")->version, v[i].stdlib);
			T_EQ_INT(inv.nnotes, 0);
		} else {
			T_ASSERT(!find(&inv, "stdlib"));
			T_EQ_INT(inv.nnotes, 1);
		}
		T_ASSERT(find(&inv, "x"));
		hull_inventory_free(&inv);
	}
}

TEST(jar_manifest_names)
{
	static unsigned char z[4096];
	const char *names[] = {"META-INF/MANIFEST.MF"};
	const char *desc[] = {"Manifest-Version: 1.0\nBundle-Name: ASM, a very small and fast Java "
			      "bytecode manipulation framework\nBundle-Version: 9.7.1\n"};
	const char *sym[] = {
	    "Manifest-Version: 1.0\nBundle-SymbolicName: org.objectweb.asm;singleton:=true\n"
	    "Bundle-Version: 9.7.1\n"};
	struct hull_inventory inv;
	hull_err e = HULL_ERR_INIT;
	size_t n = make_zip(z, sizeof z, names, desc, 1);
	hull_inventory_init(&inv);
	/* a description is no name: the file name is used */
	T_EQ_INT(hull_parse_jar(&inv, z, n, "/lib/asm-9.7.1.jar", 0, &e), 0);
	T_EQ_INT(inv.npkgs, 1);
	T_EQ_STR(inv.pkgs[0].name, "asm");
	T_EQ_STR(inv.pkgs[0].version, "9.7.1");
	n = make_zip(z, sizeof z, names, sym, 1);
	T_EQ_INT(hull_parse_jar(&inv, z, n, "/lib/x.jar", 0, &e), 0);
	T_EQ_INT(inv.npkgs, 2);
	T_EQ_STR(inv.pkgs[1].name, "org.objectweb.asm");
	hull_inventory_free(&inv);
}
