# SPDX-License-Identifier: LGPL-2.1-or-later
"""containerd (the path Kubernetes takes) drives hull through its runc shim."""
import os
import shlex
import subprocess
import tempfile
import time

import pytest

from conftest import HULL
from peers import Containerd, have

pytestmark = pytest.mark.skipif(not have("containerd") or not have("ctr"),
                                reason="containerd is not installed")


@pytest.fixture(scope="module")
def ctrd(rootfs):
    base = tempfile.mkdtemp(prefix="hctr-", dir="/tmp")  # short: the socket path has a limit
    c = Containerd(base, rootfs)
    yield c
    c.cleanup()


def test_ctr_run_rm(ctrd):
    p = ctrd.run("ctr-echo", "sh", "-c", "echo hi; exit 5", runtime=HULL)
    assert p.stdout == "hi\n", p.stderr
    assert p.returncode == 5


def test_ctr_task_exec_kill_ps(ctrd):
    cid = "ctr-long"
    p = ctrd.ctr("run", "-d", "--runc-binary", HULL, ctrd.image, cid, "sleep", "1000")
    assert p.returncode == 0, p.stderr
    try:
        p = ctrd.ctr("tasks", "exec", "--exec-id", "e1", cid, "sh", "-c", "echo from-exec; exit 7")
        assert p.returncode == 7 and p.stdout == "from-exec\n", p.stderr
        p = ctrd.ctr("tasks", "ps", cid)
        assert p.returncode == 0, p.stderr
        assert len(p.stdout.strip().splitlines()) >= 2  # header + the sleep
        ctrd.ctr("tasks", "kill", "--signal", "SIGKILL", cid, check=True)
        end = time.time() + 20
        while time.time() < end:
            st = ctrd.ctr("tasks", "ls").stdout
            if cid not in st or "STOPPED" in [l.split()[2] for l in st.splitlines()[1:] if l.startswith(cid)][0]:
                break
            time.sleep(0.1)
        assert "RUNNING" not in [l for l in ctrd.ctr("tasks", "ls").stdout.splitlines() if l.startswith(cid)][0]
    finally:
        ctrd.remove(cid)


def test_ctr_run_tty(ctrd):
    cmd = " ".join(shlex.quote(a) for a in
                   ["ctr", "--address", ctrd.sock, "--namespace", ctrd.NAMESPACE, "run", "--rm", "-t",
                    "--runc-binary", HULL, ctrd.image, "ctr-tty", "sh", "-c", "tty; echo tty-ok"])
    # stdin: a pipe kept open until the run ends (at EOF script(1) hands the client an EOF)
    rfd, wfd = os.pipe()
    try:
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                           timeout=60, stdin=rfd)
    finally:
        os.close(rfd)
        os.close(wfd)
    assert "tty-ok" in p.stdout, p.stdout + p.stderr
    assert "/dev/pts/0" in p.stdout
