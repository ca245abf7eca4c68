# L2 side of lab benchmark "bench-virtio-blk" (sourced by l2/init): loads the lab's L2 modules,
# takes bench-io from the last disk (lab.tool=its size), then reads /dev/vda sequentially and at
# random between "BENCH-SYNC PHASE-start/-end" marks and prints "BENCH-L2 PHASE <bench-io line>
# requests=N irqs=N" (block-layer reads completed, vda's MSI-X interrupts). With BENCH_LIB_ONLY=1
# it only defines the helpers (bench-vfio-nvme.l2.sh uses them).

# bench_l2_setup TOOLDEV: insmods the modules, waits for TOOLDEV when lab.tool= is set and copies
# bench-io from it to /tmp/bench-io.
bench_l2_setup() {
	for m in $(cat /lab/modules.order); do
		insmod "/lib/modules/lab/$m.ko" 2>/dev/null || echo "L2: insmod $m failed"
	done
	BENCH_TOOL=$(param lab.tool)
	[ "${BENCH_TOOL:-0}" -gt 0 ] || return 0
	i=0
	while [ ! -b "$1" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	head -c "$BENCH_TOOL" "$1" > /tmp/bench-io && chmod +x /tmp/bench-io
}

# bench_l2_io seq|rand|idle DEV BS BYTES|COUNT [PASSES]: bench-io, or without it dd (one pass,
# one process per read for rand, at most 256 reads, timed by /proc/uptime); idle does nothing
# (the marks' baseline).
bench_l2_io() {
	if [ "$1" = idle ]; then
		echo "mode=idle reads=0 bytes=0"
		return
	fi
	if [ -x /tmp/bench-io ]; then
		/tmp/bench-io "$1" "$2" "$3" "$4" ${5:-1} 2>&1 | tail -n 1
		return
	fi
	_t0=$(cut -d' ' -f1 /proc/uptime)
	if [ "$1" = seq ]; then
		_n=$(($4 / $3))
		dd if="$2" of=/dev/null bs="$3" count=$_n iflag=direct 2>/dev/null
	else
		_n=$4; [ "$_n" -le 256 ] || _n=256
		_blocks=$(($(blockdev --getsize64 "$2") / $3))
		for _s in $(awk -v n=$_n -v b=$_blocks \
			'BEGIN { srand(1); for (i = 0; i < n; i++) print int(rand() * b) }'); do
			dd if="$2" of=/dev/null bs="$3" skip=$_s count=1 iflag=direct 2>/dev/null
		done
	fi
	_t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v m="$1" -v bs="$3" -v n=$_n -v t0=$_t0 -v t1=$_t1 'BEGIN { s = t1 - t0; if (s <= 0) s = 0.01
		printf "mode=%s bs=%d reads=%d bytes=%d secs=%.2f MBps=%.1f iops=%.0f direct=1 tool=dd\n",
			m, bs, n, n * bs, s, n * bs / s / 1e6, n / s }'
}

# bench_l2_reads DEV: reads completed on block device DEV (name under /sys/block).
bench_l2_reads() { awk '{ print $1 }' "/sys/block/$1/stat"; }
# bench_l2_irqs PATTERN: interrupts counted on /proc/interrupts lines matching PATTERN (grep -E).
bench_l2_irqs() { grep -E "$1" /proc/interrupts | awk '{ s += $2 } END { print s + 0 }'; }

# bench_l2_phase PHASE BLOCKDEV IRQ-PATTERN MODE BS BYTES|COUNT: one measured phase between marks,
# lab.passes passes
# (L1 samples lkvm during the 2 s pauses after each mark; nothing is printed in between).
bench_l2_phase() {
	_ph=$1; _dev=$2; _irq=$3; shift 3
	echo "BENCH-SYNC $_ph-start"
	sleep 2
	_r0=$(bench_l2_reads "$_dev"); _i0=$(bench_l2_irqs "$_irq")
	_out=$(bench_l2_io "$1" "/dev/$_dev" "$2" "$3" "$(param lab.passes)")
	_r1=$(bench_l2_reads "$_dev"); _i1=$(bench_l2_irqs "$_irq")
	echo "BENCH-SYNC $_ph-end"
	sleep 2
	echo "BENCH-L2 $_ph $_out requests=$((_r1 - _r0)) irqs=$((_i1 - _i0))"
}

if [ -z "${BENCH_LIB_ONLY:-}" ]; then
	bench_l2_setup /dev/vdb
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	v=$(basename "$(readlink -f /sys/block/vda/device)")
	bench_l2_phase idle vda " $v-" idle
	bench_l2_phase seq vda " $v-" seq 1048576 67108864
	bench_l2_phase rand vda " $v-" rand 4096 "$(param lab.rand)"
	grep -E " $v-" /proc/interrupts | sed 's/  */ /g'
fi
