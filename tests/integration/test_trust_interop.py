# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull trust against peers: GPG simple signing with skopeo both ways (lookaside storage,
policy signedBy), containers/image's own skopeo-made GPG fixtures, sigstore bundles checked by
@sigstore/verify (npm) and found by hull as OCI referrers through the tag fallback."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from test_image_support import busybox_layout, registry, store  # noqa: F401
from test_trust import ENV, _n, image, keys, policy, sign, tstore, verify  # noqa: F401
from trust_support import (DATA, GPG, delete_manifest, get_manifest, req, seed_manifest, sha,
                           sig_tag)

GPG_DATA = os.path.join(DATA, "gpg")
BUNDLE_MT = "application/vnd.dev.sigstore.bundle.v0.3+json"


@pytest.fixture(scope="session")
def gpg(session_dir):
    g = GPG(session_dir, "signer")
    yield g
    g.close()


@pytest.fixture(scope="session")
def gpg_other(session_dir):
    g = GPG(session_dir, "other")
    yield g
    g.close()


def lookaside(tmp_path, host):
    look = tmp_path / "sigstore"
    look.mkdir()
    rd = tmp_path / "registries.d"
    rd.mkdir(exist_ok=True)
    (rd / "lookaside.yaml").write_text(f"docker:\n  {host}:\n    lookaside: file://{look}\n")
    return look, rd


def signed_by(tmp_path, host, key, identity=None, name="policy.json"):
    req_ = {"type": "signedBy", "keyType": "GPGKeys", "keyPath": key}
    if identity:
        req_["signedIdentity"] = identity
    return policy(tmp_path, [{"type": "reject"}], {"docker": {host: [req_]}}, name)


def skopeo(*args, env=None, check=True):
    return subprocess.run(["skopeo", *args], capture_output=True, text=True, env=env,
                          check=check, timeout=180)


# ---- GPG simple signing ------------------------------------------------------------------------

def test_skopeo_signs_hull_verifies(tstore, registry, busybox_layout, gpg, gpg_other, tmp_path):
    look, rd = lookaside(tmp_path, registry.host)
    _n[0] += 1
    repo = f"gpg/skopeo-{_n[0]}-{os.getpid()}"
    ref = f"{registry.host}/{repo}:1"
    skopeo("--insecure-policy", "--registries.d", str(rd), "copy", "--quiet",
           "--dest-tls-verify=false", "--sign-by", gpg.fpr, f"oci:{busybox_layout.path}:bb",
           f"docker://{ref}", env=gpg.env)
    st, data = get_manifest(registry, repo, "1")
    digest = sha(data)
    assert (look / f"{repo}@sha256={digest[7:]}" / "signature-1").is_file()
    pol = signed_by(tmp_path, registry.host, gpg.pub)
    p = verify(tstore, ref, "--policy", pol, "--registries.d", str(rd))
    assert p.returncode == 0, p.stderr
    assert f"signedBy(GPG key {gpg.fpr})" in p.stdout
    p = verify(tstore, ref, "--policy", signed_by(tmp_path, registry.host, gpg_other.pub,
                                                  name="other.json"),
               "--registries.d", str(rd))
    assert p.returncode == 1 and "No public key" in p.stderr
    # pull and launch under the same policy (lookaside through HULL_REGISTRIES_D)
    env = {"HULL_REGISTRIES_D": str(rd)}
    p = tstore("image", "pull", "--tls-verify=false", "--policy", pol, ref, env=env)
    assert p.returncode == 0, p.stderr
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "echo", "ok", env=env)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_hull_signs_skopeo_verifies(tstore, registry, busybox_layout, gpg, gpg_other, tmp_path):
    look, rd = lookaside(tmp_path, registry.host)
    ref, repo, digest = image(registry, busybox_layout)
    p = tstore("image", "sign", "--tls-verify=false", ref, "--gpg", gpg.fpr, "--lookaside",
               str(look), env={"GNUPGHOME": gpg.home})
    assert p.returncode == 0, p.stderr
    sigfile = look / f"{repo}@sha256={digest[7:]}" / "signature-1"
    assert sigfile.is_file() and str(sigfile) in p.stdout
    # a second signature takes the next number
    p = tstore("image", "sign", "--tls-verify=false", ref, "--gpg", gpg.fpr, "--lookaside",
               str(look), env={"GNUPGHOME": gpg.home})
    assert p.returncode == 0 and (sigfile.parent / "signature-2").is_file()
    man = tmp_path / "manifest.json"
    man.write_bytes(get_manifest(registry, repo, "1")[1])
    p = skopeo("standalone-verify", str(man), ref, gpg.fpr, str(sigfile), env=gpg.env,
               check=False)
    assert p.returncode == 0 and "Signature verified" in p.stdout, p.stderr
    # skopeo copy enforcing a signedBy policy reads hull's signatures from the lookaside
    pol = signed_by(tmp_path, registry.host, gpg.pub)
    p = skopeo("--policy", pol, "--registries.d", str(rd), "copy", "--quiet",
               "--src-tls-verify=false", f"docker://{ref}", f"dir:{tmp_path / 'out'}",
               check=False)
    assert p.returncode == 0, p.stderr
    other = signed_by(tmp_path, registry.host, gpg_other.pub, name="other.json")
    p = skopeo("--policy", other, "--registries.d", str(rd), "copy", "--quiet",
               "--src-tls-verify=false", f"docker://{ref}", f"dir:{tmp_path / 'out2'}",
               check=False)
    assert p.returncode != 0 and "None of the signatures were accepted" in p.stderr
    # and hull verifies its own
    assert verify(tstore, ref, "--policy", pol, "--registries.d", str(rd)).returncode == 0


