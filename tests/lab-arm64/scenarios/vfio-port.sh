# Lab scenario "vfio-port" (sourced in L1 with l1/lib.sh; runs unless LKVM_LAB_ARM64_VFIO=0):
# L2 boots with two hotplug root ports (--hotplug-slots 2) and QEMU's nvme behind the second
# (--vfio BDF,port=1); its MSI-X go through the ITS with the bus-2 requester id. Results:
# vfio-port-read (md5), vfio-port-topo (a root port with a pciehp slot above the nvme: the
# device tree's bus-range and ECAM cover bus 2), vfio-port-off / vfio-port-on (pciehp powers
# the slot off: the nvme goes; on: md5 again). Then hotplug in the same boot: `lkvm vfio
# remove` takes the nvme back (vfio-port-hp-cold-remove; L2 saw it go: -cold-gone), `lkvm
# vfio add` hands it to the empty first port (vfio-port-hp-add; L2's pciehp binds it and reads
# it: -hp-read), `lkvm vfio remove` again (-hp-remove, -hp-gone) and L1 unbinds it from
# vfio-pci at once with the VM running (-hp-back). Then a disk comes and goes (`lkvm disk
# add|remove`: vfio-port-disk-add, -read, -remove, -gone; tests/lab-lib's disk_hp). vfio-port:
# lkvm exit status, L2 marker.
. /lab/lib/vfio.sh
# vport_hotplug BDF: L1's side of the hotplug part, in the background (results on stdout)
vport_hotplug() {
	l2_await vfio-port L2-HP-READY || { lab_result vfio-port-hp-add FAIL "L2 never said L2-HP-READY"; return; }
	vfio_hp vfio-port-hp-cold-remove vfio-port remove "$1"
	l2_await vfio-port hp-cold-gone	# before the add's lines
	vfio_hp vfio-port-hp-add vfio-port add "$1"
	l2_await vfio-port L2-HP-READ-DONE
	vfio_hp vfio-port-hp-remove vfio-port remove "$1"
	vfio_hp_back vfio-port-hp-back vfio-port "$1"
	disk_hp vfio-port-disk vfio-port
}
if b=$(vfio-bind 1b36:0010 2>&1); then
	bdf=${b%% *}
	vport_hotplug "$bdf" &
	l2_boot vfio-port 300 "lab.scenario=vfio-port lab.md5=$(lab_param lab.nvme_md5)" -- \
		--name vfio-port --hotplug-slots 2 --vfio "$bdf,port=1" --debug
	wait
	for _c in read topo off on hp-cold-gone hp-read hp-gone hp-disk-gone; do
		case $_c in read) _k=nvme-read ;; hp-*) _k=$_c ;; *) _k=port-$_c ;; esac
		[ $_c = hp-disk-gone ] && _c=disk-gone
		l2_sub vfio-port-$_c $_k L2-VFIO
	done
	l2_check vfio-port
else
	lab_result vfio-port FAIL "nvme not bound to vfio-pci: $b"
fi
