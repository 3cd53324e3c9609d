/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library never prints. Warnings and debug notes go to a handler the program installs
 * (the CLI writes them to stderr or to the runc-style JSON log). */
#pragma once

enum hull_log_level { HULL_LOG_ERROR, HULL_LOG_WARN, HULL_LOG_INFO, HULL_LOG_DEBUG };

typedef void (*hull_log_fn)(enum hull_log_level level, const char *msg, void *data);

void hull_log_set_handler(hull_log_fn fn, void *data);
void hull_log(enum hull_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define hull_warn(...)  hull_log(HULL_LOG_WARN, __VA_ARGS__)
#define hull_info(...)  hull_log(HULL_LOG_INFO, __VA_ARGS__)
#define hull_debug(...) hull_log(HULL_LOG_DEBUG, __VA_ARGS__)
