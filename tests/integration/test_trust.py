# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull trust: keys, cosign-format signing and verification through a real registry
(docker-registry), cosign-made fixtures, adversarial signatures, the trust policy at pull,
import and launch, layer integrity before a container mounts its layers, admission's
requireSignature. GPG interop with skopeo and sigstore bundles with @sigstore/verify are in
test_trust_interop.py."""
import base64
import json
import os
import shutil
import stat
import subprocess

import pytest

from conftest import HULL
from test_image_support import (Layout, Registry, Store, add_file, busybox_layout,  # noqa: F401
                                push, registry, store, tar_bytes)
from trust_support import (COSIGN, PASSWORD, SIG_ANNOTATION, SIMPLESIGNING, get_blob,
                           get_manifest, present_signatures, private_etc, put_blob,
                           read_dir_signature, seed_blob, seed_manifest, sha, sig_tag,
                           signature_layers)

ENV = {"HULL_PASSWORD": PASSWORD}


@pytest.fixture(scope="session")
def keys(session_dir):
    """Two key pairs made by hull key generate: a (the signer) and b (someone else)."""
    d = os.path.join(session_dir, "keys")
    os.makedirs(d, exist_ok=True)
    out = {}
    for name in ("a", "b"):
        p = subprocess.run([HULL, "key", "generate", os.path.join(d, name)], capture_output=True,
                           text=True, env=dict(os.environ, **ENV), stdin=subprocess.DEVNULL)
        assert p.returncode == 0, p.stderr
        out[name] = (os.path.join(d, name + ".key"), os.path.join(d, name + ".pub"))
    return out


@pytest.fixture
def tstore(store, tmp_path):
    """A Store with an empty registries.d (no host configuration leaks into a test)."""
    rd = tmp_path / "registries.d"
    rd.mkdir()
    store.env["HULL_REGISTRIES_D"] = str(rd)
    store.env.update(ENV)
    return store


_n = [0]


def image(registry, busybox_layout, repo=None, tag="1", which="bb"):
    """Push the busybox image under a fresh repository; returns (ref, repo, digest)."""
    _n[0] += 1
    repo = repo or f"trust/t{_n[0]}-{os.getpid()}"
    ref = f"{registry.host}/{repo}:{tag}"
    push(busybox_layout.path, which, ref)
    st, data = get_manifest(registry, repo, tag)
    assert st == 200
    return ref, repo, sha(data)


def policy(tmp_path, default, transports=None, name="policy.json"):
    p = tmp_path / name
    doc = {"default": default}
    if transports is not None:
        doc["transports"] = transports
    p.write_text(json.dumps(doc))
    return str(p)


def sigstore_policy(tmp_path, host_scope, key, identity=None, name="policy.json"):
    req = {"type": "sigstoreSigned", "keyPath": key}
    if identity:
        req["signedIdentity"] = identity
    return policy(tmp_path, [{"type": "reject"}], {"docker": {host_scope: [req]}}, name)


def verify(s, ref, *args):
    return s("image", "verify", "--tls-verify=false", ref, *args)


def sign(s, ref, key, *args, env=None):
    return s("image", "sign", "--tls-verify=false", ref, "--key", key, *args, env=env)


# ---- keys --------------------------------------------------------------------------------------

def test_key_generate_writes_cosign_format(keys, tmp_path):
    key, pub = keys["a"]
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    text = open(key).read()
    assert text.startswith("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n")
    body = json.loads(base64.b64decode("".join(text.strip().splitlines()[1:-1])))
    assert body["kdf"]["name"] == "scrypt"
    assert body["kdf"]["params"] == {"N": 32768, "r": 8, "p": 1}
    assert len(base64.b64decode(body["kdf"]["salt"])) == 32
    assert body["cipher"]["name"] == "nacl/secretbox"
    assert len(base64.b64decode(body["cipher"]["nonce"])) == 24
    assert open(pub).read().startswith("-----BEGIN PUBLIC KEY-----\n")
    # OpenSSL agrees it is an ECDSA P-256 SubjectPublicKeyInfo.
    out = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub, "-noout", "-text"],
                         capture_output=True, text=True, check=True).stdout
    assert "prime256v1" in out or "P-256" in out
    # Never overwrites.
    p = subprocess.run([HULL, "key", "generate", key[:-4]], capture_output=True, text=True,
                       env=dict(os.environ, **ENV), stdin=subprocess.DEVNULL)
    assert p.returncode != 0 and "exists" in p.stderr
    assert open(key).read() == text


def test_key_decrypts_with_go_x_crypto(keys, tmp_path):
    """The key is what cosign and containers/image read: golang.org/x/crypto's scrypt and
    secretbox open it, its PKCS#8 key is the P-256 key of the .pub; a wrong passphrase fails."""
    if not shutil.which("go") or not os.path.isdir("/usr/share/gocode/src/golang.org/x/crypto"):
        pytest.skip("golang-go and golang-golang-x-crypto-dev are needed (scripts/deps.sh)")
    key, pub = keys["a"]
    src = os.path.join(os.path.dirname(__file__), "trust_keycheck.go")
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=str(tmp_path / "gocache"), GOFLAGS="-mod=mod")
    env.pop("GOFLAGS")
    p = subprocess.run(["go", "run", src, key, pub, PASSWORD], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr
    p = subprocess.run(["go", "run", src, key, pub, "wrong"], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode != 0 and "decryption failed" in p.stderr


def test_wrong_passphrase_is_refused(tstore, registry, busybox_layout, keys):
    ref, repo, digest = image(registry, busybox_layout)
    p = sign(tstore, ref, keys["a"][0], env={"HULL_PASSWORD": "wrong"})
    assert p.returncode != 0
    assert "wrong passphrase" in p.stderr
    st, _ = get_manifest(registry, repo, sig_tag(digest))
    assert st == 404  # nothing was written


# ---- sign and verify through the registry -------------------------------------------------------

def test_sign_then_verify_through_the_registry(tstore, registry, busybox_layout, keys):
    ref, repo, digest = image(registry, busybox_layout)
    p = sign(tstore, ref, keys["a"][0])
    assert p.returncode == 0, p.stderr
    assert digest in p.stdout and sig_tag(digest) in p.stdout
    # Stored as cosign stores it: the tag, the payload layer, the annotation.
    layers = signature_layers(registry, repo, digest)
    assert len(layers) == 1
    assert layers[0]["mediaType"] == SIMPLESIGNING
    assert base64.b64decode(layers[0]["annotations"][SIG_ANNOTATION])
    payload = json.loads(get_blob(registry, repo, layers[0]["digest"]))
    assert payload["critical"]["type"] == "cosign container image signature"
    assert payload["critical"]["image"]["docker-manifest-digest"] == digest
    assert payload["critical"]["identity"]["docker-reference"] == ref
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 0, p.stderr
    assert "trusted" in p.stdout and digest in p.stdout
    # JSON output for scripts.
    j = json.loads(verify(tstore, ref, "--key", keys["a"][1], "--format", "json").stdout)
    assert j["trusted"] is True and j["digest"] == digest and "sigstoreSigned" in j["verifiedBy"]


def test_wrong_key_is_rejected(tstore, registry, busybox_layout, keys):
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    p = verify(tstore, ref, "--key", keys["b"][1])
    assert p.returncode == 1
    assert "rejected" in p.stderr and "cryptographic signature verification failed" in p.stderr


def test_signatures_are_appended(tstore, registry, busybox_layout, keys):
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    assert sign(tstore, ref, keys["b"][0]).returncode == 0
    # the same signature again is not duplicated (ECDSA signatures differ, so a third one
    # is appended: three layers)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    assert len(signature_layers(registry, repo, digest)) == 3
    for k in ("a", "b"):
        assert verify(tstore, ref, "--key", keys[k][1]).returncode == 0


def test_unsigned_image_and_errors(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and "none exists" in p.stderr
    # an image that does not exist: an error (2), not a rejection
    p = verify(tstore, f"{registry.host}/trust/nothing-here:1", "--key", keys["a"][1])
    assert p.returncode == 2 and "MANIFEST_UNKNOWN" in p.stderr
    # a registry that does not answer
    p = verify(tstore, "127.0.0.1:1/x/y:1", "--key", keys["a"][1])
    assert p.returncode == 2
    # a key that is not a key
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key")
    p = verify(tstore, ref, "--key", str(bad))
    assert p.returncode == 1 and "not a PEM public key" in p.stderr


# ---- adversarial signatures --------------------------------------------------------------------

def signed_payload(tstore, registry, busybox_layout, keys):
    """A signed image and its signature layer (payload bytes, annotations)."""
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    layer = signature_layers(registry, repo, digest)[0]
    return ref, repo, digest, get_blob(registry, repo, layer["digest"]), layer["annotations"]


def test_tampered_payload_is_rejected(tstore, registry, busybox_layout, keys):
    ref, repo, digest, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    evil = payload.replace(b'"docker-reference":"', b'"docker-reference":"x')
    assert evil != payload
    present_signatures(registry, repo, digest, [(SIMPLESIGNING, evil, ann)])
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and "cryptographic signature verification failed" in p.stderr


def test_tampered_manifest_is_rejected(tstore, registry, busybox_layout, keys, tmp_path):
    """The tag now points at another manifest: its signatures (none) decide; the old
    signature copied next to it names the old digest."""
    ref, repo, digest, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    lay = Layout(str(tmp_path / "evil"))
    lay.image("evil", [tar_bytes(lambda t: add_file(t, "bin/sh", b"evil", mode=0o755))])
    push(lay.path, "evil", ref)
    st, data = get_manifest(registry, repo, "1")
    evil_digest = sha(data)
    assert evil_digest != digest
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and "none exists" in p.stderr
    present_signatures(registry, repo, evil_digest, [(SIMPLESIGNING, payload, ann)])
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1
    assert f"it is for manifest {digest}, not this image ({evil_digest})" in p.stderr


def test_replayed_signature_for_another_image(tstore, registry, busybox_layout, keys):
    """A valid signature of image A presented as image B's: rejected, not an error."""
    ref_a, repo_a, digest_a, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    ref_b, repo_b, digest_b = image(registry, busybox_layout, which="bbz")
    assert digest_a != digest_b
    present_signatures(registry, repo_b, digest_b, [(SIMPLESIGNING, payload, ann)])
    p = verify(tstore, ref_b, "--key", keys["a"][1])
    assert p.returncode == 1
    assert f"it is for manifest {digest_a}" in p.stderr


@pytest.mark.parametrize("annotation,why", [
    ("!!not base64!!", "not valid base64"),
    ("MEYCIQDmtamqYPjMg81nqeBhptrPls44aA", "not valid base64"),  # truncated
    ("AAAA", "cryptographic signature verification failed"),      # base64 of garbage
    ("", "annotation is empty"),
])
def test_garbage_or_truncated_annotation(tstore, registry, busybox_layout, keys, annotation, why):
    ref, repo, digest, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    present_signatures(registry, repo, digest,
                       [(SIMPLESIGNING, payload, {SIG_ANNOTATION: annotation})])
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and why in p.stderr


def test_missing_annotation(tstore, registry, busybox_layout, keys):
    ref, repo, digest, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    present_signatures(registry, repo, digest, [(SIMPLESIGNING, payload, {})])
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and f"no {SIG_ANNOTATION} annotation" in p.stderr


def test_oversized_payload_is_not_downloaded(tstore, registry, busybox_layout, keys):
    ref, repo, digest, payload, ann = signed_payload(tstore, registry, busybox_layout, keys)
    big = payload[:-1] + b" " * (70 << 10) + b"}"
    present_signatures(registry, repo, digest, [(SIMPLESIGNING, big, ann)])
    p = verify(tstore, ref, "--key", keys["a"][1])
    assert p.returncode == 1 and "larger than the limit" in p.stderr


@pytest.fixture(scope="session")
def openssl_key(session_dir):
    """A plain PEM EC key made by openssl (hull signs with those too); openssl signs the
    arbitrary payloads the parser tests need."""
    key = os.path.join(session_dir, "openssl-ec.pem")
    pub = os.path.join(session_dir, "openssl-ec.pub")
    subprocess.run(["openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "ec", "-in", key, "-pubout", "-out", pub], check=True,
                   capture_output=True)
    return key, pub


def openssl_sign(key, data, tmp_path):
    f = tmp_path / "blob"
    f.write_bytes(data)
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, str(f)],
                         capture_output=True, check=True).stdout
    return base64.b64encode(sig).decode()


def test_plain_pem_keys_sign(tstore, registry, busybox_layout, openssl_key):
    ref, repo, digest = image(registry, busybox_layout)
    p = sign(tstore, ref, openssl_key[0])
    assert p.returncode == 0, p.stderr
    assert verify(tstore, ref, "--key", openssl_key[1]).returncode == 0


def test_signed_garbage_and_duplicate_members_are_rejected(tstore, registry, busybox_layout,
                                                           openssl_key, tmp_path):
    """Signatures that verify over payloads that must not parse: the strict parser rejects
    (after the signature check, which passes)."""
    ref, repo, digest = image(registry, busybox_layout)
    key, pub = openssl_key
    good = json.dumps({"critical": {"identity": {"docker-reference": ref},
                                    "image": {"docker-manifest-digest": digest},
                                    "type": "cosign container image signature"},
                       "optional": None}, separators=(",", ":"))
    dup = good.replace('"optional":null', '"optional":null,"optional":{}')
    dup_digest = good.replace('"docker-manifest-digest":', '"docker-manifest-digest":"sha256:' +
                              "0" * 64 + '","docker-manifest-digest":')
    atomic = good.replace("cosign container image signature", "atomic container signature")
    extra = good.replace('"type":', '"extra":1,"type":')
    cases = [(b"this is not json", "invalid JSON"),
             (dup.encode(), "appears twice"),
             (dup_digest.encode(), "appears twice"),
             (atomic.encode(), 'expected "cosign container image signature"'),
             (extra.encode(), 'unknown member "extra"')]
    for payload, why in cases:
        present_signatures(registry, repo, digest,
                           [(SIMPLESIGNING, payload, {SIG_ANNOTATION: openssl_sign(key, payload, tmp_path)})])
        p = verify(tstore, ref, "--key", pub)
        assert p.returncode == 1 and why in p.stderr, (why, p.stderr)
    # The well-formed payload signed the same way is accepted: the cases fail for their
    # payload, not for how they were signed.
    present_signatures(registry, repo, digest,
                       [(SIMPLESIGNING, good.encode(),
                         {SIG_ANNOTATION: openssl_sign(key, good.encode(), tmp_path)})])
    p = verify(tstore, ref, "--key", pub)
    assert p.returncode == 0, p.stderr
