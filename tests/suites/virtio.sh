#!/usr/bin/env bash
# needs: /dev/kvm
# Suite "virtio": host-side behaviour of the virtio devices with the tiny
# "spin" guest on /dev/kvm: --disk syntax and open errors, the image lock
# against a second lkvm, a VM with every virtio device that starts and stops
# cleanly on SIGTERM, and -n/--network: option errors, and a tap made (and
# removed at exit) inside a private network namespace. Every failure must
# exit with status 1 (never a signal or a hang), name the file and the fix,
# and leave nothing behind: no control socket, lock or tap. Guest-side I/O
# is in the lab.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
SPIN=tests/guests/build/spin.bin
T=$(mktemp -d)
bg=
NS=
# control sockets go to $T/run/lkvm, where no socket may be left behind
export XDG_RUNTIME_DIR=$T/run
cleanup() {
	[ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
	[ -n "$bg" ] && wait "$bg" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# sockets: the control sockets in $XDG_RUNTIME_DIR/lkvm, one a line.
sockets() {
	(cd "$XDG_RUNTIME_DIR/lkvm" 2>/dev/null && ls -- *.sock 2>/dev/null)
}

# new_sockets BEFORE: the sockets not in BEFORE (the output of sockets), which
# are removed so that one leftover fails one test only.
new_sockets() {
	local s new=
	for s in $(sockets); do
		grep -qxF -- "$s" <<<"$1" && continue
		rm -f "$XDG_RUNTIME_DIR/lkvm/$s"
		new="$new $s"
	done
	echo $new
}

# status_text ST: what an exit status means.
status_text() {
	case $1 in
	124 | 137) echo "timed out" ;;
	0) echo "success" ;;
	*) [ "$1" -gt 128 ] && echo "killed by signal $(($1 - 128))" || echo "exit $1" ;;
	esac
}

# run_err NAME STATUS PATTERN ARGS...: `lkvm run ARGS` (run by the command
# in the PRE array, if any) must exit with exactly STATUS (1: an error at
# start-up, device options included; 2: a command-line syntax error), never
# a signal or a hang, print PATTERN (grep -E), and leave no control socket.
PRE=()
run_err() {
	local name=$1 want=$2 pat=$3 out st left before
	shift 3
	before=$(sockets)
	out=$(timeout -k 5 20 ${PRE[@]+"${PRE[@]}"} "$LKVM" run "$@" </dev/null 2>&1)
	st=$?
	left=$(new_sockets "$before")
	if [ "$st" != "$want" ]; then
		fail "$name" "$(status_text "$st"), wanted exit $want; output: $out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name" "output lacks /$pat/: $out"
	elif [ -n "$left" ]; then
		fail "$name" "control socket left behind: $left"
	else
		pass "$name"
	fi
}

# unlocked NAME FILE: nothing holds a lock on FILE (a POSIX write lock,
# which conflicts with lkvm's OFD lock, can be taken at once).
unlocked() {
	python3 -c 'import fcntl, sys
fcntl.lockf(open(sys.argv[1], "r+b"), fcntl.LOCK_EX | fcntl.LOCK_NB)' "$2" 2>/dev/null
	check "$1" $? "$2 is still locked"
}

# stop_bg: SIGTERM to the background lkvm $bg; sets $st to its exit status,
# or to "timeout" (after SIGKILL) when it is still there after 10 s.
stop_bg() {
	local i
	kill -TERM "$bg" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$bg" 2>/dev/null; then
		kill -9 "$bg" 2>/dev/null
		wait "$bg" 2>/dev/null
		st="timeout (no exit 10 s after SIGTERM)"
	else
		wait "$bg"
		st=$?
	fi
	bg=
}

# wait_for FILE PATTERN: up to 10 s for PATTERN to show in FILE.
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

if [ ! -x "$LKVM" ] || [ ! -f "$SPIN" ] || [ ! -e /dev/kvm ]; then
	fail virtio-setup "needs $LKVM, $SPIN (make guests) and /dev/kvm"
	summary virtio
	exit 1
fi
head -c 1048576 /dev/zero > "$T/disk.img"

SK=(--raw -k "$SPIN")
MK='make one with: truncate -s 1G'
run_err disk-missing 1 "cannot open disk image '$T/nope.img'.*No such file.*create it first" \
	"${SK[@]}" -d "$T/nope.img"
run_err disk-missing-ro 1 "cannot open disk image '$T/nope.img': No such file" \
	"${SK[@]}" -d "$T/nope.img,ro"
run_err disk-bad-option 1 "invalid --disk.*unknown option 'rw'.*valid: ro" \
	"${SK[@]}" -d "$T/disk.img,rw"
