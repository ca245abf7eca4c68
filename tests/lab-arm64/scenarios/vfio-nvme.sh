# Lab scenario "vfio-nvme" (sourced in L1 with l1/lib.sh; runs unless LKVM_LAB_ARM64_VFIO=0):
# binds QEMU's nvme (1b36:0010: 16 KiB BAR0 with the MSI-X table at 0x2000) and e1000e behind
# L1's SMMUv3 to vfio-pci, then boots L2 with --vfio <nvme>,msix-relocation=MODE: on a 4 KiB
# L1 "auto" only (it must leave the layout alone); on a 16 KiB L1 "off" and then "auto". L2
# (vfio-nvme.l2.sh) reads 4 MiB of /dev/nvme0n1 between marks (the sampler of
# tests/lab-lib/bench.sh takes `lkvm stat --vfio` at each), prints the md5, the MSI-X layout
# it sees and its MSI-X interrupts (through the ITS). Results per run NAME=vfio-nvme-MODE:
# NAME-read, NAME-msix, NAME-irqcount (the host counted at least L2's interrupts), NAME-layout
# (same as the device, or moved to another BAR by auto on 16K), NAME-traps (forwarded BAR0
# register traps during the read: some with off on 16K, none otherwise), vfio-nvme-off-warning
# (16K: lkvm's start-up note on the registers that trap), NAME; and vfio-nvme-same-md5 when
# both ran. In the auto run, once L2 is up, `lkvm snapshot` must be refused naming the nvme (no
# VFIO migration), leave no directory, and the VM run on: vfio-nvme-snapshot-refused.
# With lab.bench=1 (make bench)
# L2 also reads 16 MiB sequentially and 2048 x 4 KiB at random; LAB-BENCH lines give rates
# and trap counts per phase.
. /lab/lib/bench.sh
. /lab/lib/vfio.sh
b1=$(vfio-bind 1b36:0010 2>&1); r1=$?
b2=$(vfio-bind 8086:10d3 2>&1); r2=$?
echo "LAB: vfio-bind: $b1 / $b2"
echo "LAB: iommu groups: $(ls /sys/kernel/iommu_groups 2>/dev/null | tr '\n' ' ') /dev/vfio: $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')"
dmesg | grep -iE 'smmu|vfio' | tail -n 5 | sed 's/^/LAB:   /'
if [ $r1 = 0 ] && [ $r2 = 0 ]; then
	lab_result vfio-bind PASS "nvme $b1; e1000e $b2"
else
	lab_result vfio-bind FAIL "nvme(rc $r1): $b1; e1000e(rc $r2): $b2"
fi

# nvme_snap NAME: once L2 NAME is up, `lkvm snapshot` of it into /tmp/snapref (refused).
nvme_snap() {
	for _i in $(seq 600); do
		grep -q L2-BOOT-OK "/tmp/l2-$1.log" 2>/dev/null && break
		sleep 0.2
	done
	"$LKVM" snapshot --name "$1" /tmp/snapref > /tmp/snapref.out 2>&1
	echo $? > /tmp/snapref.rc
}
# nvme_snap_result: the refusal names the device, nothing is left, the VM ran on (l2_check).
nvme_snap_result() {
	_o=$(cat /tmp/snapref.out 2>/dev/null); _r=$(cat /tmp/snapref.rc 2>/dev/null)
	case $_o in
	*"$bdf (1b36:0010) does not support VFIO migration"*)
		if [ "$_r" != 0 ] && [ ! -e /tmp/snapref ]; then
			lab_result vfio-nvme-snapshot-refused PASS "exit $_r: $_o"
		else
			lab_result vfio-nvme-snapshot-refused FAIL "exit $_r, /tmp/snapref left: $_o"
		fi ;;
	*) lab_result vfio-nvme-snapshot-refused FAIL "exit '$_r': '$_o'" ;;
	esac
	rm -rf /tmp/snapref /tmp/snapref.out /tmp/snapref.rc
}

# nvme_run MODE: one L2 boot with the nvme at msix-relocation=MODE, and its results.
nvme_run() {
	_n=vfio-nvme-$1
	bench_sampler_start $_n
	[ "$1" = auto ] && { nvme_snap $_n & }
	_sp=$!
	l2_boot $_n 300 "lab.scenario=vfio-nvme lab.md5=$md5 lab.sync=1 lab.bench=$bench lab.passes=3" -- \
		--name $_n --vfio "$bdf,msix-relocation=$1" --debug
	bench_sampler_stop
	[ "$1" = auto ] && { wait $_sp; nvme_snap_result; }
	echo "LAB: samples: $(tr '\n' ';' < /tmp/bench-$_n.samples)"
	l2_sub $_n-read nvme-read L2-VFIO
	l2_sub $_n-msix nvme-irq L2-VFIO
	vfio_irq_check $_n-irqcount MSI-X
	if [ "$1" = auto ] && [ "$ps" -gt 4096 ]; then
		vfio_layout_check $_n-layout "$bdf" moved
		vfio_trap_check $_n-traps $_n 0 zero
	elif [ "$1" = off ] && [ "$ps" -gt 4096 ]; then
		vfio_layout_check $_n-layout "$bdf" same
		vfio_trap_check $_n-traps $_n 0 some
		# lkvm says at start-up what trapping beside MSI-X costs and that auto helps
		_w=$(grep -m 1 'bytes of registers share a .* host page with the MSI-X' "$L2_LOG")
		case $_w in
		*"auto would map them"*) lab_result $_n-warning PASS "${_w#*lkvm: }" ;;
		*) lab_result $_n-warning FAIL "no start-up note on the registers that trap: '$_w'" ;;
		esac
	else
		vfio_layout_check $_n-layout "$bdf" same
		vfio_trap_check $_n-traps $_n 0 zero
	fi
	for _ph in read4m seq16m rand; do
		[ -n "$(bench_l2 $_ph)" ] && vfio_bench_line "vfio-nvme-$((ps / 1024))k" $_n $_ph | sed "s/ $_ph / $_ph mode=$1 /"
	done
	md5s="$md5s $(grep -m 1 'L2-VFIO nvme-read ok' "$L2_LOG" | sed 's/.*md5=//')"
	l2_check $_n
}

if [ $r1 = 0 ]; then
	bdf=${b1%% *}
	md5=$(lab_param lab.nvme_md5)
	bench=$(lab_param lab.bench)
	ps=$(lab_pagesize)
	md5s=
	if [ "$ps" -gt 4096 ]; then
		nvme_run off
		nvme_run auto
		set -- $md5s
		if [ $# = 2 ] && [ "$1" = "$2" ] && [ "$1" = "$md5" ]; then
			lab_result vfio-nvme-same-md5 PASS "off and auto read the same 4 MiB: md5=$1"
		else
			lab_result vfio-nvme-same-md5 FAIL "md5s off/auto: '$md5s', image's: $md5"
		fi
	else
		nvme_run auto
	fi
else
	lab_result vfio-nvme FAIL "nvme not bound to vfio-pci: $b1"
fi
