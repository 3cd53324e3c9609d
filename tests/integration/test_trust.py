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
import tempfile

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
    # A directory of its own: other modules import this fixture, each import is its own
    # session fixture, and `key generate` refuses to overwrite.
    d = tempfile.mkdtemp(prefix="keys-", dir=session_dir)
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
    assert p.returncode == 2 and "not a PEM public key" in p.stderr, p.stderr
    p = verify(tstore, ref, "--key", str(tmp_path / "missing.pub"))
    assert p.returncode == 2 and "missing.pub" in p.stderr, p.stderr


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


# ---- real cosign-made signatures (containers/image's fixtures) ---------------------------------

COSIGN_PUB = os.path.join(COSIGN, "cosign.pub")
COSIGN_REPO = "192.168.64.2:5000/cosign-signed-single-sample"
VALID_DIGEST = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"


def cosign_fixture(registry, name, tags=("1",), extra_sigs=(), sig_for=None):
    """Present dir-img-cosign-NAME in the registry as cosign stores it: the manifest under
    the tags, its signature-N files as the layers of the sha256-<digest>.sig manifest."""
    _n[0] += 1
    repo = f"cosign/{name.replace('dir-img-cosign-', '')}-{_n[0]}-{os.getpid()}"
    d = os.path.join(COSIGN, name)
    digest = None
    mpath = os.path.join(d, "manifest.json")
    if os.path.exists(mpath):
        with open(mpath, "rb") as f:
            data = f.read()
        for t in tags:
            digest = seed_manifest(registry, repo, data, t)
    sigs = [read_dir_signature(os.path.join(d, f)) for f in sorted(os.listdir(d))
            if f.startswith("signature-")]
    sigs += [read_dir_signature(p) for p in extra_sigs]
    present_signatures(registry, repo, sig_for or digest or VALID_DIGEST, sigs, seed=True)
    return f"{registry.host}/{repo}", digest


def test_cosign_valid_signature_accepted(tstore, registry, tmp_path):
    name, digest = cosign_fixture(registry, "dir-img-cosign-valid")
    assert digest == VALID_DIGEST  # the manifest bytes are presented unchanged
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    assert p.returncode == 0, p.stderr
    # cosign signs the repository only: matchRepository compares it with this registry's
    # name (rejected), exactRepository with the name it was signed as (accepted).
    pol = sigstore_policy(tmp_path, registry.host, COSIGN_PUB, {"type": "matchRepository"})
    p = verify(tstore, name + ":1", "--policy", pol)
    assert p.returncode == 1 and f'identity "{COSIGN_REPO}" is not accepted' in p.stderr
    pol = sigstore_policy(tmp_path, registry.host, COSIGN_PUB,
                          {"type": "exactRepository", "dockerRepository": COSIGN_REPO}, "p2.json")
    p = verify(tstore, name + ":1", "--policy", pol)
    assert p.returncode == 0, p.stderr
    # the default identity rule (matchRepoDigestOrExact) never accepts a repository-only one
    pol = sigstore_policy(tmp_path, registry.host, COSIGN_PUB, None, "p3.json")
    assert verify(tstore, name + ":1", "--policy", pol).returncode == 1


def test_cosign_two_valid_signatures(tstore, registry):
    name, _ = cosign_fixture(registry, "dir-img-cosign-valid-2")
    assert verify(tstore, name + ":1", "--key", COSIGN_PUB).returncode == 0


def test_cosign_mixed_one_invalid_one_valid(tstore, registry):
    """One accepted signature is enough; the unknown key's comes first."""
    name, _ = cosign_fixture(registry, "dir-img-cosign-mixed")
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["signatures"] == 2


