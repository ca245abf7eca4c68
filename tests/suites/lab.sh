#!/usr/bin/env bash
# Test suite "lab": the nested lab (tests/lab/run.sh) boots real Linux L2 guests under a
# static lkvm inside a QEMU/TCG L1 with nested SVM; one pass/fail per LAB-RESULT line,
# plus fails when L1 did not boot or a scenario printed nothing. Scenarios with their own
# L1 kernel (scenarios/NAME.l1kernel) run in one more L1 per kernel, results under
# $LKVM_LAB_OUT/KERNEL. Ends with `summary lab`.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

out=${LKVM_LAB_OUT:-build/lab}

# collect OUTDIR RC: the verdicts of one run.sh (which exits non-zero on any failure).
collect() {
	if [ -s "$1/results.txt" ]; then
		while read -r name verdict detail; do
			if [ "$verdict" = PASS ]; then pass "lab-$name"; else fail "lab-$name" "$detail"; fi
		done < "$1/results.txt"
	else
		fail lab "tests/lab/run.sh produced no results in $1 (exit $2)"
	fi
	[ "$2" = 0 ] || [ "$FAILED" != 0 ] || fail lab "tests/lab/run.sh exited $2"
}

tests/lab/run.sh "$@"
collect "$out" $?
# No scenario named: the other kernels' scenarios too, reusing the static lkvm.
named=0 prev=
for a in "$@"; do
	case $prev:$a in --timeout:*) ;; *:-*) ;; *) named=1 ;; esac
	prev=$a
done
if [ $named = 0 ]; then
	for k in $(cat tests/lab/scenarios/*.l1kernel 2>/dev/null | sort -u); do
		sc=$(grep -lx "$k" tests/lab/scenarios/*.l1kernel | sed 's|.*/||; s|\.l1kernel$||')
		# shellcheck disable=SC2086
		LKVM_LAB_OUT=$out/$k LKVM_LAB_LKVM=${LKVM_LAB_LKVM:-$out/lkvm.static} \
			tests/lab/run.sh "$@" $sc
		collect "$out/$k" $?
	done
fi
summary lab
