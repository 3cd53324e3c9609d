#!/bin/sh
# make bench: hull vs crun vs runc on the same bundles, in the same run, with hyperfine.
# Commands are interleaved round by round (ROUNDS rounds of RUNS runs each) so that drift of the
# machine affects every runtime alike; the reported figure is the median of the round means.
set -eu
HULL=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/hull}
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/hull-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
out=${BENCH_OUT:-$here/results}
mkdir -p "$out"

# crun 1.8 refuses hybrid cgroups unless hugetlb is on v1 (see shared/bench/README.md).
if [ -d /sys/fs/cgroup/unified ] && ! mountpoint -q /sys/fs/cgroup/hugetlb 2>/dev/null; then
	mkdir -p /sys/fs/cgroup/hugetlb
	mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
fi

rootfs=$work/rootfs
mkdir -p "$rootfs/bin"
cp "$(command -v busybox || echo /bin/busybox)" "$rootfs/bin/busybox"
for a in sh true; do ln -s busybox "$rootfs/bin/$a"; done
for d in proc sys dev etc tmp run; do mkdir -p "$rootfs/$d"; done

mkbundle() { # name (runc refuses a symlinked rootfs: copy it, 2 MB)
	mkdir -p "$work/$1"
	cp -a "$rootfs" "$work/$1/rootfs"
}

# (a) minimal: the config `runc spec` writes, /bin/true, no terminal
mkbundle minimal
(cd "$work/minimal" && runc spec)
python3 - "$work/minimal/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
c["root"] = {"path": "rootfs", "readonly": True}
json.dump(c, open(p, "w"), indent=1)
PY

# (b) the real podman-generated hardened config (shared/bench/README.md recipe)
mkbundle podman
mkdir -p "$work/podman/files/shm"
for f in hosts .containerenv hostname resolv.conf; do : > "$work/podman/files/$f"; done
python3 - "$here/podman-hardened-config.json" "$work/podman/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/true"]; c["process"]["terminal"] = False
c["root"] = {"path": "rootfs", "readonly": False}
c["linux"]["namespaces"] = [{k: v for k, v in n.items() if k != "path"} for n in c["linux"]["namespaces"]]
c.pop("hooks", None); c.pop("annotations", None); c["linux"]["cgroupsPath"] = "/hullbench"
for m in c["mounts"]:
    if m["type"] == "bind" and "userdata" in m["source"]:
        m["source"] = "files/" + m["destination"].split("/")[-1]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY

# (c) hull's own profiles: hardened (the default) vs runc
for prof in hardened runc; do
	mkbundle "hull-$prof"
	"$HULL" spec --profile "$prof" --bundle "$work/hull-$prof"
	python3 - "$work/hull-$prof/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=1)
PY
done

# Warm the seccomp cache and check every runtime runs every bundle before timing.
for b in minimal podman; do
	for rt in "$HULL" crun runc; do
		(cd "$work/$b" && $rt run bench-check >/dev/null) || { echo "bench: $rt cannot run $b" >&2; exit 1; }
	done
done
for prof in hardened runc; do (cd "$work/hull-$prof" && "$HULL" run bench-check); done

bench() { # name, then commands
	name=$1; shift
	i=1
	while [ "$i" -le "$ROUNDS" ]; do
		hyperfine -N -w 3 -r "$RUNS" --export-json "$work/$name-$i.json" "$@" >/dev/null 2>&1
		i=$((i + 1))
	done
}
cd "$work/minimal" && bench minimal "$HULL run h1" "crun run c1" "runc run r1"
cd "$work/podman" && bench podman "$HULL run h1" "crun run c1" "runc run r1"
cd "$work/podman" && HULL_SECCOMP_NOCACHE=1 bench podman-nocache "$HULL run h1"
cd "$work" && bench profiles "$HULL run --bundle hull-hardened h1" "$HULL run --bundle hull-runc h2"

# exec latency: `RUNTIME exec ID true` into a running container of the minimal bundle.
python3 - "$work/minimal/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["args"] = ["/bin/sh", "-c", "sleep 100000"]
json.dump(c, open(p, "w"), indent=1)
PY
ln -s busybox "$work/minimal/rootfs/bin/sleep"
cd "$work/minimal"
"$HULL" run -d hx >/dev/null; crun run -d cx >/dev/null; runc run -d rx >/dev/null
bench exec "$HULL exec hx /bin/true" "crun exec cx /bin/true" "runc exec rx /bin/true"
"$HULL" delete -f hx; crun delete -f cx; runc delete -f rx

# seccomp run-time cost: ns per getppid() under hull's hardened profile (libseccomp binary-tree
# optimisation, level 2, and linear, level 1) and without a filter (hull's runc profile).
gcc -O2 -static -o "$work/syscall_loop" "$here/syscall_loop.c"
for prof in hardened runc; do
	cp "$work/syscall_loop" "$work/hull-$prof/rootfs/bin/loop"
	python3 - "$work/hull-$prof/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["args"] = ["/bin/loop", "2000000"]
json.dump(c, open(p, "w"), indent=1)
PY
done
cd "$work"
ns_nofilter=$("$HULL" run --bundle hull-runc l1)
ns_tree=$(HULL_SECCOMP_OPTIMIZE=2 "$HULL" run --bundle hull-hardened l2)
ns_linear=$(HULL_SECCOMP_OPTIMIZE=1 "$HULL" run --bundle hull-hardened l3)
echo "$ns_nofilter $ns_tree $ns_linear" > "$work/syscall.txt"

# Peak RSS of the runtime process on the podman bundle.
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
cd "$work/podman"
rss_hull=$(rss "$HULL" run h1); rss_crun=$(rss crun run c1); rss_runc=$(rss runc run r1)

cd "$here"
python3 "$here/report.py" "$work" "$ROUNDS" "$rss_hull" "$rss_crun" "$rss_runc" | tee "$out/latest.md"
