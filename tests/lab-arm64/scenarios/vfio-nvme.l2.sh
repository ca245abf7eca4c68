# L2 side of lab scenario "vfio-nvme" (sourced by l2/init): loads nvme and its crc/t10-pi
# dependencies, reads 4 MiB of /dev/nvme0n1 against lab.md5 and checks that nvme's MSI-X
# vectors (through the ITS) counted. Prints "L2-VFIO <check> ok ..." or "L2-CHECK-FAIL <check> ...".
l2_modules
i=0
while [ ! -b /dev/nvme0n1 ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
want=$(param lab.md5)
got=$(head -c 4194304 /dev/nvme0n1 2>/dev/null | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "L2-VFIO nvme-read ok md5=$got"
else
	echo "L2-CHECK-FAIL nvme-read: md5 of /dev/nvme0n1 '$got', wanted '$want'"
fi
grep nvme /proc/interrupts | sed 's/  */ /g'
n=$(grep nvme /proc/interrupts | awk '{ s += $2 } END { print s + 0 }')
its=$(grep nvme /proc/interrupts | grep -cE 'ITS(-PCI)?-MSI')
dev=$(readlink -f /sys/class/nvme/nvme0/device 2>/dev/null)
msix=$(cat "$dev"/msi_irqs/* 2>/dev/null | grep -c msix)
if [ "$msix" -gt 0 ] && [ "$its" -gt 0 ] && [ "$n" -gt 0 ]; then
	echo "L2-VFIO nvme-irq ok MSI-X vectors=$msix on ITS-MSI=$its interrupts=$n"
else
	echo "L2-CHECK-FAIL nvme-irq: nvme MSI-X vectors=$msix on ITS-MSI=$its interrupts=$n"
fi
