# SPDX-License-Identifier: LGPL-2.1-or-later
"""Admission at the runtime: `hull create`/`run` refuse (enforce) or warn about containers that
fail the policy, whoever calls hull (the CLI, podman with conmon, containerd's runc shim), and
every decision is one JSON line in the audit log."""
import json
import os
import tempfile
import uuid

import pytest

from conftest import HULL
from peers import Containerd, Podman, have


def write_policy(path, **kw):
    pol = {"mode": "enforce", "syslog": False, "auditLog": str(path) + ".log"}
    pol.update(kw)
    with open(path, "w") as f:
        json.dump(pol, f)
    return str(path)


def records(policy):
    log = policy + ".log"
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [json.loads(line) for line in f]


def privileged(spec):
    """What `--privileged` amounts to in a config: every capability, no seccomp, no masks."""
    caps = spec["process"]["capabilities"]
    allcaps = ["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE"]
    for k in ("bounding", "effective", "permitted"):
        caps[k] = sorted(set(caps.get(k, []) + allcaps))
    spec["linux"].pop("seccomp", None)
    spec["linux"]["maskedPaths"] = []
    spec["linux"]["readonlyPaths"] = []


@pytest.fixture
def policy(tmp_path):
    return tmp_path / "admission.json"


def test_enforce_refuses_with_every_check(hull, rootfs, policy, tmp_path):
    pol = write_policy(policy, standard="pss-baseline", requireSeccomp=True)
    b = hull.bundle(rootfs, args=("true",), edit=privileged)
    cid = "adm-" + uuid.uuid4().hex[:8]
    log = tmp_path / "runtime.log"
    p = hull.cmd("run", "--bundle", b, cid,
                 glob_args=("--admission", pol, "--log", str(log), "--log-format", "json"))
    assert p.returncode == 1
    msg = p.stderr
    assert f'admission refused container "{cid}"' in msg
    for check in ("container.privileged", "container.capabilities", "container.seccomp",
                  "container.proc-mount", "policy.seccomp"):
        assert check in msg
    assert msg.count("fix: ") == 5
    assert "Do not use --privileged" in msg
    # runc's JSON log format, as podman and containerd's shim read it
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    err = [r for r in lines if r["level"] == "error"]
    assert len(err) == 1 and "container.privileged" in err[0]["msg"] and "time" in err[0]
    # nothing was created
    assert cid not in hull.list_ids()
    assert not os.path.exists(os.path.join(hull.root, cid))
    rec = records(pol)
    assert len(rec) == 1
    r = rec[0]
    assert r["decision"] == "deny" and r["id"] == cid and r["bundle"] == b
    assert r["uid"] == os.getuid() and r["failed"] == 5
    failed = {c["id"] for c in r["checks"] if c["status"] == "fail"}
    assert "container.privileged" in failed
    priv = [c for c in r["checks"] if c["id"] == "container.privileged"][0]
    assert priv["path"] and priv["detail"]


