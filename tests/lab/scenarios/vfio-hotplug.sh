# Lab scenario "vfio-hotplug" (sourced in L1 with l1/lib.sh): L2 boots with two empty hotplug
# root ports (--hotplug-slots 2); while it runs, L1 hands it QEMU's nvme (`lkvm vfio add`:
# this shell opens the IOMMU group and the container and passes them to the confined VM),
# L2's pciehp binds nvme and reads it; `lkvm vfio remove` takes it back (attention button,
# L2 powers the slot off) and L1 can unbind it from vfio-pci at once (nothing holds it).
# Results: vfio-hotplug-add, vfio-hotplug-read (md5 in L2), vfio-hotplug-remove,
# vfio-hotplug-gone (L2 saw it go), vfio-hotplug-back (L1's unbind completes with the VM
# still running), vfio-hotplug (lkvm exit status and L2 marker).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
# hp_wait MARK SECS: until L2's log has MARK
hp_wait() {
	_w=0
	while ! grep -q "$1" /tmp/l2-vfio-hotplug.log 2>/dev/null && [ $_w -lt $(($2 * 2)) ]; do
		sleep 0.5
		_w=$((_w + 1))
	done
	grep -q "$1" /tmp/l2-vfio-hotplug.log 2>/dev/null
}
if ! nvme=$(vfio_find 1b36 0010) || ! vfio_bind "$nvme"; then
	lab_result vfio-hotplug FAIL "no bindable nvme 1b36:0010 in L1"
else
	_hp_t0=$(lab_uptime)
	l2_run vfio-hotplug 300 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-hotplug --hotplug-slots 2 --debug \
		-p "$L2_APPEND lab.scenario=vfio-hotplug lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)" &
	if hp_wait L2-HP-READY 150; then
		_out=$("$LKVM" vfio add --name vfio-hotplug "$nvme" 2>&1)
		_rc=$?
		[ "$_rc" = 0 ] && lab_result vfio-hotplug-add PASS "$_out" ||
			lab_result vfio-hotplug-add FAIL "lkvm vfio add: exit $_rc: $_out"
		hp_wait L2-HP-READ-DONE 150
		_out=$("$LKVM" vfio remove --name vfio-hotplug --timeout 30 "$nvme" 2>&1)
		_rc=$?
		[ "$_rc" = 0 ] && lab_result vfio-hotplug-remove PASS "$_out" ||
			lab_result vfio-hotplug-remove FAIL "lkvm vfio remove: exit $_rc: $_out"
		_t0=$(lab_uptime)
		timeout 20 sh -c "echo $nvme > /sys/bus/pci/drivers/vfio-pci/unbind"
		_ur=$?
		_secs=$(lab_sub "$(lab_uptime)" "$_t0")
		_drv=$(basename "$(readlink "/sys/bus/pci/devices/$nvme/driver" 2>/dev/null)" 2>/dev/null)
		_live=$("$LKVM" list 2>/dev/null | grep -c vfio-hotplug)
		if [ "$_ur" = 0 ] && [ -z "$_drv" ] && [ "$_live" -ge 1 ]; then
			lab_result vfio-hotplug-back PASS "unbind done in ${_secs}s, the VM runs on"
		else
			lab_result vfio-hotplug-back FAIL "unbind exit $_ur after ${_secs}s, driver '${_drv:-none}', VM listed $_live"
		fi
		vfio_bind "$nvme" > /dev/null
	else
		lab_result vfio-hotplug-add FAIL "L2 never said L2-HP-READY"
	fi
	wait
	L2_LOG=/tmp/l2-vfio-hotplug.log
	L2_RC=$(cat /tmp/l2.rc 2>/dev/null)
	L2_SECS=$(lab_sub "$(lab_uptime)" "$_hp_t0")
	vfio_sub vfio-hotplug-read hp-read
	vfio_sub vfio-hotplug-gone hp-gone
	l2_check vfio-hotplug
fi
