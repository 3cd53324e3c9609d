/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The layer pass on arbitrary bytes (gzip, zstd or plain tar): it either unpacks into the layer
 * directory or fails with a message, and never touches anything next to it. Run as root (chown,
 * whiteouts); each input gets a fresh, empty layer directory. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "image/unpack.h"

static char base[64];
static int basefd = -1;

struct mem {
	const uint8_t *d;
	size_t n, pos;
};

static ssize_t mem_read(void *ctx, const void **buf, hull_err *err)
{
	struct mem *m = ctx;
	size_t n = m->n - m->pos > 4096 ? 4096 : m->n - m->pos;
	(void)err;
	*buf = m->d + m->pos;
	m->pos += n;
	return (ssize_t)n;
}

/* base/ must hold exactly "layer" and "sentinel" (an empty file) after every run. */
static void check_sentinel(void)
{
	DIR *d = opendir(base);
	struct dirent *de;
	int n = 0;
	struct stat st;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	if (n != 2 || fstatat(basefd, "sentinel", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    st.st_size != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_unpack_opts o;
	struct hull_layer_stream ls = {.blob_size = -1, .blob_fd = -1};
	struct mem m = {data, size, 0};
	hull_err e = HULL_ERR_INIT;
	int layerfd;
	if (basefd < 0) {
		snprintf(base, sizeof base, "/tmp/hull-fuzz-tar-XXXXXX");
		if (!mkdtemp(base))
			abort();
		basefd = open(base, O_RDONLY | O_DIRECTORY);
		close(openat(basefd, "sentinel", O_CREAT | O_WRONLY, 0600));
	}
	hull_rm_rf_at(basefd, "layer", &e);
	hull_err_clear(&e);
	if (mkdirat(basefd, "layer", 0755) < 0)
		abort();
	layerfd = openat(basefd, "layer", O_RDONLY | O_DIRECTORY);
	hull_unpack_opts_default(&o);
	o.lim.max_stream_bytes = 64 << 20;
	o.lim.max_entries = 10000;
	o.lim.max_file_size = 16 << 20;
	o.devices = data[0] & 1 ? HULL_DEVICES_SKIP : HULL_DEVICES_REJECT;
	ls.src.read = mem_read;
	ls.src.ctx = &m;
	if (hull_layer_unpack(&ls, layerfd, &o, &e) < 0 && !e.msg)
		abort();
	hull_err_clear(&e);
	hull_unpack_report_free(&ls.report);
	close(layerfd);
	check_sentinel();
	return 0;
}
