/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hull scan, hull sbom, hull vercmp, hull db: parse options, call lib/scan, print. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "scan/match.h"
#include "scan/misconf.h"
#include "scan/report.h"
#include "scan/secrets.h"
#include "scan/store.h"
#include "scan/target.h"
#include "scan/vercmp.h"
#include "scan/vulndb.h"

#define OPT_END                                                                                    \
	{                                                                                          \
		0, 0, 0, 0                                                                         \
	}

static const char *db_path(const char *opt)
{
	const char *env = getenv("HULL_VULN_DB");
	if (opt)
		return opt;
	return env && *env ? env : HULL_VULNDB_DEFAULT;
}

/* Print a JSON document to stdout or to --output FILE (written atomically). */
static int emit(const char *text, const char *output)
{
	size_t n = strlen(text);
	if (!output || !strcmp(output, "-")) {
		if (fwrite(text, 1, n, stdout) != n || fflush(stdout) != 0)
			return cli_errorf("write output: %s", strerror(errno));
		return 0;
	}
	{
		_cleanup_err_ hull_err err = HULL_ERR_INIT;
		_cleanup_free_ char *copy = strdup(output);
		char *slash = copy ? strrchr(copy, '/') : NULL;
		const char *dir = ".", *base = output;
		_cleanup_close_ int dfd = -1;
		if (!copy)
			return cli_errorf("out of memory");
		if (slash) {
			*slash = '\0';
			dir = slash == copy ? "/" : copy;
			base = slash + 1;
		}
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return cli_errorf("output %s: %s", output, strerror(errno));
		if (hull_write_file_atomic(dfd, base, 0644, text, n, &err) < 0)
			return cli_error(&err);
	}
	return 0;
}

static int emit_json(json_object *o, const char *output)
{
	_cleanup_free_ char *s = NULL;
	if (!o)
		return cli_errorf("out of memory building the report");
	s = hull_strdup_printf("%s\n", json_object_to_json_string_ext(
					   o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!s)
		return cli_errorf("out of memory");
	return emit(s, output);
}

/* Collect a target: store image references go through lib/image (scan/store.c). */
static int collect(const char *target, const struct hull_scan_opts *so, struct hull_inventory *inv,
		   struct hull_image_meta *meta, hull_err *err)
{
	if (hull_scan_is_path_target(target))
		return hull_scan_target(target, so, inv, meta, err);
	return hull_scan_store_image(g_opts.storage_root, target, so, inv, meta, err);
}

/* ---- hull vercmp ---- */

static int cmd_vercmp(int argc, char **argv)
{
	enum hull_ver_scheme s;
	hull_err err = HULL_ERR_INIT;
	int c;
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: hull vercmp deb|apk|rpm|semver|pep440|maven A B\n"
		       "prints -1, 0 or 1 (A older, equal, newer than B); exit 2 on an invalid "
		       "version\n");
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: hull vercmp deb|apk|rpm|semver|pep440|maven A B\n");
		return 2;
	}
	if (hull_ver_scheme_parse(argv[1], &s) < 0) {
		cli_errorf("vercmp: unknown scheme \"%s\" (deb, apk, rpm, semver, pep440, maven)",
			   argv[1]);
		return 2;
	}
	if (hull_vercmp(s, argv[2], argv[3], &c, &err) < 0) {
		cli_error(&err);
		hull_err_clear(&err);
		return 2;
	}
	printf("%d\n", c);
	return 0;
}

/* ---- hull db ---- */

