/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version comparators: the upstream-derived dpkg and rpm vectors (tests/data), our own apk
 * vectors written from apk-tools' documented grammar, and the language schemes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "scan/vercmp.h"
#include "t.h"

static int cmp(enum hull_ver_scheme s, const char *a, const char *b)
{
	hull_err e = HULL_ERR_INIT;
	int c = 99;
	if (hull_vercmp(s, a, b, &c, &e) < 0) {
		fprintf(stderr, "  %s vs %s: %s\n", a, b, e.msg);
		hull_err_clear(&e);
		return 99;
	}
	return c;
}

/* Run every "A<TAB>B<TAB>expected" line of a vector file; also check antisymmetry. */
static int run_tsv(enum hull_ver_scheme s, const char *name, int *count)
{
	char path[4096], line[1024];
	int bad = 0;
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", HULL_SHARED_DATA, name);
	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		return -1;
	}
	*count = 0;
	while (fgets(line, sizeof line, f)) {
		char *a = strtok(line, "\t\n"), *b = strtok(NULL, "\t\n"),
		     *x = strtok(NULL, "\t\n");
		int want, got, rev;
		if (!a || !b || !x)
			continue;
		want = atoi(x);
		got = cmp(s, a, b);
		rev = cmp(s, b, a);
		if (got != want || rev != -want) {
			fprintf(stderr, "  %s: %s vs %s: want %d got %d (reverse %d)\n", name, a, b,
				want, got, rev);
			bad++;
		}
		(*count)++;
	}
	fclose(f);
	return bad;
}

TEST(dpkg_vectors)
{
	int n = 0;
	T_EQ_INT(run_tsv(HULL_VER_DEB, "dpkg-version-cmp.tsv", &n), 0);
	T_EQ_INT(n, 43);
}

TEST(rpm_vectors)
{
	int n = 0;
	T_EQ_INT(run_tsv(HULL_VER_RPM, "rpm-vercmp.tsv", &n), 0);
	T_EQ_INT(n, 91);
}

struct vec {
	const char *a, *b;
	int want;
};

static void run_vec(enum hull_ver_scheme s, const struct vec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int got = cmp(s, v[i].a, v[i].b), rev = cmp(s, v[i].b, v[i].a);
		if (got != v[i].want || rev != -v[i].want)
			T_FAIL("%s: %s vs %s: want %d got %d (reverse %d)", hull_ver_scheme_name(s),
			       v[i].a, v[i].b, v[i].want, got, rev);
	}
}

/* apk-tools grammar: digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}; suffix order
 * alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p; a number component other than
 * the first that starts with 0 compares as a string. */
TEST(apk_vectors)
{
	static const struct vec v[] = {
	    {"1.0", "1.0", 0},
	    {"1.0", "1.1", -1},
	    {"1.0", "1.0.1", -1},
	    {"1.10", "1.9", 1},
	    {"2.9.3-r0", "2.8.6-r0", 1},
	    {"1.0_alpha", "1.0_beta", -1},
	    {"1.0_beta", "1.0_pre", -1},
	    {"1.0_pre", "1.0_rc", -1},
	    {"1.0_rc", "1.0", -1},
	    {"1.0", "1.0_cvs", -1},
	    {"1.0_cvs", "1.0_svn", -1},
	    {"1.0_svn", "1.0_git", -1},
	    {"1.0_git", "1.0_hg", -1},
	    {"1.0_hg", "1.0_p", -1},
	    {"1.0_alpha1", "1.0_alpha2", -1},
	    {"1.0_alpha", "1.0_alpha1", -1},
	    {"1.0_rc10", "1.0_rc9", 1},
	    {"1.0_rc1", "1.0", -1},
	    {"1.0_p1", "1.0", 1},
	    {"1.0_p1", "1.0.1", -1},
	    {"1.0_rc1", "1.0_rc1_p1", -1},
	    {"1.0", "1.0-r0", -1},
	    {"1.0-r0", "1.0-r1", -1},
	    {"1.0-r9", "1.0-r10", -1},
	    {"1.0-r1", "1.0_p1", -1},
	    {"1.0-r5", "1.0_rc1-r9", 1},
	    {"1.0a", "1.0", 1},
	    {"1.0a", "1.0b", -1},
	    {"1.0a", "1.0.1", -1},
	    {"1.1.1k-r0", "1.1.1l-r0", -1},
	    {"1.1.1l-r0", "1.1.1k-r1", 1},
	    {"1.01", "1.1", -1},
	    {"1.001", "1.01", -1},
	    {"1.010", "1.01", 1},
	    {"1.05", "1.5", -1},
	    {"0.1", "0.2", -1},
	    {"20230101", "20221231", 1},
	    {"3.0.8-r0", "3.0.10-r0", -1},
	    {"7.83.0-r0", "7.83.1-r0", -1},
	};
	run_vec(HULL_VER_APK, v, (sizeof(v) / sizeof((v)[0])));
}

