# Helpers for lab scenarios, sourced inside L1 (busybox sh) before each
# tests/lab/scenarios/NAME.sh: result lines, kernel-parameter lookup, and l2_run /
# l2_check to boot an L2 guest under the static lkvm and judge its console output.
# shellcheck shell=sh disable=SC2034
LKVM=/bin/lkvm
L2_KERNEL=/l2/vmlinuz
L2_INITRD=/l2/initrd.gz
# Base L2 command line; scenarios add lab.scenario=NAME and their expectations.
L2_APPEND="console=ttyS0 panic=-1"

LAB_CR=$(printf '\r')

lab_uptime() { cut -d' ' -f1 /proc/uptime; }
# lab_param NAME: value of NAME=... on this kernel's command line (empty if absent).
lab_param() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
# lab_result NAME PASS|FAIL DETAIL...
lab_result() { n=$1; r=$2; shift 2; echo "LAB-RESULT $n $r $*"; }
lab_sub() { awk "BEGIN { printf \"%.2f\", $1 - $2 }"; }

# l2_run NAME TIMEOUT LKVM-ARGS...: runs `lkvm LKVM-ARGS` (stdin /dev/null), echoes
# its output prefixed with "L2| " and keeps it in $L2_LOG; sets L2_RC (exit status,
# 137 when killed at TIMEOUT seconds) and L2_SECS (L1-uptime seconds it took).
l2_run() {
	_n=$1; _t=$2; shift 2
	L2_LOG=/tmp/l2-$_n.log
	if [ ! -x "$LKVM" ]; then
		echo "LAB: $LKVM is missing from the L1 initramfs" > "$L2_LOG"
		L2_RC=127; L2_SECS=0
		return 0
	fi
	echo "LAB-CMD lkvm $*"
	_t0=$(lab_uptime)
	rm -f /tmp/l2.rc
	: > "$L2_LOG"
	# A read loop, not tr/sed: those buffer, and the host stamps lines as they arrive.
	( timeout -s KILL "$_t" "$LKVM" "$@" < /dev/null; echo $? > /tmp/l2.rc ) 2>&1 |
		while IFS= read -r _l || [ -n "$_l" ]; do
			_l=${_l%"$LAB_CR"}
			echo "$_l" >> "$L2_LOG"
			echo "L2| $_l"
		done
	L2_RC=$(cat /tmp/l2.rc 2>/dev/null || echo 255)
	L2_SECS=$(lab_sub "$(lab_uptime)" "$_t0")
	echo "LAB: lkvm exited $L2_RC after ${L2_SECS}s (L1 uptime)"
}

# l2_check NAME [MARKER]: the usual verdict after l2_run: PASS when the L2 marker
# (default L2-BOOT-OK) is in $L2_LOG, L2 reported no L2-CHECK-FAIL, and lkvm exited 0.
l2_check() {
	_n=$1; _m=${2:-L2-BOOT-OK}
	_line=$(grep -m 1 "$_m" "$L2_LOG" | sed "s/.*\($_m\)/\1/")
	_bad=$(grep -m 1 'L2-CHECK-FAIL' "$L2_LOG" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')
	if [ -z "$_line" ]; then
		_last=$(grep -v '^ *$' "$L2_LOG" | tail -n 1 | cut -c1-160)
		lab_result "$_n" FAIL "no $_m from L2; lkvm exit $L2_RC after ${L2_SECS}s; last output: $_last"
	elif [ -n "$_bad" ]; then
		lab_result "$_n" FAIL "$_bad; lkvm exit $L2_RC"
	elif [ "$L2_RC" != 0 ]; then
		lab_result "$_n" FAIL "$_line but lkvm exit $L2_RC (expected 0) after ${L2_SECS}s"
	else
		lab_result "$_n" PASS "$_line lkvm_exit=0 l1_secs=$L2_SECS"
	fi
}
