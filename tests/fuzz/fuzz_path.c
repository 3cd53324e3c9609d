/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-root resolution with arbitrary paths against a fixed tree of hostile symlinks: whatever
 * the path, the file opened (if any) is inside the root, for openat2 and for the fallback. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"

static int rootfd = -1;
static dev_t outside_dev;
static ino_t outside_ino;

static void setup(void)
{
	char base[] = "/tmp/hull-fuzz-path-XXXXXX", p[256];
	struct stat st;
	if (!mkdtemp(base))
		abort();
	snprintf(p, sizeof p, "%s/outside", base);
	mkdir(p, 0755);
	stat(p, &st);
	outside_dev = st.st_dev;
	outside_ino = st.st_ino;
	snprintf(p, sizeof p, "%s/root", base);
	mkdir(p, 0755);
	rootfd = open(p, O_PATH | O_DIRECTORY);
	mkdirat(rootfd, "a", 0755);
	mkdirat(rootfd, "a/b", 0755);
	symlinkat("../../outside", rootfd, "a/up");
	symlinkat("/..", rootfd, "a/b/root");
	symlinkat("/a/b/../../../outside", rootfd, "abs");
	symlinkat("self", rootfd, "self");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	hull_err e = HULL_ERR_INIT;
	if (rootfd < 0)
		setup();
	if (size >= sizeof path)
		size = sizeof path - 1;
	memcpy(path, data, size);
	path[size] = '\0';
	for (int fb = 0; fb < 2; fb++) {
		int fd;
		struct stat st;
		hull_path_force_fallback(fb);
		fd = hull_open_in_root(rootfd, path, O_PATH, 0, 0, &e);
		if (fd >= 0) {
			if (fstat(fd, &st) == 0 && st.st_dev == outside_dev && st.st_ino == outside_ino)
				abort(); /* escaped */
			close(fd);
		} else if (!e.msg) {
			abort();
		}
		hull_err_clear(&e);
	}
	return 0;
}
