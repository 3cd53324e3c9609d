# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reliability: concurrent lifecycles, and `hull create` killed at random points."""
import os
import random
import signal
import subprocess
import threading
import time

from conftest import cgroup_dirs, host_mounts


def lifecycle(hull, bundle, cid, errors):
    steps = (("create", "--bundle", bundle, cid), ("start", cid), ("exec", cid, "true"),
             ("kill", cid, "KILL"), ("delete", "--force", cid))
    for step in steps:
        p = hull.cmd(*step)
        if p.returncode != 0:
            errors.append((cid, step[0], p.stderr))
            hull.cmd("delete", "--force", cid)
            return


def test_4_workers_x_250_lifecycles(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"], profile="hardened")
    mounts = host_mounts()
    errors = []

    def worker(w):
        for i in range(250):
            lifecycle(hull, b, f"rel-{w}-{i}", errors)
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert host_mounts() == mounts
    assert cgroup_dirs("rel-") == []
    assert [d for d in os.listdir(hull.root) if not d.startswith(".")] == []


def test_kill9_during_create_is_recoverable(hull, rootfs):
    b = hull.bundle(rootfs, ["sleep", "1000"], profile="hardened")
    mounts = host_mounts()
    rnd = random.Random(4242)
    for i in range(40):
        cid = "k9"
        proc = subprocess.Popen([hull.bin, "--root", hull.root, "create", "--bundle", b, cid],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0, 0.012))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # whatever state it left, delete --force cleans it
        p = hull.cmd("delete", "--force", cid)
        assert p.returncode == 0, p.stderr
        assert not os.path.exists(os.path.join(hull.root, cid))
        assert cgroup_dirs(cid) == []
        # and the same id can be created again
        hull.cmd("create", "--bundle", b, cid, check=True)
        assert hull.state(cid)["status"] == "created"
        hull.cmd("delete", "--force", cid, check=True)
    assert host_mounts() == mounts


def test_create_killed_then_created_again_without_delete(hull, rootfs):
    """A create that died midway does not block the id: the next create reaps it."""
    b = hull.bundle(rootfs, ["sleep", "1000"])
    for delay in (0.001, 0.003, 0.006):
        proc = subprocess.Popen([hull.bin, "--root", hull.root, "create", "--bundle", b, "again"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        st = hull.state("again")
        if st and st["status"] == "created":
            hull.cmd("delete", "--force", "again", check=True)
        p = hull.cmd("create", "--bundle", b, "again")
        assert p.returncode == 0, p.stderr
        hull.cmd("delete", "--force", "again", check=True)
