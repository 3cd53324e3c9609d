#!/bin/sh
# What admission adds to `hull create` (docs/admission.md, "Cost").
#   bench/audit.sh BUILD_DIR [RUNS]
# 1. in-process (build/lib/audit/audit_bench): the admission hook's work for one container,
#    without and with syslog (a private mount namespace gets its own /dev/log listener, so the
#    host's syslog is untouched);
# 2. end to end: hyperfine `hull create` (+ delete in --prepare) with and without --admission.
set -eu
build=$(cd "$1" && pwd)
runs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
hull=$build/hull
work=$(mktemp -d /tmp/hull-audit-bench.XXXXXX)
trap 'for c in a b; do "$hull" --root "$work/state" delete --force bench-$c >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

# A policy as an operator would write it: PSS baseline, high-severity CIS items, the usual rules.
cat >"$work/admission.json" <<JSON
{"mode": "warn", "standard": "pss-baseline", "requireChecks": ["container.no-new-privileges",
 "container.readonly-rootfs", "container.user-namespace", "container.runtime-socket"],
 "requireSeccomp": true, "requireUserNamespace": true,
 "maxCapabilities": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE",
                     "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"],
 "allowedHostPaths": ["/srv"], "auditLog": "$work/admission.log", "syslog": true}
JSON

# the hardened root is read-only: every mount point must exist
for d in bin proc sys dev tmp run etc; do mkdir -p "$work/bundle/rootfs/$d"; done
cp "$(command -v busybox)" "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/sh"
"$hull" spec --bundle "$work/bundle"
n=$((runs * 50))

echo "== in-process admission cost (audit_bench, $n iterations)"
"$build/lib/audit/audit_bench" -n "$n" "$work/admission.json" \
	"$root/tests/golden/audit/inputs/podman-4.3-run.json" "$work/bundle/config.json"
unshare --mount --propagation private sh -c '
	mount -t tmpfs tmpfs /dev
	mknod -m 666 /dev/null c 1 3
	/usr/bin/python3 -c "
import socket, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
open(\"/dev/log.ready\", \"w\").close()
while True:
    s.recv(65536)
" &
	listener=$!
	i=0
	while [ ! -e /dev/log.ready ]; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "no /dev/log listener" >&2; exit 1; }
		sleep 0.05
	done
	"$0" -n "$1" --syslog "$2" "$3" "$4"
	kill $listener
' "$build/lib/audit/audit_bench" "$n" "$work/admission.json" \
	"$root/tests/golden/audit/inputs/podman-4.3-run.json" "$work/bundle/config.json"

echo "== end to end: hull create (hardened spec), $runs runs each"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/hyperfine.json" \
	--prepare "$hull --root $work/state delete --force bench-a" \
	-n "create" "$hull --root $work/state create --bundle $work/bundle bench-a" \
	--prepare "$hull --root $work/state delete --force bench-a" \
	-n "create --admission" "$hull --root $work/state --admission $work/admission.json create --bundle $work/bundle bench-a" \
	2>&1 | grep -v "^ *$" || true
/usr/bin/python3 - "$work/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["create"], r["create --admission"]
print(f"median create {a['median']*1e3:.2f} ms, with admission {b['median']*1e3:.2f} ms: "
      f"difference {(b['median']-a['median'])*1e3:+.2f} ms (mean {(b['mean']-a['mean'])*1e3:+.2f} ms, "
      f"stddev {a['stddev']*1e3:.2f}/{b['stddev']*1e3:.2f} ms)")
PY
echo "audit log lines written: $(wc -l <"$work/admission.log")"
