# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the trust tests (no tests here): keys, a registry's storage written directly
(to present cosign-made fixtures whose image blobs do not exist), signature manifests as
cosign stores them, GPG homes, an isolated /etc for the default policy files."""
import base64
import contextlib
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import tempfile

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
COSIGN = os.path.join(DATA, "cosign")
SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
PASSWORD = "correct horse battery staple"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sig_tag(digest, suffix=".sig"):
    return digest.replace(":", "-") + suffix


# ---- the registry, over HTTP and underneath it ----------------------------------------------

def req(reg, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", reg.port, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, dict(r.getheaders()), data


def get_manifest(reg, repo, ref):
    accept = ", ".join([MT_OCI_MANIFEST, "application/vnd.oci.image.index.v1+json",
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json"])
    st, hdr, data = req(reg, "GET", f"/v2/{repo}/manifests/{ref}", headers={"Accept": accept})
    return st, data


def put_blob(reg, repo, data):
    d = sha(data)
    st, hdr, _ = req(reg, "POST", f"/v2/{repo}/blobs/uploads/")
    assert st == 202, st
    loc = hdr.get("Location") or hdr.get("location")
    if loc.startswith("http"):
        loc = loc.split("/", 3)[3]
        loc = "/" + loc
    sep = "&" if "?" in loc else "?"
    st, _, body = req(reg, "PUT", f"{loc}{sep}digest={d}", body=data,
                       headers={"Content-Type": "application/octet-stream"})
    assert st == 201, (st, body)
    return d


def put_manifest(reg, repo, ref, data, media_type=MT_OCI_MANIFEST):
    st, _, body = req(reg, "PUT", f"/v2/{repo}/manifests/{ref}", body=data,
                       headers={"Content-Type": media_type})
    assert st == 201, (st, body)
    return sha(data)


def delete_manifest(reg, repo, digest):
    st, _, body = req(reg, "DELETE", f"/v2/{repo}/manifests/{digest}")
    assert st == 202, (st, body)


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def seed_blob(reg, repo, data):
    """Put a blob straight into docker-registry's filesystem storage (linked to repo)."""
    d = sha(data)
    hexd = d[7:]
    root = os.path.join(reg.dir, "data", "docker", "registry", "v2")
    _write(os.path.join(root, "blobs", "sha256", hexd[:2], hexd, "data"), data)
    _write(os.path.join(root, "repositories", repo, "_layers", "sha256", hexd, "link"), d)
    return d


def seed_manifest(reg, repo, data, tag=None):
    """A manifest the registry serves although the blobs it names do not exist: how the cosign
    fixtures (a manifest and signatures, no layers) can be presented as a registry holds them."""
    d = sha(data)
    hexd = d[7:]
    root = os.path.join(reg.dir, "data", "docker", "registry", "v2")
    _write(os.path.join(root, "blobs", "sha256", hexd[:2], hexd, "data"), data)
    repo_root = os.path.join(root, "repositories", repo, "_manifests")
    _write(os.path.join(repo_root, "revisions", "sha256", hexd, "link"), d)
    if tag:
        _write(os.path.join(repo_root, "tags", tag, "current", "link"), d)
        _write(os.path.join(repo_root, "tags", tag, "index", "sha256", hexd, "link"), d)
    return d


# ---- signatures as cosign stores them -------------------------------------------------------

def read_dir_signature(path):
    """A containers/image dir: sigstore signature file: "\\0sigstore-json\\n" + JSON."""
    with open(path, "rb") as f:
        raw = f.read()
    prefix = b"\x00sigstore-json\n"
    assert raw.startswith(prefix), path
    j = json.loads(raw[len(prefix):])
    return j["mimeType"], base64.b64decode(j["payload"]), j.get("annotations") or {}


