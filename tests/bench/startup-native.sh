#!/usr/bin/env bash
# Start-up figures of lkvm alone (`make bench`, x86_64): build/<arch>/lkvm-fakekvm,
# lkvm linked with tests/bench/fakekvm.c in place of /dev/kvm, so every KVM ioctl
# answers at once and what is timed is lkvm's own work, at native speed, on any
# host. Runs alternate between the default (static-pie) build, a dynamically
# linked one and the default with --seccomp off; medians of the time from just
# before main() to the first KVM_RUN (the stand-in's FAKEKVM_REPORT, without
# --debug, whose messages take time) and, from --debug runs (stderr to a
# file), of the resident memory beyond guest RAM and each init level's start.
# Prints figures, asserts nothing.
set -eu
cd "$(dirname "$0")/../.."
N=${BENCH_RUNS:-100}
B=build/x86_64
DYN=build/bench/dyn
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ "$(uname -m)" != x86_64 ]; then
	echo "bench: startup-native is x86_64 only"
	exit 0
fi
make -s "$B/lkvm-fakekvm"
make -s B="$DYN" LDFLAGS= "$DYN/lkvm-fakekvm"
printf '\xba\x04\x06\xb8\x00\x34\xef\xf4' >"$T/off.bin"
export XDG_RUNTIME_DIR=$T/run

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# one NAME BINARY ARGS...: a run's first KVM_RUN (ms), then a --debug run's
# memory beyond guest RAM (KiB) and init levels' start times into $T/NAME.*
one() {
	local name=$1 bin=$2
	shift 2
	FAKEKVM_REPORT=1 "$bin" run --raw -k "$T/off.bin" -m 64 "$@" </dev/null >/dev/null 2>"$T/err"
	sed -nE 's/^fakekvm: first KVM_RUN ([0-9.]+) ms.*/\1/p' "$T/err" >>"$T/$name.first"
	"$bin" run --raw -k "$T/off.bin" -m 64 --debug "$@" </dev/null >/dev/null 2>"$T/err"
	sed -nE 's/.*VMM overhead (-?[0-9]+) KiB.*/\1/p' "$T/err" >>"$T/$name.rss"
	sed -nE 's/.*init ([a-z0-9_]+) at ([0-9.]+) ms.*/\1 \2/p' "$T/err" >>"$T/$name.init"
}
for _ in $(seq "$N"); do
	one static "$B/lkvm-fakekvm"
	one dynamic "$DYN/lkvm-fakekvm"
	one nosc "$B/lkvm-fakekvm" --seccomp off
done
echo "bench: lkvm alone, $N alternating runs each against a stand-in KVM that answers at once" \
	"(tests/bench/fakekvm.c; micro-guest powers off at once, -m 64, 1 vCPU)"
for n in static dynamic nosc; do
	case $n in
	static) what="static-pie (default)" ;;
	dynamic) what="dynamically linked" ;;
	nosc) what="static-pie, --seccomp off" ;;
	esac
	printf '  %-27s start to first KVM_RUN, median %s ms; beyond guest RAM, median %s KiB\n' \
		"$what:" "$(median <"$T/$n.first")" "$(median <"$T/$n.rss")"
done
echo "  (targets: lkvm's own time to the first guest instruction <= 1 ms; <= 2048 KiB)"
# where the default's time goes: each init level's median start, and the first exit
awk '{ print $1 }' "$T/static.init" | awk '!seen[$0]++' >"$T/levels"
line=
while read -r lvl; do
	line+="$lvl $(awk -v l="$lvl" '$1 == l { print $2 }' "$T/static.init" | median), "
done <"$T/levels"
echo "  static-pie with --debug, init levels' start (ms after main, medians): ${line%, }"
# A halted guest's lkvm read from outside after 0.5 s: every mapping but guest RAM.
FAKEKVM_GUEST=halt "$B/lkvm-fakekvm" run --raw -k "$T/off.bin" -m 64 </dev/null >/dev/null 2>&1 &
pid=$!
sleep 0.5
read -r rss file anon < <(awk -v ram_kib=65536 -f tests/bench/smaps-beyond-ram.awk "/proc/$pid/smaps")
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
echo "  static-pie, halted guest: resident beyond the guest RAM mapping $rss KiB" \
	"($file KiB of lkvm's file pages, $anon KiB anonymous)"
