# SPDX-License-Identifier: LGPL-2.1-or-later
"""In-container probes under the hardened default: every privileged operation a compromised
container could try is refused (docs/security-comparison.md runs the same probes under crun)."""
import shutil

from escapes_helpers import write_bundle


def test_hardened_default_denies_every_probe(hull, trap_rootfs, attack_bin):
    shutil.copy2(attack_bin("probe"), trap_rootfs / "bin" / "probe")
    def edit(s):
        s["root"]["readonly"] = True
    b = write_bundle(hull, trap_rootfs, ["/bin/probe"], profile="hardened", edit=edit)
    p = hull.run(b)
    lines = dict(l.split(": ", 1) for l in p.stdout.splitlines() if ": " in l)
    probes = [k for k, v in lines.items() if v.startswith(("allowed", "denied"))]
    assert len(probes) >= 15, p.stdout
    allowed = [k for k in probes if lines[k].startswith("allowed")]
    assert allowed == [], p.stdout
    assert lines["no_new_privs"] == "1"
    assert lines["seccomp mode"] == "2"
    assert lines["capabilities inheritable"] == "0000000000000000"
    assert int(lines["capabilities bounding"], 16) & (1 << 21) == 0  # no CAP_SYS_ADMIN
    assert lines["fork limit"].startswith("reached after 10")  # pids limit 1024
