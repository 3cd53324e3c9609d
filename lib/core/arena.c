/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct hull_arena_chunk {
	struct hull_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define CHUNK_MIN 8192

void *hull_arena_alloc(hull_arena *a, size_t size)
{
	struct hull_arena_chunk *c = a->head;
	size_t align = sizeof(max_align_t);
	size_t need = (size + align - 1) & ~(align - 1);
	void *p;

	if (size == 0)
		need = align;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, need);
	return p;
}

void *hull_arena_calloc(hull_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return hull_arena_alloc(a, n * size);
}

char *hull_arena_strdup(hull_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = hull_arena_alloc(a, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void hull_arena_free(hull_arena *a)
{
	struct hull_arena_chunk *c = a->head;
	while (c) {
		struct hull_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	a->total = 0;
}
