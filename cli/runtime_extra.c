/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec, ps, update, events: the commands engines use on running containers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/util.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/internal.h"
#include "runtime/state.h"

int cli_admission_setup(struct hull_runtime *rt, hull_err *err);

static struct hull_runtime open_rt(void)
{
	struct hull_runtime rt;
	hull_err e = HULL_ERR_INIT;
	hull_runtime_init(&rt, g_opts.root, &e);
	rt.systemd_cgroup = g_opts.systemd_cgroup;
	return rt;
}

/* Strict "UID[:GID]" (numbers only: names would be resolved on the host, not in the
 * container, and lax parsing was part of crun CVE-2026-30892). */
static int parse_user(const char *s, struct hull_exec_opts *o)
{
	const char *colon = strchr(s, ':');
	uint64_t v;
	char buf[32];
	size_t n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (hull_parse_u64(buf, &v) < 0 || v > 0xfffffffeu)
		return -1;
	o->has_user = true;
	o->uid = (uint32_t)v;
	if (colon) {
		if (hull_parse_u64(colon + 1, &v) < 0 || v > 0xfffffffeu)
			return -1;
		o->has_gid = true;
		o->gid = (uint32_t)v;
	}
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{"process", required_argument, 0, 'p'},	   {"detach", no_argument, 0, 'd'},
		{"pid-file", required_argument, 0, 'P'},   {"console-socket", required_argument, 0, 'C'},
		{"tty", no_argument, 0, 't'},		   {"cwd", required_argument, 0, 'w'},
		{"env", required_argument, 0, 'e'},	   {"user", required_argument, 0, 'u'},
		{"additional-gids", required_argument, 0, 'g'}, {"cap", required_argument, 0, 'c'},
		{"no-new-privs", no_argument, 0, 'n'},	   {"preserve-fds", required_argument, 0, 'F'},
		{"apparmor", required_argument, 0, 'A'},   {"process-label", required_argument, 0, 'L'},
		{"ignore-paused", no_argument, 0, 'I'},	   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct hull_exec_opts o = {.tty = -1};
	struct hull_runtime rt = open_rt();
	hull_err err = HULL_ERR_INIT;
	_cleanup_strv_ char **env = NULL, **caps = NULL;
	_cleanup_free_ uint32_t *gids = NULL;
	uint64_t n;
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:dtu:e:g:c:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'P':
			o.pid_file = optarg;
			break;
		case 'C':
			o.console_socket = optarg;
			break;
		case 't':
			o.tty = 1;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'e':
			if (hull_strv_push(&env, optarg) < 0)
				return cli_errorf("exec: out of memory");
			break;
		case 'u':
			if (parse_user(optarg, &o) < 0)
				return cli_errorf("exec: --user \"%s\": expected UID[:GID] (numbers)", optarg);
			break;
		case 'g': {
			uint32_t *ng;
			if (hull_parse_u64(optarg, &n) < 0 || n > 0xfffffffeu)
				return cli_errorf("exec: --additional-gids \"%s\" is not a group id", optarg);
			ng = realloc(gids, (o.n_additional_gids + 1) * sizeof *gids);
			if (!ng)
				return cli_errorf("exec: out of memory");
			gids = ng;
			gids[o.n_additional_gids++] = (uint32_t)n;
			break;
		}
		case 'c':
			if (hull_strv_push(&caps, optarg) < 0)
				return cli_errorf("exec: out of memory");
			break;
		case 'n':
			o.no_new_privs = true;
			break;
		case 'F':
			if (hull_parse_u64(optarg, &n) < 0 || n > 65536)
				return cli_errorf("exec: --preserve-fds \"%s\" is not a number", optarg);
			o.preserve_fds = (int)n;
			break;
		case 'A':
		case 'L':
			break; /* no AppArmor or SELinux on this build: accepted and ignored, like runc without them */
		case 'I':
			o.ignore_paused = true;
			break;
		case 'h':
			printf("usage: hull exec [--process F | COMMAND...] [-d] [-t] [--pid-file F] "
			       "[--console-socket S] [--cwd D] [-e K=V] [-u UID[:GID]] [--cap CAP] "
			       "[--no-new-privs] [--preserve-fds N] ID [COMMAND [ARGS...]]\n");
			return 0;
		default:
			return 1;
		}
	}
	if (optind >= argc)
		return cli_errorf("exec: missing container id");
	o.id = argv[optind++];
	if (!o.process_file && optind >= argc)
		return cli_errorf("exec: missing command (or --process FILE)");
	o.args = optind < argc ? argv + optind : NULL;
	o.env = env;
	o.caps = caps;
	o.additional_gids = gids;
	if (hull_container_exec(&rt, &o, &status, &err) < 0)
		return cli_error(&err);
	return status;
}

