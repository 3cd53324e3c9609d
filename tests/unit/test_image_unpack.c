/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The extractor and the streaming layer pass: every escape class fails with an error naming the
 * entry and leaves the directory next to the layer untouched; whiteouts become overlayfs
 * whiteouts; digests, sizes, DiffIDs and limits are enforced. Needs root (chown, mknod). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/util.h"
#include "image/digest.h"
#include "image/tree.h"
#include "image/unpack.h"
#include "t.h"

/* ---- tar builder ---- */

struct tb {
	struct archive *a;
	char *buf;
	size_t cap, used;
};

static void tb_init(struct tb *t, bool gzip)
{
	t->cap = 64 << 20;
	t->buf = malloc(t->cap);
	t->used = 0;
	t->a = archive_write_new();
	archive_write_set_format_pax(t->a);
	if (gzip)
		archive_write_add_filter_gzip(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	T_ASSERT(archive_write_open_memory(t->a, t->buf, t->cap, &t->used) == ARCHIVE_OK);
}

static void tb_entry(struct tb *t, const char *name, mode_t type, mode_t perm, const char *data,
		     size_t len, const char *link, bool hard, const char *xname, const char *xval)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, 1234);
	archive_entry_set_gid(e, 5678);
	archive_entry_set_mtime(e, 1000000000, 0);
	if (link && hard)
		archive_entry_set_hardlink(e, link);
	else if (link)
		archive_entry_set_symlink(e, link);
	if (type == AE_IFCHR || type == AE_IFBLK) {
		archive_entry_set_rdevmajor(e, (dev_t)len >> 8);
		archive_entry_set_rdevminor(e, (dev_t)len & 0xff);
		len = 0;
	}
	if (xname)
		archive_entry_xattr_add_entry(e, xname, xval, strlen(xval));
	archive_entry_set_size(e, type == AE_IFREG && !hard ? (la_int64_t)len : 0);
	T_ASSERT(archive_write_header(t->a, e) == ARCHIVE_OK);
	if (data && len && type == AE_IFREG)
		T_ASSERT(archive_write_data(t->a, data, len) == (la_ssize_t)len);
	archive_entry_free(e);
}

static void tb_file(struct tb *t, const char *name, const char *data, mode_t perm)
{
	tb_entry(t, name, AE_IFREG, perm, data, strlen(data), NULL, false, NULL, NULL);
}
static void tb_dir(struct tb *t, const char *name)
{
	tb_entry(t, name, AE_IFDIR, 0755, NULL, 0, NULL, false, NULL, NULL);
}
static void tb_sym(struct tb *t, const char *name, const char *target)
{
	tb_entry(t, name, AE_IFLNK, 0777, NULL, 0, target, false, NULL, NULL);
}
static void tb_hard(struct tb *t, const char *name, const char *target)
{
	tb_entry(t, name, AE_IFREG, 0644, NULL, 0, target, true, NULL, NULL);
}

static void tb_done(struct tb *t)
{
	T_ASSERT(archive_write_close(t->a) == ARCHIVE_OK);
	archive_write_free(t->a);
}

/* ---- sandbox: base/outside/secret and base/layer ---- */

static char base[64];
static int layerfd = -1;

static void cleanup(void)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "rm -rf %s", base);
	if (base[0] && system(p) != 0)
		fprintf(stderr, "cleanup of %s failed\n", base);
}

static void sandbox(void)
{
	char p[PATH_MAX];
	if (layerfd < 0)
		atexit(cleanup);
	if (layerfd >= 0) {
		close(layerfd);
		snprintf(p, sizeof p, "rm -rf %s", base);
		T_ASSERT(system(p) == 0);
	}
	snprintf(base, sizeof base, "/tmp/hull-unpack-XXXXXX");
	T_ASSERT(mkdtemp(base));
	snprintf(p, sizeof p, "%s/outside", base);
	T_ASSERT(mkdir(p, 0755) == 0);
	snprintf(p, sizeof p, "%s/outside/secret", base);
	T_ASSERT(close(open(p, O_CREAT | O_WRONLY, 0600)) == 0);
	snprintf(p, sizeof p, "%s/layer", base);
	T_ASSERT(mkdir(p, 0755) == 0);
	layerfd = open(p, O_RDONLY | O_DIRECTORY);
	T_ASSERT(layerfd >= 0);
}

