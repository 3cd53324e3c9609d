# SPDX-License-Identifier: LGPL-2.1-or-later
"""A corpus of malicious layers, generated here with python's tarfile: each must fail cleanly
with an error naming the entry, leave nothing outside the store changed and leave no layer,
blob, image or temp entry behind. Harmless-but-unusual layers must unpack with the odd parts
reported or dropped.

With HULL_CORPUS_REPORT=FILE the same corpus also goes through `umoci unpack` and both outcomes
are written to FILE (JSON) for docs/images.md; umoci's outcome is recorded, never asserted."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

import pytest

from test_image_support import Layout, add_file, add_special, store, tar_bytes  # noqa: F401

REPORT = os.environ.get("HULL_CORPUS_REPORT")
_results = {}


def sha_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Sandbox:
    """outside/ next to the store: its listing and contents must never change. /etc/passwd is
    watched too (the classic target)."""

    def __init__(self, tmp):
        self.outside = os.path.join(str(tmp), "outside")
        os.makedirs(self.outside)
        with open(os.path.join(self.outside, "secret"), "w") as f:
            f.write("secret\n")
        self.passwd = sha_file("/etc/passwd")

    def snapshot(self):
        out = {}
        for dirpath, dirnames, filenames in os.walk(self.outside):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                st = os.lstat(p)
                out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_nlink)
        return out

    def intact(self, before):
        return self.snapshot() == before and sha_file("/etc/passwd") == self.passwd


def layer_cases(outside):
    """name -> (builder(tarfile), entry named in the error, reason substring)."""
    def symlink_write(t):
        add_special(t, "esc", tarfile.SYMTYPE, outside)
        add_file(t, "esc/pwned", b"x")

    def symlink_rel_write(t):
        add_special(t, "esc", tarfile.SYMTYPE, "../../../../../../../../.." + outside)
        add_file(t, "esc/pwned", b"x")

    def symlink_chain(t):
        add_special(t, "a", tarfile.SYMTYPE, "b")
        add_special(t, "b", tarfile.SYMTYPE, "c/d")
        add_special(t, "c", tarfile.SYMTYPE, outside)
        add_file(t, "a/pwned", b"x")

    def symlink_dir_then_file(t):
        add_special(t, "etc", tarfile.SYMTYPE, "/etc")
        add_file(t, "etc/passwd", b"root::0:0::/:/bin/sh\n")

    def hardlink_out(t):
        add_special(t, "h", tarfile.LNKTYPE, "../../../../../../../etc/passwd")

    def hardlink_abs(t):
        add_special(t, "h", tarfile.LNKTYPE, outside + "/secret")

    def hardlink_via_symlink(t):
        add_special(t, "s", tarfile.SYMTYPE, outside)
        add_special(t, "h", tarfile.LNKTYPE, "s/secret")

    def root_symlink(t):
        add_special(t, ".", tarfile.SYMTYPE, outside)
        add_file(t, "pwned", b"x")

    def whiteout_symlink(t):
        add_special(t, "s", tarfile.SYMTYPE, outside)
        add_file(t, "s/.wh.secret")

    def opaque_symlink(t):
        add_special(t, "s", tarfile.SYMTYPE, outside)
        add_file(t, "s/.wh..wh..opq")

    return {
        "dotdot": (lambda t: add_file(t, "../../../../../../.." + outside + "/pwned", b"x"),
                   "../", "\"..\" component refused"),
        "dotdot_inner": (lambda t: add_file(t, "usr/../../../../../../.." + outside + "/pwned", b"x"),
                         "usr/../", "\"..\""),
        "absolute": (lambda t: add_file(t, outside + "/pwned", b"x"), outside + "/pwned", "absolute path"),
        "symlink_then_write": (symlink_write, "esc/pwned", "refusing to write through it"),
        "symlink_relative_then_write": (symlink_rel_write, "esc/pwned", "symlink"),
        "symlink_chain": (symlink_chain, "a/pwned", "symlink"),
        "symlink_etc_then_passwd": (symlink_dir_then_file, "etc/passwd", "symlink"),
        "hardlink_dotdot": (hardlink_out, "h", "\"..\""),
        "hardlink_absolute": (hardlink_abs, "h", "absolute path"),
        "hardlink_via_symlink": (hardlink_via_symlink, "h", "symlink"),
        "root_replaced_by_symlink": (root_symlink, "\".\"", "layer root"),
        "whiteout_dotdot": (lambda t: add_file(t, ".wh.."), ".wh..", "invalid name"),
        "whiteout_dot": (lambda t: add_file(t, "etc/.wh.."), "etc/.wh..", "invalid name"),
        "whiteout_reserved": (lambda t: add_file(t, ".wh..wh.plnk.1"), ".wh..wh.plnk.1", "reserved"),
        "whiteout_through_symlink": (whiteout_symlink, "s/.wh.secret", "symlink"),
        "opaque_through_symlink": (opaque_symlink, "s/.wh..wh..opq", "symlink"),
        "char_device": (lambda t: add_special(t, "dev/mem", tarfile.CHRTYPE, major=1, minor=1),
                        "dev/mem", "device node 1:1 refused"),
        "block_device": (lambda t: add_special(t, "dev/sda", tarfile.BLKTYPE, major=8, minor=0),
                         "dev/sda", "device node 8:0 refused"),
        "fake_overlay_whiteout": (lambda t: add_special(t, "etc/shadow", tarfile.CHRTYPE),
                                  "etc/shadow", "overlay whiteout"),
        "file_then_child": (lambda t: (add_file(t, "f", b"x"), add_file(t, "f/child", b"y")),
                            "f/child", "not a directory"),
    }


def build(tmp, name, add, compression="gzip", **kw):
    lay = Layout(os.path.join(str(tmp), "layout-" + name))
    lay.image(name, [tar_bytes(add)], compression=compression, **kw)
    return lay


def store_is_clean(store):
    assert store.images() == []
    assert [f for f in store.files("layers") if "/sha256/" in f] == []
    assert store.files("tmp") == []
    assert store.files("containers") == []


def umoci_outcome(lay, tag, tmp, sandbox, before):
    bundle = os.path.join(str(tmp), "umoci-" + tag)
    p = subprocess.run(["umoci", "unpack", "--image", f"{lay.path}:{tag}", bundle],
                       capture_output=True, text=True, timeout=300)
    if not sandbox.intact(before):
        return "ESCAPED: changed files outside its bundle"
    if p.returncode != 0:
        last = [l for l in p.stderr.strip().splitlines() if l][-1:] or [""]
        return "refused: " + last[0][-140:]
    return "unpacked"


def record(case, hull, umoci):
    _results[case] = {"hull": hull, "umoci": umoci}
    if REPORT:
        with open(REPORT, "w") as f:
            json.dump(_results, f, indent=1, sort_keys=True)


CASES = sorted(layer_cases("/x"))


@pytest.mark.parametrize("case", CASES)
def test_malicious_layer_refused(store, tmp_path, case):
    sb = Sandbox(tmp_path)
    add, entry, why = layer_cases(sb.outside)[case]
    lay = build(tmp_path, case, add)
    before = sb.snapshot()
    p = store("image", "import", f"oci:{lay.path}:{case}")
    assert p.returncode != 0, f"{case} was accepted"
    assert entry in p.stderr, p.stderr
    assert why in p.stderr, p.stderr
    assert sb.intact(before)
    store_is_clean(store)
    if REPORT:
        record(case, "refused: " + p.stderr.strip().split(": entry ")[-1][:140],
               umoci_outcome(lay, case, tmp_path, sb, before))


def zero_layer(size):
    """A tar holding `size` zero bytes, gzip'd as it is written (small blob, huge content)."""
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as t:
            ti = tarfile.TarInfo("zeros")
            ti.size = size

            class Zeros(io.RawIOBase):
                def __init__(self):
                    self.left = size

                def readable(self):
                    return True

                def readinto(self, b):
                    n = min(len(b), self.left)
                    b[:n] = bytes(n)
                    self.left -= n
                    return n

            t.addfile(ti, io.BufferedReader(Zeros(), 1 << 20))
    return raw.getvalue()


