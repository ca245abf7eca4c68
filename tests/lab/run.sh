#!/usr/bin/env bash
# Nested lab entry point: builds a static lkvm, fetches the Debian kernel/busybox,
# builds the initramfs, boots L1 (QEMU TCG, nested SVM) which runs the chosen scenarios
# under lkvm, and reports LAB-RESULT lines plus host-side wall times.
#   usage: tests/lab/run.sh [-v] [--no-lkvm] [--timeout SECS] [SCENARIO...]   (default: all)
# Writes $LKVM_LAB_OUT (build/lab)/l1-console.log (stamped) and results.txt ("NAME PASS|FAIL detail").
set -eu
. "$(dirname "$0")/common.sh"

verbose=0
lkvm=${LKVM_LAB_LKVM:-}
timeout_s=${LKVM_LAB_TIMEOUT:-}
scen=()
while [ $# -gt 0 ]; do
	case $1 in
	-v|--verbose) verbose=1; shift ;;
	--no-lkvm) lkvm=none; shift ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-h|--help) sed -n '2,7p' "$0"; exit 0 ;;
	-*) lab_die "unknown option '$1' (see tests/lab/run.sh --help)" ;;
	*) scen+=("$1"); shift ;;
	esac
done
if [ ${#scen[@]} = 0 ]; then
	for f in "$LAB_DIR"/scenarios/*.sh; do
		# bench-* scenarios print figures for `make bench` only
		case ${f##*/} in *.l2.sh | bench-*) continue ;; esac
		# scenarios with their own L1 kernel run apart (tests/suites/lab.sh)
		[ -f "${f%.sh}.l1kernel" ] && continue
		b=${f##*/}; scen+=("${b%.sh}")
	done
fi
# Overall limit: 600 s, or 120 s + 150 s per scenario when that is more.
if [ -z "$timeout_s" ]; then
	timeout_s=$((120 + 150 * ${#scen[@]}))
	[ "$timeout_s" -ge 600 ] || timeout_s=600
fi
# scenarios/NAME.l1kernel names another L1 kernel (mtty: Debian 6.12 + mtty.ko from
# fetch-mtty.sh); one L1 boots one kernel, so scenarios of different kernels run apart.
l1k=
for s in "${scen[@]}"; do
	[ -f "$LAB_DIR/scenarios/$s.sh" ] || lab_die "no scenario '$s' (tests/lab/scenarios/$s.sh)"
	k=$(cat "$LAB_DIR/scenarios/$s.l1kernel" 2>/dev/null || echo default)
	[ -z "$l1k" ] || [ "$l1k" = "$k" ] ||
		lab_die "scenario $s needs L1 kernel '$k', the others '$l1k': run them apart"
	l1k=$k
done

mkdir -p "$LAB_OUT"
results=$LAB_OUT/results.txt
log=$LAB_OUT/l1-console.log
: > "$results"
timings=()
step() { timings+=("$(printf '%-32s %7ss' "$1" "$2")"); lab_msg "time: $1 ${2}s"; }
hostfail() { echo "$1 FAIL $2" >> "$results"; echo "LAB-RESULT $1 FAIL $2"; }

[ -e /dev/kvm ] || true   # L1 runs under TCG: the host's /dev/kvm is not used.
lab_deps

if [ -z "$lkvm" ]; then
	t=$(lab_now_us)
	lkvm=$LAB_OUT/lkvm.static
	lab_msg "building static lkvm: make OUT=$lkvm B=build/static LDFLAGS=-static"
	if ! make -C "$LAB_ROOT" -s OUT="$lkvm" B=build/static LDFLAGS=-static >"$LAB_OUT/lkvm-build.log" 2>&1; then
		tail -n 30 "$LAB_OUT/lkvm-build.log" >&2
		hostfail lkvm-static "static build failed (see $LAB_OUT/lkvm-build.log)"
		exit 1
	fi
	step "build static lkvm" "$(lab_secs "$t")"
fi

t=$(lab_now_us)
"$LAB_DIR/fetch.sh" || { hostfail lab-fetch "tests/lab/fetch.sh failed"; exit 1; }
step "fetch kernel+busybox" "$(lab_secs "$t")"
if [ "$l1k" != default ]; then
	t=$(lab_now_us)
	"$LAB_DIR/fetch-$l1k.sh" || { hostfail "lab-fetch-$l1k" "tests/lab/fetch-$l1k.sh failed"; exit 1; }
	export LKVM_LAB_ENV=$LAB_CACHE/lab-$l1k.env
	step "fetch L1 kernel $l1k" "$(lab_secs "$t")"
fi

t=$(lab_now_us)
"$LAB_DIR/build-initramfs.sh" --lkvm "$lkvm" || { hostfail lab-initramfs "build-initramfs.sh failed"; exit 1; }
step "build initramfs" "$(lab_secs "$t")"

run_list=$(IFS=,; echo "${scen[*]}")
# L1's symbols, for qemu-dump's names of a frozen L1's RIPs (L1 boots with nokaslr)
l1_map=$( . "${LKVM_LAB_ENV:-$LAB_CACHE/lab.env}"; echo "${VMLINUZ%/*}/System.map-$KVER")
append="console=ttyS0 panic=-1 nokaslr lab.run=$run_list"
# Scenario hooks for the L1 machine: scenarios/NAME.qemu (bash, sourced here on the host for
# each scenario that runs) may add QEMU arguments to qemu_extra and L1 kernel parameters to
# l1_append (with a leading space), e.g. the vfio-* scenarios' IOMMU, nvme and e1000e.
qemu_extra=()
l1_append=
for s in "${scen[@]}"; do
	if [ -f "$LAB_DIR/scenarios/$s.qemu" ]; then . "$LAB_DIR/scenarios/$s.qemu"; fi
done
append="$append$l1_append"
lab_msg "booting L1 (timeout ${timeout_s}s): scenarios $run_list; console log $log"

# stamp START_US: prefix each line with host seconds since START_US; show LAB lines
# (all lines with -v) on stdout as they come. A line "LAB-MONITOR COMMAND" (a scenario's
# request, e.g. pcie_aer_inject_error) is sent to L1's QEMU monitor; its answer is logged.
stamp() {
	local start=$1 line now d
	while IFS= read -r line || [ -n "$line" ]; do
		while [ "${line%$'\r'}" != "$line" ]; do line=${line%$'\r'}; done
		now=$(lab_now_us); d=$(( (now - start) / 10000 ))
		printf '[%4d.%02d] %s\n' $((d / 100)) $((d % 100)) "$line" >> "$log"
		case $line in
		"LAB-MONITOR "*)
			line=$("$LAB_LIB/qemu-monitor" "$LAB_OUT/mon.sock" "${line#LAB-MONITOR }")
			printf '[%4d.%02d] %s\n' $((d / 100)) $((d % 100)) "$line" >> "$log" ;;
		esac
		if [ $verbose = 1 ]; then
			printf '[%4d.%02d] %s\n' $((d / 100)) $((d % 100)) "$line"
		else
			case $line in
			LAB-*) printf '[%4d.%02d] %s\n' $((d / 100)) $((d % 100)) "$line" ;;
			esac
		fi
	done
}

: > "$log"
t=$(lab_now_us)
# boot_l1 LIST: one L1 for the scenarios LIST (comma-separated), its console appended to
# $log; a console silent for LKVM_LAB_FREEZE seconds (default 90: L1 prints a heartbeat
# every 10 s) means a frozen L1: qemu is stopped and frozen=1. Sets qrc.
boot_l1() {
	local a="$append" mark qpid n last=-1 idle=0
	a=${a/lab.run=$run_list/lab.run=$1}
	mark=$LAB_OUT/.l1-running
	touch "$mark"
	rm -f "$LAB_OUT/.qpid"
	set +e
	( timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -machine q35,kernel-irqchip=split \
		-cpu max -m 2048 -smp 1 -nographic -no-reboot \
		-kernel "$LAB_OUT/vmlinuz" -initrd "$LAB_OUT/l1-initrd.gz" -append "$a" \
		-monitor "unix:$LAB_OUT/mon.sock,server=on,wait=off" \
		${qemu_extra[@]+"${qemu_extra[@]}"} \
		</dev/null 2>&1 &
	  echo $! > "$LAB_OUT/.qpid"
	  wait $!
	  echo $? > "$LAB_OUT/.qrc"; rm -f "$mark" ) | stamp "$t" &
	qpid=$!
	frozen=0
	while [ -e "$mark" ]; do
		sleep 5
		n=$(stat -c %s "$log")
		if [ "$n" = "$last" ]; then idle=$((idle + 5)); else idle=0; last=$n; fi
		if [ $idle -ge "${LKVM_LAB_FREEZE:-90}" ]; then
			frozen=1
			echo "LAB: L1 console silent for ${idle}s: frozen L1 stopped" >> "$log"
			"$LAB_LIB/qemu-dump" "$LAB_OUT/mon.sock" "$l1_map" >> "$log" 2>&1
			kill "$(cat "$LAB_OUT/.qpid")" 2>/dev/null	# the timeout: it stops qemu
			break
		fi
	done
	wait "$qpid"
	qrc=$(cat "$LAB_OUT/.qrc" 2>/dev/null || echo 255)
	[ $frozen = 1 ] && qrc=frozen
	rm -f "$LAB_OUT/.qrc" "$LAB_OUT/.qpid" "$mark"
	set -e
}
boot_l1 "$run_list"
if [ $frozen = 1 ]; then
	# Once: a new L1 for the scenarios that had not ended; what the frozen scenario
	# printed is dropped (its results come from the rerun).
	left=
	for s in "${scen[@]}"; do
		grep -aq "LAB-END $s " "$log" || left=$left${left:+,}$s
	done
	cut=$(grep -an "LAB-BEGIN " "$log" | tail -n 1)
	s=$(sed 's/.*LAB-BEGIN \([^ ]*\).*/\1/' <<<"$cut")
	if [ -n "$cut" ] && ! grep -aq "LAB-END $s " "$log"; then
		head -n $(( ${cut%%:*} - 1 )) "$log" > "$log.first" && mv "$log.first" "$log"
	fi
	lab_msg "L1 froze; rerunning in a new L1: $left"
	echo "LAB: L1 froze; rerun of $left" >> "$log"
	[ -n "$left" ] && boot_l1 "$left"
fi
step "L1 run (qemu total)" "$(lab_secs "$t")"

# Host-side times from the stamps: L1 userspace, and each scenario's BEGIN..END.
stamp_of() { grep -a -m 1 -E "^\[ *[0-9.]+\] $1" "$log" | sed -E 's/^\[ *([0-9.]+)\].*/\1/'; }
up=$(stamp_of 'LAB-L1-UP')
if [ -n "$up" ]; then
	step "L1 boot to userspace" "$up"
else
	hostfail l1-boot "L1 never reached userspace (qemu exit $qrc)"
fi
for s in "${scen[@]}"; do
	b=$(stamp_of "LAB-BEGIN $s ")
	e=$(stamp_of "LAB-END $s ")
	m=$(stamp_of "L2\\| L2-BOOT-OK scenario=$s ")
	[ -n "$b" ] && [ -n "$m" ] && step "scenario $s: L2 userspace" "$(awk "BEGIN { printf \"%.2f\", $m - $b }")"
	[ -n "$b" ] && [ -n "$e" ] && step "scenario $s: total" "$(awk "BEGIN { printf \"%.2f\", $e - $b }")"
done

# Results: every LAB-RESULT line, plus a FAIL for each requested scenario without one.
# (-a and tr: a guest may print raw bytes; keep results.txt printable.)
grep -a -E '^\[ *[0-9.]+\] LAB-RESULT ' "$log" | LC_ALL=C sed -E 's/^\[ *[0-9.]+\] LAB-RESULT //' |
	LC_ALL=C tr -c '[:print:]\n' '?' >> "$results" || true
if [ -n "$up" ]; then
	for s in "${scen[@]}"; do
		grep -q "^$s " "$results" || hostfail "$s" "printed no LAB-RESULT (L1 hung, crashed or timed out?)"
	done
	grep -aq 'LAB-L1-DONE' "$log" || [ "$qrc" = 124 ] || [ "$qrc" = 137 ] ||
		hostfail l1-done "L1 did not finish its run (qemu exit $qrc; timeout is ${timeout_s}s)"
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	hostfail l1-timeout "qemu killed after ${timeout_s}s"
fi

echo "lab timings (host wall clock):"
printf '  %s\n' "${timings[@]}"
if grep -qv '^[^ ]* PASS' "$results"; then
	echo "lab: failures; last 40 lines of $log:"
	tail -n 40 "$log"
	exit 1
fi
exit 0
