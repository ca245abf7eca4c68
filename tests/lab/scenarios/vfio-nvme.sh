# Lab scenario "vfio-nvme" (sourced in L1 with l1/lib.sh): binds QEMU's nvme (1b36:0010)
# to vfio-pci (driver_override + drivers_probe) and boots L2 with --vfio BDF,msix-relocation=auto;
# L2 (vfio-nvme.l2.sh) loads nvme, reads 4 MiB of /dev/nvme0n1 between marks and compares the
# md5 with the image's (lab.nvme_md5, from the host hook vfio-nvme.qemu), reports the MSI-X
# layout it sees and counts nvme's MSI-X interrupts. Results: vfio-nvme-read, vfio-nvme-msix,
# vfio-nvme-irqcount (the host counted at least as many MSI-X interrupts as L2),
# vfio-nvme-layout (4 KiB pages: auto leaves the layout as it is), vfio-nvme-traps (no
# forwarded BAR0 register trap during the read), vfio-nvme. The other vfio-* scenarios
# source this file with VFIO_LIB_ONLY=1 for the helpers.

# vfio_find VENDOR DEVICE: prints the BDF of the first such PCI function.
vfio_find() {
	for _d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$_d/vendor")" = "0x$1" ] && [ "$(cat "$_d/device")" = "0x$2" ]; then
			echo "${_d##*/}"
			return 0
		fi
	done
	return 1
}

# vfio_bind BDF: binds the function to vfio-pci (/bin/vfio-bind of tests/lab-lib); prints
# its group and the time taken.
vfio_bind() {
	_vb=$(vfio-bind "$1" 2>&1)
	_vr=$?
	echo "LAB: $_vb"
	return $_vr
}

# vfio_l2 NAME VENDOR DEVICE L2-SCENARIO [L2-PARAMS...]: binds the device and boots L2
# (256 MiB, 1 vCPU, VM name NAME) with it assigned (options: $VFIO_OPTS, e.g.
# ",msix-relocation=auto"); returns non-zero (after a FAIL result) when the device is missing
# or cannot be bound. Sets VFIO_BDF.
vfio_l2() {
	_n=$1; _ven=$2; _devid=$3; _l2=$4; shift 4
	if ! VFIO_BDF=$(vfio_find "$_ven" "$_devid"); then
		lab_result "$_n" FAIL "no $_ven:$_devid PCI function in L1"
		return 1
	fi
	if ! vfio_bind "$VFIO_BDF"; then
		lab_result "$_n" FAIL "cannot bind $VFIO_BDF to vfio-pci"
		return 1
	fi
	l2_run "$_n" 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name "$_n" \
		--vfio "$VFIO_BDF${VFIO_OPTS:-}" --debug \
		-p "$L2_APPEND lab.scenario=$_l2 lab.end=poweroff $*"
	return 0
}

# vfio_sub NAME CHECK: PASS with L2's "L2-VFIO CHECK ok ..." detail, else FAIL with its reason.
vfio_sub() { l2_sub "$1" "$2" L2-VFIO; }

# vfio_counters: lkvm's trap/interrupt counters (printed at exit with --debug), one line.
vfio_counters() {
	grep -E 'BAR[0-9]: trapped|ROM6: trapped|MSI-X:|MSI:' "$L2_LOG" |
		sed -e 's/^ *//' | tr '\n' ';' | cut -c1-300
}

if [ -z "${VFIO_LIB_ONLY:-}" ]; then
	. /lab/lib/bench.sh
	. /lab/lib/vfio.sh
	bench_sampler_start vfio-nvme
	VFIO_OPTS=,msix-relocation=auto vfio_l2 vfio-nvme 1b36 0010 vfio-nvme \
		"lab.md5=$(lab_param lab.nvme_md5)" lab.sync=1
	ok=$?
	bench_sampler_stop
	if [ $ok = 0 ]; then
		vfio_sub vfio-nvme-read nvme-read
		vfio_sub vfio-nvme-msix nvme-irq
		vfio_layout_check vfio-nvme-layout "$VFIO_BDF" same
		vfio_trap_check vfio-nvme-traps vfio-nvme 0 zero
		vfio_irq_check vfio-nvme-irqcount MSI-X
		vfio_bench_line vfio-nvme-x86 vfio-nvme read4m
		echo "LAB: lkvm counters: $(vfio_counters)"
		l2_check vfio-nvme
	fi
fi