@pytest.mark.parametrize("fixture,rc,why", [
    ("image.signature", 0, "signedBy(GPG key"),
    ("no-optional-fields.signature", 0, "signedBy(GPG key"),
    ("expired.signature", 1, "Signature expired"),
    ("unknown-key.signature", 1, "No public key"),
    # a valid message with a copy appended inside its indeterminate-length compressed packet:
    # gpg (2.2) verifies the first and never reads the copy; hull uses only the verified
    # plaintext, so this is the valid signature (see docs/trust.md)
    ("double.signature", 0, "signedBy(GPG key"),
    ("corrupt.signature", 1, "Bad signature"),
    ("unsigned-literal.signature", 1, "carries no signature"),
    ("unsigned-encrypted.signature", 1, "carries no signature"),
    ("invalid-blob.signature", 1, "invalid JSON"),
    ("invalid-reference.signature", 1, 'identity "UPPERCASEISINVALID" is not accepted'),
])
def test_containers_image_gpg_fixtures(tstore, registry, tmp_path, fixture, rc, why):
    """skopeo-made signatures of containers/image's test suite, with its testing key."""
    look, rd = lookaside(tmp_path, registry.host)
    _n[0] += 1
    repo = f"gpg/fixture-{_n[0]}-{os.getpid()}"
    with open(os.path.join(GPG_DATA, "image.manifest.json"), "rb") as f:
        digest = seed_manifest(registry, repo, f.read(), "latest")
    assert digest == "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55"
    d = look / f"{repo}@sha256={digest[7:]}"
    d.mkdir(parents=True)
    shutil.copy(os.path.join(GPG_DATA, fixture), d / "signature-1")
    pol = signed_by(tmp_path, registry.host, os.path.join(GPG_DATA, "public-key.gpg"),
                    {"type": "exactRepository", "dockerRepository": "testing/manifest"})
    p = verify(tstore, f"{registry.host}/{repo}:latest", "--policy", pol, "--registries.d",
               str(rd))
    assert p.returncode == rc, p.stderr
    assert why in (p.stdout if rc == 0 else p.stderr), p.stderr


def test_oversized_lookaside_signature(tstore, registry, busybox_layout, gpg, tmp_path):
    look, rd = lookaside(tmp_path, registry.host)
    ref, repo, digest = image(registry, busybox_layout)
    d = look / f"{repo}@sha256={digest[7:]}"
    d.mkdir(parents=True)
    (d / "signature-1").write_bytes(b"\x00" * (100 << 10))
    p = verify(tstore, ref, "--policy", signed_by(tmp_path, registry.host, gpg.pub),
               "--registries.d", str(rd))
    assert p.returncode == 1 and "larger than" in p.stderr


# ---- sigstore bundles ----------------------------------------------------------------------------

SIGSTORE_JS = {"@sigstore/verify": "4.1.3", "@sigstore/bundle": "5.0.1"}