run_err disk-option-twice 1 "invalid --disk '$T/disk.img,ro,ro': option 'ro' given twice" \
	"${SK[@]}" -d "$T/disk.img,ro,ro"
run_err disk-directory-ro 1 "disk image '$T' is a directory: a disk must be a regular file or a block device \\($MK" \
	"${SK[@]}" -d "$T,ro"
run_err disk-directory 1 "disk image '$T' is a directory: a disk must be a regular file or a block device" \
	"${SK[@]}" -d "$T"
run_err disk-dev-null 1 "disk image '/dev/null' is a character device: a disk must be a regular file or a block device" \
	"${SK[@]}" -d /dev/null
# A FIFO is refused before any open that would wait for a writer.
mkfifo "$T/fifo"
run_err disk-fifo-ro 1 "disk image '$T/fifo' is a FIFO: a disk must be a regular file or a block device" \
	"${SK[@]}" -d "$T/fifo,ro"
run_err disk-fifo 1 "disk image '$T/fifo' is a FIFO: a disk must be a regular file or a block device" \
	"${SK[@]}" -d "$T/fifo"
# The same image twice, by name or through another link to it.
ln "$T/disk.img" "$T/disk-link.img"
run_err disk-twice 1 "disk image '$T/disk.img' is given twice: a disk can be attached only once" \
	"${SK[@]}" -d "$T/disk.img" -d "$T/disk.img"
run_err disk-twice-link 1 "disk image '$T/disk-link.img' is the same file as '$T/disk.img', given before" \
	"${SK[@]}" -d "$T/disk.img" -d "$T/disk-link.img,ro"
# A disk that failed after another was set up: the first is released too.
run_err disk-second-fails 1 "cannot open disk image '$T/nope.img'" \
	"${SK[@]}" -d "$T/disk.img" -d "$T/nope.img"
# No permission: root without CAP_DAC_OVERRIDE on a file of another user.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	head -c 65536 /dev/zero >"$T/other.img"
	chown 65534 "$T/other.img"
	chmod 0600 "$T/other.img"
	PRE=(setpriv --bounding-set -dac_override,-dac_read_search)
	run_err disk-no-permission 1 "cannot open disk image '$T/other.img' for reading and writing: Permission denied: make it writable by this user, or add ,ro" \
		"${SK[@]}" -d "$T/other.img"
	run_err disk-no-permission-ro 1 "cannot open disk image '$T/other.img': Permission denied: make it readable by this user" \
		"${SK[@]}" -d "$T/other.img,ro"
	PRE=()
fi
run_err network-bad-mode 1 "unknown mode 'user' \\(valid modes: tap, none\\)" \
	"${SK[@]}" -n mode=user
run_err network-bad-option 1 "unknown option 'vhost'.*valid: mode=tap\\|none" \
	"${SK[@]}" -n mode=tap,vhost=on
run_err network-bad-mac 1 "bad guest_mac '02:00:00:00:00'" \
	"${SK[@]}" -n mode=tap,guest_mac=02:00:00:00:00
run_err network-key-twice 1 "invalid --network 'mode=tap,mode=none': option 'mode' given twice" \
	"${SK[@]}" -n mode=tap,mode=none
unlocked disk-unlocked-after-errors "$T/disk.img"

# A second lkvm takes the image the failed ones opened.
"$LKVM" run "${SK[@]}" -d "$T/disk.img" --rng --console virtio \
	</dev/null >"$T/first.log" 2>&1 &
bg=$!
if wait_for "$T/first.log" 'GUEST spin running'; then
	pass all-devices-start
	run_err disk-locked 1 "disk image '$T/disk.img' is in use by another process" \
		"${SK[@]}" -d "$T/disk.img"
	run_err disk-locked-ro 1 "disk image '$T/disk.img' is in use" \
		"${SK[@]}" -d "$T/disk.img,ro"
else
	fail all-devices-start "spin guest with -d/--rng/--console virtio: $(cat "$T/first.log")"
fi
stop_bg
[ "$st" = 143 ] && pass all-devices-sigterm ||
	fail all-devices-sigterm "exit $st, wanted 143: $(tail -n 3 "$T/first.log")"
left=$(new_sockets "")
[ -z "$left" ] && pass all-devices-no-socket ||
	fail all-devices-no-socket "control socket left behind: $left"
unlocked disk-unlocked-after-exit "$T/disk.img"

# --- virtio-net tap, in a network namespace of our own ---
# net_run LOG ARGS...: lkvm ARGS on the spin guest inside $NS, in the background.
net_run() {
	local log=$1
	shift
	ip netns exec "$NS" "$LKVM" run "${SK[@]}" "$@" </dev/null >"$log" 2>&1 &
	bg=$!
}
# net_stop NAME LOG: SIGTERM, wants exit 143.
net_stop() {
	local st
	stop_bg
	[ "$st" = 143 ] && pass "$1" || fail "$1" "exit $st, wanted 143: $(tail -n 3 "$2")"
}
NS=lkvm-virtio-$$
if ! command -v ip >/dev/null || ! ip netns add "$NS" 2>"$T/netns.err"; then
	fail network-tap "cannot make a network namespace (needs root and ip): $(cat "$T/netns.err" 2>/dev/null)"
	NS=
