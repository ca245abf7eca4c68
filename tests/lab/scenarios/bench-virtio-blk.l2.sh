# L2 side of lab benchmark "bench-virtio-blk" (sourced by l2/init): loads the lab's L2 modules,
# takes bench-io from the last disk (lab.tool=its size), then reads /dev/vda sequentially and at
# random between "BENCH-SYNC PHASE-start/-end" marks and prints "BENCH-L2 PHASE <bench-io line>
# requests=N irqs=N" (block-layer reads completed, vda's MSI-X interrupts; tests/lab-lib/l2.sh).
bench_l2_setup /dev/vdb
i=0
while [ ! -b /dev/vda ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
v=$(basename "$(readlink -f /sys/block/vda/device)")
bench_l2_phase idle vda " $v-" idle
bench_l2_phase seq vda " $v-" seq 1048576 67108864
bench_l2_phase rand vda " $v-" rand 4096 "$(param lab.rand)"
grep -E " $v-" /proc/interrupts | sed 's/  */ /g'
# virtio-9p against virtio-blk on the same L1 tmpfs (issue 17): the image read back as a file of
# the share, then 64 MiB written sequentially through each (9p: a new file, fsync'd; blk: O_DIRECT
# over the image, whose reads are done): "BENCH-L2 9p-seq|9p-write|blk-write ...".
mkdir -p /mnt9
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 bench9p /mnt9; then
	echo "BENCH-SYNC 9p-seq-start"
	echo "BENCH-L2 9p-seq $(bench_l2_io seq /mnt9/disk.img 1048576 67108864 "$(param lab.passes)")"
	echo "BENCH-SYNC 9p-seq-end"
	echo "BENCH-L2 9p-write $(bench_l2_write /mnt9/written conv=fsync)"
	echo "BENCH-L2 blk-write $(bench_l2_write /dev/vda oflag=direct)"
	umount /mnt9
else
	echo "L2-CHECK-FAIL mount of the 9p share bench9p failed"
fi