@pytest.fixture(scope="session")
def sigstore_js():
    """@sigstore/verify from npm, installed once into a cache directory. Skipped only when the
    npm registry cannot be reached."""
    if not shutil.which("npm") or not shutil.which("node"):
        pytest.skip("node and npm are needed (scripts/deps.sh)")
    cache = os.path.join(tempfile.gettempdir(), "hull-test-sigstore-js")
    mod = os.path.join(cache, "node_modules", "@sigstore", "verify", "package.json")
    if not os.path.exists(mod) or json.load(open(mod))["version"] != SIGSTORE_JS["@sigstore/verify"]:
        p = subprocess.run(["npm", "view", "@sigstore/verify@" + SIGSTORE_JS["@sigstore/verify"],
                            "version"], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            pytest.skip("the npm registry is unreachable: " + p.stderr.strip()[-200:])
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        cache] + [f"{k}@{v}" for k, v in SIGSTORE_JS.items()],
                       check=True, capture_output=True, timeout=600)
    return cache


def sigstore_verify(cache, bundle, pub, digest):
    script = os.path.join(os.path.dirname(__file__), "trust_bundle_verify.js")
    return subprocess.run(["node", script, str(bundle), pub, digest[7:]], capture_output=True,
                          text=True, env=dict(os.environ, NODE_PATH=os.path.join(cache, "node_modules")),
                          timeout=120)


def test_bundle_is_accepted_by_sigstore_verify(tstore, registry, busybox_layout, keys, sigstore_js,
                                               tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    out = tmp_path / "bundle.json"
    p = sign(tstore, ref, keys["a"][0], "--bundle", str(out))
    assert p.returncode == 0, p.stderr
    b = json.loads(out.read_text())
    assert b["mediaType"] == BUNDLE_MT
    assert b["dsseEnvelope"]["payloadType"] == "application/vnd.in-toto+json"
    p = sigstore_verify(sigstore_js, out, keys["a"][1], digest)
    assert p.returncode == 0 and "verified" in p.stdout, p.stderr
    p = sigstore_verify(sigstore_js, out, keys["b"][1], digest)
    assert p.returncode != 0 and "signature verification failed" in p.stderr
    # a statement about another digest: the signature holds, the subject does not match
    p = sigstore_verify(sigstore_js, out, keys["a"][1], "sha256:" + "0" * 64)
    assert p.returncode != 0 and "does not name" in p.stderr


def test_tampered_bundle_is_rejected_by_both(tstore, registry, busybox_layout, keys, sigstore_js,
                                             tmp_path):
    import base64
    ref, repo, digest = image(registry, busybox_layout)
    out = tmp_path / "bundle.json"
    assert sign(tstore, ref, keys["a"][0], "--bundle", str(out)).returncode == 0
    b = json.loads(out.read_text())
    st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
    st["subject"][0]["name"] = "evil/name"
    b["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps(b))
    p = sigstore_verify(sigstore_js, evil, keys["a"][1], digest)
    assert p.returncode != 0 and "signature verification failed" in p.stderr


def test_bundle_is_an_oci_referrer_with_tag_fallback(tstore, registry, busybox_layout, keys,
                                                     tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    out = tmp_path / "bundle.json"
    assert sign(tstore, ref, keys["a"][0], "--bundle", str(out)).returncode == 0
    # docker-registry 2.8 has no referrers API: the fallback tag holds the index
    st, _, _ = req(registry, "GET", f"/v2/{repo}/referrers/{digest}")
    assert st == 404
    st, data = get_manifest(registry, repo, sig_tag(digest, ""))
    assert st == 200
    idx = json.loads(data)
    assert idx["mediaType"] == "application/vnd.oci.image.index.v1+json"
    [desc] = [m for m in idx["manifests"] if m.get("artifactType") == BUNDLE_MT]
    st, data = get_manifest(registry, repo, desc["digest"])
    m = json.loads(data)
    assert m["artifactType"] == BUNDLE_MT and m["subject"]["digest"] == digest
    assert m["config"]["mediaType"] == "application/vnd.oci.empty.v1+json"
    st, _, blob = req(registry, "GET", f"/v2/{repo}/blobs/{m['layers'][0]['digest']}")
    assert blob == out.read_bytes()
    # With the cosign tag signature removed, hull verifies through the bundle alone.
    st, data = get_manifest(registry, repo, sig_tag(digest))
    delete_manifest(registry, repo, sha(data))
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 0 and "sigstoreSigned(bundle)" in p.stdout, p.stderr
    assert verify(tstore, ref, "--key", keys["b"][1]).returncode == 1
