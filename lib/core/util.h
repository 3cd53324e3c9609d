/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

/* Growable byte buffer, always NUL-terminated when data != NULL. */
typedef struct hull_buf {
	char *data;
	size_t len;
	size_t cap;
} hull_buf;

int hull_buf_reserve(hull_buf *b, size_t extra);
int hull_buf_append(hull_buf *b, const void *data, size_t len);
int hull_buf_puts(hull_buf *b, const char *s);
int hull_buf_printf(hull_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hull_buf_free(hull_buf *b);
/* Give the buffer's memory to the caller (NUL-terminated, never NULL unless OOM). */
char *hull_buf_steal(hull_buf *b);

char *hull_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool hull_str_has_prefix(const char *s, const char *prefix);
bool hull_str_has_suffix(const char *s, const char *suffix);

size_t hull_strv_len(char *const *v);
void hull_strv_free(char **v);
/* Append a copy of s to a NULL-terminated vector; returns -1 on OOM. */
int hull_strv_push(char ***v, const char *s);

/* Whole-fd IO that retries on EINTR and short transfers; return -errno on failure. */
ssize_t hull_write_all(int fd, const void *buf, size_t len);
ssize_t hull_read_all(int fd, void *buf, size_t len);

/* Read at most max bytes of fd into a NUL-terminated heap buffer. Larger input fails with
 * EFBIG so that a hostile file cannot exhaust memory. */
int hull_read_fd(int fd, size_t max, char **out, size_t *out_len, hull_err *err);
/* Read a file relative to dirfd; the caller decides how the path is trusted (flags). */
int hull_read_file_at(int dirfd, const char *path, int oflags, size_t max, char **out,
		      size_t *out_len, hull_err *err);
int hull_write_file_at(int dirfd, const char *path, int oflags, mode_t mode, const void *data,
		       size_t len, hull_err *err);
/* Write to a temporary file in dirfd and rename it over name: readers see all or nothing. */
int hull_write_file_atomic(int dirfd, const char *name, mode_t mode, const void *data, size_t len,
			   hull_err *err);

int hull_parse_u64(const char *s, uint64_t *out);
int hull_parse_i64(const char *s, int64_t *out);

/* Close every fd >= first except those in keep[] (sorted not required). */
int hull_close_fds_from(int first);

/* Monotonic nanoseconds, for timeouts. */
uint64_t hull_now_ns(void);
/* RFC 3339 UTC timestamp with nanoseconds, e.g. for state.json "created". */
int hull_rfc3339_now(char *out, size_t size);

/* Recursively remove name under dirfd without following symlinks, staying on one fs. */
int hull_rm_rf_at(int dirfd, const char *name, hull_err *err);