static int db_import(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
					     {"format", required_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	const char *path = NULL;
	enum hull_adv_format fmt = HULL_ADV_AUTO;
	struct hull_vulndb *db = NULL;
	struct hull_import_stats st = {0};
	hull_err err = HULL_ERR_INIT;
	int c;
	uint64_t t0 = hull_now_ns();

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "osv"))
				fmt = HULL_ADV_OSV;
			else if (!strcmp(optarg, "secdb"))
				fmt = HULL_ADV_SECDB;
			else if (!strcmp(optarg, "debian-tracker"))
				fmt = HULL_ADV_DEBIAN_TRACKER;
			else if (!strcmp(optarg, "debian-list"))
				fmt = HULL_ADV_DEBIAN_LIST;
			else
				return cli_errorf("db import: unknown format \"%s\" (osv, secdb, "
						  "debian-tracker, debian-list)",
						  optarg);
			break;
		case 'h':
			printf(
			    "usage: hull db import [--db PATH] [--format osv|secdb|debian-tracker|"
			    "debian-list] FILE|DIR|all.zip...\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind >= argc)
		return cli_errorf(
		    "db import: no input (usage: hull db import [--db PATH] FILE...)");
	path = db_path(path);
	if (hull_vulndb_open(path, true, &db, &err) < 0 || hull_vulndb_import_begin(db, &err) < 0)
		goto fail;
	for (int i = optind; i < argc; i++)
		if (hull_vulndb_import_path(db, argv[i], fmt, &st, &err) < 0) {
			hull_wrap(&err, "db import (nothing was changed)");
			goto fail;
		}
	if (hull_vulndb_import_commit(db, &err) < 0)
		goto fail;
	hull_vulndb_close(db);
	printf("imported %zu advisory records (%zu affected packages) from %zu files into %s in "
	       "%.2f s",
	       st.advisories, st.affected, st.files, path, (double)(hull_now_ns() - t0) / 1e9);
	if (st.withdrawn || st.skipped)
		printf("; %zu withdrawn, %zu entries without anything to match", st.withdrawn,
		       st.skipped);
	printf("\n");
	return 0;
fail:
	if (db)
		hull_vulndb_close(db);
	c = cli_error(&err);
	hull_err_clear(&err);
	return c;
}

static int db_info(int argc, char **argv)
{
	static const struct option opts[] = {{"db", required_argument, 0, 'd'},
					     {"format", required_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	const char *path = NULL;
	bool json = false;
	struct hull_vulndb *db = NULL;
	json_object *info = NULL, *x;
	hull_err err = HULL_ERR_INIT;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_errorf("db info: --format json or table");
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			printf("usage: hull db info [--db PATH] [--format table|json]\n");
			return 0;
		default:
			return 1;
		}
	}
	path = db_path(path);
	if (hull_vulndb_open(path, false, &db, &err) < 0 || hull_vulndb_info(db, &info, &err) < 0) {
		hull_vulndb_close(db);
		return cli_error(&err);
	}
	hull_vulndb_close(db);
	if (json)
		return emit_json(info, NULL);
	printf("database:    %s\n", path);
	printf("advisories:  %s\n",
	       json_object_to_json_string(json_object_object_get(info, "advisories")));
	printf("affected:    %s\n",
	       json_object_to_json_string(json_object_object_get(info, "affected")));
	printf("sources:\n");
	if (json_object_object_get_ex(info, "sources", &x))
		for (size_t i = 0; i < json_object_array_length(x); i++) {
			json_object *s = json_object_array_get_idx(x, i);
			const char *dd = hull_json_get_str(s, "data_date");
			printf("  %s\n    format %s, %s records, data up to %s, imported %s\n",
			       hull_json_get_str(s, "name"), hull_json_get_str(s, "format"),
			       json_object_to_json_string(json_object_object_get(s, "records")),
			       dd ? dd : "(undated)", hull_json_get_str(s, "imported"));
		}
	printf("ecosystems:\n");
	if (json_object_object_get_ex(info, "ecosystems", &x)) {
		json_object_object_foreach(x, k, v)
		{
			printf("  %-24s %d\n", k, json_object_get_int(v));
		}
	}
	json_object_put(info);
	return 0;
}

static int cmd_db(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return db_import(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "info"))
		return db_info(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf(
		    "usage: hull db import [--db PATH] FILE...\n       hull db info [--db PATH]\n");
		return 0;
	}
	return cli_errorf(
	    "db: expected import or info (usage: hull db import|info [--db PATH] ...)");
}

/* ---- hull sbom / hull scan ---- */

enum fmt { F_TABLE, F_JSON, F_SARIF, F_CYCLONEDX, F_SPDX };

static int parse_format(const char *s, enum fmt *f)
{
	static const char *const names[] = {"table", "json", "sarif", "cyclonedx", "spdx"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i])) {
			*f = (enum fmt)i;
			return 0;
		}
	if (!strcmp(s, "spdx-json")) {
		*f = F_SPDX;
		return 0;
	}
	return -1;
}

