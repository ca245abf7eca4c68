# Helpers shared by the x86 (tests/lab) and arm64 (tests/lab-arm64) labs, sourced in L1
# (busybox sh) by each lab's l1/lib.sh, which first sets LKVM, L2_KERNEL, L2_INITRD and
# L2_APPEND: result lines, kernel parameters, and l2_run/l2_boot/l2_check/l2_sub for L2 runs.
# shellcheck shell=sh disable=SC2034
LAB_CR=$(printf '\r')
export HOME=/tmp		# where lkvm puts its control socket (lkvm stat)

lab_uptime() { cut -d' ' -f1 /proc/uptime; }
# lab_param NAME: value of NAME=... on this kernel's command line (empty if absent).
lab_param() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
# Prefix of every result name (lab.prefix=, e.g. "16k-" for the arm64 lab's 16K L1).
LAB_PREFIX=$(lab_param lab.prefix)
# lab_result NAME PASS|FAIL DETAIL...
lab_result() { _rn=$1; _rr=$2; shift 2; echo "LAB-RESULT $LAB_PREFIX$_rn $_rr $*"; }
lab_sub() { awk "BEGIN { printf \"%.2f\", $1 - $2 }"; }
# lab_pagesize: the L1 kernel's page size in bytes (what getpagesize() returns).
lab_pagesize() { echo $(( $(sed -n 's/^KernelPageSize: *\([0-9]*\) kB/\1/p' /proc/self/smaps | head -n 1) * 1024 )); }

# lab_wait TENTHS CMD...: runs CMD (output discarded) every 0.1 s until it succeeds; 1 when
# TENTHS tries all failed.
lab_wait() {
	_lw=$1; shift
	while ! "$@" >/dev/null 2>&1; do
		_lw=$((_lw - 1)); [ $_lw -gt 0 ] || return 1
		sleep 0.1
	done
}
# lab_tap TAP [GONE]: once lkvm made TAP (and the tap GONE is no more), L1's end of an L2
# network on it: 10.0.2.1/24 and the same MAC each time, so L2's ARP entry stays right
# across lkvm processes (snapshot restores, migrations).
lab_tap() {
	lab_wait 1800 ip link show "$1" || { echo "no $1 appeared"; return; }
	[ -z "${2:-}" ] || lab_wait 1800 sh -c "! ip link show $2" || { echo "$2 stayed"; return; }
	ip link set "$1" down
	ip link set "$1" address 02:00:00:00:5a:01
	ip addr add 10.0.2.1/24 dev "$1"
	ip link set "$1" up
	echo "$1 up"
}

# l2_threads PID: "TID:STATE:WCHAN" of each of the process's threads, the first is main.
l2_threads() {
	for _tk in /proc/"$1"/task/*; do
		printf '%s:%s:%s ' "${_tk##*/}" "$(sed 's/.*) \(.\).*/\1/' "$_tk/stat" 2>/dev/null)" \
			"$(cat "$_tk/wchan" 2>/dev/null)"
	done
}

# l2_watchdog NAME TIMEOUT STALL: kills the run's lkvm (pid in /tmp/l2-NAME.pid) at TIMEOUT
# seconds; 3 s before, what each lkvm's threads are doing (state and wchan into
# /tmp/l2-NAME.diag for the result line, kernel stacks on the console), so a run that hangs in
# CI says where. With STALL > 0, a run whose output stays unchanged for STALL seconds before
# L2 printed L2-BOOT-OK is a stall: the same diagnosis plus `lkvm debug` (vCPU registers, twice),
# then the kill and /tmp/l2-NAME.stalled for l2_run's one retry.
l2_watchdog() {
	_wn=$1; _wst=$3; _wl=/tmp/l2-$1.log
	read -r _wup _ < /proc/uptime
	_wend=$((${_wup%.*} + $2)); _wdiag=$((_wend - 3))
	_wsz=-1; _wlast=${_wup%.*}
	while :; do
		sleep 1
		read -r _wup _ < /proc/uptime
		_wnow=${_wup%.*}
		[ "$_wnow" -lt "$_wend" ] || break
		if [ -n "$_wdiag" ] && [ "$_wnow" -ge "$_wdiag" ]; then
			l2_diag "$_wn"
			_wdiag=
		fi
		[ "$_wst" -gt 0 ] || continue
		_wsize=$(wc -c < "$_wl")
		if [ "$_wsize" != "$_wsz" ]; then
			_wsz=$_wsize; _wlast=$_wnow
			! grep -q L2-BOOT-OK "$_wl" || _wst=0
			continue
		fi
		[ $((_wnow - _wlast)) -ge "$_wst" ] || continue
		l2_diag "$_wn"
		for _ in 1 2; do
			"$LKVM" debug --name "$_wn" 2>&1 | sed "s|^|LAB-DIAG $_wn debug: |"
			sleep 1
		done > /dev/console
		: > "/tmp/l2-$_wn.stalled"
		break
	done
	_wp=$(cat "/tmp/l2-$_wn.pid" 2>/dev/null)
	[ -z "$_wp" ] || kill -KILL "$_wp" 2>/dev/null
}

