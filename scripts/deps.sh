#!/bin/sh
# Install the Debian packages hull needs to build, test, demo and benchmark. Idempotent: when
# everything is present it only runs dpkg-query. Run as root on Debian 12.
set -eu

# build
BUILD="build-essential meson ninja-build pkg-config python3 clang
libseccomp-dev libcap-dev libjson-c-dev
libssl-dev libcurl4-openssl-dev libarchive-dev libsodium-dev libgpgme-dev libsqlite3-dev libyaml-dev zlib1g-dev libisal-dev"
PKGS="$BUILD"
# tests and demo
PKGS="$PKGS python3-pytest busybox-static jq iproute2 util-linux procps libcap2-bin libc6-dev"
# images: a local registry, peers for interop, archives, the bench's debootstrap
PKGS="$PKGS docker-registry skopeo umoci zstd debootstrap bc curl e2fsprogs"
# scanner: rpm databases for fixtures, BerkeleyDB rpmdb, schema validation with npm (ajv).
# A node.js from elsewhere (nodesource) that ships its own npm conflicts with Debian's npm.
PKGS="$PKGS rpm python3-bsddb3"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
# trust: gpg for GPG simple signing (and skopeo's), openssl for independent signatures, Go's
# x/crypto to check that hull's encrypted keys are what cosign reads
PKGS="$PKGS gnupg openssl golang-go golang-golang-x-crypto-dev"
# peers and real clients used by the integration tests and benchmarks
PKGS="$PKGS crun runc podman conmon uidmap containernetworking-plugins hyperfine time containerd"

case "${1:-all}" in
build) PKGS="$BUILD" ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
