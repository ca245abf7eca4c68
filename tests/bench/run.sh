#!/usr/bin/env bash
# `make bench`: lkvm's own start-up against a stand-in KVM (tests/bench/startup-native.sh);
# figures of lkvm on this machine's /dev/kvm (tests/bench/startup.sh:
# a micro-guest's start-up and footprint; tests/bench/snapshot.sh: snapshot and
# restore; tests/bench/migrate.sh: live migration's downtime), run in the x86 lab's L1 (tests/kvm-l1) when this host has no usable
# /dev/kvm. Prints figures; asserts nothing about time (shared machines are noisy).
# Ends with tests/bench/lab.sh and lab-arm64.sh (nested-lab figures; BENCH_LAB=0 skips them).
set -eu
cd "$(dirname "$0")/../.."

rc=0
# lkvm's own start-up against a stand-in KVM, natively, whatever this host has
tests/bench/startup-native.sh || rc=$?
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	tests/bench/startup.sh || rc=$?
	tests/bench/snapshot.sh || rc=$?
	tests/bench/migrate.sh || rc=$?
else
	out=build/bench-l1
	echo "bench: no usable /dev/kvm here; running startup, snapshot and migrate in the lab's L1"
	KVM_L1_SUITES=tests/bench tests/kvm-l1/run.sh "$out" startup snapshot migrate || rc=$?
	for s in startup snapshot migrate; do
		cat "$out/$s.log"
		[ "$(cat "$out/$s.rc" 2>/dev/null)" = 0 ] || rc=1
	done
fi

# Figures from the nested labs (BENCH_LAB=0 skips both): tests/bench/lab.sh (x86: virtio-blk
# and VFIO-assigned nvme in an L2 under lkvm, one L1 boot of a few minutes), then
# tests/bench/lab-arm64.sh (nvme with MSI-X relocation off and auto on a 16 KiB-page L1).
tests/bench/lab.sh || rc=$?
tests/bench/lab-arm64.sh || rc=$?
exit $rc
