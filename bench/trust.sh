#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Trust benchmarks (issue 6), peers in the same run where one exists:
#   1. `hull image verify` of a cosign-signed image through a loopback docker-registry (--key),
#      and of a GPG-signed one (policy signedBy, lookaside) next to `skopeo standalone-verify`
#      of the same signature (the peer, offline: no registry round trips);
#   2. `hull launch --rm IMAGE true` of a signed image: sigstoreSigned policy vs a policy that
#      needs no signature (insecureAcceptAnything), same store, same image: the difference is
#      what signature verification adds to a launch (target: <= 5 ms);
#   3. in-process (build/lib/trust/bench_trust): policy + cached signatures + ECDSA, the layer
#      integrity check before mounting, and sealing a layer from scratch (reading every file), for a
#      busybox image and, when bench/images.sh has cached it, the bookworm image (6000 files).
# Usage: bench/trust.sh [HULL] (run as root). RUNS=N sets hyperfine's runs.
set -euo pipefail

HULL=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/hull}
BUILD=$(dirname "$HULL")
BENCH=$BUILD/lib/trust/bench_trust
CACHE=${HULL_BENCH_CACHE:-/var/cache/hull-bench}
RUNS=${RUNS:-40}

[ "$(id -u)" = 0 ] || { echo "trust.sh: run as root" >&2; exit 1; }
for t in hyperfine skopeo umoci docker-registry gpg jq busybox; do
	command -v $t >/dev/null || { echo "trust.sh: $t is missing (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$BENCH" ] || { echo "trust.sh: $BENCH is missing (ninja -C $BUILD)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/hull-bench-trust.XXXXXX)
reg_pid=
cleanup() {
	if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null || true; fi
	GNUPGHOME=$work/gnupg gpgconf --kill all >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $host
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -sf "http://$host/v2/" >/dev/null && break; sleep 0.1; done

# ---- images: busybox (one layer, ~400 entries) and, if cached, bookworm minbase ----
echo "trust.sh: building images ..." >&2
layout=$work/layout
umoci init --layout "$layout"
umoci new --image "$layout:bb"
umoci unpack --image "$layout:bb" "$work/b" >/dev/null
mkdir -p "$work/b/rootfs/bin" "$work/b/rootfs/etc"
cp "$(command -v busybox)" "$work/b/rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$work/b/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/b/rootfs/etc/passwd"
umoci repack --image "$layout:bb" "$work/b"
umoci config --image "$layout:bb" --config.cmd /bin/true
rm -rf "$work/b"
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:bb" "docker://$host/bench/bb:1"
images=("$host/bench/bb:1")
if umoci stat --image "$CACHE/layout:bench" >/dev/null 2>&1; then
	skopeo copy --quiet --dest-tls-verify=false "oci:$CACHE/layout:bench" "docker://$host/bench/bookworm:1"
	images+=("$host/bench/bookworm:1")
else
	echo "trust.sh: no cached bookworm image (run bench/images.sh once): busybox only" >&2
fi

# ---- keys and signatures ----
export HULL_PASSWORD=bench
"$HULL" key generate "$work/k" >/dev/null
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key "bench <bench@hull.test>" ed25519 sign never 2>/dev/null
fpr=$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr:/ {print $10; exit}')
gpg --batch --export "$fpr" >"$work/gpg.pub"
mkdir -p "$work/registries.d" "$work/sigstore"
printf 'docker:\n  %s:\n    lookaside: file://%s\n' "$host" "$work/sigstore" >"$work/registries.d/l.yaml"
for ref in "${images[@]}"; do
	"$HULL" image sign --tls-verify=false "$ref" --key "$work/k.key" >/dev/null
	"$HULL" image sign --tls-verify=false "$ref" --gpg "$fpr" --lookaside "$work/sigstore" >/dev/null
done
cat >"$work/sig.json" <<EOF
{"default":[{"type":"reject"}],"transports":{"docker":{"$host":[{"type":"sigstoreSigned","keyPath":"$work/k.pub","signedIdentity":{"type":"matchRepository"}}]}}}
EOF
cat >"$work/gpg.json" <<EOF
{"default":[{"type":"reject"}],"transports":{"docker":{"$host":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"$work/gpg.pub"}]}}}
EOF
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/accept.json"

H=("$HULL" --root "$work/state" --storage-root "$work/store")
for ref in "${images[@]}"; do
	"${H[@]}" image pull -q --tls-verify=false --policy "$work/sig.json" "$ref" >/dev/null
done

echo
echo "== 1. verify through the registry (busybox image) =="
bb=${images[0]}
repo=bench/bb
digest=$(skopeo inspect --raw --tls-verify=false "docker://$bb" | sha256sum | cut -c1-64)
skopeo inspect --raw --tls-verify=false "docker://$bb" >"$work/manifest.json"
sig=$work/sigstore/$repo@sha256=$digest/signature-1
hyperfine -N --warmup 3 --runs "$RUNS" --style basic \
	-n "hull image verify --key (cosign, registry)" \
	"$HULL image verify --tls-verify=false -q $bb --key $work/k.pub" \
	-n "hull image verify --policy signedBy (GPG, registry + lookaside)" \
	"$HULL image verify --tls-verify=false -q $bb --policy $work/gpg.json --registries.d $work/registries.d" \
	-n "skopeo standalone-verify (GPG, offline)" \
	"skopeo standalone-verify $work/manifest.json $bb $fpr $sig"

echo
echo "== 2. launch of a signed image: signature policy vs no signature needed =="
for ref in "${images[@]}"; do
	hyperfine -N --warmup 3 --runs "$RUNS" --style basic \
		-n "launch, insecureAcceptAnything ($ref)" \
		"${H[*]} launch --rm --pull never --policy $work/accept.json $ref true" \
		-n "launch, sigstoreSigned ($ref)" \
		"${H[*]} launch --rm --pull never --policy $work/sig.json $ref true"
done

echo
echo "== 3. in process: policy + signatures, layer integrity check, sealing =="
for ref in "${images[@]}"; do
	echo "-- $ref"
	"$BENCH" "$work/store" "$ref" "$work/sig.json" 200
done
