#!/usr/bin/env bash
# needs: /dev/kvm
# Live migration figures (`make bench`; run in tests/kvm-l1 where /dev/kvm
# is missing): a 512 MiB guest idle after writing 432 MiB
# (tests/guests/memfill.c) and a 512 MiB guest rewriting 16 MiB without
# pause (tests/guests/pattern.c), each moved RUNS times over a unix socket
# to `lkvm run --incoming`: medians of migrate's total time and downtime,
# MiB sent against RAM, pre-copy passes. Prints figures, asserts nothing
# timed; fails only when a migration fails.
set -u
cd "$(dirname "$0")/../.."
LKVM=${LKVM:-./lkvm}
G=tests/guests/build
RUNS=${BENCH_MIG_RUNS:-3}
T=$(mktemp -d)
export XDG_RUNTIME_DIR=$T/run
trap 'for p in $(jobs -p); do kill -9 $p 2>/dev/null; done; rm -rf "$T"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# wait_for FILE TEXT SECS
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench-migrate: no '$2' in $1 within $3 s: $(tail -3 "$1")" >&2
	return 1
}

# move GUEST MARKER: boots GUEST (512 MiB), migrates it once it printed
# MARKER; appends "total downtime MiB passes" to $T/GUEST.fig.
move() {
	local s d sum
	$LKVM run --raw -k $G/$1.bin -m 512 --name src </dev/null >$T/s.out 2>&1 &
	s=$!
	wait_for $T/s.out "$2" 120 || return 1
	$LKVM run --incoming unix:$T/m.sock --name dst </dev/null >$T/d.out 2>&1 &
	d=$!
	wait_for $T/d.out "waiting for an incoming VM" 10 || return 1
	$LKVM migrate --name src unix:$T/m.sock >$T/m.out 2>&1
	sum=$(sed -nE 's/^migrate: done in ([0-9]+) ms, downtime ([0-9]+) ms, ([0-9.]+) MiB sent in ([0-9]+) pre-copy passes$/\1 \2 \3 \4/p' $T/m.out)
	wait $s
	kill -TERM $d
	wait $d 2>/dev/null
	if [ -z "$sum" ]; then
		echo "bench-migrate: $1: $(tail -2 $T/m.out)" >&2
		return 1
	fi
	echo "$sum" >>$T/$1.fig
}

# report GUEST WHAT
report() {
	echo "bench-migrate: 512 MiB guest $2, median of $RUNS:" \
		"total $(cut -d' ' -f1 <$T/$1.fig | median) ms," \
		"downtime $(cut -d' ' -f2 <$T/$1.fig | median) ms," \
		"$(cut -d' ' -f3 <$T/$1.fig | median) MiB sent of 512," \
		"$(cut -d' ' -f4 <$T/$1.fig | median) pre-copy passes" \
		"(downtime target < 300 ms idle)"
}

rc=0
for i in $(seq $RUNS); do
	move memfill "memfill done" || rc=1
	move pattern "GUEST pattern pass=" || rc=1
done
[ ! -s $T/memfill.fig ] || report memfill "idle (432 MiB written before)"
[ ! -s $T/pattern.fig ] || report pattern "rewriting 16 MiB without pause"
[ $rc = 0 ] && grep -q "dirty log: KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG" $T/m.out &&
	echo "bench-migrate: dirty log re-armed with KVM_CLEAR_DIRTY_LOG"
exit $rc
