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
