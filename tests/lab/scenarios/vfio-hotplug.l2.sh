# L2 side of scenario vfio-hotplug (sourced by l2/init): boots with empty hotplug root ports,
# says L2-HP-READY, waits for the nvme L1 adds (`lkvm vfio add`: pciehp powers the slot on
# and nvme binds), reads it against lab.md5 ("L2-VFIO hp-read ok"), says
# L2-HP-READ-DONE, then waits for L1's `lkvm vfio remove` (pciehp powers the slot off on the
# attention button): "L2-VFIO hp-gone ok" once nvme0 is gone.
bench_l2_setup
ls /sys/bus/pci/slots | sed 's/^/L2: slot /'
echo "L2-HP-READY"
_i=0
while [ ! -b /dev/nvme0n1 ] && [ $_i -lt 900 ]; do sleep 0.1; _i=$((_i + 1)); done
dmesg | grep -i -E 'pciehp|nvme' | tail -6 | sed 's/^/L2: /'
if [ -b /dev/nvme0n1 ]; then
	nvme_read_check 2>&1 | sed 's/nvme-read/hp-read/'
else
	echo "L2-CHECK-FAIL hp-read: no /dev/nvme0n1 within 90 s of L2-HP-READY"
fi
echo "L2-HP-READ-DONE"
_i=0
while [ -e /sys/class/nvme/nvme0 ] && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
if [ ! -e /sys/class/nvme/nvme0 ]; then
	echo "L2-VFIO hp-gone ok after $((_i / 10)) s"
else
	echo "L2-CHECK-FAIL hp-gone: nvme0 still there 60 s after L2-HP-READ-DONE"
fi
dmesg | grep -i -E 'pciehp|nvme' | tail -4 | sed 's/^/L2: /'
