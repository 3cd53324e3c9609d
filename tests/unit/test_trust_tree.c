/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Layer integrity records (image/tree.h): seal a directory, then every kind of change is
 * found and named, and an untouched tree passes without re-reading any file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "image/tree.h"
#include "t.h"

#define DIFF "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char root[] = "/tmp/hull-tree-XXXXXX";

static void put(const char *rel, const char *data, mode_t mode)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof p, "%s/%s", root, rel);
	f = fopen(p, "w");
	T_ASSERT(f);
	fputs(data, f);
	fclose(f);
	chmod(p, mode);
}

static void make_tree(void)
{
	char p[512];
	hull_err e = HULL_ERR_INIT;
	if (root[sizeof root - 2] != 'X')
		hull_rm_rf_at(AT_FDCWD, root, &e);
	hull_err_clear(&e);
	strcpy(root, "/tmp/hull-tree-XXXXXX");
	T_ASSERT(mkdtemp(root));
	snprintf(p, sizeof p, "%s/bin", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc", root);
	mkdir(p, 0755);
	put("bin/busybox", "#!/bin/true\n", 0755);
	put("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
	put("etc/with space\tand\\slash", "odd name\n", 0600);
	snprintf(p, sizeof p, "%s/bin/sh", root);
	T_ASSERT(symlink("busybox", p) == 0);
	snprintf(p, sizeof p, "%s/bin/ls", root);
	T_ASSERT(symlink("busybox", p) == 0);
}

static int seal_and_check(char **rec, size_t *len, struct hull_tree_stats *st)
{
	hull_err e = HULL_ERR_INIT;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = hull_tree_seal(fd, DIFF, NULL, rec, len, st, &e);
	if (rc < 0)
		fprintf(stderr, "seal: %s\n", e.msg);
	hull_err_clear(&e);
	close(fd);
	return rc;
}

static int check(const char *rec, size_t len, struct hull_tree_stats *st, hull_err *e)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = hull_tree_check(fd, DIFF, rec, len, st, e);
	close(fd);
	return rc;
}

static void expect_reject(const char *rec, size_t len, const char *what)
{
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(check(rec, len, NULL, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_REJECTED);
	T_CONTAINS(e.msg, what);
	hull_err_clear(&e);
}

TEST(untouched_tree_passes_without_rehash)
{
	char *rec;
	size_t len;
	struct hull_tree_stats st, st2;
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX], t[HULL_DIGEST_MAX];
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, &st) == 0);
	T_EQ_INT(st.entries, 8);
	T_ASSERT(hull_tree_header(rec, len, d, t, &e) == 0);
	T_EQ_STR(d, DIFF);
	T_EQ_STR(t, st.tree_digest);
	T_ASSERT(check(rec, len, &st2, &e) == 0);
	T_EQ_INT(st2.entries, 8);
	T_EQ_INT(st2.rehashed, 1); /* the root only: it has no stamp */
	T_EQ_STR(st2.tree_digest, st.tree_digest);
	free(rec);
}

TEST(every_change_is_found)
{
	char *rec, p[512];
	size_t len;
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	/* content, same size, mtime put back as it was: only the bytes differ */
	{
		struct stat sb;
		struct timespec ts[2];
		snprintf(p, sizeof p, "%s/etc/passwd", root);
		T_ASSERT(stat(p, &sb) == 0);
		put("etc/passwd", "ROOT:x:0:0::/root:/bin/sh\n", 0644);
		ts[0] = sb.st_atim;
		ts[1] = sb.st_mtim;
		T_ASSERT(utimensat(AT_FDCWD, p, ts, 0) == 0);
		expect_reject(rec, len, "etc/passwd: content changed");
		free(rec);
	}
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	put("etc/passwd", "ROOT:x:0:0::/root:/bin/sh\n", 0644);
	expect_reject(rec, len, "etc/passwd: metadata changed");
	free(rec);

	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	snprintf(p, sizeof p, "%s/bin/busybox", root);
	chmod(p, 04755);
	expect_reject(rec, len, "bin/busybox: metadata changed");
	free(rec);

	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	put("bin/evil", "x", 0755);
	expect_reject(rec, len, "bin/evil: not in the layer as unpacked");
	free(rec);

	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	snprintf(p, sizeof p, "%s/bin/ls", root);
	unlink(p);
	expect_reject(rec, len, "bin/ls: removed");
	free(rec);

	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	snprintf(p, sizeof p, "%s/bin/sh", root);
	unlink(p);
	T_ASSERT(symlink("/tmp/evil", p) == 0);
	expect_reject(rec, len, "bin/sh");
	free(rec);

	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	snprintf(p, sizeof p, "%s/etc", root);
	if (setxattr(p, "user.hull-test", "1", 1, 0) == 0)
		expect_reject(rec, len, "etc: extended attributes changed");
	free(rec);

	/* the last entry removed: found after the walk */
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	snprintf(p, sizeof p, "%s/etc/with space\tand\\slash", root);
	T_ASSERT(unlink(p) == 0);
	expect_reject(rec, len, "removed");
	free(rec);
}

TEST(rewritten_identical_content_passes)
{
	char *rec;
	size_t len;
	struct hull_tree_stats st;
	hull_err e = HULL_ERR_INIT;
	struct timespec ts[2];
	char p[512];
	struct stat sb;
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	/* same bytes, same mtime: ctime moved, so the file is hashed again and matches */
	snprintf(p, sizeof p, "%s/etc/passwd", root);
	T_ASSERT(stat(p, &sb) == 0);
	put("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	T_ASSERT(utimensat(AT_FDCWD, p, ts, 0) == 0);
	T_ASSERT(check(rec, len, &st, &e) == 0);
	T_EQ_INT(st.rehashed, 2);
	free(rec);
}

TEST(edited_record_is_refused)
{
	char *rec, *at;
	size_t len;
	hull_err e = HULL_ERR_INIT;
	make_tree();
	T_ASSERT(seal_and_check(&rec, &len, NULL) == 0);
	/* change a content hash in the record: its own tree digest no longer matches */
	at = strstr(rec, "\nf ");
	T_ASSERT(at);
	at = strchr(at + 1, ' ');
	for (int i = 0; i < 5; i++)
		at = strchr(at + 1, ' ');
	at[1] = at[1] == 'a' ? 'b' : 'a';
	T_ASSERT(check(rec, len, NULL, &e) < 0);
	T_CONTAINS(e.msg, "tree digest");
	hull_err_clear(&e);
	/* wrong layer */
	T_ASSERT(hull_tree_check(
		     AT_FDCWD,
		     "sha256:1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", rec,
		     len, NULL, &e) < 0);
	T_CONTAINS(e.msg, "not sha256:1123");
	hull_err_clear(&e);
	/* garbage */
	T_ASSERT(check("garbage\n", 8, NULL, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_INVALID);
	hull_err_clear(&e);
	free(rec);
	hull_rm_rf_at(AT_FDCWD, root, &e);
}
