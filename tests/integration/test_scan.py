# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull scan / sbom / vercmp / db end to end.

Root filesystems are built here (dpkg, apk, rpm through Debian's rpm tools, language packages,
OCI layouts with whiteouts), the vulnerability DB is imported from the upstream advisory files in
tests/data (copied from shared/data: Debian DSA/DLA lists and tracker excerpt, Alpine secdb, an AlmaLinux OSV record)
plus a few OSV records written here for the language ecosystems. Every expected finding below was
checked by hand against those files; the tests assert the exact sets, so an extra finding (a false
positive) fails as surely as a missing one.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
import zipfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HULL = os.environ.get("HULL", os.path.join(ROOT, "build", "hull"))
DATA = os.path.join(ROOT, "tests", "data")
CACHE = os.environ.get("HULL_TEST_CACHE", "/var/cache/hull-test")


def run(*args, check=True, env=None):
    p = subprocess.run([HULL, *[str(a) for a in args]], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"hull {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def scan_json(target, db, *extra):
    p = run("scan", "--format", "json", "--db", db, *extra, target)
    return json.loads(p.stdout)


def vulns(doc):
    """{(binary package, advisory id)} of a JSON report."""
    return {(v["package"]["name"], v["id"]) for v in doc["vulnerabilities"]}


def write(root, rel, text, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def dpkg_stanza(name, version, source=None, status="install ok installed", arch="amd64"):
    s = f"Package: {name}\nStatus: {status}\nArchitecture: {arch}\n"
    if source:
        s += f"Source: {source}\n"
    return s + f"Version: {version}\nDescription: fixture\n\n"


# ---- the vulnerability DB ----

LANG_OSV = [
    {"id": "HULL-TEST-PYPI-1", "modified": "2024-01-01T00:00:00Z", "schema_version": "1.6.0",
     "summary": "requests leaks Proxy-Authorization", "aliases": ["CVE-2023-32681"],
     "database_specific": {"severity": "MODERATE"},
     "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.3.0"}, {"fixed": "2.31.0"}]}]}]},
    {"id": "HULL-TEST-NPM-1", "modified": "2024-01-01T00:00:00Z", "summary": "minimist prototype pollution",
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
     "affected": [{"package": {"ecosystem": "npm", "name": "minimist"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.6"}]}]}]},
    {"id": "HULL-TEST-GO-1", "modified": "2024-01-01T00:00:00Z", "summary": "x/net HTTP/2 rapid reset",
     "affected": [{"package": {"ecosystem": "Go", "name": "golang.org/x/net"},
                   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.17.0"}]}]}]},
    {"id": "HULL-TEST-MVN-1", "modified": "2024-01-01T00:00:00Z", "summary": "log4j JNDI",
     "database_specific": {"severity": "CRITICAL"},
     "affected": [{"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0-beta9"}, {"fixed": "2.15.0"}]}]}]},
    # A withdrawn record: never a finding.
    {"id": "HULL-TEST-PYPI-2", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-01-02T00:00:00Z",
     "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]},
]

# Debian 12 records for the real bookworm rootfs (synthetic: the real lists end in April 2023).
BOOKWORM_OSV = [
    {"id": "HULL-TEST-DEB12-1", "modified": "2024-01-01T00:00:00Z", "summary": "glibc above anything installed",
     "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99:1.0-1"}]}]}]},
    {"id": "HULL-TEST-DEB12-2", "modified": "2024-01-01T00:00:00Z", "summary": "glibc already fixed",
     "affected": [{"package": {"ecosystem": "Debian:12", "name": "glibc"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0-1"}]}]}]},
    {"id": "HULL-TEST-DEB11-1", "modified": "2024-01-01T00:00:00Z", "summary": "another release",
     "affected": [{"package": {"ecosystem": "Debian:11", "name": "glibc"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99:1.0-1"}]}]}]},
    {"id": "HULL-TEST-DEB12-3", "modified": "2024-01-01T00:00:00Z", "summary": "binary name, not source",
     "affected": [{"package": {"ecosystem": "Debian:12", "name": "libc6"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99:1.0-1"}]}]}]},
]


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="hull-scan-it-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def db(workdir):
    if not os.path.isdir(DATA):
        pytest.fail(f"advisory data not found at {DATA} ")
    osv = os.path.join(workdir, "osv")
    os.makedirs(osv)
    for rec in LANG_OSV + BOOKWORM_OSV:
        with open(os.path.join(osv, rec["id"] + ".json"), "w") as f:
            json.dump(rec, f)
    path = os.path.join(workdir, "vuln.db")
    p = run("db", "import", "--db", path,
            os.path.join(DATA, "debian-DSA-list.txt"), os.path.join(DATA, "debian-DLA-list.txt"),
            os.path.join(DATA, "debian-tracker-fixture.json"),
            os.path.join(DATA, "alpine-secdb-v3.11-main.yaml"),
            os.path.join(DATA, "almalinux9-ALSA-2023-0946.osv.json"), osv)
    assert "imported" in p.stdout
    return path


def test_db_info(db):
    info = json.loads(run("db", "info", "--db", db, "--format", "json").stdout)
    names = {s["name"] for s in info["sources"]}
    assert {"debian-dsa", "debian-dla", "debian-tracker", "alpine-secdb:v3.11/main"} <= names
    assert info["ecosystems"]["AlmaLinux:9"] == 4  # four binary rpms in ALSA-2023:0946
    assert info["advisories"] > 8000
    assert all(s["imported"].endswith("Z") for s in info["sources"])
    by = {s["name"]: s for s in info["sources"]}
    # the data's own date: the newest advisory in each list (README: DSA-5380-1, DLA-3380-1)
    assert by["debian-dsa"]["data_date"] == "2023-03-29"
    # 5,406 DSAs; 30 carry no release line with a version or <unfixed> (only NOTEs,
    # <not-affected>/<end-of-life>, or DSA-423's package name where the version goes)
    assert by["debian-dsa"]["records"] == 5376
    assert by["debian-dla"]["data_date"] == "2023-04-01"


def test_db_import_is_atomic(workdir, db):
    path = os.path.join(workdir, "atomic.db")
    run("db", "import", "--db", path, os.path.join(DATA, "almalinux9-ALSA-2023-0946.osv.json"))
    bad = write(workdir, "bad/broken.json", '{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [')
    p = run("db", "import", "--db", path, os.path.join(DATA, "alpine-secdb-v3.11-main.yaml"), bad, check=False)
    assert p.returncode == 1
    assert "broken.json" in p.stderr and "nothing was changed" in p.stderr
    info = json.loads(run("db", "info", "--db", path, "--format", "json").stdout)
    assert info["advisories"] == 1  # the secdb file of the failed import did not land
    p = run("scan", "--db", os.path.join(workdir, "missing.db"), "dir:/nonexistent", check=False)
    assert p.returncode == 1 and "hull db import" in p.stderr


def test_db_import_osv_zip(workdir):
    """osv.dev publishes each ecosystem as one all.zip of OSV records."""
    path = os.path.join(workdir, "zip.db")
    zpath = os.path.join(workdir, "all.zip")
    with zipfile.ZipFile(zpath, "w") as z:
        for rec in LANG_OSV:
            z.writestr(rec["id"] + ".json", json.dumps(rec))
        z.writestr("README.txt", "not a record")
    p = run("db", "import", "--db", path, zpath)
    assert "1 withdrawn" in p.stdout
    info = json.loads(run("db", "info", "--db", path, "--format", "json").stdout)
    src = {s["name"]: s for s in info["sources"]}[zpath]
    assert src["format"] == "osv-zip" and src["records"] == len(LANG_OSV) - 1
    assert info["ecosystems"] == {"PyPI": 1, "npm": 1, "Go": 1, "Maven": 1}
    # a record that breaks the schema inside the zip: named with its member, nothing imported
    bad = os.path.join(workdir, "bad.zip")
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("GOOD-1.json", json.dumps(dict(LANG_OSV[0], id="GOOD-1")))
        z.writestr("BAD-1.json", '{"id": "BAD-1", "affected": []}')
    p = run("db", "import", "--db", path, bad, check=False)
    assert p.returncode == 1 and "bad.zip!BAD-1.json" in p.stderr and 'without "modified"' in p.stderr
    assert json.loads(run("db", "info", "--db", path, "--format", "json").stdout)["advisories"] == 4


# ---- vercmp ----

@pytest.mark.parametrize("scheme,tsv", [("deb", "dpkg-version-cmp.tsv"), ("rpm", "rpm-vercmp.tsv")])
def test_vercmp_vectors(scheme, tsv):
    with open(os.path.join(DATA, tsv)) as f:
        cases = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    assert len(cases) in (43, 91)
    for a, b, want in cases:
        assert run("vercmp", scheme, a, b).stdout.strip() == want, (a, b)


def test_vercmp_apk_and_errors():
    assert run("vercmp", "apk", "1.0_rc1", "1.0").stdout.strip() == "-1"
    assert run("vercmp", "apk", "1.0-r1", "1.0_p1").stdout.strip() == "-1"
    assert run("vercmp", "apk", "2.9.3-r0", "2.8.6-r0").stdout.strip() == "1"
    p = run("vercmp", "deb", "1.0", "a-1", check=False)
    assert p.returncode == 2 and 'invalid deb version "a-1"' in p.stderr
    p = run("vercmp", "apk", "1.0_foo", "1.0", check=False)
    assert p.returncode == 2 and "unknown suffix" in p.stderr
    assert run("vercmp", "cobol", "1", "2", check=False).returncode == 2


# ---- Debian 11 fixture: source matching, binNMUs, removed packages ----

@pytest.fixture(scope="session")
def debian11(workdir):
    root = os.path.join(workdir, "debian11")
    write(root, "etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\nVERSION_CODENAME=bullseye\n')
    write(root, "var/lib/dpkg/status", "".join([
        dpkg_stanza("xserver-xorg-core", "2:1.20.11-1+deb11u4", "xorg-server"),
        dpkg_stanza("libssl1.1", "1.1.1n-0+deb11u3", "openssl"),
        dpkg_stanza("openssl", "1.1.1n-0+deb11u3"),
        dpkg_stanza("libcurl4", "7.74.0-1.3+deb11u7", "curl"),
        dpkg_stanza("dino-im", "0.2.0-3+deb11u1"),
        # binNMU: matched on the source version 1.5.0-3+deb11u1
        dpkg_stanza("libksba8", "1.5.0-3+deb11u1+b1", "libksba (1.5.0-3+deb11u1)"),
        # removed, only its configuration left: not installed, not reported
        dpkg_stanza("xserver-xorg-legacy", "2:1.20.11-1+deb11u1", "xorg-server", status="deinstall ok config-files"),
        # from the tracker excerpt: sope CVE-2025-53603 fixed in bullseye 5.0.1-2+deb11u1
        dpkg_stanza("libsope1", "5.0.1-2", "sope"),
    ]))
    return root


def test_debian11_findings(db, debian11):
    doc = scan_json("dir:" + debian11, db, "--scanners", "vuln")
    # Hand-checked against debian-DSA-list.txt ([bullseye] lines with a fixed version above
    # the installed source version) and debian-tracker-fixture.json.
    assert vulns(doc) == {
        ("xserver-xorg-core", "DSA-5342-1"),  # fixed 2:1.20.11-1+deb11u5
        ("xserver-xorg-core", "DSA-5380-1"),  # fixed 2:1.20.11-1+deb11u6
        ("libssl1.1", "DSA-5343-1"),  # fixed 1.1.1n-0+deb11u4
        ("openssl", "DSA-5343-1"),
        ("libksba8", "DSA-5305-1"),  # fixed 1.5.0-3+deb11u2; DSA-5255-1 (u1) is not
        ("libsope1", "CVE-2025-53603"),
    }
    by = {(v["package"]["name"], v["id"]): v for v in doc["vulnerabilities"]}
    v = by[("libksba8", "DSA-5305-1")]
    assert v["matched"] == {"ecosystem": "Debian:11", "name": "libksba", "version": "1.5.0-3+deb11u1",
                            "range": "introduced 0, fixed 1.5.0-3+deb11u2", "source": "debian-dsa"}
    assert v["fixed_version"] == "1.5.0-3+deb11u2" and v["status"] == "fixed"
    assert v["installed_version"] == "1.5.0-3+deb11u1+b1"
    assert "CVE-2022-47629" in by[("libksba8", "DSA-5305-1")]["aliases"]
    assert by[("libsope1", "CVE-2025-53603")]["severity"] == "UNKNOWN"
    assert doc["summary"]["packages"] == 7  # the deinstalled one is not a package


def test_unfixed_and_filters(db, workdir):
    root = os.path.join(workdir, "debian9")
    write(root, "etc/os-release", "ID=debian\nVERSION_ID=\"9\"\n")
    # chromium CVE-2022-0456 is "open" (no fix) in stretch in the tracker excerpt.
    write(root, "var/lib/dpkg/status", dpkg_stanza("chromium", "72.0.3626.122-1~deb9u1"))
    doc = scan_json("dir:" + root, db, "--scanners", "vuln")
    unfixed = [v for v in doc["vulnerabilities"] if v["id"] == "CVE-2022-0456"]
    assert len(unfixed) == 1 and unfixed[0]["status"] == "unfixed" and unfixed[0]["fixed_version"] is None
    assert all(v["status"] == "fixed" for v in doc["vulnerabilities"] if v["id"] != "CVE-2022-0456")
    doc = scan_json("dir:" + root, db, "--scanners", "vuln", "--ignore-unfixed")
    # DSA-4404-1 fixed exactly the installed version; DSA-4421-1 (73.0.3683.75-1~deb9u1) is the
    # only [stretch] chromium entry above it.
    assert vulns(doc) == {("chromium", "DSA-4421-1")}
    doc = scan_json("dir:" + root, db, "--scanners", "vuln", "--severity", "CRITICAL")
    assert doc["vulnerabilities"] == []


def test_exit_codes(db, debian11):
    p = run("scan", "--db", db, "--exit-code", "3", "--scanners", "vuln", "dir:" + debian11, check=False)
    assert p.returncode == 3
    # nothing at CRITICAL in this fixture: the gate stays open
    p = run("scan", "--db", db, "--exit-code", "3", "--severity", "CRITICAL", "--scanners", "vuln",
            "dir:" + debian11, check=False)
    assert p.returncode == 0
    p = run("scan", "--db", db, "--severity", "SEVERE", "dir:" + debian11, check=False)
    assert p.returncode == 1 and 'unknown severity "SEVERE"' in p.stderr
    p = run("scan", "--db", db, "dir:/nonexistent/rootfs", check=False)
    assert p.returncode == 1 and "/nonexistent/rootfs" in p.stderr


def test_concurrent_scans_and_output_file(db, debian11, workdir):
    """Several scans read the DB at once (WAL) while an import writes to it; --output writes the
    report atomically and prints nothing."""
    outs = [os.path.join(workdir, f"par-{i}.json") for i in range(4)]
    imp = subprocess.Popen([HULL, "db", "import", "--db", db, os.path.join(DATA, "debian-DLA-list.txt")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    scans = [subprocess.Popen([HULL, "scan", "--db", db, "--scanners", "vuln", "--format", "json",
                               "--output", o, "dir:" + debian11], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for o in outs]
    for p in scans:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out == b""
    assert imp.wait(timeout=120) == 0, imp.stderr.read()
    results = [vulns(json.load(open(o))) for o in outs]
    assert all(r == results[0] for r in results) and ("libksba8", "DSA-5305-1") in results[0]


def test_table_output(db, debian11):
    out = run("scan", "--db", db, "--scanners", "vuln", "dir:" + debian11).stdout
    assert "debian 11" in out and "DSA-5380-1" in out and "xserver-xorg-core" in out
    assert "\033[" not in out  # not a terminal: no colours


# ---- Alpine ----

@pytest.fixture(scope="session")
def alpine311(workdir):
    root = os.path.join(workdir, "alpine311")
    write(root, "etc/alpine-release", "3.11.6\n")
    write(root, "etc/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.11.6\n')
    write(root, "lib/apk/db/installed",
          "P:libcrypto1.1\nV:1.1.1d-r2\nA:x86_64\no:openssl\nL:OpenSSL\n\n"
          "P:libssl1.1\nV:1.1.1d-r2\nA:x86_64\no:openssl\n\n"
          "P:openssl\nV:1.1.1g-r0\nA:x86_64\no:openssl\n\n"
          "P:p7zip\nV:16.02-r3\nA:x86_64\no:p7zip\n\n"
          "P:musl\nV:1.1.24-r2\nA:x86_64\no:musl\n\n")
    return root


def test_alpine_origin_and_branch(db, alpine311, workdir):
    doc = scan_json("dir:" + alpine311, db, "--scanners", "vuln")
    # secdb v3.11 main: openssl CVE-2019-1551 fixed in 1.1.1d-r3 (1.1.1d-r1 and older entries
    # are fixed for 1.1.1d-r2); p7zip 16.02-r3 is the newest fix; musl has no entry.
    assert vulns(doc) == {("libcrypto1.1", "CVE-2019-1551"), ("libssl1.1", "CVE-2019-1551")}
    v = doc["vulnerabilities"][0]
    assert v["matched"]["ecosystem"] == "Alpine:v3.11" and v["matched"]["name"] == "openssl"
    assert v["fixed_version"] == "1.1.1d-r3"
    # the same database on Alpine 3.12: secdb v3.11 does not apply
    root = os.path.join(workdir, "alpine312")
    shutil.copytree(alpine311, root)
    write(root, "etc/os-release", "ID=alpine\nVERSION_ID=3.12.0\n")
    assert scan_json("dir:" + root, db, "--scanners", "vuln")["vulnerabilities"] == []
    purls = {p["purl"] for p in doc["packages"]}
    assert "pkg:apk/alpine/libcrypto1.1@1.1.1d-r2?arch=x86_64&distro=alpine-3.11.6&upstream=openssl" in purls


# ---- rpm (rpmdb.sqlite written by Debian's rpm tools) ----

def build_rpm(top, name, epoch, version, release, files=()):
    os.makedirs(top, exist_ok=True)
    spec = os.path.join(top, name + ".spec")
    install = "".join(f"mkdir -p %{{buildroot}}{os.path.dirname(p)}\necho x > %{{buildroot}}{p}\n" for p in files)
    with open(spec, "w") as f:
        f.write(f"Name: {name}\nEpoch: {epoch}\nVersion: {version}\nRelease: {release}\n"
                "Summary: fixture\nLicense: ASL 2.0\nBuildArch: noarch\n%description\nfixture\n"
                f"%install\n{install}%files\n" + "".join(p + "\n" for p in files))
    subprocess.run(["rpmbuild", "--quiet", "--define", f"_topdir {top}", "-bb", spec], check=True,
                   capture_output=True)
    return os.path.join(top, "RPMS", "noarch", f"{name}-{version}-{release}.noarch.rpm")


@pytest.fixture(scope="session")
def alma9(workdir):
    if not shutil.which("rpmbuild") or not shutil.which("rpm"):
        pytest.skip("Debian's rpm tools are not installed (apt-get install rpm)")
    root = os.path.join(workdir, "alma9")
    top = os.path.join(workdir, "rpmbuild")
    dbpath = os.path.join(root, "var/lib/rpm")
    os.makedirs(dbpath)
    write(root, "etc/os-release", 'NAME="AlmaLinux"\nID="almalinux"\nVERSION_ID="9.1"\n')
    # python3-requests ships requests' metadata: a PyPI-vulnerable version, patched by the
    # distribution, owned by the rpm (its header file list), so not matched against PyPI.
    meta = "/usr/lib/python3.9/site-packages/requests-2.25.1.dist-info/METADATA"
    write(root, meta.lstrip("/"), "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.1\n")
    rpms = [build_rpm(top, "openssl-libs", 1, "3.0.1", "43.el9_0"),
            build_rpm(top, "openssl", 1, "3.0.1", "47.el9_1"),
            build_rpm(top, "bash", 0, "5.1.8", "6.el9_1"),
            build_rpm(top, "python3-requests", 0, "2.25.1", "6.el9", files=[meta])]
    base = ["rpm", "--define", "_db_backend sqlite", "--dbpath", dbpath]
    subprocess.run(base + ["--initdb"], check=True, capture_output=True)
    subprocess.run(base + ["-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch", "--ignoreos", *rpms],
                   check=True, capture_output=True)
    assert os.path.exists(os.path.join(dbpath, "rpmdb.sqlite"))
    return root


def test_rpm_epoch_and_binary_names(db, alma9):
    doc = scan_json("dir:" + alma9, db, "--scanners", "vuln")
    # ALSA-2023:0946: fixed 1:3.0.1-47.el9_1 for openssl, openssl-libs, openssl-devel, openssl-perl
    assert vulns(doc) == {("openssl-libs", "ALSA-2023:0946")}
    v = doc["vulnerabilities"][0]
    assert v["installed_version"] == "1:3.0.1-43.el9_0" and v["fixed_version"] == "1:3.0.1-47.el9_1"
    assert v["severity"] == "MEDIUM"  # "Moderate: openssl security and bug fix update"
    assert "CVE-2023-0286" in v["related"]
    assert {p["name"] for p in doc["packages"]} == {"openssl-libs", "openssl", "bash", "python3-requests", "requests"}
    req = [p for p in doc["packages"] if p["name"] == "requests"][0]
    assert req["type"] == "pypi" and req["owned_by"] == "rpm:python3-requests"


def rpm_header(name, epoch, version, release, pad=0):
    """An rpm header blob as rpm stores it in its database (index entries, then the store)."""
    idx, store = b"", b""
    tags = [(1000, name), (1001, version), (1002, release), (1022, "x86_64"),
            (1044, f"{name}-{version}-{release}.src.rpm"), (1014, "OpenSSL" + " " * pad)]
    for tag, val in tags:
        idx += struct.pack(">IIII", tag, 6, len(store), 1)
        store += val.encode() + b"\0"
    while len(store) % 4:
        store += b"\0"
    idx += struct.pack(">IIII", 1003, 4, len(store), 1)
    store += struct.pack(">I", epoch)
    return struct.pack(">II", len(idx) // 16, len(store)) + idx + store


@pytest.mark.parametrize("lorder", [1234, 4321])
def test_rpm_berkeleydb(db, workdir, lorder):
    """AlmaLinux 8 keeps rpm's database in BerkeleyDB (hash) Packages: written here with Berkeley
    DB itself (python3-bsddb3), little- and big-endian, with headers spanning overflow pages."""
    bsddb3 = pytest.importorskip("bsddb3", reason="python3-bsddb3 is not installed")
    root = os.path.join(workdir, f"alma8-{lorder}")
    os.makedirs(os.path.join(root, "var/lib/rpm"))
    write(root, "etc/os-release", 'ID="almalinux"\nVERSION_ID="8.7"\n')
    d = bsddb3.db.DB()
    d.set_pagesize(4096)
    d.set_lorder(lorder)
    d.open(os.path.join(root, "var/lib/rpm/Packages"), dbtype=bsddb3.db.DB_HASH, flags=bsddb3.db.DB_CREATE)
    headers = [rpm_header("openssl-libs", 1, "1.1.1k", "7.el8_6", pad=20000),  # 5 overflow pages
               rpm_header("bash", 0, "4.4.20", "4.el8_6"),
               rpm_header("gpg-pubkey", 0, "8483c65d", "5ccc5b19")]
    for i in range(200):  # enough records for several hash pages
        headers.append(rpm_header(f"pkg{i}", 0, "1.0", f"{i}.el8", pad=i * 37))
    for i, h in enumerate(headers, 1):
        d.put(struct.pack("<I" if lorder == 1234 else ">I", i), h)
    d.close()
    osv = os.path.join(workdir, f"alma8-{lorder}.json")
    with open(osv, "w") as f:
        json.dump({"id": "HULL-TEST-ALMA8-1", "modified": "2024-01-01T00:00:00Z", "summary": "Important: openssl",
                   "affected": [{"package": {"ecosystem": "AlmaLinux:8", "name": "openssl-libs"},
                                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                                            {"fixed": "1:1.1.1k-9.el8_7"}]}]}]}, f)
    dbp = os.path.join(workdir, f"alma8-{lorder}.db")
    run("db", "import", "--db", dbp, osv)
    doc = scan_json("dir:" + root, dbp, "--scanners", "vuln")
    names = {p["name"] for p in doc["packages"]}
    assert len(names) == 202 and "gpg-pubkey" not in names  # keys are not software
    assert vulns(doc) == {("openssl-libs", "HULL-TEST-ALMA8-1")}
    v = doc["vulnerabilities"][0]
    assert v["installed_version"] == "1:1.1.1k-7.el8_6" and v["severity"] == "HIGH"
    assert v["package"]["location"] == "/var/lib/rpm/Packages"


# ---- language packages ----

def go_buildinfo_elf(mods):
    """An ELF64 file with a .go.buildinfo section in the Go >= 1.18 inline format."""
    mod = "".join(mods).encode()
    body = b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16
    gov = b"go1.21.3"
    ml = len(mod) + 32
    varint = bytes([0x80 | (ml & 0x7F), ml >> 7]) if ml >= 0x80 else bytes([ml])
    body += bytes([len(gov)]) + gov + varint + b"\x30" * 16 + mod + b"\x31" * 16
    bi_off = 0x100
    shstr = b"\0.go.buildinfo\0.shstrtab\0"
    str_off = (bi_off + len(body) + 15) & ~15
    sh_off = (str_off + len(shstr) + 63) & ~63
    img = bytearray(sh_off + 3 * 64 + 2048)
    img[0:7] = b"\x7fELF\x02\x01\x01"
    img[0x28:0x30] = sh_off.to_bytes(8, "little")
    img[0x3A] = 64
    img[0x3C] = 3
    img[0x3E] = 2
    img[bi_off:bi_off + len(body)] = body
    img[str_off:str_off + len(shstr)] = shstr
    s1 = sh_off + 64
    img[s1:s1 + 4] = (1).to_bytes(4, "little")
    img[s1 + 0x18:s1 + 0x20] = bi_off.to_bytes(8, "little")
    img[s1 + 0x20:s1 + 0x28] = len(body).to_bytes(8, "little")
    s2 = sh_off + 128
    img[s2:s2 + 4] = (15).to_bytes(4, "little")
    img[s2 + 0x18:s2 + 0x20] = str_off.to_bytes(8, "little")
    img[s2 + 0x20:s2 + 0x28] = len(shstr).to_bytes(8, "little")
    return bytes(img)


def jar_bytes(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return b.getvalue()


@pytest.fixture(scope="session")
def langroot(workdir):
    root = os.path.join(workdir, "lang")
    write(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
    sp = "usr/local/lib/python3.11/site-packages"
    write(root, f"{sp}/requests-2.25.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.25.0\nLicense: Apache 2.0\n\n")
    write(root, f"{sp}/urllib3-2.0.7.dist-info/METADATA", "Name: urllib3\nVersion: 2.0.7\n")
    # Debian's python3-requests: the same vulnerable upstream version, but shipped (and patched)
    # by the distribution; dpkg's file list says so, so PyPI advisories do not apply to it.
    deb = "usr/lib/python3/dist-packages/requests-2.25.1.egg-info/PKG-INFO"
    write(root, deb, "Metadata-Version: 1.2\nName: requests\nVersion: 2.25.1\n")
    write(root, "var/lib/dpkg/status", dpkg_stanza("python3-requests", "2.25.1+dfsg-2", "requests", arch="all"))
    write(root, "var/lib/dpkg/info/python3-requests.list",
          "/.\n/usr\n/usr/lib/python3/dist-packages/requests-2.25.1.egg-info\n/" + deb + "\n")
    write(root, "app/node_modules/minimist/package.json", json.dumps({"name": "minimist", "version": "1.2.5", "license": "MIT"}))
    write(root, "app/node_modules/@scope/pkg/package.json", json.dumps({"name": "@scope/pkg", "version": "1.0.0"}))
    write(root, "app/node_modules/minimist/test/package.json", json.dumps({"name": "not-a-package", "version": "0"}))
    write(root, "usr/local/bin/server", go_buildinfo_elf([
        "path\texample.com/server\n", "mod\texample.com/server\tv1.4.0\t\n",
        "dep\tgolang.org/x/net\tv0.7.0\th1:abc=\n", "dep\tgolang.org/x/text\tv0.14.0\th1:def=\n"]), 0o755)
    write(root, "opt/app/lib/log4j-core-2.14.1.jar", jar_bytes({
        "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n",
        "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties":
            "groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n"}))
    write(root, "opt/app/lib/log4j-api-2.17.1.jar", jar_bytes({
        "META-INF/maven/org.apache.logging.log4j/log4j-api/pom.properties":
            "groupId=org.apache.logging.log4j\nartifactId=log4j-api\nversion=2.17.1\n"}))
    return root


def test_language_packages(db, langroot):
    doc = scan_json("dir:" + langroot, db, "--scanners", "vuln")
    assert vulns(doc) == {
        ("requests", "HULL-TEST-PYPI-1"),  # 2.3.0 <= 2.25.0 < 2.31.0; PYPI-2 is withdrawn
        ("minimist", "HULL-TEST-NPM-1"),
        ("golang.org/x/net", "HULL-TEST-GO-1"),
        ("log4j-core", "HULL-TEST-MVN-1"),
    }
    by = {v["id"]: v for v in doc["vulnerabilities"]}
    assert by["HULL-TEST-NPM-1"]["severity"] == "CRITICAL"  # from the CVSS 3.1 vector (9.8)
    assert by["HULL-TEST-PYPI-1"]["severity"] == "MEDIUM"
    owned = [p for p in doc["packages"] if p["type"] == "pypi" and p["version"] == "2.25.1"]
    assert len(owned) == 1 and owned[0]["owned_by"] == "deb:python3-requests"
    pk = {(p["type"], p["name"]): p for p in doc["packages"] if "owned_by" not in p}
    assert pk[("pypi", "requests")]["location"] == "/usr/local/lib/python3.11/site-packages/requests-2.25.0.dist-info/METADATA"
    assert pk[("npm", "@scope/pkg")]["purl"] == "pkg:npm/%40scope/pkg@1.0.0"
    assert ("npm", "not-a-package") not in pk
    assert pk[("golang", "golang.org/x/net")]["purl"] == "pkg:golang/golang.org/x/net@v0.7.0"
    assert pk[("golang", "stdlib")]["version"] == "v1.21.3"
    assert pk[("golang", "example.com/server")]["location"] == "/usr/local/bin/server"
    assert pk[("maven", "log4j-core")]["purl"] == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"


# ---- images: OCI layout, oci-archive, whiteouts ----

def tar_layer(members):
    """members: list of (name, data-or-None-for-dir, mode); returns gzip bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in members:
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = mode or 0o755
                t.addfile(ti)
            elif isinstance(data, tuple):  # ("link", target)
                ti.type = tarfile.SYMTYPE
                ti.linkname = data[1]
                t.addfile(ti)
            else:
                data = data.encode() if isinstance(data, str) else data
                ti.size = len(data)
                ti.mode = mode or 0o644
                t.addfile(ti, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def oci_layout(path, layers, config, tag):
    os.makedirs(os.path.join(path, "blobs", "sha256"))

    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(path, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return "sha256:" + d, len(data)

    descs = []
    config = dict(config, rootfs={"type": "layers", "diff_ids": []})
    for members in layers:
        gz = tar_layer(members)
        d, n = blob(gz)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
        config["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(gzip.decompress(gz)).hexdigest())
    cd, cn = blob(json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                "layers": descs}
    md, mn = blob(json.dumps(manifest).encode())
    with open(os.path.join(path, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": manifest["mediaType"], "digest": md, "size": mn,
                                                      "annotations": {"org.opencontainers.image.ref.name": tag}}]}, f)
    with open(os.path.join(path, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    return [x["digest"] for x in descs]


def secret_text():
    return "DEPLOY_TOKEN=" + "gl" + "pat-" + "aB3dE5gH7jK9mN2pQ4sT" + "\n"


@pytest.fixture(scope="session")
def image(workdir):
    path = os.path.join(workdir, "oci")
    status1 = dpkg_stanza("xserver-xorg-core", "2:1.20.11-1+deb11u4", "xorg-server") + dpkg_stanza("libssl1.1", "1.1.1n-0+deb11u3", "openssl")
    status2 = dpkg_stanza("xserver-xorg-core", "2:1.20.11-1+deb11u6", "xorg-server") + dpkg_stanza("libssl1.1", "1.1.1n-0+deb11u3", "openssl")
    layers = [
        [("etc", None, 0), ("usr/lib/os-release", "ID=debian\nVERSION_ID=\"11\"\n", 0),
         ("etc/os-release", ("link", "../usr/lib/os-release"), 0),
         ("var/lib/dpkg/status", status1, 0),
         ("usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA", "Name: requests\nVersion: 2.25.0\n", 0),
         ("app/.env", secret_text(), 0),
         ("usr/bin/newgrp", "#!/bin/sh\n", 0o4755),
         ("etc/shadow", "root:*:19000::::::\n", 0o640)],
        [("var/lib/dpkg/status", status2, 0),  # xorg upgraded in the upper layer
         ("usr/lib/python3/dist-packages/.wh.requests-2.25.0.dist-info", "", 0),
         ("app/.wh..wh..opq", "", 0),
         ("app/README.txt", "hello\n", 0)],
    ]
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/usr/bin", "API_TOKEN=abc123"], "User": "",
                         "ExposedPorts": {"22/tcp": {}, "8080/tcp": {}}},
              "rootfs": {"type": "layers", "diff_ids": []}}
    oci_layout(path, layers, config, "latest")
    return path


def test_oci_layout_layers_and_whiteouts(db, image):
    doc = scan_json(f"oci:{image}:latest", db)
    # upper layer: xorg at deb11u6 (DSA-5380-1's fix); openssl unchanged; requests whited out
    assert vulns(doc) == {("libssl1.1", "DSA-5343-1")}
    assert "requests" not in {p["name"] for p in doc["packages"]}
    assert doc["secrets"] == []  # app/ was made opaque in the upper layer
    assert doc["target"]["type"] == "image" and doc["target"]["layers"] == 2
    ids = {(m["id"], m["message"]) for m in doc["misconfigurations"]}
    assert ("HULL-IMG-001", "config.User is unset") in ids
    assert any(i == "HULL-IMG-003" for i, _ in ids)  # tag latest
    assert any(i == "HULL-IMG-004" and "API_TOKEN" in m for i, m in ids)
    assert any(i == "HULL-IMG-005" and "22/tcp" in m for i, m in ids)
    assert any(i == "HULL-FS-001" and "/usr/bin/newgrp" in m for i, m in ids)
    assert not any(i == "HULL-FS-003" for i, _ in ids)  # "*" is a locked account


def test_oci_archive_and_corruption(db, image, workdir):
    archive = os.path.join(workdir, "image.tar")
    with tarfile.open(archive, "w") as t:
        for name in ("oci-layout", "index.json", "blobs"):
            t.add(os.path.join(image, name), arcname=name)
    doc = scan_json("oci-archive:" + archive, db, "--scanners", "vuln")
    assert vulns(doc) == {("libssl1.1", "DSA-5343-1")}
    doc = scan_json(f"oci-archive:{archive}:latest", db, "--scanners", "vuln,misconfig")
    assert doc["target"]["tag"] == "latest" and any(m["id"] == "HULL-IMG-003" for m in doc["misconfigurations"])
    p = run("scan", "--db", db, f"oci-archive:{archive}:v9", check=False)
    assert p.returncode == 1 and 'no image tagged "v9"' in p.stderr
    bad = os.path.join(workdir, "oci-bad")
    shutil.copytree(image, bad)
    manifest_digest = json.load(open(os.path.join(bad, "index.json")))["manifests"][0]["digest"]
    manifest = json.load(open(os.path.join(bad, "blobs", "sha256", manifest_digest[7:])))
    layer = os.path.join(bad, "blobs", "sha256", manifest["layers"][1]["digest"][7:])
    with open(layer, "r+b") as f:
        f.seek(-6, os.SEEK_END)  # inside the gzip CRC: the archive still reads, the digest differs
        b = f.read(1)
        f.seek(-6, os.SEEK_END)
        f.write(bytes([b[0] ^ 0xFF]))
    p = run("scan", "--db", db, "--format", "json", f"oci:{bad}:latest", check=False)
    assert p.returncode == 1 and manifest["layers"][1]["digest"] in p.stderr
    assert p.stdout == ""  # no half report


def test_secrets_in_rootfs(db, workdir):
    root = os.path.join(workdir, "secrets")
    write(root, "app/settings.env", secret_text())
    write(root, "usr/share/doc/x/example.conf", secret_text())  # documentation: skipped
    write(root, "app/tests/fixture.env", secret_text())  # test data: skipped
    write(root, "root/.ssh/id_ed25519", "not really a key\n", 0o600)
    doc = scan_json("dir:" + root, db, "--scanners", "secret,misconfig")
    assert [(s["rule"], s["path"], s["line"]) for s in doc["secrets"]] == [("gitlab-pat", "/app/settings.env", 1)]
    assert doc["secrets"][0]["match"] == "glpa*****"
    assert any(m["id"] == "HULL-FS-006" and m["path"] == "/root/.ssh/id_ed25519" for m in doc["misconfigurations"])
    assert "vulnerabilities" not in doc


def test_store_image(db, image, workdir):
    """Images in hull's store (lib/image) are scanned from their verified blobs."""
    store = os.path.join(workdir, "store")
    p = run("--storage-root", store, "image", "import", f"oci:{image}:latest", "scanme:1", check=False)
    if p.returncode != 0 and "unknown command" in p.stderr:
        pytest.skip("this build has no `hull image` (lib/image)")
    assert p.returncode == 0, p.stderr
    doc = json.loads(run("--storage-root", store, "scan", "--db", db, "--format", "json", "scanme:1").stdout)
    assert vulns(doc) == {("libssl1.1", "DSA-5343-1")}
    assert doc["target"]["type"] == "image" and doc["target"]["tag"] == "1"
    p = run("--storage-root", store, "scan", "--db", db, "nosuchimage:1", check=False)
    assert p.returncode == 1 and "nosuchimage:1" in p.stderr and "dir:PATH" in p.stderr


# ---- formats ----

def node_validator():
    """ajv and the schemas npm packages ship (CycloneDX 1.5 in @cyclonedx/cyclonedx-library,
    SARIF 2.1.0 in @microsoft/jest-sarif), installed once into the test cache."""
    node = shutil.which("node")
    mods = os.path.join(CACHE, "node", "node_modules")
    if not node:
        pytest.skip("node is not installed: schema validation needs it (apt-get install nodejs npm)")
    need = ("ajv", "ajv-formats", "ajv-draft-04", "@cyclonedx/cyclonedx-library", "@microsoft/jest-sarif")
    if not all(os.path.isdir(os.path.join(mods, m)) for m in need):
        os.makedirs(os.path.join(CACHE, "node"), exist_ok=True)
        p = subprocess.run(["npm", "install", "--prefix", os.path.join(CACHE, "node"), "--no-audit", "--no-fund",
                            "ajv@8", "ajv-formats@3", "ajv-draft-04@1", "@cyclonedx/cyclonedx-library@10",
                            "@microsoft/jest-sarif@1.0.0-beta.0"],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            pytest.skip("npm registry unreachable: cannot fetch ajv and the CycloneDX schemas: " + p.stderr[-300:])
    return node, mods


VALIDATE_JS = r"""
const fs = require('fs'), path = require('path');
const kind = process.argv[3], doc = JSON.parse(fs.readFileSync(process.argv[4]));
const Ajv = require(path.join(process.argv[2], kind === 'sarif' ? 'ajv-draft-04' : 'ajv'));
const addFormats = require(path.join(process.argv[2], 'ajv-formats'));
const ajv = new Ajv({strict: false, allErrors: true, unicodeRegExp: false});
addFormats(ajv);
let schema;
if (kind === 'cyclonedx') {
  const dir = path.join(process.argv[2], '@cyclonedx/cyclonedx-library/res/schema');
  for (const f of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, f)));
    s['$id'] = 'http://cyclonedx.org/schema/' + f;
    ajv.addSchema(s);
  }
  schema = JSON.parse(fs.readFileSync(path.join(dir, 'bom-1.5.SNAPSHOT.schema.json')));
} else if (kind === 'sarif') {
  schema = JSON.parse(fs.readFileSync(path.join(process.argv[2],
    '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json')));
} else {
  schema = JSON.parse(fs.readFileSync(process.argv[5]));
}
const ok = ajv.validate(schema, doc);
if (!ok) { console.error(JSON.stringify(ajv.errors.slice(0, 5), null, 1)); process.exit(1); }
console.log('valid');
"""


def validate(kind, doc, workdir, schema=None):
    node, mods = node_validator()
    js = os.path.join(workdir, "validate.js")
    with open(js, "w") as f:
        f.write(VALIDATE_JS)
    out = os.path.join(workdir, f"doc-{kind}.json")
    with open(out, "w") as f:
        json.dump(doc, f)
    p = subprocess.run([node, js, mods, kind, out] + ([schema] if schema else []), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_cyclonedx_sbom_and_vex(db, debian11, image, workdir):
    sbom = json.loads(run("sbom", "dir:" + debian11).stdout)
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.5"
    comps = {c["name"]: c for c in sbom["components"]}
    assert comps["libksba8"]["purl"] == "pkg:deb/debian/libksba8@1.5.0-3%2Bdeb11u1%2Bb1?arch=amd64&distro=debian-11&upstream=libksba"
    assert comps["debian"]["type"] == "operating-system"
    validate("cyclonedx", sbom, workdir)
    report = json.loads(run("scan", "--db", db, "--format", "cyclonedx", "--scanners", "vuln", "dir:" + debian11).stdout)
    validate("cyclonedx", report, workdir)
    refs = {c["name"]: c["bom-ref"] for c in report["components"]}
    v = {x["id"]: x for x in report["vulnerabilities"]}
    # one entry per advisory, affecting every binary package built from openssl
    assert sorted(a["ref"] for a in v["DSA-5343-1"]["affects"]) == sorted([refs["libssl1.1"], refs["openssl"]])
    assert v["DSA-5305-1"]["references"][0]["id"].startswith("CVE-")
    assert v["DSA-5305-1"]["ratings"][0]["severity"] == "unknown"
    img = json.loads(run("scan", "--db", db, "--format", "cyclonedx", f"oci:{image}:latest").stdout)
    validate("cyclonedx", img, workdir)
    assert img["metadata"]["component"]["type"] == "container"


def test_spdx(debian11, alma9, workdir):
    doc = json.loads(run("sbom", "--format", "spdx", "dir:" + alma9).stdout)
    # required fields (SPDX 2.3 section 6 and 7), checked whether or not the schema is at hand
    for k, want in (("spdxVersion", "SPDX-2.3"), ("dataLicense", "CC0-1.0"), ("SPDXID", "SPDXRef-DOCUMENT")):
        assert doc[k] == want
    assert doc["documentNamespace"].startswith("urn:uuid:") and "#" not in doc["documentNamespace"]
    assert doc["creationInfo"]["created"].endswith("Z") and doc["creationInfo"]["creators"][0].startswith("Tool: hull-")
    ids = [p["SPDXID"] for p in doc["packages"]]
    assert len(ids) == len(set(ids))
    for p in doc["packages"]:
        assert p["downloadLocation"] == "NOASSERTION" and p["filesAnalyzed"] is False
        assert "packageVerificationCode" not in p
    rpm = {p["name"]: p for p in doc["packages"]}["openssl-libs"]
    assert rpm["externalRefs"] == [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                    "referenceLocator": "pkg:rpm/almalinux/openssl-libs@3.0.1-43.el9_0?arch=noarch&epoch=1&distro=almalinux-9.1"}]
    rel = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Target") in rel
    schema = os.path.join(CACHE, "spdx-schema-2.3.json")
    if os.path.exists(schema):
        validate("spdx", doc, workdir, schema)


def test_sarif(db, debian11, workdir):
    root = os.path.join(workdir, "sarif")
    shutil.copytree(debian11, root)
    write(root, "app/settings.env", secret_text())
    doc = json.loads(run("scan", "--db", db, "--format", "sarif", "dir:" + root).stdout)
    validate("sarif", doc, workdir)
    assert doc["version"] == "2.1.0"
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for res in run0["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert res["level"] in ("error", "warning", "note")
        assert float(rules[res["ruleIndex"]]["properties"]["security-severity"]) >= 0
    results = {r["ruleId"]: r for r in run0["results"]}
    assert results["gitlab-pat"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/settings.env"
    assert results["DSA-5380-1"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "var/lib/dpkg/status"


# ---- the real Debian 12 rootfs ----

@pytest.fixture(scope="session")
def bookworm():
    path = os.path.join(CACHE, "bookworm-minbase")
    if os.path.isfile(os.path.join(path, "var/lib/dpkg/status")):
        return path
    if not shutil.which("debootstrap"):
        pytest.skip("debootstrap is not installed (apt-get install debootstrap)")
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(CACHE, exist_ok=True)
    p = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", tmp, "http://deb.debian.org/debian"],
                       capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip("the Debian archive is unreachable, no bookworm rootfs: " + p.stderr[-300:])
    os.rename(tmp, path)
    return path


def test_bookworm_inventory(bookworm):
    doc = json.loads(run("sbom", "--format", "json", "dir:" + bookworm).stdout)
    want = subprocess.run(["dpkg-query", "--admindir", os.path.join(bookworm, "var/lib/dpkg"), "-W",
                           "-f", "${db:Status-Status} ${Package} ${Version}\n"], capture_output=True, text=True, check=True)
    installed = {tuple(l.split()[1:]) for l in want.stdout.splitlines() if l.startswith("installed ")}
    got = {(p["name"], p["version"]) for p in doc["packages"] if p["type"] == "deb"}
    assert got == installed
    assert doc["target"]["os"]["id"] == "debian" and doc["target"]["os"]["version_id"] == "12"


def test_bookworm_matching(db, bookworm):
    doc = scan_json("dir:" + bookworm, db, "--scanners", "vuln")
    # Only HULL-TEST-DEB12-1 applies: glibc's binaries in minbase are libc6 and libc-bin. The
    # already-fixed record, the Debian 11 record and the record keyed by a binary name do not.
    assert vulns(doc) == {("libc6", "HULL-TEST-DEB12-1"), ("libc-bin", "HULL-TEST-DEB12-1")}
