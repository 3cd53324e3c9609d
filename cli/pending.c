/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/cli.h"

int cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("ps: not implemented yet");
}
int cmd_events(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("events: not implemented yet");
}
int cmd_update(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("update: not implemented yet");
}
int cmd_exec(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("exec: not implemented yet");
}
