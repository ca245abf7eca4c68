# Lab scenario "vfio-mdev" (sourced in L1 with l1/lib.sh; its own L1: Debian 6.12 + mtty.ko,
# vfio-mdev.l1kernel): creates an mtty-1 mediated device and boots L2 with --vfio
# /sys/bus/mdev/devices/<UUID>; L2 (vfio-mdev.l2.sh) finds 4348:3253 and round-trips the UART
# scratch register (BAR0 + 7) through sysfs resource0, and opens it as a tty (8250_pci) to get
# INTx (mtty has no unmask eventfd: lkvm unmasks by SET_IRQS on each EOI). Results:
# vfio-mdev-create, -id, -scratch, -intx (2+ interrupts in L2), -loop (a line through the
# UART's TX->RX loop read back by L2's 8250 interrupt handler), -unmask (lkvm's count),
# vfio-mdev (L2 booted, lkvm exit 0), vfio-mdev-gone (the mdev can be removed after lkvm exits),
# vfio-mdev-iommufd (L1's rebuilt stack has /dev/iommu and the mdev's cdev, and lkvm, on
# iommu=auto, drove it through them: its exit statistics, `lkvm stat --vfio`'s lines, say so).
MDEV=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
MDEV_TYPES=/sys/class/mdev_bus/mtty/mdev_supported_types
if ! echo $MDEV > $MDEV_TYPES/mtty-1/create; then
	lab_result vfio-mdev-create FAIL "no mtty-1 mdev: $(ls $MDEV_TYPES 2>&1 | tr '\n' ' ')"
	lab_result vfio-mdev FAIL "no mdev to pass through"
else
	_g=$(readlink /sys/bus/mdev/devices/$MDEV/iommu_group)
	lab_result vfio-mdev-create PASS "$MDEV group ${_g##*/} $(ls /dev/vfio | tr '\n' ' ')"
	l2_boot vfio-mdev 200 "lab.scenario=vfio-mdev lab.end=poweroff" -- -c 1 \
		--name vfio-mdev --vfio /sys/bus/mdev/devices/$MDEV --debug
	l2_sub vfio-mdev-id id L2-MDEV
	l2_sub vfio-mdev-scratch scratch L2-MDEV
	l2_sub vfio-mdev-intx intx L2-MDEV
	l2_sub vfio-mdev-loop loop L2-MDEV
	_u=$(sed -n 's/.* \([0-9]*\) unmasked by lkvm.*/\1/p' "$L2_LOG")
	if [ "${_u:-0}" -ge 1 ]; then
		lab_result vfio-mdev-unmask PASS "lkvm unmasked INTx $_u times (no unmask eventfd)"
	else
		lab_result vfio-mdev-unmask FAIL "lkvm printed '${_u:-no} unmasked by lkvm'"
	fi
	echo "LAB: lkvm: $(grep -E 'vfio|INTx' "$L2_LOG" | grep -v '^ *$' | tr '\n' ';' | cut -c1-400)"
	l2_check vfio-mdev
	_be=$(grep -m 1 '  backend: ' "$L2_LOG" | sed 's/.*backend: //')
	_cd=$(ls /sys/bus/mdev/devices/$MDEV/vfio-dev 2>/dev/null)
	case $_be in
	"iommufd (/dev/vfio/devices/$_cd, IOAS "*)
		lab_result vfio-mdev-iommufd PASS "$_be; $(ls -d /dev/iommu /dev/vfio/devices/* | tr '\n' ' ')" ;;
	*)	lab_result vfio-mdev-iommufd FAIL "backend '${_be:-none printed}', cdev '${_cd:-none}'; $(ls /dev/iommu /dev/vfio/devices 2>&1 | tr '\n' ' ')" ;;
	esac
	if echo 1 > /sys/bus/mdev/devices/$MDEV/remove; then
		lab_result vfio-mdev-gone PASS "removed after lkvm exited"
	else
		lab_result vfio-mdev-gone FAIL "cannot remove $MDEV (still held?)"
	fi
fi
