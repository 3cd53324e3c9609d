/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/path.h"
#include "runtime/mountapi.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int hull_console_create(int rootfd, bool has_size, uint32_t rows, uint32_t cols, int *master,
			int *slave, hull_err *err)
{
	_cleanup_close_ int m = -1, s = -1, console = -1, tree = -1, devfd = -1;
	struct stat st;
	int unlock = 0;

	m = hull_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0,
			      HULL_RESOLVE_NO_SYMLINKS, err);
	if (m < 0)
		return hull_wrap(err, "console: open the container's /dev/pts/ptmx");
	if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 ||
	    minor(st.st_rdev) != 2)
		return hull_fail(err, EPERM, "console: /dev/pts/ptmx is not the pty multiplexer (5:2)");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return hull_fail(err, errno, "console: unlock pty");
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return hull_fail(err, errno, "console: TIOCGPTPEER");
	if (has_size) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
		ioctl(s, TIOCSWINSZ, &ws);
	}
	devfd = hull_mkdir_in_root(rootfd, "/dev", 0755, err);
	if (devfd < 0)
		return hull_wrap(err, "console");
	/* O_NOFOLLOW: a /dev/console symlink planted in the image would redirect the bind. */
	console = openat(devfd, "console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (console < 0)
		return hull_fail(err, errno, "console: create /dev/console");
	if (fstat(console, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)))
		return hull_fail(err, EPERM, "console: /dev/console is not a file");
	tree = hull_open_tree(s, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return hull_fail(err, errno, "console: clone pty mount");
	if (hull_move_mount(tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hull_fail(err, errno, "console: mount pty on /dev/console");
	*master = TAKE_FD(m);
	*slave = TAKE_FD(s);
	return 0;
}

int hull_console_attach(int slave, hull_err *err)
{
	if (setsid() < 0 && errno != EPERM)
		return hull_fail(err, errno, "console: setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return hull_fail(err, errno, "console: set controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return hull_fail(err, errno, "console: dup2");
	return 0;
}

int hull_console_send(const char *socket_path, int master, hull_err *err)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[] = "/dev/ptmx";
	struct iovec iov = {.iov_base = name, .iov_len = sizeof name - 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof u.buf};
	struct cmsghdr *c;

	if (fd < 0)
		return hull_fail(err, errno, "console socket");
	if (strlen(socket_path) >= sizeof sa.sun_path)
		return hull_fail(err, ENAMETOOLONG, "console socket %s", socket_path);
	strcpy(sa.sun_path, socket_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return hull_fail(err, errno, "connect to console socket %s", socket_path);
	memset(&u, 0, sizeof u);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof master);
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		return hull_fail(err, errno, "send pty to console socket %s", socket_path);
	return 0;
}
