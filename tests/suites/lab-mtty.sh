#!/usr/bin/env bash
# Test suite "lab-mtty": the x86 lab's scenarios that need another L1 kernel
# (tests/lab/scenarios/NAME.l1kernel; "mtty": Debian 6.12 with mediated devices), one L1 boot
# per kernel, results under $LKVM_LAB_OUT/KERNEL, one pass/fail per LAB-RESULT (lab-NAME, as
# suite lab names the default L1's). make check runs it in the second lane, beside "lab".
# The static lkvm: LKVM_LAB_LKVM, else suite lab's when it has built one, else its own.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

out=${LKVM_LAB_OUT:-build/lab}
lkvm=${LKVM_LAB_LKVM:-}
[ -n "$lkvm" ] || [ ! -x "$out/lkvm.static" ] || lkvm=$out/lkvm.static
for k in $(cat tests/lab/scenarios/*.l1kernel 2>/dev/null | sort -u); do
	sc=$(grep -lx "$k" tests/lab/scenarios/*.l1kernel | sed 's|.*/||; s|\.l1kernel$||')
	# shellcheck disable=SC2086
	LKVM_LAB_OUT=$out/$k LKVM_LAB_LKVM=$lkvm tests/lab/run.sh "$@" $sc
	lab_collect lab- "$out/$k" $?
done
summary lab-mtty
