# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real clients of the runtime, started by the tests themselves: podman (with conmon).

Each session gets a private podman storage, run root and containers.conf, with a busybox image
imported from the test rootfs (no network). The host's /etc/subuid and /etc/subgid get a
"containers" range if missing, which podman's --userns=auto needs.
"""
import os
import shutil
import subprocess
import tarfile


def ensure_subids(user="containers", start=2147483647, count=65536000):
    for f in ("/etc/subuid", "/etc/subgid"):
        lines = open(f).read().splitlines() if os.path.exists(f) else []
        if not any(l.startswith(user + ":") for l in lines):
            with open(f, "a") as fh:
                fh.write(f"{user}:{start}:{count}\n")


class Podman:
    def __init__(self, base, hull_bin, rootfs):
        self.base = base
        self.hull = hull_bin
        os.makedirs(base, exist_ok=True)
        self.conf = os.path.join(base, "containers.conf")
        with open(self.conf, "w") as f:
            f.write("[containers]\n"
                    "default_ulimits = []\n"  # CAP_SYS_RESOURCE is missing on these machines
                    "[engine]\n"
                    "cgroup_manager = \"cgroupfs\"\n"  # no systemd here
                    "events_logger = \"file\"\n"
                    "[engine.runtimes]\n"
                    f"hull = [\"{hull_bin}\"]\n")
        self.env = dict(os.environ, CONTAINERS_CONF=self.conf)
        self.argv = ["podman", "--root", os.path.join(base, "storage"), "--runroot",
                     os.path.join(base, "run"), "--storage-driver", "vfs"]
        ensure_subids()
        tar = os.path.join(base, "rootfs.tar")
        with tarfile.open(tar, "w") as t:
            t.add(rootfs, arcname=".")
        self.image = "localhost/hull-busybox:latest"
        self("import", tar, self.image, check=True)

    def __call__(self, *args, check=False, timeout=120, runtime=None, input=None):
        argv = list(self.argv)
        if runtime:
            argv += ["--runtime", runtime]
        argv += [str(a) for a in args]
        p = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout,
                           input=input)
        if check and p.returncode != 0:
            raise AssertionError(f"{argv} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def cleanup(self):
        self("rm", "-af", "-t", "0")
        self("system", "reset", "-f")
        shutil.rmtree(self.base, ignore_errors=True)


def have(cmd):
    return shutil.which(cmd) is not None
