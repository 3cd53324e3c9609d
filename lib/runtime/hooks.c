/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/util.h"

const char *hull_hook_kind_name(int kind)
{
	static const char *const names[HULL_HOOK_NKINDS] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
		"poststop"};
	return kind >= 0 && kind < HULL_HOOK_NKINDS ? names[kind] : "unknown";
}

static int run_one(const struct hull_hook *h, const char *kind, size_t idx, const char *state,
		   hull_err *err)
{
	int in[2], out[2], status = 0, pidfd;
	pid_t pid;
	char output[4096];
	size_t olen = 0, wlen = strlen(state), woff = 0;
	uint64_t deadline = h->has_timeout ? hull_now_ns() + (uint64_t)h->timeout * 1000000000ull : 0;
	bool exited = false, timed_out = false;

	if (pipe2(in, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "%s hook %zu: pipe", kind, idx);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return hull_fail(err, errno, "%s hook %zu: pipe", kind, idx);
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return hull_fail(err, e, "%s hook %zu: fork", kind, idx);
	}
	if (pid == 0) {
		char *const empty[] = {NULL};
		char *argv0[] = {h->path, NULL};
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		hull_close_fds_from(3);
		execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : empty);
		{
			char msg[256];
			int n = snprintf(msg, sizeof msg, "exec %s: %s", h->path, strerror(errno));
			if (n > 0)
				(void)!write(2, msg, (size_t)n);
		}
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (!exited) {
		struct pollfd p[3];
		int np = 0, timeout = -1, r;
		if (deadline) {
			uint64_t now = hull_now_ns();
			if (now >= deadline) {
				timed_out = true;
				kill(pid, SIGKILL);
				deadline = 0;
			} else {
				timeout = (int)((deadline - now) / 1000000) + 1;
			}
		}
		if (out[0] >= 0)
			p[np++] = (struct pollfd){.fd = out[0], .events = POLLIN};
		if (in[1] >= 0)
			p[np++] = (struct pollfd){.fd = in[1], .events = POLLOUT};
		if (pidfd >= 0)
			p[np++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
		if (np == 0)
			break;
		r = poll(p, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR)
			break;
		for (int i = 0; i < np && r > 0; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == out[0]) {
				char tmp[1024];
				ssize_t n = read(out[0], tmp, sizeof tmp);
				if (n <= 0) {
					close(out[0]);
					out[0] = -1;
				} else {
					size_t k = (size_t)n;
					if (k > sizeof output - 1 - olen)
						k = sizeof output - 1 - olen;
					memcpy(output + olen, tmp, k);
					olen += k;
				}
			} else if (p[i].fd == in[1]) {
				ssize_t n = write(in[1], state + woff, wlen - woff);
				if (n > 0)
					woff += (size_t)n;
				if (n < 0 && errno != EAGAIN) {
					close(in[1]);
					in[1] = -1;
				} else if (woff >= wlen) {
					close(in[1]);
					in[1] = -1;
				}
			} else if (p[i].fd == pidfd) {
				exited = true;
			}
		}
		if (pidfd < 0 && out[0] < 0)
			exited = true;
	}
	if (in[1] >= 0)
		close(in[1]);
	if (out[0] >= 0) {
		/* Drain what is left without blocking on grandchildren holding the pipe. */
		fcntl(out[0], F_SETFL, O_NONBLOCK);
		for (;;) {
			ssize_t n = read(out[0], output + olen, sizeof output - 1 - olen);
			if (n <= 0)
				break;
			olen += (size_t)n;
		}
		close(out[0]);
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	output[olen] = '\0';
	while (olen && (output[olen - 1] == '\n' || output[olen - 1] == ' '))
		output[--olen] = '\0';
	if (timed_out)
		return hull_fail(err, ETIMEDOUT, "%s hook %zu (%s): timed out after %d s", kind, idx,
				 h->path, h->timeout);
	if (WIFSIGNALED(status))
		return hull_fail(err, 0, "%s hook %zu (%s): killed by signal %d%s%s", kind, idx, h->path,
				 WTERMSIG(status), olen ? ": " : "", output);
	if (WEXITSTATUS(status) != 0)
		return hull_fail(err, 0, "%s hook %zu (%s): exit status %d%s%s", kind, idx, h->path,
				 WEXITSTATUS(status), olen ? ": " : "", output);
	return 0;
}

int hull_hooks_run(const struct hull_spec *spec, int kind, const char *state_json, hull_err *err)
{
	for (size_t i = 0; i < spec->n_hooks[kind]; i++)
		if (run_one(&spec->hooks[kind][i], hull_hook_kind_name(kind), i, state_json, err) < 0)
			return -1;
	return 0;
}
