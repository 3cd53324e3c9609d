# SPDX-License-Identifier: LGPL-2.1-or-later
"""`make demo` runs scripts/demo.sh: an image imported into the store, launched hardened; it
must show every protection as enforced and leave nothing behind."""
import os
import subprocess

from conftest import HULL, ROOT


def test_demo_shows_hardening():
    p = subprocess.run([os.path.join(ROOT, "scripts", "demo.sh"), HULL], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "ALLOWED" not in out, out
    assert "uid map    container 0-65535 -> host 1000000000-" in out
    assert "seccomp    mode 2" in out
    assert "no_new_privs 1" in out
    assert "inheritable: (none)" in out
    assert "net_raw" not in out and "sys_admin" not in out and "mknod" not in out
    assert "Read-only file system" in out
    assert out.count("denied") >= 10
    assert "localhost/busybox" in out and "demo" in out  # image ls after the import
    assert "hostname   demo" in out
    assert "0 containers left, 0 launched" in out
