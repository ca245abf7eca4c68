# Shared shell test helpers: ok/fail counters and a closing summary line.
# Source it, call `pass NAME` / `fail NAME WHY`, end with `summary SUITE`.
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1: $2"; }
# check NAME STATUS WHY: pass when STATUS is 0, else fail (and return 1)
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; return 1; fi; }
summary() {
	echo "$1: $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
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
