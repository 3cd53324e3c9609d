/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcurl, loaded on first use (see core/archive_dl.h for why): libcurl drags in GnuTLS,
 * nettle, Kerberos, LDAP, SASL, libssh2, librtmp, nghttp2, libidn2 and libpsl, about 5 ms of
 * relocations at every toolkit start, and only registry access needs it. Code that talks HTTP
 * includes this header instead of <curl/curl.h>. curl's compile-time type checks of
 * curl_easy_setopt/getinfo arguments are lost (the calls go through pointers). */
#pragma once

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#define HULL_CURL_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_escape) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_free) \
	X(curl_global_init) \
	X(curl_multi_add_handle) \
	X(curl_multi_cleanup) \
	X(curl_multi_info_read) \
	X(curl_multi_init) \
	X(curl_multi_perform) \
	X(curl_multi_poll) \
	X(curl_multi_remove_handle) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

struct hull_curl_fns {
#define HULL_CURL_FN_PTR(f) __typeof__(f) *f;
	HULL_CURL_FUNCS(HULL_CURL_FN_PTR)
#undef HULL_CURL_FN_PTR
};

/* The table, loading libcurl the first time (thread-safe; fatal when it cannot be loaded). */
const struct hull_curl_fns *hull_curl(void);

#ifndef HULL_CURL_DL_IMPL
#undef curl_easy_cleanup
#define curl_easy_cleanup (hull_curl()->curl_easy_cleanup)
#undef curl_easy_escape
#define curl_easy_escape (hull_curl()->curl_easy_escape)
#undef curl_easy_getinfo
#define curl_easy_getinfo (hull_curl()->curl_easy_getinfo)
#undef curl_easy_init
#define curl_easy_init (hull_curl()->curl_easy_init)
#undef curl_easy_perform
#define curl_easy_perform (hull_curl()->curl_easy_perform)
#undef curl_easy_reset
#define curl_easy_reset (hull_curl()->curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (hull_curl()->curl_easy_setopt)
#undef curl_easy_strerror
#define curl_easy_strerror (hull_curl()->curl_easy_strerror)
#undef curl_free
#define curl_free (hull_curl()->curl_free)
#undef curl_global_init
#define curl_global_init (hull_curl()->curl_global_init)
#undef curl_multi_add_handle
#define curl_multi_add_handle (hull_curl()->curl_multi_add_handle)
#undef curl_multi_cleanup
#define curl_multi_cleanup (hull_curl()->curl_multi_cleanup)
#undef curl_multi_info_read
#define curl_multi_info_read (hull_curl()->curl_multi_info_read)
#undef curl_multi_init
#define curl_multi_init (hull_curl()->curl_multi_init)
#undef curl_multi_perform
#define curl_multi_perform (hull_curl()->curl_multi_perform)
#undef curl_multi_poll
#define curl_multi_poll (hull_curl()->curl_multi_poll)
#undef curl_multi_remove_handle
#define curl_multi_remove_handle (hull_curl()->curl_multi_remove_handle)
#undef curl_slist_append
#define curl_slist_append (hull_curl()->curl_slist_append)
#undef curl_slist_free_all
#define curl_slist_free_all (hull_curl()->curl_slist_free_all)
#endif
