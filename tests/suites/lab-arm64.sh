#!/usr/bin/env bash
# Test suite "lab-arm64": the arm64 nested lab (tests/lab-arm64/run.sh): a static arm64 lkvm in
# QEMU/TCG L1s (4K 6.1 and 16K 6.12 kernels) boots L2 Linux through the boot, virtio, virtio-intx,
# snap-virtio (and vfio-nvme unless LKVM_LAB_ARM64_VFIO=0) scenarios; one pass/fail per LAB-RESULT.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh

out=${LKVM_LAB_ARM64_OUT:-build/lab-arm64}
tests/lab-arm64/run.sh "$@" > "${TMPDIR:-/tmp}/lab-arm64.$$.log" 2>&1
rc=$?
if [ -s "$out/results.txt" ]; then
	while read -r name verdict detail; do
		if [ "$verdict" = PASS ]; then pass "lab-arm64-$name"; else fail "lab-arm64-$name" "$detail"; fi
	done < "$out/results.txt"
else
	fail lab-arm64 "tests/lab-arm64/run.sh produced no results (exit $rc): $(tail -n 20 "${TMPDIR:-/tmp}/lab-arm64.$$.log")"
fi
rm -f "${TMPDIR:-/tmp}/lab-arm64.$$.log"
[ "$rc" = 0 ] || [ "$FAILED" != 0 ] || fail lab-arm64 "tests/lab-arm64/run.sh exited $rc"
summary lab-arm64