def test_cosign_valid_with_tag_identity(tstore, registry, tmp_path):
    """containers/image's signature names 192.168.64.2:5000/skopeo-signed:tag: remapIdentity
    maps this registry's name onto it; the tag must match."""
    name, _ = cosign_fixture(registry, "dir-img-cosign-valid-with-tag", tags=("tag", "othertag"))
    pol = sigstore_policy(tmp_path, registry.host, COSIGN_PUB,
                          {"type": "remapIdentity", "prefix": name,
                           "signedPrefix": "192.168.64.2:5000/skopeo-signed"})
    p = verify(tstore, name + ":tag", "--policy", pol)
    assert p.returncode == 0, p.stderr
    p = verify(tstore, name + ":othertag", "--policy", pol)
    assert p.returncode == 1
    assert 'identity "192.168.64.2:5000/skopeo-signed:tag" is not accepted' in p.stderr
    pol = sigstore_policy(tmp_path, registry.host, COSIGN_PUB,
                          {"type": "exactReference",
                           "dockerReference": "192.168.64.2:5000/skopeo-signed:tag"}, "p2.json")
    assert verify(tstore, name + ":othertag", "--policy", pol).returncode == 0


def test_cosign_modified_manifest_rejected(tstore, registry):
    name, digest = cosign_fixture(registry, "dir-img-cosign-modified-manifest")
    assert digest != VALID_DIGEST
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    assert p.returncode == 1
    assert f"it is for manifest {VALID_DIGEST}, not this image ({digest})" in p.stderr


def test_cosign_manifest_digest_error_refused(tstore, registry):
    """A schema 1 manifest whose digest containers/image cannot compute."""
    name, digest = cosign_fixture(registry, "dir-img-cosign-manifest-digest-error")
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    # docker-registry announces the schema 1 "canonical" digest, not the digest of what it
    # sends: hull refuses the inconsistent answer (an error, nothing was verified).
    assert p.returncode == 2, p.stderr
    assert "does not match the body" in p.stderr and "trusted" not in p.stdout


def test_cosign_no_manifest_is_an_error(tstore, registry):
    name, digest = cosign_fixture(registry, "dir-img-cosign-no-manifest")
    assert digest is None
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    assert p.returncode == 2 and "MANIFEST_UNKNOWN" in p.stderr


def test_cosign_other_attachment_rejected(tstore, registry):
    name, _ = cosign_fixture(registry, "dir-img-cosign-other-attachment")
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    assert p.returncode == 1
    assert "none exists" in p.stderr and "1 non-signature attachments" in p.stderr


def test_cosign_unknown_key_rejected(tstore, registry):
    name, _ = cosign_fixture(registry, "dir-img-cosign-valid", extra_sigs=())
    # replace the valid signature by the unknown key's
    with open(os.path.join(COSIGN, "dir-img-cosign-valid", "manifest.json"), "rb") as f:
        repo = name.split("/", 1)[1]
        present_signatures(registry, repo, sha(f.read()),
                           [read_dir_signature(os.path.join(COSIGN, "unknown-cosign-key.signature"))],
                           seed=True)
    p = verify(tstore, name + ":1", "--key", COSIGN_PUB)
    assert p.returncode == 1 and "cryptographic signature verification failed" in p.stderr


# ---- the trust policy ---------------------------------------------------------------------------

