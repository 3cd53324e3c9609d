/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Errors are values: every fallible function takes a `hull_err *` and returns < 0 (or NULL)
 * after filling it. The message is a chain built from the innermost cause outwards:
 * "create c1: mount /proc: fsmount: Operation not permitted". The CLI prints it once. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

/* Kinds let callers map errors onto documented exit codes without parsing messages. */
enum hull_err_kind {
	HULL_ERR_GENERIC = 0,
	HULL_ERR_INVALID,  /* bad user input: config, flags, references */
	HULL_ERR_NOTFOUND, /* container, image, file does not exist */
	HULL_ERR_EXISTS,   /* duplicate id */
	HULL_ERR_STATE,    /* operation not allowed in the current state */
	HULL_ERR_REJECTED, /* policy or signature rejected the input */
	HULL_ERR_LIMIT,    /* a configured limit was exceeded */
};

typedef struct hull_err {
	int code;  /* errno value, 0 when there is none */
	int kind;  /* enum hull_err_kind */
	char *msg; /* heap-allocated chain, never NULL once set */
} hull_err;

#define HULL_ERR_INIT {0, 0, NULL}

/* Set the error: message from fmt, followed by ": strerror(code)" when code != 0.
 * Always returns -1 so that `return hull_fail(err, errno, "open %s", p);` reads well. */
int hull_fail(hull_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, with an explicit kind. */
int hull_failk(hull_err *err, int kind, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prefix context to an existing error: "fmt: previous". Returns -1. */
int hull_wrap(hull_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int hull_vfail(hull_err *err, int kind, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

bool hull_err_set(const hull_err *err);
void hull_err_clear(hull_err *err);
/* Move src into dst (dst is cleared first). */
void hull_err_move(hull_err *dst, hull_err *src);
