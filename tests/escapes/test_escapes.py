# SPDX-License-Identifier: LGPL-2.1-or-later
"""One regression test per known runtime escape class. Each test reproduces the attack and
fails against a runtime that lacks the defence its docstring names."""
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time

from conftest import host_mounts
from escapes_helpers import write_bundle


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def mount_targets():
    with open("/proc/self/mountinfo") as f:
        return {l.split()[4] for l in f}


# --- CVE-2019-5736: host runtime binary overwritten through /proc/self/exe -------------------

def test_cve_2019_5736_runtime_binary_not_writable(hull, trap_rootfs, attack_bin, tmp_path):
    """runc CVE-2019-5736: with an entrypoint of "#!/proc/self/exe", the kernel runs the runtime's
    host binary inside the container during `exec`; a container process holds it through
    /proc/PID/exe and rewrites it once it exits. hull runs every container process through a
    sealed memfd stub and stays non-dumpable until exec, so the host binary never appears as
    the exe of a process the container can reach. A runtime exec'ing the user's program from
    its own binary loses: the attacker prints OVERWROTE and the hash changes."""
    runtime = tmp_path / "hull-under-attack"
    shutil.copy2(hull.bin, runtime)
    before = sha256(runtime)
    shutil.copy2(attack_bin("overwrite_exe"), trap_rootfs / "bin" / "overwrite")
    evil = trap_rootfs / "bin" / "evil"
    evil.write_text("#!/proc/self/exe\n")
    evil.chmod(0o755)
    b = write_bundle(hull, trap_rootfs, ["sh", "-c", "/bin/overwrite 6 hull-under-attack > /attack.log 2>&1"])
    hull.bin = str(runtime)
    hull.cmd("run", "-d", "--bundle", b, "c5736", check=True)
    hull.wait_status("c5736", "running")
    for _ in range(20):
        hull.cmd("exec", "c5736", "/bin/evil")  # the stub refuses to run as an interpreter
        hull.cmd("exec", "c5736", "true")
    hull.wait_status("c5736", "stopped", timeout=30)
    log = (trap_rootfs / "attack.log").read_text()
    assert "OVERWROTE" not in log, log
    assert sha256(runtime) == before, "the runtime binary was modified from inside the container"
    # Every exe the attacker could read was the sealed stub, never the binary on the host.
    for line in log.splitlines():
        assert line.startswith("SAW /memfd:hull-exec"), log


# --- CVE-2024-21626: leaked fds and cwd outside the root ------------------------------------

def test_cve_2024_21626_init_holds_no_host_directory(hull, rootfs):
    """runc CVE-2024-21626: the init leaked an fd to the host's /sys/fs/cgroup, and
    process.cwd=/proc/self/fd/N put the container's cwd there. hull's init closes every inherited
    fd right after clone; while it waits for `start` it holds only stdio, exec.fifo and the stub."""
    b = hull.bundle(rootfs, ["true"])
    hull.cmd("create", "--bundle", b, "c21626", check=True)
    pid = hull.state("c21626")["pid"]
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        assert not os.path.isdir(target) or int(fd) <= 2, (fd, target)
        assert target.startswith(("/dev/null", "pipe:", "socket:", "/memfd:hull-exec")) or \
            target.endswith("/exec.fifo") or int(fd) <= 2, (fd, target)


def test_cve_2024_21626_cwd_proc_fd_stays_inside(hull, trap_rootfs):
    """cwd=/proc/self/fd/N is resolved inside the root with magic links refused: it fails or
    lands inside the container, never in a host directory."""
    (trap_rootfs / "INSIDE").write_text("x")
    for n in range(3, 16):
        def edit(s, n=n):
            s["process"]["cwd"] = f"/proc/self/fd/{n}"
        b = write_bundle(hull, trap_rootfs, ["sh", "-c", "cd ../../../../../..; ls"], edit=edit)
        p = hull.run(b)
        if p.returncode == 0:
            assert "INSIDE" in p.stdout.split(), (n, p.stdout)


# --- CVE-2021-30465, CVE-2019-19921, CVE-2023-27561, CVE-2019-16884: mount target paths ------

