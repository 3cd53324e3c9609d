# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull image: pull from a real registry (docker-registry), auth, resumption, tampering,
platforms, mirrors; import/export against podman, skopeo and umoci; rm/prune/tag."""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from peers import Podman, have
from conftest import HULL
from test_image_support import (AuthProxy, Layout, Registry, Store, add_file, auth_file,  # noqa: F401
                                auth_proxy, bcrypt_line, busybox_layout, push, pushed, registry,
                                store, tar_bytes)


def test_pull_list_inspect(store, pushed):
    ref = pushed["bb"]
    p = store("image", "pull", "--tls-verify=false", ref, check=True)
    image_id = p.stdout.strip()
    assert image_id.startswith("sha256:")
    imgs = store.images()
    assert len(imgs) == 1
    assert imgs[0]["Names"] == [ref]
    assert imgs[0]["Id"] == image_id[7:]
    assert imgs[0]["RepoDigests"][0].startswith(ref.rsplit(":", 1)[0] + "@sha256:")
    ins = json.loads(store("image", "inspect", ref, check=True).stdout)[0]
    assert ins["Config"]["WorkingDir"] == "/var"
    assert len(ins["Layers"]) == 3
    assert all(l["Unpacked"] for l in ins["Layers"])
    # The setuid file is kept and reported.
    assert ins["Layers"][2]["Unpack"]["setidFiles"] == 1
    assert ins["Layers"][2]["Unpack"]["setidExamples"] == ["usr/bin/su-like"]
    assert store("image", "ls", "-q", check=True).stdout.split() == [image_id[7:19]]
    # Nothing partial is left in the store.
    assert store.files("tmp") == []


def test_store_is_private(store, pushed):
    store("image", "pull", "--tls-verify=false", pushed["bb"], check=True)
    assert os.stat(store.storage).st_mode & 0o777 == 0o700


def test_pull_by_digest_and_index(store, pushed):
    ref = pushed["multi"]
    store("image", "pull", "--tls-verify=false", ref, check=True)
    ins = json.loads(store("image", "inspect", ref, check=True).stdout)[0]
    assert ins["Architecture"] == "amd64"  # this machine's platform picked from the index
    # The index digest and the manifest digest both find it.
    digests = ins["RepoDigests"]
    assert len(digests) == 2
    for d in digests:
        assert store("image", "inspect", d).returncode == 0
    repo = ref.rsplit(":", 1)[0]
    p = store("image", "pull", "--tls-verify=false", f"{repo}@{ins['Digest']}", check=True)
    assert p.stdout.strip()[7:] == ins["Id"]
    p = store("image", "pull", "--tls-verify=false", "--platform", "linux/s390x", ref)
    assert p.returncode != 0
    assert "no image for linux/s390x" in p.stderr


def test_pull_errors_name_what_failed(store, registry):
    p = store("image", "pull", "--tls-verify=false", f"{registry.host}/test/nothere:1")
    assert p.returncode != 0
    assert "MANIFEST_UNKNOWN" in p.stderr or "NAME_UNKNOWN" in p.stderr
    p = store("image", "pull", "Not/A:ref:at:all")
    assert p.returncode != 0 and "invalid" in p.stderr
    # A registry that is not there (refused connection).
    p = store("image", "pull", "--tls-verify=false", "127.0.0.1:1/x:1")
    assert p.returncode != 0 and "127.0.0.1:1" in p.stderr


def test_https_required_unless_insecure(store, registry, pushed):
    p = store("image", "pull", pushed["bb"])
    assert p.returncode != 0
    assert "https" in p.stderr or "SSL" in p.stderr or "TLS" in p.stderr


def test_pull_again_fetches_no_blob(store, auth_proxy, pushed, tmp_path):
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    af = auth_file(tmp_path, auth_proxy.host)
    store("image", "pull", "--tls-verify=false", "--authfile", af, ref, check=True)
    first = len(auth_proxy.blob_gets())
    assert first >= 4  # config + 3 layers
    store("image", "pull", "--tls-verify=false", "--authfile", af, ref, check=True)
    assert len(auth_proxy.blob_gets()) == first


def test_bearer_token_auth(store, auth_proxy, pushed, tmp_path):
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    p = store("image", "pull", "--tls-verify=false", "--authfile", os.path.join(tmp_path, "none.json"), ref)
    assert p.returncode != 0
    assert "401" in p.stderr and "token" in p.stderr
    bad = auth_file(tmp_path, auth_proxy.host, password="wrong")
    p = store("image", "pull", "--tls-verify=false", "--authfile", bad, ref)
    assert p.returncode != 0 and "bad credentials" in p.stderr
    good = auth_file(tmp_path, auth_proxy.host)
    # REGISTRY_AUTH_FILE works like --authfile (containers-auth.json).
    store("image", "pull", "--tls-verify=false", ref, check=True, env={"REGISTRY_AUTH_FILE": good})
    assert any(r[1].startswith("/token") for r in auth_proxy.requests)
    assert len(store.images()) == 1


def test_download_resumes_after_a_cut(store, auth_proxy, pushed, tmp_path):
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    auth_proxy.cut_once = True
    store("image", "pull", "--tls-verify=false", "--authfile", auth_file(tmp_path, auth_proxy.host), ref,
          check=True)
    assert not auth_proxy.cut_once
    ranged = [r for r in auth_proxy.blob_gets() if r[2]]
    assert ranged and ranged[0][2].startswith("bytes=") and not ranged[0][2].startswith("bytes=0-")


def test_corrupt_blob_leaves_nothing(store, auth_proxy, pushed, tmp_path):
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    auth_proxy.corrupt = True
    p = store("image", "pull", "--tls-verify=false", "--authfile", auth_file(tmp_path, auth_proxy.host), ref)
    assert p.returncode != 0
    assert "mismatch" in p.stderr or "decompress" in p.stderr
    assert store.images() == []
    assert store.files("layers/sha256") == []
    assert store.files("tmp") == []
    layer_blobs = [f for f in store.files("blobs/sha256") if os.path.getsize(f) > 10000]
    assert layer_blobs == []


def test_killed_pull_is_never_complete_and_resumes(store, auth_proxy, pushed, tmp_path):
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    af = auth_file(tmp_path, auth_proxy.host)
    auth_proxy.delay = 0.05
    argv = [HULL, "--storage-root", store.storage, "image", "pull", "--tls-verify=false", "--authfile", af, ref]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=store.env)
    def partial_bytes():
        n = 0
        for f in store.files("tmp"):
            try:
                n = max(n, os.path.getsize(f) if f.endswith(".partial") else 0)
            except OSError:
                pass  # renamed into place meanwhile
        return n

    deadline = time.time() + 30
    while time.time() < deadline and partial_bytes() < 65536:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store.images() == []
    # The big base layer was interrupted: it is not a layer (only completed small ones are).
    layers = [f for f in store.files("layers/sha256") if not f.endswith(".json") and
              not f.endswith(".tree") and not os.path.basename(f).startswith(".") and
              os.path.dirname(f).endswith("layers/sha256")]
    assert len(layers) < 3
    for d in layers:
        assert os.path.exists(d + ".json")
    partial = [f for f in store.files("tmp") if f.endswith(".partial")]
    assert partial
    auth_proxy.delay = 0
    store("image", "pull", "--tls-verify=false", "--authfile", af, ref, check=True)
    assert any(r[2] and not r[2].startswith("bytes=0-") for r in auth_proxy.blob_gets())
    assert len(store.images()) == 1
    # prune clears what a crash leaves in tmp/ (here: the unpack temp dir of the killed pull)
    store("image", "prune", check=True)
    assert store.files("tmp") == []


def test_partial_holding_the_whole_blob(store, auth_proxy, pushed, tmp_path):
    """A pull killed after the last byte arrived but before the rename leaves the whole blob as
    the partial file: the next pull verifies it and asks the registry for nothing more (a range
    from the end would be unsatisfiable)."""
    ref = pushed["bb"].replace(pushed["bb"].split("/")[0], auth_proxy.host)
    af = auth_file(tmp_path, auth_proxy.host)
    other = Store(tmp_path / "other")
    other("image", "pull", "--tls-verify=false", pushed["bb"], check=True)
    blobs = sorted(other.files("blobs/sha256"), key=os.path.getsize)
    big = blobs[-1]
    store("image", "ls", check=True)  # the store exists, with its tmp/
    partial = os.path.join(store.storage, "tmp", "blob-sha256-" + os.path.basename(big) + ".partial")
    shutil.copyfile(big, partial)
    store("image", "pull", "--tls-verify=false", "--authfile", af, ref, check=True)
    assert len(store.images()) == 1
    assert not [r for r in auth_proxy.blob_gets() if os.path.basename(big) in r[1]]


def test_mirrors_and_blocked(store, registry, pushed, tmp_path):
    conf = os.path.join(tmp_path, "registries.conf")
    with open(conf, "w") as f:
        f.write('[[registry]]\nprefix = "example.invalid/test"\nlocation = "127.0.0.1:1/none"\n'
                '[[registry.mirror]]\n'
                f'location = "{registry.host}/test"\ninsecure = true\n'
                '[[registry]]\nprefix = "blocked.invalid"\nblocked = true\n')
    p = store("image", "pull", "--registries-conf", conf, "example.invalid/test/bb:1", check=True)
    imgs = store.images()
    assert imgs[0]["Names"] == ["example.invalid/test/bb:1"]
    p = store("image", "pull", "blocked.invalid/x:1", env={"HULL_REGISTRIES_CONF": conf})
    assert p.returncode != 0 and "blocked" in p.stderr


def test_tag_rm_prune(store, pushed):
    ref = pushed["bb"]
    store("image", "pull", "--tls-verify=false", ref, check=True)
    store("image", "pull", "--tls-verify=false", pushed["bbz"], check=True)
    nblobs = len(store.files("blobs/sha256"))
    store("image", "tag", ref, "localhost/mine:2", check=True)
    assert sorted(store.images()[0]["Names"]) == sorted([ref, "localhost/mine:2"])
    p = store("image", "rm", "mine:2", check=True)
    assert p.stdout.startswith("Untagged")
    p = store("image", "rm", ref, check=True)
    assert p.stdout.startswith("Deleted")
    # The other image shares the gzip layer: only what nobody uses went away.
    left = store.files("blobs/sha256")
    assert 0 < len(left) < nblobs
    assert store("image", "inspect", pushed["bbz"]).returncode == 0
    p = store("image", "rm", "nothere")
    assert p.returncode != 0 and "not in the store" in p.stderr
    store("image", "rm", pushed["bbz"], check=True)
    store("image", "prune", check=True)
    assert store.files("blobs/sha256") == [] and store.files("layers/sha256") == []


def test_tampered_store_blob_is_caught(store, pushed, tmp_path):
    store("image", "pull", "--tls-verify=false", pushed["bb"], check=True)
    big = max(store.files("blobs/sha256"), key=os.path.getsize)
    os.chmod(big, 0o644)
    with open(big, "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 0xff]))
    p = store("image", "export", pushed["bb"], f"oci-archive:{tmp_path}/x.tar")
    assert p.returncode != 0
    assert "stored content changed" in p.stderr
    assert not os.path.exists(f"{tmp_path}/x.tar")


def test_import_oci_dir_and_export_roundtrip(store, busybox_layout, tmp_path):
    store("image", "import", f"oci:{busybox_layout.path}:bb", "localhost/bb:imported", check=True)
    out = os.path.join(tmp_path, "bb.tar")
    store("image", "export", "bb:imported", f"oci-archive:{out}", check=True)
    # skopeo reads what hull wrote, with the same manifest digest.
    ins = json.loads(subprocess.run(["skopeo", "inspect", f"oci-archive:{out}"], capture_output=True,
                                    text=True, check=True).stdout)
    assert ins["Digest"] == store.images()[0]["Digest"]
    # umoci unpacks hull's OCI layout export.
    layout = os.path.join(tmp_path, "layout")
    store("image", "export", "bb:imported", f"oci:{layout}:v1", check=True)
    bundle = os.path.join(tmp_path, "bundle")
    subprocess.run(["umoci", "unpack", "--image", f"{layout}:v1", bundle], check=True, capture_output=True)
    assert os.path.exists(os.path.join(bundle, "rootfs", "bin", "busybox"))
    assert os.path.exists(os.path.join(bundle, "rootfs", "usr", "bin", "greet"))
    assert not os.path.exists(os.path.join(bundle, "rootfs", "etc", "group"))  # whited out
    # And hull imports its own archive into a fresh store (same image id).
    other = Store(os.path.join(tmp_path, "other"))
    try:
        other("image", "import", f"oci-archive:{out}", check=True)
        assert other.images()[0]["Id"] == store.images()[0]["Id"]
    finally:
        other.cleanup()


def test_import_refuses_broken_layouts(store, tmp_path):
    lay = Layout(os.path.join(tmp_path, "l"))
    p = store("image", "import", f"oci:{lay.path}")
    assert p.returncode != 0 and "lists 0 images" in p.stderr
    p = store("image", "import", f"oci-archive:{tmp_path}/missing.tar")
    assert p.returncode != 0 and "missing.tar" in p.stderr
    p = store("image", "import", f"docker-daemon:{tmp_path}")
    assert p.returncode != 0 and "unknown transport" in p.stderr


@pytest.fixture(scope="module")
def podman(tmp_path_factory, rootfs):
    if not have("podman"):
        pytest.skip("podman not installed")
    p = Podman(str(tmp_path_factory.mktemp("podman-img")), HULL, rootfs)
    yield p
    p.cleanup()


def test_podman_oci_archive_to_hull_and_back(store, podman, tmp_path):
    arch = os.path.join(tmp_path, "podman.tar")
    podman("save", "--format", "oci-archive", "-o", arch, podman.image, check=True)
    store("image", "import", f"oci-archive:{arch}", "localhost/from-podman:1", check=True)
    podman_id = podman("image", "inspect", "--format", "{{.Id}}", podman.image, check=True).stdout.strip()
    assert store.images()[0]["Id"] == podman_id
    p = store("launch", "--rm", "from-podman:1", "/bin/busybox", "echo", "ran", check=True)
    assert p.stdout == "ran\n"
    # hull's export loads into podman under the name given.
    back = os.path.join(tmp_path, "back.tar")
    store("image", "export", "from-podman:1", f"oci-archive:{back}:localhost/hull-export:7", check=True)
    podman("load", "-i", back, check=True)
    assert podman("image", "exists", "localhost/hull-export:7").returncode == 0
    assert podman("image", "inspect", "--format", "{{.Id}}", "localhost/hull-export:7",
                  check=True).stdout.strip() == podman_id
    podman("rmi", "localhost/hull-export:7")


def test_podman_docker_archive_import(store, podman, tmp_path):
    arch = os.path.join(tmp_path, "docker.tar")
    podman("save", "--format", "docker-archive", "-o", arch, podman.image, check=True)
    store("image", "import", f"docker-archive:{arch}", check=True)
    imgs = store.images()
    podman_id = podman("image", "inspect", "--format", "{{.Id}}", podman.image, check=True).stdout.strip()
    assert imgs[0]["Id"] == podman_id  # the config is kept byte for byte
    assert imgs[0]["Names"] == ["localhost/hull-busybox:latest"]
    p = store("launch", "--rm", "localhost/hull-busybox", "/bin/busybox", "true")
    assert p.returncode == 0, p.stderr


def test_rootfs_tarball_import(store, rootfs, tmp_path):
    import tarfile
    for comp, mode in (("plain", "w"), ("gz", "w:gz")):
        path = os.path.join(tmp_path, f"rootfs-{comp}.tar")
        with tarfile.open(path, mode) as t:
            t.add(rootfs, arcname=".")
        store("image", "import", f"tarball:{path}", f"rootfs:{comp}", check=True)
    imgs = {i["Names"][0]: i for i in store.images()}
    assert set(imgs) == {"localhost/rootfs:plain", "localhost/rootfs:gz"}
    # Both hold the same file system: one unpacked layer (same DiffID) serves both.
    layers = [d for d in os.listdir(os.path.join(store.storage, "layers", "sha256"))
              if not d.endswith(".json") and not d.endswith(".tree")]
    assert len(layers) == 1
    p = store("launch", "--rm", "rootfs:gz", "sh", "-c", "echo $PATH", check=True)
    assert p.stdout.startswith("/usr/local/sbin")
    p = store("image", "import", f"tarball:{tmp_path}/rootfs-plain.tar")
    assert p.returncode != 0 and "needs a NAME" in p.stderr


def test_gzip_members_trailers_and_corruption(store, rootfs, tmp_path):
    """gzip as registries serve it and as it can be abused: several concatenated members make
    one stream (the same layer as one member); a wrong CRC-32 or length in the trailer, or a
    truncated stream, is refused and leaves no layer."""
    import gzip
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        t.add(rootfs, arcname=".")
    tar = buf.getvalue()
    cases = {"one": gzip.compress(tar), "two": gzip.compress(tar[:len(tar) // 3]) +
             gzip.compress(tar[len(tar) // 3:])}
    for name, data in cases.items():
        (tmp_path / f"{name}.tar.gz").write_bytes(data)
        store("image", "import", f"tarball:{tmp_path}/{name}.tar.gz", f"gz:{name}", check=True)
    layers = [d for d in os.listdir(os.path.join(store.storage, "layers", "sha256"))
              if not d.endswith(".json") and not d.endswith(".tree")]
    assert len(layers) == 1  # same DiffID
    p = store("launch", "--rm", "gz:two", "cat", "/etc/passwd", check=True)
    assert p.stdout.startswith("root:")
    one = cases["one"]
    bad = {"crc": one[:-8] + bytes([one[-8] ^ 1]) + one[-7:],
           "length": one[:-1] + bytes([one[-1] ^ 1]),
           "truncated": one[:len(one) // 2]}
    for name, data in bad.items():
        (tmp_path / f"bad-{name}.tar.gz").write_bytes(data)
        p = store("image", "import", f"tarball:{tmp_path}/bad-{name}.tar.gz", f"bad:{name}")
        assert p.returncode != 0, name
        assert "decompress" in p.stderr or "truncated" in p.stderr or "tar" in p.stderr, p.stderr
    assert len([d for d in os.listdir(os.path.join(store.storage, "layers", "sha256"))
                if not d.endswith(".json") and not d.endswith(".tree")]) == 1
    assert store.files("tmp") == []


def test_basic_auth_registry(store, busybox_layout, tmp_path):
    reg = Registry(str(tmp_path), htpasswd=bcrypt_line("user", "secret"))
    try:
        push(busybox_layout.path, "bb", f"{reg.host}/bb:1", creds="user:secret")
        p = store("image", "pull", "--tls-verify=false", f"{reg.host}/bb:1")
        assert p.returncode != 0 and "wants a login" in p.stderr
        p = store("image", "pull", "--tls-verify=false", "--authfile",
                  auth_file(tmp_path, reg.host, password="nope"), f"{reg.host}/bb:1")
        assert p.returncode != 0 and "401" in p.stderr
        store("image", "pull", "--tls-verify=false", "--authfile", auth_file(tmp_path, reg.host),
              f"{reg.host}/bb:1", check=True)
        assert store.images()[0]["Names"] == [f"{reg.host}/bb:1"]
    finally:
        reg.stop()


def test_concurrent_pulls_of_one_image(store, pushed):
    argv = [HULL, "--storage-root", store.storage, "image", "pull", "-q", "--tls-verify=false"]
    procs = [subprocess.Popen(argv + [ref], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=store.env)
             for ref in (pushed["bb"], pushed["bb"], pushed["bbz"])]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert outs[0][0] == outs[1][0]
    assert len(store.images()) == 2
    assert store.files("tmp") == []
    for ref in (pushed["bb"], pushed["bbz"]):
        ins = json.loads(store("image", "inspect", ref, check=True).stdout)[0]
        assert all(l["Unpacked"] for l in ins["Layers"])
    p = store("launch", "--rm", pushed["bbz"], "cat", "/etc/motd", check=True)
    assert p.stdout == "hello from layer 2\n"


def test_export_never_writes_through_planted_links(store, busybox_layout, tmp_path):
    """An export directory may belong to someone else: a symlink or hardlink planted at the
    target name must be replaced, not written through."""
    store("image", "import", f"oci:{busybox_layout.path}:bb", "localhost/bb:1", check=True)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    os.link(victim, out / "x.tar")
    os.symlink(victim, out / "y.tar")
    store("image", "export", "bb:1", f"oci-archive:{out}/x.tar", check=True)
    store("image", "export", "bb:1", f"oci-archive:{out}/y.tar", check=True)
    lay = tmp_path / "lay"
    (lay / "blobs" / "sha256").mkdir(parents=True)
    manifest = store.images()[0]["Digest"][7:]
    os.link(victim, lay / "blobs" / "sha256" / manifest)
    os.symlink(victim, lay / "index.json")
    store("image", "export", "bb:1", f"oci:{lay}:v1", check=True)
    assert victim.read_text() == "precious\n"
    assert not os.path.islink(out / "y.tar") and os.stat(out / "x.tar").st_nlink == 1
    assert json.loads((lay / "index.json").read_text())["manifests"][0]["digest"][7:] == manifest


def test_push_roundtrip(store, registry, busybox_layout, tmp_path):
    """hull's PUT side (what signing builds on): push, then skopeo and a fresh hull read it."""
    store("image", "import", f"oci:{busybox_layout.path}:bbz", "localhost/bbz:1", check=True)
    digest = store.images()[0]["Digest"]
    dest = f"{registry.host}/pushed/bbz:{os.getpid()}"
    store("image", "push", "--tls-verify=false", "bbz:1", dest, check=True)
    ins = json.loads(subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{dest}"],
                                    capture_output=True, text=True, check=True).stdout)
    assert ins["Digest"] == digest  # the manifest went up byte for byte
    store("image", "push", "--tls-verify=false", "bbz:1", dest, check=True)  # blobs present: skipped
    other = Store(os.path.join(tmp_path, "other"))
    try:
        other("image", "pull", "--tls-verify=false", dest, check=True)
        assert other.images()[0]["Digest"] == digest
    finally:
        other.cleanup()
    p = store("image", "push", "--tls-verify=false", "bbz:1", "127.0.0.1:1/x:1")
    assert p.returncode != 0 and "push bbz:1" in p.stderr
