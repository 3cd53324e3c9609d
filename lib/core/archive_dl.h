/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libarchive, loaded on first use. Only unpacking, archive import/export and scanning of image
 * layers need it, and loading it (with libxml2, ICU and libstdc++ behind it) at every start of
 * the toolkit cost several ms of every `hull launch`. Code that uses libarchive includes this
 * header instead of <archive.h>: each archive_* call goes through a table filled by dlopen on
 * first use. A libarchive that cannot be loaded is fatal, with the message the dynamic loader
 * would have printed had it been linked (the package is a hard dependency). */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#define HULL_ARCHIVE_FUNCS(X) \
	X(archive_entry_atime) \
	X(archive_entry_atime_is_set) \
	X(archive_entry_atime_nsec) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_gid) \
	X(archive_entry_hardlink) \
	X(archive_entry_mode) \
	X(archive_entry_mtime) \
	X(archive_entry_mtime_nsec) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_pathname_utf8) \
	X(archive_entry_perm) \
	X(archive_entry_rdevmajor) \
	X(archive_entry_rdevminor) \
	X(archive_entry_set_filetype) \
	X(archive_entry_set_mtime) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) \
	X(archive_entry_set_size) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_entry_symlink) \
	X(archive_entry_symlink_utf8) \
	X(archive_entry_uid) \
	X(archive_entry_xattr_next) \
	X(archive_entry_xattr_reset) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_filter_code) \
	X(archive_read_data) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_open_fd) \
	X(archive_read_open_filename) \
	X(archive_read_open_memory) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_read_support_format_zip) \
	X(archive_set_error) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open_fd) \
	X(archive_write_set_format_pax_restricted)

struct hull_archive_fns {
#define HULL_ARCHIVE_FN_PTR(f) __typeof__(f) *f;
	HULL_ARCHIVE_FUNCS(HULL_ARCHIVE_FN_PTR)
#undef HULL_ARCHIVE_FN_PTR
};

/* The table, loading libarchive the first time (thread-safe). */
const struct hull_archive_fns *hull_archive(void);

#ifndef HULL_ARCHIVE_DL_IMPL
#define archive_entry_atime (hull_archive()->archive_entry_atime)
#define archive_entry_atime_is_set (hull_archive()->archive_entry_atime_is_set)
#define archive_entry_atime_nsec (hull_archive()->archive_entry_atime_nsec)
#define archive_entry_filetype (hull_archive()->archive_entry_filetype)
#define archive_entry_free (hull_archive()->archive_entry_free)
#define archive_entry_gid (hull_archive()->archive_entry_gid)
#define archive_entry_hardlink (hull_archive()->archive_entry_hardlink)
#define archive_entry_mode (hull_archive()->archive_entry_mode)
#define archive_entry_mtime (hull_archive()->archive_entry_mtime)
#define archive_entry_mtime_nsec (hull_archive()->archive_entry_mtime_nsec)
#define archive_entry_new (hull_archive()->archive_entry_new)
#define archive_entry_pathname (hull_archive()->archive_entry_pathname)
#define archive_entry_pathname_utf8 (hull_archive()->archive_entry_pathname_utf8)
#define archive_entry_perm (hull_archive()->archive_entry_perm)
#define archive_entry_rdevmajor (hull_archive()->archive_entry_rdevmajor)
#define archive_entry_rdevminor (hull_archive()->archive_entry_rdevminor)
#define archive_entry_set_filetype (hull_archive()->archive_entry_set_filetype)
#define archive_entry_set_mtime (hull_archive()->archive_entry_set_mtime)
#define archive_entry_set_pathname (hull_archive()->archive_entry_set_pathname)
#define archive_entry_set_perm (hull_archive()->archive_entry_set_perm)
#define archive_entry_set_size (hull_archive()->archive_entry_set_size)
#define archive_entry_size (hull_archive()->archive_entry_size)
#define archive_entry_size_is_set (hull_archive()->archive_entry_size_is_set)
#define archive_entry_symlink (hull_archive()->archive_entry_symlink)
#define archive_entry_symlink_utf8 (hull_archive()->archive_entry_symlink_utf8)
#define archive_entry_uid (hull_archive()->archive_entry_uid)
#define archive_entry_xattr_next (hull_archive()->archive_entry_xattr_next)
#define archive_entry_xattr_reset (hull_archive()->archive_entry_xattr_reset)
#define archive_errno (hull_archive()->archive_errno)
#define archive_error_string (hull_archive()->archive_error_string)
#define archive_filter_code (hull_archive()->archive_filter_code)
#define archive_read_data (hull_archive()->archive_read_data)
#define archive_read_data_block (hull_archive()->archive_read_data_block)
#define archive_read_free (hull_archive()->archive_read_free)
#define archive_read_new (hull_archive()->archive_read_new)
#define archive_read_next_header (hull_archive()->archive_read_next_header)
#define archive_read_open (hull_archive()->archive_read_open)
#define archive_read_open_fd (hull_archive()->archive_read_open_fd)
#define archive_read_open_filename (hull_archive()->archive_read_open_filename)
#define archive_read_open_memory (hull_archive()->archive_read_open_memory)
#define archive_read_support_filter_all (hull_archive()->archive_read_support_filter_all)
#define archive_read_support_filter_gzip (hull_archive()->archive_read_support_filter_gzip)
#define archive_read_support_filter_zstd (hull_archive()->archive_read_support_filter_zstd)
#define archive_read_support_format_gnutar (hull_archive()->archive_read_support_format_gnutar)
#define archive_read_support_format_raw (hull_archive()->archive_read_support_format_raw)
#define archive_read_support_format_tar (hull_archive()->archive_read_support_format_tar)
#define archive_read_support_format_zip (hull_archive()->archive_read_support_format_zip)
#define archive_set_error (hull_archive()->archive_set_error)
#define archive_write_close (hull_archive()->archive_write_close)
#define archive_write_data (hull_archive()->archive_write_data)
#define archive_write_free (hull_archive()->archive_write_free)
#define archive_write_header (hull_archive()->archive_write_header)
#define archive_write_new (hull_archive()->archive_write_new)
#define archive_write_open_fd (hull_archive()->archive_write_open_fd)
#define archive_write_set_format_pax_restricted (hull_archive()->archive_write_set_format_pax_restricted)
#endif
