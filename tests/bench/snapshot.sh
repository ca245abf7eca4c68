#!/usr/bin/env bash
# needs: /dev/kvm
# Snapshot figures (`make bench`; run in tests/kvm-l1 where /dev/kvm is
# missing): a 512 MiB guest that wrote 432 MiB (tests/guests/memfill.c):
# snapshot --stop time and size; restore to the first guest exit (--debug's
# "first exit" line) of that guest and of a 96 MiB one, against a cold boot
# of the 96 MiB one. Medians of RUNS; prints figures, asserts nothing timed.
set -u
cd "$(dirname "$0")/../.."
LKVM=${LKVM:-./lkvm}
G=tests/guests/build
RUNS=${BENCH_SNAP_RUNS:-5}
T=$(mktemp -d)
export XDG_RUNTIME_DIR=$T/run
trap 'for p in $(jobs -p); do kill -9 $p 2>/dev/null; done; rm -rf "$T"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }

# wait_for FILE TEXT SECS
wait_for() {
	local i
	for i in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench-snapshot: no '$2' in $1 within $3 s: $(tail -3 $1)" >&2
	return 1
}

# first_exit ARGS...: lkvm run ARGS --debug until its first vCPU exit; ms.
first_exit() {
	$LKVM run "$@" --debug </dev/null >/dev/null 2>$T/fe.err &
	local p=$!
	wait_for $T/fe.err "first exit" 30 || { kill -9 $p; return 1; }
	kill -TERM $p
	wait $p 2>/dev/null
	sed -nE 's/.*vcpu0: first exit ([0-9.]+) ms.*/\1/p' $T/fe.err | head -1
}

# snap NAME MIB GUEST MARKER DIR: boots GUEST, snapshots it with --stop.
snap() {
	$LKVM run --raw -k $G/$3.bin -m $2 --name $1 </dev/null >$T/$1.out 2>&1 &
	local p=$! t0 t1
	wait_for $T/$1.out "$4" 120 || return 1
	t0=$(ms)
	$LKVM snapshot --stop --name $1 $5 || return 1
	t1=$(ms)
	wait $p
	echo $((t1 - t0))
}

big=$(snap big 512 memfill "memfill done" $T/big) || exit 1
small=$(snap small 96 memfill "memfill done" $T/small) || exit 1
: >$T/rb; : >$T/rs; : >$T/cold
for i in $(seq $RUNS); do
	first_exit --restore $T/big >>$T/rb
	first_exit --restore $T/small >>$T/rs
	first_exit --raw -k $G/memfill.bin -m 96 >>$T/cold
done
kib() { du -k "$1" | cut -f1; }
echo "bench-snapshot: 512 MiB guest with 432 MiB written: snapshot --stop" \
	"${big} ms, RAM file $(kib $T/big/ram) KiB allocated of" \
	"$(( $(stat -c %s $T/big/ram) >> 10 )) KiB, state $(stat -c %s $T/big/state) bytes"
echo "bench-snapshot: 96 MiB guest with 16 MiB written: snapshot --stop ${small} ms," \
	"RAM file $(kib $T/small/ram) KiB allocated"
echo "bench-snapshot: restore to first guest exit, median of $RUNS:" \
	"512 MiB $(median <$T/rb) ms, 96 MiB $(median <$T/rs) ms" \
	"(target < 20 ms, independent of RAM size); cold boot of the 96 MiB" \
	"guest to its first exit $(median <$T/cold) ms"
