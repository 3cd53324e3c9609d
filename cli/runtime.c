/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runc-compatible runtime commands. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "oci/features.h"
#include "oci/spec_gen.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"

/* Admission policy hook (lib/audit, cli/audit.c override this weak default). */
__attribute__((weak)) int cli_admission_setup(struct hull_runtime *rt, hull_err *err)
{
	(void)rt;
	(void)err;
	return 0;
}

static struct hull_runtime rt_open(void)
{
	struct hull_runtime rt;
	hull_err e = HULL_ERR_INIT;
	hull_runtime_init(&rt, g_opts.root, &e);
	rt.systemd_cgroup = g_opts.systemd_cgroup;
	rt.rootless = g_opts.rootless;
	if (cli_admission_setup(&rt, &e) < 0) {
		cli_error(&e);
		exit(1);
	}
	return rt;
}

static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int need_id(int argc, char **argv, const char *cmd, const char **id)
{
	if (optind >= argc)
		return cli_errorf("%s: missing container id (usage: hull %s [OPTIONS] ID)", cmd, cmd);
	*id = argv[optind++];
	return 0;
}

#define OPT_END {0, 0, 0, 0}

int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {{"bundle", required_argument, 0, 'b'},
					     {"profile", required_argument, 0, 'p'},
					     {"rootless", no_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_spec_gen_opts go = {.profile = HULL_PROFILE_HARDENED};
	const char *bundle = ".";
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *text = NULL, *sc = NULL;
	json_object *o;
	hull_err err = HULL_ERR_INIT;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:p:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			if (hull_profile_parse(optarg, &go.profile) < 0)
				return cli_errorf("spec: unknown profile \"%s\" (hardened or runc)", optarg);
			break;
		case 'r':
			go.rootless = true;
			break;
		case 'h':
			printf("usage: hull spec [--bundle DIR] [--profile hardened|runc] [--rootless]\n");
			return 0;
		default:
			return 1;
		}
	}
	hull_spec_gen_default_ids(&go);
	sc = strndup((const char *)hull_seccomp_hardened_json, hull_seccomp_hardened_json_len);
	go.seccomp_json = sc;
	go.native_arch = hull_seccomp_native_arch();
	if (hull_spec_generate(&go, &o, &err) < 0)
		return cli_error(&err);
	text = hull_json_dump(o, true);
	json_object_put(o);
	dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return cli_errorf("spec: bundle %s: %s", bundle, strerror(errno));
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return cli_errorf("spec: %s/config.json exists; remove it first", bundle);
	{
		size_t n = strlen(text);
		text[n] = '\n';
		if (hull_write_file_atomic(dfd, "config.json", 0644, text, n + 1, &err) < 0)
			return cli_error(&err);
	}
	return 0;
}

struct create_flags {
	struct hull_create_opts o;
	bool detach;
};