# l2_diag NAME: thread states into /tmp/l2-NAME.diag, kernel stacks on the console.
l2_diag() {
	for _p in $(pidof lkvm); do
		echo "pid $_p: $(l2_threads "$_p")" >> "/tmp/l2-$1.diag"
		for _tk in /proc/"$_p"/task/*; do
			sed "s|^|LAB-DIAG $1 ${_tk##*/} |" "$_tk/stack" 2>/dev/null
		done
	done > /dev/console 2>&1
}

# l2_hang: for the last run when it was killed at its timeout, what l2_watchdog saw and the
# last lines L2 printed (else nothing).
l2_hang() {
	[ "$L2_RC" = 137 ] || return 0
	printf %s "; L2's last lines: $(grep -v '^ *$' "$L2_LOG" | tail -n 3 | tr '\n' ' ' | cut -c1-240)"
	[ -s "/tmp/l2-$L2_NAME.diag" ] &&
		printf %s "; threads at the timeout: $(tr '\n' ' ' < "/tmp/l2-$L2_NAME.diag" | cut -c1-400)"
}

# l2_run NAME TIMEOUT LKVM-ARGS...: runs `lkvm LKVM-ARGS` (stdin /dev/null), echoes its
# output prefixed "L2| " and keeps it in $L2_LOG; sets L2_RC (137 when killed at TIMEOUT
# seconds) and L2_SECS (L1 seconds). LAB-L2-BEGIN/-END lines let the host time each run.
# A `run` (not --restore/--incoming) that stalls before L2-BOOT-OK (L2_STALL seconds without
# output, 0: never) is diagnosed (LAB-STALL) and run once more: nested TCG freezes an L2
# now and then.
l2_run() {
	_rs=0
	[ "$3" != run ] || case " $* " in
	*" --restore"*|*" --incoming"*) ;;
	*) _rs=${L2_STALL:-0} ;;
	esac
	l2_run_once "$_rs" "$@"
	if [ -f "/tmp/l2-$1.stalled" ]; then
		echo "LAB-STALL $LAB_PREFIX$1: L2 printed nothing for ${_rs}s before L2-BOOT-OK; last lines: $(grep -v '^ *$' "$L2_LOG" | tail -n 2 | tr '\n' ' ' | cut -c1-200); threads: $(tr '\n' ' ' < "/tmp/l2-$1.diag" 2>/dev/null | cut -c1-300); running it again"
		l2_run_once 0 "$@"
	fi
}

l2_run_once() {
	_st=$1; _n=$2; _t=$3; shift 3
	L2_LOG=/tmp/l2-$_n.log; L2_NAME=$_n
	if [ ! -x "$LKVM" ]; then
		echo "LAB: $LKVM is missing from the L1 initramfs" > "$L2_LOG"
		L2_RC=127; L2_SECS=0
		return 0
	fi
	echo "LAB-L2-BEGIN $LAB_PREFIX$_n"
	echo "LAB-CMD lkvm $*"
	_t0=$(lab_uptime)
	rm -f /tmp/l2.rc "/tmp/l2-$_n.diag" "/tmp/l2-$_n.stalled" "/tmp/l2-$_n.pid"
	: > "$L2_LOG"
	# Not on the scenario's stdout: l2_run's kill leaves the watchdog's sleep running, and a
	# pipe it held would keep the scenario's tee open until the timeout.
	l2_watchdog "$_n" "$_t" "$_st" < /dev/null > /dev/null 2>&1 &
	_wd=$!
	# A read loop, not sed: sed buffers, and the host stamps lines as they arrive.
	( "$LKVM" "$@" < /dev/null & echo $! > "/tmp/l2-$_n.pid"; wait $!
	  echo $? > /tmp/l2.rc ) 2>&1 |
		while IFS= read -r _l || [ -n "$_l" ]; do
			_l=${_l%"$LAB_CR"}
			echo "$_l" >> "$L2_LOG"
			echo "L2| $_l"
		done
	kill "$_wd" 2>/dev/null
	L2_RC=$(cat /tmp/l2.rc 2>/dev/null || echo 255)
	L2_SECS=$(lab_sub "$(lab_uptime)" "$_t0")
	echo "LAB-L2-END $LAB_PREFIX$_n rc=$L2_RC l1_secs=$L2_SECS"
}

# l2_boot NAME TIMEOUT L2-PARAMS -- LKVM-RUN-ARGS...: l2_run of `lkvm run` with the lab's L2
# kernel and initramfs (256 MiB, 1 vCPU unless -c) and L2_APPEND plus L2-PARAMS.
l2_boot() {
	_bn=$1; _bt=$2; _bp=$3; shift 3
	[ "$1" = -- ] && shift
	l2_run "$_bn" "$_bt" run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -p "$L2_APPEND $_bp" "$@"
}

