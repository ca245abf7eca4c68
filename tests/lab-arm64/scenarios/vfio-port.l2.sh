# L2 side of scenario vfio-port (sourced by l2/init): loads nvme, reads 4 MiB of /dev/nvme0n1
# against lab.md5 with the nvme behind a hotplug root port, then nvme_port_checks
# (tests/lab-lib/l2.sh): topology, pciehp slot power off and on. Then says L2-HP-READY and
# follows L1's hotplug: the nvme goes (`lkvm vfio remove`: "hp-cold-gone"), comes back on
# another port (`lkvm vfio add`: read against lab.md5, "hp-read"; L2-HP-READ-DONE) and goes
# again ("hp-gone"); then a disk (tests/lab-lib/l2.sh disk_hp_l2).
bench_l2_setup
nvme_wait
nvme_read_check
nvme_port_checks
echo "L2-HP-READY"
l2_gone_wait hp-cold-gone /sys/class/nvme/nvme0 90
nvme_hp_read hp-read 90
ls /sys/bus/pci/devices | tr '\n' ' ' | sed 's/^/L2: devices /'; echo
echo "L2-HP-READ-DONE"
l2_gone_wait hp-gone /sys/class/nvme/nvme0 90
dmesg | grep -i -E 'pciehp|nvme' | tail -6 | sed 's/^/L2: /'
disk_hp_l2