else
	net_run "$T/net.log" -n mode=tap,tapif=lkvmt0 -n mode=none --name netvm
	if wait_for "$T/net.log" 'GUEST spin running'; then
		ip netns exec "$NS" ip -d link show lkvmt0 >"$T/link" 2>&1
		if grep -q 'state UNKNOWN\|,UP' "$T/link" && grep -q 'tun type tap' "$T/link" &&
		   grep -q 'vnet_hdr on' "$T/link"; then
			pass network-tap-created
		else
			fail network-tap-created "ip link show lkvmt0: $(cat "$T/link")"
		fi
		mac=$(sed -n 's/.*tap lkvmt0, guest MAC \([0-9a-f:]*\).*/\1/p' "$T/net.log")
		case $mac in
		?[26ae]:??:??:??:??:??) pass network-default-mac ;;
		*) fail network-default-mac "no locally administered unicast MAC in: $(cat "$T/net.log")" ;;
		esac
		PRE=(ip netns exec "$NS")
		run_err network-tap-busy 1 "cannot attach tap 'lkvmt0'.*in use by another" \
			"${SK[@]}" -n mode=tap,tapif=lkvmt0
		PRE=()
	else
		fail network-tap-created "spin guest with -n mode=tap: $(cat "$T/net.log")"
	fi
	net_stop network-tap-sigterm "$T/net.log"
	if ip netns exec "$NS" ip link show lkvmt0 >/dev/null 2>&1; then
		fail network-tap-removed "lkvmt0 still exists after lkvm exited"
	else
		pass network-tap-removed
	fi
	# Failures after a tap was made, or before: status 1, no tap left.
	# tap_gone NAME TAP: TAP does not exist in $NS.
	tap_gone() {
		! ip netns exec "$NS" ip link show "$2" >/dev/null 2>&1
		check "$1" $? "$2 still exists after lkvm failed"
	}
	PRE=(ip netns exec "$NS")
	run_err network-tap-twice 1 "--network: tap 'lkvmt5' is given twice: each NIC needs its own tap" \
		"${SK[@]}" -n mode=tap,tapif=lkvmt5 -n mode=tap,tapif=lkvmt5
	tap_gone network-tap-twice-gone lkvmt5
	run_err network-then-disk-fails 1 "cannot open disk image '$T/nope.img'" \
		"${SK[@]}" -n mode=tap,tapif=lkvmt6 -d "$T/nope.img"
	tap_gone network-then-disk-fails-gone lkvmt6
	run_err network-then-bad-tap 1 "cannot create tap 'lo'" \
		"${SK[@]}" -n mode=tap,tapif=lkvmt7 -n mode=tap,tapif=lo
	tap_gone network-then-bad-tap-gone lkvmt7
	PRE=()
	# The same VM name gives the same MAC; guest_mac= overrides it.
	net_run "$T/net2.log" -n mode=tap,tapif=lkvmt1 --name netvm
	wait_for "$T/net2.log" 'GUEST spin running'
	mac2=$(sed -n 's/.*tap lkvmt1, guest MAC \([0-9a-f:]*\).*/\1/p' "$T/net2.log")
	net_stop network-tap2-sigterm "$T/net2.log"
	[ -n "$mac" ] && [ "$mac" = "$mac2" ] && pass network-mac-stable ||
		fail network-mac-stable "MAC '$mac' then '$mac2' for --name netvm"
	net_run "$T/net3.log" -n mode=tap,guest_mac=02:AA:bb:00:00:01
	if wait_for "$T/net3.log" 'GUEST spin running' &&
	   grep -q 'guest MAC 02:aa:bb:00:00:01' "$T/net3.log"; then
		pass network-guest-mac
	else
		fail network-guest-mac "$(cat "$T/net3.log")"
	fi
	net_stop network-tap3-sigterm "$T/net3.log"
	# Without CAP_NET_ADMIN the error says so.
	if command -v setpriv >/dev/null; then
		PRE=(ip netns exec "$NS" setpriv --bounding-set -net_admin)
		run_err network-no-cap 1 "cannot create tap 'lkvmt2'.*needs CAP_NET_ADMIN" \
			"${SK[@]}" -n mode=tap,tapif=lkvmt2
		PRE=()
		tap_gone network-no-cap-gone lkvmt2
	fi
	ip netns del "$NS"
	NS=
fi

summary virtio