def signature_manifest(layers):
    """layers: [(mediaType, payload digest, size, annotations)] -> (manifest, config) bytes,
    shaped like cosign's (config diff_ids = payload digests)."""
    cfg = json.dumps({"architecture": "", "config": {}, "created": "0001-01-01T00:00:00Z",
                      "history": [{"created": "0001-01-01T00:00:00Z"}], "os": "",
                      "rootfs": {"type": "layers", "diff_ids": [l[1] for l in layers]}}).encode()
    man = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
           "config": {"mediaType": MT_OCI_CONFIG, "size": len(cfg), "digest": sha(cfg)},
           "layers": [{"mediaType": mt, "size": size, "digest": d, "annotations": ann}
                      for mt, d, size, ann in layers]}
    return json.dumps(man).encode(), cfg


def present_signatures(reg, repo, image_digest, sigs, seed=False):
    """sigs: [(mediaType, payload bytes, annotations)] -> the .sig tag of image_digest. Written
    through the registry API, or (seed=True) into its storage."""
    layers = []
    for mt, payload, ann in sigs:
        d = seed_blob(reg, repo, payload) if seed else put_blob(reg, repo, payload)
        layers.append((mt, d, len(payload), ann))
    man, cfg = signature_manifest(layers)
    if seed:
        seed_blob(reg, repo, cfg)
        return seed_manifest(reg, repo, man, sig_tag(image_digest))
    put_blob(reg, repo, cfg)
    return put_manifest(reg, repo, sig_tag(image_digest), man)


def signature_layers(reg, repo, image_digest):
    st, data = get_manifest(reg, repo, sig_tag(image_digest))
    assert st == 200, st
    return json.loads(data)["layers"]


def get_blob(reg, repo, digest):
    st, _, data = req(reg, "GET", f"/v2/{repo}/blobs/{digest}")
    assert st == 200, st
    return data


# ---- GPG -------------------------------------------------------------------------------------

class GPG:
    """A throwaway GNUPGHOME with one unprotected signing key."""

    def __init__(self, base, name):
        self.home = tempfile.mkdtemp(prefix="gpg-", dir=base)
        os.chmod(self.home, 0o700)
        self.env = dict(os.environ, GNUPGHOME=self.home)
        subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--quick-gen-key", f"{name} <{name}@hull.test>", "ed25519", "sign",
                        "never"], env=self.env, check=True, capture_output=True)
        out = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"], env=self.env,
                             check=True, capture_output=True, text=True).stdout
        self.fpr = [l.split(":")[9] for l in out.splitlines() if l.startswith("fpr:")][0]
        self.pub = os.path.join(base, f"{name}-{self.fpr[-8:]}.gpg")
        with open(self.pub, "wb") as f:
            f.write(subprocess.run(["gpg", "--batch", "--export", self.fpr], env=self.env,
                                   check=True, capture_output=True).stdout)

    def close(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env, capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)


# ---- an /etc of our own, for the default policy files ----------------------------------------

@contextlib.contextmanager
def private_etc(tmp, files):
    """A copy of /etc with `files` (path under /etc -> text or None to remove) changed. Yields
    a function that runs argv with that /etc bind-mounted in a private mount namespace, so the
    host's /etc/hull and /etc/containers are never touched."""
    os.makedirs(str(tmp), exist_ok=True)
    etc = os.path.join(str(tmp), "etc")
    # Special files (sockets) may not copy; everything hull needs does.
    subprocess.run(["cp", "-a", "/etc", etc], check=False, capture_output=True)
    assert os.path.isfile(os.path.join(etc, "passwd")), "copying /etc failed"
    for rel, text in files.items():
        p = os.path.join(etc, rel)
        if text is None:
            if os.path.exists(p):
                os.unlink(p)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)

    def run(argv, env=None):
        script = 'mount --bind "$0" /etc && exec "$@"'
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                script, etc, *argv], stdout=out, stderr=err, text=True,
                               env=env, stdin=subprocess.DEVNULL, timeout=180)
            out.seek(0)
            err.seek(0)
            p = subprocess.CompletedProcess(argv, r.returncode, out.read(), err.read())
        assert not p.stderr.startswith("mount:"), p.stderr
        return p
    try:
        yield run
    finally:
        shutil.rmtree(etc, ignore_errors=True)