def test_decompression_bomb(store, tmp_path):
    sb = Sandbox(tmp_path)
    before = sb.snapshot()
    lay = Layout(os.path.join(str(tmp_path), "bomb"))
    blob = zero_layer(256 << 20)
    assert len(blob) < (1 << 20)
    d = lay.blob(blob)
    # The DiffID is never reached: the limit stops decompression first.
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
                      "diff_ids": ["sha256:" + "0" * 64]}}).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": lay.blob(cfg), "size": len(cfg)},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                  "digest": d, "size": len(blob)}]}).encode()
    md = lay.blob(man)
    lay.index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
                                   "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "bomb"}})
    lay.save()
    p = store("image", "import", "--max-layer-bytes", "64m", f"oci:{lay.path}:bomb")
    assert p.returncode != 0
    assert "decompression bomb" in p.stderr
    store_is_clean(store)
    assert sb.intact(before)
    if REPORT:
        record("decompression_bomb_256MB", "refused: over --max-layer-bytes 64m",
               umoci_outcome(lay, "bomb", tmp_path, sb, before))


def test_entry_and_file_limits(store, tmp_path):
    def many(t):
        for i in range(3000):
            add_file(t, f"f{i}")
    lay = build(tmp_path, "many", many)
    p = store("image", "import", "--max-entries", "1000", f"oci:{lay.path}:many")
    assert p.returncode != 0 and "more than 1000 entries" in p.stderr
    store_is_clean(store)
    lay = build(tmp_path, "big", lambda t: add_file(t, "big", b"x" * (3 << 20)))
    p = store("image", "import", "--max-file-bytes", "1m", f"oci:{lay.path}:big")
    assert p.returncode != 0 and "entry \"big\"" in p.stderr and "exceeds the limit" in p.stderr
    store_is_clean(store)


