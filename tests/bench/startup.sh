#!/usr/bin/env bash
# needs: /dev/kvm
# Start-up figures (`make bench`): a micro-guest that powers off at its first
# instruction, run N times: time to the first guest exit, the whole run, and
# lkvm's resident memory beyond guest RAM; then, under strace (when installed),
# the system calls before the first KVM_RUN and the time of the KVM ioctls among
# them, so lkvm's own share (the untraced first exit minus the KVM ioctls) shows
# apart from KVM's. Prints figures, asserts nothing.
set -eu
cd "$(dirname "$0")/../.."
LKVM=${LKVM:-./lkvm}
N=${BENCH_RUNS:-50}
NT=${BENCH_TRACE_RUNS:-10}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# mov dx, 0x604; mov ax, 0x3400 (SLP_TYP=5 | SLP_EN); out dx, ax
printf '\xba\x04\x06\xb8\x00\x34\xef\xf4' >"$T/off.bin"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: >"$T/first"; : >"$T/whole"; : >"$T/rss"
for i in $(seq "$N"); do
	t0=$(date +%s%N)
	$LKVM run --raw -k "$T/off.bin" -m 64 --debug </dev/null >/dev/null 2>"$T/err"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) >>"$T/whole"
	sed -nE 's/.*vcpu0: first exit ([0-9.]+) ms.*/\1/p' "$T/err" >>"$T/first"
	sed -nE 's/.*VMM overhead (-?[0-9]+) KiB.*/\1/p' "$T/err" >>"$T/rss"
done
echo "bench: $N runs of a micro-guest that powers off at once (-m 64, 1 vCPU)"
echo "start to first guest exit, median: $(median <"$T/first") ms (target <= 5 ms)"
echo "whole run (fork+exec to exit), median: $(median <"$T/whole") us"
echo "VMM resident memory beyond guest RAM, median: $(median <"$T/rss") KiB (target <= 2048 KiB)"
# What of it is lkvm's alone: a guest that halts at once (its RAM: one page), read from
# outside after 1 s. Shared: pages of files (libc, lkvm's text) other processes map too.
printf '\xf4' >"$T/hlt.bin"
$LKVM run --raw -k "$T/hlt.bin" -m 64 </dev/null >/dev/null 2>&1 &
pid=$!
sleep 1
if [ -r "/proc/$pid/smaps_rollup" ]; then
	awk '/^(Rss|Pss|Shared_Clean|Shared_Dirty|Private_Clean|Private_Dirty|Anonymous):/ {
		printf "%s%s %s KiB", sep, $1, $2; sep = ", " } END { print "" }' \
		"/proc/$pid/smaps_rollup" | sed 's/^/halted guest, lkvm memory: /'
fi
if [ -r "/proc/$pid/smaps" ]; then
	read -r rss file anon < <(awk -v ram_kib=65536 -f tests/bench/smaps-beyond-ram.awk "/proc/$pid/smaps")
	echo "halted guest, lkvm's resident memory beyond the guest RAM mapping: $rss KiB" \
		"($file KiB of files, $anon KiB anonymous; target <= 2048 KiB)"
fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true

if ! command -v strace >/dev/null; then
	echo "strace is not installed: no system call figures (apt-get install strace)"
	exit 0
fi
# Three runs with every system call traced, for the counts; then NT with only the ioctls
# stopping (--seccomp-bpf), for the time: per run, lkvm's own share is its first exit
# (its --debug line) minus what the KVM ioctls took until then.
: >"$T/sys"; : >"$T/kvmsys"
for _ in 1 2 3; do	# the threads' interleaving moves the count by some 10
	strace -f -o "$T/trace" "$LKVM" run --raw -k "$T/off.bin" -m 64 </dev/null >/dev/null 2>&1
	read -r sys kvmsys _ < <(awk -f tests/bench/strace-startup.awk "$T/trace")
	echo "$sys" >>"$T/sys"; echo "$kvmsys" >>"$T/kvmsys"
done
names=$(awk -v names=1 -f tests/bench/strace-startup.awk "$T/trace" | sort -rn | head -12 |
	awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')
: >"$T/kvmms"; : >"$T/own"
for _ in $(seq "$NT"); do
	strace -f --seccomp-bpf -e trace=ioctl -ttt -T -o "$T/trace" \
		"$LKVM" run --raw -k "$T/off.bin" -m 64 --debug </dev/null >/dev/null 2>"$T/err"
	first=$(sed -nE 's/.*vcpu0: first exit ([0-9.]+) ms.*/\1/p' "$T/err")
	read -r _ _ kvmms < <(awk -f tests/bench/strace-startup.awk "$T/trace")
	[ -n "$first" ] || continue
	echo "$kvmms" >>"$T/kvmms"
	awk "BEGIN { printf \"%.3f\\n\", $first - $kvmms }" >>"$T/own"
done
echo "system calls before the first KVM_RUN (all threads, the dynamic loader's too), median:" \
	"$(median <"$T/sys"), of which KVM ioctls $(median <"$T/kvmsys")"
echo "the most frequent of them (last traced run): $names"
echo "KVM ioctls until the first exit (that KVM_RUN too), median of $NT: $(median <"$T/kvmms") ms"
echo "lkvm's own time to the first exit (first exit - KVM ioctls), median: $(median <"$T/own") ms" \
	"(target <= 1 ms)"
