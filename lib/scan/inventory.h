/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a scan finds in a root filesystem: the OS, packages (OS and language), and per-file
 * facts the checks need. Everything is owned by the inventory's arena and dies with it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"

enum hull_pkg_type {
	HULL_PKG_DEB,
	HULL_PKG_APK,
	HULL_PKG_RPM,
	HULL_PKG_PYPI,
	HULL_PKG_NPM,
	HULL_PKG_GOLANG,
	HULL_PKG_MAVEN,
	HULL_PKG_GOSTDLIB, /* the Go toolchain a binary was built with (pkg:golang/stdlib) */
};

const char *hull_pkg_type_name(enum hull_pkg_type t); /* "deb", "apk", ... (purl types) */
bool hull_pkg_type_is_os(enum hull_pkg_type t);

struct hull_pkg {
	enum hull_pkg_type type;
	const char *name;
	const char *version;	 /* rpm: [epoch:]version-release */
	const char *arch;	 /* may be NULL */
	const char *src_name;	 /* deb Source, apk origin, rpm source rpm name; else NULL */
	const char *src_version; /* deb source version (defaults to the binary's) */
	const char *group;	 /* maven groupId; NULL otherwise */
	const char *license;
	const char *location; /* file it was found in, "/var/lib/dpkg/status" */
	const char *purl;     /* filled by hull_inventory_finish */
	const char *bom_ref;  /* unique in the document */
	const char *owned_by; /* language package installed by an OS package: "deb:python3-x" */
	bool dead;	      /* removed by a later layer (dropped by hull_inventory_finish) */
};

struct hull_os {
	const char *id;		/* "debian", "alpine", "almalinux", ... NULL when unknown */
	const char *version_id; /* "12", "3.18.4", "9.2" */
	const char *codename;	/* "bookworm" */
	const char *pretty;
};

/* Per-file facts for the misconfiguration checks. */
enum hull_fact_kind {
	HULL_FACT_SETID,	  /* setuid or setgid regular file */
	HULL_FACT_WORLD_WRITABLE, /* file, or directory without the sticky bit */
	HULL_FACT_CREDENTIAL,	  /* a private key or credential file by its name */
};

struct hull_file_fact {
	enum hull_fact_kind kind;
	bool dead; /* removed by a later layer */
	const char *path;
	uint32_t mode;
	uint32_t uid, gid;
	uint64_t size;
};

struct hull_secret {
	const char *rule;  /* rule id, "aws-access-key-id" */
	const char *title; /* "AWS Access Key ID" */
	const char *severity;
	const char *path;
	unsigned line;
	const char *match; /* redacted excerpt */
	bool dead;
};

struct hull_inventory {
	hull_arena arena;
	struct hull_os os;
	struct hull_pkg *pkgs;
	size_t npkgs, cap_pkgs;
	struct hull_file_fact *facts; /* setuid/setgid and world-writable files */
	size_t nfacts, cap_facts;
	struct hull_secret *secrets;
	size_t nsecrets, cap_secrets;
	/* Files kept whole for checks after the walk (etc/passwd, etc/shadow, ...). */
	const char *passwd, *shadow, *group;
	size_t passwd_len, shadow_len, group_len;
	/* Notes about things not analysed (a truncated file, a BerkeleyDB rpmdb, ...). */
	const char **notes;
	size_t nnotes, cap_notes;
	uint64_t files_seen;
};

void hull_inventory_init(struct hull_inventory *inv);
void hull_inventory_free(struct hull_inventory *inv);
/* Append a package: strings are copied into the arena. Returns NULL on OOM. */
struct hull_pkg *hull_inventory_add(struct hull_inventory *inv, const struct hull_pkg *p);
int hull_inventory_add_fact(struct hull_inventory *inv, enum hull_fact_kind kind, const char *path,
			    uint32_t mode, uint32_t uid, uint32_t gid, uint64_t size);
/* Copies path and match; rule, title and severity must outlive the inventory (rule set). */
int hull_inventory_add_secret(struct hull_inventory *inv, const struct hull_secret *s);
int hull_inventory_note(struct hull_inventory *inv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sort packages, drop exact duplicates, compute purls and bom-refs. */
int hull_inventory_finish(struct hull_inventory *inv, hull_err *err);
char *hull_inv_strdup(struct hull_inventory *inv, const char *s);
char *hull_inv_strndup(struct hull_inventory *inv, const char *s, size_t n);

/* Package URL of p (purl-spec): arena-allocated. */
const char *hull_pkg_purl(struct hull_inventory *inv, const struct hull_pkg *p);
