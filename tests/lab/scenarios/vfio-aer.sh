# Lab scenario "vfio-aer" (sourced in L1 with l1/lib.sh; the 6.12 L1, vfio-aer.l1kernel): the
# virtio-net-pci behind a root port (vfio-busreset.qemu, with AER) assigned to L2; once L2
# has its link (vfio-busreset.l2.sh) and says "L2-AER ready", L1 prints "LAB-MONITOR
# pcie_aer_inject_error lab_vnet POISON_TLP" and the host runner (tests/lab/run.sh) injects an
# uncorrectable non-fatal error through L1's QEMU monitor: L1's AER driver reports it to
# vfio-pci, whose error interrupt reaches lkvm. Two runs: on-error=report (lkvm logs it and
# the VM runs on: L2 finishes, lkvm exit 0) and the default on-error=stop (lkvm stops the VM:
# exit 1, its message naming the device, before L2 says it survived). Results:
# vfio-aer-report, vfio-aer-stop (each with L1's AER kernel lines as evidence of the
# injection), vfio-aer (both passed).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
# aer_report_on DEVDIR: QEMU (7.2) sends an uncorrectable error message up only from
# functions with SERR# Enable in their Command register and the error's reporting enable in
# Device Control, which Linux does not set on an endpoint (nor the guest on its device): set
# them on the device and its root port, as a platform that wants these errors would.
aer_report_on() {
	for _d in "$1" "$(readlink -f "$1/..")"; do
		pci_cfg_or "$_d" 5 1	# PCI_COMMAND_SERR (bit 8)
		_x=$(pci_cap_off "$_d" 16)
		[ "$_x" = 0 ] || pci_cfg_or "$_d" $((_x + 8)) 15	# DEVCTL: CERE NFERE FERE URRE
		echo "LAB: ${_d##*/}: command $(od -An -tx1 -j 4 -N 2 "$_d/config"), devctl $(od -An -tx1 -j $((_x + 8)) -N 2 "$_d/config")"
	done
}
# aer_inject NAME: in the background, once run NAME's L2 says "L2-AER ready", enables the
# reporting, asks the host for the injection (the console line) and keeps L1's AER kernel
# lines in /tmp/aer-NAME.
aer_inject() {
	: > "/tmp/aer-$1"
	( l2_await "$1" 'L2-AER ready' || exit 0
	  dmesg -c > /dev/null
	  aer_report_on "/sys/bus/pci/devices/$_vn" > /dev/console
	  echo "LAB-MONITOR pcie_aer_inject_error lab_vnet POISON_TLP" > /dev/console
	  sleep 5
	  dmesg | grep -iE 'aer|vfio' > "/tmp/aer-$1" ) < /dev/null > /dev/null 2>&1 &
}
# aer_l1 NAME: L1's kernel lines about the error, one line (aer_inject writes them 5 s after
# the injection: a VM that stopped at once is done before that)
aer_l1() {
	for _ in $(seq 16); do
		[ -s "/tmp/aer-$1" ] && break
		sleep 0.5
	done
	tr '\n' ' ' < "/tmp/aer-$1" | sed 's/  */ /g' | cut -c1-300
}
if ! _vn=$(vfio_find 1af4 1041) || ! vfio_bind "$_vn"; then
	lab_result vfio-aer FAIL "no bindable virtio-net-pci 1af4:1041 in L1"
else
	_aer_ok=0
	aer_inject vfio-aer-report
	l2_run vfio-aer-report 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-aer-report --vfio "$_vn,on-error=report" --debug \
		-p "$L2_APPEND lab.scenario=vfio-aer lab.end=poweroff lab.aer_wait=15"
	_m=$(grep -m 1 "vfio $_vn: the device reports an uncorrectable error (AER, 1 so far): running on" "$L2_LOG")
	if [ -n "$_m" ] && [ "$L2_RC" = 0 ] && grep -q 'L2-AER survived' "$L2_LOG"; then
		_aer_ok=$((_aer_ok + 1))
		lab_result vfio-aer-report PASS "lkvm: ${_m#*: }; L2 ran on, exit 0; L1: $(aer_l1 vfio-aer-report)"
	else
		lab_result vfio-aer-report FAIL "lkvm exit $L2_RC, message '${_m:-none}', L2 $(grep -c 'L2-AER survived' "$L2_LOG") survived; L1: $(aer_l1 vfio-aer-report)$(l2_hang)"
	fi
	wait
	aer_inject vfio-aer-stop
	l2_run vfio-aer-stop 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-aer-stop --vfio "$_vn" --debug \
		-p "$L2_APPEND lab.scenario=vfio-aer lab.end=poweroff lab.aer_wait=60"
	_m=$(grep -m 1 "vfio $_vn: the device reports an uncorrectable error (AER): stopping the VM" "$L2_LOG")
	if [ -n "$_m" ] && [ "$L2_RC" = 1 ] && ! grep -q 'L2-AER survived' "$L2_LOG"; then
		_aer_ok=$((_aer_ok + 1))
		lab_result vfio-aer-stop PASS "lkvm exit 1: ${_m#*: }; L1: $(aer_l1 vfio-aer-stop)"
	else
		lab_result vfio-aer-stop FAIL "lkvm exit $L2_RC, message '${_m:-none}', L2 $(grep -c 'L2-AER survived' "$L2_LOG") survived; L1: $(aer_l1 vfio-aer-stop)$(l2_hang)"
	fi
	wait
	if [ $_aer_ok = 2 ]; then
		lab_result vfio-aer PASS "lkvm reported (on-error=report) and stopped (default) on an injected uncorrectable error"
	else
		lab_result vfio-aer FAIL "$((2 - _aer_ok)) of vfio-aer-report, vfio-aer-stop failed"
	fi
fi
