# L2 side of scenario vfio-port (sourced by l2/init): loads nvme, reads 4 MiB of /dev/nvme0n1
# against lab.md5 with the nvme behind a hotplug root port, then nvme_port_checks
# (tests/lab-lib/l2.sh): topology, pciehp slot power off and on.
bench_l2_setup
nvme_wait
nvme_read_check
nvme_port_checks
