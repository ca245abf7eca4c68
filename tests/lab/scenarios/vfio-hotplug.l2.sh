# L2 side of scenario vfio-hotplug (sourced by l2/init): boots with empty hotplug root ports,
# says L2-HP-READY, waits for the nvme L1 adds (`lkvm vfio add`: pciehp powers the slot on
# and nvme binds), reads it against lab.md5 ("L2-VFIO hp-read ok"), says
# L2-HP-READ-DONE, then waits for L1's `lkvm vfio remove` (pciehp powers the slot off on the
# attention button): "L2-VFIO hp-gone ok" once nvme0 is gone. Then a disk likewise: says
# L2-HP-DISK-WAIT, waits for the /dev/vda L1 adds (`lkvm disk add`), prints its md5
# ("L2-HP-DISK md5 SUM"), says L2-HP-DISK-READ-DONE, and "L2-VFIO hp-disk-gone ok" once L1's
# `lkvm disk remove` took it away.
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
echo "L2-HP-DISK-WAIT"
_i=0
while [ ! -b /dev/vda ] && [ $_i -lt 900 ]; do sleep 0.1; _i=$((_i + 1)); done
if [ -b /dev/vda ]; then
	echo "L2-HP-DISK md5 $(md5sum < /dev/vda | cut -d' ' -f1) ($(cat /sys/block/vda/size) sectors)"
else
	echo "L2-CHECK-FAIL hp-disk: no /dev/vda within 90 s of L2-HP-DISK-WAIT"
fi
echo "L2-HP-DISK-READ-DONE"
_i=0
while [ -e /sys/block/vda ] && [ $_i -lt 600 ]; do sleep 0.1; _i=$((_i + 1)); done
if [ ! -e /sys/block/vda ]; then
	echo "L2-VFIO hp-disk-gone ok after $((_i / 10)) s"
else
	echo "L2-CHECK-FAIL hp-disk-gone: vda still there 60 s after L2-HP-DISK-READ-DONE"
fi
dmesg | grep -i -E 'pciehp|virtio_blk|vda' | tail -4 | sed 's/^/L2: /'
