# L2 side of lab benchmark "bench-vfio-nvme" (sourced by l2/init): loads the modules, takes
# bench-io from /dev/vda (lab.tool=), reads the passed-through /dev/nvme0n1 in measured phases
# (4 MiB and 64 MiB sequential, lab.rand random 4 KiB reads; helpers of tests/lab-lib/l2.sh),
# then checks the md5 of the first 4 MiB against lab.md5 (nvme_read_check: "L2-VFIO nvme-read ok").
bench_l2_setup /dev/vda
nvme_wait
bench_l2_phase idle nvme0n1 nvme idle
bench_l2_phase read4m nvme0n1 nvme seq 1048576 4194304
bench_l2_phase read64m nvme0n1 nvme seq 1048576 67108864
bench_l2_phase rand nvme0n1 nvme rand 4096 "$(param lab.rand)"
grep nvme /proc/interrupts | sed 's/  */ /g'
nvme_read_check