static int open_container(struct hull_runtime *rt, const char *id, struct hull_state *st,
			  int *dirfd, hull_err *err)
{
	if ((rt->rootfd = hull_state_root_open(rt->state_root, err)) < 0)
		return -1;
	*dirfd = hull_state_dir_open(rt->rootfd, id, false, err);
	if (*dirfd < 0 || hull_state_load(*dirfd, st, err) < 0)
		return -1;
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	struct hull_runtime rt = open_rt();
	hull_err err = HULL_ERR_INIT;
	struct hull_state st;
	struct hull_cgroups cg;
	_cleanup_close_ int dirfd = -1;
	pid_t *pids = NULL;
	size_t n = 0;
	bool json = false;
	int c;

	/* podman's `ps -a`, `ps -q`, `ps --all`: the launched containers (runc's ps needs an id). */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "-q") || !strcmp(argv[i], "-aq") ||
		    !strcmp(argv[i], "-qa") || !strcmp(argv[i], "--all") || !strcmp(argv[i], "--quiet")) {
			const struct hull_cmd *lp;
			if (cli_load_toolkit(&err) < 0 || !(lp = cli_find("launch-ps")))
				return err.msg ? cli_error(&err) : cli_errorf("ps: missing container id");
			return lp->fn(argc, argv);
		}
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_errorf("ps: --format must be table or json");
			json = !strcmp(optarg, "json");
		} else if (c == 'h') {
			printf("usage: hull ps [--format table|json] ID [ps options]\n"
			       "       hull ps    (containers started with `hull launch`)\n");
			return 0;
		} else
			return 1;
	}
	if (optind >= argc) {
		/* No id: the launched containers, listed by the toolkit. */
		const struct hull_cmd *lp;
		if (cli_load_toolkit(&err) < 0 || !(lp = cli_find("launch-ps")))
			return err.msg ? cli_error(&err) : cli_errorf("ps: missing container id");
		return lp->fn(argc, argv);
	}
	if (open_container(&rt, argv[optind], &st, &dirfd, &err) < 0)
		return cli_error(&err);
	if (hull_load_cgroups(&st, &cg, &err) < 0 || hull_cgroups_pids(&cg, &pids, &n, &err) < 0)
		return cli_error(&err);
	hull_cgroups_release(&cg);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", pids[i]);
		printf("]\n");
	} else {
		/* As runc: run ps(1) on the host with the given options, keep the header and the
		 * lines of the container's processes. */
		int p[2];
		pid_t child;
		FILE *f;
		char line[4096];
		int pidcol = -1;
		fflush(stdout);
		if (pipe(p) < 0)
			return cli_errorf("ps: pipe: %s", strerror(errno));
		child = fork();
		if (child == 0) {
			char *def[] = {(char *)"ps", (char *)"-ef", NULL};
			char **pa = def;
			if (optind + 1 < argc) {
				pa = argv + optind;
				pa[0] = (char *)"ps";
			}
			dup2(p[1], 1);
			close(p[0]);
			execvp("ps", pa);
			_exit(127);
		}
		close(p[1]);
		f = fdopen(p[0], "r");
		while (f && fgets(line, sizeof line, f)) {
			if (pidcol < 0) {
				char copy[4096], *save = NULL;
				int col = 0;
				snprintf(copy, sizeof copy, "%s", line);
				for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
					if (!strcmp(t, "PID"))
						pidcol = col;
				fputs(line, stdout);
				if (pidcol < 0)
					return cli_errorf("ps: no PID column in ps output");
				continue;
			}
			{
				char copy[4096], *save = NULL, *t;
				int col = 0;
				long v;
				snprintf(copy, sizeof copy, "%s", line);
				for (t = strtok_r(copy, " \t\n", &save); t && col < pidcol; t = strtok_r(NULL, " \t\n", &save))
					col++;
				v = t ? strtol(t, NULL, 10) : -1;
				for (size_t i = 0; i < n; i++)
					if (pids[i] == v)
						fputs(line, stdout);
			}
		}
		if (f)
			fclose(f);
		waitpid(child, NULL, 0);
	}
	free(pids);
	hull_state_release(&st);
	return 0;
}