static int cmd_sbom(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"output", required_argument, 0, 'o'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	enum fmt f = F_CYCLONEDX;
	const char *output = NULL;
	struct hull_scan_opts so = {.packages = true};
	struct hull_inventory inv;
	struct hull_image_meta meta = {0};
	hull_err err = HULL_ERR_INIT;
	struct hull_report r = {0};
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &f) < 0 ||
			    (f != F_CYCLONEDX && f != F_SPDX && f != F_JSON))
				return cli_errorf(
				    "sbom: --format cyclonedx, spdx or json, not \"%s\"", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("usage: hull sbom [--format cyclonedx|spdx|json] [--output FILE] "
			       "TARGET\n"
			       "TARGET: dir:PATH, oci:DIR[:TAG], oci-archive:PATH[:TAG] or an "
			       "image in "
			       "the store\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind != argc - 1)
		return cli_errorf("sbom: expected one TARGET (see hull sbom --help)");
	hull_inventory_init(&inv);
	if (collect(argv[optind], &so, &inv, &meta, &err) < 0 ||
	    hull_inventory_finish(&inv, &err) < 0) {
		rc = cli_error(&err);
		goto out;
	}
	r.target = argv[optind];
	r.inv = &inv;
	r.meta = &meta;
	rc = emit_json(f == F_SPDX   ? hull_report_spdx(&r)
		       : f == F_JSON ? hull_report_json(&r)
				     : hull_report_cyclonedx(&r, false),
		       output);
out:
	hull_err_clear(&err);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);
	return rc;
}

static bool keep_sev(unsigned mask, const char *sev)
{
	int r = hull_severity_rank(sev);
	return mask & (1u << (r < 0 ? 0 : r));
}

