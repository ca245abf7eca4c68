# Shared shell test helpers: ok/fail counters and a closing summary line.
# Source it, call `pass NAME` / `fail NAME WHY`, end with `summary SUITE`.
PASSED=0
FAILED=0
# LKVM_CHECK_TIMES=1 (kvm-l1 sets it) adds " [Ns]": the seconds since the previous verdict.
_t_last=$SECONDS
_took() {
	_tk=
	[ "${LKVM_CHECK_TIMES:-0}" = 1 ] || return 0
	_tk=" [$((SECONDS - _t_last))s]"; _t_last=$SECONDS
}
pass() { PASSED=$((PASSED + 1)); _took; echo "ok   $1$_tk"; }
fail() { FAILED=$((FAILED + 1)); _took; echo "FAIL $1: $2$_tk"; }
# whole_lines FILE: FILE without a last line that a VM's stop cut short (no
# newline at its end: "GUEST vfio_count 18 irqs=1" of "... irqs=18")
whole_lines() {
	if [ -n "$(tail -c 1 "$1")" ]; then sed '$d' "$1"; else cat "$1"; fi
}
# check NAME STATUS WHY: pass when STATUS is 0, else fail (and return 1)
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; return 1; fi; }
# The guest command line lkvm (x86) starts with on this CPU: console=ttyS0,
# and pci=noearly where Linux would scan for an AMD GART (family 0xf, 0x10,
# 0x15 below model 0x10: x86/boot.c).
x86_cmdline_head() {
	awk -F'\t*: *' '$1 == "vendor_id" { v = $2 } $1 == "cpu family" { f = $2 }
		$1 == "model" { m = $2 } /^$/ { exit }
		END { g = v == "AuthenticAMD" && (f == 15 || f == 16 ||
					 (f == 21 && m < 16))
		      print "console=ttyS0" (g ? " pci=noearly" : "") }' /proc/cpuinfo
}
summary() {
	echo "$1: $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}
# lab_collect PREFIX OUTDIR RC: the verdicts of one tests/lab/run.sh (which
# exits non-zero on any failure): a pass/fail per line of OUTDIR/results.txt,
# named PREFIX + scenario result; a fail when it wrote none or exited RC != 0
# without a failing result.
lab_collect() {
	local name verdict detail before=$FAILED
	if [ -s "$2/results.txt" ]; then
		while read -r name verdict detail; do
			if [ "$verdict" = PASS ]; then pass "$1$name"; else fail "$1$name" "$detail"; fi
		done < "$2/results.txt"
	else
		fail "${1%-}" "tests/lab/run.sh produced no results in $2 (exit $3)"
	fi
	[ "$3" = 0 ] || [ "$FAILED" != "$before" ] || fail "${1%-}" "tests/lab/run.sh exited $3"
}
# wait_gone PID SECS: waits for PID to exit; sets $st (its status) or
# kills it and sets st=timeout.
wait_gone() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -9 "$1"; wait "$1" 2>/dev/null; st=timeout; return
	fi
	wait "$1"; st=$?
}
