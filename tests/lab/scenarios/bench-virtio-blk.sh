# Lab benchmark "bench-virtio-blk" (sourced in L1 with l1/lib.sh; run only when named, e.g. by
# tests/bench/lab.sh): 64 MiB of random data on L1's tmpfs read by L1 directly, then by L2 through
# lkvm's virtio-blk (-d), sequentially (1 MiB O_DIRECT) and at random (4096 x 4 KiB O_DIRECT).
# L2 marks each phase on its console; a sampler here reads lkvm's utime+stime (/proc/PID/stat)
# and `lkvm stat --vm/--vfio` at each mark. Prints LAB-BENCH lines (figures) and one
# LAB-RESULT. With BENCH_LIB_ONLY=1 it only defines the helpers (bench-vfio-nvme uses them).
# The reader is bench-io (tests/bench/bench-io.c, put in L1 at /lab/bench/bench-io by lab.sh's
# L1 overlay and handed to L2 as a small read-only disk); without it L2 falls back to dd.

BENCH_IO=/lab/bench/bench-io
BENCH_RAND=4096			# random 4 KiB reads per pass
BENCH_PASSES=3			# passes per phase (bench-io reports the median pass's rate)
export HOME=/tmp		# where lkvm puts its control socket (lkvm stat)

# bench_tool_disk DIR: when bench-io exists, writes DIR/tool.img (the binary padded to 4 KiB).
# Sets BENCH_L2_PARAMS, L2's parameters: lab.tool= (bench-io's length in bytes, 0 without it),
# lab.rand= and lab.passes=.
bench_tool_disk() {
	_sz=0
	[ -x "$BENCH_IO" ] && _sz=$(wc -c < "$BENCH_IO")
	BENCH_L2_PARAMS="lab.tool=$_sz lab.rand=$BENCH_RAND lab.passes=$BENCH_PASSES"
	[ "$_sz" -gt 0 ] && dd if="$BENCH_IO" of="$1/tool.img" bs=4096 conv=sync 2>/dev/null
}

# bench_kv LINE KEY: the value of KEY=value in LINE (empty if absent).
bench_kv() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# bench_l1 MODE FILE BS N: bench-io in L1, BENCH_PASSES passes (empty output without the tool).
bench_l1() { [ -x "$BENCH_IO" ] && "$BENCH_IO" "$@" $BENCH_PASSES 2>&1 | tail -n 1; }

# bench_sample TAG PID NAME: one line "TAG vcpu_user=.. vcpu_sys=.. guest=.. other=.. exits=..
# table=.. pba=.. fwd=.. latched=.. injected=.." for the running lkvm PID (VM --name NAME). CPU
# times are clock ticks (10 ms) summed over lkvm's threads from /proc/PID/task/*/stat: vCPU
# threads (those with guest time, field 43) split into lkvm's user time (utime - guest), kernel
# time (KVM: in-kernel exits, halt polling) and guest time; "other" is utime+stime of every
# other thread (main loop, virtio and VFIO I/O threads).
bench_sample() {
	_t=$(cat /proc/"$2"/task/*/stat 2>/dev/null | awk '
		{ sub(/^.*\) /, "") }	# after "pid (comm) ": utime $12, stime $13, guest $41
		$41 > 0 { vu += $12 - $41; vs += $13; g += $41; next }
		{ o += $12 + $13 }
		END { printf "vcpu_user=%d vcpu_sys=%d guest=%d other=%d", vu, vs, g, o }')
	_e=$("$LKVM" stat --vm --name "$3" 2>/dev/null | awk '/exits/ { s += $NF } END { print s + 0 }')
	_v=$("$LKVM" stat --vfio --name "$3" 2>/dev/null | awk '
		{ gsub(/,/, "") }
		$1 ~ /^(BAR[0-9]|ROM6):$/ && $2 == "trapped" { t += $4; p += $6; f += $8 }
		$1 == "MSI-X:" || $1 == "MSI:" {
			for (i = 2; i <= NF; i++) {
				if ($(i + 1) == "raised") l += $i
				if ($(i + 1) == "injected") j += $i
			}
		}
		END { printf "table=%d pba=%d fwd=%d latched=%d injected=%d", t, p, f, l, j }')
	echo "$1 $_t exits=$_e $_v"
}

# bench_sampler_start NAME: in the background, follows the L2 log of scenario NAME
# (/tmp/l2-NAME.log, l2_run's) and samples lkvm (VM --name NAME) at each new
# "BENCH-SYNC TAG" line, into /tmp/bench-NAME.samples; bench_sampler_stop ends it.
bench_sampler_start() {
	_log=/tmp/l2-$1.log
	rm -f "$_log" /tmp/bench.stop
	: > "/tmp/bench-$1.samples"
	(
		seen=0; pid=
		while [ ! -e /tmp/bench.stop ]; do
			n=$(grep -c 'BENCH-SYNC ' "$_log" 2>/dev/null)
			while [ "${n:-0}" -gt "$seen" ]; do
				seen=$((seen + 1))
				tag=$(grep 'BENCH-SYNC ' "$_log" | sed -n "${seen}p" |
					sed 's/.*BENCH-SYNC \([^ ]*\).*/\1/')
				[ -n "$pid" ] || pid=$(pidof lkvm | awk '{ print $1 }')
				bench_sample "$tag" "$pid" "$1" >> "/tmp/bench-$1.samples"
			done
			sleep 0.2
		done
	) &
	BENCH_SAMPLER=$!
}
bench_sampler_stop() {
	touch /tmp/bench.stop
	wait "$BENCH_SAMPLER" 2>/dev/null
	rm -f /tmp/bench.stop
}

