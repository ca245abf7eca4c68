# Helpers shared by both labs' L2 scenario fragments (busybox sh; l2/init defines param and
# sources this file): bench-io or dd reads between "BENCH-SYNC" marks that L1's sampler
# (bench.sh) answers, the checks of a passed-through nvme (md5 of its first 4 MiB, MSI-X)
# and eth0's bring-up.
# shellcheck shell=sh
. /lab/lib/pci.sh

# l2_root_9p: with root=TAG rootfstype=9p rootflags=OPTS on the kernel command line (kvmtool
# users' way to boot from a host directory over --9p; Debian's 9p is modular, so an initramfs
# must do it, as here): loads /lab/modules.9proot (9p, 9pnet_virtio, virtio_pci with their
# dependencies, in load order), mounts TAG on /newroot and switches to its /sbin/init.
# Returns only without such a root, or when mounting it failed (L2-CHECK-FAIL).
l2_root_9p() {
	[ "$(param rootfstype)" = 9p ] || return 0
	for _m in $(cat /lab/modules.9proot 2>/dev/null); do
		[ -d "/sys/module/$_m" ] || insmod "/lib/modules/lab/$_m.ko" ||
			echo "L2-CHECK-FAIL insmod $_m"
	done
	mkdir -p /newroot
	if mount -t 9p -o "$(param rootflags)" "$(param root)" /newroot; then
		umount /proc /sys 2>/dev/null
		exec switch_root /newroot /sbin/init
	fi
	echo "L2-CHECK-FAIL mounting the 9p root '$(param root)' failed"
}

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

# bench_l2_write TARGET DD-FLAG: 64 MiB of zeroes written to TARGET in 1 MiB blocks with dd's
# DD-FLAG (oflag=direct, conv=fsync), timed: "mode=write bytes=67108864 secs=S MBps=R".
bench_l2_write() {
	_t0=$(cut -d' ' -f1 /proc/uptime)
	dd if=/dev/zero of="$1" bs=1048576 count=64 "$2" 2>/dev/null || { echo "mode=write failed"; return; }
	_t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v a="$_t0" -v b="$_t1" 'BEGIN { s = b - a; if (s <= 0) s = 0.01
		printf "mode=write bytes=67108864 secs=%.2f MBps=%.1f\n", s, 64 / s }'
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

# virtio_9p_l2_checks: the "virtio" scenarios' 9p checks (modules 9p, 9pnet_virtio loaded):
# mounts tag labshare (read-write) and labro (given ,ro to lkvm; mounted rw so the server is
# what refuses), md5 of data.bin and ro.bin (lab.p9md5, lab.p9romd5), copies data.bin to
# copy.bin, mkdir/write/rename/symlink/unlink/rmdir, a write to labro fails, the share's
# symlinks that lead out reach nothing of L1's; "L2-VIRTIO 9p-<check> ok" or
# "L2-CHECK-FAIL 9p-<check> ...", and "L2-VIRTIO 9p-time S" (seconds these checks took).
virtio_9p_l2_checks() {
	_t0=$(cut -d' ' -f1 /proc/uptime)
	_m=/mnt/9p; _r=/mnt/9pro
	mkdir -p $_m $_r
	if ! mount -t 9p -o trans=virtio,version=9p2000.L labshare $_m ||
		! mount -t 9p -o trans=virtio,version=9p2000.L labro $_r; then
		echo "L2-CHECK-FAIL 9p-read: mounting tags labshare/labro failed"
		return 0
	fi
	_got=$(md5sum < $_m/data.bin | cut -d' ' -f1)
	_rogot=$(md5sum < $_r/ro.bin | cut -d' ' -f1)
	if [ "$_got" = "$(param lab.p9md5)" ] && [ "$_rogot" = "$(param lab.p9romd5)" ]; then
		echo "L2-VIRTIO 9p-read ok md5 of data.bin and ro.bin = L1's ($_got)"
	else
		echo "L2-CHECK-FAIL 9p-read: md5 '$_got' '$_rogot', wanted '$(param lab.p9md5)' '$(param lab.p9romd5)'"
	fi
	cp $_m/data.bin $_m/copy.bin || echo "L2-CHECK-FAIL 9p-ops: cp to the share failed"
	if mkdir $_m/d && echo LKVM-9P > $_m/d/f && mv $_m/d/f $_m/d/g &&
		ln -s g $_m/d/l && [ "$(cat $_m/d/l)" = LKVM-9P ] &&
		[ "$(ls $_m/d | tr '\n' ' ')" = "g l " ] && rm $_m/d/l $_m/d/g && rmdir $_m/d &&
		[ ! -e $_m/d ]; then
		echo "L2-VIRTIO 9p-ops ok mkdir, write, rename, symlink, readdir, unlink, rmdir"
	else
		echo "L2-CHECK-FAIL 9p-ops: $(ls -la $_m $_m/d 2>&1 | tr '\n' ' ' | cut -c1-200)"
	fi
	if echo x 2>/dev/null > $_r/new || touch $_r/ro.bin 2>/dev/null || mkdir $_r/dd 2>/dev/null; then
		echo "L2-CHECK-FAIL 9p-ro: a write to the ro share succeeded"
	else
		echo "L2-VIRTIO 9p-ro ok write, touch and mkdir refused on the ro share"
	fi
	if cat $_m/up $_m/abs $_m/../secret 2>/dev/null | grep -q LKVM-SECRET; then
		echo "L2-CHECK-FAIL 9p-escape: L1's secret read through the share"
	else
		echo "L2-VIRTIO 9p-escape ok symlinks out of the share reach nothing of L1's"
	fi
	umount $_m; umount $_r
	echo "L2-VIRTIO 9p-time $(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.2f", b - a }')"
}

