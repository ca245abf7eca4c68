# Lab scenario "vfio-busreset" (sourced in L1 with l1/lib.sh; the 6.12 L1 with iommufd,
# vfio-busreset.l1kernel): QEMU's modern virtio-net-pci alone behind a pcie-root-port
# (vfio-busreset.qemu), bound to vfio-pci, its own reset methods (FLR, PM, bus: reset_method)
# turned off in sysfs, so VFIO reports no device reset and lkvm must reset it through
# VFIO_DEVICE_PCI_HOT_RESET on its cdev (iommufd: an empty group list). L2
# (vfio-busreset.l2.sh) brings its eth0 up and asks QEMU's DHCP server for a lease.
# Results: vfio-busreset-reset (lkvm counted bus resets and never said "has no reset"),
# vfio-busreset-link (carrier in L2), vfio-busreset-dhcp (a lease: frames both ways),
# vfio-busreset (L2 done, lkvm exit 0). reset_method goes back to its default afterwards.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
if ! _vn=$(vfio_find 1af4 1041) || ! vfio_bind "$_vn"; then
	lab_result vfio-busreset FAIL "no bindable virtio-net-pci 1af4:1041 in L1"
else
	_rmf=/sys/bus/pci/devices/$_vn/reset_method
	_rm=$(cat "$_rmf")
	echo > "$_rmf"
	echo "LAB: $_vn behind $(readlink -f "/sys/bus/pci/devices/$_vn/.." | sed 's|.*/||'): reset_method was '$_rm', now '$(cat "$_rmf")'"
	l2_run vfio-busreset 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name vfio-busreset \
		--vfio "$_vn" --debug -p "$L2_APPEND lab.scenario=vfio-busreset lab.end=poweroff"
	echo default > "$_rmf"
	_nr=$(sed -n 's/.*resets: [0-9]* guest FLRs, \([0-9]*\) bus resets.*/\1/p' "$L2_LOG")
	_be=$(grep -m 1 '  backend: ' "$L2_LOG" | sed 's/.*backend: //')
	if grep -q 'has no reset' "$L2_LOG"; then
		lab_result vfio-busreset-reset FAIL "$(grep -m 1 'has no reset' "$L2_LOG")"
	elif [ "${_nr:-0}" -ge 1 ] && [ "${_be#iommufd}" != "$_be" ]; then
		lab_result vfio-busreset-reset PASS "$_nr bus resets over $_be"
	else
		lab_result vfio-busreset-reset FAIL "bus resets '${_nr:-none counted}', backend '${_be:-none}'"
	fi
	vfio_sub vfio-busreset-link vnet-link
	vfio_sub vfio-busreset-dhcp vnet-dhcp
	l2_check vfio-busreset
fi
