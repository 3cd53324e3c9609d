/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `hull audit` (containers, bundles, other runtimes' containers, the host; images are handed
 * to hull-toolkit.so) and the runtime's admission hook with its audit log. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "audit/admission.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "cli/audit_print.h"
#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "oci/spec.h"
#include "runtime/container.h"
#include "runtime/state.h"

/* --- admission ---------------------------------------------------------------------------- */

struct admission_setup {
	const char *path;
	bool explicit_path; /* --admission: the file must exist */
};

static void audit_log_file(const char *path, const char *line, size_t len)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int fd;
	if (slash && slash != dir) {
		*slash = '\0';
		/* /var/log/hull may not exist on a fresh host; its parent must. */
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			hull_warn("admission audit log %s: %s", dir, strerror(errno));
	}
	/* O_NOFOLLOW: a planted symlink must not turn root's log write into a file overwrite. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		hull_warn("admission audit log %s: %s", path, strerror(errno));
		return;
	}
	/* One write of one line: O_APPEND keeps concurrent creates' records whole. */
	if (hull_write_all(fd, line, len) < 0)
		hull_warn("admission audit log %s: write failed", path);
	close(fd);
}

static void audit_record(const struct hull_admission_policy *p,
			 const struct hull_admission_decision *d, const char *id,
			 const char *bundle, const char *policy_path)
{
	char ts[64], comm[64] = "", procp[64];
	struct hull_admission_context ctx = {
	    .id = id, .bundle = bundle, .policy_path = policy_path};
	_cleanup_json_ json_object *rec = NULL;
	_cleanup_free_ char *line = NULL;
	size_t len;
	int fd;

	hull_rfc3339_now(ts, sizeof ts);
	ctx.time = ts;
	ctx.uid = (uint32_t)getuid();
	ctx.caller_pid = (int32_t)getppid();
	/* The caller's name says which engine asked: conmon, containerd-shim, podman, a shell. */
	snprintf(procp, sizeof procp, "/proc/%d/comm", (int)ctx.caller_pid);
	fd = open(procp, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, comm, sizeof comm - 1);
		close(fd);
		if (n > 0) {
			comm[n] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			ctx.caller_comm = comm;
		}
	}
	rec = hull_admission_record(d, &ctx);
	if (!rec)
		return;
	line = strdup(json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	if (!line)
		return;
	len = strlen(line);
	if (p->syslog) {
		static const int prio[] = {LOG_NOTICE, LOG_WARNING, LOG_ERR};
		openlog("hull", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
		syslog(prio[d->verdict], "admission %s", line);
		closelog();
	}
	if (p->audit_log) {
		char *nl = realloc(line, len + 2);
		if (!nl)
			return;
		line = nl;
		line[len++] = '\n';
		line[len] = '\0';
		audit_log_file(p->audit_log, line, len);
	}
}

/* The image store whose verification records images.requireSignature reads: the same choice
 * as hull_store_default_root() (lib/image/store.c, not linked into the runtime binary). */
static const char *admission_storage_root(void)
{
	static char buf[PATH_MAX];
	const char *e = getenv("HULL_STORAGE"), *xdg = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");
	if (g_opts.storage_root && *g_opts.storage_root)
		return g_opts.storage_root;
	if (e && *e)
		return e;
	if (geteuid() == 0)
		return "/var/lib/hull";
	if (xdg && *xdg == '/')
		snprintf(buf, sizeof buf, "%s/hull", xdg);
	else
		snprintf(buf, sizeof buf, "%s/.local/share/hull", home && *home ? home : "/tmp");
	return buf;
}

static int admission_hook(const struct hull_spec *spec, const char *id, const char *bundle,
			  void *data, hull_err *err)
{
	const struct admission_setup *st = data;
	struct hull_admission_policy *p = NULL;
	struct hull_admission_decision *d;
	struct hull_audit_host_facts facts;
	_cleanup_free_ char *msg = NULL;
	int rc = 0;

	if (!st->explicit_path && access(st->path, F_OK) < 0 && errno == ENOENT)
		return 0; /* no system policy: admission is off */
	/* A policy that exists but cannot be read or parsed refuses: failing open would let a
	 * corrupted file switch enforcement off. */
	if (hull_admission_policy_load(st->path, &p, err) < 0)
		return hull_wrap(err, "admission (refusing every container until fixed)");
	if (p->mode == HULL_ADMISSION_OFF) {
		hull_admission_policy_free(p);
		return 0;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		hull_admission_policy_free(p);
		return hull_fail(err, ENOMEM, "admission");
	}
	hull_audit_host_facts_probe(&facts);
	facts.storage_root = admission_storage_root();
	hull_admission_evaluate(p, spec, &facts, d);
	audit_record(p, d, id, bundle, st->path);
	if (d->verdict != HULL_VERDICT_ALLOW) {
		msg = hull_admission_message(d, id, st->path);
		if (d->verdict == HULL_VERDICT_DENY)
			rc = hull_failk(err, HULL_ERR_REJECTED, 0, "%s",
					msg ? msg : "admission refused");
		else
			hull_warn("%s", msg ? msg : "admission warning");
	}
	free(d);
	hull_admission_policy_free(p);
	return rc;
}

/* Strong definition of the weak default in cli/runtime.c. No file is touched here: runtime
 * commands other than create/run never pay for (or fail on) the policy. */
int cli_admission_setup(struct hull_runtime *rt, hull_err *err)
{
	static struct admission_setup st;
	(void)err;
	st.explicit_path = g_opts.admission && *g_opts.admission;
	st.path = st.explicit_path ? g_opts.admission : HULL_ADMISSION_DEFAULT_PATH;
	rt->admission = admission_hook;
	rt->admission_data = &st;
	return 0;
}

/* --- hull audit --------------------------------------------------------------------------- */

#define AUDIT_EXIT_FAILED 3 /* the audit ran and at least one check failed */

static int load_config_at(int dirfd, const char *name, const char *what, struct hull_spec **out,
			  hull_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (hull_read_file_at(dirfd, name, O_NOFOLLOW, HULL_SPEC_MAX_SIZE, &data, &len, err) < 0)
		return hull_wrap(err, "%s", what);
	return hull_spec_parse(data, len, what, out, err);
}

/* A bundle directory, or a config.json file itself. */
static int load_path(const char *path, struct hull_spec **out, char **label, hull_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return hull_fail(err, errno, "%s", path);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return hull_fail(err, errno, "%s", path);
		*label = hull_strdup_printf("%s/config.json", path);
		return load_config_at(dfd, "config.json", *label, out, err);
	}
	*label = strdup(path);
	return load_config_at(AT_FDCWD, path, path, out, err);
}

