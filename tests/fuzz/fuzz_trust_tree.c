/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Layer integrity records: header and lines parsed, checked against a small real tree made at
 * start-up; only the record sealed from that tree may pass. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/tree.h"

#define DIFF "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int dirfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char root[] = "/tmp/hull-fuzz-tree-XXXXXX", p[128];
	FILE *f;
	(void)argc;
	(void)argv;
	if (!mkdtemp(root))
		abort();
	snprintf(p, sizeof p, "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/passwd", root);
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs("root:x:0:0::/:/bin/sh\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/sh", root);
	if (symlink("busybox", p) < 0)
		abort();
	dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd < 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char d[HULL_DIGEST_MAX], t[HULL_DIGEST_MAX];
	hull_err e = HULL_ERR_INIT;
	if (hull_tree_header((const char *)data, size, d, t, &e) < 0 && !e.msg)
		abort();
	hull_err_clear(&e);
	if (hull_tree_check(dirfd, DIFF, (const char *)data, size, NULL, &e) < 0 && !e.msg)
		abort();
	hull_err_clear(&e);
	return 0;
}
