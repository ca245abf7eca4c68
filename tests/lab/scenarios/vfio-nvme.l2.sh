# L2 side of the vfio-nvme/-intx/-rerun scenarios (sourced by l2/init): loads the lab's L2
# modules (nvme and its crc/t10-pi dependencies), reads 4 MiB of /dev/nvme0n1 against
# lab.md5 (between BENCH-SYNC marks with lab.sync=1), reports the MSI-X layout it sees, then
# checks nvme's interrupts: MSI-X vectors (or, with lab.intx=1, the IO-APIC line) that
# counted. Prints "L2-VFIO <check> ok ..." or "L2-CHECK-FAIL <check> ..." (tests/lab-lib/l2.sh).
bench_l2_setup
nvme_wait
nvme_read_check
nvme_layout
grep nvme /proc/interrupts | sed 's/  */ /g'
n=$(grep nvme /proc/interrupts | awk '{ s += $2 } END { print s + 0 }')
lines=$(grep -c nvme /proc/interrupts)
dev=$(readlink -f /sys/class/nvme/nvme0/device 2>/dev/null)
msix=$(cat "$dev"/msi_irqs/* 2>/dev/null | grep -c msix)
if [ "$(param lab.intx)" = 1 ]; then
	if grep nvme /proc/interrupts | grep -q IO-APIC && [ "$msix" = 0 ] && [ "$n" -gt 0 ]; then
		echo "L2-VFIO nvme-irq ok INTx (IO-APIC) interrupts=$n"
	else
		echo "L2-CHECK-FAIL nvme-irq: want INTx; nvme lines=$lines count=$n msix=$msix"
	fi
elif [ "$msix" -gt 0 ] && [ "$n" -gt 0 ]; then
	echo "L2-VFIO nvme-irq ok MSI-X vectors=$msix interrupts=$n"
else
	echo "L2-CHECK-FAIL nvme-irq: nvme MSI-X vectors=$msix interrupts=$n"
fi
