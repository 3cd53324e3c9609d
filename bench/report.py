#!/usr/bin/env python3
"""Summarise bench/run.sh's hyperfine exports: median of per-round means, and ratios."""
import json
import os
import platform
import statistics
import subprocess
import sys

work, rounds = sys.argv[1], int(sys.argv[2])
rss = {"hull": sys.argv[3], "crun": sys.argv[4], "runc": sys.argv[5]}


def load(name):
    per = {}
    for i in range(1, rounds + 1):
        with open(os.path.join(work, f"{name}-{i}.json")) as f:
            for r in json.load(f)["results"]:
                per.setdefault(r["command"], []).append(r["mean"] * 1000)
    return {cmd: statistics.median(v) for cmd, v in per.items()}


def short(cmd):
    w = cmd.split()
    return "hull" if w[0].endswith("/hull") else w[0]


def ver(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except OSError:
        return "?"


print(f"# hull start-up benchmark\n")
print(f"{platform.node()}, {os.cpu_count()} CPUs, kernel {platform.release()}; "
      f"{ver(['crun', '--version'])}; {ver(['runc', '--version'])}; median of {rounds} rounds "
      f"of hyperfine means (`RUNTIME run ID` of /bin/true, busybox rootfs).\n")
for name, title in (("minimal", "(a) minimal bundle (`runc spec` config)"),
                    ("podman", "(b) podman 4.3 hardened config (seccomp, 11 caps, masked paths)")):
    r = load(name)
    t = {short(c): v for c, v in r.items()}
    print(f"## {title}\n")
    print("| runtime | mean ms | vs crun |\n|---|---|---|")
    for k in ("hull", "crun", "runc"):
        print(f"| {k} | {t[k]:.2f} | {t[k] / t['crun']:.2f} |")
    print()
nc = load("podman-nocache")
print(f"hull on (b) with the seccomp cache disabled (compiles every time): {list(nc.values())[0]:.2f} ms\n")
p = load("profiles")
hard = [v for c, v in p.items() if "hardened" in c][0]
runcp = [v for c, v in p.items() if "hull-runc" in c][0]
print("## hull's hardened default vs its runc profile\n")
print("| profile | mean ms |\n|---|---|")
print(f"| hardened (own userns range, idmapped rootfs, seccomp, 1 cap, Landlock, ro rootfs, limits) | {hard:.2f} |")
print(f"| runc-equivalent | {runcp:.2f} |")
print(f"\nratio hardened/runc: {hard / runcp:.2f}\n")
e = load("exec")
t = {short(c): v for c, v in e.items()}
print("## exec latency (`RUNTIME exec ID /bin/true` into a running container of (a))\n")
print("| runtime | mean ms | vs crun |\n|---|---|---|")
for k in ("hull", "crun", "runc"):
    print(f"| {k} | {t[k]:.2f} | {t[k] / t['crun']:.2f} |")
print()
nf, tree, lin = open(os.path.join(work, "syscall.txt")).read().split()
print("## seccomp run-time cost (ns per getppid(), median of 5 x 2M calls inside the container)\n")
print("| filter | ns/call | overhead |\n|---|---|---|")
print(f"| none (hull runc profile) | {nf} | - |")
print(f"| hardened profile, libseccomp binary tree (level 2, hull's default) | {tree} | +{float(tree) - float(nf):.1f} |")
print(f"| hardened profile, linear (level 1) | {lin} | +{float(lin) - float(nf):.1f} |")
print()
print("## peak RSS of the runtime process on (b) (/usr/bin/time -f %M)\n")
print("| runtime | max RSS KiB |\n|---|---|")
for k in ("hull", "crun", "runc"):
    print(f"| {k} | {rss[k]} |")
