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


class Containerd:
    """A private containerd (its own root, state, socket and config, the CRI plugin off) driven
    with ctr, running containers through the runc shim with any runc-compatible binary
    (`ctr run --runc-binary`). Images are imported from OCI archives built from a rootfs
    directory (no network): see oci_layout().

        ctrd = Containerd(base, rootfs)       # starts containerd, imports the busybox image
        p = ctrd.run(cid, "echo", "hi", runtime=HULL)
        ctrd.cleanup()
    """

    NAMESPACE = "hulltest"

    def __init__(self, base, rootfs, image="localhost/hull-busybox:latest", timeout=30):
        import time
        self.base = base
        os.makedirs(base, exist_ok=True)
        # unix socket paths are limited to 108 bytes: keep the socket short
        self.sock = os.path.join(base, "c.sock")
        if len(self.sock) > 100:
            raise ValueError(f"containerd base {base} is too long for a socket path")
        self.config = os.path.join(base, "config.toml")
        with open(self.config, "w") as f:
            f.write('version = 2\n'
                    f'root = "{base}/root"\n'
                    f'state = "{base}/state"\n'
                    'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
                    '[grpc]\n'
                    f'  address = "{self.sock}"\n'
                    '[ttrpc]\n'
                    f'  address = "{self.sock}.ttrpc"\n'
                    '[plugins]\n'
                    '  [plugins."io.containerd.internal.v1.opt"]\n'
                    f'    path = "{base}/opt"\n')
        self.log = open(os.path.join(base, "containerd.log"), "w")
        self.proc = subprocess.Popen(["containerd", "--config", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"containerd exited: {self.read_log()}")
            if os.path.exists(self.sock) and self.ctr("version").returncode == 0:
                break
            time.sleep(0.1)
        else:
            self.cleanup()
            raise AssertionError(f"containerd did not start: {self.read_log()}")
        self.image = image
        if rootfs:
            tar = os.path.join(base, "image.tar")
            self.oci_layout(os.path.join(base, "layout"), rootfs, name=image, archive=tar)
            self.ctr("images", "import", tar, check=True)

    def read_log(self):
        with open(os.path.join(self.base, "containerd.log")) as f:
            return f.read()[-4000:]

    def ctr(self, *args, check=False, timeout=120):
        argv = ["ctr", "--address", self.sock, "--namespace", self.NAMESPACE, *[str(a) for a in args]]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check and p.returncode != 0:
            raise AssertionError(f"{argv} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def run(self, cid, *cmd, runtime=None, flags=(), check=False, timeout=120):
        """`ctr run --rm` (foreground); runtime is the runc-compatible binary for the shim."""
        argv = ["run", "--rm", *flags]
        if runtime:
            argv += ["--runc-binary", runtime]
        return self.ctr(*argv, self.image, cid, *cmd, check=check, timeout=timeout)

    def remove(self, cid):
        self.ctr("tasks", "kill", "--signal", "SIGKILL", cid)
        self.ctr("tasks", "delete", "--force", cid)
        self.ctr("containers", "delete", cid)

    def cleanup(self):
        p = self.ctr("containers", "list", "--quiet") if self.proc.poll() is None else None
        for cid in (p.stdout.split() if p and p.returncode == 0 else []):
            self.remove(cid)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        # snapshots may still be mounted if a test died mid-run
        subprocess.run(["sh", "-c", f"grep -o ' {self.base}/[^ ]*' /proc/self/mountinfo | "
                        "sort -r | xargs -r -n1 umount -l"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    @staticmethod
    def oci_layout(path, rootfs, name=None, archive=None, config=None, history=None,
                   extra=()):
        """Write an OCI image layout at path from the rootfs directory (one uncompressed
        layer), optionally also as a tar archive for `ctr images import`. config updates the
        image config's "config" object; history sets "history"; extra adds tar members as
        (name, bytes, mode). Returns the manifest digest."""
        import hashlib
        import io
        import json as _json

        def blob(data):
            d = hashlib.sha256(data).hexdigest()
            os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
            with open(os.path.join(path, "blobs", "sha256", d), "wb") as f:
                f.write(data)
            return "sha256:" + d

        layer = io.BytesIO()
        with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
            t.add(rootfs, arcname=".")
            for member, data, mode in extra:
                ti = tarfile.TarInfo(member)
                ti.size = len(data)
                ti.mode = mode
                t.addfile(ti, io.BytesIO(data))
        layer = layer.getvalue()
        layer_digest = blob(layer)
        cfg = {"architecture": "amd64", "os": "linux",
               "config": {"Cmd": ["sh"], "Env": ["PATH=/bin:/usr/bin:/sbin"]},
               "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
               "history": history or [{"created_by": "hull test layer"}]}
        cfg["config"].update(config or {})
        cfg_bytes = _json.dumps(cfg).encode()
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": blob(cfg_bytes), "size": len(cfg_bytes)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                "digest": layer_digest, "size": len(layer)}]}
        man_bytes = _json.dumps(manifest).encode()
        man_digest = blob(man_bytes)
        desc = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_digest,
                "size": len(man_bytes),
                "platform": {"architecture": "amd64", "os": "linux"}}
        if name:
            desc["annotations"] = {"io.containerd.image.name": name,
                                   "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]}
        with open(os.path.join(path, "index.json"), "w") as f:
            _json.dump({"schemaVersion": 2, "manifests": [desc]}, f)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            _json.dump({"imageLayoutVersion": "1.0.0"}, f)
        if archive:
            with tarfile.open(archive, "w") as t:
                for entry in ("oci-layout", "index.json", "blobs"):
                    t.add(os.path.join(path, entry), arcname=entry)
        return man_digest
