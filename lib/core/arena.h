/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bump allocator for parsed documents (config.json, process.json): everything a parse
 * allocates lives and dies together, so no per-field free code can be forgotten. */
#pragma once

#include <stddef.h>

struct hull_arena_chunk;
typedef struct hull_arena {
	struct hull_arena_chunk *head;
	size_t total;
} hull_arena;

void *hull_arena_alloc(hull_arena *a, size_t size); /* zeroed; NULL on OOM */
void *hull_arena_calloc(hull_arena *a, size_t n, size_t size);
char *hull_arena_strdup(hull_arena *a, const char *s);
void hull_arena_free(hull_arena *a);
