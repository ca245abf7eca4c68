#!/usr/bin/env bash
# `make bench`: start-up and footprint figures of lkvm on this machine's
# /dev/kvm with a micro-guest that powers off at its first instruction.
# Prints figures; asserts nothing about time (shared machines are noisy). Ends with
# tests/bench/lab.sh and lab-arm64.sh (nested-lab figures; BENCH_LAB=0 skips them).
set -eu
cd "$(dirname "$0")/../.."
LKVM=${LKVM:-./lkvm}
N=${BENCH_RUNS:-50}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# mov dx, 0x604; mov ax, 0x3400 (SLP_TYP=5 | SLP_EN); out dx, ax
printf '\xba\x04\x06\xb8\x00\x34\xef\xf4' >"$T/off.bin"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: >"$T/first"; : >"$T/whole"; : >"$T/rss"
for i in $(seq "$N"); do
	t0=$(date +%s%N)
	$LKVM run --raw -k "$T/off.bin" -m 64 --debug </dev/null >/dev/null 2>"$T/err"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) >>"$T/whole"
	sed -nE 's/.*vcpu0: first exit ([0-9.]+) ms.*/\1/p' "$T/err" >>"$T/first"
	sed -nE 's/.*VMM overhead (-?[0-9]+) KiB.*/\1/p' "$T/err" >>"$T/rss"
done
echo "bench: $N runs of a micro-guest that powers off at once (-m 64, 1 vCPU)"
echo "start to first guest exit, median: $(median <"$T/first") ms (target <= 5 ms)"
echo "whole run (fork+exec to exit), median: $(median <"$T/whole") us"
echo "VMM resident memory beyond guest RAM, median: $(median <"$T/rss") KiB (target <= 2048 KiB)"

# Figures from the nested labs (BENCH_LAB=0 skips both): tests/bench/lab.sh (x86: virtio-blk
# and VFIO-assigned nvme in an L2 under lkvm, one L1 boot of a few minutes), then
# tests/bench/lab-arm64.sh (nvme with MSI-X relocation off and auto on a 16 KiB-page L1).
rc=0
tests/bench/lab.sh || rc=$?
tests/bench/lab-arm64.sh || rc=$?
exit $rc
