#!/usr/bin/env bash
# `make check`: runs every suite, prints each suite's "N passed, N failed"
# line, then the total. Exits non-zero if any suite failed or could not run.
set -u
cd "$(dirname "$0")/.."
B=${B:-build/x86_64}
total_p=0 total_f=0 rc=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
	local name=$1; shift
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	local st=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$name: suite printed no result line (exit $st)"
		total_f=$((total_f + 1)); rc=1; return
	fi
	local p f
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	total_p=$((total_p + p)); total_f=$((total_f + f))
	[ "$st" = 0 ] && [ "$f" = 0 ] || rc=1
}

run_suite unit "$B/unit-tests"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run_suite unit-asan "$B/unit-tests-asan"
for s in tests/suites/*.sh; do
	[ -e "$s" ] || continue
	run_suite "$(basename "$s" .sh)" bash "$s"
done
echo "check: $total_p passed, $total_f failed"
exit $rc
