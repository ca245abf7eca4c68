#!/usr/bin/env bash
# Test suite "lab": the nested lab (tests/lab/run.sh) boots real Linux L2 guests under a
# static lkvm inside a QEMU/TCG L1 with nested SVM; one pass/fail per LAB-RESULT line,
# plus fails when L1 did not boot or a scenario printed nothing. Scenarios with their own
# L1 kernel (scenarios/NAME.l1kernel) are suite lab-mtty's. Ends with `summary lab`.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

out=${LKVM_LAB_OUT:-build/lab}
tests/lab/run.sh "$@"
lab_collect lab- "$out" $?
summary lab
