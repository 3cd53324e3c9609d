#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Image benchmarks, all peers in the same run (issue "Speed"):
#   1. pull + unpack of a >= 200 MB, 3-layer image from a loopback docker-registry into an empty
#      store: hull vs `skopeo copy docker://... oci:DIR` + `umoci unpack`, and `podman pull`;
#   2. `hull launch --rm IMAGE true` with the image present vs `podman run --rm IMAGE true`;
#   3. SHA-256 throughput of hull's digest path vs `openssl speed -evp sha256`.
# Usage: bench/images.sh [HULL] (run as root). RUNS=N changes the pull repetitions.
# The image is a debootstrap'ed bookworm (minbase) plus two small layers, cached in
# ${HULL_BENCH_CACHE:-/var/cache/hull-bench}; only the first run needs the Debian archive.
set -euo pipefail

HULL=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/hull}
BUILD=$(dirname "$HULL")
CACHE=${HULL_BENCH_CACHE:-/var/cache/hull-bench}
RUNS=${RUNS:-5}
LRUNS=${LRUNS:-30}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" = 0 ] || { echo "images.sh: run as root" >&2; exit 1; }
for t in hyperfine skopeo umoci podman docker-registry debootstrap jq mkfs.ext4 bc; do
	command -v $t >/dev/null || { echo "images.sh: $t is missing (scripts/deps.sh)" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/hull-bench-images.XXXXXX)
reg_pid=
# Each pull starts on a freshly made ext4 file system (a loop device): deleting the previous
# run's 6000-file tree right before would otherwise make ext4's inode allocator crawl
# (recently_deleted) and the figures would measure that, differently for each tool.
fs=$work/fs
printf '#!/bin/sh\nset -e\nif mountpoint -q %s; then umount %s; fi\nmkdir -p %s\nrm -f %s\ntruncate -s 4G %s\nmkfs.ext4 -q -F %s\nmount -o loop %s %s\nmkdir -p %s/s\n' \
	"$fs" "$fs" "$fs" "$work/fs.img" "$work/fs.img" "$work/fs.img" "$work/fs.img" "$fs" "$fs" >"$work/fresh_fs"
