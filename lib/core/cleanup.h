/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scope-bound cleanup (systemd/crun style) so early returns never leak. */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/error.h"

static inline void hull_freep(void *p)
{
	free(*(void **)p);
}
static inline void hull_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void hull_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void hull_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void hull_strv_freep(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}
static inline void hull_err_clearp(hull_err *e)
{
	hull_err_clear(e);
}

#define _cleanup_free_     __attribute__((cleanup(hull_freep)))
#define _cleanup_close_    __attribute__((cleanup(hull_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(hull_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(hull_closedirp)))
#define _cleanup_strv_     __attribute__((cleanup(hull_strv_freep)))
#define _cleanup_err_      __attribute__((cleanup(hull_err_clearp)))

/* Hand ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _tp = (p);                                                           \
		(p) = NULL;                                                                        \
		_tp;                                                                               \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _tf = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_tf;                                                                               \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