/* Nothing next to the layer changed: outside/ holds exactly the untouched secret. */
static void outside_intact(void)
{
	char p[PATH_MAX], cmd[PATH_MAX + 64];
	struct stat st;
	snprintf(p, sizeof p, "%s/outside/secret", base);
	T_ASSERT(lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 1);
	snprintf(cmd, sizeof cmd,
		 "test $(ls -A %s | wc -l) = 2 && test $(ls -A %s/outside | wc -l) = 1", base,
		 base);
	T_ASSERT(system(cmd) == 0);
}

static int extract(struct tb *t, const struct hull_unpack_opts *o, struct hull_unpack_report *r,
		   hull_err *e)
{
	struct archive *a = archive_read_new();
	int rc;
	archive_read_support_format_tar(a);
	T_ASSERT(archive_read_open_memory(a, t->buf, t->used) == ARCHIVE_OK);
	hull_unpack_report_free(r); /* the previous extraction's, if any */
	rc = hull_unpack_entries(a, layerfd, o, r, e);
	archive_read_free(a);
	return rc;
}

static bool skip_unless_root(void)
{
	if (geteuid() != 0) {
		printf("# skipped: needs root\n");
		return true;
	}
	return false;
}

/* One malicious archive: fails, names the entry, leaves outside/ alone. */
static void refused(void (*build)(struct tb *), const char *entry, const char *why)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	sandbox();
	hull_unpack_opts_default(&o);
	tb_init(&t, false);
	build(&t);
	tb_done(&t);
	if (extract(&t, &o, &r, &e) == 0)
		T_FAIL("extracted an archive that should fail (%s)", why);
	if (entry)
		T_CONTAINS(e.msg, entry);
	T_CONTAINS(e.msg, why);
	outside_intact();
	hull_err_clear(&e);
	hull_unpack_report_free(&r);
	free(t.buf);
}

static void b_dotdot(struct tb *t)
{
	tb_file(t, "../outside/secret", "pwned", 0644);
}
static void b_dotdot_inner(struct tb *t)
{
	tb_dir(t, "a");
	tb_file(t, "a/../../outside/x", "pwned", 0644);
}
static void b_absolute(struct tb *t)
{
	tb_file(t, "/etc/passwd", "pwned", 0644);
}
static void b_symlink_write(struct tb *t)
{
	tb_sym(t, "pwn", "../outside");
	tb_file(t, "pwn/secret", "pwned", 0644);
}
static void b_symlink_abs_write(struct tb *t)
{
	char target[PATH_MAX];
	snprintf(target, sizeof target, "%s/outside", base);
	tb_sym(t, "pwn", target);
	tb_file(t, "pwn/new", "pwned", 0644);
}
static void b_symlink_chain(struct tb *t)
{
	tb_sym(t, "a", "b");
	tb_sym(t, "b", "c");
	tb_sym(t, "c", "../outside");
	tb_file(t, "a/x", "pwned", 0644);
}
static void b_hardlink_out(struct tb *t)
{
	tb_hard(t, "h", "../outside/secret");
}
static void b_hardlink_via_symlink(struct tb *t)
{
	tb_sym(t, "s", "../outside");
	tb_hard(t, "h", "s/secret");
}
static void b_hardlink_abs(struct tb *t)
{
	char target[PATH_MAX];
	snprintf(target, sizeof target, "%s/outside/secret", base);
	tb_hard(t, "h", target);
}
static void b_root_symlink(struct tb *t)
{
	tb_sym(t, ".", "../outside");
	tb_file(t, "x", "pwned", 0644);
}
static void b_root_symlink2(struct tb *t)
{
	tb_sym(t, "./", "/");
}
static void b_wh_dotdot(struct tb *t)
{
	tb_file(t, ".wh..", "", 0644);
}
static void b_wh_dot(struct tb *t)
{
	tb_file(t, "d/.wh..", "", 0644);
}
static void b_wh_empty(struct tb *t)
{
	tb_file(t, ".wh.", "", 0644);
}
static void b_wh_reserved(struct tb *t)
{
	tb_file(t, ".wh..wh.plnk", "", 0644);
}
static void b_wh_through_symlink(struct tb *t)
{
	tb_sym(t, "s", "../outside");
	tb_file(t, "s/.wh.secret", "", 0644);
}
static void b_opaque_through_symlink(struct tb *t)
{
	tb_sym(t, "s", "../outside");
	tb_file(t, "s/.wh..wh..opq", "", 0644);
}
static void b_device(struct tb *t)
{
	tb_entry(t, "dev/sda", AE_IFBLK, 0600, NULL, (8 << 8) | 0, NULL, false, NULL, NULL);
}
static void b_fake_whiteout(struct tb *t)
{
	tb_entry(t, "hide", AE_IFCHR, 0600, NULL, 0, NULL, false, NULL, NULL);
}
static void b_file_as_parent(struct tb *t)
{
	tb_file(t, "f", "x", 0644);
	tb_file(t, "f/child", "y", 0644);
}
static void b_hardlink_self(struct tb *t)
{
	tb_hard(t, "h", "h");
}
static void b_hardlink_dir(struct tb *t)
{
	tb_dir(t, "d");
	tb_hard(t, "h", "d");
}
static void b_hardlink_missing(struct tb *t)
{
	tb_hard(t, "h", "nothere");
}