@pytest.mark.parametrize("doc,why", [
    ({"transports": {}}, '"default" is missing'),
    ({"default": []}, "must not be empty"),
    ({"default": [{"type": "reject"}], "extra": 1}, 'unknown member "extra"'),
    ({"default": [{"type": "reject", "keyPath": "/k"}]}, 'unknown member "keyPath"'),
    ({"default": [{"type": "acceptEverything"}]}, 'unknown requirement type "acceptEverything"'),
    ({"default": [{"type": "signedBy", "keyPath": "/k"}]}, '"keyType" must be a string'),
    ({"default": [{"type": "signedBy", "keyType": "GPGKeys"}]}, "exactly one of keyPath"),
    ({"default": [{"type": "sigstoreSigned", "keyPath": "/k", "keyData": "AAAA"}]},
     "exactly one of keyPath"),
    ({"default": [{"type": "sigstoreSigned", "fulcio": {}}]}, "keyless verification"),
    ({"default": [{"type": "sigstoreSigned", "keyPath": "/k",
                   "signedIdentity": {"type": "exactReference", "dockerReference": "a/b"}}]},
     "neither a tag nor a digest"),
    ({"default": [{"type": "sigstoreSigned", "keyPath": "/k",
                   "signedIdentity": {"type": "matchWhatever"}}]}, "unknown signedIdentity type"),
    ({"default": [{"type": "signedBaseLayer", "baseLayerIdentity": {}}]}, "not implemented"),
    ({"default": [{"type": "reject"}], "transports": {"docker": {"a b": [{"type": "reject"}]}}},
     "invalid scope"),
])
def test_policy_is_parsed_strictly(tstore, tmp_path, doc, why):
    p = tmp_path / "policy.json"
    p.write_text(json.dumps(doc))
    r = tstore("image", "verify", "--tls-verify=false", "127.0.0.1:1/x:1", "--policy", str(p))
    assert r.returncode == 2 and why in r.stderr and str(p) in r.stderr, r.stderr


def test_policy_duplicate_member_and_oversize(tstore, tmp_path):
    p = tmp_path / "policy.json"
    p.write_text('{"default":[{"type":"insecureAcceptAnything"}],"default":[{"type":"reject"}]}')
    r = tstore("image", "verify", "127.0.0.1:1/x:1", "--policy", str(p))
    assert r.returncode == 2 and "appears twice" in r.stderr
    p.write_text('{"default":[{"type":"reject"}]}' + " " * (5 << 20))
    r = tstore("image", "verify", "127.0.0.1:1/x:1", "--policy", str(p))
    assert r.returncode == 2 and "larger than" in r.stderr