/* Another runtime's container: crun and hull keep a copy of config.json in the state
 * directory; runc records the bundle in state.json's labels, crun in its status file. The state
 * files are that runtime's, so they are read as untrusted, bounded, without following links. */
static int load_runtime_container(const char *root, const char *id, struct hull_spec **out,
				  char **label, hull_err *err)
{
	_cleanup_close_ int rfd = -1, dfd = -1, bfd = -1;
	_cleanup_free_ char *data = NULL;
	_cleanup_json_ json_object *o = NULL;
	const char *bundle = NULL;
	size_t len = 0;

	if (hull_id_validate(id, err) < 0)
		return -1;
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno,
				  "runtime root %s", root);
	dfd = openat(rfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return hull_failk(err, errno == ENOENT ? HULL_ERR_NOTFOUND : 0, errno,
				  "container \"%s\" in %s", id, root);
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		*label = hull_strdup_printf("%s/%s/config.json", root, id);
		return load_config_at(dfd, "config.json", *label, out, err);
	}
	if (hull_read_file_at(dfd, "state.json", O_NOFOLLOW, 16u << 20, &data, &len, err) == 0) {
		json_object *cfg, *labels;
		if (hull_json_parse(data, len, "state.json", &o, err) < 0)
			return hull_wrap(err, "%s/%s", root, id);
		if (json_object_object_get_ex(o, "config", &cfg) &&
		    json_object_object_get_ex(cfg, "labels", &labels) &&
		    json_object_is_type(labels, json_type_array))
			for (size_t i = 0; i < json_object_array_length(labels); i++) {
				json_object *l = json_object_array_get_idx(labels, i);
				if (json_object_is_type(l, json_type_string) &&
				    hull_str_has_prefix(json_object_get_string(l), "bundle="))
					bundle = json_object_get_string(l) + strlen("bundle=");
			}
	} else {
		hull_err_clear(err);
		if (hull_read_file_at(dfd, "status", O_NOFOLLOW, 1u << 20, &data, &len, err) < 0)
			return hull_wrap(err, "%s/%s: neither config.json, state.json nor status",
					 root, id);
		if (hull_json_parse(data, len, "status", &o, err) < 0)
			return hull_wrap(err, "%s/%s", root, id);
		bundle = hull_json_get_str(o, "bundle");
	}
	if (!bundle || bundle[0] != '/')
		return hull_failk(err, HULL_ERR_INVALID, 0,
				  "%s/%s: the state names no absolute bundle path", root, id);
	bfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return hull_fail(err, errno, "bundle %s of container %s", bundle, id);
	*label = hull_strdup_printf("%s/config.json", bundle);
	return load_config_at(bfd, "config.json", *label, out, err);
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: hull audit [--standard cis|pss-baseline|pss-restricted|hull|all]\n"
	    "                  [--format table|json|sarif] [--runtime-root DIR] TARGET\n"
	    "       hull audit --list\n"
	    "TARGET: a bundle directory or config.json, a hull container id, a container of the\n"
	    "runtime whose state root is --runtime-root (/run/crun, /run/runc), an image\n"
	    "(NAME:TAG in the store, or oci:DIR[:TAG]), or `host`. Exit status: 0 no check "
	    "failed,\n3 a check failed, 1 "
	    "error.\n");
}

