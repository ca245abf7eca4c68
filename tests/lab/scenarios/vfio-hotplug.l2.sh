# L2 side of scenario vfio-hotplug (sourced by l2/init): boots with empty hotplug root ports,
# says L2-HP-READY, waits for the nvme L1 adds (`lkvm vfio add`: pciehp powers the slot on
# and nvme binds), reads it against lab.md5 ("L2-VFIO hp-read ok"), says
# L2-HP-READ-DONE, then waits for L1's `lkvm vfio remove` (pciehp powers the slot off on the
# attention button): "L2-VFIO hp-gone ok" once nvme0 is gone. Then the e1000e L1 adds: eth0
# comes up with its carrier ("L2-VFIO hp-link ok", L2-HP-LINK-DONE) and goes on L1's remove
# ("hp-nic-gone"); then the nvme again, read against lab.md5 once more ("hp-reread").
# Then a disk: says L2-HP-DISK-WAIT, waits for the /dev/vda L1 adds (`lkvm disk add`), prints its md5
# ("L2-HP-DISK md5 SUM"), says L2-HP-DISK-READ-DONE, and "L2-VFIO hp-disk-gone ok" once L1's
# `lkvm disk remove` took it away.
bench_l2_setup
ls /sys/bus/pci/slots | sed 's/^/L2: slot /'
echo "L2-HP-READY"
nvme_hp_read hp-read 90
dmesg | grep -i -E 'pciehp|nvme' | tail -6 | sed 's/^/L2: /'
echo "L2-HP-READ-DONE"
l2_gone_wait hp-gone /sys/class/nvme/nvme0 60
dmesg | grep -i -E 'pciehp|nvme' | tail -4 | sed 's/^/L2: /'
_i=0
while [ ! -e /sys/class/net/eth0 ] && [ $_i -lt 900 ]; do sleep 0.1; _i=$((_i + 1)); done
eth0_up
if [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ]; then
	echo "L2-VFIO hp-link ok carrier=1 after $_i polls"
else
	echo "L2-CHECK-FAIL hp-link: eth0 '$(ls /sys/class/net | tr '\n' ' ')' carrier '$(cat /sys/class/net/eth0/carrier 2>/dev/null)'"
fi
echo "L2-HP-LINK-DONE"
l2_gone_wait hp-nic-gone /sys/class/net/eth0 60
nvme_hp_read hp-reread 90
dmesg | grep -i -E 'pciehp|nvme|e1000e' | tail -6 | sed 's/^/L2: /'
disk_hp_l2