chmod +x "$work/fresh_fs"
cleanup() {
	if mountpoint -q "$fs" 2>/dev/null; then umount "$fs"; fi
	if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; fi
	"$HULL" --root "$work/state" --storage-root "$work/h2" rm -f $("$HULL" --storage-root "$work/h2" launch-ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	podman --root "$work/p2/root" --runroot "$work/p2/run" rm -af >/dev/null 2>&1 || true
	podman --root "$work/p2/root" --runroot "$work/p2/run" system reset -f >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$CACHE"

# ---- the image: bookworm minbase + two small layers, as an OCI layout (cached) ----
rootfs=$CACHE/bookworm-minbase
if [ ! -d "$rootfs/usr" ]; then
	echo "images.sh: debootstrap bookworm (minbase) into $rootfs ..." >&2
	rm -rf "$rootfs.new"
	debootstrap --variant=minbase bookworm "$rootfs.new" "$MIRROR" >/dev/null
	mv "$rootfs.new" "$rootfs"
fi
layout=$CACHE/layout
if [ ! -f "$layout/index.json" ] || ! umoci stat --image "$layout:bench" >/dev/null 2>&1; then
	echo "images.sh: building the 3-layer OCI image ..." >&2
	rm -rf "$layout" "$work/b"
	umoci init --layout "$layout"
	umoci new --image "$layout:bench"
	umoci unpack --image "$layout:bench" "$work/b" >/dev/null
	cp -a "$rootfs/." "$work/b/rootfs/"
	# Image build tools leave /dev empty (its nodes come from the runtime).
	find "$work/b/rootfs/dev" -mindepth 1 -delete
	umoci repack --image "$layout:bench" "$work/b"
	rm -rf "$work/b"
	umoci unpack --image "$layout:bench" "$work/b" >/dev/null
	mkdir -p "$work/b/rootfs/srv/app"
	head -c 4000000 /dev/urandom >"$work/b/rootfs/srv/app/data.bin"
	umoci repack --image "$layout:bench" "$work/b"
	rm -rf "$work/b"
	umoci unpack --image "$layout:bench" "$work/b" >/dev/null
	echo "bench=1" >"$work/b/rootfs/etc/app.conf"
	rm -rf "$work/b/rootfs/usr/share/doc/apt"
	umoci repack --image "$layout:bench" "$work/b"
	umoci config --image "$layout:bench" --config.cmd /bin/bash
	umoci gc --layout "$layout"
	rm -rf "$work/b"
fi
size_u=$(du -sb "$rootfs" | cut -f1)
size_c=$(jq '[.layers[].size] | add' "$layout/blobs/sha256/$(jq -r '.manifests[-1].digest' "$layout/index.json" | cut -d: -f2)")

# ---- a loopback registry ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/reg.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/regdata
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/reg.yml" >"$work/reg.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
REF=127.0.0.1:$port/bench/bookworm:1
skopeo copy -q --dest-tls-verify=false "oci:$layout:bench" "docker://$REF"

export CONTAINERS_CONF=$work/containers.conf
printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$CONTAINERS_CONF"
P1="podman --root $fs/p/root --runroot $fs/p/run --storage-driver overlay"

echo "== pull + unpack: $REF ($((size_c / 1000000)) MB compressed, $((size_u / 1000000)) MB unpacked, 3 layers), $RUNS runs"
hyperfine --style basic --runs "$RUNS" --export-json "$work/pull.json" \
	--prepare "$work/fresh_fs" \
	-n hull "$HULL --storage-root $fs/h image pull -q --tls-verify=false $REF" \
	-n "skopeo+umoci" "skopeo copy -q --src-tls-verify=false docker://$REF oci:$fs/s/layout:b && umoci unpack --image $fs/s/layout:b $fs/s/bundle >/dev/null" \
	-n "podman pull" "$P1 pull -q --tls-verify=false $REF >/dev/null"

# ---- launch with the image present ----
bb=$work/bb
mkdir -p "$bb/bin"
cp "$(command -v busybox)" "$bb/bin/busybox"
ln -s busybox "$bb/bin/true"
ln -s busybox "$bb/bin/sh"
tar -C "$bb" -cf "$work/bb.tar" .
P2="podman --root $work/p2/root --runroot $work/p2/run"
$P2 import -q "$work/bb.tar" localhost/benchbb:1 >/dev/null
$P2 save -q --format oci-archive -o "$work/bb-oci.tar" localhost/benchbb:1
H2="$HULL --root $work/state --storage-root $work/h2"
$H2 image import "oci-archive:$work/bb-oci.tar" localhost/benchbb:1 >/dev/null
$H2 launch --rm localhost/benchbb:1 true
prun="$P2 run --rm localhost/benchbb:1 true"
if ! $prun >/dev/null 2>&1; then
	prun="$P2 run --rm --network none localhost/benchbb:1 true"
fi
echo "== launch --rm IMAGE true (image present), $LRUNS runs"
hyperfine --style basic -N --warmup 3 --runs "$LRUNS" --export-json "$work/launch.json" \
	-n "hull launch" "$H2 launch --rm localhost/benchbb:1 true" \
	-n "podman run" "$prun"

# ---- hashing ----
# Same 256 KiB blocks as the layer pass; alternate and keep the best of three (other load on
# the machine only ever slows a sample down).
ossl=0
mine=0
for _ in 1 2 3; do
	o=$(openssl speed -evp sha256 -bytes 262144 -seconds 2 2>/dev/null | awk '/^sha256/ {sub("k","",$2); print $2/1000}')
	m=$("$BUILD/lib/image/bench_image_digest" 2048)
	ossl=$(echo "if ($o > $ossl) $o else $ossl" | bc -l)
	mine=$(echo "if ($m > $mine) $m else $mine" | bc -l)
done

mean() { jq -r ".results[] | select(.command==\"$2\") | .mean" "$1"; }
h=$(mean "$work/pull.json" hull)
su=$(mean "$work/pull.json" "skopeo+umoci")
pp=$(mean "$work/pull.json" "podman pull")
hl=$(mean "$work/launch.json" "hull launch")
pr=$(mean "$work/launch.json" "podman run")
echo
echo "| measurement | hull | peer | ratio (hull/peer) |"
echo "|---|---|---|---|"
printf '| pull+unpack %d MB (%d MB gz), 3 layers vs skopeo copy + umoci unpack | %.2f s | %.2f s | %.3f |\n' \
	$((size_u / 1000000)) $((size_c / 1000000)) "$h" "$su" "$(echo "$h / $su" | bc -l)"
printf '| same vs podman pull (overlay, empty store) | %.2f s | %.2f s | %.3f |\n' "$h" "$pp" "$(echo "$h / $pp" | bc -l)"
printf '| launch --rm IMAGE true vs podman run --rm IMAGE true | %.1f ms | %.1f ms | %.3f |\n' \
	"$(echo "$hl * 1000" | bc -l)" "$(echo "$pr * 1000" | bc -l)" "$(echo "$hl / $pr" | bc -l)"
printf '| SHA-256, 256 KiB blocks: hull_hasher vs openssl speed -evp sha256 | %.0f MB/s | %.0f MB/s | %.3f |\n' \
	"$mine" "$ossl" "$(echo "$mine / $ossl" | bc -l)"