TEST(escapes_refused)
{
	if (skip_unless_root())
		return;
	refused(b_dotdot, "../outside/secret", "\"..\" component refused");
	refused(b_dotdot_inner, "a/../../outside/x", "\"..\"");
	refused(b_absolute, "/etc/passwd", "absolute path refused");
	refused(b_symlink_write, "pwn/secret", "is a symlink: refusing to write through it");
	refused(b_symlink_abs_write, "pwn/new", "symlink");
	refused(b_symlink_chain, "a/x", "is a symlink");
	refused(b_hardlink_out, "h", "\"..\"");
	refused(b_hardlink_via_symlink, "h", "is a symlink");
	refused(b_hardlink_abs, "h", "absolute path refused");
	refused(b_root_symlink, ".", "layer root");
	refused(b_root_symlink2, "./", "layer root");
	refused(b_wh_dotdot, ".wh..", "invalid name");
	refused(b_wh_dot, "d/.wh..", "invalid name");
	refused(b_wh_empty, ".wh.", "invalid name");
	refused(b_wh_reserved, ".wh..wh.plnk", "reserved whiteout");
	refused(b_wh_through_symlink, "s/.wh.secret", "symlink");
	refused(b_opaque_through_symlink, "s/.wh..wh..opq", "symlink");
	refused(b_device, "dev/sda", "device node 8:0 refused");
	refused(b_fake_whiteout, "hide", "overlay whiteout");
	refused(b_file_as_parent, "f/child", "not a directory");
	refused(b_hardlink_self, "h", "itself");
	refused(b_hardlink_dir, "h", "directory refused");
	refused(b_hardlink_missing, "h", "not in this layer");
}

static void layer_stat(const char *rel, struct stat *st)
{
	if (fstatat(layerfd, rel, st, AT_SYMLINK_NOFOLLOW) < 0)
		T_FAIL("%s missing: %s", rel, strerror(errno));
}

