# Benchmark and trap-counting helpers shared by both labs, sourced in L1 after l1.sh: a
# sampler that reads lkvm's CPU times and `lkvm stat --vm/--vfio` counters whenever L2 prints
# a "BENCH-SYNC TAG" mark (L2 side: l2.sh), deltas between marks, and figure formatting.
# shellcheck shell=sh disable=SC2034

BENCH_IO=/lab/bench/bench-io
BENCH_RAND=4096			# random 4 KiB reads per pass
BENCH_PASSES=3			# passes per phase (bench-io reports the median pass's rate)

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

# bench_vfio_counters NAME: lkvm's VFIO counters of VM NAME (`lkvm stat --vfio`) as
# "table=.. pba=.. fwd=.. devirq=.. latched=.. injected=.." totals (devirq: MSI/MSI-X
# interrupts the host counted for the device), then per BAR "bN_table=.. bN_pba=.. bN_fwd=.."
# (N is the BAR the guest sees; the ROM is b6).
bench_vfio_counters() {
	"$LKVM" stat --vfio --name "$1" 2>/dev/null | awk '
		{ gsub(/,/, "") }
		$1 ~ /^(BAR[0-9]|ROM[0-9]):$/ && $2 == "trapped" {
			t += $4; p += $6; f += $8
			b = substr($1, length($1) - 1, 1)
			if ($1 ~ /^ROM/) b = 6
			per = per sprintf(" b%s_table=%d b%s_pba=%d b%s_fwd=%d", b, $4, b, $6, b, $8)
		}
		$1 == "MSI-X:" || $1 == "MSI:" {
			for (i = 2; i <= NF; i++) {
				if ($(i + 1) == "from") d += $i
				if ($(i + 1) == "latched") l += $i
				if ($(i + 1) == "injected") j += $i
			}
		}
		END { printf "table=%d pba=%d fwd=%d devirq=%d latched=%d injected=%d%s", t, p, f, d, l, j, per }'
}

# bench_sample TAG PID NAME: one line "TAG vcpu_user=.. vcpu_sys=.. guest=.. other=.. exits=..
# <bench_vfio_counters>" for the running lkvm PID (VM --name NAME). CPU times are clock ticks
# (10 ms) summed over lkvm's threads from /proc/PID/task/*/stat: vCPU threads (those with
# guest time, field 43) split into lkvm's user time (utime - guest), kernel time (KVM: in-kernel
# exits, halt polling) and guest time; "other" is utime+stime of every other thread (main
# loop, virtio and VFIO I/O threads).
bench_sample() {
	_t=$(cat /proc/"$2"/task/*/stat 2>/dev/null | awk '
		{ sub(/^.*\) /, "") }	# after "pid (comm) ": utime $12, stime $13, guest $41
		$41 > 0 { vu += $12 - $41; vs += $13; g += $41; next }
		{ o += $12 + $13 }
		END { printf "vcpu_user=%d vcpu_sys=%d guest=%d other=%d", vu, vs, g, o }')
	_e=$("$LKVM" stat --vm --name "$3" 2>/dev/null | awk '/exits/ { s += $NF } END { print s + 0 }')
	echo "$1 $_t exits=$_e $(bench_vfio_counters "$3")"
}

# bench_sampler_start NAME: in the background, follows the L2 log of run NAME
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

# bench_delta NAME PHASE KEY: KEY at "PHASE-end" minus at "PHASE-start" in the samples ("?"
# when not sampled).
bench_delta() {
	awk -v s="$2-start" -v e="$2-end" -v k="$3" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) v[$1] = kv[2] } }
		END { if ((s in v) && (e in v)) print v[e] - v[s]; else print "?" }' "/tmp/bench-$1.samples"
}

# bench_figs NAME PHASE REQUESTS: common figures of a phase: lkvm's CPU (vCPU threads' user time
# plus the other threads), KVM's (vCPU threads' kernel time), L2's, vCPU exits to lkvm net of
# the idle phase (marks only; none subtracted without an idle phase), per request.
bench_figs() {
	_lk=$(($(bench_delta $1 $2 vcpu_user) + $(bench_delta $1 $2 other)))
	[ "$_lk" -ge 0 ] || _lk=0	# utime is rescaled, guest time is not: a tick below 0 happens
	_ex=$(bench_delta $1 $2 exits)
	_ix=$(bench_delta $1 idle exits)
	[ "$_ix" != "?" ] || _ix=0
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
