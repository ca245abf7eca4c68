#!/usr/bin/env bash
# Runs host test suites that need /dev/kvm inside the x86 lab's L1 (QEMU TCG with nested
# SVM; two 1-vCPU L1s at once), for hosts without a usable /dev/kvm: L1 mounts this host's
# root read-only and this tree read-write over virtio-9p, chroots into it and runs each
# suite as `make check` would.
#   usage: tests/kvm-l1/run.sh OUTDIR SUITE...   writes OUTDIR/SUITE.log and OUTDIR/SUITE.rc
#   (SUITE is tests/suites/SUITE.sh; KVM_L1_SUITES=tests/bench runs tests/bench/SUITE.sh)
set -eu
. "$(dirname "$0")/../lab/common.sh"
. "$LAB_LIB/host.sh"

[ $# -ge 2 ] || lab_die "usage: tests/kvm-l1/run.sh OUTDIR SUITE..."
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
suites=("$@")
SUITE_DIR=${KVM_L1_SUITES:-tests/suites}
here=$(cd "$(dirname "$0")" && pwd)
case $out in "$LAB_ROOT"/*) ;; *) lab_die "OUTDIR must be inside $LAB_ROOT (L1 writes there)" ;; esac
for s in "${suites[@]}"; do
	[ -f "$LAB_ROOT/$SUITE_DIR/$s.sh" ] || lab_die "no suite $SUITE_DIR/$s.sh"
	rm -f "$out/$s.log" "$out/$s.rc" "$out/$s.log.cut"*
done

# The suites run ./lkvm and $B's test VMMs as they are in the tree: build them now, so a
# run by hand never tests stale binaries (under `make check` this is a no-op).
B=${B:-build/x86_64}
make -s -C "$LAB_ROOT" B="$B" lkvm "$B/lkvm-asan" "$B/lkvm-vfio-test" "$B/lkvm-vfio-test-asan" guests >&2 ||
	lab_die "make of lkvm and the test VMMs failed"

lab_deps
"$LAB_DIR/fetch.sh" >&2 || lab_die "tests/lab/fetch.sh failed"
. "$LAB_CACHE/lab.env"

work=$out/initramfs
rm -rf "$work"
mkdir -p "$work/bin" "$work/proc" "$work/sys" "$work/dev" "$work/host" "$work/lab"
cp "$BUSYBOX" "$work/bin/busybox"
ln -sf busybox "$work/bin/sh"
install -m 755 "$here/init" "$work/init"
# KVM, the 9p client, tun for the virtio suite's taps.
lab_add_modules "$MODDIR" "$work/lib/modules/lab" irqbypass ccp kvm kvm-amd \
	virtio_pci 9p 9pnet_virtio tun > "$work/lab/modules.order" || lab_die "kernel modules missing"
lab_mkcpio "$work" "$out/l1-initrd.gz" 1

# Suites run in LKVM_KVM_L1_PAR L1s at once (default 2), each with
# LKVM_KVM_L1_SMP vCPUs (default 1). Measured: a 2-vCPU L1 now and then froze
# (both CPUs in soft lockup: one in KVM_RUN, the other waiting for it, as when
# an IPI to a CPU running L2 is lost; 3 freezes in one CI run); two 1-vCPU L1s
# have no IPIs between L1 CPUs and keep both host cores busy.
par=${LKVM_KVM_L1_PAR:-2}
smp=${LKVM_KVM_L1_SMP:-1}
tmo=${LKVM_KVM_L1_TIMEOUT:-900}

# watch_l1 PID LOG: waits for the L1 (its timeout's PID) and returns its
# status; stops it when it prints a soft lockup, an RCU stall or a panic, or
# when its 10 s heartbeat (KVM-L1-ALIVE) stays away for LKVM_KVM_L1_FREEZE
# seconds: a frozen L1 does not recover (seen: soft lockups for 800 s).
watch_l1() {
	local q=$1 log=$2 mon=$3 n last=-1 idle=0 limit=${LKVM_KVM_L1_FREEZE:-60}
	while kill -0 "$q" 2>/dev/null; do
		sleep 5
		if grep -aqE 'soft lockup|rcu_.*(stall|starved)|Kernel panic|corrupted stack' "$log"; then
			lab_msg "L1 reports a lockup or panic: stopping it"
			kill "$q" 2>/dev/null
			break
		fi
		n=$(grep -ac '^KVM-L1-ALIVE' "$log")
		if [ "$n" != "$last" ]; then
			last=$n
			idle=0
			continue
		fi
		idle=$((idle + 5))
		[ $idle -ge "$limit" ] || continue
		lab_msg "no L1 heartbeat for ${idle}s (frozen): stopping it"
		"$LAB_LIB/qemu-dump" "$mon" "${VMLINUZ%/*}/System.map-$KVER" >> "$log" 2>&1
		kill "$q" 2>/dev/null
		break
	done
	wait "$q"
}

# boot_l1 G LOG SUITE...: one boot of L1 number G running these suites.
boot_l1() {
	local g=$1 log=$2
	shift 2
	{
		echo "REPO=$LAB_ROOT"
		echo "SUITE_DIR=$SUITE_DIR"
		echo "SUITES='$*'"
		echo "OUT=$out"
		# control's name race: a round takes ~6 s under nested TCG (20 rounds: 121 s);
		# 8 rounds of 3 racers still start 24 VMs against each other
		echo "SUITE_ENV='B=${B:-build/x86_64} ARCH=${ARCH:-x86_64} RACE_ROUNDS=${RACE_ROUNDS:-8}'"
	} > "$out/l1-$g.env"
	lab_msg "booting L1 $g for suites: $* (console: $log, limit ${tmo}s)"
	# Multi-threaded TCG: with thread=single the nested SVM delivers some
	# of L2's MSI-X/INTx interrupts twice (the vfio suite fails every time).
	timeout -k 10 "$tmo" qemu-system-x86_64 -accel tcg,thread=multi \
		-machine q35 -cpu max -smp "$smp" -m 6144 -nographic -no-reboot \
		-kernel "$VMLINUZ" -initrd "$out/l1-initrd.gz" \
		-append "console=ttyS0 panic=-1 nokaslr quiet kvml1.env=$out/l1-$g.env" \
		-monitor "unix:$out/mon-$g.sock,server=on,wait=off" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$LAB_ROOT,mount_tag=repo,security_model=none,multidevs=remap" \
		-nic none </dev/null >> "$log" 2>&1 &
	watch_l1 $! "$log" "$out/mon-$g.sock"
}

# run_group G SUITE...: runs the suites in L1 number G. A nested TCG kernel
# now and then freezes or panics: the suites it did not finish get another
# boot (up to 4). The suite that was running when it died runs again; if the
# L1 dies in it twice, it fails.
run_group() {
	local g=$1 log=$out/l1-console-$1.log attempt qrc s
	shift
	local todo=("$@") left
	declare -A cut=()
	: > "$log"
	for attempt in 1 2 3 4; do
		set +e
		boot_l1 "$g" "$log" "${todo[@]}"
		qrc=$?
		set -e
		left=()
		for s in "${todo[@]}"; do
			[ -f "$out/$s.rc" ] || left+=("$s")
		done
		[ ${#left[@]} = 0 ] && return 0
		s=${left[0]}	# suites run in order: this one was cut off
		lab_msg "L1 $g (attempt $attempt, qemu exit $qrc) did not finish: ${left[*]}"
		[ -f "$out/$s.log" ] && mv "$out/$s.log" "$out/$s.log.cut$attempt"
		if [ -n "${cut[$s]:-}" ]; then
			{
				echo "$s: the L1 died twice while running it (qemu exit $qrc);"
				echo "first time: $(tail -n 1 "$out/$s.log.cut${cut[$s]}" 2>/dev/null)"
				echo "partial output of the last attempt:"
				cat "$out/$s.log.cut$attempt" 2>/dev/null
				echo "last console lines:"
				tail -n 20 "$log"
			} > "$out/$s.log"
			echo 1 > "$out/$s.rc"
			left=("${left[@]:1}")
			[ ${#left[@]} = 0 ] && return 0
		fi
		cut[$s]=$attempt
		todo=("${left[@]}")
	done
	for s in "${todo[@]}"; do
		[ -f "$out/$s.rc" ] && continue
		echo "$s: did not run in L1 $g (qemu exit $qrc); last console lines:" >> "$out/$s.log"
		tail -n 20 "$log" >> "$out/$s.log"
		echo 1 > "$out/$s.rc"
	done
}

# Suites go to the L1 with the least work so far, heaviest first (seconds
# measured in a 1-vCPU L1 on a loaded CI machine, 2026-12; a new suite counts 30).
declare -A weight=([abuse]=67 [control]=140 [vfio]=47 [guests]=62 [cli]=14 [virtio]=26 [lifecycle]=18 [snapshot]=188 [migrate]=40)
sorted=$(for s in "${suites[@]}"; do echo "${weight[$s]:-30} $s"; done | sort -rn | cut -d' ' -f2)
declare -a group load
for ((g = 0; g < par; g++)); do group[g]=; load[g]=0; done
for s in $sorted; do
	m=0
	for ((g = 1; g < par; g++)); do [ "${load[g]}" -lt "${load[m]}" ] && m=$g; done
	group[m]="${group[m]} $s"
	load[m]=$((load[m] + ${weight[$s]:-30}))
done
rm -f "$out"/l1-console*.log
pids=()
for ((g = 0; g < par; g++)); do
	[ -n "${group[g]}" ] || continue
	# shellcheck disable=SC2086
	run_group "$g" ${group[g]} &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
for s in "${suites[@]}"; do
	[ -f "$out/$s.rc" ] && continue
	echo "$s: did not run in L1" >> "$out/$s.log"
	echo 1 > "$out/$s.rc"
done
exit 0
