/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define HULL_ARCHIVE_DL_IMPL
#include "core/archive_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct hull_archive_fns fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static __attribute__((noreturn)) void fatal(const char *what, const char *why)
{
	/* What ld.so says for a missing DT_NEEDED library, and the same exit status. */
	dprintf(STDERR_FILENO, "hull: error while loading shared libraries: %s: %s\n", what,
		why ? why : "unknown error");
	_exit(127);
}

static void load(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fatal("libarchive.so.13", dlerror());
#define HULL_ARCHIVE_FN_LOAD(f)                                                                    \
	if (!(fns.f = (__typeof__(f) *)dlsym(h, #f)))                                              \
		fatal("libarchive.so.13", "symbol " #f " not found");
	HULL_ARCHIVE_FUNCS(HULL_ARCHIVE_FN_LOAD)
#undef HULL_ARCHIVE_FN_LOAD
}

const struct hull_archive_fns *hull_archive(void)
{
	pthread_once(&once, load);
	return &fns;
}
