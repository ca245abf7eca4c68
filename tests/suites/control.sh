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
        c.sendall(b'{"ok": true, "cmd": "stat", "text": "A\\u001b[31mred\\u001b[0m\\u0007B\\n\\tC\\u009b\\u001b]0;pwned\\u0007\\n"}\n')
        c.close()
    elif mode == "rawesc":
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
	# no VFIO device: plain `lkvm stat` shows the VM's statistics
	out=$($LKVM stat --name ctl1 2>&1)
	st=$?
	is_status $st 0 && grep -q "vm ctl1: 1 vCPUs" <<<"$out"
	check stat-default-vm $? "exit $st (wanted 0): $out"
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
		grep -qF "$(printf '\tC\\xc2\\x9b\\x1b]0;pwned\\x07')" "$T/esc.out"
	check stat-escapes-peer-bytes $? "exit $st: $(od -c "$T/esc.out" | head -5)"
	stop_peer
fi
rm -f "$D"/*
if peer rawesc "$D/raw.sock"; then
	$LKVM stat --name raw >"$T/raw.out" 2>&1
	st=$?
	is_status $st 1 && grep -q "answered with something that is not a JSON answer" "$T/raw.out" &&
		! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' "$T/raw.out" &&
		grep -qF 'A\x1b[31mred' "$T/raw.out"
	check stat-not-json-escaped $? "exit $st: $(od -c "$T/raw.out" | head -5)"
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

# ---- JSON protocol, events, stop and debug (issue 16) ----
# ctl.py MODE SOCK ...: lines (sends each argument as a line on one
# connection, prints each answer line, checks it is JSON), sub OUT READY
# (subscribes, appends every line to OUT), stuck READY (subscribes with a
# tiny receive buffer and never reads).
cat >"$T/ctl.py" <<'EOF2'
import json, socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
if mode == "stuck":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.connect(path)
f = s.makefile("rb")
if mode == "lines":
    for line in sys.argv[3:]:
        s.sendall(line.encode() + b"\n")
        ans = f.readline()
        json.loads(ans)          # an exception fails the caller's check
        sys.stdout.write(ans.decode())
    sys.exit(0)
s.sendall(b'{"cmd": "subscribe"}\n')
if mode == "stuck":
    open(sys.argv[3], "w").close()
    time.sleep(120)
    sys.exit(0)
out = open(sys.argv[3], "a")
first = True
for line in f:
    json.loads(line)
    out.write(line.decode()); out.flush()
    if first:
        open(sys.argv[4], "w").close()
        first = False
EOF2
# start_guest GUEST NAME MARKER: like start_spin for any tiny guest.
start_guest() {
	$LKVM run --raw -k $G/$1.bin -m 64 --name "$2" </dev/null \
		>"$T/$2.out" 2>"$T/$2.err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "$3" "$T/$2.out" && return 0
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	fail "$2-start" "VM $2 did not start: $(cat "$T/$2.err")"
	kill -9 $pid 2>/dev/null
	pid=
	return 1
}
waitfile() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }

newdir json
if start_guest spin j1 "GUEST spin running"; then
	out=$($LKVM stat --json --vm --name j1 2>&1)
	python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert a["ok"] is True and a["cmd"] == "stat" and a["what"] == "vm" and "vm j1: 1 vCPUs" in a["text"]' "$out"
	check stat-json-parsed $? "$out"
	out=$($LKVM list --json 2>&1)
	python3 -c 'import json,sys; a=json.loads(sys.argv[1]); assert len(a) == 1 and a[0]["name"] == "j1" and a[0]["state"] == "running" and a[0]["cpus"] == 1' "$out"
	check list-json-parsed $? "$out"
	# a bad line, an oversized line: error answers; the connection and
	# the VM serve on
	big=$(head -c 5000 /dev/zero | tr '\0' x)
	out=$(timeout 10 python3 "$T/ctl.py" lines "$D/j1.sock" 'stat vm' \
		'{"cmd": "stat", "what": "vm"' "$big" '{"cmd": "stat", "what": "vm", "x": 1}' \
		'{"cmd": "stat", "what": "vm"}' 2>&1)
	st=$?
	[ $st = 0 ] && [ "$(sed -n 1p <<<"$out")" = '{"error": "bad JSON: unexpected character at byte 0"}' ] &&
		[ "$(sed -n 2p <<<"$out")" = "{\"error\": \"bad JSON: expected ',' or '}' at byte 28\"}" ] &&
		[ "$(sed -n 3p <<<"$out")" = '{"error": "request longer than 1023 bytes"}' ] &&
		grep -q "takes no member" <<<"$(sed -n 4p <<<"$out")" &&
		grep -q '"text": "vm j1' <<<"$(sed -n 5p <<<"$out")" && kill -0 $pid
	check bad-lines-answered-connection-survives $? "exit $st: $out"
	# events: paused, resumed, stopped
	rm -f "$T/ev" "$T/evready"
	python3 "$T/ctl.py" sub "$D/j1.sock" "$T/ev" "$T/evready" &
	sub=$!
	python3 "$T/ctl.py" stuck "$D/j1.sock" "$T/stuckready" &
	stuck=$!
	waitfile "$T/evready" && waitfile "$T/stuckready"
	t0=$(ms)
	ok=0
	for i in $(seq 5); do
		$LKVM pause --name j1 >/dev/null 2>&1 && $LKVM resume --name j1 >/dev/null 2>&1 || ok=1
	done
	dt=$(($(ms) - t0))
	[ $ok = 0 ] && [ $dt -lt 10000 ]
	check stuck-subscriber-does-not-block-pause $? "status $ok, 5 pause/resume in $dt ms"
	out=$($LKVM stop --name j1 --force 2>&1)
	sst=$?
	wait_gone $pid 10
	[ $sst = 0 ] && [ "$st" = 0 ] && grep -q "VM 'j1' stopped (hard stop: --force)" <<<"$out"
	check stop-force $? "stop (exit $sst): $out; VM status $st"
	wait $sub 2>/dev/null
	kill $stuck 2>/dev/null; wait $stuck 2>/dev/null
	python3 - "$T/ev" <<'EOF2'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev[0] == {"ok": True, "cmd": "subscribe"}, ev[0]
names = [e["event"] for e in ev[1:]]
assert names == ["paused", "resumed"] * 5 + ["stopped"], names
assert all(e["vm"] == "j1" for e in ev[1:])
assert ev[-1]["detail"] == "poweroff", ev[-1]
EOF2
	check subscriber-events $? "$(head -c 600 "$T/ev")"
fi

newdir stop
# a1 ignores the power button (spin), a2 powers off on it (pwrbtn): debug
# on a2, then `lkvm stop --all`: a2 by its button, a1 hard after the
# bounded wait; both lkvm exit 0
if start_guest spin a1 "GUEST spin running"; then
	p1=$pid
	if start_guest pwrbtn a2 "GUEST pwrbtn armed"; then
		p2=$pid
		grep -q "GUEST pwrbtn armed sts=0 en=100" "$T/a2.out"
		check pwrbtn-pm1-registers $? "$(cat "$T/a2.out")"
		out=$($LKVM debug --name a2 2>&1)
		st=$?
		[ $st = 0 ] && grep -qE "^vcpu0: last_exit=[0-9]+ rip=0x[0-9a-f]+ rsp=0x[0-9a-f]+ rflags=0x[0-9a-f]+ cr0=0x[89a-f][0-9a-f]{7} cr2=0x[0-9a-f]+ cr3=0x[1-9a-f][0-9a-f]* cr4=0x[0-9a-f]+ efer=0x[0-9a-f]+ cs_base=0x0 ds_base=0x[0-9a-f]+ es_base=0x[0-9a-f]+ ss_base=0x[0-9a-f]+ fs_base=0x[0-9a-f]+ gs_base=0x[0-9a-f]+ cs=0x[1-9a-f]" <<<"$out"
		check debug-registers $? "exit $st: $out"
		out=$($LKVM debug --json --name a2 2>&1)
		python3 -c 'import json,sys; a=json.loads(sys.argv[1]); v=a["vcpus"][0]; assert int(v["rip"], 16) >= 0x10000 and int(v["efer"], 16) & 0x500 == 0x500' "$out"
		check debug-json-parsed $? "$out"
		out=$($LKVM debug --nmi --name a2 2>&1)
		st=$?
		for _ in $(seq 50); do grep -q "GUEST pwrbtn nmi 1" "$T/a2.out" && break; sleep 0.1; done
		[ $st = 0 ] && grep -q "NMI sent to every vCPU" <<<"$out" && grep -q "GUEST pwrbtn nmi 1" "$T/a2.out"
		check debug-nmi-reaches-guest $? "exit $st: $out; guest: $(tail -n 3 "$T/a2.out")"
		out=$($LKVM debug --sysrq h --name a2 2>&1)
		st=$?
		[ $st = 0 ] && grep -q "sent SysRq 'h' to the serial console" <<<"$out"
		check debug-sysrq $? "exit $st: $out"
		out=$($LKVM debug --sysrq hh --name a2 2>&1)
		is_status $? 2 && grep -q "bad option" <<<"$out"
		check debug-sysrq-bad-key $? "$out"
		t0=$(ms)
		out=$($LKVM stop --all --timeout 1 2>&1)
		sst=$?
		dt=$(($(ms) - t0))
		wait_gone $p1 10; s1=$st
		wait_gone $p2 10; s2=$st
		[ $sst = 0 ] && [ "$s2" = 0 ] && grep -q "VM 'a2' powered off (power button)" <<<"$out" &&
			grep -q "GUEST pwrbtn pressed, status now 0" "$T/a2.out"
		check stop-power-button $? "stop (exit $sst): $out; VM status $s2; $(tail -n 2 "$T/a2.out")"
		[ $sst = 0 ] && [ "$s1" = 0 ] && [ $dt -ge 1000 ] && [ $dt -lt 8000 ] &&
			grep -q "VM 'a1' stopped (hard stop: still running after 1 s of power button)" <<<"$out"
		check stop-ignored-then-hard $? "stop (exit $sst): $out after $dt ms; VM status $s1"
		[ -z "$(ls -A "$D" 2>/dev/null)" ]
		check stop-all-nothing-left $? "left: $(ls -A "$D" 2>/dev/null)"
	else
		kill $p1
	fi
fi
out=$($LKVM stop 2>&1)
st=$?
is_status $st 1 && grep -q "lkvm stop: no running VM" <<<"$out"
check stop-no-vm $? "exit $st: $out"
out=$($LKVM stop --all 2>&1)
st=$?
is_status $st 1 && grep -q "lkvm stop: no running VM" <<<"$out"
check stop-all-no-vm $? "exit $st: $out"
out=$($LKVM stop --all --name x 2>&1)
is_status $? 2 && grep -q "not both" <<<"$out"
check stop-all-and-name $? "$out"

unset XDG_RUNTIME_DIR
summary control