TEST(regular_layer)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	struct stat st, st2;
	char buf[64];
	ssize_t n;
	if (skip_unless_root())
		return;
	sandbox();
	hull_unpack_opts_default(&o);
	tb_init(&t, false);
	tb_dir(&t, "./");
	tb_dir(&t, "etc");
	tb_file(&t, "./etc/hostname", "box\n", 0644);
	tb_file(&t, "usr/bin/su", "elf", 04755); /* implicit parents */
	tb_sym(&t, "bin", "usr/bin");
	tb_hard(&t, "etc/hn2", "etc/hostname");
	tb_entry(&t, "run/fifo", AE_IFIFO, 0600, NULL, 0, NULL, false, NULL, NULL);
	tb_entry(&t, "x/cap", AE_IFREG, 0755, "c", 1, NULL, false, "security.selinux", "system_u");
	tb_entry(&t, "x/user", AE_IFREG, 0644, "u", 1, NULL, false, "user.note", "kept");
	tb_entry(&t, "x/ovl", AE_IFREG, 0644, "o", 1, NULL, false, "trusted.overlay.redirect",
		 "/etc");
	tb_entry(&t, "x/uovl", AE_IFREG, 0644, "o", 1, NULL, false, "user.overlay.opaque", "y");
	tb_file(&t, "dup", "first", 0644);
	tb_file(&t, "dup", "second", 0600);
	tb_dir(&t, "becomes");
	tb_file(&t, "becomes/inner", "i", 0644);
	tb_file(&t, "becomes", "now a file", 0644);
	tb_done(&t);
	if (extract(&t, &o, &r, &e) < 0)
		T_FAIL("%s", e.msg);
	layer_stat("etc/hostname", &st);
	T_ASSERT(S_ISREG(st.st_mode) && st.st_uid == 1234 && st.st_gid == 5678);
	T_EQ_INT(st.st_mode & 07777, 0644);
	T_EQ_INT(st.st_mtim.tv_sec, 1000000000);
	layer_stat("etc/hn2", &st2);
	T_ASSERT(st2.st_ino == st.st_ino && st.st_nlink == 2);
	layer_stat("usr/bin/su", &st);
	T_EQ_INT(st.st_mode & 07777, 04755); /* kept, and reported */
	T_EQ_INT(r.n_setid, 1);
	T_EQ_STR(r.setid[0], "usr/bin/su");
	layer_stat("usr", &st);
	T_ASSERT(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755 && st.st_uid == 0);
	layer_stat("bin", &st);
	T_ASSERT(S_ISLNK(st.st_mode));
	n = readlinkat(layerfd, "bin", buf, sizeof buf);
	T_ASSERT(n == 7 && !memcmp(buf, "usr/bin", 7));
	layer_stat("run/fifo", &st);
	T_ASSERT(S_ISFIFO(st.st_mode));
	layer_stat("etc", &st);
	T_EQ_INT(st.st_mtim.tv_sec, 1000000000); /* restored after its children were created */
	{
		int fd = openat(layerfd, "x/user", O_RDONLY);
		T_ASSERT(fgetxattr(fd, "user.note", buf, sizeof buf) == 4);
		close(fd);
		fd = openat(layerfd, "x/ovl", O_RDONLY);
		T_ASSERT(fgetxattr(fd, "trusted.overlay.redirect", buf, sizeof buf) < 0);
		close(fd);
		fd = openat(layerfd, "x/uovl", O_RDONLY);
		T_ASSERT(fgetxattr(fd, "user.overlay.opaque", buf, sizeof buf) < 0);
		close(fd);
	}
	T_ASSERT(r.xattrs_dropped >= 3); /* pax carries each as SCHILY and LIBARCHIVE */
	{
		int fd = openat(layerfd, "dup", O_RDONLY);
		T_ASSERT(read(fd, buf, sizeof buf) == 6 && !memcmp(buf, "second", 6));
		close(fd);
	}
	layer_stat("becomes", &st);
	T_ASSERT(S_ISREG(st.st_mode));
	T_EQ_INT(r.entries, 16);
	outside_intact();
	hull_unpack_report_free(&r);
	free(t.buf);
}

