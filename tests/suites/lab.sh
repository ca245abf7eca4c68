#!/usr/bin/env bash
# Test suite "lab": the nested lab (tests/lab/run.sh) boots real Linux L2 guests under a
# static lkvm inside a QEMU/TCG L1 with nested SVM; one pass/fail per LAB-RESULT line,
# plus fails when L1 did not boot or a scenario printed nothing. Ends with `summary lab`.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

out=${LKVM_LAB_OUT:-build/lab}
# run.sh exits non-zero on any failure; the verdicts come from results.txt.
tests/lab/run.sh "$@"
rc=$?
if [ -s "$out/results.txt" ]; then
	while read -r name verdict detail; do
		if [ "$verdict" = PASS ]; then pass "lab-$name"; else fail "lab-$name" "$detail"; fi
	done < "$out/results.txt"
else
	fail lab "tests/lab/run.sh produced no results (exit $rc)"
fi
[ "$rc" = 0 ] || [ "$FAILED" != 0 ] || fail lab "tests/lab/run.sh exited $rc"
summary lab
