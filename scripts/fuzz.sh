#!/bin/sh
# Run every libFuzzer target in BUILD for SECONDS each (seeded from tests/fuzz/corpus/NAME).
# A crash fails the run. `make fuzz-smoke` uses a short time; use longer runs by hand.
set -eu
build=$1
secs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
fail=0
for bin in "$build"/tests/fuzz/fuzz_* "$build"/fuzz_* "$build"/lib/*/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	seeds="$root/tests/fuzz/corpus/$name"
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
	echo "fuzz: $name for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=0 "$work" >"$work.log" 2>&1; then
		echo "fuzz: $name FAILED" >&2
		tail -40 "$work.log" >&2
		fail=1
	fi
	rm -rf "$work" "$work.log"
done
exit $fail
