# Lab scenario "vfio-port" (sourced in L1 with l1/lib.sh; runs unless LKVM_LAB_ARM64_VFIO=0):
# L2 boots with two hotplug root ports (--hotplug-slots 2) and QEMU's nvme behind the second
# (--vfio BDF,port=1); its MSI-X go through the ITS with the bus-2 requester id. Results:
# vfio-port-read (md5), vfio-port-topo (a root port with a pciehp slot above the nvme: the
# device tree's bus-range and ECAM cover bus 2), vfio-port-off / vfio-port-on (pciehp powers
# the slot off: the nvme goes; on: md5 again), vfio-port.
if b=$(vfio-bind 1b36:0010 2>&1); then
	l2_boot vfio-port 300 "lab.scenario=vfio-port lab.md5=$(lab_param lab.nvme_md5)" -- \
		--name vfio-port --hotplug-slots 2 --vfio "${b%% *},port=1" --debug
	for _c in read topo off on; do
		case $_c in read) _k=nvme-read ;; *) _k=port-$_c ;; esac
		l2_sub vfio-port-$_c $_k L2-VFIO
	done
	l2_check vfio-port
else
	lab_result vfio-port FAIL "nvme not bound to vfio-pci: $b"
fi
