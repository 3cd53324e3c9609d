# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many sequential containers: zero failures and nothing leaked (mounts, cgroups, state, fds)."""
import os

from conftest import cgroup_dirs, host_mounts


def fd_count():
    return len(os.listdir("/proc/self/fd"))


def test_200_sequential_runs_leak_nothing(hull, rootfs):
    b = hull.bundle(rootfs, ["/bin/true"], profile="hardened")
    mounts, fds, cgs = host_mounts(), fd_count(), cgroup_dirs("st-")
    failures = []
    for i in range(200):
        p = hull.run(b, cid=f"st-{i}")
        if p.returncode != 0:
            failures.append((i, p.stderr))
    assert failures == []
    assert host_mounts() == mounts
    assert cgroup_dirs("st-") == cgs == []
    assert fd_count() == fds
    assert [d for d in os.listdir(hull.root) if not d.startswith(".")] == []


def test_container_sees_only_stdio_fds(hull, rootfs):
    b = hull.bundle(rootfs, ["ls", "/proc/self/fd"])
    p = hull.run(b)
    assert p.returncode == 0, p.stderr
    # 0-2, plus the directory fd ls itself opened
    assert sorted(int(x) for x in p.stdout.split()) == [0, 1, 2, 3]


def test_preserve_fds(hull, rootfs, tmp_path):
    f = tmp_path / "passed"
    f.write_text("through fd 3\n")
    b = hull.bundle(rootfs, ["sh", "-c", "cat <&3; ls /proc/self/fd | wc -l"])
    import subprocess
    p = subprocess.run(["sh", "-c", f'exec 3<"{f}"; exec "$0" --root "$1" run --preserve-fds 1 --bundle "$2" pf1',
                        hull.bin, hull.root, b], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\n")[0] == "through fd 3"
    assert p.stdout.split("\n")[1].strip() == "5"  # 0-3 and ls's own directory fd
