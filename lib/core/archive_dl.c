/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define HULL_ARCHIVE_DL_IMPL
#include "core/archive_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "core/dl.h"

static struct hull_archive_fns fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		hull_dl_fatal("libarchive.so.13", dlerror());
#define HULL_ARCHIVE_FN_LOAD(f)                                                                    \
	if (!(fns.f = (__typeof__(f) *)dlsym(h, #f)))                                              \
		hull_dl_fatal("libarchive.so.13", "symbol " #f " not found");
	HULL_ARCHIVE_FUNCS(HULL_ARCHIVE_FN_LOAD)
#undef HULL_ARCHIVE_FN_LOAD
}

const struct hull_archive_fns *hull_archive(void)
{
	pthread_once(&once, load);
	return &fns;
}

void hull_dl_fatal(const char *lib, const char *why)
{
	dprintf(STDERR_FILENO, "hull: error while loading shared libraries: %s: %s\n", lib,
		why ? why : "unknown error");
	_exit(127);
}
