# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared fixtures for hull's integration tests: real containers, run as root.

HULL selects the binary (default build/hull). Every test gets its own state root (--root) so
tests never see each other's containers, and a busybox-static rootfs built once per session.
"""
import copy
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HULL = os.environ.get("HULL", os.path.join(ROOT, "build", "hull"))
BUSYBOX = shutil.which("busybox") or "/bin/busybox"


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("hull integration tests run containers and need root")


def make_rootfs(path):
    """A tiny rootfs: busybox-static with all its applets, and the usual directories."""
    os.makedirs(os.path.join(path, "bin"), exist_ok=True)
    shutil.copy2(BUSYBOX, os.path.join(path, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for a in applets:
        link = os.path.join(path, "bin", a)
        if a != "busybox" and not os.path.lexists(link):
            os.symlink("busybox", link)
    for d in ("proc", "sys", "dev", "etc", "tmp", "run", "root", "var", "sbin", "usr/bin"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    with open(os.path.join(path, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    with open(os.path.join(path, "etc", "group"), "w") as f:
        f.write("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n")
    return path


@pytest.fixture(scope="session")
def session_dir():
    d = tempfile.mkdtemp(prefix="hull-it-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def rootfs(session_dir):
    return make_rootfs(os.path.join(session_dir, "rootfs"))


def hull_spec(profile="runc"):
    d = tempfile.mkdtemp(prefix="hull-spec-")
    try:
        subprocess.run([HULL, "spec", "--profile", profile, "--bundle", d], check=True)
        with open(os.path.join(d, "config.json")) as f:
            return json.load(f)
    finally:
        shutil.rmtree(d)


_SPECS = {}


def base_spec(profile):
    if profile not in _SPECS:
        _SPECS[profile] = hull_spec(profile)
    return copy.deepcopy(_SPECS[profile])


class Hull:
    """Runs build/hull against a private state root."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.root = os.path.join(tmp, "state")
        self.bin = HULL

    def cmd(self, *args, check=False, input=None, timeout=60, env=None, glob_args=()):
        """Run hull. Output goes through files, not pipes: a detached container inherits
        stdout/stderr and would otherwise hold the pipe open until it exits."""
        argv = [self.bin, "--root", self.root, *glob_args, *[str(a) for a in args]]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            r = subprocess.run(argv, stdout=out, stderr=err, text=True, input=input,
                               stdin=None if input is not None else subprocess.DEVNULL,
                               timeout=timeout, env=env)
            out.seek(0)
            err.seek(0)
            p = subprocess.CompletedProcess(argv, r.returncode, out.read(), err.read())
        if check and p.returncode != 0:
            raise AssertionError(f"{argv} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def bundle(self, rootfs, args=("true",), profile="runc", name=None, edit=None, copy_rootfs=False):
        """Make a bundle; edit(spec) may change the config."""
        b = os.path.join(self.tmp, name or "b-" + uuid.uuid4().hex[:8])
        os.makedirs(b)
        spec = base_spec(profile)
        spec["process"]["terminal"] = False
        spec["process"]["args"] = list(args)
        if copy_rootfs:
            shutil.copytree(rootfs, os.path.join(b, "rootfs"), symlinks=True)
            spec["root"] = {"path": "rootfs", "readonly": False}
        else:
            spec["root"] = {"path": rootfs, "readonly": True}
        if edit:
            edit(spec)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(spec, f, indent=1)
        return b

    def run(self, bundle, cid=None, check=False, timeout=60, extra=()):
        cid = cid or "c-" + uuid.uuid4().hex[:10]
        return self.cmd("run", "--bundle", bundle, *extra, cid, check=check, timeout=timeout)

    def state(self, cid):
        p = self.cmd("state", cid)
        return json.loads(p.stdout) if p.returncode == 0 else None

    def list_ids(self):
        p = self.cmd("list", "--format", "json", check=True)
        return [c["id"] for c in json.loads(p.stdout or "[]")]

    def wait_status(self, cid, status, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            st = self.state(cid)
            if st and st["status"] == status:
                return st
            time.sleep(0.02)
        raise AssertionError(f"{cid} never reached {status}: {self.state(cid)}")


@pytest.fixture
def hull(tmp_path):
    h = Hull(str(tmp_path))
    yield h
    # Whatever a test left behind is removed, so one failure does not cascade.
    if os.path.isdir(h.root):
        for cid in os.listdir(h.root):
            if not cid.startswith("."):
                h.cmd("delete", "--force", cid)


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return f.read().count("\n")


def cgroup_dirs(cid_prefix=""):
    """Container cgroup directories that exist under any hierarchy's hull/ parent."""
    found = []
    base = "/sys/fs/cgroup"
    for h in os.listdir(base):
        p = os.path.join(base, h, "hull")
        if os.path.isdir(p):
            found += [os.path.join(p, d) for d in os.listdir(p)
                      if os.path.isdir(os.path.join(p, d)) and d.startswith(cid_prefix)]
    return found


# ---- escape tests (tests/escapes): attacker programs and booby-trapped rootfs copies ----

ESCAPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "escapes")


@pytest.fixture(scope="session")
def attack_bin(session_dir):
    """attack_bin("overwrite_exe") -> path of a static binary built from attacks/NAME.c."""
    built = {}

    def build(name):
        if name not in built:
            out = os.path.join(session_dir, name)
            subprocess.run(["gcc", "-O2", "-static", "-o", out, os.path.join(ESCAPES, "attacks", name + ".c")],
                           check=True)
            built[name] = out
        return built[name]
    return build


@pytest.fixture
def trap_rootfs(rootfs, tmp_path):
    """A private, writable copy of the busybox rootfs."""
    r = tmp_path / "rootfs"
    shutil.copytree(rootfs, r, symlinks=True)
    return r
