/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container init: runs in the cloned child, sets up namespaces, the rootfs and the process
 * identity, waits for `start`, then execs the user's program through the sealed exec stub.
 * Every failure is sent to the parent as a structured message; this process never prints. */
#include "runtime/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/path.h"
#include "core/util.h"
#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/identity.h"
#include "runtime/landlock.h"
#include "runtime/userns.h"
#include "runtime/mounts.h"
#include "runtime/state.h"
#include "runtime/sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

extern const unsigned char hull_exec_stub[];
extern const size_t hull_exec_stub_len;

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

__attribute__((noreturn)) static void die(struct hull_init_args *a, hull_err *e)
{
	hull_sync_send_err(a->sync_fd, e);
	_exit(1);
}

/* A sealed, executable memfd holding the exec stub (see stub/stub.c for why). */
static int make_stub(hull_err *err)
{
	int fd = memfd_create("hull-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("hull-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hull_fail(err, errno, "exec stub: memfd_create");
	if (hull_write_all(fd, hull_exec_stub, hull_exec_stub_len) < 0 ||
	    fchmod(fd, 0555) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int e = errno;
		close(fd);
		return hull_fail(err, e, "exec stub: seal");
	}
	return fd;
}

/* A private procfs instance: writes to procfs go through it, never through a path in the
 * container that a racing mount could redirect (CVE-2025-52881). */
static int private_proc(hull_err *err)
{
	int fd = hull_fs_new("proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, "private procfs", err);
	struct statfs sf;
	if (fd < 0)
		return -1;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return hull_fail(err, EPERM, "private procfs is not procfs");
	}
	return fd;
}

static int proc_open(int procfd, const char *path, int flags, hull_err *err)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS};
	int fd = (int)syscall(SYS_openat2, procfd, path, &how, sizeof how);
	if (fd < 0 && errno == ENOSYS)
		fd = openat(procfd, path, flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hull_fail(err, errno, "open /proc/%s", path);
	return fd;
}

