/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: verified writes, verified reads (stamp or re-hash), tamper detection, concurrent
 * writers of one digest, interrupted writes, the images index and garbage collection. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/store.h"
#include "t.h"

static char root[64];

static void cleanup(void)
{
	char cmd[128];
	if (root[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", root);
	}
}

static void fresh(struct hull_store *s)
{
	char cmd[128];
	hull_err e = HULL_ERR_INIT;
	if (root[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		T_ASSERT(system(cmd) == 0);
	} else {
		atexit(cleanup);
	}
	snprintf(root, sizeof root, "/tmp/hull-store-XXXXXX");
	T_ASSERT(mkdtemp(root));
	if (hull_store_open(s, root, &e) < 0)
		T_FAIL("%s", e.msg);
}

static void dg(const char *data, char out[HULL_DIGEST_MAX])
{
	hull_err e = HULL_ERR_INIT;
	T_ASSERT(hull_digest_buf(HULL_SHA256, data, strlen(data), out, &e) == 0);
}

static void blob_path(const char *digest, char *out, size_t n)
{
	snprintf(out, n, "%s/blobs/sha256/%s", root, hull_digest_hex(digest));
}

TEST(small_blobs_verified)
{
	struct hull_store s;
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX], other[HULL_DIGEST_MAX], p[PATH_MAX];
	char *data;
	size_t len;
	struct stat st;
	fresh(&s);
	dg("hello", d);
	dg("other", other);
	T_ASSERT(hull_store_put_blob(&s, other, "hello", 5, &e) < 0);
	T_CONTAINS(e.msg, "digest mismatch");
	hull_err_clear(&e);
	T_ASSERT(!hull_store_has_blob(&s, other));
	T_ASSERT(hull_store_put_blob(&s, d, "hello", 5, &e) == 0);
	blob_path(d, p, sizeof p);
	T_ASSERT(stat(p, &st) == 0 && (st.st_mode & 0777) == 0444);
	{
		char rp[PATH_MAX];
		snprintf(rp, sizeof rp, "%s", root);
		T_ASSERT(stat(rp, &st) == 0 && (st.st_mode & 0777) == 0700);
	}
	T_ASSERT(hull_store_read_blob(&s, d, 100, &data, &len, &e) == 0);
	T_ASSERT(len == 5 && !memcmp(data, "hello", 5));
	free(data);
	/* Someone edits the stored bytes: the next read notices and drops the blob. */
	chmod(p, 0644);
	{
		FILE *f = fopen(p, "w");
		fputs("HELLO", f);
		fclose(f);
	}
	T_ASSERT(hull_store_read_blob(&s, d, 100, &data, &len, &e) < 0);
	T_CONTAINS(e.msg, "stored content changed");
	hull_err_clear(&e);
	T_ASSERT(!hull_store_has_blob(&s, d));
	hull_store_close(&s);
}

static void write_blob(struct hull_store *s, const char *content, char d[HULL_DIGEST_MAX])
{
	struct hull_blob_writer w;
	hull_err e = HULL_ERR_INIT;
	dg(content, d);
	T_EQ_INT(hull_store_blob_begin(s, d, &w, &e), 0);
	T_ASSERT(hull_write_all(w.fd, content, strlen(content)) == (ssize_t)strlen(content));
	T_ASSERT(hull_store_blob_commit(s, &w, &e) == 0);
}

TEST(large_blobs_stamp_and_rehash)
{
	struct hull_store s;
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX], p[PATH_MAX];
	int fd;
	uint64_t size;
	fresh(&s);
	write_blob(&s, "layer bytes", d);
	fd = hull_store_open_blob(&s, d, &size, &e);
	T_ASSERT(fd >= 0 && size == 11);
	close(fd);
	/* Same size, new bytes, mtime put back: ctime still moved, so the blob is re-hashed. */
	blob_path(d, p, sizeof p);
	{
		struct stat st;
		struct timespec ts[2];
		int w;
		T_ASSERT(stat(p, &st) == 0);
		chmod(p, 0644);
		w = open(p, O_WRONLY);
		T_ASSERT(pwrite(w, "LAYER", 5, 0) == 5);
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		futimens(w, ts);
		close(w);
		chmod(p, 0444);
	}
	T_ASSERT(hull_store_open_blob(&s, d, &size, &e) < 0);
	T_CONTAINS(e.msg, "stored content changed");
	hull_err_clear(&e);
	T_ASSERT(!hull_store_has_blob(&s, d));
	/* A lost stamp only costs a re-hash. */
	write_blob(&s, "layer bytes", d);
	{
		char sp[PATH_MAX];
		snprintf(sp, sizeof sp, "%s/stamps/sha256/%s", root, hull_digest_hex(d));
		T_ASSERT(unlink(sp) == 0);
		fd = hull_store_open_blob(&s, d, &size, &e);
		T_ASSERT(fd >= 0);
		close(fd);
		T_ASSERT(access(sp, F_OK) == 0);
	}
	hull_store_close(&s);
}

