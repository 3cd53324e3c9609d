# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull launch: image config -> hardened spec, overlay rootfs, in-process runtime; and ps, logs,
stop, rm for launched containers."""
import json
import os
import time

import pytest

from test_image_support import busybox_layout, store  # noqa: F401


@pytest.fixture
def bb(store, busybox_layout):
    """The 3-layer busybox image imported (no registry involved) under a name whose registry
    does not exist: launching it must never try to contact it."""
    store("image", "import", f"oci:{busybox_layout.path}:bb", "127.0.0.1:1/test/bb:1", check=True)
    return "127.0.0.1:1/test/bb:1"


def test_output_exit_code_and_rm(store, bb):
    p = store("launch", "--rm", bb, "sh", "-c", "echo out; echo err >&2; exit 7")
    assert p.returncode == 7
    assert p.stdout == "out\n" and p.stderr == "err\n"
    # Nothing left: no runtime state, no record, no overlay mount.
    assert json.loads(store("list", "--format", "json", check=True).stdout or "[]") == []
    assert store.ps() == []
    assert os.listdir(os.path.join(store.storage, "containers")) == []
    with open("/proc/self/mountinfo") as f:
        assert store.storage not in f.read()


def test_image_config_becomes_the_process(store, bb):
    p = store("launch", "--rm", bb, check=True)
    assert p.stdout == "default cmd\n"  # Cmd
    p = store("launch", "--rm", bb, "sh", "-c", 'echo "$FOO $PATH $(pwd) $(id -u):$(id -g)"', check=True)
    assert p.stdout == "image /usr/bin:/bin /var 0:0\n"  # Env, WorkingDir
    p = store("launch", "--rm", "-e", "FOO=flag", "-e", "BAR=1", "-w", "/etc", "--user", "65534:65534", bb,
              "sh", "-c", 'echo "$FOO $BAR $(pwd) $(id -u):$(id -g)"', check=True)
    assert p.stdout == "flag 1 /etc 65534:65534\n"
    p = store("launch", "--rm", "--user", "nobody", bb, "id", "-u", check=True)
    assert p.stdout == "65534\n"  # resolved through the image's /etc/passwd
    p = store("launch", "--rm", "--user", "nosuchuser", bb, "true")
    assert p.returncode != 0 and "nosuchuser" in p.stderr
    p = store("launch", "--rm", "--entrypoint", "/usr/bin/greet", bb, "world", check=True)
    assert p.stdout == "hi world\n"


def test_layers_and_whiteouts_through_overlay(store, bb):
    p = store("launch", "--rm", bb, "sh", "-c",
              "cat /etc/motd; ls /etc/group 2>&1; ls /var; test -u /usr/bin/su-like && echo setuid", check=True)
    lines = p.stdout.splitlines()
    assert lines[0] == "hello from layer 2"
    assert "No such file" in lines[1]  # whited out by layer 2
    assert lines[2:] == ["new", "setuid"]  # /var is opaque: lib/old of layer 1 is hidden


def test_writes_go_to_the_container_only(store, bb):
    p = store("launch", "--name", "w1", bb, "sh", "-c", "echo data > /newfile && cat /newfile", check=True)
    assert p.stdout == "data\n"
    p = store("launch", "--rm", bb, "sh", "-c", "cat /newfile 2>&1")
    assert "No such file" in p.stdout  # another container, a fresh upper dir
    # The layers are idmapped onto the container's range: the image's files are its root's, it
    # can change them, and the change is copied up into its own upper dir, owned by its range.
    p = store("launch", "--name", "w2", bb, "sh", "-c",
              "stat -c %u:%g /etc/motd /bin/busybox; echo x >> /etc/motd && cat /etc/motd; "
              "cat /proc/self/uid_map", check=True)
    lines = p.stdout.splitlines()
    assert lines[:4] == ["0:0", "0:0", "hello from layer 2", "x"], lines
    base = int(lines[4].split()[1])
    rec = [c for c in store.ps() if c["Name"] == "w2"][0]
    copied = os.path.join(store.storage, "containers", rec["Id"], "upper", "etc", "motd")
    st = os.stat(copied)
    assert (st.st_uid, st.st_gid) == (base, base)
    p = store("launch", "--rm", bb, "cat", "/etc/motd", check=True)
    assert p.stdout == "hello from layer 2\n"  # the layer itself is unchanged
    for name in ("w1", "w2"):
        store("rm", name, check=True)


def test_read_only_and_volumes(store, bb, tmp_path):
    p = store("launch", "--rm", "--read-only", bb, "sh", "-c", "echo x > /f")
    assert p.returncode != 0 and "Read-only" in p.stderr
    p = store("launch", "--rm", "--read-only", bb, "sh", "-c", "echo x > /tmp/f && cat /tmp/f", check=True)
    assert p.stdout == "x\n"
    vol = tmp_path / "vol"
    vol.mkdir()
    (vol / "in").write_text("from host\n")
    os.chmod(vol, 0o777)
    p = store("launch", "--rm", "-v", f"{vol}:/data:ro", bb, "sh", "-c", "cat /data/in; echo y > /data/out", )
    assert p.stdout == "from host\n" and p.returncode != 0
    assert not (vol / "out").exists()
    p = store("launch", "--rm", "-v", "relative:/data", bb, "true")
    assert p.returncode != 0 and "absolute" in p.stderr


def test_network_modes(store, bb):
    own = store("launch", "--rm", "--network", "none", bb, "cat", "/proc/net/dev", check=True).stdout
    host = store("launch", "--rm", "--network", "host", bb, "cat", "/proc/net/dev", check=True).stdout
    ifaces = lambda s: sorted(l.split(":")[0].strip() for l in s.splitlines()[2:])  # noqa: E731
    assert ifaces(own) == ["lo"]
    with open("/proc/net/dev") as f:
        assert ifaces(host) == ifaces(f.read())


def test_memory_limit(store, bb):
    p = store("launch", "--rm", "--memory", "64m", bb, "sh", "-c",
              "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max",
              check=True)
    assert p.stdout.strip() == str(64 << 20)
    p = store("launch", "--rm", "--memory", "lots", bb, "true")
    assert p.returncode != 0 and "--memory" in p.stderr


def test_pids_limit(store, bb):
    # 5 processes allowed: the sixth fork fails.
    p = store("launch", "--rm", "--pids-limit", "5", bb, "sh", "-c",
              "for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait")
    assert "can't fork" in p.stderr or "Resource temporarily unavailable" in p.stderr


def test_detached_lifecycle(store, bb):
    p = store("launch", "-d", "--name", "web", bb, "sh", "-c", "echo started; sleep 60", check=True)
    cid = p.stdout.strip()
    assert len(cid) == 64
    ps = store.ps()
    assert [(c["Name"], c["State"]) for c in ps] == [("web", "running")]
    assert cid in [c["id"] for c in json.loads(store("list", "--format", "json", check=True).stdout)]
    # The overlay is not mounted in the host's namespace.
    with open("/proc/self/mountinfo") as f:
        assert store.storage not in f.read()
    deadline = time.time() + 10
    while "started" not in store("logs", "web").stdout and time.time() < deadline:
        time.sleep(0.05)
    assert store("logs", "web", check=True).stdout == "started\n"
    p = store("launch", "-d", "--name", "web", bb, "true")
    assert p.returncode != 0 and "in use" in p.stderr
    p = store("rm", "web")
    assert p.returncode != 0 and "running" in p.stderr
    p = store("image", "rm", bb)
    assert p.returncode != 0 and "web" in p.stderr
    store("stop", "-t", "1", "web", check=True)
    ps = store.ps()
    assert ps[0]["State"] == "exited" and ps[0]["ExitCode"] == 137  # sh as PID 1 ignores TERM
    # podman's spellings: `hull ps -a` lists launched containers, `-aq` their ids; `hull ps`
    # shows running ones only (runc's `ps ID` still lists a container's processes).
    assert "web" in store("ps", "-a", check=True).stdout
    assert store("ps", "-aq", check=True).stdout.split() == [cid[:12]] or \
        store("ps", "-aq", check=True).stdout.split() == [cid]
    assert "web" not in store("ps", check=True).stdout
    assert json.loads(store("list", "--format", "json", check=True).stdout or "[]") == []
    store("rm", cid[:12], check=True)
    assert store.ps() == []


def test_detached_rm_removes_itself(store, bb):
    store("launch", "-d", "--rm", bb, "sh", "-c", "exit 3", check=True)
    deadline = time.time() + 10
    while store.ps() and time.time() < deadline:
        time.sleep(0.05)
    assert store.ps() == []
    assert os.listdir(os.path.join(store.storage, "containers")) == []


def test_launch_errors(store, bb):
    p = store("launch", "--rm", "--pull", "never", "localhost/absent:1", "true")
    assert p.returncode != 0 and "not in the store" in p.stderr
    p = store("launch", "--rm", "--network", "bridge", bb, "true")
    assert p.returncode != 0 and "--network" in p.stderr
    p = store("launch", "--rm", bb, "/no/such/binary")
    assert p.returncode != 0
    assert os.listdir(os.path.join(store.storage, "containers")) == []
    p = store("launch", "--rm", "--policy", "/nonexistent.json", bb, "true")
    assert p.returncode != 0 and "--policy" in p.stderr


def test_terminal_and_stdin(store, bb):
    import pty
    import subprocess
    from conftest import HULL
    argv = [HULL, "--root", store.root, "--storage-root", store.storage, "launch", "--rm", "-t", bb,
            "sh", "-c", "tty; exit 4"]
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=store.env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert p.wait(30) == 4
    os.close(master)
    assert b"/dev/pts/" in out
    p = store("launch", "--rm", "-i", bb, "sh", input="echo from-stdin\n")
    assert p.stdout == "from-stdin\n"


def test_concurrent_containers_can_write_their_root(store, bb):
    """Each container's upper dir belongs to the host uid its root maps to, also while another
    launched container runs (the runtime must not move it to a range the upper dir was not
    given to)."""
    store("launch", "-d", "--name", "first", bb, "sh", "-c", "echo a > /a; sleep 30", check=True)
    p = store("launch", "--rm", bb, "sh", "-c", "echo b > /b && cat /b /proc/self/uid_map", check=True)
    lines = p.stdout.splitlines()
    assert lines[0] == "b"
    second = lines[1].split()
    rec = [c for c in store.ps() if c["Name"] == "first"][0]
    first = store("exec", rec["Id"], "cat", "/proc/self/uid_map", check=True).stdout.split()
    # Each container has a range of its own (org.hull.userns=auto, reserved by launch), and its
    # upper dir belongs to that range's first id.
    assert first[0] == second[0] == "0" and first[2] == second[2] == "65536"
    assert abs(int(first[1]) - int(second[1])) >= 65536, (first, second)
    upper = os.path.join(store.storage, "containers", rec["Id"], "upper")
    assert os.stat(upper).st_uid == int(first[1])
    store("rm", "-f", "first", check=True)
    # Reservations go with their containers.
    res = os.path.join(store.root, ".userns")
    assert not os.path.isdir(res) or os.listdir(res) == []


def test_stop_sends_the_image_stop_signal(store, busybox_layout, tmp_path, rootfs):
    """`hull stop` sends the image's StopSignal (here SIGUSR1, which PID 1 traps) first, like
    podman; SIGKILL only after the timeout."""
    from test_image_support import Layout, add_tree, tar_bytes
    lay = Layout(str(tmp_path / "layout"))
    lay.image("usr1", [tar_bytes(lambda t: add_tree(t, rootfs))],
              config={"Cmd": ["/bin/sh", "-c", "trap 'exit 42' USR1; echo ready; while :; do sleep 0.1; done"],
                      "Env": ["PATH=/bin"], "StopSignal": "SIGUSR1"})
    store("image", "import", f"oci:{lay.path}:usr1", "localhost/usr1:1", check=True)
    store("launch", "-d", "--name", "u", "localhost/usr1:1", check=True)
    deadline = time.time() + 10
    while "ready" not in store("logs", "u").stdout and time.time() < deadline:
        time.sleep(0.05)
    store("stop", "-t", "30", "u", check=True)
    ps = store.ps()
    assert ps[0]["State"] == "exited" and ps[0]["ExitCode"] == 42, ps
    store("rm", "u", check=True)
