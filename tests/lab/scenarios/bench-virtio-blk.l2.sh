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
