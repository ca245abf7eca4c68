#!/usr/bin/env bash
# `make bench`, arm64 part: MSI-X relocation on a 16 KiB-page host. One 16K L1 boot of
# tests/lab-arm64 runs scenario vfio-nvme with lab.bench=1: L2 reads the passed-through nvme
# with msix-relocation=off, then auto (4 MiB md5 read, 16 MiB sequential and 2048 random 4 KiB
# O_DIRECT reads); prints a table of traps per read and L2 throughput. Asserts no times.
#   env: LKVM_BENCH_OUT (build/bench), BENCH_LAB=0 to skip, LKVM_LAB_ARM64_* as for run.sh.
set -eu
cd "$(dirname "$0")/../.."
[ "${BENCH_LAB:-1}" != 0 ] || { echo "bench: arm64 lab skipped (BENCH_LAB=0)"; exit 0; }
OUT=$PWD/${LKVM_BENCH_OUT:-build/bench}/lab-arm64
mkdir -p "$OUT"
rc=0
LKVM_LAB_ARM64_OUT=$OUT LKVM_LAB_ARM64_BENCH=1 LKVM_LAB_ARM64_VFIO=1 \
	tests/lab-arm64/run.sh --kernels 16k vfio-nvme > "$OUT/run.log" 2>&1 || rc=$?
grep -a ' FAIL ' "$OUT/results.txt" 2>/dev/null | sed 's/^/bench: arm64 lab: /' || true

echo
echo "MSI-X relocation, nvme passed through to L2 on a 16 KiB-page arm64 L1 (QEMU nvme: 16 KiB"
echo "BAR0 with its MSI-X table at 0x2000, so with relocation off the whole BAR0 traps):"
grep -a 'LAB-BENCH vfio-nvme-16k ' "$OUT/l1-16k-console.log" | sed 's/.*LAB-BENCH //' | tr -d '\r' | awk '
function kv(k) { return (k in f) ? f[k] : "-" }
BEGIN {
	printf "%-7s %-5s %10s %8s %6s %7s %9s %8s %8s %8s\n", "phase", "reloc", "L2 MB/s", "IOPS",
		"reqs", "traps", "traps/rq", "BAR0 fwd", "exit/rq", "lkvm us/rq"
}
{
	split("", f)
	for (i = 3; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	printf "%-7s %-5s %10s %8s %6s %7s %9s %8s %8s %8s\n", $2, kv("mode"), kv("l2_MBps"),
		kv("l2_iops") == "" ? "-" : kv("l2_iops"), kv("requests"), kv("traps"),
		kv("traps_per_req"), kv("bar0_fwd"), kv("exits_per_req"), kv("lkvm_us_per_req")
	rate[$2, kv("mode")] = ($2 == "rand") ? kv("l2_iops") : kv("l2_MBps")
	traps[$2, kv("mode")] = kv("traps")
	ph[$2] = 1
}
END {
	for (p in ph)
		if (((p, "off") in rate) && ((p, "auto") in rate) && rate[p, "off"] + 0 > 0)
			printf "%s: auto/off throughput %.2fx, traps %s -> %s\n", p,
				rate[p, "auto"] / rate[p, "off"], traps[p, "off"], traps[p, "auto"]
}'
cat <<'NOTE'

traps: accesses lkvm trapped during the phase (MSI-X table + PBA + forwarded registers, from
`lkvm stat --vfio` sampled at L2's marks); BAR0 fwd: the forwarded register accesses (nvme
doorbells) among them; exit/rq: vCPU exits to lkvm per block request; lkvm us/rq: lkvm's
user-space CPU per request (10 ms ticks). read4m is one buffered pass (the md5 read); seq16m
(1 MiB) and rand (4 KiB) are O_DIRECT, median of 3 passes. Absolute rates are nested-TCG-bound
and noisy; compare off and auto within one run.
NOTE
exit $rc
