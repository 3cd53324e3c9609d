/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
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

#define MAX_CMDS 128
static const struct hull_cmd *registry[MAX_CMDS];
static size_t n_registry;

void cli_register(const struct hull_cmd *c)
{
	if (n_registry < MAX_CMDS)
		registry[n_registry++] = c;
}

const struct hull_cmd *cli_find(const char *name)
{
	for (size_t i = 0; i < n_registry; i++)
		if (!strcmp(registry[i]->name, name))
			return registry[i];
	return NULL;
}

CLI_COMMAND("spec", cmd_spec, "create a config.json (hardened by default)")
CLI_COMMAND("create", cmd_create, "create a container")
CLI_COMMAND("start", cmd_start, "start a created container")
CLI_COMMAND("run", cmd_run, "create and start a container")
CLI_COMMAND("exec", cmd_exec, "run a process in a running container")
CLI_COMMAND("state", cmd_state, "print a container's state")
CLI_COMMAND("kill", cmd_kill, "send a signal to a container")
CLI_COMMAND("delete", cmd_delete, "delete a container")
CLI_COMMAND("list", cmd_list, "list containers")
CLI_COMMAND("ps", cmd_ps, "list a container's processes")
CLI_COMMAND("pause", cmd_pause, "freeze a container")
CLI_COMMAND("resume", cmd_resume, "thaw a container")
CLI_COMMAND("update", cmd_update, "change a container's resource limits")
CLI_COMMAND("events", cmd_events, "print container stats and events")
CLI_COMMAND("features", cmd_features, "print what this runtime supports")

/* The toolkit (image store, registry client, signatures, scanner) links libcurl, OpenSSL,
 * libarchive, gpgme, sqlite: loading them costs ~7 ms per exec, which runtime commands
 * (called by podman and containerd for every container) must not pay. They live in
 * hull-toolkit.so, loaded only when one of its commands runs. */
int cli_load_toolkit(hull_err *err)
{
	static int loaded;
	char exe[PATH_MAX], path[PATH_MAX];
	const char *env = getenv("HULL_TOOLKIT");
	const char *candidates[3];
	size_t nc = 0;
	ssize_t n;
	struct stat st;

	if (loaded)
		return 0;
	if (env && *env)
		candidates[nc++] = env;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(path, sizeof path, "%s/hull-toolkit.so", dirname(exe));
		candidates[nc++] = path;
	}
	candidates[nc++] = HULL_LIBDIR "/hull/hull-toolkit.so";
	for (size_t i = 0; i < nc; i++) {
		if (stat(candidates[i], &st) < 0)
			continue;
		/* Never load code that someone other than us (or root) could have written. */
		if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
			return hull_fail(err, EPERM, "refusing to load %s: writable by others",
					 candidates[i]);
		if (!dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL))
			return hull_fail(err, 0, "load %s: %s", candidates[i], dlerror());
		loaded = 1;
		return 0;
	}
	return hull_failk(err, HULL_ERR_NOTFOUND, ENOENT,
			  "hull-toolkit.so not found next to the hull binary or in %s/hull",
			  HULL_LIBDIR);
}

static void usage(FILE *f)
{
	hull_err e = HULL_ERR_INIT;
	cli_load_toolkit(&e);
	hull_err_clear(&e);
	fprintf(f, "usage: hull [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]\n"
		   "            [--storage-root DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < n_registry; i++)
		fprintf(f, "  %-10s %s\n", registry[i]->name, registry[i]->help);
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
		} else if (!strcmp(name, "admission")) {
			NEEDVAL();
			g_opts.admission = val;
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
	{
		const struct hull_cmd *c = cli_find(argv[idx]);
		if (!c && strcmp(argv[idx], "help")) {
			hull_err e = HULL_ERR_INIT;
			if (cli_load_toolkit(&e) == 0)
				c = cli_find(argv[idx]);
			else if (e.kind != HULL_ERR_NOTFOUND)
				return cli_error(&e);
			hull_err_clear(&e);
		}
		if (c)
			return c->fn(argc - idx, argv + idx);
	}
	if (!strcmp(argv[idx], "help")) {
		usage(stdout);
		return 0;
	}
	return cli_errorf("unknown command \"%s\" (see hull --help)", argv[idx]);
}
