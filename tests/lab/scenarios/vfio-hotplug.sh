# Lab scenario "vfio-hotplug" (sourced in L1 with l1/lib.sh): L2 boots with two empty hotplug
# root ports (--hotplug-slots 2); while it runs, L1 hands it QEMU's nvme (`lkvm vfio add`:
# this shell opens the IOMMU group and the container and passes them to the confined VM),
# L2's pciehp binds nvme and reads it; `lkvm vfio remove` takes it back (attention button,
# L2 powers the slot off) and L1 can unbind it from vfio-pci at once (nothing holds it).
# In the same boot, L1 then adds the e1000e (L2 brings its link up), removes it, and adds
# the nvme again (L2 reads it again), each time on the port the last device left.
# Results: vfio-hotplug-add, vfio-hotplug-read (md5 in L2), vfio-hotplug-remove,
# vfio-hotplug-gone (L2 saw it go), vfio-hotplug-back (L1's unbind completes with the VM
# still running), vfio-hotplug-nic-add, vfio-hotplug-link (carrier 1 in L2),
# vfio-hotplug-nic-remove, vfio-hotplug-nic-gone, vfio-hotplug-readd, vfio-hotplug-reread
# (md5 again), vfio-hotplug (lkvm exit status and L2 marker). The same L2 then gets a disk
# (`lkvm disk add` of an image of random bytes, opened here and passed, locked by the VM):
# disk-hotplug-add (added, its lock in /proc/locks), disk-hotplug-read (L2's md5 of /dev/vda
# is the image's), disk-hotplug-remove (`lkvm disk remove`: L2 powers the slot off, the lock
# is gone and the VM holds no fd of it), disk-hotplug-gone (L2 saw vda go).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
. /lab/lib/bench.sh
. /lab/lib/vfio.sh
if ! nvme=$(vfio_find 1b36 0010) || ! vfio_bind "$nvme"; then
	lab_result vfio-hotplug FAIL "no bindable nvme 1b36:0010 in L1"
else
	_hp_t0=$(lab_uptime)
	l2_run vfio-hotplug 420 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
		--name vfio-hotplug --hotplug-slots 2 --debug \
		-p "$L2_APPEND lab.scenario=vfio-hotplug lab.end=poweroff lab.md5=$(lab_param lab.nvme_md5)" &
	if l2_await vfio-hotplug L2-HP-READY; then
		vfio_hp vfio-hotplug-add vfio-hotplug add "$nvme"
		l2_await vfio-hotplug L2-HP-READ-DONE
		vfio_hp vfio-hotplug-remove vfio-hotplug remove "$nvme"
		vfio_hp_back vfio-hotplug-back vfio-hotplug "$nvme"
		l2_await vfio-hotplug hp-gone	# L2's line before the add's
		if nic=$(vfio_find 8086 10d3) && vfio_bind "$nic"; then
			vfio_hp vfio-hotplug-nic-add vfio-hotplug add "$nic"
			l2_await vfio-hotplug L2-HP-LINK-DONE
			vfio_hp vfio-hotplug-nic-remove vfio-hotplug remove "$nic"
			l2_await vfio-hotplug hp-nic-gone
		else
			lab_result vfio-hotplug-nic-add FAIL "no bindable e1000e 8086:10d3 in L1"
		fi
		vfio_hp vfio-hotplug-readd vfio-hotplug add "$nvme"
		disk_hp disk-hotplug vfio-hotplug
	else
		lab_result vfio-hotplug-add FAIL "L2 never said L2-HP-READY"
	fi
	wait
	L2_LOG=/tmp/l2-vfio-hotplug.log
	L2_RC=$(cat /tmp/l2.rc 2>/dev/null)
	L2_SECS=$(lab_sub "$(lab_uptime)" "$_hp_t0")
	vfio_sub vfio-hotplug-read hp-read
	vfio_sub vfio-hotplug-gone hp-gone
	vfio_sub vfio-hotplug-link hp-link
	vfio_sub vfio-hotplug-nic-gone hp-nic-gone
	vfio_sub vfio-hotplug-reread hp-reread
	vfio_sub disk-hotplug-gone hp-disk-gone
	l2_check vfio-hotplug
fi