def test_warn_runs_with_a_warning(hull, rootfs, policy):
    pol = write_policy(policy, mode="warn", standard="pss-baseline")
    b = hull.bundle(rootfs, args=("echo", "ran"), edit=privileged)
    cid = "adm-" + uuid.uuid4().hex[:8]
    p = hull.cmd("run", "--bundle", b, cid, glob_args=("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert p.stdout == "ran\n"
    assert f'warning: admission warning for container "{cid}"' in p.stderr
    assert "container.privileged" in p.stderr
    assert [r["decision"] for r in records(pol)] == ["warn"]


def test_compliant_container_starts_under_enforce(hull, rootfs, policy):
    """`hull spec` (hardened) under a strict policy: PSS baseline, CIS items of high severity,
    required seccomp and user namespace, no capability beyond its own."""
    pol = write_policy(policy, standard="pss-baseline", requireSeccomp=True,
                       requireUserNamespace=True, requireChecks=["container.readonly-rootfs",
                                                                  "container.no-new-privileges"],
                       maxCapabilities=["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                                        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP",
                                        "SETUID", "SYS_CHROOT"])
    b = hull.bundle(rootfs, args=("echo", "ok"), profile="hardened")
    cid = "adm-" + uuid.uuid4().hex[:8]
    p = hull.cmd("run", "--bundle", b, cid, glob_args=("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert p.stdout == "ok\n"
    assert "admission" not in p.stderr
    rec = records(pol)
    assert [r["decision"] for r in rec] == ["allow"]
    assert all(c["status"] != "fail" for c in rec[0]["checks"])


def test_create_is_covered_and_other_commands_are_not(hull, rootfs, policy):
    """create is refused like run; state/list/delete never load the policy, so even a broken
    policy cannot keep an operator from cleaning up."""
    pol = write_policy(policy, standard="pss-baseline")
    b = hull.bundle(rootfs, args=("sleep", "100"))
    cid = "adm-" + uuid.uuid4().hex[:8]
    hull.cmd("create", "--bundle", b, cid, check=True)  # created before the policy exists
    bad = hull.bundle(rootfs, edit=privileged)
    p = hull.cmd("create", "--bundle", bad, "adm-x", glob_args=("--admission", pol))
    assert p.returncode == 1 and "admission refused" in p.stderr
    policy.write_text("{ not json")
    for args in (("state", cid), ("list",), ("delete", "--force", cid)):
        p = hull.cmd(*args, glob_args=("--admission", pol))
        assert p.returncode == 0, (args, p.stderr)


def test_broken_policy_refuses(hull, rootfs, policy):
    """A policy that exists but does not parse fails closed, naming the file and the member."""
    b = hull.bundle(rootfs)
    policy.write_text('{"mode": "enforce", "maxCapabilites": []}')
    p = hull.cmd("run", "--bundle", b, "adm-bad", glob_args=("--admission", str(policy)))
    assert p.returncode == 1
    assert str(policy) in p.stderr and "maxCapabilites" in p.stderr
    assert "refusing every container" in p.stderr
    p = hull.cmd("run", "--bundle", b, "adm-missing",
                 glob_args=("--admission", str(policy) + ".missing"))
    assert p.returncode == 1 and ".missing" in p.stderr


def test_off_mode_and_no_rules(hull, rootfs, policy):
    b = hull.bundle(rootfs, args=("true",), edit=privileged)
    pol = write_policy(policy, mode="off", standard="pss-restricted")
    p = hull.cmd("run", "--bundle", b, "adm-off", glob_args=("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert records(pol) == []  # off is not a decision
    pol = write_policy(policy, mode="enforce")  # no rules: every container is admitted
    p = hull.cmd("run", "--bundle", b, "adm-norules", glob_args=("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert [r["decision"] for r in records(pol)] == ["allow"]


def test_allowed_host_paths(hull, rootfs, policy, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "f").write_text("x")
    pol = write_policy(policy, allowedHostPaths=[str(data)])

    def bind(src):
        def edit(spec):
            spec["mounts"].append({"destination": "/mnt", "type": "bind", "source": src,
                                   "options": ["rbind", "ro"]})
        return edit

    ok = hull.bundle(rootfs, args=("cat", "/mnt/f"), edit=bind(str(data)))
    p = hull.cmd("run", "--bundle", ok, "adm-bind-ok", glob_args=("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert p.stdout == "x"
    bad = hull.bundle(rootfs, args=("true",), edit=bind(str(tmp_path)))
    p = hull.cmd("run", "--bundle", bad, "adm-bind-bad", glob_args=("--admission", pol))
    assert p.returncode == 1 and "policy.bind-mounts" in p.stderr


# --- podman (conmon) ------------------------------------------------------------------------

needs_podman = pytest.mark.skipif(not have("podman"), reason="podman is not installed")


@pytest.fixture(scope="module")
def podman(session_dir, rootfs):
    p = Podman(os.path.join(session_dir, "podman-admission"), HULL, rootfs)
    yield p
    p.cleanup()


def podman_run(podman, pol, *args):
    # podman passes --runtime-flag values to the runtime as global options
    return podman("--runtime-flag", "admission=" + pol, "run", "--rm", *args, runtime="hull")


# What --privileged means for the checks, without the host devices that podman --privileged adds
# (see test_podman_privileged for those).
PRIV_FLAGS = ("--cap-add=all", "--security-opt", "seccomp=unconfined", "--security-opt",
              "unmask=ALL")


@needs_podman
def test_podman_privileged_refused_under_enforce(podman, tmp_path):
    pol = write_policy(tmp_path / "p.json", standard="pss-baseline")
    p = podman_run(podman, pol, *PRIV_FLAGS, podman.image, "echo", "hi")
    assert p.returncode != 0
    assert "admission refused container" in p.stderr
    for check in ("container.privileged", "container.seccomp", "container.proc-mount"):
        assert check in p.stderr
    assert "fix: " in p.stderr
    rec = records(pol)
    assert [r["decision"] for r in rec] == ["deny"]
    assert rec[0]["caller"] == "conmon"


@needs_podman
def test_podman_privileged_allowed_with_warning_under_warn(podman, tmp_path):
    pol = write_policy(tmp_path / "p.json", mode="warn", standard="pss-baseline")
    p = podman_run(podman, pol, *PRIV_FLAGS, podman.image, "echo", "hi")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hi\n"
    rec = records(pol)
    assert [r["decision"] for r in rec] == ["warn"]
    assert "container.privileged" in {c["id"] for c in rec[0]["checks"] if c["status"] == "fail"}


@needs_podman
def test_podman_compliant_starts_under_enforce(podman, tmp_path):
    pol = write_policy(tmp_path / "p.json", standard="pss-baseline", requireSeccomp=True)
    # podman's built-in default capabilities include NET_RAW, which PSS baseline does not allow
    p = podman_run(podman, pol, "--cap-drop=NET_RAW", podman.image, "echo", "hi")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hi\n"
    assert [r["decision"] for r in records(pol)] == ["allow"]


@needs_podman
def test_podman_privileged(podman, tmp_path):
    pol = write_policy(tmp_path / "p.json", standard="pss-baseline")
    p = podman_run(podman, pol, "--privileged", podman.image, "echo", "hi")
    assert "admission refused container" in p.stderr
    assert "container.privileged" in p.stderr


# --- containerd (ctr, runc shim) ------------------------------------------------------------

needs_ctr = pytest.mark.skipif(not (have("containerd") and have("ctr")),
                               reason="containerd is not installed")


@pytest.fixture(scope="module")
def ctrd(rootfs):
    base = tempfile.mkdtemp(prefix="hctrd-")  # short: the socket path is limited
    c = Containerd(base, rootfs)
    yield c
    c.cleanup()


def wrapper(tmp_path, pol):
    """ctr's --runc-binary takes a path, not flags: a two-line wrapper adds --admission."""
    w = tmp_path / "hull-admission"
    w.write_text(f'#!/bin/sh\nexec "{HULL}" --admission "{pol}" "$@"\n')
    w.chmod(0o755)
    return str(w)


@needs_ctr
def test_ctr_privileged_refused_under_enforce(ctrd, tmp_path):
    pol = write_policy(tmp_path / "p.json", standard="pss-baseline")
    cid = "adm-" + uuid.uuid4().hex[:8]
    p = ctrd.run(cid, "echo", "hi", runtime=wrapper(tmp_path, pol), flags=["--privileged"])
    assert p.returncode != 0
    # containerd's shim reads hull's JSON log and hands the message to ctr
    assert f'admission refused container \\"{cid}\\"' in p.stderr or \
        f'admission refused container "{cid}"' in p.stderr
    assert "container.privileged" in p.stderr and "fix: " in p.stderr
    rec = records(pol)
    assert [r["decision"] for r in rec] == ["deny"]
    assert rec[0]["caller"].startswith("containerd-shim")
    ctrd.remove(cid)


@needs_ctr
def test_ctr_privileged_allowed_with_warning_under_warn(ctrd, tmp_path):
    pol = write_policy(tmp_path / "p.json", mode="warn", standard="pss-baseline")
    cid = "adm-" + uuid.uuid4().hex[:8]
    p = ctrd.run(cid, "echo", "hi", runtime=wrapper(tmp_path, pol), flags=["--privileged"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "hi"
    assert [r["decision"] for r in records(pol)] == ["warn"]


@needs_ctr
def test_ctr_compliant_starts_under_enforce(ctrd, tmp_path):
    pol = write_policy(tmp_path / "p.json", standard="pss-baseline", requireSeccomp=True)
    cid = "adm-" + uuid.uuid4().hex[:8]
    p = ctrd.run(cid, "echo", "hi", runtime=wrapper(tmp_path, pol),
                 flags=["--seccomp", "--cap-drop", "CAP_NET_RAW"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "hi"
    assert [r["decision"] for r in records(pol)] == ["allow"]


# --- hull launch (toolkit) ------------------------------------------------------------------

def test_launch_is_covered(hull, rootfs, policy, tmp_path):
    """`hull launch` goes through the same hook: host networking is refused under PSS baseline,
    the default launch (hardened) is admitted."""
    layout = str(tmp_path / "layout")
    Containerd.oci_layout(layout, rootfs)
    g = ("--storage-root", str(tmp_path / "store"))
    p = hull.cmd("image", "import", "oci:" + layout, "localhost/adm:1", glob_args=g)
    if p.returncode != 0 and "unknown command" in p.stderr:
        pytest.skip("this hull has no `image import`")
    assert p.returncode == 0, p.stderr
    pol = write_policy(policy, standard="pss-baseline", requireSeccomp=True)
    p = hull.cmd("launch", "--rm", "--pull", "never", "--network", "host", "localhost/adm:1",
                 "true", glob_args=g + ("--admission", pol))
    assert p.returncode != 0
    assert "admission refused container" in p.stderr and "container.host-network" in p.stderr
    p = hull.cmd("launch", "--rm", "--pull", "never", "localhost/adm:1", "echo", "ok",
                 glob_args=g + ("--admission", pol))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
    assert [r["decision"] for r in records(pol)] == ["deny", "allow"]


def test_launch_records_the_image_digest_for_allowed_digests(hull, rootfs, policy, tmp_path):
    """hull launch records the manifest digest (io.hull.image.digest): images.allowedDigests
    admits the listed image and refuses any other."""
    layout = str(tmp_path / "layout")
    Containerd.oci_layout(layout, rootfs)
    g = ("--storage-root", str(tmp_path / "store"))
    hull.cmd("image", "import", "oci:" + layout, "localhost/adm:1", glob_args=g, check=True)
    info = json.loads(hull.cmd("image", "inspect", "localhost/adm:1", glob_args=g, check=True).stdout)
    info = info[0] if isinstance(info, list) else info
    digest = info.get("Digest") or info.get("digest") or info.get("manifest")
    assert digest and digest.startswith("sha256:"), info
    other = write_policy(tmp_path / "other.json", images={"allowedDigests": ["sha256:" + "0" * 64]})
    p = hull.cmd("launch", "--rm", "--pull", "never", "localhost/adm:1", "true",
                 glob_args=g + ("--admission", other))
    assert p.returncode != 0 and "policy.image-digest" in p.stderr and digest in p.stderr
    ok = write_policy(policy, images={"allowedDigests": [digest]})
    p = hull.cmd("launch", "--rm", "--pull", "never", "localhost/adm:1", "echo", "ok",
                 glob_args=g + ("--admission", ok))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "ok"
