# SPDX-License-Identifier: LGPL-2.1-or-later
"""hull's hardened seccomp profile (data/seccomp/hardened.json), one check per rule family.
The container runs with every capability so that a refusal can only come from seccomp."""
import errno
import shutil

from escapes_helpers import write_bundle

ALL_CAPS = ["CAP_" + c for c in (
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE "
    "NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO "
    "SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_TIME SYS_TTY_CONFIG MKNOD "
    "LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM "
    "BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE").split()]

EPERM, ENOSYS = errno.EPERM, errno.ENOSYS

# family -> (syscalls, expected errno)
FAMILIES = {
    "namespaces": (["unshare", "setns"], EPERM),
    "clone with namespace flags": (["clone-newuser"], ENOSYS),
    "clone3 falls back to clone": (["clone3"], ENOSYS),
    "mount API": (["mount", "fsopen", "open_tree", "pivot_root", "umount2"], EPERM),
    "keyrings": (["keyctl", "add_key", "request_key"], EPERM),
    "bpf and perf": (["bpf", "perf_event_open"], EPERM),
    "userfaultfd": (["userfaultfd"], EPERM),
    "io_uring": (["io_uring_setup"], EPERM),
    "modules and kexec": (["init_module", "finit_module", "kexec_load"], EPERM),
    "ptrace and process_vm": (["ptrace", "process_vm_readv", "kcmp"], EPERM),
    "file handles": (["open_by_handle_at"], EPERM),
    "host administration": (["reboot", "swapon", "syslog", "acct", "clock_settime", "sethostname"], EPERM),
    "NUMA policy": (["get_mempolicy"], EPERM),
    "personality": (["personality-bad"], ENOSYS),
    "socket families": (["socket-af_alg", "socket-af_vsock"], ENOSYS),
    "terminal injection (stacked filter, org.hull.tiocsti=deny)": (["ioctl-tiocsti"], EPERM),
}


def run_prober(hull, trap_rootfs, attack_bin):
    shutil.copy2(attack_bin("syscalls"), trap_rootfs / "bin" / "syscalls")
    def edit(s):
        caps = s["process"]["capabilities"]
        for k in ("bounding", "effective", "permitted"):
            caps[k] = ALL_CAPS
        s["process"]["noNewPrivileges"] = True
    b = write_bundle(hull, trap_rootfs, ["/bin/syscalls"], profile="hardened", edit=edit)
    p = hull.run(b)
    assert p.returncode == 0, p.stderr
    return {l.split()[0]: int(l.split()[1]) for l in p.stdout.splitlines()}


def test_every_rule_family(hull, trap_rootfs, attack_bin):
    r = run_prober(hull, trap_rootfs, attack_bin)
    failures = []
    for family, (calls, want) in FAMILIES.items():
        for c in calls:
            if r.get(c) != want:
                failures.append(f"{family}: {c} gave errno {r.get(c)}, wanted {want}")
    assert failures == [], "\n".join(failures)
    # what must keep working
    assert r["getpid"] == 0
    assert r["personality-query"] == 0
    assert r["socket-af_inet"] == 0
    # 32-bit syscalls from a 64-bit process are not in the filter's architecture: killed
    assert r["compat-int80"] == 128 + 31, r["compat-int80"]
