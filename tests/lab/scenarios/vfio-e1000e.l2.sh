# L2 side of scenario vfio-e1000e (sourced by l2/init): loads e1000e (from the lab's L2
# modules), brings eth0 up, waits for the carrier and checks e1000e's MSI-X vectors
# counted. Prints "L2-VFIO <check> ok ..." or "L2-CHECK-FAIL <check> ...".
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" 2>/dev/null || echo "L2: insmod $m failed"
done
eth0_up
carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null)
oper=$(cat /sys/class/net/eth0/operstate 2>/dev/null)
if [ "$carrier" = 1 ]; then
	echo "L2-VFIO e1000e-link ok carrier=1 operstate=$oper after $_i polls"
else
	echo "L2-CHECK-FAIL e1000e-link: carrier '$carrier' operstate '$oper'"
fi
grep eth0 /proc/interrupts | sed 's/  */ /g'
n=$(grep eth0 /proc/interrupts | awk '{ s += $2 } END { print s + 0 }')
msix=$(cat /sys/class/net/eth0/device/msi_irqs/* 2>/dev/null | grep -c msix)
if [ "$msix" -gt 0 ] && [ "$n" -gt 0 ]; then
	echo "L2-VFIO e1000e-irq ok MSI-X vectors=$msix interrupts=$n"
else
	echo "L2-CHECK-FAIL e1000e-irq: MSI-X vectors=$msix interrupts=$n"
fi
