# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every area of config.json a Linux runtime must honour, checked from inside the container."""
import json
import os
import stat
import subprocess

import pytest

from conftest import cgroup_dirs, host_mounts


def out(hull, rootfs, script, edit=None, profile="runc", **kw):
    b = hull.bundle(rootfs, ["sh", "-c", script], profile=profile, edit=edit, **kw)
    p = hull.run(b)
    assert p.returncode == 0, p.stderr
    return p.stdout


def ns_of(pid, name):
    return os.readlink(f"/proc/{pid}/ns/{name}")


# ---- namespaces ----

def test_all_namespaces_new(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"] = [{"type": t} for t in
                                    ("pid", "network", "ipc", "uts", "mount", "cgroup", "time", "user")]
        s["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
        s["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 300000, "size": 65536}]
    o = out(hull, rootfs, "for n in pid net ipc uts mnt cgroup time user; do readlink /proc/self/ns/$n; done", edit)
    for line, n in zip(o.split(), ("pid", "net", "ipc", "uts", "mnt", "cgroup", "time", "user")):
        assert line != ns_of(os.getpid(), n), n


def test_host_namespaces_when_not_listed(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"] = [{"type": "mount"}]
        del s["hostname"]
    o = out(hull, rootfs, "readlink /proc/self/ns/net; readlink /proc/self/ns/uts", edit)
    net, uts = o.split()
    assert net == ns_of(os.getpid(), "net") and uts == ns_of(os.getpid(), "uts")


def test_join_namespaces_by_path(hull, rootfs):
    holder = subprocess.Popen(["unshare", "--net", "--uts", "--ipc", "sleep", "1000"])
    try:
        import time
        for _ in range(100):
            if ns_of(holder.pid, "net") != ns_of(os.getpid(), "net"):
                break
            time.sleep(0.02)
        def edit(s):
            s["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"},
                                        {"type": "network", "path": f"/proc/{holder.pid}/ns/net"},
                                        {"type": "ipc", "path": f"/proc/{holder.pid}/ns/ipc"},
                                        {"type": "uts", "path": f"/proc/{holder.pid}/ns/uts"}]
        o = out(hull, rootfs, "for n in net ipc uts; do readlink /proc/self/ns/$n; done; echo pid=$$", edit)
        lines = o.split()
        assert lines[0] == ns_of(holder.pid, "net")
        assert lines[1] == ns_of(holder.pid, "ipc")
        assert lines[2] == ns_of(holder.pid, "uts")
        assert lines[3] == "pid=1"
    finally:
        holder.kill()
        holder.wait()


def test_join_with_new_user_namespace(hull, rootfs):
    holder = subprocess.Popen(["unshare", "--net", "sleep", "1000"])
    try:
        import time
        for _ in range(100):
            if ns_of(holder.pid, "net") != ns_of(os.getpid(), "net"):
                break
            time.sleep(0.02)
        def edit(s):
            s["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}, {"type": "user"},
                                        {"type": "network", "path": f"/proc/{holder.pid}/ns/net"}]
            s["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 400000, "size": 65536}]
            s["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 400000, "size": 65536}]
            s["mounts"] = [m for m in s["mounts"] if m["type"] not in ("sysfs", "cgroup", "mqueue")]
            del s["hostname"]
        o = out(hull, rootfs, "readlink /proc/self/ns/net; cat /proc/self/uid_map; echo pid=$$", edit)
        lines = o.split("\n")
        assert lines[0] == ns_of(holder.pid, "net")
        assert lines[1].split() == ["0", "400000", "65536"]
        assert "pid=1" in o
    finally:
        holder.kill()
        holder.wait()


def test_bad_namespace_path(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"].append({"type": "network", "path": "/proc/self/ns/ipc"})
        s["linux"]["namespaces"] = [n for n in s["linux"]["namespaces"] if n["type"] != "network" or "path" in n]
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    assert p.returncode != 0 and "network namespace /proc/self/ns/ipc is a ipc namespace" in p.stderr


def test_multi_range_id_maps(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"].append({"type": "user"})
        s["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 500000, "size": 1},
                                     {"containerID": 1, "hostID": 600001, "size": 999}]
        s["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 500000, "size": 1000}]
        s["process"]["user"] = {"uid": 5, "gid": 7}
    o = out(hull, rootfs, "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g", edit)
    lines = [l.split() for l in o.strip().split("\n")]
    assert lines[0] == ["0", "500000", "1"] and lines[1] == ["1", "600001", "999"]
    assert lines[2] == ["0", "500000", "1000"]
    assert lines[3] == ["5"] and lines[4] == ["7"]


def test_userns_auto_gives_each_container_its_own_range(hull, rootfs):
    """org.hull.userns=auto: a host range per container, recorded in the state, reused only
    after delete; a reservation (hull launch) is honoured by create."""
    def edit(s):
        s["linux"]["namespaces"].append({"type": "user"})
        s["linux"]["uidMappings"] = s["linux"]["gidMappings"] = [
            {"containerID": 0, "hostID": 500000, "size": 65536}]
        s.setdefault("annotations", {})["org.hull.userns"] = "auto"
    b = hull.bundle(rootfs, ["sleep", "30"], edit=edit)
    hull.cmd("create", "--bundle", b, "a1", check=True)
    hull.cmd("create", "--bundle", b, "a2", check=True)
    maps = {}
    for cid in ("a1", "a2"):
        pid = hull.state(cid)["pid"]
        with open(f"/proc/{pid}/uid_map") as f:
            maps[cid] = f.read().split()
        with open(f"/proc/{pid}/gid_map") as f:
            assert f.read().split() == maps[cid]
        assert maps[cid][0] == "0" and maps[cid][2] == "65536"
        assert maps[cid][1] != "500000"  # the static mapping was replaced
    assert abs(int(maps["a1"][1]) - int(maps["a2"][1])) >= 65536
    with open(os.path.join(hull.root, "a1", "state.json")) as f:
        assert json.load(f)["hull"]["usernsBase"] == int(maps["a1"][1])
    # a1's range is free again after delete: the next container gets it.
    hull.cmd("delete", "--force", "a1", check=True)
    hull.cmd("create", "--bundle", b, "a3", check=True)
    with open(f"/proc/{hull.state('a3')['pid']}/uid_map") as f:
        assert f.read().split()[1] == maps["a1"][1]
    for cid in ("a2", "a3"):
        hull.cmd("delete", "--force", cid, check=True)
    bad = hull.bundle(rootfs, ["true"], edit=lambda s: (edit(s), s["annotations"].update({"org.hull.userns": "keep-id"})))
    p = hull.run(bad)
    assert p.returncode != 0 and "org.hull.userns" in p.stderr and "keep-id" in p.stderr


def test_time_namespace_offsets(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"].append({"type": "time"})
        s["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400 * 365, "nanosecs": 0},
                                     "boottime": {"secs": 86400 * 1000, "nanosecs": 0}}
    o = out(hull, rootfs, "cat /proc/uptime", edit)
    assert float(o.split()[0]) > 86400 * 1000


# ---- root, mounts, paths ----

def test_readonly_root_and_writable_tmpfs(hull, rootfs):
    def edit(s):
        s["root"]["readonly"] = True
        s["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                            "options": ["nosuid", "nodev", "mode=1777", "size=1m"]})
    o = out(hull, rootfs, "touch /x 2>&1; touch /tmp/y && echo tmp-ok; grep ' /tmp ' /proc/mounts", edit)
    assert "Read-only file system" in o and "tmp-ok" in o
    assert "size=1024k" in o and "nosuid" in o


def test_bind_mounts_and_options(hull, rootfs, tmp_path):
    src = tmp_path / "data"
    (src / "sub").mkdir(parents=True)
    (src / "file").write_text("bound\n")
    (tmp_path / "single").write_text("one file\n")
    def edit(s):
        s["mounts"] += [
            {"destination": "/data", "type": "bind", "source": str(src), "options": ["rbind", "ro", "nosuid"]},
            {"destination": "/etc/single", "type": "bind", "source": str(tmp_path / "single"), "options": ["bind"]},
            {"destination": "/rw", "type": "bind", "source": str(src), "options": ["bind", "rw"]},
        ]
    o = out(hull, rootfs, "cat /data/file /etc/single; touch /data/x 2>&1; touch /rw/made && echo rw-ok;"
                          " grep -E ' /data | /rw ' /proc/self/mountinfo", edit)
    assert "bound" in o and "one file" in o
    assert "Read-only file system" in o and "rw-ok" in o
    data_line = [l for l in o.splitlines() if " /data " in l][0]
    assert " ro," in data_line and "nosuid" in data_line
    assert (src / "made").exists()


def test_relative_bind_source_is_bundle_relative(hull, rootfs):
    def edit(s):
        s["mounts"].append({"destination": "/mnt", "type": "bind", "source": "files", "options": ["bind"]})
    b = hull.bundle(rootfs, ["cat", "/mnt/hello"], edit=edit)
    os.makedirs(os.path.join(b, "files"))
    with open(os.path.join(b, "files", "hello"), "w") as f:
        f.write("relative\n")
    p = hull.run(b)
    assert p.returncode == 0 and p.stdout == "relative\n", p.stderr


def test_mount_propagation(hull, rootfs, tmp_path):
    src = tmp_path / "prop"
    src.mkdir()
    def edit(s):
        s["mounts"].append({"destination": "/prop", "type": "bind", "source": str(src),
                            "options": ["rbind", "rslave"]})
        s["linux"]["rootfsPropagation"] = "private"
    o = out(hull, rootfs, "cat /proc/self/mountinfo", edit)
    prop_line = [l for l in o.splitlines() if l.split()[4] == "/prop"][0]
    root_line = [l for l in o.splitlines() if l.split()[4] == "/"][-1]
    assert "shared:" not in root_line
    assert "shared:" not in prop_line  # slave or private, never shared with the host


def test_no_pivot(hull, rootfs):
    b = hull.bundle(rootfs, ["sh", "-c", "ls /bin/busybox && cat /proc/self/mountinfo | wc -l"])
    p = hull.run(b, extra=("--no-pivot",))
    assert p.returncode == 0, p.stderr
    assert "/bin/busybox" in p.stdout


def test_masked_and_readonly_paths(hull, rootfs):
    def edit(s):
        s["linux"]["maskedPaths"] = ["/proc/keys", "/sys/firmware", "/proc/does-not-exist"]
        s["linux"]["readonlyPaths"] = ["/proc/sys"]
    o = out(hull, rootfs, "wc -c < /proc/keys; ls /sys/firmware | wc -l; sh -c 'echo 1 > /proc/sys/vm/drop_caches' 2>&1;"
                          " grep -E ' /proc/keys | /proc/sys ' /proc/self/mountinfo", edit)
    lines = o.splitlines()
    assert lines[0].strip() == "0" and lines[1].strip() == "0"
    assert "Read-only file system" in o
    assert any(" /proc/sys " in l and " ro," in l for l in lines)


def test_proc_symlink_target_refused(hull, rootfs, tmp_path):
    """CVE-2019-16884 / CVE-2023-27561: /proc in the image is a symlink: refuse to mount there."""
    b = hull.bundle(rootfs, ["true"], copy_rootfs=True)
    r = os.path.join(b, "rootfs")
    os.rmdir(os.path.join(r, "proc"))
    os.symlink("/tmp/fakeproc", os.path.join(r, "proc"))
    p = hull.run(b)
    assert p.returncode != 0
    assert "/proc" in p.stderr and "symlink" in p.stderr and "CVE-2019-16884" in p.stderr


# ---- devices ----

def test_default_devices_and_symlinks(hull, rootfs):
    o = out(hull, rootfs, "for d in null zero full random urandom tty; do stat -c '%n %t:%T %a' /dev/$d; done;"
                          " for l in fd stdin ptmx; do readlink /dev/$l; done")
    assert "/dev/null 1:3 666" in o and "/dev/zero 1:5" in o and "/dev/tty 5:0" in o
    assert "/proc/self/fd\n/proc/self/fd/0\npts/ptmx" in o


def test_configured_devices(hull, rootfs):
    def edit(s):
        s["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
                                  "fileMode": 0o600, "uid": 7, "gid": 8}]
        s["linux"]["resources"] = {"devices": [{"allow": False, "access": "rwm"}]}
    o = out(hull, rootfs, "stat -c '%t:%T %a %u %g' /dev/fuse; head -c1 /dev/fuse; echo rc=$?", edit)
    assert o.splitlines()[0] == "a:e5 600 7 8"


def test_device_cgroup_denies(hull, rootfs):
    def edit(s):
        s["linux"]["devices"] = [{"path": "/dev/sda-ish", "type": "b", "major": 8, "minor": 0}]
        s["linux"]["resources"] = {"devices": [{"allow": False, "access": "rwm"},
                                               {"allow": False, "type": "b", "major": 8, "minor": 0, "access": "rw"}]}
    # the device node exists, but the cgroup refuses access to block devices not allowed
    o = out(hull, rootfs, "ls -l /dev/sda-ish; head -c1 /dev/zero | wc -c", edit)
    assert "/dev/sda-ish" in o


# ---- process ----

def test_hostname_domainname(hull, rootfs):
    def edit(s):
        s["hostname"] = "box1"
        s["domainname"] = "example.org"
    o = out(hull, rootfs, "hostname; cat /proc/sys/kernel/domainname", edit)
    assert o.split() == ["box1", "example.org"]


def test_hostname_without_uts_namespace_is_an_error(hull, rootfs):
    def edit(s):
        s["linux"]["namespaces"] = [n for n in s["linux"]["namespaces"] if n["type"] != "uts"]
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    assert p.returncode != 0 and "UTS namespace" in p.stderr


def test_sysctl(hull, rootfs):
    def edit(s):
        s["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}
    o = out(hull, rootfs, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni", edit)
    assert o.split() == ["1", "1234"]
    with open("/proc/sys/kernel/shmmni") as f:
        assert f.read().strip() != "1234"


def test_host_sysctl_refused(hull, rootfs):
    def edit(s):
        s["linux"]["sysctl"] = {"kernel.panic": "1"}
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    assert p.returncode != 0 and "not namespaced" in p.stderr


def test_rlimits(hull, rootfs):
    def edit(s):
        s["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
                                   {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
    o = out(hull, rootfs, "ulimit -n; ulimit -Hn; ulimit -c", edit)
    assert o.split() == ["100", "200", "0"]


def test_rlimit_above_hard_limit_reports(hull, rootfs):
    def edit(s):
        s["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1 << 30, "hard": 1 << 30}]
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    if p.returncode != 0:  # CAP_SYS_RESOURCE is missing on these machines
        assert "setrlimit RLIMIT_NOFILE" in p.stderr


def test_oom_score_adj(hull, rootfs):
    def edit(s):
        s["process"]["oomScoreAdj"] = 500
    assert out(hull, rootfs, "cat /proc/self/oom_score_adj", edit).strip() == "500"


def test_user_groups_umask(hull, rootfs):
    def edit(s):
        s["process"]["user"] = {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 0o077}
        s["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1777"]})
    o = out(hull, rootfs, "id -u; id -g; id -G; umask; touch /tmp/f; stat -c %a /tmp/f", edit)
    lines = o.split("\n")
    assert lines[0] == "1000" and lines[1] == "1001"
    assert set(lines[2].split()) == {"1001", "5", "6"}
    assert lines[3] == "0077" and lines[4] == "600"


def test_env_cwd_and_home(hull, rootfs):
    def edit(s):
        s["process"]["env"] = ["PATH=/bin", "FOO=bar baz"]
        s["process"]["cwd"] = "/var/work"
    o = out(hull, rootfs, 'echo "$FOO"; pwd; echo "$HOME"', edit, copy_rootfs=True)
    assert o.split("\n")[:3] == ["bar baz", "/var/work", "/root"]


def test_cwd_magic_link_cannot_escape(hull, rootfs):
    """CVE-2024-21626: cwd /proc/self/fd/N must not resolve to a host directory through an fd
    the runtime leaked: it is refused, or lands inside the container's own tree."""
    b = hull.bundle(rootfs, ["true"], copy_rootfs=True)
    with open(os.path.join(b, "rootfs", "CONTAINER-ROOT"), "w") as f:
        f.write("x")
    for fd in range(3, 16):
        def edit(s, fd=fd):
            s["process"]["cwd"] = f"/proc/self/fd/{fd}"
            s["process"]["args"] = ["sh", "-c", "cd ../../../../../../..; ls"]
        with open(os.path.join(b, "config.json")) as f:
            spec = json.load(f)
        edit(spec)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(spec, f)
        p = hull.run(b)
        if p.returncode == 0:
            assert "CONTAINER-ROOT" in p.stdout.split(), (fd, p.stdout)
        else:
            assert "cwd" in p.stderr


def test_capabilities_all_sets(hull, rootfs):
    def edit(s):
        caps = ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"]
        s["process"]["user"] = {"uid": 1000, "gid": 1000}
        s["process"]["noNewPrivileges"] = True
        s["process"]["capabilities"] = {"bounding": caps + ["CAP_SYS_TIME"], "effective": caps,
                                        "permitted": caps, "inheritable": ["CAP_NET_BIND_SERVICE"],
                                        "ambient": ["CAP_NET_BIND_SERVICE"]}
    o = out(hull, rootfs, "grep ^Cap /proc/self/status", edit)
    caps = {l.split(":")[0]: int(l.split()[1], 16) for l in o.splitlines()}
    nbs, chown, kill, time_ = 1 << 10, 1 << 0, 1 << 5, 1 << 25
    assert caps["CapBnd"] == nbs | chown | kill | time_
    assert caps["CapInh"] == nbs
    assert caps["CapAmb"] == nbs
    # a non-root exec keeps only ambient capabilities
    assert caps["CapPrm"] == nbs and caps["CapEff"] == nbs


def test_inheritable_caps_warn(hull, rootfs):
    def edit(s):
        s["process"]["capabilities"]["inheritable"] = ["CAP_KILL"]
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    assert p.returncode == 0
    assert "CVE-2022-29162" in p.stderr


def test_no_new_privileges(hull, rootfs):
    def edit(s, v):
        s["process"]["noNewPrivileges"] = v
    assert out(hull, rootfs, "grep NoNewPrivs /proc/self/status", lambda s: edit(s, True)).split()[1] == "1"
    assert out(hull, rootfs, "grep NoNewPrivs /proc/self/status", lambda s: edit(s, False)).split()[1] == "0"


def test_annotations_in_state(hull, rootfs):
    def edit(s):
        s["annotations"] = {"org.example.key": "value"}
    b = hull.bundle(rootfs, ["sleep", "100"], edit=edit)
    hull.cmd("create", "--bundle", b, "ann", check=True)
    assert hull.state("ann")["annotations"] == {"org.example.key": "value"}


# ---- seccomp ----

def seccomp_edit(profile):
    def edit(s):
        s["linux"]["seccomp"] = profile
    return edit


def test_seccomp_errno_and_errnoret(hull, rootfs):
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                         {"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}
    o = out(hull, rootfs, "mkdir /tmp/x 2>&1; grep Seccomp: /proc/self/status", seccomp_edit(prof))
    assert "Permission denied" in o  # errno 13
    assert "Seccomp:\t2" in o


def test_seccomp_default_errno_ret(hull, rootfs):
    prof = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
            "syscalls": [{"names": open(os.path.join(os.path.dirname(__file__), "allow_list.txt")).read().split(),
                          "action": "SCMP_ACT_ALLOW"}]}
    o = out(hull, rootfs, "mkdir /tmp/x 2>&1 || true", seccomp_edit(prof))
    assert "Function not implemented" in o


def test_seccomp_operators(hull, rootfs):
    # personality(0xffffffff) queries; allow only personality(arg0 == 0xffffffff), kill others
    prof = {"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                          "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]},
                         {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                          "args": [{"index": 1, "value": 0xff, "valueTwo": 12, "op": "SCMP_CMP_MASKED_EQ"}]},
                         {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3,
                          "args": [{"index": 1, "value": 31, "op": "SCMP_CMP_GT"}]}]}
    o = out(hull, rootfs, "for s in 10 12 40 0; do echo sig$s; kill -$s $$ 2>&1; done; echo end",
            seccomp_edit(prof))
    part = {l.split("\n", 1)[0]: l for l in o.split("sig")[1:]}
    assert "not permitted" in part["10"].lower()  # EQ 10 -> EPERM
    assert "invalid" in part["12"].lower()  # (12 & 0xff) == 12 -> EINVAL
    assert "no such process" in part["40"].lower()  # GT 31 -> ESRCH
    assert part["0"].strip() == "0\nend"  # no rule matches signal 0


def test_seccomp_kill_action(hull, rootfs):
    prof = {"defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]}
    b = hull.bundle(rootfs, ["sh", "-c", "echo $PPID"], edit=seccomp_edit(prof))
    p = hull.run(b)
    assert p.returncode == 128 + 31  # SIGSYS


def test_seccomp_flags_and_log(hull, rootfs):
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
            "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]}
    assert "Seccomp:\t2" in out(hull, rootfs, "grep Seccomp: /proc/self/status", seccomp_edit(prof))


def test_seccomp_unknown_flag_rejected(hull, rootfs):
    prof = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_BOGUS"]}
    b = hull.bundle(rootfs, ["true"], edit=seccomp_edit(prof))
    p = hull.run(b)
    assert p.returncode != 0 and "SECCOMP_FILTER_FLAG_BOGUS" in p.stderr


# ---- hooks ----

def test_hooks_all_kinds(hull, rootfs, tmp_path):
    log = tmp_path / "hooks.log"
    script = tmp_path / "hook.sh"
    script.write_text("#!/bin/sh\nstate=$(cat)\necho \"$1 $state\" >> " + str(log) + "\n")
    script.chmod(0o755)
    def edit(s):
        s["hooks"] = {k: [{"path": str(script), "args": ["hook.sh", k]}]
                      for k in ("prestart", "createRuntime", "poststart", "poststop")}
        # these two run in the container's namespaces: the path must exist there too
        s["hooks"]["createContainer"] = [{"path": "/bin/sh", "args": ["sh", "-c", "cat > /dev/null; true"]}]
        s["hooks"]["startContainer"] = [{"path": "/bin/true"}]
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b, cid="hooked")
    assert p.returncode == 0, p.stderr
    lines = log.read_text().splitlines()
    kinds = [l.split(" ", 1)[0] for l in lines]
    assert kinds == ["prestart", "createRuntime", "poststart", "poststop"]
    for l in lines:
        st = json.loads(l.split(" ", 1)[1])
        assert st["id"] == "hooked" and st["ociVersion"].startswith("1.")
    states = [json.loads(l.split(" ", 1)[1]) for l in lines]
    assert [s["status"] for s in states] == ["created", "creating", "running", "stopped"]
    assert states[0]["pid"] > 0 and states[0]["pid"] == states[1]["pid"] == states[2]["pid"]


def test_failing_hook_aborts_create(hull, rootfs):
    def edit(s):
        s["hooks"] = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo nope >&2; exit 3"]}]}
    b = hull.bundle(rootfs, ["true"], edit=edit)
    before = host_mounts()
    p = hull.run(b, cid="hookfail")
    assert p.returncode != 0
    assert "prestart hook 0" in p.stderr and "exit status 3" in p.stderr and "nope" in p.stderr
    assert hull.state("hookfail") is None
    assert host_mounts() == before


def test_hook_timeout(hull, rootfs):
    def edit(s):
        s["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}
    b = hull.bundle(rootfs, ["true"], edit=edit)
    p = hull.run(b)
    assert p.returncode != 0 and "timed out" in p.stderr


# ---- cgroups ----

def test_cgroup_limits_applied(hull, rootfs):
    def edit(s):
        s["linux"]["cgroupsPath"] = "/hull-test/limits1"
        s["linux"]["resources"] = {"memory": {"limit": 33554432, "reservation": 16777216},
                                   "pids": {"limit": 42},
                                   "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
                                   "devices": [{"allow": False, "access": "rwm"}]}
    b = hull.bundle(rootfs, ["sleep", "100"], edit=edit)
    hull.cmd("run", "-d", "--bundle", b, "lim1", check=True)
    base = "/sys/fs/cgroup"
    def rd(ctl, f):
        with open(f"{base}/{ctl}/hull-test/limits1/{f}") as fh:
            return fh.read().strip()
    assert rd("memory", "memory.limit_in_bytes") == "33554432"
    assert rd("memory", "memory.soft_limit_in_bytes") == "16777216"
    assert rd("pids", "pids.max") == "42"
    assert rd("cpu", "cpu.shares") == "512"
    assert rd("cpu", "cpu.cfs_quota_us") == "50000"
    assert rd("cpuset", "cpuset.cpus") == "0"
    pid = hull.state("lim1")["pid"]
    assert str(pid) in rd("pids", "cgroup.procs")
    assert "c 1:3 rwm" in rd("devices", "devices.list")
    hull.cmd("delete", "--force", "lim1", check=True)
    assert not os.path.exists(f"{base}/memory/hull-test/limits1")


def test_cgroups_path_forms(hull, rootfs):
    # relative path, and the systemd slice:prefix:name form with --systemd-cgroup
    def rel(s):
        s["linux"]["cgroupsPath"] = "hull-test/rel1"
    b = hull.bundle(rootfs, ["sleep", "100"], edit=rel)
    hull.cmd("run", "-d", "--bundle", b, "rel1", check=True)
    assert os.path.isdir("/sys/fs/cgroup/pids/hull-test/rel1")
    hull.cmd("delete", "--force", "rel1", check=True)

    def sd(s):
        s["linux"]["cgroupsPath"] = "machine.slice:hulltest:sd1"
    b = hull.bundle(rootfs, ["sleep", "100"], edit=sd)
    p = hull.cmd("run", "-d", "--bundle", b, "sd1", glob_args=("--systemd-cgroup",))
    assert p.returncode == 0, p.stderr
    assert os.path.isdir("/sys/fs/cgroup/pids/machine.slice/hulltest-sd1.scope")
    hull.cmd("delete", "--force", "sd1", check=True)
    assert not os.path.exists("/sys/fs/cgroup/pids/machine.slice/hulltest-sd1.scope")


def test_memory_limit_enforced(hull, rootfs):
    def edit(s):
        s["linux"]["resources"] = {"memory": {"limit": 8 * 1024 * 1024, "swap": 8 * 1024 * 1024}}
        s["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=64m"]})
    # writing 32 MiB into tmpfs charges the cgroup: the container is OOM-killed
    b = hull.bundle(rootfs, ["sh", "-c", "dd if=/dev/zero of=/tmp/big bs=1M count=32 2>/dev/null && echo survived"], edit=edit)
    p = hull.run(b)
    assert "survived" not in p.stdout


def test_pids_limit_enforced(hull, rootfs):
    def edit(s):
        s["linux"]["resources"] = {"pids": {"limit": 5}}
    b = hull.bundle(rootfs, ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 10 & done 2>&1; echo done"], edit=edit)
    p = hull.run(b)
    assert "can't fork: Resource temporarily unavailable" in p.stdout


def test_hybrid_unified_cgroup_joined(hull, rootfs):
    if not os.path.isdir("/sys/fs/cgroup/unified"):
        pytest.skip("no cgroup2 tree in this hybrid layout")
    o = out(hull, rootfs, "cat /proc/self/cgroup")
    assert "0::/" in o