def test_mismatched_digests_sizes_and_types(store, tmp_path):
    lay = build(tmp_path, "diffid", lambda t: add_file(t, "a", b"a"), diff_ids=["sha256:" + "1" * 64])
    p = store("image", "import", f"oci:{lay.path}:diffid")
    assert p.returncode != 0 and "DiffID mismatch" in p.stderr
    store_is_clean(store)
    lay = build(tmp_path, "size", lambda t: add_file(t, "a", b"a"), sizes=[5])
    p = store("image", "import", f"oci:{lay.path}:size")
    assert p.returncode != 0 and "size" in p.stderr
    store_is_clean(store)
    # CVE-2021-41190: the manifest claims to be an index.
    lay = build(tmp_path, "mt", lambda t: add_file(t, "a", b"a"),
                manifest_media_type="application/vnd.oci.image.index.v1+json")
    p = store("image", "import", f"oci:{lay.path}:mt")
    assert p.returncode != 0 and "mediaType" in p.stderr
    store_is_clean(store)
    # A blob whose bytes do not match its name.
    lay = build(tmp_path, "bytes", lambda t: add_file(t, "a", b"a"), compression=None)
    man = json.load(open(os.path.join(lay.path, "index.json")))["manifests"][0]["digest"]
    m = json.load(open(os.path.join(lay.path, "blobs", "sha256", man[7:])))
    with open(os.path.join(lay.path, "blobs", "sha256", m["layers"][0]["digest"][7:]), "r+b") as f:
        f.seek(600)
        f.write(b"Z")
    p = store("image", "import", f"oci:{lay.path}:bytes")
    assert p.returncode != 0 and "digest mismatch" in p.stderr
    store_is_clean(store)


def test_unusual_but_harmless_layers(store, tmp_path):
    sb = Sandbox(tmp_path)

    def odd(t):
        add_file(t, "bin/su", b"elf", mode=0o4755)
        add_file(t, "bin/newgrp", b"elf", mode=0o2755)
        add_special(t, "etc/link", tarfile.SYMTYPE, sb.outside + "/secret")  # stored, never followed
        add_file(t, "etc/orig", b"o")
        add_special(t, "etc/hard", tarfile.LNKTYPE, "etc/orig")
        add_file(t, "x/ovl", b"o", pax={"SCHILY.xattr.trusted.overlay.redirect": "/etc",
                                        "SCHILY.xattr.user.note": "kept"})
        add_file(t, "./weird name\twith\ttabs", b"t")
        add_special(t, "run/fifo", tarfile.FIFOTYPE)
    before = sb.snapshot()
    lay = build(tmp_path, "odd", odd, compression="zstd")
    store("image", "import", f"oci:{lay.path}:odd", "localhost/odd:1", check=True)
    ins = json.loads(store("image", "inspect", "localhost/odd:1", check=True).stdout)[0]
    rep = ins["Layers"][0]["Unpack"]
    assert rep["setidFiles"] == 2
    assert sorted(rep["setidExamples"]) == ["bin/newgrp", "bin/su"]
    assert rep["xattrsDropped"] >= 1
    layer = os.path.join(store.storage, "layers", "sha256", ins["Layers"][0]["DiffID"][7:])
    assert os.readlink(os.path.join(layer, "etc/link")) == sb.outside + "/secret"
    assert os.stat(os.path.join(layer, "etc/hard")).st_ino == os.stat(os.path.join(layer, "etc/orig")).st_ino
    assert os.getxattr(os.path.join(layer, "x/ovl"), "user.note") == b"kept"
    with pytest.raises(OSError):
        os.getxattr(os.path.join(layer, "x/ovl"), "trusted.overlay.redirect")
    assert sb.intact(before)
    # --devices skip leaves device nodes out instead of failing the layer.
    lay = build(tmp_path, "dev", lambda t: (add_special(t, "dev/null", tarfile.CHRTYPE, major=1, minor=3),
                                            add_file(t, "ok", b"1")))
    store("image", "import", "--devices", "skip", f"oci:{lay.path}:dev", "localhost/dev:1", check=True)
    ins = json.loads(store("image", "inspect", "localhost/dev:1", check=True).stdout)[0]
    assert ins["Layers"][0]["Unpack"]["devicesSkipped"] == 1
