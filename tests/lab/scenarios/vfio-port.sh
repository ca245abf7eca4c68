# Lab scenario "vfio-port" (sourced in L1 with l1/lib.sh): L2 boots with two hotplug root
# ports (--hotplug-slots 2) and QEMU's nvme cold-plugged behind the second (--vfio
# BDF,port=1). Results: vfio-port-read (md5 through the port), vfio-port-topo (Linux sees
# a root port with a pciehp slot above the nvme: the ACPI _OSC granted native hotplug),
# vfio-port-off / vfio-port-on (pciehp powers the slot off: the nvme goes; on: it comes
# back, md5 again), vfio-port (lkvm exit status and L2 marker).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
if ! nvme=$(vfio_find 1b36 0010) || ! vfio_bind "$nvme"; then
	lab_result vfio-port FAIL "no bindable nvme 1b36:0010 in L1"
else
	l2_run vfio-port 200 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name vfio-port \
		--hotplug-slots 2 --vfio "$nvme,port=1" --debug \
		-p "$L2_APPEND lab.scenario=vfio-port lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)"
	vfio_sub vfio-port-read nvme-read
	vfio_sub vfio-port-topo port-topo
	vfio_sub vfio-port-off port-off
	vfio_sub vfio-port-on port-on
	l2_check vfio-port
fi
