/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "runtime/state.h"

struct hull_globals g_opts = {.rootless = -1};
static FILE *log_fp;

static void log_line(const char *level, const char *msg)
{
	char ts[64];
	if (!log_fp)
		return;
	hull_rfc3339_now(ts, sizeof ts);
	if (g_opts.log_json) {
		json_object *o = json_object_new_object();
		hull_json_add_str(o, "level", level);
		hull_json_add_str(o, "msg", msg);
		hull_json_add_str(o, "time", ts);
		fprintf(log_fp, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
									   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(log_fp, "time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
	}
	fflush(log_fp);
}

static void log_handler(enum hull_log_level level, const char *msg, void *data)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	(void)data;
	if (level == HULL_LOG_DEBUG && !g_opts.debug)
		return;
	if (log_fp)
		log_line(names[level], msg);
	if (!log_fp || level <= HULL_LOG_WARN)
		fprintf(stderr, "hull: %s: %s\n", names[level], msg);
}

void cli_setup_logging(void)
{
	if (g_opts.log_file && *g_opts.log_file) {
		int fd = open(g_opts.log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0)
			log_fp = fdopen(fd, "a");
	}
	hull_log_set_handler(log_handler, NULL);
}

int cli_error(const hull_err *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";
	log_line("error", msg);
	fprintf(stderr, "hull: %s\n", msg);
	return 1;
}

int cli_errorf(const char *fmt, ...)
{
	hull_err e = HULL_ERR_INIT;
	va_list ap;
	int rc;
	va_start(ap, fmt);
	hull_vfail(&e, HULL_ERR_INVALID, 0, fmt, ap);
	va_end(ap);
	rc = cli_error(&e);
	hull_err_clear(&e);
	return rc;
}

static const struct {
	const char *name;
	cli_cmd_fn fn;
	const char *help;
} commands[] = {
	{"spec", cmd_spec, "create a config.json (hardened by default)"},
	{"create", cmd_create, "create a container"},
	{"start", cmd_start, "start a created container"},
	{"run", cmd_run, "create and start a container"},
	{"exec", cmd_exec, "run a process in a running container"},
	{"state", cmd_state, "print a container's state"},
	{"kill", cmd_kill, "send a signal to a container"},
	{"delete", cmd_delete, "delete a container"},
	{"list", cmd_list, "list containers"},
	{"ps", cmd_ps, "list a container's processes"},
	{"pause", cmd_pause, "freeze a container"},
	{"resume", cmd_resume, "thaw a container"},
	{"update", cmd_update, "change a container's resource limits"},
	{"events", cmd_events, "print container stats and events"},
	{"features", cmd_features, "print what this runtime supports"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hull [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]\n"
		   "            [--rootless true|false|auto] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

static void version(void)
{
	const struct scmp_version *v = seccomp_version();
	printf("hull version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", HULL_VERSION, HULL_OCI_VERSION,
	       v->major, v->minor, v->micro);
}

/* Global options come before the command, as with runc and podman. */
static int parse_globals(int argc, char **argv, int *idx)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		const char *val = NULL;
		char name[64];
		const char *eq;
		if (!strcmp(a, "--"))
			return i + 1;
		while (*a == '-')
			a++;
		eq = strchr(a, '=');
		snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (eq)
			val = eq + 1;
#define NEEDVAL()                                                                                  \
	do {                                                                                       \
		if (!val) {                                                                        \
			if (i + 1 >= argc)                                                         \
				return cli_errorf("option --%s needs a value", name), -1;          \
			val = argv[++i];                                                           \
		}                                                                                  \
	} while (0)
		if (!strcmp(name, "root")) {
			NEEDVAL();
			g_opts.root = val;
		} else if (!strcmp(name, "log")) {
			NEEDVAL();
			g_opts.log_file = val;
		} else if (!strcmp(name, "log-format")) {
			NEEDVAL();
			if (strcmp(val, "json") && strcmp(val, "text"))
				return cli_errorf("--log-format must be text or json, not \"%s\"", val), -1;
			g_opts.log_json = !strcmp(val, "json");
		} else if (!strcmp(name, "systemd-cgroup")) {
			g_opts.systemd_cgroup = !val || !strcmp(val, "true");
		} else if (!strcmp(name, "rootless")) {
			NEEDVAL();
			g_opts.rootless = !strcmp(val, "true") ? 1 : !strcmp(val, "false") ? 0 : -1;
		} else if (!strcmp(name, "debug")) {
			g_opts.debug = true;
		} else if (!strcmp(name, "storage-root")) {
			NEEDVAL();
			g_opts.storage_root = val;
		} else if (!strcmp(name, "criu")) {
			NEEDVAL();
		} else if (!strcmp(name, "version") || !strcmp(name, "v")) {
			version();
			exit(0);
		} else if (!strcmp(name, "help") || !strcmp(name, "h")) {
			usage(stdout);
			exit(0);
		} else {
			return cli_errorf("unknown global option %s (see hull --help)", argv[i]), -1;
		}
#undef NEEDVAL
		i++;
	}
	*idx = i;
	return 0;
}

int main(int argc, char **argv)
{
	int idx = 0;
	signal(SIGPIPE, SIG_IGN);
	if (parse_globals(argc, argv, &idx) < 0)
		return 1;
	cli_setup_logging();
	if (idx >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[idx], commands[i].name))
			return commands[i].fn(argc - idx, argv + idx);
	if (!strcmp(argv[idx], "help")) {
		usage(stdout);
		return 0;
	}
	return cli_errorf("unknown command \"%s\" (see hull --help)", argv[idx]);
}
