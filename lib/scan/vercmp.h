/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Version comparison for every scheme the scanner matches against. Each comparator is written
 * from the scheme's documented rules (Debian Policy 5.6.12, rpm's rpmvercmp semantics, apk-tools'
 * version grammar, SemVer 2.0.0, PEP 440, Maven's ComparableVersion ordering); a version the
 * scheme does not accept is an error, never a guess, because a wrong order is a wrong finding. */
#pragma once

#include <stdbool.h>

#include "core/error.h"

enum hull_ver_scheme {
	HULL_VER_DEB,
	HULL_VER_RPM,
	HULL_VER_APK,
	HULL_VER_SEMVER, /* SemVer 2.0.0; a leading "v" is accepted (Go modules) */
	HULL_VER_PEP440,
	HULL_VER_MAVEN,
	HULL_VER_NONE, /* no comparator: only exact `versions` lists can match */
};

/* Parse "deb", "dpkg", "rpm", "apk", "semver", "pep440", "maven". */
int hull_ver_scheme_parse(const char *name, enum hull_ver_scheme *out);
const char *hull_ver_scheme_name(enum hull_ver_scheme s);

/* Compare a and b: *out is -1, 0 or 1. Returns -1 with err naming the invalid version. */
int hull_vercmp(enum hull_ver_scheme s, const char *a, const char *b, int *out, hull_err *err);
/* Whether v is a valid version of the scheme (err says why not; may be NULL). */
bool hull_ver_valid(enum hull_ver_scheme s, const char *v, hull_err *err);

/* Individual comparators for callers that already validated their input. */
int hull_rpmvercmp(const char *a, const char *b); /* one version or release string */
