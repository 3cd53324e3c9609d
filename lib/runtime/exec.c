/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hull exec`: a new process inside a running container. It joins every namespace of the
 * container's init at once (setns on a pidfd), its cgroups, and gets the container's seccomp
 * filter, capabilities, rlimits and no_new_privs, then execs through the sealed stub, like the
 * init does (CVE-2019-5736). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "runtime/cgroup.h"
#include "runtime/console.h"
#include "runtime/container.h"
#include "runtime/internal.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	int type;
	const char *name;
} ns_files[] = {
	{CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},	  {CLONE_NEWNET, "net"},
	{CLONE_NEWIPC, "ipc"},	 {CLONE_NEWUTS, "uts"},	  {CLONE_NEWCGROUP, "cgroup"},
	{CLONE_NEWPID, "pid"},	 {CLONE_NEWTIME, "time"},
};

/* Namespaces of pid that differ from ours: those are the ones to join. */
static unsigned differing_namespaces(pid_t pid)
{
	unsigned flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++) {
		char a[64], b[64];
		struct stat sa, sb;
		snprintf(a, sizeof a, "/proc/%d/ns/%s", pid, ns_files[i].name);
		snprintf(b, sizeof b, "/proc/self/ns/%s", ns_files[i].name);
		if (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		    (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev))
			flags |= (unsigned)ns_files[i].type;
	}
	return flags;
}

static int env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	for (char **e = *env; e && *e; e++) {
		if (!strncmp(*e, kv, klen) && (*e)[klen] == '=') {
			char *c = strdup(kv);
			if (!c)
				return -1;
			free(*e);
			*e = c;
			return 0;
		}
	}
	return hull_strv_push(env, kv);
}

/* The process to run: process.json as given, or the container's process with overrides. */
static int build_process(const struct hull_exec_opts *o, const struct hull_spec *spec,
			 hull_arena *arena, struct hull_process **out, char ***env_owned,
			 char ***args_owned, hull_err *err)
{
	struct hull_process *p;
	if (o->process_file) {
		_cleanup_free_ char *data = NULL;
		_cleanup_json_ json_object *obj = NULL;
		size_t len;
		if (hull_read_file_at(AT_FDCWD, o->process_file, 0, HULL_SPEC_MAX_SIZE, &data, &len, err) < 0 ||
		    hull_json_parse(data, len, o->process_file, &obj, err) < 0 ||
		    hull_process_parse(arena, obj, o->process_file, &p, err) < 0)
			return -1;
	} else {
		if (!o->args || !o->args[0])
			return hull_failk(err, HULL_ERR_INVALID, 0, "exec: no command given");
		p = hull_arena_alloc(arena, sizeof *p);
		if (!p)
			return hull_fail(err, ENOMEM, "exec");
		*p = *spec->process;
		p->terminal = false;
		for (char **a = o->args; *a; a++)
			if (hull_strv_push(args_owned, *a) < 0)
				return hull_fail(err, ENOMEM, "exec");
		p->args = *args_owned;
	}
	for (char **e = p->env; e && *e; e++)
		if (hull_strv_push(env_owned, *e) < 0)
			return hull_fail(err, ENOMEM, "exec");
	for (char **e = o->env; e && *e; e++) {
		if (!strchr(*e, '='))
			return hull_failk(err, HULL_ERR_INVALID, 0, "exec: --env \"%s\" is not KEY=VALUE", *e);
		if (env_set(env_owned, *e) < 0)
			return hull_fail(err, ENOMEM, "exec");
	}
	if (!*env_owned && hull_strv_push(env_owned, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
		return hull_fail(err, ENOMEM, "exec");
	p->env = *env_owned;
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return hull_failk(err, HULL_ERR_INVALID, 0, "exec: --cwd \"%s\" must be absolute", o->cwd);
		p->cwd = hull_arena_strdup(arena, o->cwd);
	}
	if (o->has_user) {
		p->user.uid = o->uid;
		p->user.gid = o->has_gid ? o->gid : o->uid == spec->process->user.uid ? spec->process->user.gid : o->uid;
		if (!o->has_gid && o->uid != spec->process->user.uid)
			p->user.gid = o->uid;
	}
	if (o->n_additional_gids) {
		p->user.additional_gids = o->additional_gids;
		p->user.n_additional_gids = o->n_additional_gids;
	}
	for (char **c = o->caps; c && *c; c++) {
		int cap = hull_cap_from_name(*c);
		if (cap < 0)
			return hull_failk(err, HULL_ERR_INVALID, 0, "exec: unknown capability \"%s\"", *c);
		/* Never inheritable (CVE-2022-29162). */
		p->has_caps = true;
		p->caps.set[HULL_CAP_BOUNDING] |= 1ull << cap;
		p->caps.set[HULL_CAP_EFFECTIVE] |= 1ull << cap;
		p->caps.set[HULL_CAP_PERMITTED] |= 1ull << cap;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->tty >= 0)
		p->terminal = o->tty;
	if (p->has_caps) {
		uint64_t bad = p->caps.set[HULL_CAP_AMBIENT] &
			       ~(p->caps.set[HULL_CAP_INHERITABLE] & p->caps.set[HULL_CAP_PERMITTED]);
		p->caps.set[HULL_CAP_AMBIENT] &= ~bad;
		if (p->caps.set[HULL_CAP_INHERITABLE])
			hull_warn("exec: inheritable capabilities requested (CVE-2022-29162)");
	}
	*out = p;
	return 0;
}

int hull_container_exec(struct hull_runtime *rt, const struct hull_exec_opts *o, int *status,
			hull_err *err)
{
	_cleanup_close_ int dirfd = -1, pidfd = -1, cache_fd = -1;
	struct hull_state st;
	struct hull_spec *spec = NULL;
	struct hull_cgroups cg;
	bool cg_valid = false;
	struct hull_seccomp_filter filter = {0}, filter2 = {0};
	struct hull_init_args args = {0};
	hull_arena arena = {0};
	struct hull_process *proc = NULL;
	char **env = NULL, **argv = NULL;
	const char *status_s;
	int sv[2] = {-1, -1}, console = -1, rc = -1;
	pid_t pid = -1, child;
	struct hull_sync_msg m;
	sigset_t mask, old;
	unsigned ns;

	*status = 0;
	if (rt->rootfd < 0 && (rt->rootfd = hull_state_root_open(rt->state_root, err)) < 0)
		return -1;
	dirfd = hull_state_dir_open(rt->rootfd, o->id, false, err);
	if (dirfd < 0 || hull_state_load(dirfd, &st, err) < 0)
		return -1;
	status_s = hull_state_status(&st, dirfd);
	if (strcmp(status_s, "running") && strcmp(status_s, "created") &&
	    !(o->ignore_paused && !strcmp(status_s, "paused"))) {
		hull_failk(err, HULL_ERR_STATE, 0, "cannot exec in container \"%s\": it is %s", o->id,
			   status_s);
		goto out;
	}
	spec = hull_load_saved_config(dirfd, err);
	if (!spec)
		goto out;
	if (build_process(o, spec, &arena, &proc, &env, &argv, err) < 0)
		goto out;
	if (proc->terminal && o->detach && !o->console_socket) {
		hull_failk(err, HULL_ERR_INVALID, 0, "exec -d -t needs --console-socket");
		goto out;
	}
	pidfd = hull_open_verified_pidfd(&st);
	if (pidfd < 0) {
		hull_failk(err, HULL_ERR_STATE, errno, "exec: the container's init is gone");
		goto out;
	}
	if (spec->seccomp) {
		cache_fd = openat(rt->rootfd, ".seccomp-cache", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (hull_seccomp_prepare(spec->seccomp, cache_fd, &filter, err) < 0)
			goto out;
	}
	if (tiocsti_denied(spec) && hull_seccomp_prepare_tiocsti(cache_fd, &filter2, err) < 0)
		goto out;
	if (hull_load_cgroups(&st, &cg, err) < 0)
		goto out;
	cg_valid = true;

	ns = differing_namespaces(st.pid);
	hull_forwarded_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* pid and time namespaces apply to children: join them here so the child is born inside. */
	if ((ns & (CLONE_NEWPID | CLONE_NEWTIME)) &&
	    setns(pidfd, (int)(ns & (CLONE_NEWPID | CLONE_NEWTIME))) < 0) {
		hull_fail(err, errno, "exec: join the container's pid namespace");
		goto out_sig;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hull_fail(err, errno, "socketpair");
		goto out_sig;
	}
	{
		int one = 1;
		setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	}
	args.mode = HULL_INIT_EXEC;
	args.spec = spec;
	args.process = proc;
	args.id = o->id;
	args.bundle = st.bundle ? st.bundle : "";
	args.fifo_fd = -1;
	args.filter = spec->seccomp ? &filter : NULL;
	args.filter2 = filter2.insns ? &filter2 : NULL;
	args.cg = &cg;
	args.preserve_fds = o->preserve_fds;
	args.stage1 = true;
	args.exec_pidfd = pidfd;
	args.new_ns = ns & ~(unsigned)(CLONE_NEWPID | CLONE_NEWTIME);
	args.userns = (ns & CLONE_NEWUSER) != 0;

	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0) {
		hull_fail(err, errno, "exec: clone");
		goto out_sig;
	}
	if (pid == 0) {
		close(sv[0]);
		args.sync_fd = sv[1];
		hull_init_main(&args);
	}
	close(sv[1]);
	sv[1] = -1;
	if (hull_sync_expect(sv[0], HULL_SYNC_INIT_PID, &m, NULL, &child, err) < 0)
		goto fail_child;
	if (hull_cgroups_enter(&cg, pid, err) < 0)
		goto fail_child;
	if (hull_sync_send(sv[0], HULL_SYNC_GO, 0, pid, NULL) < 0) {
		hull_fail(err, errno, "sync");
		goto fail_child;
	}
	for (;;) {
		int fd = -1;
		if (hull_sync_recv(sv[0], &m, &fd, NULL, err) < 0)
			goto fail_child;
		if (m.type == HULL_SYNC_ERROR) {
			hull_err_clear(err);
			err->code = m.code;
			err->kind = m.value;
			err->msg = strdup(m.text);
			goto fail_child;
		}
		if (m.type == HULL_SYNC_CONSOLE && fd >= 0) {
			if (o->console_socket) {
				int r = hull_console_send(o->console_socket, fd, err);
				close(fd);
				if (r < 0)
					goto fail_child;
			} else {
				console = fd;
			}
		} else if (m.type == HULL_SYNC_READY) {
			if (fd >= 0)
				close(fd);
			break;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	if (o->pid_file && hull_write_pid_file(o->pid_file, pid, err) < 0)
		goto fail_child;
	if (hull_sync_send(sv[0], HULL_SYNC_START, 0, 0, NULL) < 0) {
		hull_fail(err, errno, "sync");
		goto fail_child;
	}
	if (hull_wait_exec(sv[0], err) < 0)
		goto fail_child;
	close(sv[0]);
	sv[0] = -1;
	if (o->detach) {
		rc = 0;
		goto out_sig;
	}
	rc = hull_proxy_and_wait(pid, console, &old, status, err);
	goto out_sig;

fail_child:
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out_sig:
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (console >= 0)
		close(console);
	if (cg_valid)
		hull_cgroups_release(&cg);
	hull_seccomp_filter_free(&filter);
	hull_seccomp_filter_free(&filter2);
	hull_strv_free(env);
	hull_strv_free(argv);
	hull_arena_free(&arena);
	hull_spec_free(spec);
	hull_state_release(&st);
	return rc;
}
