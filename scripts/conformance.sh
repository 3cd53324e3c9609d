#!/bin/sh
# Run the OCI runtime-tools validation suite (an already built checkout, see
# docs/conformance.md; this script never builds it) against one or more runtimes and report,
# per test program, whether it passed (no "not ok" line and a clean exit).
#   scripts/conformance.sh RUNTIME_TOOLS_DIR RUNTIME [RUNTIME...]
set -u
rt=$1
shift
cd "$rt" || exit 2
tests=$(ls validation/*/*.t | sort)
for runtime in "$@"; do
	pass=0 total=0
	for t in $tests; do
		total=$((total + 1))
		name=$(basename "$t" .t)
		out=$(RUNTIME=$runtime timeout 120 "$t" 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
			pass=$((pass + 1))
			echo "PASS $name"
		else
			echo "FAIL $name (exit $rc): $(printf '%s\n' "$out" | grep -m3 '^not ok' | tr '\n' ' ')"
		fi
	done
	echo "== $runtime: $pass/$total test programs pass"
done
