# SPDX-License-Identifier: LGPL-2.1-or-later
"""`hull audit`: bundles and configs, hull containers, other runtimes' containers (runc, crun),
the host, and images (OCI layouts), in table, JSON and SARIF."""
import json
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest

from conftest import HULL, ROOT
from peers import Containerd, have

GOLDEN = os.path.join(ROOT, "tests", "golden", "audit")
AUDIT_FAILED = 3  # exit status when a check failed


def audit(hull, *args, fmt="json", check_rc=None):
    p = hull.cmd("audit", "--format", fmt, *args)
    if check_rc is not None:
        assert p.returncode == check_rc, p.stderr
    return json.loads(p.stdout) if fmt in ("json", "sarif") and p.stdout else p


def statuses(report):
    return {f["id"]: f["status"] for f in report["findings"]}


def golden_statuses(name):
    out = {}
    with open(os.path.join(GOLDEN, name + ".txt")) as f:
        for line in f:
            status, cid = line.split()[:2]
            out[cid] = status
    return out


def spec_of(tool, tmp_path, *args):
    d = tmp_path / (tool + "-" + uuid.uuid4().hex[:6])
    d.mkdir()
    subprocess.run([tool, "spec", *args], cwd=d, check=True, capture_output=True)
    return str(d)


@pytest.mark.parametrize("tool,golden", [("crun", "crun-1.8.1-spec"), ("runc", "runc-1.1.5-spec")])
def test_live_peer_spec_matches_golden(hull, tmp_path, tool, golden):
    """`crun spec` and `runc spec` as installed audit exactly as their golden files say."""
    if not have(tool):
        pytest.skip(f"{tool} is not installed")
    r = audit(hull, spec_of(tool, tmp_path), check_rc=AUDIT_FAILED)
    assert statuses(r) == golden_statuses(golden)


@pytest.mark.parametrize("profile,golden", [("hardened", "hull-spec-hardened"),
                                            ("runc", "hull-spec-runc")])
def test_live_hull_spec_matches_golden(hull, tmp_path, profile, golden):
    d = tmp_path / profile
    d.mkdir()
    hull.cmd("spec", "--profile", profile, "--bundle", str(d), check=True)
    r = audit(hull, str(d))
    assert statuses(r) == golden_statuses(golden)


def test_hardened_spec_against_pss_restricted(hull, tmp_path):
    """`hull spec` passes PSS restricted, baseline and every applicable CIS item."""
    hull.cmd("spec", "--bundle", str(tmp_path), check=True)
    for std in ("pss-restricted", "pss-baseline", "cis"):
        r = audit(hull, "--standard", std, str(tmp_path), check_rc=0)
        assert r["summary"]["fail"] == 0, (std, [f["id"] for f in r["findings"] if f["status"] == "fail"])


def test_podman_config(hull):
    r = audit(hull, os.path.join(GOLDEN, "inputs", "podman-4.3-run.json"), check_rc=AUDIT_FAILED)
    assert statuses(r) == golden_statuses("podman-4.3-run")
    f = {x["id"]: x for x in r["findings"]}["container.no-new-privileges"]
    assert f["evidence"] == {"path": ".process.noNewPrivileges", "value": False}
    assert f["cis"] == "5.26" and f["pss"] == {"control": "allowPrivilegeEscalation",
                                                "level": "restricted"}
    assert "remediation" in f


