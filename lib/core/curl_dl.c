/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define HULL_CURL_DL_IMPL
#include "core/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>

#include "core/dl.h"

static struct hull_curl_fns fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		hull_dl_fatal("libcurl.so.4", dlerror());
#define HULL_CURL_FN_LOAD(f)                                                                       \
	if (!(fns.f = (__typeof__(f) *)dlsym(h, #f)))                                              \
		hull_dl_fatal("libcurl.so.4", "symbol " #f " not found");
	HULL_CURL_FUNCS(HULL_CURL_FN_LOAD)
#undef HULL_CURL_FN_LOAD
}

const struct hull_curl_fns *hull_curl(void)
{
	pthread_once(&once, load);
	return &fns;
}
