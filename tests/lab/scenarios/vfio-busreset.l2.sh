# L2 side of scenarios vfio-busreset and vfio-aer (sourced by l2/init): loads the lab's L2
# modules (virtio_pci, virtio_net), brings up eth0 (the assigned virtio-net) and checks its
# carrier, then asks QEMU's user-mode DHCP server for a lease. Prints "L2-VFIO vnet-<check>
# ok ..." or "L2-CHECK-FAIL vnet-<check> ...".
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" 2>/dev/null || echo "L2: insmod $m failed"
done
eth0_up
carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null)
drv=$(readlink /sys/class/net/eth0/device/driver 2>/dev/null)
if [ "$carrier" = 1 ]; then
	echo "L2-VFIO vnet-link ok carrier=1 driver=${drv##*/} after $_i polls"
else
	echo "L2-CHECK-FAIL vnet-link: carrier '$carrier' driver '${drv##*/}' ($(ls /sys/class/net | tr '\n' ' '))"
fi
if out=$(udhcpc -i eth0 -n -q -f -t 5 -T 2 -s /bin/true 2>&1); then
	echo "L2-VFIO vnet-dhcp ok $(echo "$out" | grep -m 1 -i lease)"
else
	echo "L2-CHECK-FAIL vnet-dhcp: udhcpc: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
fi
grep virtio /proc/interrupts | sed 's/  */ /g'