def test_table_and_sarif(hull, tmp_path):
    d = spec_of("runc", tmp_path) if have("runc") else None
    if not d:
        pytest.skip("runc is not installed")
    p = audit(hull, d, fmt="table", check_rc=AUDIT_FAILED)
    assert "FAIL   high     container.seccomp" in p.stdout
    assert "evidence: .linux.seccomp = null" in p.stdout
    assert "N/A    info     container.swarm-mode" in p.stdout
    s = audit(hull, d, fmt="sarif", check_rc=AUDIT_FAILED)
    assert s["version"] == "2.1.0"
    run = s["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    kinds = {r["ruleId"]: r["kind"] for r in run["results"]}
    assert kinds["container.seccomp"] == "fail"
    assert kinds["container.swarm-mode"] == "notApplicable"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    seccomp = [r for r in run["results"] if r["ruleId"] == "container.seccomp"][0]
    assert seccomp["level"] == "error"
    assert seccomp["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == ".linux.seccomp"


def test_standard_selection(hull, tmp_path):
    hull.cmd("spec", "--profile", "runc", "--bundle", str(tmp_path), check=True)
    cis = audit(hull, "--standard", "cis", str(tmp_path))
    assert len(cis["findings"]) == 32
    assert all(f.get("cis", "").startswith("5.") for f in cis["findings"])
    base = audit(hull, "--standard", "pss-baseline", str(tmp_path))
    assert all(f["pss"]["level"] == "baseline" for f in base["findings"])
    assert hull.cmd("audit", "--standard", "nist", str(tmp_path)).returncode == 1


def test_hull_container_by_id(hull, rootfs):
    b = hull.bundle(rootfs, args=("sleep", "100"))
    cid = "audit-" + uuid.uuid4().hex[:8]
    hull.cmd("create", "--bundle", b, cid, check=True)
    try:
        r = audit(hull, cid)
        assert r["target"].endswith(f"/{cid}/config.json")
        assert statuses(r)["container.seccomp"] == "fail"  # the runc profile has none
    finally:
        hull.cmd("delete", "--force", cid)


@pytest.mark.parametrize("runtime", ["runc", "crun"])
def test_other_runtime_container(hull, rootfs, tmp_path, runtime):
    """runc keeps the bundle in state.json, crun a config copy: both are found and audited."""
    if not have(runtime):
        pytest.skip(f"{runtime} is not installed")
    root = str(tmp_path / (runtime + "-state"))
    b = hull.bundle(rootfs, args=("sleep", "100"),
                    edit=lambda s: s["linux"].__setitem__("cgroupsPath", ""))
    cid = "audit-" + uuid.uuid4().hex[:8]
    # The container's init inherits stdio: give it files, not pipes it would hold open.
    with tempfile.TemporaryFile("w+") as err:
        extra = ["--cgroup-manager=disabled"] if runtime == "crun" else []
        p = subprocess.run([runtime, "--root", root, *extra, "create", "--bundle", b, cid],
                           stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                           timeout=60)
        err.seek(0)
        if p.returncode != 0:
            pytest.skip(f"{runtime} cannot create containers here: {err.read().strip()}")
    try:
        r = audit(hull, "--runtime-root", root, cid)
        assert r["target"].endswith("config.json")
        assert statuses(r)["container.host-network"] == "pass"
        assert statuses(r)["container.seccomp"] == "fail"
    finally:
        subprocess.run([runtime, "--root", root, "delete", "--force", cid], capture_output=True)
    p = hull.cmd("audit", "--runtime-root", root, "no-such-container")
    assert p.returncode == 1 and "no-such-container" in p.stderr


def test_runtime_state_is_untrusted(hull, tmp_path):
    """A state.json pointing at a relative bundle, or a symlinked config, is refused."""
    root = tmp_path / "fake-runc"
    (root / "c1").mkdir(parents=True)
    (root / "c1" / "state.json").write_text(json.dumps({"config": {"labels": ["bundle=rel/dir"]}}))
    p = hull.cmd("audit", "--runtime-root", str(root), "c1")
    assert p.returncode == 1 and "no absolute bundle path" in p.stderr
    (root / "c2").mkdir()
    os.symlink("/etc/hostname", root / "c2" / "config.json")
    p = hull.cmd("audit", "--runtime-root", str(root), "c2")
    assert p.returncode == 1
    p = hull.cmd("audit", "--runtime-root", str(root), "../c1")
    assert p.returncode == 1 and "invalid container id" in p.stderr


def test_bad_targets(hull, tmp_path):
    p = hull.cmd("audit", str(tmp_path / "missing"))
    assert p.returncode == 1 and "missing" in p.stderr
    (tmp_path / "config.json").write_text('{"ociVersion":"1.0.2","root":{"path":"r"},'
                                          '"process":{"args":["sh",3]}}')
    p = hull.cmd("audit", str(tmp_path))
    assert p.returncode == 1 and ".process.args[1]" in p.stderr
    p = hull.cmd("audit", "nothing-here")
    assert p.returncode == 1 and "is not a bundle" in p.stderr


def test_host(hull, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    os.chmod(state, 0o777)
    pol = tmp_path / "admission.json"
    pol.write_text('{"mode":"enforce","standard":"pss-baseline"}')
    p = hull.cmd("audit", "--format", "json", "host", glob_args=("--admission", str(pol)))
    r = json.loads(p.stdout)
    st = statuses(r)
    assert set(st) == {"host.user-namespaces", "host.seccomp", "host.cgroups", "host.landlock",
                       "host.lsm", "host.state-dir", "host.storage-dir", "host.admission-policy"}
    assert st["host.seccomp"] == "pass"
    assert st["host.admission-policy"] == "pass"
    # the fixture's state root is hull.root; audit a world-writable one instead
    p = subprocess.run([HULL, "--root", str(state), "audit", "--format", "json", "host"],
                       capture_output=True, text=True)
    st = statuses(json.loads(p.stdout))
    assert st["host.state-dir"] == "fail"
    assert p.returncode == AUDIT_FAILED


def test_list(hull):
    p = hull.cmd("audit", "--list", "--format", "json", check=True)
    ids = [c["id"] for c in json.loads(p.stdout)]
    assert "container.privileged" in ids and "policy.bind-mounts" in ids
    assert len(ids) == len(set(ids))


# --- images ---------------------------------------------------------------------------------

def test_image_oci_layout(hull, rootfs, tmp_path):
    layout = str(tmp_path / "layout")
    Containerd.oci_layout(layout, rootfs, name="localhost/bad:1",
                          config={"Env": ["PATH=/bin", "API_TOKEN=s3cr3t"]},
                          history=[{"created_by": "ADD file:abc in /"},
                                   {"created_by": "RUN apt-get update"},
                                   {"created_by": "ADD app.tar /app"}],
                          extra=[("bin/suid-helper", b"#!/bin/sh\n", 0o4755)])
    p = hull.cmd("audit", "--format", "json", "oci:" + layout + ":1")
    assert p.returncode == AUDIT_FAILED, p.stderr
    r = json.loads(p.stdout)
    f = {x["id"]: x for x in r["findings"]}
    assert f["image.user"]["status"] == "fail"
    assert f["image.healthcheck"]["status"] == "fail"
    assert f["image.update-alone"]["evidence"]["path"] == ".history[1].created_by"
    assert f["image.copy-not-add"]["evidence"]["path"] == ".history[2].created_by"
    assert f["image.secrets-in-env"]["status"] == "fail"
    assert "s3cr3t" not in p.stdout  # secrets are never printed
    assert f["image.setuid-files"]["status"] == "fail"
    assert "bin/suid-helper" in f["image.setuid-files"]["evidence"]["value"]
    assert f["image.setuid-files"]["cis"] == "4.8"


def test_image_clean(hull, rootfs, tmp_path):
    layout = str(tmp_path / "layout")
    Containerd.oci_layout(layout, rootfs, config={"User": "65534",
                                                  "Healthcheck": {"Test": ["CMD", "true"]}})
    p = hull.cmd("audit", "--format", "json", "oci:" + layout)
    r = json.loads(p.stdout)
    # busybox-static itself is not setuid in the test rootfs
    assert r["summary"]["fail"] == 0, p.stdout
    assert p.returncode == 0


def test_image_tampered_blob(hull, rootfs, tmp_path):
    """Blobs are verified against their digests while read."""
    layout = tmp_path / "layout"
    man = Containerd.oci_layout(str(layout), rootfs)
    manifest = json.loads((layout / "blobs" / "sha256" / man[7:]).read_text())
    layer = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]
    data = bytearray(layer.read_bytes())
    data[len(data) // 2] ^= 1  # inside file contents: the tar still parses
    layer.write_bytes(bytes(data))
    p = hull.cmd("audit", "oci:" + str(layout))
    assert p.returncode == 1
    assert "digest mismatch" in p.stderr


def test_image_corrupt_layer_reports_the_digest(hull, rootfs, tmp_path):
    """A layer that no longer parses is reported by what matters: its digest is wrong."""
    layout = tmp_path / "layout"
    man = Containerd.oci_layout(str(layout), rootfs)
    manifest = json.loads((layout / "blobs" / "sha256" / man[7:]).read_text())
    layer = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"][7:]
    data = bytearray(layer.read_bytes())
    data[100] ^= 1  # the first tar header's mode field: the checksum breaks
    layer.write_bytes(bytes(data))
    p = hull.cmd("audit", "oci:" + str(layout))
    assert p.returncode == 1
    assert "digest mismatch" in p.stderr


def test_image_not_a_layout(hull, tmp_path):
    p = hull.cmd("audit", "oci:" + str(tmp_path))
    assert p.returncode == 1 and "not an OCI image layout" in p.stderr


def test_image_in_store(hull, rootfs, tmp_path):
    """Images in hull's store (imported with `hull image import`) are audited by name."""
    layout = str(tmp_path / "layout")
    Containerd.oci_layout(layout, rootfs, config={"Env": ["DB_PASSWORD=hunter2"]},
                          extra=[("bin/suid-helper", b"#!/bin/sh\n", 0o4755)])
    store = str(tmp_path / "store")
    g = ("--storage-root", store)
    p = hull.cmd("image", "import", "oci:" + layout, "localhost/audit-me:1", glob_args=g)
    if p.returncode != 0 and "unknown command" in p.stderr:
        pytest.skip("this hull has no `image import`")
    assert p.returncode == 0, p.stderr
    p = hull.cmd("audit", "--format", "json", "localhost/audit-me:1", glob_args=g)
    assert p.returncode == AUDIT_FAILED, p.stderr
    r = json.loads(p.stdout)
    assert r["kind"] == "image" and r["target"].startswith("localhost/audit-me:1 (sha256:")
    st = statuses(r)
    assert st["image.setuid-files"] == "fail" and st["image.secrets-in-env"] == "fail"
    assert "hunter2" not in p.stdout
    p = hull.cmd("audit", "localhost/absent:1", glob_args=g)
    assert p.returncode == 1 and "absent" in p.stderr
    # auditing never creates a store
    p = hull.cmd("audit", "localhost/x:1", glob_args=("--storage-root", str(tmp_path / "none")))
    assert p.returncode == 1 and "no image store" in p.stderr
    assert not os.path.exists(tmp_path / "none")
