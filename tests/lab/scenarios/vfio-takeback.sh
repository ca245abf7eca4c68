# Lab scenario "vfio-takeback" (sourced in L1 with l1/lib.sh): while L2 runs with the e1000e
# assigned, L1 unbinds it from vfio-pci. The kernel's VFIO request interrupt reaches lkvm,
# which stops the VM (status 1, saying why) and releases the device, so the unbind, which
# blocks until then, completes. Result: vfio-takeback (TAKEBACK=NAME: NAME instead, and
# TAKEBACK_OPTS after the BDF, as vfio-cdev-takeback runs it over the 6.12 L1's cdev).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
_tb=${TAKEBACK:-vfio-takeback}
nic=$(vfio_find 8086 10d3) && vfio_bind "$nic" || nic=
if [ -z "$nic" ]; then
	lab_result "$_tb" FAIL "e1000e missing or not bindable"
else
	l2_run "$_tb" 150 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--vfio "$nic${TAKEBACK_OPTS:-}" -p "$L2_APPEND lab.scenario=vfio-takeback" &
	for _i in $(seq 240); do
		grep -q L2-IDLE "/tmp/l2-$_tb.log" 2>/dev/null && break
		sleep 0.5
	done
	_t0=$(lab_uptime)
	timeout 60 sh -c "echo $nic > /sys/bus/pci/drivers/vfio-pci/unbind"
	_ur=$?
	_secs=$(lab_sub "$(lab_uptime)" "$_t0")
	wait
	L2_LOG=/tmp/l2-$_tb.log
	_rc=$(cat /tmp/l2.rc 2>/dev/null)
	_drv=$(basename "$(readlink "/sys/bus/pci/devices/$nic/driver" 2>/dev/null)" 2>/dev/null)
	_why=$(grep -m 1 'asks for the device back' "$L2_LOG")
	if [ "$_ur" = 0 ] && [ -z "$_drv" ] && [ "$_rc" = 1 ] && [ -n "$_why" ]; then
		lab_result "$_tb" PASS "unbind done in ${_secs}s; lkvm exit 1: ${_why#*lkvm: }"
	else
		lab_result "$_tb" FAIL "unbind exit $_ur after ${_secs}s, driver '${_drv:-none}', lkvm exit ${_rc:-?}, message '${_why:-none}'"
	fi
fi