TEST(semver_vectors)
{
	/* SemVer 2.0.0 section 11's example chain, plus "v" prefixes and build metadata. */
	static const struct vec v[] = {
	    {"1.0.0-alpha", "1.0.0-alpha.1", -1},
	    {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
	    {"1.0.0-alpha.beta", "1.0.0-beta", -1},
	    {"1.0.0-beta", "1.0.0-beta.2", -1},
	    {"1.0.0-beta.2", "1.0.0-beta.11", -1},
	    {"1.0.0-beta.11", "1.0.0-rc.1", -1},
	    {"1.0.0-rc.1", "1.0.0", -1},
	    {"1.9.0", "1.10.0", -1},
	    {"v1.2.3", "1.2.3", 0},
	    {"1.0.0+build.5", "1.0.0", 0},
	    {"v0.0.0-20210101000000-abcdef123456", "v0.0.1", -1},
	    {"1.2", "1.2.0", 0},
	};
	run_vec(HULL_VER_SEMVER, v, (sizeof(v) / sizeof((v)[0])));
}

TEST(pep440_vectors)
{
	static const struct vec v[] = {
	    {"1.0.dev1", "1.0a1", -1}, {"1.0a1", "1.0a2", -1},	 {"1.0a2", "1.0b1", -1},
	    {"1.0b1", "1.0rc1", -1},   {"1.0rc1", "1.0", -1},	 {"1.0", "1.0.post1", -1},
	    {"1.0.post1", "1.1", -1},  {"1.0", "1.0.0", 0},	 {"1!0.1", "2.0", 1},
	    {"1.0+local.1", "1.0", 1}, {"2.31.0", "2.4.0", 1},	 {"1.0-1", "1.0.post1", 0},
	    {"1.0alpha1", "1.0a1", 0}, {"1.0.0c1", "1.0rc1", 0},
	};
	run_vec(HULL_VER_PEP440, v, (sizeof(v) / sizeof((v)[0])));
}

TEST(maven_vectors)
{
	static const struct vec v[] = {
	    {"1.0-alpha1", "1.0-beta1", -1},
	    {"1.0-beta1", "1.0-rc1", -1},
	    {"1.0-rc1", "1.0-SNAPSHOT", -1},
	    {"1.0-SNAPSHOT", "1.0", -1},
	    {"1.0", "1.0.0", 0},
	    {"1.0", "1.0-ga", 0},
	    {"1.0", "1.0-sp1", -1},
	    {"1.0", "1.0.1", -1},
	    {"2.15.0", "2.17.0", -1},
	    {"2.17.1", "2.17.0", 1},
	    {"2.9.10.8", "2.10.0", -1},
	};
	run_vec(HULL_VER_MAVEN, v, (sizeof(v) / sizeof((v)[0])));
}

TEST(invalid_versions)
{
	static const struct {
		enum hull_ver_scheme s;
		const char *v;
		const char *why;
	} bad[] = {
	    {HULL_VER_DEB, "", "empty"},
	    {HULL_VER_DEB, "a1.0", "does not start with a digit"},
	    {HULL_VER_DEB, "1:", "nothing after the epoch"},
	    {HULL_VER_DEB, ":1.0", "empty epoch"},
	    {HULL_VER_DEB, "x:1.0", "epoch is not a number"},
	    {HULL_VER_DEB, "1.0-", "empty revision"},
	    {HULL_VER_DEB, "1.0 1", "whitespace"},
	    {HULL_VER_DEB, "1.0-a_b", "invalid character in the revision"},
	    {HULL_VER_RPM, "", "empty"},
	    {HULL_VER_RPM, "x:1.0", "epoch is not a number"},
	    {HULL_VER_RPM, "1.0-", "empty release"},
	    {HULL_VER_APK, "", "empty"},
	    {HULL_VER_APK, "a1.0", "does not start with a digit"},
	    {HULL_VER_APK, "1.0_foo", "unknown suffix"},
	    {HULL_VER_APK, "1.0-x1", "expected -r"},
	    {HULL_VER_APK, "1.0-r", "empty revision number"},
	    {HULL_VER_APK, "1..0", "empty number component"},
	    {HULL_VER_APK, "1.0-r1a", "unexpected character"},
	    {HULL_VER_SEMVER, "1.x", "expected a number"},
	    {HULL_VER_SEMVER, "1.0.0-", "empty pre-release"},
	    {HULL_VER_PEP440, "one", "expected a number"},
	};
	for (size_t i = 0; i < (sizeof(bad) / sizeof((bad)[0])); i++) {
		hull_err e = HULL_ERR_INIT;
		int c;
		if (hull_vercmp(bad[i].s, bad[i].v, "1.0", &c, &e) == 0)
			T_FAIL("%s \"%s\" accepted", hull_ver_scheme_name(bad[i].s), bad[i].v);
		T_CONTAINS(e.msg, bad[i].why);
		T_CONTAINS(e.msg, "invalid");
		T_EQ_INT(e.kind, HULL_ERR_INVALID);
		hull_err_clear(&e);
	}
}

TEST(rpm_evr)
{
	/* Epoch first, then version, then release; a missing release matches any. */
	static const struct vec v[] = {
	    {"1:3.0.1-43.el9_0", "1:3.0.1-47.el9_1", -1},
	    {"3.0.7-1", "1:3.0.1-47.el9_1", -1},
	    {"0:1.0-1", "1.0-1", 0},
	    {"1.0", "1.0-5", 0},
	    {"2.0-1", "10.0-1", -1},
	};
	run_vec(HULL_VER_RPM, v, (sizeof(v) / sizeof((v)[0])));
}

TEST(scheme_names)
{
	enum hull_ver_scheme s;
	T_EQ_INT(hull_ver_scheme_parse("deb", &s), 0);
	T_EQ_INT(s, HULL_VER_DEB);
	T_EQ_INT(hull_ver_scheme_parse("apk", &s), 0);
	T_EQ_INT(s, HULL_VER_APK);
	T_EQ_INT(hull_ver_scheme_parse("rpm", &s), 0);
	T_EQ_INT(s, HULL_VER_RPM);
	T_EQ_INT(hull_ver_scheme_parse("cobol", &s), -1);
}
