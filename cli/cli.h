/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI: parse argv, call libhull, print. One file per command group. */
#pragma once

#include <stdbool.h>

#include "core/error.h"

struct hull_globals {
	const char *root;	/* --root */
	const char *log_file;	/* --log */
	bool log_json;		/* --log-format json */
	bool systemd_cgroup;	/* --systemd-cgroup */
	int rootless;		/* --rootless true|false|auto: -1 auto */
	bool debug;
	const char *storage_root; /* --storage-root (images) */
	const char *admission;	  /* --admission FILE (policy for create/run) */
};

struct hull_runtime;
/* Install the admission policy on rt (weak default: none); implemented by the audit area. */
int cli_admission_setup(struct hull_runtime *rt, hull_err *err);

extern struct hull_globals g_opts;

/* Report err (once): to stderr, and to the --log file in the chosen format. Returns the exit
 * code to use (1, or what the kind maps to). */
int cli_error(const hull_err *err);
int cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_setup_logging(void);

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Commands register themselves (a constructor per command), in the hull binary for runtime
 * commands and in hull-toolkit.so for the image, trust and scanning commands, so that no shared
 * table has to be edited to add one. */
struct hull_cmd {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
};
void cli_register(const struct hull_cmd *c);
const struct hull_cmd *cli_find(const char *name);

#define CLI_COMMAND(cname, cfn, chelp)                                                             \
	__attribute__((constructor)) static void cli_register_##cfn(void)                          \
	{                                                                                          \
		static const struct hull_cmd c = {cname, cfn, chelp};                              \
		cli_register(&c);                                                                  \
	}

/* Load hull-toolkit.so (image, trust, scan commands); returns 0 when loaded. */
int cli_load_toolkit(hull_err *err);

/* runtime.c */
int cmd_spec(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_exec(int argc, char **argv);