static int parse_create(int argc, char **argv, const char *cmd, struct create_flags *f)
{
	static const struct option opts[] = {{"bundle", required_argument, 0, 'b'},
					     {"pid-file", required_argument, 0, 'P'},
					     {"console-socket", required_argument, 0, 'C'},
					     {"no-pivot", no_argument, 0, 'N'},
					     {"no-new-keyring", no_argument, 0, 'K'},
					     {"preserve-fds", required_argument, 0, 'F'},
					     {"detach", no_argument, 0, 'd'},
					     {"no-subreaper", no_argument, 0, 'S'},
					     {"keep", no_argument, 0, 'k'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	int c;
	uint64_t n;
	memset(f, 0, sizeof *f);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			f->o.bundle = optarg;
			break;
		case 'P':
			f->o.pid_file = optarg;
			break;
		case 'C':
			f->o.console_socket = optarg;
			break;
		case 'N':
			f->o.no_pivot = true;
			break;
		case 'K':
			f->o.no_new_keyring = true;
			break;
		case 'F':
			if (hull_parse_u64(optarg, &n) < 0 || n > 65536)
				return cli_errorf("%s: --preserve-fds: \"%s\" is not a number", cmd, optarg);
			f->o.preserve_fds = (int)n;
			break;
		case 'd':
			f->detach = true;
			break;
		case 'S':
		case 'k':
			break;
		case 'h':
			printf("usage: hull %s [--bundle DIR] [--pid-file F] [--console-socket S] "
			       "[--no-pivot] [--no-new-keyring] [--preserve-fds N]%s ID\n",
			       cmd, strcmp(cmd, "run") ? "" : " [-d]");
			exit(0);
		default:
			return 1;
		}
	}
	if (need_id(argc, argv, cmd, &f->o.id) < 0)
		return 1;
	if (optind < argc)
		return cli_errorf("%s: unexpected argument \"%s\"", cmd, argv[optind]);
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct create_flags f;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	if (parse_create(argc, argv, "create", &f))
		return 1;
	if (hull_container_create(&rt, &f.o, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct create_flags f;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	int status = 0;
	if (parse_create(argc, argv, "run", &f))
		return 1;
	if (hull_container_run(&rt, &f.o, f.detach, &status, &err) < 0)
		return cli_error(&err);
	return status;
}

static int simple_id_cmd(int argc, char **argv, const char *cmd, const char **id)
{
	static const struct option opts[] = {{"help", no_argument, 0, 'h'}, OPT_END};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: hull %s ID\n", cmd);
			exit(0);
		}
		return 1;
	}
	if (need_id(argc, argv, cmd, id) < 0)
		return 1;
	if (optind < argc)
		return cli_errorf("%s: unexpected argument \"%s\"", cmd, argv[optind]);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	const char *id = NULL;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	if (simple_id_cmd(argc, argv, "start", &id))
		return 1;
	if (hull_container_start(&rt, id, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_state(int argc, char **argv)
{
	const char *id = NULL;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	json_object *o;
	if (simple_id_cmd(argc, argv, "state", &id))
		return 1;
	if (hull_container_state(&rt, id, &o, &err) < 0)
		return cli_error(&err);
	print_json(o);
	json_object_put(o);
	return 0;
}

int cmd_pause(int argc, char **argv)
{
	const char *id = NULL;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	if (simple_id_cmd(argc, argv, "pause", &id))
		return 1;
	if (hull_container_pause(&rt, id, true, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_resume(int argc, char **argv)
{
	const char *id = NULL;
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	if (simple_id_cmd(argc, argv, "resume", &id))
		return 1;
	if (hull_container_pause(&rt, id, false, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, 0, 'a'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	const char *id = NULL;
	bool all = false;
	int sig = SIGTERM, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("usage: hull kill [--all] ID [SIGNAL]\n");
			return 0;
		} else
			return 1;
	}
	if (need_id(argc, argv, "kill", &id) < 0)
		return 1;
	if (optind < argc) {
		sig = hull_signal_parse(argv[optind]);
		if (sig < 0)
			return cli_errorf("kill: unknown signal \"%s\"", argv[optind]);
		optind++;
	}
	if (optind < argc)
		return cli_errorf("kill: unexpected argument \"%s\"", argv[optind]);
	if (hull_container_kill(&rt, id, sig, all, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	const char *id = NULL;
	bool force = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h') {
			printf("usage: hull delete [--force] ID\n");
			return 0;
		} else
			return 1;
	}
	if (need_id(argc, argv, "delete", &id) < 0)
		return 1;
	if (optind < argc)
		return cli_errorf("delete: unexpected argument \"%s\"", argv[optind]);
	if (hull_container_delete(&rt, id, force, &err) < 0)
		return cli_error(&err);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"quiet", no_argument, 0, 'q'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_runtime rt = rt_open();
	hull_err err = HULL_ERR_INIT;
	json_object *arr;
	bool json = false, quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_errorf("list: --format must be table or json");
			json = !strcmp(optarg, "json");
		} else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			printf("usage: hull list [--format table|json] [-q]\n");
			return 0;
		} else
			return 1;
	}
	if (hull_container_list(&rt, &arr, &err) < 0)
		return cli_error(&err);
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	} else if (quiet) {
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			printf("%s\n", hull_json_get_str(json_object_array_get_idx(arr, i), "id"));
	} else {
		printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *e = json_object_array_get_idx(arr, i), *pid;
			json_object_object_get_ex(e, "pid", &pid);
			printf("%-20s %-8d %-10s %-40s %-31s %s\n", hull_json_get_str(e, "id"),
			       json_object_get_int(pid), hull_json_get_str(e, "status"),
			       hull_json_get_str(e, "bundle"), hull_json_get_str(e, "created"),
			       hull_json_get_str(e, "owner"));
		}
	}
	json_object_put(arr);
	return 0;
}

int cmd_features(int argc, char **argv)
{
	json_object *o = hull_features();
	(void)argc;
	(void)argv;
	print_json(o);
	json_object_put(o);
	return 0;
}