def test_policy_most_specific_scope_wins(tstore, registry, busybox_layout, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    ref2, repo2, _ = image(registry, busybox_layout)
    pol = policy(tmp_path, [{"type": "reject"}],
                 {"docker": {registry.host: [{"type": "insecureAcceptAnything"}],
                             f"{registry.host}/{repo}": [{"type": "reject"}]}})
    p = verify(tstore, ref, "--policy", pol)
    assert p.returncode == 1
    assert f'transports.docker["{registry.host}/{repo}"], requirement 1 (reject)' in p.stderr
    p = verify(tstore, ref2, "--policy", pol)
    assert p.returncode == 0 and "without a signature" in p.stdout
    # and the global default for another transport's scope list
    pol = policy(tmp_path, [{"type": "insecureAcceptAnything"}], {"docker": {}}, "p2.json")
    assert verify(tstore, ref, "--policy", pol).returncode == 0


def test_every_requirement_must_pass(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    both = [{"type": "sigstoreSigned", "keyPath": keys["a"][1]},
            {"type": "sigstoreSigned", "keyPath": keys["b"][1]}]
    pol = policy(tmp_path, [{"type": "reject"}], {"docker": {registry.host: both}})
    p = verify(tstore, ref, "--policy", pol)
    assert p.returncode == 1 and "requirement 2 (sigstoreSigned, keyPath" in p.stderr
    assert sign(tstore, ref, keys["b"][0]).returncode == 0
    assert verify(tstore, ref, "--policy", pol).returncode == 0
    # keyData instead of keyPath
    data = base64.b64encode(open(keys["a"][1], "rb").read()).decode()
    pol = policy(tmp_path, [{"type": "sigstoreSigned", "keyData": data}], None, "p2.json")
    assert verify(tstore, ref, "--policy", pol).returncode == 0


def test_registries_d_can_turn_attachments_off(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    rd = tmp_path / "rd"
    rd.mkdir()
    (rd / "off.yaml").write_text(f"docker:\n  {registry.host}/{repo}:\n"
                                 "    use-sigstore-attachments: false\n")
    pol = sigstore_policy(tmp_path, registry.host, keys["a"][1])
    p = verify(tstore, ref, "--policy", pol, "--registries.d", str(rd))
    assert p.returncode == 1 and "none exists" in p.stderr
    # a broken registries.d is an error, naming the file and line
    (rd / "bad.yaml").write_text("docker:\n  x:\n    lookasid: file:///x\n")
    p = verify(tstore, ref, "--policy", pol, "--registries.d", str(rd))
    assert p.returncode == 2 and "bad.yaml: line 3" in p.stderr and 'unknown key "lookasid"' in p.stderr


# ---- pull, import, launch -----------------------------------------------------------------------

def test_pull_is_refused_before_anything_is_downloaded(tstore, registry, busybox_layout, keys,
                                                       tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    pol = sigstore_policy(tmp_path, registry.host, keys["a"][1])
    p = tstore("image", "pull", "--tls-verify=false", "--policy", pol, ref)
    assert p.returncode != 0
    assert "rejected by the trust policy" in p.stderr and "requirement 1 (sigstoreSigned" in p.stderr
    assert tstore.images() == []
    assert tstore.files("layers") == [os.path.join(tstore.storage, "layers", a) for a in ()] or \
        all(not f.endswith(".tree") for f in tstore.files("layers"))
    assert [f for f in tstore.files("blobs") if os.path.isfile(f)] == []
    # signed: pulled, with its signatures cached and a verification record
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    p = tstore("image", "pull", "--tls-verify=false", "--policy", pol, ref)
    assert p.returncode == 0, p.stderr
    img = tstore.images()[0]
    assert img["Digest"] == digest
    cache = os.path.join(tstore.storage, "trust", "sigs", "sha256", digest[7:] + ".json")
    rec = os.path.join(tstore.storage, "trust", "verified", "sha256", digest[7:] + ".json")
    assert json.load(open(cache))["digest"] == digest
    r = json.load(open(rec))
    assert r["manifestDigest"] == digest and "sigstoreSigned" in r["verifiedBy"]
    assert stat.S_IMODE(os.stat(rec).st_mode) == 0o600


def test_import_follows_the_transport_scope(tstore, busybox_layout, keys, tmp_path):
    layout = busybox_layout.path
    real = os.path.realpath(layout)
    pol = policy(tmp_path, [{"type": "insecureAcceptAnything"}],
                 {"oci": {real: [{"type": "reject"}]}})
    p = tstore("image", "import", "--policy", pol, f"oci:{layout}:bb", "localhost/imp:1")
    assert p.returncode != 0 and "rejected by the trust policy" in p.stderr
    assert f'transports.oci["{real}"]' in p.stderr
    assert tstore.images() == []
    # a parent directory scope, and a requirement hull cannot satisfy from a layout
    pol = policy(tmp_path, [{"type": "reject"}],
                 {"oci": {os.path.dirname(real): [{"type": "sigstoreSigned", "keyPath": keys["a"][1]}]}},
                 "p2.json")
    p = tstore("image", "import", "--policy", pol, f"oci:{layout}:bb", "localhost/imp:1")
    assert p.returncode != 0 and "none exists" in p.stderr
    pol = policy(tmp_path, [{"type": "reject"}],
                 {"oci": {"": [{"type": "insecureAcceptAnything"}]}}, "p3.json")
    p = tstore("image", "import", "--policy", pol, f"oci:{layout}:bb", "localhost/imp:1")
    assert p.returncode == 0, p.stderr


def pulled_signed(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    pol = sigstore_policy(tmp_path, registry.host, keys["a"][1])
    p = tstore("image", "pull", "--tls-verify=false", "--policy", pol, ref)
    assert p.returncode == 0, p.stderr
    return ref, repo, digest, pol


def test_launch_verifies_and_admission_requires_the_record(tstore, registry, busybox_layout,
                                                          keys, tmp_path):
    ref, repo, digest, pol = pulled_signed(tstore, registry, busybox_layout, keys, tmp_path)
    adm = tmp_path / "admission.json"
    adm.write_text(json.dumps({"images": {"requireSignature": True}, "syslog": False,
                               "auditLog": str(tmp_path / "adm.log")}))
    p = tstore("--admission", str(adm), "launch", "--rm", "--pull", "never", "--policy", pol,
               ref, "echo", "ok")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
    log = [json.loads(l) for l in open(tmp_path / "adm.log")]
    sig = [c for c in log[-1]["checks"] if c["id"] == "policy.image-signature"][0]
    assert sig["status"] == "pass"
    # the container's config names the digest and what vouched for it
    cid = tstore("launch", "-d", "--pull", "never", "--policy", pol, ref, "sleep", "30",
                 check=True).stdout.strip()
    try:
        cfg = json.load(open(os.path.join(tstore.root, cid, "config.json")))
        ann = cfg["annotations"]
        assert ann["io.hull.image.digest"] == digest
        assert pol in ann["io.hull.image.verified-by"]
        assert "sigstoreSigned(key sha256:" in ann["io.hull.image.verified-by"]
    finally:
        tstore("rm", "-f", cid)
    # an image admitted without a signature (insecureAcceptAnything) has no record
    ref2, repo2, digest2 = image(registry, busybox_layout, which="bbz")
    accept = policy(tmp_path, [{"type": "insecureAcceptAnything"}], None, "accept.json")
    assert tstore("image", "pull", "--tls-verify=false", "--policy", accept, ref2).returncode == 0
    p = tstore("--admission", str(adm), "launch", "--rm", "--pull", "never", "--policy", accept,
               ref2, "true")
    assert p.returncode != 0
    assert "policy.image-signature" in p.stderr and "never verified" in p.stderr


def test_launch_refuses_an_unsigned_image(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest = image(registry, busybox_layout)
    accept = policy(tmp_path, [{"type": "insecureAcceptAnything"}], None, "accept.json")
    assert tstore("image", "pull", "--tls-verify=false", "--policy", accept, ref).returncode == 0
    pol = sigstore_policy(tmp_path, registry.host, keys["a"][1])
    p = tstore("launch", "--rm", "--pull", "never", "--tls-verify=false", "--policy", pol, ref,
               "true")
    assert p.returncode != 0
    assert "rejected by the trust policy" in p.stderr and "requirement 1 (sigstoreSigned" in p.stderr
    assert tstore.ps() == []


def test_launch_reverifies_offline_from_the_store(tstore, session_dir, busybox_layout, keys,
                                                  tmp_path):
    """Signatures fetched at pull are kept: with the registry gone, launch re-verifies them
    against the policy (and a policy that no longer accepts them refuses)."""
    reg = Registry(str(tmp_path))
    try:
        ref, repo, digest, pol = pulled_signed(tstore, reg, busybox_layout, keys, tmp_path)
    finally:
        reg.stop()
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "echo", "ok")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
    other = sigstore_policy(tmp_path, reg.host, keys["b"][1], name="other.json")
    p = tstore("launch", "--rm", "--pull", "never", "--policy", other, ref, "true")
    assert p.returncode != 0 and "cryptographic signature verification failed" in p.stderr
    # the failed verification withdrew the record admission relies on
    rec = os.path.join(tstore.storage, "trust", "verified", "sha256", digest[7:] + ".json")
    assert not os.path.exists(rec)


def test_launch_of_a_signed_index(tstore, registry, busybox_layout, keys, tmp_path):
    """cosign signs what the tag points to, here an image index; what runs is the platform
    manifest it lists: launch checks the chain index -> manifest."""
    _n[0] += 1
    repo = f"trust/multi-{_n[0]}-{os.getpid()}"
    ref = f"{registry.host}/{repo}:1"
    subprocess.run(["skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false",
                    f"oci:{busybox_layout.path}:multi", f"docker://{ref}"], check=True,
                   capture_output=True)
    st, data = get_manifest(registry, repo, "1")
    index_digest = sha(data)
    assert json.loads(data)["mediaType"].endswith("index.v1+json")
    assert sign(tstore, ref, keys["a"][0]).returncode == 0
    pol = sigstore_policy(tmp_path, registry.host, keys["a"][1])
    assert tstore("image", "pull", "--tls-verify=false", "--policy", pol, ref).returncode == 0
    img = tstore.images()[0]
    assert img["Digest"] != index_digest
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "echo", "ok")
    assert p.returncode == 0, p.stderr
    rec = json.load(open(os.path.join(tstore.storage, "trust", "verified", "sha256",
                                      img["Digest"][7:] + ".json")))
    assert rec["signedDigest"] == index_digest and rec["manifestDigest"] == img["Digest"]


def test_default_policy_files(tstore, registry, busybox_layout, keys, tmp_path):
    """/etc/hull/policy.json, then /etc/containers/policy.json; neither: no check. Run in a
    private mount namespace over a copy of /etc: the host's files are never touched."""
    ref, repo, digest = image(registry, busybox_layout)
    accept = policy(tmp_path, [{"type": "insecureAcceptAnything"}], None, "accept.json")
    assert tstore("image", "pull", "--tls-verify=false", "--policy", accept, ref).returncode == 0
    reject = json.dumps({"default": [{"type": "reject"}]})
    allow = json.dumps({"default": [{"type": "insecureAcceptAnything"}]})
    argv = [HULL, "--root", tstore.root, "--storage-root", tstore.storage, "launch", "--rm",
            "--pull", "never", ref, "echo", "ok"]
    with private_etc(tmp_path / "e1", {"hull/policy.json": reject,
                                       "containers/policy.json": allow}) as run:
        p = run(argv, env=tstore.env)
        assert p.returncode != 0 and "/etc/hull/policy.json" in p.stderr and "(reject)" in p.stderr
    with private_etc(tmp_path / "e2", {"hull/policy.json": None,
                                       "containers/policy.json": reject}) as run:
        p = run(argv, env=tstore.env)
        assert p.returncode != 0 and "/etc/containers/policy.json" in p.stderr
    with private_etc(tmp_path / "e3", {"hull/policy.json": None,
                                       "containers/policy.json": None}) as run:
        p = run(argv, env=tstore.env)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == "ok"
    # a policy file that exists but is broken refuses (fail closed)
    with private_etc(tmp_path / "e4", {"hull/policy.json": "{not json",
                                       "containers/policy.json": allow}) as run:
        p = run(argv, env=tstore.env)
        assert p.returncode != 0 and "/etc/hull/policy.json" in p.stderr and "invalid JSON" in p.stderr


# ---- layer integrity at launch --------------------------------------------------------------------

def layer_dirs(s):
    d = os.path.join(s.storage, "layers", "sha256")
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if os.path.isdir(os.path.join(d, n)))


def test_a_changed_file_in_a_layer_is_refused(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest, pol = pulled_signed(tstore, registry, busybox_layout, keys, tmp_path)
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "cat", "/etc/motd")
    assert p.returncode == 0 and p.stdout == "hello from layer 2\n", p.stderr
    motd = [os.path.join(d, "etc", "motd") for d in layer_dirs(tstore)
            if os.path.exists(os.path.join(d, "etc", "motd"))][0]
    st = os.stat(motd)
    with open(motd, "w") as f:
        f.write("HELLO FROM LAYER 2\n")  # same size
    os.utime(motd, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old mtime
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "cat", "/etc/motd")
    assert p.returncode != 0
    assert "integrity check failed" in p.stderr and "etc/motd: content changed" in p.stderr
    assert "HELLO" not in p.stdout
    assert tstore.ps() == []
    # hull image verify reports the stored copy as damaged
    p = verify(tstore, ref, "--policy", pol)
    assert p.returncode == 1 and "stored copy is damaged" in p.stderr
    # without any trust policy too: integrity is checked for every launch
    with private_etc(tmp_path / "e", {"hull/policy.json": None,
                                      "containers/policy.json": None}) as run:
        p = run([HULL, "--root", tstore.root, "--storage-root", tstore.storage, "launch", "--rm",
                 "--pull", "never", ref, "true"], env=tstore.env)
        assert p.returncode != 0 and "etc/motd: content changed" in p.stderr


@pytest.mark.parametrize("change,why", [
    ("add", "bin/evil: not in the layer as unpacked"),
    ("remove", "bin/true: removed"),
    ("chmod", "bin/busybox: metadata changed: mode 0755 -> 4755"),
    ("symlink", "bin/ls: symlink target changed"),
])
def test_layer_changes_are_named(tstore, registry, busybox_layout, keys, tmp_path, change, why):
    ref, repo, digest, pol = pulled_signed(tstore, registry, busybox_layout, keys, tmp_path)
    base = [d for d in layer_dirs(tstore) if os.path.exists(os.path.join(d, "bin", "busybox"))][0]
    b = os.path.join(base, "bin")
    if change == "add":
        open(os.path.join(b, "evil"), "w").close()
    elif change == "remove":
        os.unlink(os.path.join(b, "true"))
    elif change == "chmod":
        os.chmod(os.path.join(b, "busybox"), 0o4755)
    else:
        # a new target, the old mtime: only the target differs
        st = os.lstat(os.path.join(b, "ls"))
        os.unlink(os.path.join(b, "ls"))
        os.symlink("busybox-", os.path.join(b, "ls"))
        os.utime(os.path.join(b, "ls"), ns=(st.st_atime_ns, st.st_mtime_ns),
                 follow_symlinks=False)
        os.utime(b, ns=(os.stat(b).st_atime_ns, os.stat(b).st_mtime_ns))
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "true")
    assert p.returncode != 0 and why in p.stderr, p.stderr


def test_layer_without_a_record_is_compared_with_its_blob(tstore, registry, busybox_layout, keys,
                                                         tmp_path):
    """Layers unpacked by an older hull have no record: launch unpacks the verified blob again,
    seals the stored layer when identical, and refuses when not."""
    ref, repo, digest, pol = pulled_signed(tstore, registry, busybox_layout, keys, tmp_path)
    trees = [d + ".tree" for d in layer_dirs(tstore)]
    for t in trees:
        os.unlink(t)
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "true")
    assert p.returncode == 0, p.stderr
    assert all(os.path.exists(t) for t in trees)
    for t in trees:
        os.unlink(t)
    motd = [os.path.join(d, "etc", "motd") for d in layer_dirs(tstore)
            if os.path.exists(os.path.join(d, "etc", "motd"))][0]
    with open(motd, "a") as f:
        f.write("evil\n")
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "true")
    assert p.returncode != 0 and "differs from its verified blob" in p.stderr, p.stderr
    assert "etc/motd" in p.stderr
    assert tstore.files("tmp") == []


def test_an_edited_record_is_refused(tstore, registry, busybox_layout, keys, tmp_path):
    ref, repo, digest, pol = pulled_signed(tstore, registry, busybox_layout, keys, tmp_path)
    d = [d for d in layer_dirs(tstore) if os.path.exists(os.path.join(d, "etc", "motd"))][0]
    with open(os.path.join(d, "etc", "motd"), "a") as f:
        f.write("evil\n")
    # an attacker who also rewrites the record's line for the file must match its tree digest
    rec = d + ".tree"
    lines = open(rec).read().splitlines()
    for i, l in enumerate(lines):
        if l.endswith(" etc/motd"):
            f = l.split(" ")
            f[4] = str(os.path.getsize(os.path.join(d, "etc", "motd")))
            lines[i] = " ".join(f)
    open(rec, "w").write("\n".join(lines) + "\n")
    p = tstore("launch", "--rm", "--pull", "never", "--policy", pol, ref, "true")
    assert p.returncode != 0 and "does not match its own tree digest" in p.stderr
