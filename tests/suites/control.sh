#!/usr/bin/env bash
# needs: /dev/kvm
# The control socket (kvm/control.c) and `lkvm stat`: a --name is taken by
# one VM even when VMs race for it, an exit removes only its own socket,
# stale sockets are neither listed nor in the way, `lkvm stat` survives
# silent, closing and hostile peers, a VM boots without a usable runtime
# directory, idle clients do not delay `lkvm stat`, and files that are not
# lkvm's are refused and left alone. Every test has its own
# XDG_RUNTIME_DIR; error paths must end with the documented status (never a
# signal) and leave nothing behind.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
G=tests/guests/build
T=$(mktemp -d)
cleanup() {
	local p
	for p in $(jobs -p); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
RACE_ROUNDS=${RACE_ROUNDS:-20}

# newdir NAME: a private XDG_RUNTIME_DIR ($T/NAME); D is its lkvm dir.
newdir() {
	export XDG_RUNTIME_DIR=$T/$1
	D=$XDG_RUNTIME_DIR/lkvm
}

ms() { local t=$EPOCHREALTIME; echo $(( ${t/./} / 1000 )); }

# start_spin NAME: a spinning VM named NAME in the background ($pid),
# running once it says so (else fail NAME-start and pid=).
start_spin() {
	$LKVM run --raw -k $G/spin.bin -m 64 --name "$1" </dev/null \
		>"$T/$1.out" 2>"$T/$1.err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "GUEST spin running" "$T/$1.out" && return 0
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	fail "$1-start" "VM $1 did not start: $(cat "$T/$1.err")"
	kill -9 $pid 2>/dev/null
	pid=
	return 1
}

# stop_vm PID: SIGTERM, then the status in $st (143 when clean).
stop_vm() {
	kill -TERM "$1" 2>/dev/null
	wait_gone "$1" 10
}

# A fake VM, or idle clients, in python3: peer MODE PATH [N]. MODE silent
# (accepts, never answers), close (accepts and closes), escape (answers
# with terminal escape sequences), stale (binds and exits: a socket nobody
# listens on), held (a VM half-way through claiming its name: NAME.lock
# flock'ed, socket bound, not listening), idle (N clients of PATH that
# send nothing). Returns once it is ready; $peer is its pid.
cat >"$T/peer.py" <<'EOF'
import socket, sys, time
mode, path, ready = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "idle":
    held = []
    for _ in range(int(sys.argv[4])):
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        held.append(c)
    open(ready, "w").close()
    time.sleep(60)
    sys.exit(0)
s = socket.socket(socket.AF_UNIX)
if mode == "held":
    import fcntl
    lock = open(path[:-len(".sock")] + ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
s.bind(path)
if mode in ("stale", "held"):
    open(ready, "w").close()
    if mode == "held":
        time.sleep(60)
    sys.exit(0)
s.listen(16)
open(ready, "w").close()
held = []
end = time.time() + 60
while time.time() < end:
    c, _ = s.accept()
    if mode == "silent":
        held.append(c)
    elif mode == "close":
        c.close()
    elif mode == "escape":
        c.recv(64)
        c.sendall(b"A\x1b[31mred\x1b[0m\x07B\n\tC\x9b\x1b]0;pwned\x07\n")
        c.close()
EOF
peer() {
	rm -f "$T/ready"
	python3 "$T/peer.py" "$1" "$2" "$T/ready" "${3:-0}" &
	peer=$!
	for _ in $(seq 100); do
		[ -e "$T/ready" ] && return 0
		sleep 0.05
	done
	return 1
}
stop_peer() { kill "$peer" 2>/dev/null; wait "$peer" 2>/dev/null; }

# is_status GOT WANT: the exact documented status (1 or 2, never a signal).
is_status() { [ "$1" = "$2" ]; }

# ---- `lkvm stat` reaches a VM by name; one name, one VM ----
newdir basic
if start_spin ctl1; then
	out=$($LKVM stat --vm --name ctl1 2>&1)
	grep -q "vm ctl1: 1 vCPUs" <<<"$out" && grep -qE "vcpu0 exits [1-9]" <<<"$out"
	check stat-by-name $? "$out"
	out=$($LKVM stat --vm 2>&1)
	grep -q "vm ctl1" <<<"$out"
	check stat-only-vm $? "$out"
	before=$(ls -la "$D" 2>/dev/null)
	out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name ctl1 </dev/null 2>&1)
	st=$?
	is_status $st 1 && grep -q "a VM named 'ctl1' is already running" <<<"$out" &&
		[ "$(ls -la "$D" 2>/dev/null)" = "$before" ]
	check name-in-use $? "exit $st (wanted 1): $out; dir: $(ls -la "$D" 2>/dev/null)"
	stop_vm $pid
	[ "$st" = 143 ] && [ -z "$(ls -A "$D" 2>/dev/null)" ]
	check socket-and-lock-removed $? "exit $st; left: $(ls -A "$D" 2>/dev/null)"
fi
out=$($LKVM stat --name ctl1 2>&1)
st=$?
is_status $st 1 && grep -q "no running VM named 'ctl1'" <<<"$out"
check stat-no-vm $? "exit $st: $out"
out=$($LKVM stat 2>&1)
st=$?
is_status $st 1 && grep -q "no running VM" <<<"$out"
check stat-none-running $? "exit $st: $out"
out=$($LKVM stat --name ../x 2>&1)
st=$?
is_status $st 2 && grep -q "invalid --name" <<<"$out"
check stat-bad-name $? "exit $st: $out"

# ---- item 5: VMs racing for one --name: exactly one runs ----
# Each round starts RACERS VMs named "race" at once (they poll for a go
# file, for at most 10 s, and start together): one must run, the others
# exit 1 at once with "already running"; then nothing is left behind.
newdir race
race_ok=0
RACERS=${RACERS:-3}
for round in $(seq "$RACE_ROUNDS"); do
	ps=()
	for i in $(seq $RACERS); do
		( for _ in $(seq 2000); do
			[ -e "$T/go$round" ] && break
			sleep 0.005
		  done
		  exec $LKVM run --raw -k $G/spin.bin -m 64 --name race </dev/null \
			>"$T/race$i.out" 2>"$T/race$i.err" ) &
		ps+=($!)
	done
	sleep 0.3
	: >"$T/go$round"
	for _ in $(seq 100); do
		alive=0
		for p in "${ps[@]}"; do kill -0 $p 2>/dev/null && alive=$((alive + 1)); done
		[ $alive -le 1 ] && break
		sleep 0.1
	done
	sleep 0.2
	why=
	winner=
	for i in $(seq $RACERS); do
		p=${ps[$((i - 1))]}
		if kill -0 $p 2>/dev/null; then
			[ -z "$winner" ] || why="two VMs run"
			winner=$p
			continue
		fi
		wait $p; st=$?
		is_status $st 1 && grep -q "a VM named 'race' is already running" "$T/race$i.err" ||
			why="loser: exit $st, $(cat "$T/race$i.err")"
	done
	[ -n "$winner" ] || why="no VM runs"
	if [ -z "$why" ]; then
		out=$($LKVM stat --vm --name race 2>&1)
		grep -q "vm race" <<<"$out" || why="the winner does not answer: $out"
	fi
	for p in "${ps[@]}"; do stop_vm $p; done
	[ -z "$(ls -A "$D" 2>/dev/null)" ] || why="${why:-left behind: $(ls -A "$D" 2>/dev/null)}"
	if [ -n "$why" ]; then
		race_ok=1
		fail name-race "round $round: $why"
		break
	fi
done
[ $race_ok = 0 ] && pass "name-race ($RACE_ROUNDS rounds of $RACERS)"

# The moment a race is lost in: a VM holds the name (NAME.lock) and has
# bound its socket but not listened yet. Another VM must not take the
# name (exit 1) nor touch that socket.
newdir held
mkdir -p "$D"
if peer held "$D/held.sock"; then
	ino=$(stat -c %i "$D/held.sock")
	out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name held </dev/null 2>&1)
	st=$?
	is_status $st 1 && grep -q "a VM named 'held' is already running" <<<"$out" &&
		[ "$(stat -c %i "$D/held.sock" 2>/dev/null)" = "$ino" ]
	check name-held-while-starting $? "exit $st: $out; dir: $(ls -li "$D" 2>/dev/null)"
	out=$($LKVM stat --vm 2>&1)
	[ "$(stat -c %i "$D/held.sock" 2>/dev/null)" = "$ino" ]
	check stat-keeps-starting-socket $? "$out; dir: $(ls -li "$D" 2>/dev/null)"
	stop_peer