static int apply_sysctls(const struct hull_spec *s, hull_err *err)
{
	_cleanup_close_ int procfd = -1;
	if (!s->n_sysctl)
		return 0;
	procfd = private_proc(err);
	if (procfd < 0)
		return hull_wrap(err, "sysctl");
	for (size_t i = 0; i < s->n_sysctl; i++) {
		char path[512];
		_cleanup_close_ int fd = -1;
		ssize_t r;
		snprintf(path, sizeof path, "sys/%s", s->sysctl[i].key);
		for (char *p = path + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = proc_open(procfd, path, O_WRONLY, err);
		if (fd < 0)
			return hull_wrap(err, "sysctl %s", s->sysctl[i].key);
		r = hull_write_all(fd, s->sysctl[i].value, strlen(s->sysctl[i].value));
		if (r < 0)
			return hull_fail(err, (int)-r, "sysctl %s=%s", s->sysctl[i].key, s->sysctl[i].value);
	}
	return 0;
}

static char *state_json(struct hull_init_args *a, pid_t pid, const char *status)
{
	json_object *o = json_object_new_object();
	char *s;
	if (!o)
		return NULL;
	hull_json_add_str(o, "ociVersion", HULL_OCI_VERSION);
	hull_json_add_str(o, "id", a->id);
	hull_json_add_str(o, "status", status);
	hull_json_add_int(o, "pid", pid);
	hull_json_add_str(o, "bundle", a->bundle);
	if (a->spec->n_annotations) {
		json_object *an = json_object_new_object();
		for (size_t i = 0; i < a->spec->n_annotations; i++)
			hull_json_add_str(an, a->spec->annotations[i].key, a->spec->annotations[i].value);
		hull_json_add(o, "annotations", an);
	}
	s = hull_json_dump(o, false);
	json_object_put(o);
	return s;
}

static const char *env_get(char **env, const char *key)
{
	size_t n = strlen(key);
	for (char **e = env; e && *e; e++)
		if (!strncmp(*e, key, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* Resolve args[0] with the container's PATH (we are inside the new root already). */
static char *find_executable(const struct hull_process *p, hull_err *err)
{
	const char *name = p->args[0];
	const char *path;
	struct stat st;
	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return hull_fail(err, errno, "exec: \"%s\"", name), NULL;
		if (S_ISDIR(st.st_mode))
			return hull_fail(err, EISDIR, "exec: \"%s\"", name), NULL;
		return strdup(name);
	}
	path = env_get(p->env, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (const char *d = path;;) {
		const char *e = strchr(d, ':');
		size_t len = e ? (size_t)(e - d) : strlen(d);
		char cand[4096];
		if (len == 0)
			snprintf(cand, sizeof cand, "./%s", name);
		else
			snprintf(cand, sizeof cand, "%.*s/%s", (int)len, d, name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return strdup(cand);
		if (!e)
			break;
		d = e + 1;
	}
	hull_failk(err, HULL_ERR_NOTFOUND, ENOENT, "exec: \"%s\": executable file not found in $PATH",
		   name);
	err->code = ENOENT;
	return NULL;
}

/* HOME from /etc/passwd of the container when the config does not set one (runc does). */
static char **build_env(const struct hull_process *p)
{
	char **env = NULL;
	for (char **e = p->env; e && *e; e++)
		if (hull_strv_push(&env, *e) < 0)
			return NULL;
	if (!env_get(p->env, "HOME")) {
		char home[1024] = "/";
		FILE *f = fopen("/etc/passwd", "re");
		char line[2048];
		while (f && fgets(line, sizeof line, f)) {
			char *fields[7] = {0}, *save = NULL;
			int n = 0;
			for (char *t = strtok_r(line, ":\n", &save); t && n < 7; t = strtok_r(NULL, ":\n", &save))
				fields[n++] = t;
			if (n >= 6 && (uint32_t)strtoul(fields[2], NULL, 10) == p->user.uid &&
			    fields[5][0] == '/') {
				snprintf(home, sizeof home, "%s", fields[5]);
				break;
			}
		}
		if (f)
			fclose(f);
		{
			char kv[1100];
			snprintf(kv, sizeof kv, "HOME=%s", home);
			if (hull_strv_push(&env, kv) < 0)
				return NULL;
		}
	}
	if (!env)
		env = calloc(1, sizeof(char *));
	return env;
}

static int enter_cwd(const struct hull_process *p, hull_err *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	hull_err e = HULL_ERR_INIT;
	if (root < 0)
		return hull_fail(err, errno, "open /");
	/* Resolved inside the root with magic links refused: cwd=/proc/self/fd/N cannot land on an
	 * fd leaked from the host (CVE-2024-21626). */
	fd = hull_open_in_root(root, p->cwd, O_PATH | O_DIRECTORY, 0, 0, &e);
	if (fd < 0 && e.code == ENOENT) {
		/* runc creates a missing cwd; never through procfs. */
		struct statfs sf;
		hull_err_clear(&e);
		fd = hull_mkdir_in_root(root, p->cwd, 0755, &e);
		if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC) {
			close(fd);
			fd = -1;
			hull_fail(&e, ENOENT, "cwd %s does not exist", p->cwd);
		}
	}
	if (fd < 0) {
		hull_err_move(err, &e);
		return hull_wrap(err, "cwd %s", p->cwd);
	}
	if (fchdir(fd) < 0)
		return hull_fail(err, errno, "chdir %s", p->cwd);
	return 0;
}

static void setup_ids_in_userns(void)
{
	/* Become the namespace's root when it is mapped (it is for containers made by hull);
	 * a namespace without root keeps the credentials clone gave us. */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return;
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return;
}

/* Slow path: join namespaces by path, create the rest in the right order (user first so that
 * the others belong to it), fork into a new pid namespace. Returns in the process that becomes
 * the container init. */
static int stage1(struct hull_init_args *a, hull_err *err)
{
	struct hull_sync_msg m;
	unsigned rest;
	for (int i = 0; i < a->n_joins; i++)
		if (a->joins[i].type == CLONE_NEWUSER && setns(a->joins[i].fd, CLONE_NEWUSER) < 0)
			return hull_fail(err, errno, "join user namespace");
	for (int i = 0; i < a->n_joins; i++) {
		int t = a->joins[i].type;
		if (t == CLONE_NEWUSER || t == CLONE_NEWPID || t == CLONE_NEWTIME)
			continue;
		if (setns(a->joins[i].fd, t) < 0)
			return hull_fail(err, errno, "join %s namespace", hull_namespace_name(t));
	}
	if (a->exec_pidfd >= 0) {
		/* exec: every namespace of the container at once, atomically. */
		unsigned flags = a->new_ns;
		if (flags && setns(a->exec_pidfd, (int)flags) < 0)
			return hull_fail(err, errno, "join the container's namespaces");
	}
	for (int i = 0; i < a->n_joins; i++)
		close(a->joins[i].fd);
	if (a->exec_pidfd >= 0) {
		if (a->userns)
			setup_ids_in_userns();
		return hull_sync_send_cred(a->sync_fd, HULL_SYNC_INIT_PID) < 0
			       ? hull_fail(err, errno, "sync")
			       : 0;
	}
	if (a->new_ns & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			return hull_fail(err, errno, "create user namespace");
		if (hull_sync_send(a->sync_fd, HULL_SYNC_USERNS, 0, 0, NULL) < 0)
			return hull_fail(err, errno, "sync");
		if (hull_sync_expect(a->sync_fd, HULL_SYNC_MAPS_DONE, &m, NULL, NULL, err) < 0)
			return -1;
	}
	if (a->userns)
		setup_ids_in_userns();
	rest = a->new_ns & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET);
	if (rest && unshare((int)rest) < 0)
		return hull_fail(err, errno, "create namespaces");
	if (a->new_ns & CLONE_NEWPID) {
		pid_t pid;
		if (unshare(CLONE_NEWPID) < 0)
			return hull_fail(err, errno, "create pid namespace");
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
		if (pid < 0)
			return hull_fail(err, errno, "fork into the pid namespace");
		if (pid > 0)
			_exit(0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	if (hull_sync_send_cred(a->sync_fd, HULL_SYNC_INIT_PID) < 0)
		return hull_fail(err, errno, "sync");
	return 0;
}

static int setup_rootfs(struct hull_init_args *a, pid_t host_pid, int *console_slave, hull_err *err)
{
	struct hull_mount_ctx ctx = {
		.spec = a->spec,
		.bundlefd = -1,
		.bundle = a->bundle,
		.pre = a->premounts,
		.rootfd = -1,
		.nullfd = -1,
		.userns = a->userns,
		.cgroupns = hull_spec_namespace(a->spec, CLONE_NEWCGROUP) != NULL,
		.cg = a->cg,
	};
	struct hull_sync_msg m;
	int rc = -1;

	ctx.nullfd = hull_open_verified_null(err);
	if (ctx.nullfd < 0)
		return -1;
	if (hull_rootfs_bind(&ctx, err) < 0 || hull_mounts_apply(&ctx, err) < 0 ||
	    hull_devices_create(&ctx, err) < 0)
		goto out;
	if (a->process && a->process->terminal) {
		int master = -1;
		if (hull_console_create(ctx.rootfd, a->process->has_console_size,
					a->process->console_height, a->process->console_width,
					&master, console_slave, err) < 0)
			goto out;
		if (hull_sync_send_fd(a->sync_fd, HULL_SYNC_CONSOLE, master) < 0) {
			hull_fail(err, errno, "send console");
			close(master);
			goto out;
		}
		close(master);
	}
	if (hull_readonly_paths_apply(&ctx, err) < 0 || hull_masked_paths_apply(&ctx, err) < 0)
		goto out;
	if (apply_sysctls(a->spec, err) < 0)
		goto out;
	if (a->spec->n_hooks[HULL_HOOK_PRESTART] || a->spec->n_hooks[HULL_HOOK_CREATE_RUNTIME]) {
		if (hull_sync_send(a->sync_fd, HULL_SYNC_HOOKS, 0, 0, NULL) < 0) {
			hull_fail(err, errno, "sync");
			goto out;
		}
		if (hull_sync_expect(a->sync_fd, HULL_SYNC_HOOKS_DONE, &m, NULL, NULL, err) < 0)
			goto out;
	}
	if (a->spec->n_hooks[HULL_HOOK_CREATE_CONTAINER]) {
		_cleanup_free_ char *st = state_json(a, host_pid, "creating");
		if (hull_hooks_run(a->spec, HULL_HOOK_CREATE_CONTAINER, st ? st : "{}", err) < 0)
			goto out;
	}
	if (hull_rootfs_pivot(&ctx, a->no_pivot, err) < 0 || hull_rootfs_finalize(&ctx, err) < 0)
		goto out;
	rc = 0;
out:
	if (ctx.rootfd >= 0)
		close(ctx.rootfd);
	if (ctx.bundlefd >= 0)
		close(ctx.bundlefd);
	close(ctx.nullfd);
	return rc;
}

static int fd_dir = -1; /* /proc/self/fd opened before chroot (no mount namespace) */
static int fifo_rw = -1; /* exec.fifo, opened read-write before the process is confined */

/* Open exec.fifo read-write (never blocks) while we can still reach it: after Landlock and the
 * identity switch a path outside the container could not be opened any more. */
static int open_fifo(struct hull_init_args *a, hull_err *err)
{
	char path[64];
	if (a->mode != HULL_INIT_CREATE || a->fifo_fd < 0)
		return 0;
	if (fd_dir >= 0) {
		snprintf(path, sizeof path, "%d", a->fifo_fd);
		fifo_rw = openat(fd_dir, path, O_RDWR | O_CLOEXEC);
		close(fd_dir);
		fd_dir = -1;
	} else {
		/* The container's /proc is fresh and no container process ran yet. */
		snprintf(path, sizeof path, "/proc/self/fd/%d", a->fifo_fd);
		fifo_rw = open(path, O_RDWR | O_CLOEXEC);
	}
	if (fifo_rw < 0)
		return hull_fail(err, errno, "open exec.fifo");
	close(a->fifo_fd);
	a->fifo_fd = -1;
	return 0;
}

static int wait_for_start(struct hull_init_args *a, hull_err *err)
{
	struct hull_sync_msg m;
	char byte;
	ssize_t n;
	if (a->mode == HULL_INIT_RUN || a->mode == HULL_INIT_EXEC)
		return hull_sync_expect(a->sync_fd, HULL_SYNC_START, &m, NULL, NULL, err);
	/* create: detach from the parent, then block on the fifo until `hull start` writes to it.
	 * The fifo stays open (close-on-exec): `start` sees its last reader go away when the
	 * user's program has been exec'd. */
	if (hull_sync_expect(a->sync_fd, HULL_SYNC_COMMIT, &m, NULL, NULL, err) < 0)
		return -1;
	prctl(PR_SET_PDEATHSIG, 0);
	hull_sync_send(a->sync_fd, HULL_SYNC_DETACHED, 0, 0, NULL);
	close(a->sync_fd);
	a->sync_fd = -1;
	do
		n = read(fifo_rw, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	return 0;
}

static int apply_security(struct hull_init_args *a, hull_err *err)
{
	const struct hull_process *p = a->process;
	int lfd;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it while we still
	 * have it. Otherwise load it last, so the setup above never runs under the filter. */
	if (a->filter2 && !p->no_new_privileges && hull_seccomp_install(a->filter2, err) < 0)
		return -1;
	if (a->filter && !p->no_new_privileges) {
		lfd = hull_seccomp_install(a->filter, err);
		if (lfd < 0)
			return -1;
		if (lfd > 0) {
			if (a->sync_fd >= 0)
				hull_sync_send_fd(a->sync_fd, HULL_SYNC_LISTENER, lfd);
			close(lfd);
		}
	}
	{
		const char *ll = hull_spec_annotation(a->spec, HULL_ANNOTATION_LANDLOCK);
		bool landlock = ll && !strcmp(ll, "true");
		/* Without no_new_privs, Landlock needs CAP_SYS_ADMIN: apply it before dropping it. */
		if (landlock && !p->no_new_privileges && hull_landlock_confine_to_root(err) < 0)
			return -1;
		if (hull_identity_apply(p, err) < 0)
			return -1;
		if (p->no_new_privileges && hull_no_new_privs(err) < 0)
			return -1;
		if (landlock && p->no_new_privileges && hull_landlock_confine_to_root(err) < 0)
			return -1;
	}
	if (a->filter2 && p->no_new_privileges && hull_seccomp_install(a->filter2, err) < 0)
		return -1;
	if (a->filter && p->no_new_privileges) {
		lfd = hull_seccomp_install(a->filter, err);
		if (lfd < 0)
			return -1;
		if (lfd > 0) {
			if (a->sync_fd >= 0)
				hull_sync_send_fd(a->sync_fd, HULL_SYNC_LISTENER, lfd);
			close(lfd);
		}
	}
	return 0;
}

__attribute__((noreturn)) static void do_exec(struct hull_init_args *a, int stub, const char *path,
					      char **env)
{
	size_t argc = hull_strv_len(a->process->args);
	char **argv = calloc(argc + 4, sizeof(char *));
	char errfd_s[16] = "-";
	int first = 3 + (a->preserve_fds > 0 ? a->preserve_fds : 0);
	int errfd = -1;
	hull_err e = HULL_ERR_INIT;

	if (!argv) {
		hull_fail(&e, ENOMEM, "exec");
		die(a, &e);
	}
	if (a->sync_fd >= 0) {
		errfd = fcntl(a->sync_fd, F_DUPFD, first);
		if (errfd >= 0)
			snprintf(errfd_s, sizeof errfd_s, "%d", errfd);
	}
	if (stub < first) {
		int s2 = fcntl(stub, F_DUPFD_CLOEXEC, first + 1);
		if (s2 >= 0)
			stub = s2;
	}
	argv[0] = (char *)"hull-exec";
	argv[1] = errfd_s;
	argv[2] = (char *)path;
	for (size_t i = 0; i < argc; i++)
		argv[3 + i] = a->process->args[i];
	/* Every fd but stdio and the preserved ones is closed at exec (CVE-2024-21626). */
	for (int fd = 3; fd < first; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = first; fd < 65536; fd++)
			if (fd != errfd && fd != stub)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (errfd >= 0)
		fcntl(errfd, F_SETFD, 0);
	syscall(SYS_execveat, stub, "", argv, env, AT_EMPTY_PATH);
	if (errno == EPERM || errno == ENOSYS || errno == EACCES) {
		/* The profile forbids execveat: go through the (fresh) /proc of the container. */
		char p[64];
		snprintf(p, sizeof p, "/proc/self/fd/%d", stub);
		execve(p, argv, env);
	}
	{
		int saved = errno;
		if (errfd >= 0)
			(void)!write(errfd, &saved, sizeof saved);
		_exit(127);
	}
}

static void reset_signals(void)
{
	sigset_t all;
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static int cmp_int(const void *x, const void *y)
{
	return *(const int *)x - *(const int *)y;
}

/* Close every inherited fd we do not need, right after clone: the parent's locked state
 * directory (its flock would otherwise outlive `hull create`), host cgroup directories and
 * anything else must not linger in a process that will run in the container
 * (CVE-2024-21626). Kept: stdio, the preserved fds, and our own channels. */
static void close_inherited(struct hull_init_args *a)
{
	size_t nb = a->premounts ? a->premounts->n : 0;
	int *keep = malloc((16 + nb) * sizeof(int)), n = 0;
	int next = 3 + (a->preserve_fds > 0 ? a->preserve_fds : 0);
	if (!keep)
		_exit(1);
	keep[n++] = a->sync_fd;
	if (a->premounts) {
		if (a->premounts->rootfs >= 0)
			keep[n++] = a->premounts->rootfs;
		for (size_t i = 0; i < nb; i++)
			if (a->premounts->binds[i] >= 0)
				keep[n++] = a->premounts->binds[i];
	}
	if (a->fifo_fd >= 0)
		keep[n++] = a->fifo_fd;
	if (a->exec_pidfd >= 0)
		keep[n++] = a->exec_pidfd;
	for (int i = 0; i < a->n_joins && i < 8; i++)
		keep[n++] = a->joins[i].fd;
	qsort(keep, (size_t)n, sizeof keep[0], cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] < next)
			continue;
		if (keep[i] > next)
			syscall(SYS_close_range, (unsigned)next, (unsigned)keep[i] - 1, 0);
		next = keep[i] + 1;
	}
	syscall(SYS_close_range, (unsigned)next, ~0U, 0);
	free(keep);
}

__attribute__((noreturn)) void hull_init_main(struct hull_init_args *a)
{
	hull_err err = HULL_ERR_INIT;
	struct hull_sync_msg m;
	pid_t host_pid;
	int console_slave = -1, stub;
	_cleanup_free_ char *path = NULL;
	char **env;
	const struct hull_spec *s = a->spec;

	close_inherited(a);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Not dumpable until exec: container processes cannot ptrace us or open our
	 * /proc/PID/fd and reach host fds (CVE-2016-9962). */
	prctl(PR_SET_DUMPABLE, 0);
	umask(0);

	if (a->stage1 && stage1(a, &err) < 0)
		die(a, &err);
	if (hull_sync_expect(a->sync_fd, HULL_SYNC_GO, &m, NULL, NULL, &err) < 0)
		_exit(1);
	host_pid = m.value;
	reset_signals();

	if (a->userns && !a->stage1)
		setup_ids_in_userns();
	if (a->mode != HULL_INIT_EXEC && (a->new_ns & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
		hull_fail(&err, errno, "create cgroup namespace");
		die(a, &err);
	}
	if (a->mode != HULL_INIT_EXEC) {
		if (s->has_hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
			hull_fail(&err, errno, "sethostname %s", s->hostname);
			die(a, &err);
		}
		if (s->has_domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) {
			hull_fail(&err, errno, "setdomainname %s", s->domainname);
			die(a, &err);
		}
		if (!a->no_new_keyring &&
		    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, a->id) < 0 && errno != ENOSYS &&
		    errno != EPERM && errno != EACCES) {
			hull_fail(&err, errno, "join a new session keyring");
			die(a, &err);
		}
		if (hull_spec_namespace(s, CLONE_NEWNS) && setup_rootfs(a, host_pid, &console_slave, &err) < 0)
			die(a, &err);
		if (!hull_spec_namespace(s, CLONE_NEWNS)) {
			/* The host's mount namespace: nothing may be mounted, only chroot. The rootfs
			 * has no /proc then: keep a handle on ours to reopen exec.fifo. */
			fd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (!a->rootfs || chdir(a->rootfs) < 0 || chroot(".") < 0 || chdir("/") < 0) {
				hull_fail(&err, errno, "chroot %s", a->rootfs ? a->rootfs : "(rootfs)");
				die(a, &err);
			}
		}
	} else if (a->process->terminal) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int master = -1, ptmx = -1;
		int unlock = 0;
		ptmx = hull_open_in_root(root, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0,
					 HULL_RESOLVE_NO_SYMLINKS, &err);
		if (ptmx < 0)
			die(a, &err);
		if (ioctl(ptmx, TIOCSPTLCK, &unlock) < 0 ||
		    (console_slave = ioctl(ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
			hull_fail(&err, errno, "exec: allocate a pty");
			die(a, &err);
		}
		master = TAKE_FD(ptmx);
		if (hull_sync_send_fd(a->sync_fd, HULL_SYNC_CONSOLE, master) < 0) {
			hull_fail(&err, errno, "send console");
			die(a, &err);
		}
	}
	if (enter_cwd(a->process, &err) < 0)
		die(a, &err);
	if (hull_rlimits_apply(a->process, &err) < 0 || hull_sched_apply(a->process, &err) < 0)
		die(a, &err);
	if (a->mode != HULL_INIT_EXEC && s->has_personality && personality(s->personality) < 0) {
		hull_fail(&err, errno, "personality");
		die(a, &err);
	}
	path = find_executable(a->process, &err);
	if (!path)
		die(a, &err);
	env = build_env(a->process);
	stub = make_stub(&err);
	if (!env || stub < 0) {
		if (!err.msg)
			hull_fail(&err, ENOMEM, "environment");
		die(a, &err);
	}
	umask(a->process->user.has_umask ? a->process->user.umask : 022);
	if (console_slave >= 0) {
		if (hull_console_attach(console_slave, &err) < 0)
			die(a, &err);
	} else if (setsid() < 0 && errno != EPERM) {
		/* A session and process group of its own: kill(0, SIG) inside the container must not
		 * reach the runtime (`hull run` shares our process group otherwise). */
		hull_fail(&err, errno, "setsid");
		die(a, &err);
	}
	if (console_slave > 2)
		close(console_slave);
	if (open_fifo(a, &err) < 0)
		die(a, &err);
	/* Drop to the container's identity and load seccomp before waiting for `start`, as runc
	 * does: the process that waits holds nothing worth attacking. */
	if (apply_security(a, &err) < 0)
		die(a, &err);
	if (hull_sync_send(a->sync_fd, HULL_SYNC_READY, 0, 0, NULL) < 0)
		_exit(1);
	if (wait_for_start(a, &err) < 0) {
		if (a->sync_fd >= 0)
			die(a, &err);
		_exit(1);
	}
	if (a->mode != HULL_INIT_EXEC && s->n_hooks[HULL_HOOK_START_CONTAINER]) {
		_cleanup_free_ char *st = state_json(a, host_pid, "running");
		if (hull_hooks_run(s, HULL_HOOK_START_CONTAINER, st ? st : "{}", &err) < 0) {
			if (a->sync_fd >= 0)
				die(a, &err);
			_exit(1);
		}
	}
	/* The user's process outlives the runtime process (run, exec -d, or a killed exec). */
	if (a->mode == HULL_INIT_RUN || a->mode == HULL_INIT_EXEC)
		prctl(PR_SET_PDEATHSIG, 0);
	do_exec(a, stub, path, env);
}
