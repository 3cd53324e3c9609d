#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# hull scan benchmark: import of 100k synthetic OSV records (an osv.dev-style all.zip) plus the
# real advisory files in tests/data, then warm scans of a Debian 12 minbase rootfs against
# that DB. Prints wall times and peak RSS. Trivy and Grype are not compared: neither is packaged
# in Debian 12 and they cannot be installed offline here.
#
# usage: bench/scan.sh [HULL] [RECORDS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
hull=${1:-$root/build/hull}
records=${2:-100000}
data=$root/tests/data
cache=${HULL_TEST_CACHE:-/var/cache/hull-test}
rootfs=$cache/bookworm-minbase
work=$(mktemp -d /var/tmp/hull-bench-scan.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$rootfs/var/lib/dpkg/status" ]; then
	echo "bench: building $rootfs with debootstrap (cached for later runs)"
	debootstrap --variant=minbase bookworm "$rootfs.tmp" http://deb.debian.org/debian >/dev/null
	mv "$rootfs.tmp" "$rootfs"
fi

python3 "$root/bench/scan_synth.py" "$records" "$rootfs" "$work/all.zip"
db=$work/vuln.db

measure() { # label, command...: wall seconds and peak RSS of one run
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
		cat "$work/err" >&2
		exit 1
	}
	set -- $(cat "$work/time")
	printf '%-44s %8.3f s  %7d KiB peak RSS\n' "$label" "$1" "$2"
}

measure "import $records OSV records (all.zip)" "$hull" db import --db "$db" "$work/all.zip"
measure "import real data (DSA, DLA, tracker, secdb, ALSA)" "$hull" db import --db "$db" \
	"$data/debian-DSA-list.txt" "$data/debian-DLA-list.txt" "$data/debian-tracker-fixture.json" \
	"$data/alpine-secdb-v3.11-main.yaml" "$data/almalinux9-ALSA-2023-0946.osv.json"
"$hull" db info --db "$db" | sed -n '2,3p'
du -k "$db" | awk '{printf "DB size: %.1f MiB\n", $1 / 1024}'

# Warm: one run fills the page cache, then the median of 10.
"$hull" scan --db "$db" --format json "dir:$rootfs" >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do
	/usr/bin/time -f "%e %M" -o "$work/t$i" "$hull" scan --db "$db" --format json "dir:$rootfs" >"$work/scan.json"
done
cat "$work"/t[0-9]* | sort -n | awk '{t[NR]=$1; if ($2>m) m=$2} END {printf "%-44s %8.3f s  %7d KiB peak RSS (median of %d, min %.3f s)\n", "warm scan bookworm minbase (all scanners)", t[int((NR+1)/2)], m, NR, t[1]}'
for i in 1 2 3 4 5; do
	/usr/bin/time -f "%e %M" -o "$work/v$i" "$hull" scan --db "$db" --scanners vuln --format json "dir:$rootfs" >/dev/null
done
cat "$work"/v[0-9]* | sort -n | awk '{t[NR]=$1; if ($2>m) m=$2} END {printf "%-44s %8.3f s  %7d KiB peak RSS (median of %d)\n", "warm scan, vulnerabilities only", t[int((NR+1)/2)], m, NR}'
python3 -c "
import json,sys
d=json.load(open('$work/scan.json'))
print('packages %d, vulnerabilities %d, misconfigurations %d, secrets %d, files walked %d' % (
    d['summary']['packages'], len(d['vulnerabilities']), len(d['misconfigurations']), len(d['secrets']), d['target']['files']))"
