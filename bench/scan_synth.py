#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Synthetic OSV scale set for `make bench` (bench/scan.sh): N records in an osv.dev-style
all.zip. A share of the Debian:12 records name source packages of the rootfs being scanned, with
fixed versions below what is installed (so the matcher compares versions without reporting), a
handful above (real findings), the rest name packages that are not there. Deterministic (seeded).

usage: scan_synth.py N ROOTFS OUT.zip
"""
import json
import random
import sys
import zipfile


def sources(rootfs):
    srcs = {}
    with open(f"{rootfs}/var/lib/dpkg/status", encoding="utf-8", errors="replace") as f:
        for stanza in f.read().split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                if line and not line[0].isspace() and ":" in line:
                    k, v = line.split(":", 1)
                    fields[k] = v.strip()
            if "Package" not in fields or "Version" not in fields:
                continue
            src = fields.get("Source", fields["Package"])
            ver = fields["Version"]
            if "(" in src:
                src, ver = src.split("(")[0].strip(), src.split("(")[1].rstrip(")").strip()
            srcs[src] = ver
    return srcs


def main():
    n, rootfs, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rnd = random.Random(42)
    srcs = sorted(sources(rootfs).items())
    ecos = ["PyPI", "npm", "Go", "Maven", "Debian:11", "Debian:12", "Alpine:v3.18", "AlmaLinux:9"]
    findings = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for i in range(n):
            eco = ecos[i % len(ecos)]
            if eco == "Debian:12" and i % 3 == 0:
                name, installed = srcs[rnd.randrange(len(srcs))]
                # below what is installed: compared, not reported; every 997th: above (found)
                if i % 997 == 0:
                    fixed, findings = "99:" + installed, findings + 1
                else:
                    fixed = "0.0.%d-1" % rnd.randrange(1000)
            else:
                name = "synthetic-%s-%d" % (eco.split(":")[0].lower(), rnd.randrange(n // 4 + 1))
                if eco == "Maven":
                    name = "org.synthetic:" + name
                fixed = "%d.%d.%d" % (rnd.randrange(5), rnd.randrange(20), rnd.randrange(50))
                if eco.startswith(("Debian", "Alpine", "AlmaLinux")):
                    fixed += "-r1" if eco.startswith("Alpine") else "-1"
            rtype = "SEMVER" if eco in ("npm", "Go") else "ECOSYSTEM"
            rec = {
                "schema_version": "1.6.0",
                "id": "SYN-%07d" % i,
                "modified": "2026-01-01T00:00:00Z",
                "published": "2025-06-01T00:00:00Z",
                "aliases": ["CVE-2099-%05d" % i],
                "summary": "synthetic advisory %d" % i,
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
                "affected": [{"package": {"ecosystem": eco, "name": name},
                              "ranges": [{"type": rtype, "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
                "references": [{"type": "ADVISORY", "url": "https://example.invalid/SYN-%07d" % i}],
            }
            z.writestr("SYN-%07d.json" % i, json.dumps(rec))
    print(f"{n} records, {findings} expected Debian:12 findings", file=sys.stderr)


if __name__ == "__main__":
    main()
