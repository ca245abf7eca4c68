# Helpers shared by both labs' L2 scenario fragments (busybox sh; l2/init defines param and
# sources this file): bench-io or dd reads between "BENCH-SYNC" marks that L1's sampler
# (bench.sh) answers, the checks of a passed-through nvme (md5 of its first 4 MiB, MSI-X)
# and eth0's bring-up.
# shellcheck shell=sh
. /lab/lib/pci.sh

# eth0_up: waits up to 10 s for eth0, brings it up and waits up to 10 s for its carrier
# ($_i: the carrier polls it took).
eth0_up() {
	_i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	ip link set eth0 up
	_i=0
	while [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}

# bench_l2_setup [TOOLDEV]: loads the modules (the lab's l2_modules when it has one, else
# /lab/modules.order), then puts bench-io at /tmp/bench-io: from the initramfs
# (/lab/bench/bench-io) or from TOOLDEV when lab.tool= is set.
bench_l2_setup() {
	if type l2_modules > /dev/null 2>&1; then
		l2_modules
	else
		for m in $(cat /lab/modules.order); do
			insmod "/lib/modules/lab/$m.ko" 2>/dev/null || echo "L2: insmod $m failed"
		done
	fi
	if [ -x /lab/bench/bench-io ]; then
		cp /lab/bench/bench-io /tmp/bench-io
		return 0
	fi
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

# nvme_wait: waits up to 15 s for /dev/nvme0n1.
nvme_wait() {
	_i=0
	while [ ! -b /dev/nvme0n1 ] && [ $_i -lt 150 ]; do sleep 0.1; _i=$((_i + 1)); done
}

# nvme_read_check: md5 of the first 4 MiB of /dev/nvme0n1 against lab.md5=: "L2-VFIO
# nvme-read ok md5=..." or "L2-CHECK-FAIL nvme-read ...". With lab.sync=1 the read is one
# phase "read4m" between BENCH-SYNC marks (L1 counts lkvm's traps during it) and its rate
# is printed as "BENCH-L2 read4m ...".
nvme_read_check() {
	_want=$(param lab.md5)
	[ "$(param lab.sync)" = 1 ] && { echo "BENCH-SYNC read4m-start"; sleep 2; }
	_r0=$(bench_l2_reads nvme0n1)
	_t0=$(cut -d' ' -f1 /proc/uptime)
	_got=$(head -c 4194304 /dev/nvme0n1 2>/dev/null | md5sum | cut -d' ' -f1)
	_t1=$(cut -d' ' -f1 /proc/uptime)
	_r1=$(bench_l2_reads nvme0n1)
	if [ "$(param lab.sync)" = 1 ]; then
		echo "BENCH-SYNC read4m-end"
		sleep 2
		awk -v t0="$_t0" -v t1="$_t1" -v r=$((_r1 - _r0)) 'BEGIN { s = t1 - t0; if (s <= 0) s = 0.01
			printf "BENCH-L2 read4m mode=md5 bytes=4194304 secs=%.2f MBps=%.1f requests=%d\n",
				s, 4.194304 / s, r }'
	fi
	if [ -n "$_want" ] && [ "$_got" = "$_want" ]; then
		echo "L2-VFIO nvme-read ok md5=$_got"
	else
		echo "L2-CHECK-FAIL nvme-read: md5 of /dev/nvme0n1 '$_got', wanted '$_want'"
	fi
}

# nvme_layout: "L2-VFIO nvme-layout ok <pci_msix_layout>" for nvme0's PCI function, as the
# guest's config space shows it (L1 compares it with the real device's).
nvme_layout() {
	_dev=$(readlink -f /sys/class/nvme/nvme0/device 2>/dev/null)
	if [ -n "$_dev" ]; then
		echo "L2-VFIO nvme-layout ok $(pci_msix_layout "$_dev") dev=${_dev##*/}"
	else
		echo "L2-CHECK-FAIL nvme-layout: no /sys/class/nvme/nvme0/device"
	fi
}

# virtio_l2_checks CHIP-ERE: the "virtio" scenarios' L2 checks (modules already loaded): vda's
# md5 (lab.md5) and a write of lab.pattern at sector 8192, vdb read-only (lab.romd5), 64 bytes
# from virtio_rng, a marker through /dev/hvc0, and per-queue MSI-X vectors ("virtioN-<vq>")
# on an irqchip matching CHIP-ERE (grep -E) that counted. Prints "L2-VIRTIO <check> ok ..."
# or "L2-CHECK-FAIL <check> ...".
virtio_l2_checks() {
	_i=0
	while { [ ! -b /dev/vdb ] || [ ! -c /dev/hvc0 ]; } && [ $_i -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	echo "L2: virtio devices: $(ls /sys/bus/virtio/devices/ 2>/dev/null | tr '\n' ' ')"
	_want=$(param lab.md5)
	_got=$(head -c 4194304 /dev/vda | md5sum | cut -d' ' -f1)
	if [ -n "$_want" ] && [ "$_got" = "$_want" ]; then
		echo "L2-VIRTIO blk-read ok md5 of 4 MiB of /dev/vda = L1's ($_got)"
	else
		echo "L2-CHECK-FAIL blk-read: md5 of /dev/vda '$_got', wanted '$_want'"
	fi
	if printf '%s' "$(param lab.pattern)" |
		dd of=/dev/vda bs=512 seek=8192 conv=sync,fsync 2>/dev/null; then
		echo "L2-VIRTIO blk-write ok"
	else
		echo "L2-CHECK-FAIL blk-write: dd to /dev/vda failed"
	fi
	_want=$(param lab.romd5)
	_got=$(md5sum < /dev/vdb | cut -d' ' -f1)
	_ro=$(cat /sys/block/vdb/ro 2>/dev/null)
	if dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; then
		echo "L2-CHECK-FAIL blk-ro: writing /dev/vdb succeeded"
	elif [ "$_ro" != 1 ] || [ "$_got" != "$_want" ]; then
		echo "L2-CHECK-FAIL blk-ro: ro=$_ro md5 '$_got', wanted '$_want'"
	else
		echo "L2-VIRTIO blk-ro ok /dev/vdb ro=1, write refused, md5 = L1's"
	fi
	_cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
	_n=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)
	case "$_cur" in
	virtio_rng*)
		if [ "$_n" = 64 ]; then echo "L2-VIRTIO rng ok rng_current=$_cur read 64 bytes"
		else echo "L2-CHECK-FAIL rng: read $_n bytes from /dev/hwrng"; fi ;;
	*)	echo "L2-CHECK-FAIL rng: rng_current is '$_cur'" ;;
	esac
	if [ -c /dev/hvc0 ]; then
		echo "L2-HVC-$(echo OK)" > /dev/hvc0
	else
		echo "L2-CHECK-FAIL console: no /dev/hvc0"
	fi
	grep virtio /proc/interrupts | sed 's/  */ /g'
	_vq=$(grep -E 'virtio[0-9]+-(config|requests|input|output|req)' /proc/interrupts | grep -E "$1")
	_n=$(echo "$_vq" | grep -c .)
	_cnt=$(echo "$_vq" | awk '{ s += $2 } END { print s + 0 }')
	if [ "$_n" -gt 0 ] && [ "$_cnt" -gt 0 ]; then
		echo "L2-VIRTIO msix ok $_n per-queue MSI-X vectors on /$1/, $_cnt interrupts"
	else
		echo "L2-CHECK-FAIL msix: per-queue virtio vectors on /$1/: $_n, interrupts $_cnt"
	fi
}
