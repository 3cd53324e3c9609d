/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int hull_sync_send(int fd, uint32_t type, int32_t code, int32_t value, const char *text)
{
	struct hull_sync_msg m = {.type = type, .code = code, .value = value};
	size_t len = offsetof(struct hull_sync_msg, text);
	if (text) {
		snprintf(m.text, sizeof m.text, "%s", text);
		len += strlen(m.text) + 1;
	}
	for (;;) {
		ssize_t r = send(fd, &m, len, MSG_NOSIGNAL);
		/* After seccomp is loaded send(2) may be filtered; write(2) rarely is. */
		if (r < 0 && (errno == EPERM || errno == ENOSYS || errno == EACCES))
			r = write(fd, &m, len);
		if (r >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int hull_sync_send_err(int fd, const hull_err *e)
{
	return hull_sync_send(fd, HULL_SYNC_ERROR, e->code, e->kind, e->msg ? e->msg : "unknown error");
}

static int send_cmsg(int fd, uint32_t type, int level, int ctype, const void *data, size_t dlen)
{
	struct hull_sync_msg m = {.type = type};
	struct iovec iov = {.iov_base = &m, .iov_len = offsetof(struct hull_sync_msg, text)};
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(dlen)};
	struct cmsghdr *c;
	memset(&u, 0, sizeof u);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = level;
	c->cmsg_type = ctype;
	c->cmsg_len = CMSG_LEN(dlen);
	memcpy(CMSG_DATA(c), data, dlen);
	for (;;) {
		ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (r >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int hull_sync_send_fd(int fd, uint32_t type, int passfd)
{
	return send_cmsg(fd, type, SOL_SOCKET, SCM_RIGHTS, &passfd, sizeof passfd);
}

int hull_sync_send_cred(int fd, uint32_t type)
{
	struct ucred cred = {.pid = getpid(), .uid = geteuid(), .gid = getegid()};
	return send_cmsg(fd, type, SOL_SOCKET, SCM_CREDENTIALS, &cred, sizeof cred);
}

int hull_sync_recv(int fd, struct hull_sync_msg *m, int *fd_out, pid_t *pid_out, hull_err *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof *m};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf};
	ssize_t r;

	if (fd_out)
		*fd_out = -1;
	if (pid_out)
		*pid_out = 0;
	memset(m, 0, offsetof(struct hull_sync_msg, text) + 1);
	do
		r = (fd_out || pid_out) ? recvmsg(fd, &mh, MSG_CMSG_CLOEXEC) : read(fd, m, sizeof *m);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return hull_fail(err, errno, "receive from container init");
	if (r == 0)
		return hull_fail(err, EPIPE, "container init exited before completing set-up");
	if ((size_t)r < offsetof(struct hull_sync_msg, text))
		return hull_fail(err, EPROTO, "short message from container init");
	if ((size_t)r < sizeof *m)
		((char *)m)[r] = '\0';
	m->text[sizeof m->text - 1] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			int nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int fds[4];
			memcpy(fds, CMSG_DATA(c), (size_t)(nfds > 4 ? 4 : nfds) * sizeof(int));
			for (int i = 0; i < nfds && i < 4; i++) {
				if (fd_out && *fd_out < 0)
					*fd_out = fds[i];
				else
					close(fds[i]);
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS && pid_out) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof cr);
			*pid_out = cr.pid;
		}
	}
	return 0;
}

int hull_sync_expect(int fd, uint32_t type, struct hull_sync_msg *m, int *fd_out, pid_t *pid_out,
		     hull_err *err)
{
	if (hull_sync_recv(fd, m, fd_out, pid_out, err) < 0)
		return -1;
	if (m->type == HULL_SYNC_ERROR) {
		hull_err_clear(err);
		err->code = m->code;
		err->kind = m->value;
		err->msg = strdup(m->text[0] ? m->text : "container init failed");
		if (!err->msg)
			return hull_fail(err, ENOMEM, "container init failed");
		return -1;
	}
	if (m->type != type)
		return hull_fail(err, EPROTO, "unexpected message %u from container init (wanted %u)",
				 m->type, type);
	return 0;
}