static int list_checks(enum audit_format fmt)
{
	const struct hull_audit_check *c;
	size_t n = hull_audit_checks(&c);
	if (fmt == AUDIT_FORMAT_JSON) {
		_cleanup_json_ json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_new_object();
			hull_json_add_str(o, "id", c[i].id);
			hull_json_add_str(o, "title", c[i].title);
			if (c[i].cis)
				hull_json_add_str(o, "cis", c[i].cis);
			if (c[i].pss)
				hull_json_add_str(o, "pss", c[i].pss);
			hull_json_add_str(o, "severity", hull_audit_severity_name(c[i].severity));
			hull_json_add_str(o, "remediation", c[i].remediation);
			json_object_array_add(arr, o);
		}
		for (size_t i = 0; i < hull_policy_n_checks; i++) {
			json_object *o = json_object_new_object();
			hull_json_add_str(o, "id", hull_policy_checks[i].id);
			hull_json_add_str(o, "title", hull_policy_checks[i].title);
			hull_json_add_str(o, "severity",
					  hull_audit_severity_name(hull_policy_checks[i].severity));
			hull_json_add_str(o, "remediation", hull_policy_checks[i].remediation);
			json_object_array_add(arr, o);
		}
		printf("%s\n", json_object_to_json_string_ext(
				   arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
		return 0;
	}
	printf("%-36s %-6s %-26s %-9s %s\n", "ID", "CIS", "PSS", "SEVERITY", "TITLE");
	for (size_t i = 0; i < n; i++)
		printf("%-36s %-6s %-26s %-9s %s\n", c[i].id, c[i].cis ? c[i].cis : "-",
		       c[i].pss ? c[i].pss : "-", hull_audit_severity_name(c[i].severity),
		       c[i].title);
	for (size_t i = 0; i < hull_policy_n_checks; i++)
		printf("%-36s %-6s %-26s %-9s %s\n", hull_policy_checks[i].id, "-", "-",
		       hull_audit_severity_name(hull_policy_checks[i].severity),
		       hull_policy_checks[i].title);
	return 0;
}

/* "name:tag", "host/repo", "repo@sha256:..." (a bare "alpine" is taken for a container id). */
static bool looks_like_image(const char *t)
{
	return strchr(t, ':') || strchr(t, '@') || strchr(t, '/');
}

/* Images are read by the toolkit (image store, digests, layers): hand the whole command over. */
static int audit_image(int argc, char **argv)
{
	const struct hull_cmd *img;
	hull_err err = HULL_ERR_INIT;
	if (cli_load_toolkit(&err) < 0)
		return cli_error(&err);
	img = cli_find("audit-image");
	if (!img)
		return cli_errorf("audit: this hull-toolkit.so cannot audit images");
	return img->fn(argc, argv);
}

static int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {{"standard", required_argument, 0, 's'},
					     {"format", required_argument, 0, 'f'},
					     {"runtime-root", required_argument, 0, 'r'},
					     {"list", no_argument, 0, 'l'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	unsigned standards = HULL_STD_ALL;
	enum audit_format fmt = AUDIT_FORMAT_TABLE;
	const char *runtime_root = NULL, *target;
	bool list = false;
	struct hull_spec *spec = NULL;
	_cleanup_free_ char *label = NULL;
	_cleanup_free_ struct hull_audit_report *r = NULL;
	hull_err err = HULL_ERR_INIT;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:f:r:lh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			standards = hull_audit_standard_parse(optarg);
			if (!standards)
				return cli_errorf(
				    "audit: unknown standard \"%s\" (cis, pss-baseline, "
				    "pss-restricted, hull or all)",
				    optarg);
			break;
		case 'f':
			if (audit_format_parse(optarg, &fmt) < 0)
				return cli_errorf(
				    "audit: unknown format \"%s\" (table, json or sarif)", optarg);
			break;
		case 'r':
			runtime_root = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 1;
		}
	}
	if (list)
		return list_checks(fmt);
	if (optind + 1 != argc) {
		usage(stderr);
		return 1;
	}
	target = argv[optind];
	r = calloc(1, sizeof *r);
	if (!r)
		return cli_errorf("audit: out of memory");

	if (!runtime_root && !strcmp(target, "host")) {
		struct hull_audit_host_opts ho = {.state_root = g_opts.root,
						  .storage_root = g_opts.storage_root,
						  .admission_file = g_opts.admission};
		hull_audit_host(&ho, r);
		return audit_print(r, "host", fmt);
	}
	if (!runtime_root && hull_str_has_prefix(target, "oci:"))
		return audit_image(argc, argv);
	if (runtime_root) {
		rc = load_runtime_container(runtime_root, target, &spec, &label, &err);
	} else if (target[0] == '/' || target[0] == '.' || access(target, F_OK) == 0) {
		rc = load_path(target, &spec, &label, &err);
	} else {
		const char *root = g_opts.root ? g_opts.root : HULL_DEFAULT_STATE_ROOT;
		hull_err e2 = HULL_ERR_INIT;
		rc = load_runtime_container(root, target, &spec, &label, &e2);
		/* Not a container of ours (absent, or not even a valid id): an image reference? */
		if (rc < 0 && (e2.kind == HULL_ERR_NOTFOUND || e2.kind == HULL_ERR_INVALID) &&
		    looks_like_image(target)) {
			hull_err_clear(&e2);
			return audit_image(argc, argv);
		}
		if (rc < 0 && e2.kind == HULL_ERR_NOTFOUND) {
			hull_err_clear(&e2);
			return cli_errorf(
			    "audit: \"%s\" is not a bundle, a config.json, a container "
			    "in %s, an image (NAME:TAG, oci:DIR) or `host`",
			    target, root);
		}
		hull_err_move(&err, &e2);
	}
	if (rc < 0)
		return cli_error(&err);
	{
		struct hull_audit_host_facts facts;
		hull_audit_host_facts_probe(&facts);
		hull_audit_container(spec, &facts, standards, r);
	}
	hull_spec_free(spec);
	return audit_print(r, label, fmt);
}

CLI_COMMAND("audit", cmd_audit, "check containers, bundles, images or the host (CIS, PSS)")