def test_symlinked_mount_destination_stays_inside(hull, trap_rootfs, tmp_path):
    """runc CVE-2021-30465 / CVE-2019-19921: a mount destination going through a symlink in the
    image (here an absolute one naming a real host directory) must resolve inside the rootfs."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (trap_rootfs / "mnt").mkdir(exist_ok=True)
    os.symlink(str(outside), trap_rootfs / "mnt" / "link")
    src = tmp_path / "src"
    src.mkdir()
    (src / "payload").write_text("x")
    def edit(s):
        s["mounts"].append({"destination": "/mnt/link/target", "type": "bind", "source": str(src),
                            "options": ["bind"]})
    b = write_bundle(hull, trap_rootfs, ["ls", str(outside) + "/target"], edit=edit)
    p = hull.run(b)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["payload"]  # mounted at rootfs/<outside>/target ...
    assert os.listdir(outside) == []  # ... not on the host directory
    assert str(outside / "target") not in mount_targets()


def test_mount_target_swap_race(hull, trap_rootfs, tmp_path):
    """CVE-2021-30465 is a race: another container swaps a directory for a symlink between the
    runtime's check and its mount(2). A host thread flips rootfs/racy between a directory and a
    symlink to a host directory while containers start with a mount below it. hull opens the
    target fd-relatively (openat2 RESOLVE_IN_ROOT) and mounts through that fd: the host directory
    never receives a mount or a file."""
    outside = tmp_path / "outside"
    outside.mkdir()
    racy = trap_rootfs / "racy"
    stop = threading.Event()

    def flip():
        while not stop.is_set():
            try:
                if racy.is_symlink():
                    racy.unlink()
                    racy.mkdir()
                else:
                    shutil.rmtree(racy, ignore_errors=True)
                    os.symlink(str(outside), racy)
            except OSError:
                pass
    def edit(s):
        s["mounts"].append({"destination": "/racy/sub", "type": "tmpfs", "source": "tmpfs",
                            "options": ["size=1k"]})
    b = write_bundle(hull, trap_rootfs, ["true"], edit=edit)
    t = threading.Thread(target=flip, daemon=True)
    t.start()
    try:
        for i in range(60):
            hull.run(b, cid=f"race{i}")
            assert not any(m.startswith(str(outside)) for m in mount_targets())
    finally:
        stop.set()
        t.join()
    assert os.listdir(outside) in ([], ["sub"]) and not any(
        m.startswith(str(outside)) for m in mount_targets())
    # a "sub" directory may only appear inside the rootfs (through the symlink resolved there)
    assert not (outside / "sub").exists()


def test_proc_and_sys_must_not_be_symlinks(hull, trap_rootfs):
    """runc CVE-2019-16884 / CVE-2023-27561: /proc in the image is a symlink, so procfs lands
    elsewhere and the runtime's later procfs writes (AppArmor labels, sysctls) go to a fake one.
    hull refuses symlinks on the way to proc and sysfs targets."""
    for d in ("proc", "sys"):
        r = trap_rootfs
        os.rename(r / d, r / (d + "-real"))
        os.symlink("/" + d + "-real", r / d)
        b = write_bundle(hull, r, ["true"])
        p = hull.run(b)
        assert p.returncode != 0 and "symlink" in p.stderr and "CVE-2019-16884" in p.stderr, p.stderr
        os.unlink(r / d)
        os.rename(r / (d + "-real"), r / d)


# --- CVE-2025-31133: masked paths through a fake /dev/null ----------------------------------

def test_cve_2025_31133_fake_dev_null(hull, trap_rootfs):
    """runc CVE-2025-31133: maskedPaths were bind-mounted from the container's /dev/null; an
    image whose /dev/null is a symlink to /proc/sys/kernel/core_pattern turned the "mask" into a
    writable view of a host-wide procfs file. hull masks with the host's /dev/null, verified to
    be char 1:3, and replaces the image's /dev/null with a real device node."""
    dev = trap_rootfs / "dev"
    os.symlink("/proc/sys/kernel/core_pattern", dev / "null")
    with open("/proc/sys/kernel/core_pattern") as f:
        core_before = f.read()
    def edit(s):
        s["mounts"] = [m for m in s["mounts"] if m["destination"] != "/dev"]  # the image's /dev
        s["linux"]["maskedPaths"] = ["/proc/timer_list", "/proc/keys"]
    b = write_bundle(hull, trap_rootfs, ["sh", "-c", "stat -c '%t:%T' /proc/keys; wc -c < /proc/keys;"
                                         " echo '|/tmp/evil' > /proc/keys && echo WROTE"], edit=edit)
    p = hull.run(b)
    lines = p.stdout.split()
    assert lines[:2] == ["1:3", "0"], (p.stdout, p.stderr)
    assert "WROTE" not in p.stdout or open("/proc/sys/kernel/core_pattern").read() == core_before
    with open("/proc/sys/kernel/core_pattern") as f:
        assert f.read() == core_before


# --- CVE-2025-52565: /dev/console through a symlink -----------------------------------------

