/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static hull_log_fn handler;
static void *handler_data;

void hull_log_set_handler(hull_log_fn fn, void *data)
{
	handler = fn;
	handler_data = data;
}

void hull_log(enum hull_log_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	if (!handler)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	handler(level, buf, handler_data);
}
