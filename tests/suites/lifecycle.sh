#!/usr/bin/env bash
# needs: /dev/kvm
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

out=$(printf 'hello there\n' | timeout 20 $LKVM run --raw -k $G/echo.bin -m 64 2>&1)
st=$?
[ $st = 0 ] && grep -q "GUEST echo got 'hello there'" <<<"$out"
check console-input $? "exit $st, output: $out"

# stop_with SIG STATUS: a spinning guest is stopped by SIG with STATUS.
stop_with() {
	local sig=$1 want=$2 pid st
	$LKVM run --raw -k $G/spin.bin -m 64 -c 2 </dev/null >"$T/out" 2>"$T/err" &
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
	script -qec "$LKVM run --raw -k $G/triple.bin -m 64 >/dev/null 2>&1; stty -a" \
		/dev/null </dev/null >"$T/tty" 2>&1
	grep -qE '(^| )icanon( |$)' "$T/tty" && grep -qE '(^| )echo( |$)' "$T/tty"
	check tty-restored-after-crash $? "$(grep -oE -- '-?icanon|-?echo ' "$T/tty" | tr '\n' ' ')"
	script -qec "sh -c '$LKVM run --raw -k $G/spin.bin -m 64 </dev/tty >/dev/null 2>&1 & p=\$!; sleep 1; kill -TERM \$p; wait \$p; stty -a'" \
		/dev/null </dev/null >"$T/tty2" 2>&1
	grep -qE '(^| )icanon( |$)' "$T/tty2"
	check tty-restored-after-signal $? "$(cat "$T/tty2" | head -3)"
else
	fail tty-restored "script(1) is missing (bsdutils)"
fi

# Start-up is interruptible: lkvm blocked opening a FIFO as -k or -i
# stops on SIGTERM/SIGINT with 128+signal, leaving no control socket.
startup_stop() {
	local name=$1 sig=$2 want=$3 pid
	shift 3
	rm -rf "$T/run"; rm -f "$T/fifo"; mkfifo "$T/fifo"
	XDG_RUNTIME_DIR=$T/run $LKVM run "$@" -m 64 </dev/null >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 0.5
	kill -"$sig" $pid
	wait_gone $pid 2
	[ "$st" = "$want" ] && grep -q "during start-up" "$T/err" &&
		[ -z "$(ls "$T/run/lkvm" 2>/dev/null)" ]
	check "$name" $? "exit $st (wanted $want within 2 s); left: $(ls "$T/run/lkvm" 2>/dev/null); stderr: $(cat "$T/err")"
}
startup_stop startup-fifo-kernel-sigterm TERM 143 --raw -k "$T/fifo"
startup_stop startup-fifo-kernel-sigint INT 130 -k "$T/fifo"

# A vCPU blocked in the console write (stdout is a pipe nobody reads) must
# not keep lkvm from stopping: SIGTERM ends it within 2 s with 143.
# The pipe holds one page (F_SETPIPE_SZ), so a few lines fill it.
rm -f "$T/pipe"; mkfifo "$T/pipe"
python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.fcntl(fd, 1031, 4096)
time.sleep(30)' "$T/pipe" &
reader=$!
sleep 0.5
$LKVM run --raw -k $G/flood.bin -m 64 </dev/null >"$T/pipe" 2>"$T/err" &
pid=$!
sleep 3
kill -TERM $pid
wait_gone $pid 2
kill $reader 2>/dev/null; wait $reader 2>/dev/null
[ "$st" = 143 ] && grep -q "did not stop" "$T/err"
check stuck-vcpu-stops $? "exit $st (wanted 143 within 2 s); stderr: $(cat "$T/err")"

# Back-to-back runs: nothing left behind that breaks the next VM.
ok=0
for i in 1 2 3; do
	timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 </dev/null 2>&1 | grep -q "GUEST hello OK" || ok=1
done
check back-to-back-runs $ok "a run after another failed"
# A user who is not root runs a guest with /dev/kvm given through a
# supplementary group (0660 root:4242), its control socket in its own HOME;
# without the group it gets the error that names /dev/kvm (issue 19).
nonroot() {
	local kvm_mode kvm_grp nr=$T/nonroot
	mkdir -p "$nr/home"
	cp "$LKVM" "$G/hello.bin" "$nr/"
	chown 65534 "$nr/home"
	chmod 755 "$T" "$nr"
	kvm_mode=$(stat -c %a /dev/kvm); kvm_grp=$(stat -c %g /dev/kvm)
	chgrp 4242 /dev/kvm && chmod 660 /dev/kvm || return 1
	HOME=$nr/home timeout 20 setpriv --reuid=65534 --regid=65534 --groups=4242 -- \
		"$nr/lkvm" run --raw -k "$nr/hello.bin" -m 64 --name nr </dev/null >"$T/nr.out" 2>&1
	echo $? > "$T/nr.st"
	HOME=$nr/home timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$nr/lkvm" run --raw -k "$nr/hello.bin" -m 64 </dev/null >"$T/nr2.out" 2>&1
	echo $? > "$T/nr2.st"
	chgrp "$kvm_grp" /dev/kvm; chmod "$kvm_mode" /dev/kvm
}
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	nonroot
	[ "$(cat $T/nr.st)" = 0 ] && grep -q "GUEST hello OK" $T/nr.out &&
		[ -z "$(ls -A $T/nonroot/home/.lkvm 2>/dev/null)" ]
	check nonroot-group $? "status $(cat $T/nr.st): $(tail -3 $T/nr.out); left: $(ls -A $T/nonroot/home/.lkvm 2>/dev/null)"
	[ "$(cat $T/nr2.st)" = 1 ] && grep -q "/dev/kvm" $T/nr2.out
	check nonroot-no-access $? "status $(cat $T/nr2.st): $(tail -3 $T/nr2.out)"
fi

# --user: lkvm opens /dev/kvm as root, then every thread runs as the user
# (Uid and Gid of each task) under its filter; `lkvm stat` from root still
# reaches it, and at exit its socket and lock are gone (the reaper).
cdir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/lkvm}
cdir=${cdir:-$HOME/.lkvm}
live_reapers() {
	local f
	for f in /proc/[0-9]*; do
		[ "$(cat $f/comm 2>/dev/null)" = lkvm-reaper ] &&
			! grep -q '^State:.*Z' $f/status 2>/dev/null && echo "${f#/proc/}"
	done
}
if [ "$(id -u)" = 0 ]; then
	$LKVM run --raw -k $G/spin.bin -m 64 -c 2 --name U --user 65534:4242 \
		</dev/null >"$T/u.out" 2>"$T/u.err" &
	pid=$!
	for _ in $(seq 100); do grep -q "GUEST spin running" "$T/u.out" && break; sleep 0.1; done
	ids=$(cat /proc/$pid/task/*/status | awk '/^Uid:|^Gid:/ { print $1, $2, $3, $4, $5 }' | sort -u | tr '\n' ' ')
	nt=$(ls /proc/$pid/task | wc -l)
	sc=$(grep -h '^Seccomp:' /proc/$pid/task/*/status | sort -u | tr '\n' ' ')
	case $LKVM in *asan*) sc="Seccomp:	2 " ;; esac	# ASan: main unconfined
	grp=$(grep -h '^Groups:' /proc/$pid/task/*/status | sort -u | tr -d ' \t\n')
	$LKVM stat --vm --name U >"$T/u.stat" 2>&1
	sst=$?
	[ -S "$cdir/U.sock" ]
	had=$?
	kill -TERM $pid
	wait_gone $pid 10
	[ "$ids" = "Gid: 4242 4242 4242 4242 Uid: 65534 65534 65534 65534 " ] &&
		[ "$nt" -ge 3 ] && [ "$sc" = "Seccomp:	2 " ] && [ "$grp" = Groups: ] &&
		[ $sst = 0 ] && [ $had = 0 ] &&
		[ "$st" = 143 ] && [ ! -e "$cdir/U.sock" ] && [ ! -e "$cdir/U.lock" ] &&
		[ -z "$(live_reapers)" ]
	check user-drop $? "status $st, $nt threads: $ids; $sc; $grp; stat $sst: $(head -c 300 $T/u.stat); socket had $had, left: $(ls $cdir 2>/dev/null | grep '^U\.'); reapers $(live_reapers); $(tail -2 $T/u.err)"
	out=$($LKVM run --raw -k $G/hello.bin -m 64 --name U2 --user no-such-user-x 2>&1 </dev/null)
	st=$?
	[ $st = 1 ] && grep -q "no such user" <<<"$out" && [ ! -e "$cdir/U2.sock" ] &&
		[ ! -e "$cdir/U2.lock" ]
	check user-unknown $? "status $st: $out"
	if command -v setpriv >/dev/null; then
		out=$(HOME=$T setpriv --reuid=65534 --regid=65534 --clear-groups -- \
			"$T/nonroot/lkvm" run --raw -k "$T/nonroot/hello.bin" -m 64 --user 1000 2>&1 </dev/null)
		st=$?
		[ $st = 1 ] && grep -q "not root" <<<"$out"
		check user-not-root $? "status $st: $out"
	fi
fi

# The control socket and `lkvm stat`: tests/suites/control.sh.
summary lifecycle