TEST(whiteouts)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	struct stat st;
	char v[8];
	if (skip_unless_root())
		return;
	sandbox();
	hull_unpack_opts_default(&o);
	tb_init(&t, false);
	tb_file(&t, "etc/.wh.motd", "", 0644);	   /* deletes a lower file */
	tb_file(&t, "opq/.wh..wh..opq", "", 0644); /* hides lower children */
	tb_file(&t, "opq/mine", "m", 0644);	   /* but not this layer's */
	tb_file(&t, ".wh.redo", "", 0644);
	tb_dir(&t, "redo"); /* a directory re-created over a whiteout is opaque */
	tb_file(&t, ".wh.keep", "", 0644);
	tb_file(&t, "keep", "k", 0644); /* same-layer file replaces the whiteout */
	tb_file(&t, "both", "b", 0644);
	tb_file(&t, ".wh.both", "", 0644); /* applies to lower layers only */
	tb_file(&t, ".wh.gone", "", 0644);
	tb_file(&t, "gone/child", "c", 0644); /* implicit parent replaces a whiteout: opaque */
	tb_done(&t);
	if (extract(&t, &o, &r, &e) < 0)
		T_FAIL("%s", e.msg);
	layer_stat("etc/motd", &st);
	T_ASSERT(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
	T_ASSERT(faccessat(layerfd, "etc/.wh.motd", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	{
		int fd = openat(layerfd, "opq", O_RDONLY | O_DIRECTORY);
		T_ASSERT(fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y');
		close(fd);
		fd = openat(layerfd, "redo", O_RDONLY | O_DIRECTORY);
		T_ASSERT(fd >= 0 && fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) == 1);
		close(fd);
		fd = openat(layerfd, "gone", O_RDONLY | O_DIRECTORY);
		T_ASSERT(fd >= 0 && fgetxattr(fd, "trusted.overlay.opaque", v, sizeof v) == 1);
		close(fd);
	}
	layer_stat("opq/mine", &st);
	layer_stat("keep", &st);
	T_ASSERT(S_ISREG(st.st_mode));
	layer_stat("both", &st);
	T_ASSERT(S_ISREG(st.st_mode));
	outside_intact();
	hull_unpack_report_free(&r);
	free(t.buf);
}

TEST(device_policy)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	struct stat st;
	if (skip_unless_root())
		return;
	sandbox();
	hull_unpack_opts_default(&o);
	o.devices = HULL_DEVICES_SKIP;
	tb_init(&t, false);
	tb_entry(&t, "dev/null", AE_IFCHR, 0666, NULL, (1 << 8) | 3, NULL, false, NULL, NULL);
	tb_file(&t, "ok", "x", 0644);
	tb_done(&t);
	T_ASSERT(extract(&t, &o, &r, &e) == 0);
	T_EQ_INT(r.devices_skipped, 1);
	T_ASSERT(faccessat(layerfd, "dev/null", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	sandbox();
	o.devices = HULL_DEVICES_ALLOW;
	T_ASSERT(extract(&t, &o, &r, &e) == 0);
	layer_stat("dev/null", &st);
	T_ASSERT(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
	hull_unpack_report_free(&r);
	free(t.buf);
}

TEST(limits)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	char name[32];
	if (skip_unless_root())
		return;
	sandbox();
	hull_unpack_opts_default(&o);
	o.lim.max_entries = 3;
	tb_init(&t, false);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "f%d", i);
		tb_file(&t, name, "x", 0644);
	}
	tb_done(&t);
	T_ASSERT(extract(&t, &o, &r, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_LIMIT);
	T_CONTAINS(e.msg, "more than 3 entries");
	hull_err_clear(&e);
	free(t.buf);

	sandbox();
	hull_unpack_opts_default(&o);
	o.lim.max_file_size = 10;
	tb_init(&t, false);
	tb_file(&t, "big", "0123456789abcdef", 0644);
	tb_done(&t);
	T_ASSERT(extract(&t, &o, &r, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_LIMIT);
	T_CONTAINS(e.msg, "entry \"big\"");
	hull_err_clear(&e);
	hull_unpack_report_free(&r);
	free(t.buf);
}

/* ---- the streaming pass ---- */

struct mem_src {
	const char *data;
	size_t len, pos, chunk;
};

static ssize_t mem_read(void *ctx, const void **buf, hull_err *err)
{
	struct mem_src *m = ctx;
	size_t n = m->len - m->pos < m->chunk ? m->len - m->pos : m->chunk;
	(void)err;
	*buf = m->data + m->pos;
	m->pos += n;
	return (ssize_t)n;
}

static void digest_of(const void *d, size_t n, char out[HULL_DIGEST_MAX])
{
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_digest_buf(HULL_SHA256, d, n, out, &e) == 0);
}

static int run_stream(struct tb *compressed, const char *blob_digest, int64_t size,
		      const char *diff_id, const struct hull_unpack_opts *o,
		      struct hull_layer_stream *ls, hull_err *e)
{
	struct mem_src ms = {compressed->buf, compressed->used, 0, 7000};
	hull_unpack_report_free(&ls->report); /* the previous run's, if any */
	memset(ls, 0, sizeof *ls);
	ls->src.read = mem_read;
	ls->src.ctx = &ms;
	ls->blob_digest = blob_digest;
	ls->blob_size = size;
	ls->blob_fd = -1;
	ls->diff_id = diff_id;
	sandbox();
	return hull_layer_unpack(ls, layerfd, o, e);
}

TEST(stream_verifies)
{
	struct tb raw, gz;
	struct hull_unpack_opts o;
	struct hull_layer_stream ls = {0};
	hull_err e = HULL_ERR_INIT;
	char blob[HULL_DIGEST_MAX], diff[HULL_DIGEST_MAX];
	static char payload[300000];
	if (skip_unless_root())
		return;
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (char)(i * 7 % 251);
	hull_unpack_opts_default(&o);
	tb_init(&raw, false);
	tb_entry(&raw, "data", AE_IFREG, 0644, payload, sizeof payload, NULL, false, NULL, NULL);
	tb_done(&raw);
	tb_init(&gz, true);
	tb_entry(&gz, "data", AE_IFREG, 0644, payload, sizeof payload, NULL, false, NULL, NULL);
	tb_done(&gz);
	digest_of(gz.buf, gz.used, blob);
	digest_of(raw.buf, raw.used, diff);

	T_ASSERT(run_stream(&gz, blob, (int64_t)gz.used, diff, &o, &ls, &e) == 0);
	T_EQ_STR(ls.diff_id_out, diff);
	T_EQ_INT(ls.report.stream_bytes, raw.used);
	hull_unpack_report_free(&ls.report);

	/* Uncompressed: the DiffID is the blob digest (hashed once). */
	T_ASSERT(run_stream(&raw, diff, (int64_t)raw.used, diff, &o, &ls, &e) == 0);
	T_EQ_STR(ls.diff_id_out, diff);

	/* Wrong blob digest, size, DiffID. */
	T_ASSERT(run_stream(&gz, diff, (int64_t)gz.used, diff, &o, &ls, &e) < 0);
	T_CONTAINS(e.msg, "digest mismatch");
	hull_err_clear(&e);
	T_ASSERT(run_stream(&gz, blob, (int64_t)gz.used - 1, diff, &o, &ls, &e) < 0);
	T_CONTAINS(e.msg, "more data than");
	hull_err_clear(&e);
	T_ASSERT(run_stream(&gz, blob, (int64_t)gz.used + 1, diff, &o, &ls, &e) < 0);
	T_CONTAINS(e.msg, "size mismatch");
	hull_err_clear(&e);
	T_ASSERT(run_stream(&gz, blob, (int64_t)gz.used, blob, &o, &ls, &e) < 0);
	T_CONTAINS(e.msg, "DiffID mismatch");
	hull_err_clear(&e);
	hull_unpack_report_free(&ls.report);

	/* Truncated gzip. */
	gz.used -= 100;
	T_ASSERT(run_stream(&gz, NULL, -1, NULL, &o, &ls, &e) < 0);
	hull_err_clear(&e);
	free(raw.buf);
	free(gz.buf);
}

TEST(stream_stops_bombs)
{
	struct tb gz;
	struct hull_unpack_opts o;
	struct hull_layer_stream ls = {0};
	hull_err e = HULL_ERR_INIT;
	char *zeros = calloc(1, 50 << 20);
	if (skip_unless_root()) {
		free(zeros);
		return;
	}
	hull_unpack_opts_default(&o);
	o.lim.max_stream_bytes = 4 << 20;
	tb_init(&gz, true);
	tb_entry(&gz, "zeros", AE_IFREG, 0644, zeros, 50 << 20, NULL, false, NULL, NULL);
	tb_done(&gz);
	T_ASSERT(gz.used < (1 << 20)); /* a small blob ... */
	T_ASSERT(run_stream(&gz, NULL, -1, NULL, &o, &ls, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_LIMIT); /* ... stopped long before 50 MB */
	T_CONTAINS(e.msg, "decompression bomb");
	T_ASSERT(ls.report.stream_bytes <= (4u << 20) + (256u << 10));
	hull_unpack_report_free(&ls.report);
	hull_err_clear(&e);
	free(gz.buf);
	free(zeros);
}

TEST(not_a_tar)
{
	struct tb t = {.buf =
			   (char *)"this is not a tar archive, just text that goes on and on.....",
		       .used = 60};
	struct hull_unpack_opts o;
	struct hull_layer_stream ls = {0};
	hull_err e = HULL_ERR_INIT;
	hull_unpack_opts_default(&o);
	T_ASSERT(run_stream(&t, NULL, -1, NULL, &o, &ls, &e) < 0);
	T_CONTAINS(e.msg, "tar");
	hull_unpack_report_free(&ls.report);
	hull_err_clear(&e);
}

/* Content digests computed while unpacking (digest_files) are what sealing would read back:
 * the record is the same with and without them; a file written out of order (sparse) or
 * replaced by a later entry is not mistaken for its predecessor. */
TEST(digests_while_unpacking)
{
	struct tb t;
	struct hull_unpack_opts o;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	char *with = NULL, *without = NULL, want[HULL_DIGEST_MAX];
	size_t wl, nl;
	struct stat st;
	struct archive_entry *se;
	static const char big[] = "not empty";
	const char *diff =
	    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	sandbox();
	hull_unpack_opts_default(&o);
	T_ASSERT(o.digest_files);
	tb_init(&t, false);
	tb_dir(&t, "d");
	tb_file(&t, "d/a", "alpha\n", 0644);
	tb_hard(&t, "d/a2", "d/a");
	tb_file(&t, "d/empty", "", 0644);
	tb_file(&t, "d/twice", "first\n", 0644);
	tb_file(&t, "d/twice", "second\n", 0600);
	/* a sparse file: 4 bytes at 64 KiB in a 128 KiB file */
	se = archive_entry_new();
	archive_entry_set_pathname(se, "d/sparse");
	archive_entry_set_filetype(se, AE_IFREG);
	archive_entry_set_perm(se, 0644);
	archive_entry_set_size(se, 128 << 10);
	archive_entry_sparse_add_entry(se, 64 << 10, 4);
	T_ASSERT(archive_write_header(t.a, se) == ARCHIVE_OK);
	T_ASSERT(archive_write_data(t.a, "abcd", 4) == 4);
	archive_entry_free(se);
	tb_file(&t, "d/big", big, 0644);
	tb_done(&t);
	T_ASSERT(extract(&t, &o, &r, &e) == 0);
	T_ASSERT(r.digests != NULL);
	T_ASSERT(fstatat(layerfd, "d/a", &st, 0) == 0);
	T_ASSERT(hull_digest_buf(HULL_SHA256, "alpha\n", 6, want, &e) == 0);
	T_EQ_STR(hull_file_digests_get(r.digests, st.st_ino), hull_digest_hex(want));
	T_ASSERT(fstatat(layerfd, "d/twice", &st, 0) == 0);
	T_ASSERT(hull_digest_buf(HULL_SHA256, "second\n", 7, want, &e) == 0);
	T_EQ_STR(hull_file_digests_get(r.digests, st.st_ino), hull_digest_hex(want));
	/* written out of order: not known, sealing reads it */
	T_ASSERT(fstatat(layerfd, "d/sparse", &st, 0) == 0);
	T_EQ_INT(st.st_size, 128 << 10);
	T_ASSERT(hull_file_digests_get(r.digests, st.st_ino) == NULL);
	T_ASSERT(hull_tree_seal(layerfd, diff, r.digests, &with, &wl, NULL, &e) == 0);
	T_ASSERT(hull_tree_seal(layerfd, diff, NULL, &without, &nl, NULL, &e) == 0);
	T_EQ_INT(wl, nl);
	T_EQ_STR(with, without);
	free(with);
	free(without);
	hull_unpack_report_free(&r);
	T_ASSERT(r.digests == NULL);
	free(t.buf);
}