static int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"severity", required_argument, 0, 's'},
					     {"ignore-unfixed", no_argument, 0, 'u'},
					     {"exit-code", required_argument, 0, 'e'},
					     {"db", required_argument, 0, 'd'},
					     {"scanners", required_argument, 0, 'S'},
					     {"output", required_argument, 0, 'o'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	enum fmt f = F_TABLE;
	const char *output = NULL, *dbp = NULL;
	unsigned mask = 0x1f;
	bool ignore_unfixed = false;
	int exit_code = 0, c, rc = 1;
	struct hull_scan_opts so = {.packages = true, .secrets = true, .files = true};
	bool want_vuln = true, want_secret = true, want_misconf = true;
	struct hull_inventory inv;
	struct hull_image_meta meta = {0};
	struct hull_vulndb *db = NULL;
	struct hull_match_result mr = {0};
	struct hull_misconf_list ml = {0};
	_cleanup_free_ struct hull_finding *vf = NULL;
	_cleanup_free_ struct hull_misconf *mf = NULL;
	_cleanup_free_ struct hull_secret *sf = NULL;
	json_object *dbinfo = NULL;
	hull_err err = HULL_ERR_INIT;
	struct hull_report r = {0};
	size_t nv = 0, nm = 0, ns = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:s:ue:d:S:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &f) < 0)
				return cli_errorf(
				    "scan: --format table, json, sarif, cyclonedx or spdx, "
				    "not \"%s\"",
				    optarg);
			break;
		case 's':
			if (hull_severity_mask(optarg, &mask, &err) < 0) {
				hull_wrap(&err, "scan: --severity");
				rc = cli_error(&err);
				hull_err_clear(&err);
				return rc;
			}
			break;
		case 'u':
			ignore_unfixed = true;
			break;
		case 'e': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 255)
				return cli_errorf("scan: --exit-code takes 0..255, not \"%s\"",
						  optarg);
			exit_code = (int)v;
			break;
		}
		case 'd':
			dbp = optarg;
			break;
		case 'S': {
			_cleanup_free_ char *copy = strdup(optarg);
			want_vuln = want_secret = want_misconf = false;
			for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
				if (!strcmp(t, "vuln"))
					want_vuln = true;
				else if (!strcmp(t, "secret"))
					want_secret = true;
				else if (!strcmp(t, "misconfig"))
					want_misconf = true;
				else
					return cli_errorf(
					    "scan: --scanners takes vuln,secret,misconfig, "
					    "not \"%s\"",
					    t);
			}
			break;
		}
		case 'o':
			output = optarg;
			break;
		case 'h':
			printf("usage: hull scan [--format table|json|sarif|cyclonedx|spdx] "
			       "[--severity LIST]\n"
			       "                 [--ignore-unfixed] [--exit-code N] [--db PATH]\n"
			       "                 [--scanners vuln,secret,misconfig] [--output "
			       "FILE] TARGET\n"
			       "TARGET: dir:PATH, oci:DIR[:TAG], oci-archive:PATH[:TAG] or an "
			       "image in "
			       "the store\n"
			       "exit: N when anything at the selected severities is found, 0 "
			       "otherwise,\n"
			       "      1 on errors\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind != argc - 1)
		return cli_errorf("scan: expected one TARGET (see hull scan --help)");
	so.secrets = want_secret;
	so.files = want_misconf;
	if (want_secret && hull_secret_rules_builtin(&so.rules, &err) < 0)
		return cli_error(&err);
	hull_inventory_init(&inv);
	/* Open the DB first: a missing DB should fail before a long walk, not after. */
	if (want_vuln && (hull_vulndb_open(db_path(dbp), false, &db, &err) < 0 ||
			  hull_vulndb_sources(db, &dbinfo, &err) < 0))
		goto fail;
	if (collect(argv[optind], &so, &inv, &meta, &err) < 0 ||
	    hull_inventory_finish(&inv, &err) < 0)
		goto fail;
	if (want_vuln && hull_match(db, &inv, &mr, &err) < 0)
		goto fail;
	if (want_misconf && hull_misconf_check(&inv, &meta, &ml, &err) < 0)
		goto fail;
	vf = calloc(mr.n + 1, sizeof *vf);
	mf = calloc(ml.n + 1, sizeof *mf);
	sf = calloc(inv.nsecrets + 1, sizeof *sf);
	if (!vf || !mf || !sf) {
		hull_fail(&err, ENOMEM, "scan");
		goto fail;
	}
	for (size_t i = 0; i < mr.n; i++)
		if (keep_sev(mask, mr.f[i].severity) && !(ignore_unfixed && !mr.f[i].fixed))
			vf[nv++] = mr.f[i];
	for (size_t i = 0; i < ml.n; i++)
		if (keep_sev(mask, ml.m[i].check->severity))
			mf[nm++] = ml.m[i];
	for (size_t i = 0; i < inv.nsecrets && want_secret; i++)
		if (keep_sev(mask, inv.secrets[i].severity))
			sf[ns++] = inv.secrets[i];
	r.target = argv[optind];
	r.inv = &inv;
	r.meta = &meta;
	r.vulns = vf;
	r.nvulns = nv;
	r.mis = mf;
	r.nmis = nm;
	r.secrets = sf;
	r.nsecrets = ns;
	r.scanned_vuln = want_vuln;
	r.scanned_secret = want_secret;
	r.scanned_misconf = want_misconf;
	r.db_info = dbinfo;
	switch (f) {
	case F_JSON:
		rc = emit_json(hull_report_json(&r), output);
		break;
	case F_SARIF:
		rc = emit_json(hull_report_sarif(&r), output);
		break;
	case F_CYCLONEDX:
		rc = emit_json(hull_report_cyclonedx(&r, true), output);
		break;
	case F_SPDX:
		rc = emit_json(hull_report_spdx(&r), output);
		break;
	case F_TABLE: {
		bool color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		_cleanup_free_ char *t = hull_report_table(&r, color);
		rc = t ? emit(t, output) : cli_errorf("out of memory");
		break;
	}
	}
	if (rc == 0 && exit_code && (nv || nm || ns))
		rc = exit_code;
	goto out;
fail:
	rc = cli_error(&err);
out:
	hull_err_clear(&err);
	json_object_put(dbinfo);
	hull_match_result_free(&mr);
	hull_misconf_list_free(&ml);
	hull_vulndb_close(db);
	hull_inventory_free(&inv);
	hull_image_meta_free(&meta);
	return rc;
}

CLI_COMMAND("scan", cmd_scan,
	    "scan an image or root filesystem: vulnerabilities, secrets, "
	    "misconfigurations")
CLI_COMMAND("sbom", cmd_sbom, "software bill of materials (CycloneDX 1.5, SPDX 2.3)")
CLI_COMMAND("vercmp", cmd_vercmp, "compare two package versions (deb, apk, rpm, ...)")
CLI_COMMAND("db", cmd_db, "vulnerability database: import advisories, show what is in it")
