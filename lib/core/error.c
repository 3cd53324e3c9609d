/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Out of memory while building an error must not lose the error itself. */
static char oom_msg[] = "out of memory";

static void set_msg(hull_err *err, char *msg)
{
	if (err->msg && err->msg != oom_msg)
		free(err->msg);
	err->msg = msg ? msg : oom_msg;
}

__attribute__((format(printf, 4, 0))) int hull_vfail(hull_err *err, int kind, int code, const char *fmt,
						     va_list ap)
{
	char *base = NULL, *msg = NULL;

	if (!err)
		return -1;
	if (vasprintf(&base, fmt, ap) < 0)
		base = NULL;
	if (base && code != 0) {
		if (asprintf(&msg, "%s: %s", base, strerror(code)) < 0)
			msg = NULL;
		free(base);
	} else {
		msg = base;
	}
	set_msg(err, msg);
	err->code = code;
	err->kind = kind;
	return -1;
}

int hull_fail(hull_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hull_vfail(err, HULL_ERR_GENERIC, code, fmt, ap);
	va_end(ap);
	return -1;
}

int hull_failk(hull_err *err, int kind, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hull_vfail(err, kind, code, fmt, ap);
	va_end(ap);
	return -1;
}

int hull_wrap(hull_err *err, const char *fmt, ...)
{
	char *ctx = NULL, *msg = NULL;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (!ctx)
		return -1;
	if (asprintf(&msg, "%s: %s", ctx, err->msg ? err->msg : "unknown error") < 0)
		msg = NULL;
	free(ctx);
	if (msg)
		set_msg(err, msg);
	return -1;
}

bool hull_err_set(const hull_err *err)
{
	return err && err->msg;
}

void hull_err_clear(hull_err *err)
{
	if (!err)
		return;
	if (err->msg && err->msg != oom_msg)
		free(err->msg);
	err->msg = NULL;
	err->code = 0;
	err->kind = 0;
}

void hull_err_move(hull_err *dst, hull_err *src)
{
	hull_err_clear(dst);
	*dst = *src;
	src->msg = NULL;
	src->code = 0;
	src->kind = 0;
}
