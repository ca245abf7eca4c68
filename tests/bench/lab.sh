#!/usr/bin/env bash
# `make bench`, nested part: the lab benchmarks bench-virtio-blk, bench-vfio-nvme and bench-boot
# in ONE L1 boot of tests/lab (own static lkvm, bench-io reader in L1's overlay, nvme in L1 for
# the L1 baseline), then a compact table of their LAB-BENCH figures and the L2 boot times
# (tests/bench/boot-times.sh). Prints figures; asserts no times.
# KVMTOOL=/path/to/a/static/kvmtool-lkvm: bench-boot also boots the bzImage under it, in L1's
# overlay as /lab/bench/kvmtool (build it yourself from kvmtool's source; never commit it).
#   env: LKVM_BENCH_OUT (build/bench), BENCH_LAB=0 to skip, LKVM_LAB_* as for tests/lab/run.sh.
set -eu
cd "$(dirname "$0")/../.."
[ "${BENCH_LAB:-1}" != 0 ] || { echo "bench: lab skipped (BENCH_LAB=0)"; exit 0; }
if [ "$(uname -m)" != x86_64 ]; then
	echo "bench: lab benchmarks need an x86_64 host (tests/lab); skipped"
	exit 0
fi
OUT=$PWD/${LKVM_BENCH_OUT:-build/bench}
mkdir -p "$OUT/overlay/lab/bench"
${CC:-gcc} -O2 -static -Wall -o "$OUT/overlay/lab/bench/bench-io" tests/bench/bench-io.c
rm -f "$OUT/overlay/lab/bench/kvmtool"
if [ -n "${KVMTOOL:-}" ]; then
	# L1 has no libraries of its own for it: a dynamic binary would not start there.
	if [ ! -x "$KVMTOOL" ] || readelf -l "$KVMTOOL" 2>&1 | grep -q -e INTERP -e Error; then
		echo "bench: KVMTOOL=$KVMTOOL is not a statically linked executable; build kvmtool" \
			"with 'make LDFLAGS=-static'" >&2
		exit 2
	fi
	cp "$KVMTOOL" "$OUT/overlay/lab/bench/kvmtool"
fi
# Own object directory and binary: tests/lab/run.sh would build into build/static.
make -s OUT="$OUT/lkvm.static" B=build/bench/static LDFLAGS=-static
# L1's modules as tests/lab/common.sh makes them, plus nvme for bench-vfio-nvme's L1 baseline.
l1mods="irqbypass ccp kvm kvm-amd nvme $(cat tests/lab/scenarios/*.l1modules | tr '\n' ' ')"
rc=0
LKVM_LAB_OUT=$OUT/lab LKVM_LAB_LKVM=$OUT/lkvm.static LKVM_LAB_L1_OVERLAY=$OUT/overlay \
	LKVM_LAB_L1_MODULES=${LKVM_LAB_L1_MODULES:-$l1mods} \
	tests/lab/run.sh --timeout "${LKVM_BENCH_TIMEOUT:-1200}" bench-virtio-blk bench-vfio-nvme bench-boot || rc=$?

# The table: one row per LAB-BENCH line (key=value fields), from the stamped console log.
grep -a 'LAB-BENCH ' "$OUT/lab/l1-console.log" | sed 's/.*LAB-BENCH //' | tr -d '\r' | awk '
function kv(k) { return (k in f) ? f[k] : "-" }
{
	split("", f)
	for (i = 3; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
	if ($1 != last) {
		printf "\n%-10s %-7s %13s %9s %6s %5s %15s %6s %8s %7s %8s %7s %7s %8s\n", $1, "phase",
			"L2", "L1", "L2/L1", "reqs", "traps tbl/pba/f", "irq/rq", "injected",
			"exit/rq", "lkvm ms", "us/rq", "KVM ms", "guest ms"
		last = $1
	}
	if ("l2_iops" in f) { l2 = f["l2_iops"] " IOPS"; l1 = f["l1_iops"] }
	else if ("l2_MBps" in f) { l2 = f["l2_MBps"] " MB/s"; l1 = f["l1_MBps"] }
	else { l2 = "(marks only)"; l1 = "-" }
	traps = ("trap_table" in f) ? f["trap_table"] "/" f["trap_pba"] "/" f["trap_fwd"] : "-"
	irq = ("irqs_per_req" in f) ? f["irqs_per_req"] : "-"
	if (("l2_irqs" in f) && kv("requests") + 0 > 0)
		irq = sprintf("%.2f", f["l2_irqs"] / f["requests"])
	ex = ($2 == "idle") ? kv("exits") " exits" : kv("exits_per_req")
	printf "%-10s %-7s %13s %9s %6s %5s %15s %6s %8s %7s %8s %7s %7s %8s\n", "", $2, l2, l1,
		kv("ratio"), kv("requests"), traps, irq, kv("injected"), ex, kv("lkvm_cpu_ms"),
		kv("lkvm_us_per_req"), kv("kvm_cpu_ms"), kv("guest_ms")
}'
cat <<'NOTE'

L1 = the QEMU/TCG guest reading the same data itself (virtio-blk: the tmpfs image lkvm serves,
buffered; nvme: L1's nvme driver, O_DIRECT, before it is bound to vfio-pci); L2 = the lkvm
guest, O_DIRECT; virtio-9p rows: L2 through lkvm's 9p server, its L1 column virtio-blk's L2 rate
on the same tmpfs file (seq: read; write: 64 MiB, 9p fsync'd, blk O_DIRECT). reqs: block-layer reads completed in L2; irq/rq: L2's interrupts of the device;
injected: interrupts lkvm raised itself (irqfd deliveries never wake lkvm); exit/rq: vCPU exits
to lkvm beyond the idle row's (the marks' own console output); lkvm ms: user time of the vCPU
threads minus guest time plus all other lkvm threads (10 ms ticks), us/rq per request; KVM ms:
kernel time of the vCPU threads; guest ms: L2 running. Absolute rates are TCG-bound and noisy.
NOTE
tests/bench/boot-times.sh "$OUT/lab/l1-console.log"
exit $rc
