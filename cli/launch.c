/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/cli.h"
#include "cli/image_cli.h"

int image_cli_in_use(struct hull_store *s, const char *image_id, char *container, size_t n)
{
	(void)s;
	(void)image_id;
	(void)container;
	(void)n;
	return 0;
}
