# SPDX-License-Identifier: LGPL-2.1-or-later
"""exec, ps, update, events: what engines call on running containers."""
import json
import os
import subprocess
import time

import pytest


@pytest.fixture
def running(hull, rootfs):
    """A hardened container running sleep, and its id."""
    def edit(s):
        s["process"]["cwd"] = "/"
    b = hull.bundle(rootfs, ["sleep", "1000"], profile="hardened", edit=edit)
    hull.cmd("run", "-d", "--bundle", b, "ex", check=True)
    hull.wait_status("ex", "running")
    return "ex"


def ns(pid, n):
    return os.readlink(f"/proc/{pid}/ns/{n}")


def test_exec_joins_everything(hull, running):
    init = hull.state(running)["pid"]
    p = hull.cmd("exec", running, "sh", "-c",
                 "for n in user mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done;"
                 " grep -E '^(Seccomp|NoNewPrivs|CapEff|CapInh):' /proc/self/status; echo $$")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    for line, n in zip(lines, ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup")):
        assert line == ns(init, n), n
    status = dict(l.split(":\t") for l in lines[7:11])
    assert status["Seccomp"] == "2" and status["NoNewPrivs"] == "1"
    assert status["CapInh"] == "0000000000000000"
    with open(f"/proc/{init}/status") as f:
        init_caps = [l.split()[1] for l in f if l.startswith("CapEff")][0]
    assert status["CapEff"] == init_caps
    assert int(lines[11]) > 1  # a new pid inside the container's pid namespace


def test_exec_joins_cgroup(hull, running):
    p = hull.cmd("exec", running, "cat", "/proc/self/cgroup")
    assert p.returncode == 0, p.stderr
    assert "pids:/" in p.stdout  # the container's cgroup is the root of its cgroup namespace


def test_exec_exit_status_and_env_cwd_user(hull, running):
    assert hull.cmd("exec", running, "sh", "-c", "exit 9").returncode == 9
    p = hull.cmd("exec", "--env", "A=b", "--cwd", "/tmp", "--user", "1000:1001", running,
                 "sh", "-c", 'echo "$A $(pwd) $(id -u):$(id -g)"')
    assert p.returncode == 0, p.stderr
    assert p.stdout == "b /tmp 1000:1001\n"


def test_exec_process_json(hull, running, tmp_path):
    proc = {"args": ["sh", "-c", "echo from-json; id -u"], "cwd": "/", "env": ["PATH=/bin"],
            "user": {"uid": 7, "gid": 7}, "noNewPrivileges": True}
    f = tmp_path / "process.json"
    f.write_text(json.dumps(proc))
    p = hull.cmd("exec", "--process", f, running)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "from-json\n7\n"
    f.write_text('{"args": "not-a-list"}')
    p = hull.cmd("exec", "--process", f, running)
    assert p.returncode != 0 and ".args" in p.stderr


def test_exec_cap_never_inheritable(hull, running):
    p = hull.cmd("exec", "--cap", "CAP_NET_RAW", running, "grep", "-E", "CapInh|CapEff", "/proc/self/status")
    assert p.returncode == 0, p.stderr
    caps = dict(l.split(":\t") for l in p.stdout.splitlines())
    assert int(caps["CapEff"], 16) & (1 << 13)
    assert caps["CapInh"] == "0000000000000000"


def test_exec_detach_and_pid_file(hull, running, tmp_path):
    pf = tmp_path / "exec.pid"
    p = hull.cmd("exec", "-d", "--pid-file", pf, running, "sleep", "500")
    assert p.returncode == 0, p.stderr
    pid = int(pf.read_text())
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read().startswith(b"sleep\x00500")
    js = json.loads(hull.cmd("ps", "--format", "json", running, check=True).stdout)
    assert pid in js and hull.state(running)["pid"] in js


def test_exec_strict_user_parsing(hull, running):
    for bad in ("root", "0:root", "-1", "1:2:3", "", "4294967296"):
        p = hull.cmd("exec", "--user", bad, running, "true")
        assert p.returncode != 0, bad


def test_exec_missing_binary(hull, running):
    p = hull.cmd("exec", running, "/nope")
    assert p.returncode != 0 and "/nope" in p.stderr


def test_exec_stopped_container_fails(hull, rootfs):
    b = hull.bundle(rootfs, ["true"])
    hull.cmd("run", "-d", "--bundle", b, "gone", check=True)
    hull.wait_status("gone", "stopped")
    p = hull.cmd("exec", "gone", "true")
    assert p.returncode != 0 and "stopped" in p.stderr


def test_ps_table(hull, running):
    p = hull.cmd("ps", running, check=True)
    lines = p.stdout.splitlines()
    assert "PID" in lines[0] and any("sleep 1000" in l for l in lines[1:])
    assert len(lines) == 2


def test_update_resources(hull, running, tmp_path):
    hull.cmd("update", "--memory", "100m", "--pids-limit", "77", running, check=True)
    with open("/sys/fs/cgroup/pids/hull/ex/pids.max") as f:
        assert f.read().strip() == "77"
    with open("/sys/fs/cgroup/memory/hull/ex/memory.limit_in_bytes") as f:
        assert f.read().strip() == str(100 * 1024 * 1024)
    r = tmp_path / "res.json"
    r.write_text(json.dumps({"pids": {"limit": 55}, "cpu": {"shares": 300}}))
    hull.cmd("update", "--resources", r, running, check=True)
    with open("/sys/fs/cgroup/pids/hull/ex/pids.max") as f:
        assert f.read().strip() == "55"
    p = hull.cmd("update", "--resources", "-", running, input=json.dumps({"pids": {"limit": 44}}))
    assert p.returncode == 0, p.stderr
    with open("/sys/fs/cgroup/pids/hull/ex/pids.max") as f:
        assert f.read().strip() == "44"
    p = hull.cmd("update", "--resources", "-", running, input='{"pids": {"limit": "x"}}')
    assert p.returncode != 0 and ".pids.limit" in p.stderr


def test_events_stats(hull, running):
    p = hull.cmd("events", "--stats", running, check=True)
    ev = json.loads(p.stdout)
    assert ev["type"] == "stats" and ev["id"] == running
    assert ev["data"]["pids"]["current"] >= 1
    assert ev["data"]["memory"]["usage"]["usage"] > 0
    assert ev["data"]["cpu"]["usage"]["total"] > 0


def test_features(hull):
    f = json.loads(hull.cmd("features", check=True).stdout)
    assert f["ociVersionMin"] == "1.0.0" and f["ociVersionMax"].startswith("1.")
    assert "user" in f["linux"]["namespaces"] and "time" in f["linux"]["namespaces"]
    assert f["linux"]["seccomp"]["enabled"] is True
    assert "SCMP_ACT_NOTIFY" in f["linux"]["seccomp"]["actions"]
    assert "CAP_SYS_ADMIN" in f["linux"]["capabilities"]
    assert f["linux"]["mountExtensions"]["idmap"]["enabled"] is False


def test_exec_detached_outlives_the_runtime(hull, running):
    """exec -d returns at once; the process must keep running after `hull exec` exits (a
    parent-death signal left armed would kill it, and conmon would see no output)."""
    p = hull.cmd("exec", "-d", running, "sh", "-c", "sleep 0.5; echo late > /tmp/late")
    assert p.returncode == 0, p.stderr
    time.sleep(1.5)
    p = hull.cmd("exec", running, "cat", "/tmp/late")
    assert p.stdout == "late\n", p.stderr
