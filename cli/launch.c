/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hull launch IMAGE [CMD...]` and the commands for launched containers: `launch-ps` (what
 * `hull ps` without an id runs), `logs`, `stop`, `rm`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/image_cli.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "image/launch.h"
#include "image/manifest.h"
#include "oci/spec.h"
#include "oci/spec_gen.h"
#include "runtime/container.h"
#include "runtime/seccomp.h"

#define OPT_END                                                                                    \
	{                                                                                          \
		0, 0, 0, 0                                                                         \
	}

int image_cli_in_use(struct hull_store *s, const char *image_id, char *container, size_t n)
{
	struct hull_launched *v;
	size_t cnt;
	hull_err e = HULL_ERR_INIT;
	int used = 0;
	if (hull_launch_list(s, &v, &cnt, &e) < 0) {
		hull_err_clear(&e);
		return 0;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (!used && !strcmp(v[i].image_id, image_id)) {
			snprintf(container, n, "%s", v[i].name);
			used = 1;
		}
		hull_launched_clear(&v[i]);
	}
	free(v);
	return used;
}

static int rt_init(struct hull_runtime *rt, hull_err *err)
{
	hull_runtime_init(rt, g_opts.root, err);
	rt->systemd_cgroup = g_opts.systemd_cgroup;
	rt->rootless = g_opts.rootless;
	return cli_admission_setup(rt, err);
}

struct launch_args {
	struct hull_launch_opts o;
	const char *image;
	const char *policy;
	const char *pull; /* missing, always, never */
	struct hull_pull_opts po;
	char **env, **vols, **entry;
	char *verified_by; /* what vouched for the image under the trust policy */
};

static void launch_args_free(struct launch_args *a)
{
	hull_strv_free(a->env);
	hull_strv_free(a->vols);
	hull_strv_free(a->entry);
	free(a->verified_by);
}

static int parse_launch(int argc, char **argv, struct launch_args *a)
{
	static const struct option opts[] = {{"rm", no_argument, 0, 'R'},
					     {"name", required_argument, 0, 'n'},
					     {"detach", no_argument, 0, 'd'},
					     {"tty", no_argument, 0, 't'},
					     {"interactive", no_argument, 0, 'i'},
					     {"env", required_argument, 0, 'e'},
					     {"volume", required_argument, 0, 'v'},
					     {"user", required_argument, 0, 'u'},
					     {"workdir", required_argument, 0, 'w'},
					     {"entrypoint", required_argument, 0, 'E'},
					     {"hostname", required_argument, 0, 'H'},
					     {"read-only", no_argument, 0, 'r'},
					     {"memory", required_argument, 0, 'm'},
					     {"pids-limit", required_argument, 0, 'P'},
					     {"network", required_argument, 0, 'N'},
					     {"net", required_argument, 0, 'N'},
					     {"policy", required_argument, 0, 'p'},
					     {"pull", required_argument, 0, 'L'},
					     {"tls-verify", optional_argument, 0, 'T'},
					     {"devices", required_argument, 0, 'D'},
					     IMAGE_LIMIT_OPTIONS,
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	uint64_t mem;
	int c;
	memset(a, 0, sizeof *a);
	a->pull = "missing";
	hull_pull_opts_default(&a->po);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+dtie:v:u:w:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			a->o.rm = true;
			break;
		case 'n':
			a->o.name = optarg;
			break;
		case 'd':
			a->o.detach = true;
			break;
		case 't':
			a->o.terminal = true;
			break;
		case 'i':
			break; /* stdin is always passed through in the foreground */
		case 'e':
			if (hull_strv_push(&a->env, optarg) < 0)
				return cli_errorf("launch: out of memory");
			break;
		case 'v':
			if (hull_strv_push(&a->vols, optarg) < 0)
				return cli_errorf("launch: out of memory");
			break;
		case 'u':
			a->o.user = optarg;
			break;
		case 'w':
			a->o.workdir = optarg;
			break;
		case 'E':
			hull_strv_free(a->entry);
			a->entry = NULL;
			if (*optarg && hull_strv_push(&a->entry, optarg) < 0)
				return cli_errorf("launch: out of memory");
			if (!*optarg && !(a->entry = calloc(1, sizeof(char *))))
				return cli_errorf("launch: out of memory");
			break;
		case 'H':
			a->o.hostname = optarg;
			break;
		case 'r':
			a->o.read_only = true;
			break;
		case 'm':
			if (image_cli_size(optarg, &mem) < 0 || mem < 4096 * 64 || mem > INT64_MAX)
				return cli_errorf("launch: --memory \"%s\": a size of at least "
						  "256k (e.g. 64m, 1g)",
						  optarg);
			a->o.memory = (int64_t)mem;
			break;
		case 'P': {
			int64_t n;
			if (hull_parse_i64(optarg, &n) < 0 || n <= 0)
				return cli_errorf("launch: --pids-limit must be a positive number");
			a->o.pids_limit = n;
			break;
		}
		case 'N':
			if (!strcmp(optarg, "none"))
				a->o.network = HULL_NET_NONE;
			else if (!strcmp(optarg, "host"))
				a->o.network = HULL_NET_HOST;
			else if (!strcmp(optarg, "private"))
				a->o.network = HULL_NET_PRIVATE;
			else
				return cli_errorf(
				    "launch: --network must be none, host or private");
			break;
		case 'p':
			a->policy = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "missing") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never"))
				return cli_errorf(
				    "launch: --pull must be missing, always or never");
			a->pull = optarg;
			break;
		case 'T':
			a->po.reg.tls_verify = !optarg || !strcmp(optarg, "true");
			break;
		case 'D':
			if (image_cli_devices(optarg, &a->po.unpack))
				return 1;
			break;
		case IMAGE_OPT_MAX_LAYER:
		case IMAGE_OPT_MAX_ENTRIES:
		case IMAGE_OPT_MAX_FILE:
			if (image_cli_limit(c, optarg, &a->po.unpack))
				return 1;
			break;
		case 'h':
			printf("usage: hull launch [--rm] [--name N] [-d] [-t] [-e K=V] [-v "
			       "SRC:DST[:ro]]\n"
			       "                   [--user U[:G]] [-w DIR] [--entrypoint CMD] "
			       "[--read-only]\n"
			       "                   [--memory M] [--pids-limit N] [--network "
			       "none|host|private]\n"
			       "                   [--pull missing|always|never] "
			       "[--tls-verify=false]\n"
			       "                   [--policy FILE] IMAGE [CMD...]\n");
			exit(0);
		default:
			return 1;
		}
	}
	if (optind >= argc)
		return cli_errorf(
		    "launch: missing image (usage: hull launch [OPTIONS] IMAGE [CMD...])");
	if (a->o.detach && a->o.terminal)
		return cli_errorf(
		    "launch: -d with -t needs a terminal to attach to later; hull has no "
		    "attach: use -d alone");
	a->image = argv[optind];
	a->o.cmd = optind + 1 < argc ? argv + optind + 1 : NULL;
	a->o.env = a->env;
	a->o.volumes = a->vols;
	a->o.entrypoint = a->entry;
	return 0;
}

/* The hardened spec, mapped to `base` (the range reserved for this container). */
static int gen_spec(uint32_t base, json_object **out, hull_err *err)
{
	struct hull_spec_gen_opts go = {.profile = HULL_PROFILE_HARDENED};
	_cleanup_free_ char *sc =
	    strndup((const char *)hull_seccomp_hardened_json, hull_seccomp_hardened_json_len);
	if (!sc)
		return hull_fail(err, ENOMEM, "spec");
	go.host_uid = go.host_gid = base;
	go.seccomp_json = sc;
	go.native_arch = hull_seccomp_native_arch();
	return hull_spec_generate(&go, out, err);
}

/* Report from the detached monitor to the waiting parent: "ok" or the error text. */
static void notify(int fd, const char *msg)
{
	if (fd >= 0) {
		hull_write_all(fd, msg, strlen(msg));
		close(fd);
	}
}

static int finish(struct hull_store *s, struct hull_launched *c, int status, hull_err *err)
{
	hull_launch_umount(c);
	free(c->status);
	c->status = strdup("exited");
	c->exit_code = status;
	if (c->rm)
		return hull_launch_remove(s, c, err);
	return hull_launch_save(s, c, err);
}

/* Mount, build the spec, run. notify_fd >= 0: we are the detached monitor. Returns the
 * container's exit status, or -1 with err. */
static int run_launched(struct hull_store *s, const struct hull_image *im, struct hull_launched *c,
			const struct launch_args *a, int notify_fd, hull_err *err)
{
	_cleanup_json_ json_object *spec = NULL;
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *text = NULL, *rootfs = NULL;
	struct hull_manifest *m = NULL;
	struct hull_image_config *cfg = NULL;
	struct hull_runtime rt;
	bool rt_ok = false;
	struct hull_create_opts co = {0};
	uint32_t uid = 0, gid = 0, base = 0;
	int status = -1, lk;

	lk = hull_launch_lock(s, c->id, true, err);
	if (lk < 0)
		goto fail;
	if (rt_init(&rt, err) < 0)
		goto fail;
	rt_ok = true;
	/* A host range of this container's own (org.hull.userns=auto), reserved now because the
	 * upper dir must belong to the container's root before create. */
	if (hull_container_reserve_userns(&rt, c->id, &base, err) < 0 ||
	    gen_spec(base, &spec, err) < 0 || hull_store_image_load(s, im, &m, &cfg, err) < 0)
		goto fail;
	if (hull_spec_root_ids(spec, &uid, &gid) < 0)
		uid = gid = 0;
	/* Every layer is the one unpacked from its verified blob (a changed file is refused). */
	if (image_cli_integrity_check(s, im, m, cfg, &a->po.unpack, err) < 0 ||
	    hull_launch_mount(s, c, uid, gid, err) < 0)
		goto fail;
	rootfs = hull_strdup_printf("%s/rootfs", c->dir);
	rootfd = rootfs ? open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (rootfd < 0) {
		hull_fail(err, errno, "open rootfs");
		goto fail;
	}
	if (hull_launch_spec(spec, cfg, c, &a->o, rootfd, err) < 0)
		goto fail;
	{
		/* What ran, for admission (images.allowedDigests) and audits: the manifest digest
		 * (what signatures and name@digest references name) and the image id. */
		json_object *ann = NULL;
		if (json_object_object_get_ex(spec, "annotations", &ann)) {
			if (im->manifest)
				hull_json_add_str(ann, "io.hull.image.digest", im->manifest);
			if (im->id)
				hull_json_add_str(ann, "io.hull.image.id", im->id);
			if (a->verified_by)
				hull_json_add_str(ann, "io.hull.image.verified-by", a->verified_by);
		}
	}
	text = hull_json_dump(spec, false);
	if (!text) {
		hull_fail(err, ENOMEM, "launch spec");
		goto fail;
	}
	free(c->status);
	c->status = strdup("running");
	if (hull_launch_save(s, c, err) < 0)
		goto fail;
	co.id = c->id;
	co.bundle = c->dir;
	co.config = text;
	co.config_len = strlen(text);
	if (notify_fd < 0) {
		if (hull_container_run(&rt, &co, false, &status, err) < 0)
			goto fail;
	} else {
		json_object *st = NULL, *pidv;
		pid_t pid = 0;
		int ws;
		if (hull_container_run(&rt, &co, true, &status, err) < 0)
			goto fail;
		if (hull_container_state(&rt, c->id, &st, err) == 0 &&
		    json_object_object_get_ex(st, "pid", &pidv))
			pid = (pid_t)json_object_get_int(pidv);
		if (st)
			json_object_put(st);
		hull_err_clear(err);
		notify(notify_fd, "ok");
		notify_fd = -1;
		/* We are the init's parent: its exit status is ours to record. */
		while (pid > 0 && waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		status = pid <= 0 ? 255 : WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		{
			hull_err e = HULL_ERR_INIT;
			hull_container_delete(&rt, c->id, true, &e);
			hull_err_clear(&e);
		}
	}
	hull_runtime_release(&rt);
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	if (finish(s, c, status, err) < 0)
		return -1;
	close(lk);
	return status;
fail:
	if (notify_fd >= 0) {
		_cleanup_free_ char *msg =
		    hull_strdup_printf("error:%s", err->msg ? err->msg : "failed");
		notify(notify_fd, msg ? msg : "error:failed");
	}
	if (rt_ok) {
		hull_container_unreserve(&rt, c->id);
		hull_runtime_release(&rt);
	}
	hull_manifest_free(m);
	hull_image_config_free(cfg);
	{
		hull_err e = HULL_ERR_INIT;
		c->rm = true; /* a container that never ran leaves nothing behind */
		finish(s, c, -1, &e);
		hull_err_clear(&e);
	}
	if (lk >= 0)
		close(lk);
	return -1;
}

/* -d: a monitor process (this program, forked, never exec'd) runs the container with its output
 * in containers/<id>/ctr.log, records the exit status and cleans up; the parent returns once
 * the container started. */
static int launch_detached(struct hull_store *s, const struct hull_image *im,
			   struct hull_launched *c, const struct launch_args *a)
{
	int p[2];
	pid_t pid;
	char buf[4096];
	ssize_t n, total = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return cli_errorf("launch: pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return cli_errorf("launch: fork: %s", strerror(errno));
	if (pid == 0) {
		hull_err err = HULL_ERR_INIT;
		_cleanup_free_ char *log = hull_strdup_printf("%s/ctr.log", c->dir);
		int lfd, nfd;
		close(p[0]);
		setsid();
		lfd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640) : -1;
		nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (lfd < 0 || nfd < 0) {
			notify(p[1], "error:cannot open the container log");
			_exit(1);
		}
		dup2(nfd, 0);
		dup2(lfd, 1);
		dup2(lfd, 2);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		if (run_launched(s, im, c, a, p[1], &err) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while ((n = read(p[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0)
			total += n;
	close(p[0]);
	buf[total] = '\0';
	if (strcmp(buf, "ok")) {
		waitpid(pid, NULL, 0);
		return cli_errorf("%s", hull_str_has_prefix(buf, "error:")
					    ? buf + 6
					    : "launch: the container did not start");
	}
	printf("%s\n", c->id);
	return 0;
}

static int cmd_launch(int argc, char **argv)
{
	struct launch_args a;
	struct hull_store s;
	struct hull_image im = {0};
	struct hull_launched c = {0};
	hull_err err = HULL_ERR_INIT;
	int rc;

	if (parse_launch(argc, argv, &a)) {
		launch_args_free(&a);
		return 1;
	}
	if (image_cli_store(&s)) {
		launch_args_free(&a);
		return 1;
	}
	/* An image in the store runs without contacting any registry. */
	if (strcmp(a.pull, "always") && hull_store_image_find(&s, a.image, &im, &err) == 0) {
		rc = 0;
	} else if (!strcmp(a.pull, "never") ||
		   (hull_err_set(&err) && err.kind != HULL_ERR_NOTFOUND)) {
		rc = cli_error(&err);
		goto out;
	} else {
		hull_err_clear(&err);
		rc = image_cli_pull(a.image, &a.po, !isatty(2), a.policy, &s, &im);
		if (rc)
			goto out;
	}
	if (image_cli_trust_check(&s, a.policy, a.image, &im, &a.po, &a.verified_by, &err) < 0 ||
	    hull_image_ensure_layers(&s, &im, &a.po.unpack, &err) < 0 ||
	    hull_launch_create(&s, &im, a.image, &a.o, &c, &err) < 0) {
		rc = cli_error(&err);
		goto out;
	}
	/* From here the record protects the layers: prune must not wait for this container. */
	hull_store_release_gc(&s);
	if (a.o.detach) {
		rc = launch_detached(&s, &im, &c, &a);
	} else {
		rc = run_launched(&s, &im, &c, &a, -1, &err);
		if (rc < 0)
			rc = cli_error(&err);
	}
out:
	hull_launched_clear(&c);
	hull_image_clear(&im);
	hull_store_close(&s);
	launch_args_free(&a);
	hull_err_clear(&err);
	return rc;
}

/* A container is alive while its launcher (foreground hull or the -d monitor) holds its lock. */
static bool is_alive(struct hull_store *s, const char *id)
{
	hull_err e = HULL_ERR_INIT;
	int fd = hull_launch_lock(s, id, false, &e);
	hull_err_clear(&e);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return true;
}

static const char *status_of(struct hull_store *s, const struct hull_launched *c, char *buf,
			     size_t n)
{
	if (is_alive(s, c->id))
		return "running";
	if (c->status && !strcmp(c->status, "exited")) {
		snprintf(buf, n, "exited (%d)", c->exit_code);
		return buf;
	}
	return c->status && !strcmp(c->status, "running") ? "unknown (launcher died)" : "created";
}

static int cmd_launch_ps(int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, 0, 'a'},
					     {"quiet", no_argument, 0, 'q'},
					     {"format", required_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     OPT_END};
	struct hull_store s;
	struct hull_launched *v;
	size_t n;
	hull_err err = HULL_ERR_INIT;
	bool all = false, quiet = false, json = false;
	json_object *arr = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+aqf:h", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'f') {
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_errorf("ps: --format must be table or json");
			json = !strcmp(optarg, "json");
		} else if (c == 'h') {
			printf("usage: hull ps [-a] [-q] [--format table|json]   (launched "
			       "containers)\n");
			return 0;
		} else
			return 1;
	}
	if (image_cli_store(&s))
		return 1;
	if (hull_launch_list(&s, &v, &n, &err) < 0) {
		hull_store_close(&s);
		return cli_error(&err);
	}
	if (json)
		arr = json_object_new_array();
	else if (!quiet)
		printf("%-12s  %-30s  %-24s  %-20s  %-18s  %s\n", "CONTAINER ID", "IMAGE",
		       "COMMAND", "CREATED", "STATUS", "NAMES");
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		const char *st = status_of(&s, &v[i], buf, sizeof buf);
		bool running = !strcmp(st, "running");
		if (all || running) {
			if (json) {
				json_object *o = json_object_new_object();
				hull_json_add_str(o, "Id", v[i].id);
				hull_json_add_str(o, "Name", v[i].name);
				hull_json_add_str(o, "Image", v[i].image_ref ? v[i].image_ref : "");
				hull_json_add_str(o, "ImageID", v[i].image_id);
				hull_json_add_str(o, "Command", v[i].command ? v[i].command : "");
				hull_json_add_str(o, "Created", v[i].created ? v[i].created : "");
				hull_json_add_str(o, "State", running ? "running" : v[i].status);
				hull_json_add_int(o, "ExitCode", v[i].exit_code);
				json_object_array_add(arr, o);
			} else if (quiet) {
				printf("%.12s\n", v[i].id);
			} else {
				printf("%-12.12s  %-30.30s  %-24.24s  %-20.19s  %-18s  %s\n",
				       v[i].id, v[i].image_ref ? v[i].image_ref : "",
				       v[i].command ? v[i].command : "",
				       v[i].created ? v[i].created : "", st, v[i].name);
			}
		}
		hull_launched_clear(&v[i]);
	}
	free(v);
	if (arr) {
		printf("%s\n", json_object_to_json_string_ext(
				   arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	hull_store_close(&s);
	return 0;
}

static int cmd_logs(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, OPT_END};
	struct hull_store s;
	struct hull_launched c;
	hull_err err = HULL_ERR_INIT;
	bool follow = false;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int fd = -1;
	int opt;
	char buf[65536];
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (opt == 'f')
			follow = true;
		else if (opt == 'h') {
			printf("usage: hull logs [-f] CONTAINER   (output of a container launched "
			       "with -d)\n");
			return 0;
		} else
			return 1;
	}
	if (optind + 1 != argc)
		return cli_errorf("logs: expected one container");
	if (image_cli_store(&s))
		return 1;
	if (hull_launch_find(&s, argv[optind], &c, &err) < 0) {
		hull_store_close(&s);
		return cli_error(&err);
	}
	path = hull_strdup_printf("%s/ctr.log", c.dir);
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	if (fd >= 0) {
		for (;;) {
			ssize_t n = read(fd, buf, sizeof buf);
			if (n > 0) {
				hull_write_all(1, buf, (size_t)n);
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (!follow || !is_alive(&s, c.id))
				break;
			usleep(100000);
		}
	} else if (c.detach) {
		hull_launched_clear(&c);
		hull_store_close(&s);
		return cli_errorf("logs: %s: no log yet", argv[optind]);
	}
	hull_launched_clear(&c);
	hull_store_close(&s);
	return 0;
}

/* Wait for the launcher to let go of the container (it records the exit and cleans up). */
static bool wait_released(struct hull_store *s, const char *id, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (!is_alive(s, id))
			return true;
		usleep(20000);
	}
	return false;
}

static int stop_one(struct hull_store *s, struct hull_runtime *rt, const struct hull_launched *c,
		    int timeout_s, hull_err *err)
{
	int sig = SIGTERM;
	json_object *st = NULL, *ann, *v;
	if (!is_alive(s, c->id))
		return 0;
	/* The image's StopSignal, recorded as an annotation at launch. */
	if (hull_container_state(rt, c->id, &st, err) == 0 &&
	    json_object_object_get_ex(st, "annotations", &ann) &&
	    json_object_object_get_ex(ann, "org.opencontainers.image.stopSignal", &v)) {
		int n = hull_signal_parse(json_object_get_string(v));
		if (n > 0)
			sig = n;
	}
	if (st)
		json_object_put(st);
	hull_err_clear(err);
	if (hull_container_kill(rt, c->id, sig, false, err) < 0) {
		if (err->kind != HULL_ERR_NOTFOUND && err->kind != HULL_ERR_STATE)
			return -1;
		hull_err_clear(err);
	}
	if (wait_released(s, c->id, timeout_s * 1000))
		return 0;
	/* A PID 1 without a handler for it ignores the signal: what docker and podman do next. */
	if (hull_container_kill(rt, c->id, SIGKILL, true, err) < 0) {
		if (err->kind != HULL_ERR_NOTFOUND && err->kind != HULL_ERR_STATE)
			return -1;
		hull_err_clear(err);
	}
	if (!wait_released(s, c->id, 10000))
		return hull_failk(err, HULL_ERR_STATE, 0, "container %s did not stop", c->name);
	return 0;
}

static int cmd_stop(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"time", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, OPT_END};
	struct hull_store s;
	struct hull_runtime rt;
	hull_err err = HULL_ERR_INIT;
	int timeout = 10, opt, rc = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+t:h", opts, NULL)) != -1) {
		if (opt == 't') {
			int64_t v;
			if (hull_parse_i64(optarg, &v) < 0 || v < 0 || v > 86400)
				return cli_errorf("stop: --time must be seconds");
			timeout = (int)v;
		} else if (opt == 'h') {
			printf("usage: hull stop [-t SECONDS] CONTAINER...\n");
			return 0;
		} else
			return 1;
	}
	if (optind >= argc)
		return cli_errorf("stop: expected a container");
	if (image_cli_store(&s))
		return 1;
	if (rt_init(&rt, &err) < 0) {
		hull_store_close(&s);
		return cli_error(&err);
	}
	for (int i = optind; i < argc; i++) {
		struct hull_launched c;
		if (hull_launch_find(&s, argv[i], &c, &err) < 0 ||
		    stop_one(&s, &rt, &c, timeout, &err) < 0) {
			rc = cli_error(&err);
			hull_err_clear(&err);
		} else {
			printf("%s\n", argv[i]);
		}
		hull_launched_clear(&c);
	}
	hull_runtime_release(&rt);
	hull_store_close(&s);
	return rc;
}

static int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, OPT_END};
	struct hull_store s;
	struct hull_runtime rt;
	hull_err err = HULL_ERR_INIT;
	bool force = false;
	int opt, rc = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (opt == 'f')
			force = true;
		else if (opt == 'h') {
			printf("usage: hull rm [-f] CONTAINER...   (launched containers)\n");
			return 0;
		} else
			return 1;
	}
	if (optind >= argc)
		return cli_errorf("rm: expected a container");
	if (image_cli_store(&s))
		return 1;
	if (rt_init(&rt, &err) < 0) {
		hull_store_close(&s);
		return cli_error(&err);
	}
	for (int i = optind; i < argc; i++) {
		struct hull_launched c = {0};
		int lk = -1;
		if (hull_launch_find(&s, argv[i], &c, &err) < 0)
			goto fail;
		if (is_alive(&s, c.id)) {
			if (!force) {
				hull_failk(&err, HULL_ERR_STATE, 0,
					   "container %s is running: stop it first or use rm -f",
					   c.name);
				goto fail;
			}
			if (stop_one(&s, &rt, &c, 0, &err) < 0)
				goto fail;
		}
		lk = hull_launch_lock(&s, c.id, true, &err);
		if (lk < 0)
			goto fail;
		{
			hull_err e = HULL_ERR_INIT;
			hull_container_delete(&rt, c.id, true, &e);
			hull_err_clear(&e);
		}
		if (hull_launch_remove(&s, &c, &err) < 0)
			goto fail;
		printf("%s\n", argv[i]);
		close(lk);
		hull_launched_clear(&c);
		continue;
	fail:
		if (lk >= 0)
			close(lk);
		if (err.kind == HULL_ERR_NOTFOUND && c.id) {
			/* --rm containers remove themselves while we wait. */
			hull_err_clear(&err);
			printf("%s\n", argv[i]);
		} else {
			rc = cli_error(&err);
		}
		hull_err_clear(&err);
		hull_launched_clear(&c);
	}
	hull_runtime_release(&rt);
	hull_store_close(&s);
	return rc;
}

CLI_COMMAND("launch", cmd_launch, "run an image: pull if missing, hardened spec, overlay rootfs")
CLI_COMMAND("launch-ps", cmd_launch_ps, "list launched containers (hull ps)")
CLI_COMMAND("logs", cmd_logs, "print the output of a container launched with -d")
CLI_COMMAND("stop", cmd_stop, "stop a launched container")
CLI_COMMAND("rm", cmd_rm, "remove a launched container")
