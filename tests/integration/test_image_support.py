# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers and fixtures for the image tests (no tests here).

Real components: Debian's docker-registry on 127.0.0.1 with temp storage, images pushed with
skopeo, OCI layouts written here with python (tarfile, hashlib) so every byte is known, and a
small token-auth proxy in front of the registry for the Bearer flow, resumption and tampering.
"""
import base64
import gzip
import hashlib
import http.client
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid

import pytest

from conftest import HULL, make_rootfs

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path="/v2/", timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answers on 127.0.0.1:{port}")


class Registry:
    """docker-registry (distribution 2.8) bound to 127.0.0.1 with temporary storage."""

    def __init__(self, base, htpasswd=None):
        self.port = free_port()
        self.dir = os.path.join(base, f"registry-{self.port}")
        os.makedirs(self.dir)
        cfg = os.path.join(self.dir, "config.yml")
        with open(cfg, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                    f"    rootdirectory: {self.dir}/data\n  delete:\n    enabled: true\n"
                    f"http:\n  addr: 127.0.0.1:{self.port}\n")
            if htpasswd:
                # Basic auth (the registry's own htpasswd backend, bcrypt entries).
                path = os.path.join(self.dir, "htpasswd")
                with open(path, "w") as h:
                    h.write(htpasswd)
                f.write(f"auth:\n  htpasswd:\n    realm: hull-test\n    path: {path}\n")
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen(["docker-registry", "serve", cfg], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait_http(self.port)
        self.host = f"127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def bcrypt_line(user, password):
    import crypt  # noqa: deprecated in 3.11 but present; libxcrypt does bcrypt
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    return f"{user}:{crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))}\n"


def push(layout, tag, ref, all_platforms=False, creds=None):
    argv = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false"]
    if creds:
        argv.append(f"--dest-creds={creds}")
    if all_platforms:
        argv.append("--all")
    subprocess.run(argv + [f"oci:{layout}:{tag}", f"docker://{ref}"], check=True,
                   capture_output=True, timeout=120)


def tar_bytes(add):
    """add(tarfile) fills an in-memory tar; returns its bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        add(t)
    return buf.getvalue()


def add_file(t, name, data=b"", mode=0o644, uid=0, gid=0, pax=None):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.mtime = 1700000000
    if pax:
        ti.pax_headers = pax
    t.addfile(ti, io.BytesIO(data))


def add_special(t, name, type_, linkname="", mode=0o644, major=0, minor=0):
    ti = tarfile.TarInfo(name)
    ti.type = type_
    ti.linkname = linkname
    ti.mode = mode
    ti.devmajor, ti.devminor = major, minor
    ti.mtime = 1700000000
    t.addfile(ti)


def add_tree(t, root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        t.add(dirpath, arcname="." if rel == "." else "./" + rel, recursive=False)
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            t.add(p, arcname=("./" if rel == "." else "./" + rel + "/") + n, recursive=False)


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, 6, mtime=0), MT_LAYER + "+gzip"
    if how == "zstd":
        out = subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True)
        return out.stdout, MT_LAYER + "+zstd"
    return data, MT_LAYER