# bench_delta NAME PHASE KEY: KEY at "PHASE-end" minus at "PHASE-start" in the samples (0 when
# not sampled).
bench_delta() {
	awk -v s="$2-start" -v e="$2-end" -v k="$3" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v[$1] = kv[2] } }
		END { if ((s in v) && (e in v)) print v[e] - v[s]; else print "?" }' "/tmp/bench-$1.samples"
}

# bench_figs NAME PHASE REQUESTS: common figures of a phase: lkvm's CPU (vCPU threads' user time
# plus the other threads), KVM's (vCPU threads' kernel time), L2's, vCPU exits to lkvm net of
# the idle phase (marks only), per request.
bench_figs() {
	_lk=$(($(bench_delta $1 $2 vcpu_user) + $(bench_delta $1 $2 other)))
	[ "$_lk" -ge 0 ] || _lk=0	# utime is rescaled, guest time is not: a tick below 0 happens
	_ex=$(bench_delta $1 $2 exits)
	_ix=$(bench_delta $1 idle exits)
	_nx=$((_ex - _ix))
	echo "lkvm_cpu_ms=$((_lk * 10)) lkvm_us_per_req=$(bench_div $_lk "$3" %.1f 10000)" \
		"kvm_cpu_ms=$(($(bench_delta $1 $2 vcpu_sys) * 10))" \
		"guest_ms=$(($(bench_delta $1 $2 guest) * 10))" \
		"exits=$_ex idle_exits=$_ix exits_net=$_nx exits_per_req=$(bench_div $_nx "$3" %.3f)"
}

# bench_l2 PHASE: L2's "BENCH-L2 PHASE ..." line from $L2_LOG (without the prefix).
bench_l2() { grep -m 1 "BENCH-L2 $1 " "$L2_LOG" | sed "s/.*BENCH-L2 $1 //"; }

# bench_div A B [FMT [SCALE]]: A * SCALE / B (or "?" when either is unknown or B is 0).
bench_div() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" -v m="${4:-1}" 'BEGIN {
		if (a == "" || b == "" || a == "?" || b == "?" || b + 0 == 0) print "?"
		else printf f "\n", a * m / b }'
}

if [ -z "${BENCH_LIB_ONLY:-}" ]; then
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
		-d $D/disk.img $tool \
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
	if [ -n "$fail" ]; then
		lab_result $N FAIL "missing figures:$fail; lkvm exit $L2_RC"
	else
		l2_check $N
	fi
	rm -rf $D
fi
