# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers for the escape tests (kept out of conftest so tests can import them)."""


def write_bundle(hull, rootfs_dir, args, edit=None, profile="runc"):
    """A bundle whose rootfs is rootfs_dir (writable, booby-trapped by the test)."""
    def full_edit(s):
        s["root"] = {"path": str(rootfs_dir), "readonly": False}
        if edit:
            edit(s)
    return hull.bundle(str(rootfs_dir), args, profile=profile, edit=full_edit)
