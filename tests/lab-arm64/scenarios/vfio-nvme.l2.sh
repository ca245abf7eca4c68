# L2 side of lab scenario "vfio-nvme" (sourced by l2/init): loads nvme and its crc/t10-pi
# dependencies, reads 4 MiB of /dev/nvme0n1 against lab.md5 (between BENCH-SYNC marks with
# lab.sync=1), prints the MSI-X layout it sees and checks that nvme's MSI-X vectors (through
# the ITS) counted; with lab.bench=1 it then reads 16 MiB sequentially and lab.rand x 4 KiB
# at random (bench-io, O_DIRECT) as phases seq16m and rand (tests/lab-lib/l2.sh).
bench_l2_setup
nvme_wait
nvme_read_check
nvme_layout
if [ "$(param lab.bench)" = 1 ]; then
	bench_l2_phase seq16m nvme0n1 nvme seq 1048576 16777216
	bench_l2_phase rand nvme0n1 nvme rand 4096 2048
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