# nvme_hp_read CHECK SECS: waits up to SECS for /dev/nvme0n1 (a device hot-added by L1's
# `lkvm vfio add`), then nvme_read_check reported as CHECK.
nvme_hp_read() {
	_i=0
	while [ ! -b /dev/nvme0n1 ] && [ $_i -lt $(($2 * 10)) ]; do sleep 0.1; _i=$((_i + 1)); done
	if [ -b /dev/nvme0n1 ]; then
		nvme_read_check 2>&1 | sed "s/nvme-read/$1/"
	else
		echo "L2-CHECK-FAIL $1: no /dev/nvme0n1 within $2 s"
	fi
}

# l2_gone_wait CHECK PATH SECS: waits up to SECS for PATH to go (L1's `lkvm vfio remove`:
# pciehp's removal on the attention button): "L2-VFIO CHECK ok after N s" or L2-CHECK-FAIL,
# a second later (lkvm's line about the removal, which shares L1's log, is out by then,
# not in the middle of this one).
l2_gone_wait() {
	_i=0
	while [ -e "$2" ] && [ $_i -lt $(($3 * 10)) ]; do sleep 0.1; _i=$((_i + 1)); done
	sleep 1
	if [ ! -e "$2" ]; then
		echo "L2-VFIO $1 ok after $((_i / 10)) s"
	else
		echo "L2-CHECK-FAIL $1: $2 still there after $3 s"
	fi
}

# nvme_port_checks: with nvme0 behind a hotplug root port (scenario vfio-port): "L2-VFIO
# port-topo ok ..." when its parent is a root port bound to pcieport with a pciehp slot;
# then the slot's power off through pciehp ("port-off": the nvme is gone) and on again
# ("port-on": md5 of /dev/nvme0n1 as in nvme-read).
nvme_port_checks() {
	dmesg | grep -i -E 'pciehp|_OSC|0000:00:1f' | head -8 | sed 's/^/L2: /'
	dev=$(readlink -f /sys/class/nvme/nvme0/device 2>/dev/null)
	port=${dev%/*}
	addr=${dev##*/}
	slot=
	for _s in /sys/bus/pci/slots/*; do
		[ "$(cat "$_s/address" 2>/dev/null)" = "${addr%.*}" ] && slot=$_s
	done
	drv=$(readlink -f "$port/driver" 2>/dev/null)
	if [ -n "$slot" ] && [ "${drv##*/}" = pcieport ] && [ "${port##*/}" != pci0000:00 ]; then
		echo "L2-VFIO port-topo ok nvme=$addr port=${port##*/} slot=${slot##*/}"
	else
		echo "L2-CHECK-FAIL port-topo: nvme '$dev' parent '${port##*/}' driver '${drv##*/}' slot '$slot'"
	fi
	if [ -n "$slot" ]; then
		echo 0 > "$slot/power"
		_p=$(cat "$slot/power")
		if [ ! -e /sys/class/nvme/nvme0 ] && [ ! -e "$dev" ] && [ "$_p" = 0 ]; then
			echo "L2-VFIO port-off ok power=$_p"
		else
			echo "L2-CHECK-FAIL port-off: power '$_p', nvme0 still $(ls /sys/class/nvme 2>&1)"
		fi
		echo 1 > "$slot/power"
		nvme_wait
		nvme_read_check 2>&1 | sed 's/nvme-read/port-on/'
	fi
}

