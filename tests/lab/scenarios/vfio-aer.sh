# Lab scenario "vfio-aer" (sourced in L1 with l1/lib.sh; the 6.12 L1, vfio-aer.l1kernel): the
# virtio-net-pci behind a root port (vfio-busreset.qemu, with AER) assigned to L2; once L2
# has its link (vfio-busreset.l2.sh) and says "L2-AER ready", L1 prints "LAB-MONITOR
# pcie_aer_inject_error lab_vnet POISON_TLP" and the host runner (tests/lab/run.sh) injects an
# uncorrectable non-fatal error through L1's QEMU monitor: L1's AER driver reports it to
# vfio-pci, whose error interrupt reaches lkvm. Two runs: on-error=report (lkvm logs it and
# the VM runs on: L2 finishes, lkvm exit 0) and the default on-error=stop (lkvm stops the VM:
# exit 1, its message naming the device, before L2 says it survived). Results:
# vfio-aer-report, vfio-aer-stop (each with L1's AER kernel line as evidence of the injection).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
# aer_inject NAME: in the background, once run NAME's L2 says "L2-AER ready", asks the host
# for the injection (the console line) and keeps L1's AER kernel lines in /tmp/aer-NAME.
aer_inject() {
	: > "/tmp/aer-$1"
	( for _ in $(seq 300); do
		grep -q 'L2-AER ready' "/tmp/l2-$1.log" 2>/dev/null && break
		sleep 0.5
	  done
	  dmesg -c > /dev/null
	  echo "LAB-MONITOR pcie_aer_inject_error lab_vnet POISON_TLP" > /dev/console
	  sleep 5
	  dmesg | grep -iE 'aer|vfio' > "/tmp/aer-$1" ) < /dev/null > /dev/null 2>&1 &
}
# aer_l1 NAME: L1's kernel lines about the error, one line
aer_l1() { tr '\n' ' ' < "/tmp/aer-$1" | sed 's/  */ /g' | cut -c1-300; }
if ! _vn=$(vfio_find 1af4 1041) || ! vfio_bind "$_vn"; then
	lab_result vfio-aer FAIL "no bindable virtio-net-pci 1af4:1041 in L1"
else
	aer_inject vfio-aer-report
	l2_run vfio-aer-report 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-aer-report --vfio "$_vn,on-error=report" --debug \
		-p "$L2_APPEND lab.scenario=vfio-aer lab.end=poweroff lab.aer_wait=15"
	_m=$(grep -m 1 "vfio $_vn: the device reports an uncorrectable error (AER, 1 so far): running on" "$L2_LOG")
	if [ -n "$_m" ] && [ "$L2_RC" = 0 ] && grep -q 'L2-AER survived' "$L2_LOG"; then
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
		lab_result vfio-aer-stop PASS "lkvm exit 1: ${_m#*: }; L1: $(aer_l1 vfio-aer-stop)"
	else
		lab_result vfio-aer-stop FAIL "lkvm exit $L2_RC, message '${_m:-none}', L2 $(grep -c 'L2-AER survived' "$L2_LOG") survived; L1: $(aer_l1 vfio-aer-stop)$(l2_hang)"
	fi
	wait
	grep -q 'has no reset' /tmp/l2-vfio-aer-report.log "$L2_LOG" &&
		echo "LAB: lkvm said: $(grep -m 1 'has no reset' "$L2_LOG")"
fi
