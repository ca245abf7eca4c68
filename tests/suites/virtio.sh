#!/usr/bin/env bash
# Suite "virtio": host-side behaviour of the virtio devices with the tiny
# "spin" guest on /dev/kvm: --disk syntax and open errors, the image lock
# against a second lkvm, a VM with every virtio device that starts and stops
# cleanly on SIGTERM, and -n/--network: option errors, and a tap made (and
# removed at exit) inside a private network namespace. Guest-side I/O is in
# the lab.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
SPIN=tests/guests/build/spin.bin
T=$(mktemp -d)
bg=
NS=
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	[ -n "$bg" ] && wait "$bg" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# run NAME PATTERN ARGS...: lkvm must exit non-zero with PATTERN in its output.
run_err() {
	local name=$1 pat=$2 out st
	shift 2
	out=$(timeout 20 "$LKVM" run "$@" </dev/null 2>&1)
	st=$?
	if [ "$st" = 0 ]; then fail "$name" "exit 0; output: $out"; return; fi
	grep -qE -- "$pat" <<<"$out" && pass "$name" || fail "$name" "output lacks /$pat/: $out"
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

run_err disk-missing "cannot open disk image '$T/nope.img'.*No such file" \
	-k "$SPIN" -d "$T/nope.img"
run_err disk-bad-option "invalid --disk.*unknown option 'rw'.*valid: ro" \
	-k "$SPIN" -d "$T/disk.img,rw"
run_err disk-not-file "not a regular file or block device" -k "$SPIN" -d "$T,ro"
run_err network-bad-mode "unknown mode 'user' \\(valid modes: tap, none\\)" \
	-k "$SPIN" -n mode=user
run_err network-bad-option "unknown option 'vhost'.*valid: mode=tap\\|none" \
	-k "$SPIN" -n mode=tap,vhost=on
run_err network-bad-mac "bad guest_mac '02:00:00:00:00'" \
	-k "$SPIN" -n mode=tap,guest_mac=02:00:00:00:00

"$LKVM" run -k "$SPIN" -d "$T/disk.img" --rng --console virtio \
	</dev/null >"$T/first.log" 2>&1 &
bg=$!
if wait_for "$T/first.log" 'GUEST spin running'; then
	pass all-devices-start
	run_err disk-locked "disk image '$T/disk.img' is in use by another process" \
		-k "$SPIN" -d "$T/disk.img"
	run_err disk-locked-ro "disk image '$T/disk.img' is in use" \
		-k "$SPIN" -d "$T/disk.img,ro"
else
	fail all-devices-start "spin guest with -d/--rng/--console virtio: $(cat "$T/first.log")"
fi
kill -TERM "$bg" 2>/dev/null
wait "$bg"
st=$?
bg=
[ "$st" = 143 ] && pass all-devices-sigterm ||
	fail all-devices-sigterm "exit $st, wanted 143: $(tail -n 3 "$T/first.log")"

# --- virtio-net tap, in a network namespace of our own ---
# net_run LOG ARGS...: lkvm ARGS on the spin guest inside $NS, in the background.
net_run() {
	local log=$1
	shift
	ip netns exec "$NS" "$LKVM" run -k "$SPIN" "$@" </dev/null >"$log" 2>&1 &
	bg=$!
}
# net_stop NAME LOG: SIGTERM, wants exit 143.
net_stop() {
	local st
	kill -TERM "$bg" 2>/dev/null
	wait "$bg"
	st=$?
	bg=
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
		out=$(ip netns exec "$NS" timeout 20 "$LKVM" run -k "$SPIN" \
			-n mode=tap,tapif=lkvmt0 </dev/null 2>&1)
		grep -q "cannot attach tap 'lkvmt0'.*in use by another" <<<"$out" &&
			pass network-tap-busy || fail network-tap-busy "second lkvm on lkvmt0: $out"
	else
		fail network-tap-created "spin guest with -n mode=tap: $(cat "$T/net.log")"
	fi
	net_stop network-tap-sigterm "$T/net.log"
	if ip netns exec "$NS" ip link show lkvmt0 >/dev/null 2>&1; then
		fail network-tap-removed "lkvmt0 still exists after lkvm exited"
	else
		pass network-tap-removed
	fi
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
		out=$(ip netns exec "$NS" setpriv --bounding-set -net_admin \
			timeout 20 "$LKVM" run -k "$SPIN" -n mode=tap,tapif=lkvmt2 </dev/null 2>&1)
		st=$?
		if [ "$st" != 0 ] && grep -q "cannot create tap 'lkvmt2'.*needs CAP_NET_ADMIN" <<<"$out"; then
			pass network-no-cap
		else
			fail network-no-cap "exit $st: $out"
		fi
	fi
	ip netns del "$NS"
	NS=
fi

summary virtio
