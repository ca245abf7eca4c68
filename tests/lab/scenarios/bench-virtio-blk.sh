# Lab benchmark "bench-virtio-blk" (sourced in L1 with l1/lib.sh; run only when named, e.g. by
# tests/bench/lab.sh): 64 MiB of random data on L1's tmpfs read by L1 directly, then by L2 through
# lkvm's virtio-blk (-d), sequentially (1 MiB O_DIRECT) and at random (4096 x 4 KiB O_DIRECT).
# Then the same file read over virtio-9p (--9p), and 64 MiB written through 9p and through blk.
# L2 marks each phase on its console; the sampler of tests/lab-lib/bench.sh reads lkvm's CPU
# times and `lkvm stat --vm/--vfio` at each mark. Prints LAB-BENCH lines and one LAB-RESULT.
# The reader is bench-io (tests/bench/bench-io.c, put in L1 at /lab/bench/bench-io by lab.sh's
# L1 overlay and handed to L2 as a small read-only disk); without it L2 falls back to dd.
. /lab/lib/bench.sh
D=/tmp/bench-blk
N=bench-virtio-blk
rm -rf $D; mkdir -p $D
dd if=/dev/urandom of=$D/disk.img bs=1M count=64 2>/dev/null
bench_tool_disk $D && tool="-d $D/tool.img,ro" || tool=
# L1 reads the same file the same ways (tmpfs: no O_DIRECT, no cache to drop; the data
# is in RAM for lkvm's preadv too).
l1seq=$(bench_l1 seq $D/disk.img 1048576 67108864)
l1rnd=$(bench_l1 rand $D/disk.img 4096 $BENCH_RAND)
echo "LAB: L1 seq: ${l1seq:-no bench-io}"
echo "LAB: L1 rand: ${l1rnd:-no bench-io}"
bench_sampler_start $N
# shellcheck disable=SC2086
l2_run $N 220 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name $N \
	-d $D/disk.img $tool --9p $D,bench9p \
	-p "$L2_APPEND lab.scenario=$N lab.end=poweroff $BENCH_L2_PARAMS"
bench_sampler_stop
echo "LAB: samples: $(tr '\n' ';' < /tmp/bench-$N.samples)"
echo "LAB-BENCH virtio-blk idle $(bench_figs $N idle 0)"
fail=
for ph in seq rand; do
	l2=$(bench_l2 $ph)
	[ -n "$l2" ] || { fail="$fail no-L2-$ph"; continue; }
	if [ $ph = seq ]; then l1=$l1seq; m=MBps; else l1=$l1rnd; m=iops; fi
	req=$(bench_kv "$l2" requests)
	echo "LAB-BENCH virtio-blk $ph bs=$(bench_kv "$l2" bs) reads=$(bench_kv "$l2" reads)" \
		"requests=$req l2_$m=$(bench_kv "$l2" $m) l1_$m=$(bench_kv "$l1" $m)" \
		"ratio=$(bench_div "$(bench_kv "$l2" $m)" "$(bench_kv "$l1" $m)" %.3f)" \
		"l2_direct=$(bench_kv "$l2" direct) l1_direct=$(bench_kv "$l1" direct)" \
		"$(bench_figs $N $ph "$req")" \
		"irqs=$(bench_kv "$l2" irqs) irqs_per_req=$(bench_div "$(bench_kv "$l2" irqs)" "$req" %.3f)"
done
# virtio-9p rows: the L1 column is virtio-blk's rate in the same L2 (same tmpfs file)
blkseq=$(bench_kv "$(bench_l2 seq)" MBps)
for ph in 9p-seq 9p-write; do
	l2=$(bench_l2 $ph)
	blk=$blkseq
	[ $ph = 9p-write ] && blk=$(bench_kv "$(bench_l2 blk-write)" MBps)
	[ -n "$(bench_kv "$l2" MBps)" ] || { fail="$fail no-L2-$ph"; continue; }
	echo "LAB-BENCH virtio-9p ${ph#9p-} l2_MBps=$(bench_kv "$l2" MBps) l1_MBps=$blk" \
		"ratio=$(bench_div "$(bench_kv "$l2" MBps)" "$blk" %.3f)"
done
if [ -n "$fail" ]; then
	lab_result $N FAIL "missing figures:$fail; lkvm exit $L2_RC"
else
	l2_check $N
fi
rm -rf $D
