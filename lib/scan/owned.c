/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scan/owned.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define OWNED_MAX 20000000 /* paths: far above any real image, below exhausting memory */

struct slot {
	const char *path; /* NUL-terminated, in the arena */
	const char *owner;
};

struct hull_owned {
	hull_arena arena;
	struct slot *slots;
	size_t cap, n;
};

struct hull_owned *hull_owned_new(void)
{
	return calloc(1, sizeof(struct hull_owned));
}

void hull_owned_free(struct hull_owned *o)
{
	if (!o)
		return;
	free(o->slots);
	hull_arena_free(&o->arena);
	free(o);
}

size_t hull_owned_count(const struct hull_owned *o)
{
	return o ? o->n : 0;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int grow(struct hull_owned *o)
{
	size_t nc = o->cap ? o->cap * 2 : 4096;
	struct slot *s = calloc(nc, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < o->cap; i++) {
		if (!o->slots[i].path)
			continue;
		size_t j = hash(o->slots[i].path, strlen(o->slots[i].path)) & (nc - 1);
		while (s[j].path)
			j = (j + 1) & (nc - 1);
		s[j] = o->slots[i];
	}
	free(o->slots);
	o->slots = s;
	o->cap = nc;
	return 0;
}

int hull_owned_add(struct hull_owned *o, const char *path, size_t n, const char *owner)
{
	size_t j;
	char *p;
	if (o->n >= OWNED_MAX)
		return -1;
	if ((o->n + 1) * 2 > o->cap && grow(o) < 0)
		return -1;
	j = hash(path, n) & (o->cap - 1);
	while (o->slots[j].path) {
		if (strlen(o->slots[j].path) == n && !memcmp(o->slots[j].path, path, n))
			return 0; /* first owner wins */
		j = (j + 1) & (o->cap - 1);
	}
	p = hull_arena_alloc(&o->arena, n + 1);
	if (!p)
		return -1;
	memcpy(p, path, n);
	p[n] = '\0';
	o->slots[j].path = p;
	o->slots[j].owner = owner;
	o->n++;
	return 0;
}

const char *hull_owned_intern(struct hull_owned *o, const char *owner)
{
	return hull_arena_strdup(&o->arena, owner);
}

const char *hull_owned_get(const struct hull_owned *o, const char *path)
{
	size_t n, j;
	if (!o || !o->cap)
		return NULL;
	n = strlen(path);
	j = hash(path, n) & (o->cap - 1);
	while (o->slots[j].path) {
		if (!strcmp(o->slots[j].path, path))
			return o->slots[j].owner;
		j = (j + 1) & (o->cap - 1);
	}
	return NULL;
}

int hull_owned_add_dpkg_list(struct hull_owned *o, const char *pkg, const char *data, size_t len,
			     hull_err *err)
{
	size_t pos = 0;
	char owner[300];
	char *ow;
	snprintf(owner, sizeof owner, "deb:%s", pkg);
	ow = hull_arena_strdup(&o->arena, owner);
	if (!ow)
		return hull_fail(err, ENOMEM, "dpkg file list");
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += nl ? n + 1 : n;
		if (n < 2 || line[0] != '/' || memchr(line, '\0', n))
			continue;
		if (hull_owned_add(o, line, n, ow) < 0)
			return hull_failk(err, HULL_ERR_LIMIT, ENOMEM,
					  "dpkg file lists: too many paths");
	}
	return 0;
}

int hull_owned_add_apk_db(struct hull_owned *o, const char *data, size_t len, hull_err *err)
{
	size_t pos = 0;
	const char *dir = NULL, *owner = NULL;
	size_t dirl = 0;
	char path[4096];
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += nl ? n + 1 : n;
		if (n == 0) {
			owner = NULL;
			dir = NULL;
			continue;
		}
		if (n < 2 || line[1] != ':' || memchr(line, '\0', n))
			continue;
		if (line[0] == 'P') {
			char buf[300];
			snprintf(buf, sizeof buf, "apk:%.*s", (int)(n - 2 > 250 ? 250 : n - 2),
				 line + 2);
			owner = hull_arena_strdup(&o->arena, buf);
			if (!owner)
				return hull_fail(err, ENOMEM, "apk database");
		} else if (line[0] == 'F') {
			dir = line + 2;
			dirl = n - 2;
		} else if (line[0] == 'R' && owner && dir) {
			int l = snprintf(path, sizeof path, "/%.*s/%.*s", (int)dirl, dir,
					 (int)(n - 2), line + 2);
			if (l <= 0 || (size_t)l >= sizeof path)
				continue;
			if (hull_owned_add(o, path, (size_t)l, owner) < 0)
				return hull_failk(err, HULL_ERR_LIMIT, ENOMEM,
						  "apk database: too many paths");
		}
	}
	return 0;
}
