/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image references in the docker/distribution grammar:
 *   [domain[:port]/]path[:tag][@digest]
 * normalised like docker and podman: no domain means docker.io, a one-component docker.io path
 * gets "library/", and no tag and no digest means ":latest". Parsing is strict (lower-case
 * path components, tag [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, name <= 255 bytes) because the parts
 * end up in URLs, file names and policy scopes. */
#pragma once

#include <stdbool.h>

#include "core/error.h"

#define HULL_REF_MAX 1024

struct hull_ref {
	char *domain;	 /* "docker.io", "127.0.0.1:5000", "localhost" */
	char *path;	 /* "library/busybox" */
	char *tag;	 /* NULL when only a digest was given */
	char *digest;	 /* NULL when not pinned */
	bool had_domain; /* the input named a domain (short names may also match localhost/) */
};

int hull_ref_parse(const char *s, struct hull_ref *out, hull_err *err);
void hull_ref_free(struct hull_ref *r);

/* "domain/path" (caller frees). */
char *hull_ref_repo(const struct hull_ref *r);
/* "domain/path:tag", "domain/path@digest" or "domain/path:tag@digest" (caller frees). */
char *hull_ref_string(const struct hull_ref *r);
/* "domain/path:tag" or, without a tag, "domain/path@digest" (what `image ls` shows as name). */
char *hull_ref_name(const struct hull_ref *r);

/* The registry host to contact for a domain ("docker.io" -> "registry-1.docker.io"). */
const char *hull_ref_registry_host(const char *domain);

/* A tag alone (the part after ':'). */
bool hull_ref_tag_valid(const char *tag);