fi

# ---- item 5: an exit removes only its own socket ----
newdir own
if start_spin own1; then
	mv "$D/own1.sock" "$T/own1.moved"
	peer stale "$D/own1.sock"
	stop_peer
	ino=$(stat -c %i "$D/own1.sock")
	stop_vm $pid
	[ "$st" = 143 ] && [ -S "$D/own1.sock" ] &&
		[ "$(stat -c %i "$D/own1.sock")" = "$ino" ] && [ ! -e "$D/own1.lock" ]
	check exit-keeps-foreign-socket $? "exit $st; dir: $(ls -li "$D")"
fi

# ---- item 7: stale sockets are not VMs, and are removed ----
newdir stale
if start_spin dead1; then
	kill -9 $pid; wait $pid 2>/dev/null
	[ -S "$D/dead1.sock" ]
	check stale-left-by-sigkill $? "$(ls -A "$D" 2>/dev/null)"
	peer stale "$D/dead2.sock"	# a socket without lock file
	stop_peer
	if start_spin live1; then
		p1=$pid
		out=$($LKVM stat --vm 2>&1)
		st=$?
		[ $st = 0 ] && grep -q "vm live1" <<<"$out" &&
			[ ! -e "$D/dead1.sock" ] && [ ! -e "$D/dead1.lock" ] &&
			[ ! -e "$D/dead2.sock" ] && [ ! -e "$D/dead2.lock" ]
		check stat-ignores-stale $? "exit $st: $out; dir: $(ls -A "$D" 2>/dev/null)"
		peer stale "$D/dead3.sock"
		stop_peer
		if start_spin live2; then
			out=$($LKVM stat --vm 2>&1)
			st=$?
			is_status $st 1 && grep -q "give --name" <<<"$out" &&
				grep -qx "  live1" <<<"$out" && grep -qx "  live2" <<<"$out" &&
				! grep -q dead <<<"$out" && [ ! -e "$D/dead3.sock" ]
			check stat-lists-only-running $? "exit $st: $out; dir: $(ls -A "$D" 2>/dev/null)"
			stop_vm $pid
		fi
		stop_vm $p1
	fi
	# the name of a killed VM is free again
	if start_spin dead1; then
		kill -9 $pid; wait $pid 2>/dev/null
		out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name dead1 </dev/null 2>&1)
		st=$?
		[ $st = 0 ] && grep -q "GUEST hello OK" <<<"$out" && [ -z "$(ls -A "$D" 2>/dev/null)" ]
		check stale-name-reusable $? "exit $st: $out; left: $(ls -A "$D" 2>/dev/null)"
	fi
