/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hull-toolkit.so: the image, trust and scanning commands. Each command file registers itself
 * with CLI_COMMAND when the module is loaded; this file only marks the module's identity. */
#include "cli/cli.h"

const char hull_toolkit_version[] = HULL_VERSION;
