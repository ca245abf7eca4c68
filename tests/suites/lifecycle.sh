#!/usr/bin/env bash
# lkvm's process lifecycle on /dev/kvm: console input reaches the guest,
# SIGTERM/SIGINT stop a busy VM cleanly with 128+signal, and the host
# terminal is restored on every exit path.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
G=tests/guests/build
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

out=$(printf 'hello there\n' | timeout 20 $LKVM run -k $G/echo.bin -m 64 2>&1)
st=$?
[ $st = 0 ] && grep -q "GUEST echo got 'hello there'" <<<"$out"
check console-input $? "exit $st, output: $out"

# stop_with SIG STATUS: a spinning guest is stopped by SIG with STATUS.
stop_with() {
	local sig=$1 want=$2 pid st
	$LKVM run -k $G/spin.bin -m 64 -c 2 </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q "GUEST spin running" "$T/out" && break
		sleep 0.1
	done
	kill -"$sig" $pid
	for _ in $(seq 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $pid 2>/dev/null; then
		kill -9 $pid
		fail "sig$sig" "lkvm did not stop within 10 s of SIG$sig"
		return
	fi
	wait $pid
	st=$?
	[ $st = "$want" ] && grep -q "got signal" "$T/err"
	check "sig$sig" $? "exit $st (wanted $want); stderr: $(cat "$T/err")"
}
stop_with TERM 143
stop_with INT 130

# In a pseudo-terminal lkvm switches to raw mode; after a guest crash
# (error path) the terminal must be back in canonical mode with echo.
if command -v script >/dev/null; then
	script -qec "$LKVM run -k $G/triple.bin -m 64 >/dev/null 2>&1; stty -a" \
		/dev/null </dev/null >"$T/tty" 2>&1
	grep -qE '(^| )icanon( |$)' "$T/tty" && grep -qE '(^| )echo( |$)' "$T/tty"
	check tty-restored-after-crash $? "$(grep -oE -- '-?icanon|-?echo ' "$T/tty" | tr '\n' ' ')"
	script -qec "sh -c '$LKVM run -k $G/spin.bin -m 64 </dev/tty >/dev/null 2>&1 & p=\$!; sleep 1; kill -TERM \$p; wait \$p; stty -a'" \
		/dev/null </dev/null >"$T/tty2" 2>&1
	grep -qE '(^| )icanon( |$)' "$T/tty2"
	check tty-restored-after-signal $? "$(cat "$T/tty2" | head -3)"
else
	fail tty-restored "script(1) is missing (bsdutils)"
fi

# Back-to-back runs: nothing left behind that breaks the next VM.
ok=0
for i in 1 2 3; do
	timeout 20 $LKVM run -k $G/hello.bin -m 64 </dev/null 2>&1 | grep -q "GUEST hello OK" || ok=1
done
check back-to-back-runs $ok "a run after another failed"
# The control socket: `lkvm stat` reaches a running VM by name, a second
# VM cannot take the same name, and the socket is gone after exit.
export XDG_RUNTIME_DIR=$T/run
$LKVM run -k $G/spin.bin -m 64 -c 2 --name ctl1 </dev/null >"$T/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q "GUEST spin running" "$T/out" && break
	sleep 0.1
done
out=$($LKVM stat --vm --name ctl1 2>&1)
grep -q "vm ctl1: 2 vCPUs" <<<"$out" && grep -qE "vcpu0 exits [1-9]" <<<"$out"
check stat-by-name $? "$out"
out=$($LKVM stat --vm 2>&1)
grep -q "vm ctl1" <<<"$out"
check stat-only-vm $? "$out"
out=$(timeout 20 $LKVM run -k $G/hello.bin -m 64 --name ctl1 </dev/null 2>&1)
st=$?
[ $st != 0 ] && grep -q "a VM named 'ctl1' is already running" <<<"$out"
check name-in-use $? "exit $st: $out"
kill -TERM $pid; wait $pid
[ ! -e "$T/run/lkvm/ctl1.sock" ]
check socket-removed $? "$(ls "$T/run/lkvm")"
out=$($LKVM stat --name ctl1 2>&1)
[ $? != 0 ] && grep -q "no running VM named 'ctl1'" <<<"$out"
check stat-no-vm $? "$out"
unset XDG_RUNTIME_DIR
summary lifecycle