# snapv_sector N: the first line of sector N, read from the disk, not the page cache.
snapv_sector() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	dd if=/dev/vda bs=512 skip="$1" count=1 2>/dev/null | head -n 1
}
# snapv_ping TRIES PINGS: pings L1 until it answers (its tap may still be coming up), then
# PINGS times: the ping summary line.
snapv_ping() {
	_i=0
	while ! ping -c 1 -W 2 10.0.2.1 >/dev/null 2>&1 && [ $_i -lt "$1" ]; do
		_i=$((_i + 1))
	done
	ping -c "$2" -W 3 10.0.2.1 2>&1 | grep 'packets transmitted'
}

# snapv_l2 COUNT PINGS STAMP: the L2 side of the labs' snap-virtio and mig-virtio scenarios:
# writes "BEFORE-<lab.token>" to sector 0 of /dev/vda, puts 10.0.2.15/24 on eth0 and pings L1,
# then counts to COUNT every 0.5 s ("L2-SNAPV count N", with STAMP=1 " up=UPTIME"; each count
# written and synced to sector 16) while L1 snapshots/restores or migrates it. Then sector 0
# read back with the page cache dropped, "AFTER-<token>" written to sector 8 and read back, L1
# pinged again (PINGS pings). Prints "L2-SNAPV <check> ok ..." or "L2-CHECK-FAIL snapv-<check>
# ...", then "L2-SNAPV done count=N".
snapv_l2() {
	tok=$(param lab.token)
	i=0
	while { [ ! -b /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	ip link set lo up
	ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up ||
		echo "L2-CHECK-FAIL snapv-setup: no eth0 ($(ls /sys/class/net | tr '\n' ' '))"
	printf 'BEFORE-%s\n' "$tok" | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null
	[ "$(snapv_sector 0)" = "BEFORE-$tok" ] || echo "L2-CHECK-FAIL snapv-setup: sector 0 not written"
	out=$(snapv_ping 30 "$2")
	case $out in
	*" 0% packet loss"*) echo "L2-SNAPV net-before ok $out" ;;
	*) echo "L2-CHECK-FAIL snapv-net-before: ping 10.0.2.1: $out" ;;
	esac
	i=0
	while [ $i -lt "$1" ]; do
		i=$((i + 1))
		if [ "$3" = 1 ]; then echo "L2-SNAPV count $i up=$(cut -d' ' -f1 /proc/uptime)"; else echo "L2-SNAPV count $i"; fi
		printf '%s\n' $i | dd of=/dev/vda bs=512 seek=16 count=1 conv=sync 2>/dev/null
		sync
		sleep 0.5
	done
	got=$(snapv_sector 0)
	if [ "$got" = "BEFORE-$tok" ]; then
		echo "L2-SNAPV disk-read ok sector 0: $got"
	else
		echo "L2-CHECK-FAIL snapv-disk-read: sector 0 holds '$got', want BEFORE-$tok"
	fi
	printf 'AFTER-%s\n' "$tok" | dd of=/dev/vda bs=512 seek=8 count=1 conv=sync 2>/dev/null
	got=$(snapv_sector 8)
	if [ "$got" = "AFTER-$tok" ]; then
		echo "L2-SNAPV disk-write ok sector 8: $got"
	else
		echo "L2-CHECK-FAIL snapv-disk-write: sector 8 holds '$got', want AFTER-$tok"
	fi
	out=$(snapv_ping 30 "$2")
	case $out in
	*" 0% packet loss"*) echo "L2-SNAPV net ok $out" ;;
	*) echo "L2-CHECK-FAIL snapv-net: ping 10.0.2.1 after the restore: $out" ;;
	esac
	echo "L2-SNAPV done count=$i"
}

# disk_hp_l2: L2's side of tests/lab-lib/vfio.sh disk_hp: says L2-HP-DISK-WAIT, waits (90 s) for
# the /dev/vda L1 adds (`lkvm disk add`), prints its md5 ("L2-HP-DISK md5 SUM"), says
# L2-HP-DISK-READ-DONE, and "L2-VFIO hp-disk-gone ok" once L1's `lkvm disk remove` took it away.
disk_hp_l2() {
	echo "L2-HP-DISK-WAIT"
	_i=0
	while [ ! -b /dev/vda ] && [ $_i -lt 900 ]; do sleep 0.1; _i=$((_i + 1)); done
	if [ -b /dev/vda ]; then
		echo "L2-HP-DISK md5 $(md5sum < /dev/vda | cut -d' ' -f1) ($(cat /sys/block/vda/size) sectors)"
	else
		echo "L2-CHECK-FAIL hp-disk: no /dev/vda within 90 s of L2-HP-DISK-WAIT"
	fi
	echo "L2-HP-DISK-READ-DONE"
	l2_gone_wait hp-disk-gone /sys/block/vda 60
	dmesg | grep -i -E 'pciehp|virtio_blk|vda' | tail -4 | sed 's/^/L2: /'
}
