# Lab scenario "vfio-mdev" (sourced in L1 with l1/lib.sh; its own L1: Debian 6.12 + mtty.ko,
# vfio-mdev.l1kernel): creates an mtty-1 mediated device and boots L2 with --vfio
# /sys/bus/mdev/devices/<UUID>; L2 (vfio-mdev.l2.sh) finds 4348:3253 and round-trips the UART
# scratch register (BAR0 + 7) through sysfs resource0. Results: vfio-mdev-create, vfio-mdev-id,
# vfio-mdev-scratch, vfio-mdev (L2 booted, lkvm exit 0), vfio-mdev-gone (mdev removable after).
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
	echo "LAB: lkvm: $(grep -E 'vfio|INTx' "$L2_LOG" | grep -v '^ *$' | tr '\n' ';' | cut -c1-400)"
	l2_check vfio-mdev
	if echo 1 > /sys/bus/mdev/devices/$MDEV/remove; then
		lab_result vfio-mdev-gone PASS "removed after lkvm exited"
	else
		lab_result vfio-mdev-gone FAIL "cannot remove $MDEV (still held?)"
	fi
fi
