# Lab scenario "vfio-rerun" (sourced in L1 with l1/lib.sh): runs right after vfio-nvme
# (scenarios run in name order), so the nvme comes back from lkvm's reset and teardown;
# this time it is assigned together with the e1000e (two devices, two IOMMU groups, one
# container). Results: vfio-rerun (nvme md5 + MSI-X again), vfio-both (e1000e link and
# MSI-X in the same VM), vfio-rescan (L2 removes and rescans both, Linux moves their BARs:
# nvme md5 and e1000e link again, lkvm never had to trap a BAR for want of a memslot, and
# `lkvm stat --vfio` counts no forwarded BAR0 trap during the read after it),
# vfio-rerun-vm (lkvm exit status and L2 marker).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
. /lab/lib/bench.sh
. /lab/lib/vfio.sh
nvme=$(vfio_find 1b36 0010) && vfio_bind "$nvme" || nvme=
nic=$(vfio_find 8086 10d3) && vfio_bind "$nic" || nic=
if [ -z "$nvme" ] || [ -z "$nic" ]; then
	lab_result vfio-rerun-vm FAIL "nvme '$nvme' or e1000e '$nic' missing or not bindable"
else
	bench_sampler_start vfio-rerun-vm
	l2_run vfio-rerun-vm 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-rerun-vm --vfio "$nvme" --vfio "$nic" --debug \
		-p "$L2_APPEND lab.scenario=vfio-rerun lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)"
	vfio_sub vfio-rerun nvme-read
	vfio_sub vfio-both e1000e-irq
	vfio_sub vfio-rescan-read rescan-read
	vfio_sub vfio-rescan-link rescan-link
	bench_sampler_stop
	# lkvm stat --vfio around the read after the rescan: BAR0's registers mapped, never trapped
	vfio_trap_check vfio-rescan-traps vfio-rerun-vm 0 zero rescan
	bad=$(grep -m 1 -E 'cannot go live|no memslot|overlaps another device' "$L2_LOG")
	if [ -z "$bad" ]; then
		lab_result vfio-rescan-slots PASS "no BAR fell back to trapping: $(grep 'BARs after' "$L2_LOG" | cut -c1-160)"
	else
		lab_result vfio-rescan-slots FAIL "$bad"
	fi
	echo "LAB: lkvm counters: $(vfio_counters)"
	l2_check vfio-rerun-vm
fi
# vfio-unbind: `lkvm vfio unbind` gives the e1000e back to the driver it had before
# `lkvm vfio bind` (remembered in the control directory: none, as L1 has no e1000e module),
# clears the override, and binding again works.
if [ -n "$nic" ]; then
	_u=$("$LKVM" vfio unbind "$nic" 2>&1); _ur=$?
	_d=$(basename "$(readlink "/sys/bus/pci/devices/$nic/driver" 2>/dev/null)" 2>/dev/null)
	_o=$(cat "/sys/bus/pci/devices/$nic/driver_override" 2>/dev/null)
	if [ $_ur = 0 ] && [ -z "$_d" ] && [ "$_o" = "(null)" ] && vfio_bind "$nic" >/dev/null; then
		lab_result vfio-unbind PASS "unbound as before, override cleared, bound again"
	else
		lab_result vfio-unbind FAIL "exit $_ur ($_u), driver '${_d:-none}', override '$_o'"
	fi
fi
