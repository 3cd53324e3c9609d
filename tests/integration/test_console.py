# SPDX-License-Identifier: LGPL-2.1-or-later
"""Terminals: the pty master over --console-socket (as conmon and the containerd shim expect),
and `run` proxying a pty to the caller."""
import array
import os
import pty
import select
import socket
import subprocess
import threading
import time


class ConsoleSocket:
    """A unix socket that receives one fd with SCM_RIGHTS, as conmon does."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.fd = None
        self.name = None
        self.t = threading.Thread(target=self._accept, daemon=True)
        self.t.start()

    def _accept(self):
        conn, _ = self.sock.accept()
        msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
        self.name = msg
        self.fd = fds[0] if fds else None
        conn.close()

    def wait(self, timeout=10):
        self.t.join(timeout)
        return self.fd


def read_until(fd, needle, timeout=10):
    buf = b""
    end = time.time() + timeout
    while needle not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def tty_bundle(hull, rootfs, args):
    def edit(s):
        s["process"]["terminal"] = True
        s["process"]["consoleSize"] = {"height": 33, "width": 111}
    return hull.bundle(rootfs, args, edit=edit)


def test_console_socket_create(hull, rootfs, tmp_path):
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    b = tty_bundle(hull, rootfs, ["sh", "-c", "tty; stty size; readlink /proc/self/fd/0; echo done"])
    hull.cmd("create", "--bundle", b, "--console-socket", cs.path, "tty1", check=True)
    master = cs.wait()
    assert master is not None
    assert cs.name == b"/dev/ptmx"
    hull.cmd("start", "tty1", check=True)
    out = read_until(master, b"done")
    assert b"/dev/console" in out or b"/dev/pts/0" in out
    assert b"33 111" in out
    os.close(master)


def test_create_terminal_without_socket_fails(hull, rootfs):
    b = tty_bundle(hull, rootfs, ["true"])
    p = hull.cmd("create", "--bundle", b, "tty2")
    assert p.returncode != 0 and "--console-socket" in p.stderr
    assert hull.state("tty2") is None


def test_run_proxies_a_pty(hull, rootfs):
    b = tty_bundle(hull, rootfs, ["sh", "-c", "read line; echo got:$line; tty -s && echo is-a-tty"])
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(hull.bin, [hull.bin, "--root", hull.root, "run", "--bundle", b, "tty3"])
    os.write(fd, b"hello\n")
    out = read_until(fd, b"is-a-tty")
    _, status = os.waitpid(pid, 0)
    assert b"got:hello" in out and b"is-a-tty" in out
    assert os.waitstatus_to_exitcode(status) == 0


def test_exec_tty_with_console_socket(hull, rootfs, tmp_path):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("run", "-d", "--bundle", b, "tty4", check=True)
    cs = ConsoleSocket(str(tmp_path / "exec.sock"))
    p = subprocess.Popen([hull.bin, "--root", hull.root, "exec", "-t", "--console-socket", cs.path,
                          "tty4", "sh", "-c", "tty -s && echo exec-tty; exit 4"])
    master = cs.wait()
    assert master is not None
    out = read_until(master, b"exec-tty")
    assert p.wait(timeout=20) == 4
    assert b"exec-tty" in out