class Layout:
    """An OCI image layout written byte by byte (nothing is normalised behind our back)."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        self.index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": []}
        self.save()

    def blob(self, data):
        d = sha(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return d

    def save(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump(self.index, f)

    def image(self, tag, layers, config=None, compression="gzip", arch="amd64", diff_ids=None,
              sizes=None, manifest_media_type=MT_MANIFEST, add=True):
        """layers: list of tar bytes. Returns (manifest digest, manifest bytes)."""
        descs, dids = [], []
        for i, raw in enumerate(layers):
            how = compression[i] if isinstance(compression, list) else compression
            blob, mt = compress(raw, how)
            d = self.blob(blob)
            size = len(blob) if not sizes or sizes[i] is None else sizes[i]
            descs.append({"mediaType": mt, "digest": d, "size": size})
            dids.append(sha(raw))
        cfg = {"architecture": arch, "os": "linux", "created": "2026-11-28T00:00:00Z",
               "config": config or {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
               "rootfs": {"type": "layers", "diff_ids": diff_ids or dids}}
        cb = json.dumps(cfg).encode()
        man = {"schemaVersion": 2, "mediaType": manifest_media_type,
               "config": {"mediaType": MT_CONFIG, "digest": self.blob(cb), "size": len(cb)},
               "layers": descs}
        mb = json.dumps(man).encode()
        md = self.blob(mb)
        if add:
            self.index["manifests"].append({
                "mediaType": MT_MANIFEST, "digest": md, "size": len(mb),
                "platform": {"os": "linux", "architecture": arch},
                "annotations": {"org.opencontainers.image.ref.name": tag}})
            self.save()
        return md, mb

    def multiarch(self, tag, manifests):
        """manifests: list of (digest, bytes, arch). Adds an image index under tag."""
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
            {"mediaType": MT_MANIFEST, "digest": d, "size": len(b),
             "platform": {"os": "linux", "architecture": a}} for d, b, a in manifests]}
        ib = json.dumps(idx).encode()
        d = self.blob(ib)
        self.index["manifests"].append({"mediaType": MT_INDEX, "digest": d, "size": len(ib),
                                        "annotations": {"org.opencontainers.image.ref.name": tag}})
        self.save()
        return d


class Store:
    """hull with a private --storage-root and --root."""

    def __init__(self, tmp):
        self.tmp = str(tmp)
        self.storage = os.path.join(self.tmp, "storage")
        self.root = os.path.join(self.tmp, "state")
        # No registries.conf of the host leaks into a test.
        os.makedirs(self.tmp, exist_ok=True)
        conf = os.path.join(self.tmp, "none.conf")
        open(conf, "w").close()
        self.env = dict(os.environ, HULL_REGISTRIES_CONF=conf)

    def __call__(self, *args, check=False, timeout=180, env=None, input=None):
        argv = [HULL, "--root", self.root, "--storage-root", self.storage, *[str(a) for a in args]]
        e = dict(self.env)
        if env:
            e.update(env)
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            r = subprocess.run(argv, stdout=out, stderr=err, text=True, timeout=timeout, env=e,
                               input=input, stdin=None if input is not None else subprocess.DEVNULL)
            out.seek(0)
            err.seek(0)
            p = subprocess.CompletedProcess(argv, r.returncode, out.read(), err.read())
        if check and p.returncode != 0:
            raise AssertionError(f"{argv} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return p

    def images(self):
        return json.loads(self("image", "ls", "--format", "json", check=True).stdout)

    def ps(self):
        return json.loads(self("launch-ps", "-a", "--format", "json", check=True).stdout)

    def files(self, sub):
        d = os.path.join(self.storage, sub)
        out = []
        for dirpath, dirnames, filenames in os.walk(d):
            out += [os.path.join(dirpath, n) for n in filenames + dirnames]
        return out

    def cleanup(self):
        if os.path.isdir(os.path.join(self.storage, "containers")):
            ids = [c["Id"] for c in self.ps()]
            if ids:
                self("rm", "-f", *ids)
        if os.path.isdir(self.root):
            for cid in os.listdir(self.root):
                if not cid.startswith("."):
                    self("delete", "--force", cid)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path)
    yield s
    s.cleanup()


@pytest.fixture(scope="session")
def registry(session_dir):
    r = Registry(session_dir)
    yield r
    r.stop()


@pytest.fixture(scope="session")
def busybox_layout(session_dir, rootfs):
    """busybox in three layers: the rootfs; /etc/motd + a whiteout of /etc/group + an opaque
    /var; and a zstd layer with an executable script. Tags: bb (gzip), bbz (mixed)."""
    path = os.path.join(session_dir, "bb-layout")
    lay = Layout(path)

    def base(t):
        add_tree(t, rootfs)
        add_file(t, "./var/lib/old", b"old\n")

    def second(t):
        add_file(t, "etc/motd", b"hello from layer 2\n")
        add_file(t, "etc/.wh.group")
        add_file(t, "var/.wh..wh..opq")
        add_file(t, "var/new", b"new\n")

    def third(t):
        add_file(t, "usr/bin/greet", b"#!/bin/sh\necho \"hi $1\"\n", mode=0o755)
        add_file(t, "usr/bin/su-like", b"x", mode=0o4755)

    layers = [tar_bytes(base), tar_bytes(second), tar_bytes(third)]
    cfg = {"Cmd": ["/bin/sh", "-c", "echo default cmd"], "Env": ["PATH=/usr/bin:/bin", "FOO=image"],
           "WorkingDir": "/var", "ExposedPorts": {"8080/tcp": {}}}
    amd = lay.image("bb", layers, config=cfg)
    lay.image("bbz", layers, config=cfg, compression=["gzip", None, "zstd"])
    arm = lay.image("bb-arm64", layers[:1], config={"Cmd": ["/bin/true"]}, arch="arm64", add=False)
    lay.multiarch("multi", [(amd[0], amd[1], "amd64"), (arm[0], arm[1], "arm64")])
    return lay


@pytest.fixture(scope="session")
def pushed(registry, busybox_layout):
    """Tags pushed to the registry: bb, bbz, multi (index)."""
    host = registry.host
    push(busybox_layout.path, "bb", f"{host}/test/bb:1")
    push(busybox_layout.path, "bbz", f"{host}/test/bb:z")
    push(busybox_layout.path, "multi", f"{host}/test/multi:1", all_platforms=True)
    return {"bb": f"{host}/test/bb:1", "bbz": f"{host}/test/bb:z", "multi": f"{host}/test/multi:1"}


class AuthProxy:
    """Token-auth front of a registry: /v2/* needs "Bearer <token>", which /token hands out for
    Basic user:secret. Can cut one blob response halfway (cut_once), corrupt blobs (corrupt),
    and slow blobs down (delay per 64 KiB)."""

    TOKEN = "tok-" + uuid.uuid4().hex

    def __init__(self, backend_port, user="user", password="secret"):
        self.backend = backend_port
        self.creds = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.requests = []
        self.cut_once = False
        self.corrupt = False
        self.delay = 0.0
        proxy = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, code, body=b"", headers=()):
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def handle_any(self):
                proxy.requests.append((self.command, self.path, self.headers.get("Range")))
                if self.path.startswith("/token"):
                    if self.headers.get("Authorization") != "Basic " + proxy.creds:
                        return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
                    return self.reply(200, json.dumps({"token": proxy.TOKEN, "expires_in": 300}).encode(),
                                      [("Content-Type", "application/json")])
                if self.headers.get("Authorization") != "Bearer " + proxy.TOKEN:
                    realm = f"http://127.0.0.1:{proxy.port}/token"
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                      [("WWW-Authenticate",
                                        f'Bearer realm="{realm}",service="hull-test",scope="repository:x:pull"'),
                                       ("Content-Type", "application/json")])
                c = http.client.HTTPConnection("127.0.0.1", proxy.backend, timeout=30)
                hdrs = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "range")}
                c.request(self.command, self.path, headers=hdrs)
                r = c.getresponse()
                body = r.read()
                blob = "/blobs/sha256:" in self.path and self.command == "GET" and r.status in (200, 206)
                if blob and proxy.corrupt and len(body) > 100:
                    body = body[:50] + bytes([body[50] ^ 1]) + body[51:]
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if blob and proxy.cut_once and len(body) > 1000 and not self.headers.get("Range"):
                    proxy.cut_once = False
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if blob and proxy.delay:
                    for i in range(0, len(body), 65536):
                        self.wfile.write(body[i:i + 65536])
                        self.wfile.flush()
                        time.sleep(proxy.delay)
                    return
                self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def blob_gets(self):
        return [r for r in self.requests if r[0] == "GET" and "/blobs/" in r[1]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def auth_proxy(registry):
    p = AuthProxy(registry.port)
    yield p
    p.stop()


def auth_file(tmp, host, user="user", password="secret"):
    path = os.path.join(str(tmp), "auth.json")
    with open(path, "w") as f:
        json.dump({"auths": {host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}}}, f)
    return path