TEST(interrupted_write_resumes_and_never_counts)
{
	struct hull_store s;
	struct hull_blob_writer w;
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX];
	fresh(&s);
	dg("0123456789", d);
	T_EQ_INT(hull_store_blob_begin(&s, d, &w, &e), 0);
	T_ASSERT(hull_write_all(w.fd, "01234", 5) == 5);
	hull_store_blob_abort(&s, &w, true); /* a dropped connection */
	T_ASSERT(!hull_store_has_blob(&s, d));
	T_EQ_INT(hull_store_blob_begin(&s, d, &w, &e), 0);
	T_EQ_INT(w.have, 5);
	T_ASSERT(hull_write_all(w.fd, "56789", 5) == 5);
	T_ASSERT(hull_store_blob_commit(&s, &w, &e) == 0);
	T_ASSERT(hull_store_has_blob(&s, d));
	/* Once present, begin says so. */
	T_EQ_INT(hull_store_blob_begin(&s, d, &w, &e), 1);
	hull_store_close(&s);
}

TEST(concurrent_writers_serialise)
{
	struct hull_store s;
	struct hull_blob_writer w;
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX];
	int p[2], st;
	pid_t pid;
	fresh(&s);
	dg("shared layer", d);
	T_ASSERT(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		struct hull_store s2;
		struct hull_blob_writer w2;
		hull_err e2 = HULL_ERR_INIT;
		char c = 0;
		if (hull_store_open(&s2, root, &e2) < 0 ||
		    hull_store_blob_begin(&s2, d, &w2, &e2) != 0)
			_exit(1);
		close(p[0]);
		T_ASSERT(write(p[1], &c, 1) == 1); /* holding the digest's lock now */
		usleep(200000);
		hull_write_all(w2.fd, "shared layer", 12);
		_exit(hull_store_blob_commit(&s2, &w2, &e2) == 0 ? 0 : 1);
	}
	close(p[1]);
	{
		char c;
		T_ASSERT(read(p[0], &c, 1) == 1);
	}
	/* Blocks until the child published, then finds the blob complete. */
	T_EQ_INT(hull_store_blob_begin(&s, d, &w, &e), 1);
	T_ASSERT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
	hull_store_close(&s);
}

TEST(layers_publish_atomically)
{
	struct hull_store s;
	struct hull_layer_writer w;
	struct hull_unpack_report r = {0};
	hull_err e = HULL_ERR_INIT;
	char d[HULL_DIGEST_MAX];
	char *rep;
	fresh(&s);
	dg("a tar", d);
	T_EQ_INT(hull_store_layer_begin(&s, d, &w, &e), 0);
	T_ASSERT(!hull_store_has_layer(&s, d)); /* a temp dir is not a layer */
	T_ASSERT(mkdirat(w.dirfd, "etc", 0755) == 0);
	hull_store_layer_abort(&s, &w);
	T_ASSERT(!hull_store_has_layer(&s, d));
	T_EQ_INT(hull_store_layer_begin(&s, d, &w, &e), 0);
	r.entries = 7;
	T_ASSERT(hull_store_layer_commit(&s, &w, &r, &e) == 0);
	T_ASSERT(hull_store_has_layer(&s, d));
	rep = hull_store_layer_report(&s, d);
	T_CONTAINS(rep, "\"entries\":7");
	free(rep);
	T_EQ_INT(hull_store_layer_begin(&s, d, &w, &e), 1);
	hull_store_close(&s);
}