# l2_check NAME [MARKER]: PASS when the L2 marker (default L2-BOOT-OK) is in $L2_LOG, L2
# reported no L2-CHECK-FAIL and lkvm exited 0 (poweroff).
l2_check() {
	_n=$1; _m=${2:-L2-BOOT-OK}
	_line=$(grep -m 1 "$_m" "$L2_LOG" | sed "s/.*\($_m\)/\1/")
	_bad=$(grep -m 1 'L2-CHECK-FAIL' "$L2_LOG" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')
	# a panic with panic=-1 resets the guest and lkvm exits 0: not a pass
	[ -n "$_bad" ] || _bad=$(grep -m 1 'Kernel panic - not syncing' "$L2_LOG" | sed 's/.*\(Kernel panic\)/L2 \1/' | cut -c1-200)
	if [ -z "$_line" ]; then
		_last=$(grep -v '^ *$' "$L2_LOG" | tail -n 3 | tr '\n' ' ' | cut -c1-240)
		lab_result "$_n" FAIL "no $_m from L2; lkvm exit $L2_RC after ${L2_SECS}s; last output: $_last$(l2_hang)"
	elif [ -n "$_bad" ]; then
		lab_result "$_n" FAIL "$_bad; lkvm exit $L2_RC"
	elif [ "$L2_RC" != 0 ]; then
		lab_result "$_n" FAIL "$_line but lkvm exit $L2_RC (expected 0) after ${L2_SECS}s$(l2_hang)"
	else
		lab_result "$_n" PASS "$_line lkvm_exit=0 l1_secs=$L2_SECS"
	fi
}

# l2_sub NAME CHECK TAG: PASS with L2's "TAG CHECK ok ..." line, else FAIL with its
# "L2-CHECK-FAIL CHECK..." reason (e.g. l2_sub virtio-rng rng L2-VIRTIO).
l2_sub() {
	_ok=$(grep -m 1 "$3 $2 ok" "$L2_LOG" | sed "s/.*$3 $2 ok *//")
	if grep -q "$3 $2 ok" "$L2_LOG"; then
		lab_result "$1" PASS "${_ok:-ok}"
	else
		_why=$(grep -m 1 "L2-CHECK-FAIL $2" "$L2_LOG" | sed 's/.*L2-CHECK-FAIL //')
		lab_result "$1" FAIL "${_why:-L2 printed neither '$3 $2 ok' nor a reason (lkvm exit $L2_RC)$(l2_hang)$(l2_gone)}"
	fi
}

# l2_gone: for a run that ended (exit 0 too: a guest panic with panic=-1 resets, and lkvm
# ends) without its script's "L2-END": "; L2 ended early, last lines: ..." so the reason
# (a panic, an oops) is in the result line, not only in L1's console.
l2_gone() {
	[ "$L2_RC" != 137 ] || return 0
	grep -q 'L2-END' "$L2_LOG" && return 0
	printf %s "; L2 ended without L2-END, last lines: $(grep -v '^ *$' "$L2_LOG" | grep -v 'lkvm: debug' | tail -n 4 | tr '\n' ' ' | cut -c1-320)"
}

# l2_await NAME MARK: waits (150 s at most) until the L2 run NAME's output
# (/tmp/l2-NAME.log) shows MARK (grep); status 1 when it never did.
l2_await() {
	for _ in $(seq 300); do
		grep -q "$2" "/tmp/l2-$1.log" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# l2_stopper NAME [VM]: before the L2 run NAME (lab.end=button), in the background: waits (2 min
# at most) until L2 waits for its power button, then `lkvm stop [--name VM]` (as the only VM
# without VM) into /tmp/stop-NAME.out with its status.
l2_stopper() {
	rm -f "/tmp/stop-$1.out"
	( for _ in $(seq 600); do
		grep -q "L2-END button: waiting" "/tmp/l2-$1.log" 2>/dev/null && break
		sleep 0.2
	  done
	  "$LKVM" stop ${2:+--name "$2"} --timeout 30 > "/tmp/stop-$1.out" 2>&1
	  echo "status $?" >> "/tmp/stop-$1.out" ) &
	L2_STOPPER=$!
}

# l2_stop_result RESULT NAME: after that L2 run: PASS when `lkvm stop` said "powered off (power
# button)" and exited 0, L2 saw the press and its lkvm exited 0.
l2_stop_result() {
	wait "$L2_STOPPER"
	if grep -q "powered off (power button)" "/tmp/stop-$2.out" &&
		grep -q "^status 0" "/tmp/stop-$2.out" &&
		grep -q "L2-END button pressed" "$L2_LOG" && [ "$L2_RC" = 0 ]; then
		lab_result "$1" PASS "$(head -n 1 "/tmp/stop-$2.out")"
	else
		lab_result "$1" FAIL "lkvm stop: $(tr '\n' ' ' < "/tmp/stop-$2.out" 2>/dev/null); lkvm exit $L2_RC; L2: $(grep -m 2 -E 'L2-END|L2-CHECK-FAIL' "$L2_LOG" | tr '\n' ' ')"
	fi
}