fi

# ---- item 8: `lkvm stat` against peers that are not well-behaved ----
newdir peers
mkdir -p "$D"
if peer silent "$D/silent.sock"; then
	t0=$(ms)
	out=$(timeout 20 $LKVM stat --name silent 2>&1)
	st=$?
	dt=$(($(ms) - t0))
	is_status $st 1 && grep -q "no answer from VM 'silent' within 5 s" <<<"$out" &&
		[ $dt -le 7000 ]
	check stat-silent-peer-times-out $? "exit $st after $dt ms: $out"
	stop_peer
fi
rm -f "$D"/*
if peer escape "$D/esc.sock"; then
	$LKVM stat --name esc >"$T/esc.out" 2>&1
	st=$?
	[ $st = 0 ] && ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' "$T/esc.out" &&
		grep -qF 'A\x1b[31mred\x1b[0m\x07B' "$T/esc.out" &&
		grep -qF "$(printf '\tC\\x9b\\x1b]0;pwned\\x07')" "$T/esc.out"
	check stat-escapes-peer-bytes $? "exit $st: $(od -c "$T/esc.out" | head -5)"
	stop_peer
fi
rm -f "$D"/*
if peer close "$D/closer.sock"; then
	ok=0
	for i in 1 2 3 4 5; do
		out=$($LKVM stat --name closer 2>&1)
		st=$?
		is_status $st 1 && grep -qE "closed the connection|reading the answer" <<<"$out" ||
			{ ok=1; break; }
	done
	check stat-closing-peer $ok "exit $st (wanted 1, never 141): $out"
	stop_peer
fi

# ---- item 9: no usable runtime directory: boot without a socket ----
: >"$T/file"
out=$(XDG_RUNTIME_DIR=$T/file/x HOME=$T/file/y timeout 20 \
	$LKVM run --raw -k $G/hello.bin -m 64 </dev/null 2>&1)
st=$?
[ $st = 0 ] && grep -q "GUEST hello OK" <<<"$out" &&
	grep -q "warning: no control socket for this VM ($T/file/x/lkvm: Not a directory); \`lkvm stat\` will not reach it" <<<"$out" &&
	[ "$(grep -c "no control socket" <<<"$out")" = 1 ] &&
	[ -f "$T/file" ] && [ ! -s "$T/file" ]
check boot-without-runtime-dir $? "exit $st: $out"
out=$(env -u XDG_RUNTIME_DIR -u HOME timeout 20 \
	$LKVM run --raw -k $G/hello.bin -m 64 </dev/null 2>&1)
st=$?
[ $st = 0 ] && grep -q "GUEST hello OK" <<<"$out" &&
	grep -q "no control socket.*neither variable is set" <<<"$out"
check boot-without-xdg-and-home $? "exit $st: $out"

# ---- item 10: idle clients do not delay `lkvm stat` ----
newdir idle
if start_spin idle1; then
	for n in 5 40; do
		if ! peer idle "$D/idle1.sock" $n; then
			fail "idle-clients-$n" "the $n idle clients did not connect"
			continue
		fi
		t0=$(ms)
		out=$(timeout 20 $LKVM stat --vm --name idle1 2>&1)
		st=$?
		dt=$(($(ms) - t0))
		[ $st = 0 ] && grep -q "vm idle1" <<<"$out" && [ $dt -lt 2000 ]
		check "idle-clients-$n" $? "exit $st after $dt ms: $out"
		stop_peer
	done
	stop_vm $pid
fi

# ---- item 11: files at NAME.sock / NAME.lock that are not lkvm's ----
newdir foreign
mkdir -p "$D"
echo keep >"$D/reg.sock"
echo target >"$T/target"
ln -s "$T/target" "$D/sym.sock"
ln -s /nonexistent "$D/dangle.sock"
ln -s "$T/target" "$D/lk.lock"
before=$(ls -lA --time-style=full-iso "$D"; cat "$D/reg.sock" "$T/target")
for n in reg sym dangle lk; do
	f=$D/$n.sock
	[ $n = lk ] && f=$D/$n.lock
	out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name $n </dev/null 2>&1)
	st=$?
	after=$(ls -lA --time-style=full-iso "$D"; cat "$D/reg.sock" "$T/target")
	is_status $st 1 && grep -qF "$f exists and is not lkvm's: remove it or pick another --name" <<<"$out" &&
		[ "$after" = "$before" ]
	check "refuse-foreign-$n" $? "exit $st: $out; dir: $(ls -la "$D" 2>/dev/null)"
done
# the terminal is not touched on that error path
if command -v script >/dev/null; then
	script -qec "stty -g >'$T/tty.before'; timeout --foreground 20 $LKVM run --raw -k $G/hello.bin -m 64 --name reg </dev/tty >/dev/null 2>&1; echo \$? >'$T/tty.rc'; stty -g >'$T/tty.after'" \
		/dev/null </dev/null >/dev/null 2>&1
	[ "$(cat "$T/tty.rc")" = 1 ] && cmp -s "$T/tty.before" "$T/tty.after"
	check refuse-foreign-tty-untouched $? "exit $(cat "$T/tty.rc"); $(cat "$T/tty.before") -> $(cat "$T/tty.after")"
fi

# ---- names that cannot be file names; the directory is private ----
newdir names
out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name .hidden </dev/null 2>&1)
st=$?
is_status $st 1 && grep -q "invalid VM name '.hidden': it starts with '.'" <<<"$out" &&
	[ -z "$(ls -A "$D" 2>/dev/null)" ]
check name-dot-refused $? "exit $st: $out"
for n in "" a/b; do
	out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name "$n" </dev/null 2>&1)
	st=$?
	is_status $st 2 && grep -q "invalid --name" <<<"$out" && [ -z "$(ls -A "$D" 2>/dev/null)" ]
	check "name-refused-'$n'" $? "exit $st: $out"
done
out=$(timeout 20 $LKVM run --raw -k $G/hello.bin -m 64 --name priv </dev/null 2>&1)
st=$?
[ $st = 0 ] && [ "$(stat -c %a "$D" 2>/dev/null)" = 700 ] && [ -z "$(ls -A "$D" 2>/dev/null)" ]
check dir-0700-nothing-left $? "exit $st, mode $(stat -c %a "$D" 2>/dev/null), left: $(ls -A "$D" 2>/dev/null): $out"

# ---- confinement: socket 0600 in a 0700 directory, other uids refused,
# every thread of a running VM under a seccomp filter ----
newdir confine
mkdir -p "$D"
chmod 755 "$D"		# too open: lkvm makes it 0700 again
U=$(mktemp -d)		# a copy of lkvm that nobody may run
chmod 755 "$U"
cp "$LKVM" "$U/lkvm"
dd if=/dev/zero of="$T/disk.img" bs=1M count=1 2>/dev/null
$LKVM run --raw -k $G/spin.bin -m 64 -c 2 --rng -d "$T/disk.img" --name conf \
	</dev/null >"$T/conf.out" 2>"$T/conf.err" &
pid=$!
for _ in $(seq 200); do
	grep -q "GUEST spin running" "$T/conf.out" && break
	sleep 0.1
done
nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR "$U/lkvm" stat --vm --name conf 2>&1
}
[ "$(stat -c %a "$D")" = 700 ] && [ "$(stat -c %a "$D/conf.sock")" = 600 ]
check socket-0600-dir-0700 $? "dir $(stat -c %a "$D"), socket $(stat -c %a "$D/conf.sock" 2>&1)"
# the kernel's status of each thread: main, 2 vCPUs, 2 virtio I/O, control
n=0 bad=
for f in /proc/$pid/task/*/status; do
	n=$((n + 1))
	grep -q "^Seccomp:[[:space:]]2$" "$f" || bad+="$(grep -E '^(Name|Seccomp):' "$f" | tr '\n' ' ');"
done
[ "$n" -ge 6 ] && [ -z "$bad" ]
check seccomp-every-thread $? "$n threads; unfiltered: $bad"
out=$(nobody)
st=$?
is_status $st 1 && grep -q "lkvm stat: VM 'conf': permission denied: its control socket .* serves only its owner and root" <<<"$out"
check stat-other-uid-denied $? "exit $st: $out"
# with the file permissions opened, SO_PEERCRED still refuses the peer
chmod 755 "$T" "$XDG_RUNTIME_DIR" "$D" && chmod 777 "$D/conf.sock"
out=$(nobody)
st=$?
is_status $st 1 && grep -q "lkvm stat: VM 'conf' refused the request: this VM's control socket serves only its owner's uid and root" <<<"$out"
check stat-other-uid-refused $? "exit $st: $out"
out=$($LKVM stat --vm --name conf 2>&1)
grep -q "vcpu1 exits" <<<"$out"
check stat-owner-still-served $? "$out"
stop_vm $pid
[ "$st" = 143 ] && ! grep -q seccomp "$T/conf.err"
check confine-vm-stops-clean $? "status $st: $(cat "$T/conf.err")"
chmod 700 "$T"
rm -rf "$U"

unset XDG_RUNTIME_DIR
summary control