/* A minimal stored image: config + manifest with one layer blob. */
static void make_image(struct hull_store *s, const char *tag, const char *layer_content,
		       char man_d[HULL_DIGEST_MAX], char cfg_d[HULL_DIGEST_MAX])
{
	char layer_d[HULL_DIGEST_MAX], cfg[512], man[1024];
	hull_err e = HULL_ERR_INIT;
	struct hull_image im = {0};
	char *names[2] = {(char *)tag, NULL}, *none[1] = {NULL};
	write_blob(s, layer_content, layer_d);
	snprintf(cfg, sizeof cfg,
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
		 "\"diff_ids\":[\"%s\"]},\"config\":{\"Cmd\":[\"%s\"]}}",
		 layer_d, tag ? tag : "x");
	dg(cfg, cfg_d);
	T_ASSERT(hull_store_put_blob(s, cfg_d, cfg, strlen(cfg), &e) == 0);
	snprintf(man, sizeof man,
		 "{\"schemaVersion\":2,\"mediaType\":\"" HULL_MT_OCI_MANIFEST "\",\"config\":{"
		 "\"mediaType\":\"" HULL_MT_OCI_CONFIG
		 "\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[{"
		 "\"mediaType\":\"" HULL_MT_OCI_LAYER "\",\"digest\":\"%s\",\"size\":%zu}]}",
		 cfg_d, strlen(cfg), layer_d, strlen(layer_content));
	dg(man, man_d);
	T_ASSERT(hull_store_put_blob(s, man_d, man, strlen(man), &e) == 0);
	im.id = cfg_d;
	im.manifest = man_d;
	im.names = tag ? names : none;
	im.digests = none;
	T_ASSERT(hull_store_image_add(s, &im, &e) == 0);
}

TEST(images_index)
{
	struct hull_store s;
	struct hull_image im;
	struct hull_image_list l;
	hull_err e = HULL_ERR_INIT;
	char m1[HULL_DIGEST_MAX], c1[HULL_DIGEST_MAX], m2[HULL_DIGEST_MAX], c2[HULL_DIGEST_MAX];
	char short_id[16];
	char *removed;
	fresh(&s);
	make_image(&s, "localhost/app:1", "L1", m1, c1);
	make_image(&s, "docker.io/library/busybox:latest", "L2", m2, c2);
	T_ASSERT(hull_store_image_find(&s, "busybox", &im, &e) == 0);
	T_EQ_STR(im.id, c2);
	hull_image_clear(&im);
	T_ASSERT(hull_store_image_find(&s, "app:1", &im, &e) == 0); /* short name -> localhost/ */
	T_EQ_STR(im.id, c1);
	hull_image_clear(&im);
	snprintf(short_id, sizeof short_id, "%.12s", hull_digest_hex(c1));
	T_ASSERT(hull_store_image_find(&s, short_id, &im, &e) == 0);
	T_EQ_STR(im.manifest, m1);
	hull_image_clear(&im);
	T_ASSERT(hull_store_image_find(&s, m2, &im, &e) == 0);
	hull_image_clear(&im);
	T_ASSERT(hull_store_image_find(&s, "nothere", &im, &e) < 0);
	T_EQ_INT(e.kind, HULL_ERR_NOTFOUND);
	hull_err_clear(&e);
	/* A tag points at one image: tagging moves it. */
	T_ASSERT(hull_store_image_tag(&s, "busybox", "localhost/app:1", &e) == 0);
	T_ASSERT(hull_store_image_find(&s, "localhost/app:1", &im, &e) == 0);
	T_EQ_STR(im.id, c2);
	hull_image_clear(&im);
	/* Image 1 lost its only name: dangling, collected by prune with its blobs. */
	{
		struct hull_gc_report gr;
		T_ASSERT(hull_store_gc(&s, true, &gr, &e) == 0);
		T_EQ_INT(gr.images, 1);
		T_EQ_INT(gr.blobs, 3);
		T_ASSERT(!hull_store_has_blob(&s, m1) && hull_store_has_blob(&s, m2));
	}
	/* Removing one of two names untags; removing the last removes the image. */
	T_ASSERT(hull_store_image_remove(&s, "localhost/app:1", false, &removed, &e) == 0);
	T_ASSERT(removed == NULL);
	T_ASSERT(hull_store_image_remove(&s, "busybox", false, &removed, &e) == 0);
	T_EQ_STR(removed, c2);
	free(removed);
	T_ASSERT(hull_store_images(&s, &l, &e) == 0);
	T_EQ_INT(l.n, 0);
	hull_image_list_free(&l);
	hull_store_close(&s);
}
