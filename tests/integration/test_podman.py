# SPDX-License-Identifier: LGPL-2.1-or-later
"""podman (with conmon) drives hull exactly as it drives crun and runc."""
import os

import pytest

from conftest import HULL
from peers import Podman, have

pytestmark = pytest.mark.skipif(not have("podman"), reason="podman is not installed")


@pytest.fixture(scope="module")
def podman(session_dir, rootfs):
    p = Podman(os.path.join(session_dir, "podman"), HULL, rootfs)
    yield p
    p.cleanup()


def run(podman, *args, **kw):
    return podman("run", "--rm", *args, runtime="hull", **kw)


def test_echo(podman):
    p = run(podman, podman.image, "echo", "hi")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hi\n"


def test_exit_status(podman):
    assert run(podman, podman.image, "sh", "-c", "exit 42").returncode == 42


def test_userns_auto(podman):
    p = run(podman, "--userns=auto", podman.image, "cat", "/proc/self/uid_map")
    assert p.returncode == 0, p.stderr
    first = p.stdout.split()
    assert first[0] == "0" and first[1] != "0"  # container root is not host root


def test_read_only(podman):
    p = run(podman, "--read-only", podman.image, "sh", "-c", "touch /x")
    assert p.returncode != 0
    assert "Read-only file system" in p.stderr + p.stdout


def test_memory_limit(podman):
    p = run(podman, "--memory", "64m", podman.image, "sh", "-c",
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(64 * 1024 * 1024)


def test_pids_limit(podman):
    p = run(podman, "--pids-limit", "50", podman.image, "sh", "-c",
            "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "50"


def test_cap_drop_all(podman):
    p = run(podman, "--cap-drop=all", podman.image, "grep", "CapEff", "/proc/self/status")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[1] == "0000000000000000"


def test_detached_lifecycle(podman):
    cid = podman("run", "-d", podman.image, "sleep", "1000", runtime="hull", check=True).stdout.strip()
    try:
        st = podman("inspect", "--format", "{{.State.Status}}", cid, check=True).stdout.strip()
        assert st == "running"
        podman("stop", "-t", "1", cid, check=True)
        st = podman("inspect", "--format", "{{.State.Status}}", cid, check=True).stdout.strip()
        assert st == "exited"
    finally:
        podman("rm", "-f", cid)


def test_exec_pause_update_stats(podman):
    cid = podman("run", "-d", podman.image, "sleep", "1000", runtime="hull", check=True).stdout.strip()
    try:
        p = podman("exec", cid, "sh", "-c", "echo in-exec; exit 3")
        assert p.returncode == 3 and p.stdout == "in-exec\n", p.stderr
        podman("pause", cid, check=True)
        assert podman("inspect", "--format", "{{.State.Status}}", cid).stdout.strip() == "paused"
        podman("unpause", cid, check=True)
        assert podman("inspect", "--format", "{{.State.Status}}", cid).stdout.strip() == "running"
        podman("update", "--memory", "96m", cid, check=True)
        p = podman("exec", cid, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
        assert p.stdout.strip() == str(96 * 1024 * 1024), p.stderr
        p = podman("stats", "--no-stream", "--format", "{{.PIDs}}", cid)
        assert p.returncode == 0 and p.stdout.strip().isdigit(), p.stderr
    finally:
        podman("rm", "-f", cid)


def test_run_interactive_tty(podman):
    """podman run -it through a real pty (driven with script(1))."""
    import shlex
    import subprocess
    cmd = " ".join(shlex.quote(a) for a in podman.argv + ["--runtime", "hull", "run", "--rm", "-it",
                                                           podman.image, "sh", "-c", "tty; echo tty-ok"])
    # stdin stays open (a pipe nobody writes) until the run ends: at EOF on its input,
    # script(1) passes an EOF to podman, which may then stop attaching before the output
    # arrives (seen with crun as well as hull).
    rfd, wfd = os.pipe()
    try:
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True,
                           env=podman.env, timeout=120, stdin=rfd)
    finally:
        os.close(rfd)
        os.close(wfd)
    assert "tty-ok" in p.stdout, p.stdout + p.stderr
    assert "/dev/pts/0" in p.stdout


def test_security_opt_seccomp(podman, tmp_path):
    prof = tmp_path / "seccomp.json"
    prof.write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"],'
                    ' "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}')
    p = run(podman, "--security-opt", f"seccomp={prof}", podman.image, "mkdir", "/tmp/x")
    assert p.returncode != 0 and "Operation not permitted" in p.stderr + p.stdout