static int parse_size(const char *s, int64_t *out)
{
	char *end;
	double v;
	if (!strcmp(s, "-1")) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{"resources", required_argument, 0, 'r'}, {"memory", required_argument, 0, 'm'},
		{"memory-swap", required_argument, 0, 's'}, {"memory-reservation", required_argument, 0, 'R'},
		{"pids-limit", required_argument, 0, 'p'}, {"cpu-quota", required_argument, 0, 'q'},
		{"cpu-period", required_argument, 0, 'P'}, {"cpu-share", required_argument, 0, 'S'},
		{"cpuset-cpus", required_argument, 0, 'c'}, {"cpuset-mems", required_argument, 0, 'M'},
		{"blkio-weight", required_argument, 0, 'b'}, {"kernel-memory", required_argument, 0, 'k'},
		{"kernel-memory-tcp", required_argument, 0, 'K'}, {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	struct hull_runtime rt = open_rt();
	hull_err err = HULL_ERR_INIT;
	struct hull_resources res = {0};
	struct hull_state st;
	struct hull_cgroups cg;
	hull_arena arena = {0};
	_cleanup_close_ int dirfd = -1;
	const char *file = NULL;
	int64_t v;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: hull update [--resources FILE|-] [--memory N] [--memory-swap N] "
			       "[--memory-reservation N] [--pids-limit N] [--cpu-quota N] [--cpu-period N] "
			       "[--cpu-share N] [--cpuset-cpus L] [--cpuset-mems L] [--blkio-weight N] ID\n");
			return 0;
		}
		if (c == 'r') {
			file = optarg;
			continue;
		}
		if (c == 'c' || c == 'M') {
			if (c == 'c')
				res.cpu_cpus = optarg;
			else
				res.cpu_mems = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return 1;
		if (parse_size(optarg, &v) < 0)
			return cli_errorf("update: invalid value \"%s\"", optarg);
		switch (c) {
		case 'm': res.has_mem_limit = true; res.mem_limit = v; break;
		case 's': res.has_mem_swap = true; res.mem_swap = v; break;
		case 'R': res.has_mem_reservation = true; res.mem_reservation = v; break;
		case 'p': res.has_pids_limit = true; res.pids_limit = v; break;
		case 'q': res.has_cpu_quota = true; res.cpu_quota = v; break;
		case 'P': res.has_cpu_period = true; res.cpu_period = (uint64_t)v; break;
		case 'S': res.has_cpu_shares = true; res.cpu_shares = (uint64_t)v; break;
		case 'b': res.has_blkio_weight = true; res.blkio_weight = (uint16_t)v; break;
		case 'k': res.has_mem_kernel = true; res.mem_kernel = v; break;
		case 'K': res.has_mem_kernel_tcp = true; res.mem_kernel_tcp = v; break;
		}
	}
	if (optind >= argc)
		return cli_errorf("update: missing container id");
	if (file) {
		_cleanup_free_ char *data = NULL;
		_cleanup_json_ json_object *obj = NULL;
		size_t len;
		int rfd = strcmp(file, "-") ? -1 : 0;
		if (rfd == 0 ? hull_read_fd(0, 1 << 20, &data, &len, &err) < 0
			     : hull_read_file_at(AT_FDCWD, file, 0, 1 << 20, &data, &len, &err) < 0)
			return cli_error(&err);
		if (hull_json_parse(data, len, rfd == 0 ? "resources (stdin)" : file, &obj, &err) < 0 ||
		    hull_resources_parse(&arena, obj, rfd == 0 ? "resources (stdin)" : file, &res, &err) < 0)
			return cli_error(&err);
	}
	if (open_container(&rt, argv[optind], &st, &dirfd, &err) < 0)
		return cli_error(&err);
	if (!strcmp(hull_state_status(&st, dirfd), "stopped"))
		return cli_errorf("update: container \"%s\" is stopped", argv[optind]);
	rc = hull_load_cgroups(&st, &cg, &err);
	if (rc == 0) {
		rc = hull_cgroups_apply(&cg, &res, NULL, 0, true, &err);
		hull_cgroups_release(&cg);
	}
	hull_arena_free(&arena);
	hull_state_release(&st);
	return rc < 0 ? cli_error(&err) : 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {{"stats", no_argument, 0, 's'},
					     {"interval", required_argument, 0, 'i'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	struct hull_runtime rt = open_rt();
	hull_err err = HULL_ERR_INIT;
	bool stats_once = false;
	double interval = 5;
	const char *id;
	int c;
	int64_t last_oom = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+si:h", opts, NULL)) != -1) {
		if (c == 's')
			stats_once = true;
		else if (c == 'i') {
			char *end;
			interval = strtod(optarg, &end);
			if (*end == 's')
				end++;
			else if (*end == 'm' && end[1] == 's') {
				interval /= 1000;
				end += 2;
			}
			if (*end || interval <= 0)
				return cli_errorf("events: invalid --interval \"%s\"", optarg);
		} else if (c == 'h') {
			printf("usage: hull events [--stats] [--interval 5s] ID\n");
			return 0;
		} else
			return 1;
	}
	if (optind >= argc)
		return cli_errorf("events: missing container id");
	id = argv[optind];
	for (;;) {
		struct hull_state st;
		struct hull_cgroups cg;
		_cleanup_close_ int dirfd = -1;
		json_object *data = NULL, *ev;
		if (open_container(&rt, id, &st, &dirfd, &err) < 0)
			return cli_error(&err);
		if (!strcmp(hull_state_status(&st, dirfd), "stopped")) {
			hull_state_release(&st);
			if (stats_once)
				return cli_errorf("events: container \"%s\" is stopped", id);
			return 0;
		}
		if (hull_load_cgroups(&st, &cg, &err) < 0 || hull_cgroups_stats(&cg, &data, &err) < 0)
			return cli_error(&err);
		{
			/* OOM kills since the last sample become "oom" events, as runc reports them. */
			json_object *mem, *raw, *v;
			if (json_object_object_get_ex(data, "memory", &mem) &&
			    json_object_object_get_ex(mem, "raw", &raw) &&
			    (json_object_object_get_ex(raw, "oom_kill", &v) ||
			     json_object_object_get_ex(raw, "total_oom_kill", &v))) {
				int64_t k = json_object_get_int64(v);
				if (last_oom >= 0 && k > last_oom) {
					ev = json_object_new_object();
					hull_json_add_str(ev, "type", "oom");
					hull_json_add_str(ev, "id", id);
					printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
					json_object_put(ev);
				}
				last_oom = k;
			}
		}
		ev = json_object_new_object();
		hull_json_add_str(ev, "type", "stats");
		hull_json_add_str(ev, "id", id);
		hull_json_add(ev, "data", data);
		printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(ev);
		hull_cgroups_release(&cg);
		hull_state_release(&st);
		hull_runtime_release(&rt);
		if (stats_once)
			return 0;
		usleep((useconds_t)(interval * 1e6));
	}
}
