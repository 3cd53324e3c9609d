# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lifecycle transitions and their error cases, as the OCI runtime spec and runc define them."""
import json
import os
import signal
import subprocess
import time

from conftest import cgroup_dirs, host_mounts


def test_run_propagates_exit_status(hull, rootfs):
    b = hull.bundle(rootfs, ["sh", "-c", "echo hi; exit 7"])
    p = hull.run(b)
    assert p.returncode == 7
    assert p.stdout == "hi\n"


def test_run_reports_signal_death(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    proc = subprocess.Popen([hull.bin, "--root", hull.root, "run", "--bundle", b, "sig1"])
    hull.wait_status("sig1", "running")
    hull.cmd("kill", "sig1", "KILL", check=True)
    assert proc.wait(timeout=20) == 128 + signal.SIGKILL
    assert hull.state("sig1") is None


def test_run_forwards_signals(hull, rootfs):
    # pid 1 ignores signals it has no handler for, so the container installs one.
    b = hull.bundle(rootfs, ["sh", "-c", "trap 'echo got-usr1; exit 3' USR1; echo ready; while :; do sleep 0.05; done"])
    proc = subprocess.Popen([hull.bin, "--root", hull.root, "run", "--bundle", b, "sig2"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGUSR1)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 3
    assert "got-usr1" in out


def test_create_start_state_kill_delete(hull, rootfs, tmp_path):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    pidfile = tmp_path / "pid"
    hull.cmd("create", "--bundle", b, "--pid-file", pidfile, "c1", check=True)
    st = hull.state("c1")
    assert st["status"] == "created"
    assert st["id"] == "c1" and st["bundle"] == b and st["ociVersion"].startswith("1.")
    assert int(pidfile.read_text()) == st["pid"] > 0
    # the init is waiting, not running the user's program
    with open(f"/proc/{st['pid']}/cmdline", "rb") as f:
        assert b"sleep" not in f.read()
    hull.cmd("start", "c1", check=True)
    st = hull.state("c1")
    assert st["status"] == "running"
    with open(f"/proc/{st['pid']}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[0] == b"sleep"
    assert "c1" in hull.list_ids()
    hull.cmd("kill", "c1", "KILL", check=True)
    hull.wait_status("c1", "stopped")
    hull.cmd("delete", "c1", check=True)
    assert hull.state("c1") is None
    assert "c1" not in hull.list_ids()


def test_start_twice_fails(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("create", "--bundle", b, "c2", check=True)
    hull.cmd("start", "c2", check=True)
    p = hull.cmd("start", "c2")
    assert p.returncode != 0 and "running" in p.stderr


def test_delete_running_needs_force(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("run", "-d", "--bundle", b, "c3", check=True)
    p = hull.cmd("delete", "c3")
    assert p.returncode != 0 and "--force" in p.stderr
    assert hull.state("c3")["status"] == "running"
    hull.cmd("delete", "--force", "c3", check=True)
    assert hull.state("c3") is None


def test_delete_created_needs_force(hull, rootfs):
    b = hull.bundle(rootfs, ["true"])
    hull.cmd("create", "--bundle", b, "c3b", check=True)
    assert hull.cmd("delete", "c3b").returncode != 0
    hull.cmd("delete", "--force", "c3b", check=True)


def test_unknown_id(hull):
    for args in (["state", "nope"], ["start", "nope"], ["kill", "nope"], ["delete", "nope"]):
        p = hull.cmd(*args)
        assert p.returncode != 0
        assert 'container "nope" does not exist' in p.stderr
    assert hull.cmd("delete", "--force", "nope").returncode == 0


def test_duplicate_id(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("create", "--bundle", b, "dup", check=True)
    p = hull.cmd("create", "--bundle", b, "dup")
    assert p.returncode != 0 and "already exists" in p.stderr
    assert hull.state("dup")["status"] == "created"


def test_invalid_ids_rejected(hull, rootfs):
    b = hull.bundle(rootfs)
    for bad in ("../x", "a/b", ".."):
        p = hull.cmd("create", "--bundle", b, bad)
        assert p.returncode != 0 and "invalid container id" in p.stderr


def test_missing_bundle_leaves_nothing(hull, tmp_path):
    before = host_mounts()
    p = hull.cmd("create", "--bundle", tmp_path / "nope", "m1")
    assert p.returncode != 0 and "bundle" in p.stderr
    p = hull.cmd("create", "--bundle", tmp_path, "m2")
    assert p.returncode != 0 and "config.json not found" in p.stderr
    assert not os.path.exists(os.path.join(hull.root, "m1"))
    assert not os.path.exists(os.path.join(hull.root, "m2"))
    assert host_mounts() == before


def test_malformed_config_clear_error_nothing_left(hull, rootfs, tmp_path):
    b = tmp_path / "bad"
    b.mkdir()
    cases = {
        '{"ociVersion": "1.0.0", "root": {"path": "r"}, "process": {"args": "sh"}}': ".process.args",
        '{"ociVersion": "1.0.0",\n "root": {"path": ': "line 2",
        '{"ociVersion": "9.0.0", "root": {"path": "r"}}': "unsupported ociVersion",
        '{"ociVersion": "1.0.0", "root": {"path": "/nonexistent"}, "process": {"args": ["sh"]},'
        ' "linux": {"namespaces": [{"type": "mount"}]}}': "rootfs",
    }
    before = host_mounts()
    cg_before = cgroup_dirs()
    for text, expect in cases.items():
        (b / "config.json").write_text(text)
        p = hull.cmd("create", "--bundle", b, "bad1")
        assert p.returncode != 0, text
        assert expect in p.stderr, (text, p.stderr)
        assert not os.path.exists(os.path.join(hull.root, "bad1"))
    assert host_mounts() == before
    assert cgroup_dirs() == cg_before


def test_failure_in_init_is_reported_and_cleaned(hull, rootfs):
    b = hull.bundle(rootfs, ["/no/such/binary"])
    before = host_mounts()
    p = hull.run(b, cid="nobin")
    assert p.returncode != 0
    assert "/no/such/binary" in p.stderr
    assert not os.path.exists(os.path.join(hull.root, "nobin"))
    assert not cgroup_dirs("nobin")
    assert host_mounts() == before


def test_state_of_exited_container_is_stopped(hull, rootfs):
    b = hull.bundle(rootfs, ["true"])
    hull.cmd("run", "-d", "--bundle", b, "ex1", check=True)
    st = hull.wait_status("ex1", "stopped")
    assert st["pid"] == 0
    hull.cmd("delete", "ex1", check=True)
    assert not cgroup_dirs("ex1")


def test_kill_stopped_fails(hull, rootfs):
    b = hull.bundle(rootfs, ["true"])
    hull.cmd("run", "-d", "--bundle", b, "ks", check=True)
    hull.wait_status("ks", "stopped")
    p = hull.cmd("kill", "ks", "TERM")
    assert p.returncode != 0 and "stopped" in p.stderr


def test_kill_all(hull, rootfs):
    b = hull.bundle(rootfs, ["sh", "-c", "sleep 1000 & sleep 1000 & wait"])
    hull.cmd("run", "-d", "--bundle", b, "ka", check=True)
    hull.wait_status("ka", "running")
    hull.cmd("kill", "--all", "ka", "KILL", check=True)
    hull.wait_status("ka", "stopped")


def test_list_formats(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("create", "--bundle", b, "l1", check=True)
    table = hull.cmd("list", check=True).stdout
    assert table.splitlines()[0].split()[:3] == ["ID", "PID", "STATUS"]
    assert "l1" in table and "created" in table
    js = json.loads(hull.cmd("list", "--format", "json", check=True).stdout)
    assert js[0]["id"] == "l1" and js[0]["status"] == "created"
    assert hull.cmd("list", "-q", check=True).stdout.split() == ["l1"]


def test_pause_resume(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("run", "-d", "--bundle", b, "pr", check=True)
    hull.cmd("pause", "pr", check=True)
    assert hull.state("pr")["status"] == "paused"
    hull.cmd("resume", "pr", check=True)
    assert hull.state("pr")["status"] == "running"


def test_state_root_is_private(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"])
    hull.cmd("create", "--bundle", b, "perm", check=True)
    assert os.stat(hull.root).st_mode & 0o077 == 0


def test_version_and_help(hull):
    p = hull.cmd("--version", check=True)
    assert p.stdout.startswith("hull version ")
    assert "spec: 1." in p.stdout
    p = hull.cmd("nosuchcommand")
    assert p.returncode != 0 and "unknown command" in p.stderr


def test_json_log_format(hull, rootfs, tmp_path):
    log = tmp_path / "log.json"
    p = hull.cmd("start", "nope", glob_args=("--log", log, "--log-format", "json"))
    assert p.returncode != 0
    line = json.loads(log.read_text().splitlines()[-1])
    assert line["level"] == "error" and "nope" in line["msg"] and "time" in line


def test_container_cannot_signal_the_runtime_process_group(hull, rootfs):
    """The init gets its own session: kill(0, SIGKILL) in the container kills the container's
    process group, not `hull run`, which reports the status and cleans up."""
    b = hull.bundle(rootfs, ["sh", "-c", "sleep 100 & kill -9 0; wait; echo survived"])
    p = hull.run(b, cid="pgrp1")
    assert p.returncode == 0  # a negative code would mean hull itself was killed
    assert p.stdout == "survived\n"  # pid 1 ignores its own SIGKILL; sleep died
    assert hull.state("pgrp1") is None
