#!/usr/bin/env bash
# Suite "virtio": host-side behaviour of the virtio devices with the tiny
# "spin" guest on /dev/kvm: --disk syntax and open errors, the image lock
# against a second lkvm, --network refused, and a VM with every virtio device
# that starts and stops cleanly on SIGTERM. Guest-side I/O is in the lab.
set -u
cd "$(dirname "$0")/../.."
source tests/lib.sh
LKVM=${LKVM:-./lkvm}
SPIN=tests/guests/build/spin.bin
T=$(mktemp -d)
bg=
cleanup() { [ -n "$bg" ] && kill "$bg" 2>/dev/null; rm -rf "$T"; }
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
run_err network-refused "virtio-net is not implemented" \
	-k "$SPIN" -n mode=tap

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

summary virtio