def test_cve_2025_52565_console_symlink(hull, trap_rootfs, tmp_path):
    """runc CVE-2025-52565: the pty was bind-mounted on the container's /dev/console path, which
    an image could make a symlink to a procfs file. hull gets the pty peer with TIOCGPTPEER and
    refuses a /dev/console that is a symlink (O_NOFOLLOW)."""
    target = tmp_path / "host-file"
    target.write_text("untouched\n")
    os.symlink(str(target), trap_rootfs / "dev" / "console")
    import socket
    sock_path = str(tmp_path / "cs.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    def edit(s):
        s["mounts"] = [m for m in s["mounts"] if m["destination"] != "/dev"]
        s["process"]["terminal"] = True
    b = write_bundle(hull, trap_rootfs, ["true"], edit=edit)
    p = hull.cmd("create", "--bundle", b, "--console-socket", sock_path, "c52565")
    assert p.returncode != 0 and "/dev/console" in p.stderr, p.stderr
    assert target.read_text() == "untouched\n"
    assert str(target) not in mount_targets()
    srv.close()


# --- CVE-2025-52881: procfs writes redirected ------------------------------------------------

def test_cve_2025_52881_sysctl_through_private_procfs(hull, rootfs):
    """runc CVE-2025-52881: procfs writes (sysctls, LSM labels) went through paths in the
    container's /proc, which racing mounts could redirect. hull writes procfs only through a
    private procfs instance it mounted and verified. Here the config shadows /proc/sys/net with a
    tmpfs: a path-based write lands in the tmpfs; hull's reaches the kernel."""
    def edit(s):
        s["mounts"].insert(1, {"destination": "/proc/sys/net", "type": "tmpfs", "source": "tmpfs",
                               "options": ["size=1k"]})
        s["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    b = hull.bundle(rootfs, ["sleep", "100"], edit=edit)
    hull.cmd("run", "-d", "--bundle", b, "c52881", check=True)
    pid = hull.wait_status("c52881", "running")["pid"]
    p = subprocess.run(["nsenter", "-t", str(pid), "-n", "cat", "/proc/sys/net/ipv4/ip_forward"],
                       capture_output=True, text=True)
    assert p.stdout.strip() == "1", p.stderr


# --- CVE-2022-29162, crun CVE-2022-27650: inheritable capabilities ---------------------------

def test_cve_2022_29162_no_inheritable_capabilities(hull, trap_rootfs):
    """runc CVE-2022-29162 / crun CVE-2022-27650: inheritable capabilities let a non-root process
    gain them by exec'ing a binary with file capabilities. hull never sets inheritable
    capabilities unless the config asks (and then warns); exec --cap never adds them."""
    (trap_rootfs / "opt").mkdir()
    shutil.copy2(trap_rootfs / "bin" / "busybox", trap_rootfs / "opt" / "busybox")
    subprocess.run(["setcap", "cap_net_raw,cap_sys_admin+ei", str(trap_rootfs / "opt" / "busybox")], check=True)
    def edit(s):
        s["process"]["user"] = {"uid": 1000, "gid": 1000}
        s["process"]["noNewPrivileges"] = False
    b = write_bundle(hull, trap_rootfs, ["/opt/busybox", "grep", "CapEff", "/proc/self/status"], edit=edit)
    p = hull.run(b)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[1] == "0000000000000000"
    # asking for them is allowed, but warned about
    def edit2(s):
        edit(s)
        s["process"]["capabilities"]["inheritable"] = ["CAP_NET_RAW"]
    b = write_bundle(hull, trap_rootfs, ["true"], edit=edit2)
    p = hull.run(b)
    assert "CVE-2022-29162" in p.stderr


# --- CVE-2016-9962: ptrace of the init ------------------------------------------------------

def test_cve_2016_9962_init_not_dumpable(hull, rootfs):
    """runc CVE-2016-9962: a container process ptraced the runtime's init while it still held
    host fds. hull's init is non-dumpable until exec: container processes cannot read its fds,
    memory or environment, even as the same uid."""
    b = hull.bundle(rootfs, ["sleep", "100"])
    hull.cmd("create", "--bundle", b, "c9962", check=True)
    p = hull.cmd("exec", "c9962", "sh", "-c", "readlink /proc/1/fd/0 || echo denied-fd;"
                 " cat /proc/1/environ 2>&1; readlink /proc/1/exe || echo denied-exe; echo end")
    assert p.returncode == 0, p.stderr
    assert "denied-fd" in p.stdout and "denied-exe" in p.stdout, p.stdout
    assert "Permission denied" in p.stdout, p.stdout


# --- CVE-2024-45310 and /dev symlinks: creation outside the rootfs --------------------------

def test_cve_2024_45310_mkdir_and_devices_stay_inside(hull, trap_rootfs, tmp_path):
    """runc CVE-2024-45310 (MkdirAll races) and /dev symlinks in images (runc CVE-2026-41579):
    directories and device nodes are created relative to verified parent fds inside the root,
    so symlinks pointing out (absolute or with "..") lead back inside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(trap_rootfs / "dev")
    os.symlink(str(outside), trap_rootfs / "dev")  # absolute: /<tmp>/outside
    (trap_rootfs / "mnt").mkdir(exist_ok=True)
    os.symlink("../../../../../../../" + str(outside).lstrip("/"), trap_rootfs / "mnt" / "up")
    def edit(s):
        s["mounts"] = [m for m in s["mounts"] if not m["destination"].startswith("/dev")]
        s["mounts"].append({"destination": "/mnt/up/a/b/c", "type": "tmpfs", "source": "tmpfs",
                            "options": ["size=1k"]})
    b = write_bundle(hull, trap_rootfs, ["true"], edit=edit)
    hull.run(b)
    assert os.listdir(outside) == [], os.listdir(outside)
