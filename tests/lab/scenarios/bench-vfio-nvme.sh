# Lab benchmark "bench-vfio-nvme" (sourced in L1 with l1/lib.sh; run only when named, e.g. by
# tests/bench/lab.sh): QEMU's nvme read in L1 by L1's nvme driver when it is loaded (lab.sh adds
# nvme to LKVM_LAB_L1_MODULES), then bound to vfio-pci and read by L2 through lkvm --vfio:
# 4 MiB and 64 MiB sequential (1 MiB O_DIRECT) and 4096 random 4 KiB O_DIRECT reads, 3 passes
# each. Per phase: throughput, L2/L1 ratio, lkvm's BAR traps (MSI-X table, PBA, forwarded
# registers) from `lkvm stat --vfio`, L2's nvme interrupts vs interrupts injected by lkvm, vCPU
# exits to lkvm and lkvm's CPU time. Prints LAB-BENCH lines and one LAB-RESULT (helpers:
# tests/lab-lib/bench.sh).
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
. /lab/lib/bench.sh
N=bench-vfio-nvme
D=/tmp/bench-nvme
PHASES="read4m read64m rand"
rm -rf $D; mkdir -p $D
bench_tool_disk $D && tool="-d $D/tool.img,ro" || tool=

if ! bdf=$(vfio_find 1b36 0010); then
	lab_result $N FAIL "no 1b36:0010 nvme in L1"
else
	# L1's own reads, while L1's nvme driver (if loaded) still has the device.
	l1dev=
	for b in /sys/bus/pci/devices/$bdf/nvme/nvme*/nvme*n1; do
		[ -e "$b" ] && l1dev=/dev/${b##*/}
	done
	if [ -n "$l1dev" ] && [ -b "$l1dev" ]; then
		l1_read4m=$(bench_l1 seq "$l1dev" 1048576 4194304)
		l1_read64m=$(bench_l1 seq "$l1dev" 1048576 67108864)
		l1_rand=$(bench_l1 rand "$l1dev" 4096 $BENCH_RAND)
		echo "LAB: L1 $l1dev: read4m: $l1_read4m; read64m: $l1_read64m; rand: $l1_rand"
	else
		echo "LAB: no nvme block device in L1 (nvme not in LKVM_LAB_L1_MODULES): no L1 figures"
	fi
	if ! vfio_bind "$bdf"; then
		lab_result $N FAIL "cannot bind $bdf to vfio-pci"
	else
		md5=$(lab_param lab.nvme_md5)
		bench_sampler_start $N
		# shellcheck disable=SC2086
		l2_run $N 300 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 --name $N \
			--vfio "$bdf" --debug $tool \
			-p "$L2_APPEND lab.scenario=$N lab.end=poweroff $BENCH_L2_PARAMS lab.md5=$md5"
		bench_sampler_stop
		echo "LAB: samples: $(tr '\n' ';' < /tmp/bench-$N.samples)"
		echo "LAB: lkvm exit counters (whole run): $(vfio_counters)"
		echo "LAB-BENCH vfio-nvme idle trap_table=$(bench_delta $N idle table)" \
			"trap_pba=$(bench_delta $N idle pba) trap_fwd=$(bench_delta $N idle fwd)" \
			"injected=$(bench_delta $N idle injected) $(bench_figs $N idle 0)"
		fail=
		for ph in $PHASES; do
			l2=$(bench_l2 $ph)
			[ -n "$l2" ] || { fail="$fail no-L2-$ph"; continue; }
			eval "l1=\$l1_$ph"
			if [ $ph = rand ]; then m=iops; else m=MBps; fi
			req=$(bench_kv "$l2" requests)
			echo "LAB-BENCH vfio-nvme $ph bs=$(bench_kv "$l2" bs) reads=$(bench_kv "$l2" reads)" \
				"requests=$req l2_$m=$(bench_kv "$l2" $m) l1_$m=$(bench_kv "$l1" $m)" \
				"ratio=$(bench_div "$(bench_kv "$l2" $m)" "$(bench_kv "$l1" $m)" %.3f)" \
				"l2_direct=$(bench_kv "$l2" direct) l1_direct=$(bench_kv "$l1" direct)" \
				"trap_table=$(bench_delta $N $ph table) trap_pba=$(bench_delta $N $ph pba)" \
				"trap_fwd=$(bench_delta $N $ph fwd) l2_irqs=$(bench_kv "$l2" irqs)" \
				"injected=$(bench_delta $N $ph injected) latched=$(bench_delta $N $ph latched)" \
				"$(bench_figs $N $ph "$req")"
		done
		if grep -q 'L2-VFIO nvme-read ok' "$L2_LOG"; then :; else fail="$fail md5"; fi
		if [ -n "$fail" ]; then
			lab_result $N FAIL "missing or wrong:$fail; lkvm exit $L2_RC"
		else
			l2_check $N
		fi
	fi
fi
rm -rf $D
