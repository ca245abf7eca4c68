# L2 side of scenario vfio-e1000e (sourced by l2/init): loads e1000e (from the lab's L2
# modules), brings eth0 up, waits for the carrier and checks e1000e's MSI-X vectors
# counted, and that the ROM's md5 is L1's (lab.rom_md5). Prints "L2-VFIO <check> ok ..."
# or "L2-CHECK-FAIL <check> ...".
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
# the ROM only where the scenario asked (lab.rom_md5=, vfio-e1000e's): vfio-rerun and
# vfio-e1000e-vmlinux source this file too
want=$(param lab.rom_md5)
r=/sys/class/net/eth0/device/rom
got=
if [ -n "$want" ] && echo 1 > "$r" 2>/dev/null; then
	got=$(md5sum < "$r" | cut -d' ' -f1)
	echo 0 > "$r"
fi
if [ -z "$want" ]; then
	:
elif [ -n "$got" ] && [ "$got" = "$want" ]; then
	echo "L2-VFIO e1000e-rom ok md5=$got as L1 reads the real ROM"
else
	echo "L2-CHECK-FAIL e1000e-rom: md5 '$got', L1 read '$want'"
fi
