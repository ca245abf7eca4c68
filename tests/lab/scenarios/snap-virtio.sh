# Lab scenario "snap-virtio" (sourced in L1 with l1/lib.sh), issue 12's virtio check: L2 with a
# virtio-blk disk and virtio-net (tap lkvmsnap0) writes a token to sector 0 of its disk, pings
# L1, then counts ("L2-SNAPV count N" every 0.5 s up to 60, each count also written and synced
# to sector 16). From count 5 on, L1 runs `lkvm snapshot` (the VM runs on), from count 10 on
# `lkvm snapshot --stop`; then `lkvm run --restore` in a new lkvm process. The restored L2 must
# go on counting where it stopped (no new boot), read the token back from the disk with its page
# cache dropped, write and read back a second token (sector 8), and ping L1 through the new tap
# (addressed by L1 with the same MAC each time); L1 then finds both tokens and the last count in
# the image. Results: snap-virtio-runs-on, snap-virtio-stop, snap-virtio-count,
# snap-virtio-disk-read, snap-virtio-disk-write, snap-virtio-net, snap-virtio.
D=/tmp/snapv
TAP=lkvmsnap0
NAME=snapv
rm -rf $D
mkdir -p $D
dd if=/dev/zero of=$D/disk.img bs=1M count=8 2>/dev/null
tok=$(head -c 16 /dev/urandom | md5sum | cut -c1-16)

# snapv_counted RE: L2 printed a count matching RE.
snapv_counted() { grep -qE "L2-SNAPV count ($1)\$" /tmp/l2-$NAME.log; }
# snapv_take DIR [--stop]: `lkvm snapshot` into DIR; DIR.rc its status.
snapv_take() {
	_t0=$(lab_uptime)
	"$LKVM" snapshot --name $NAME $2 "$1" > "$1.out" 2>&1
	echo $? > "$1.rc"
	echo "snapshot $2 rc=$(cat "$1.rc") in $(lab_sub "$(lab_uptime)" "$_t0")s:" \
		"$(cat "$1.out") $(du -k "$1" 2>/dev/null | tail -n 1 | tr '\t' ' ')"
}
# From count 5 on a snapshot the VM runs on after, from count 10 on one
# with --stop, ending the first lkvm.
snapv_snap() {
	lab_wait 3000 snapv_counted '[5-9]|[1-9][0-9]' || { echo "L2 never counted to 5"; return; }
	snapv_take $D/snap0
	lab_wait 3000 snapv_counted '[1-9][0-9]' || { echo "L2 never counted to 10"; return; }
	snapv_take $D/snap --stop
}
# snapv_until LOG RE OUT: L1 seconds from now until LOG has a line matching RE, into OUT
# (the restore-to-running and boot-to-userspace figures).
snapv_until() {
	_u0=$(lab_uptime)
	rm -f "$3"
	lab_wait 3000 grep -q "$2" "$1" && lab_sub "$(lab_uptime)" "$_u0" > "$3"
}
# snapv_count LOG first|last: the first or last count L2 printed into LOG.
snapv_count() {
	if [ "$2" = first ]; then
		sed -n 's/.*L2-SNAPV count \([0-9]*\)$/\1/p' "$1" | head -n 1
	else
		sed -n 's/.*L2-SNAPV count \([0-9]*\)$/\1/p' "$1" | tail -n 1
	fi
}

rm -f /tmp/l2-$NAME.log /tmp/l2-$NAME-restore.log
snapv_until /tmp/l2-$NAME.log L2-BOOT-OK $D/boot.secs &
lab_tap $TAP > $D/tap1.log 2>&1 &
snapv_snap > $D/side.log 2>&1 &
spid=$!
l2_run $NAME 300 run --name $NAME -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
	-d $D/disk.img -n mode=tap,tapif=$TAP \
	-p "$L2_APPEND lab.scenario=snap-virtio lab.token=$tok lab.end=poweroff"
wait $spid
sed 's/^/LAB: snap-virtio: /' $D/tap1.log $D/side.log
LOG1=$L2_LOG
last1=$(snapv_count "$LOG1" last)
bad1=$(grep -m 1 'L2-CHECK-FAIL' "$LOG1" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')
if [ "$(cat $D/snap0.rc 2>/dev/null)" = 0 ] && [ -f $D/snap0/state ] && [ "${last1:-0}" -ge 10 ]; then
	lab_result snap-virtio-runs-on PASS "L2 went on counting (and writing its disk) to $last1" \
		"after a snapshot at count 5 or later: $(head -n 1 $D/side.log)"
else
	lab_result snap-virtio-runs-on FAIL "snapshot without --stop: rc '$(cat $D/snap0.rc 2>/dev/null)'," \
		"L2 counted to '$last1': $(head -n 1 $D/side.log)"
fi
if [ "$(cat $D/snap.rc 2>/dev/null)" = 0 ] && [ "$L2_RC" = 0 ] && [ -z "$bad1" ] &&
	[ -f $D/snap/state ] && ! grep -q 'L2-SNAPV done' $LOG1; then
	lab_result snap-virtio-stop PASS "lkvm snapshot --stop at count $last1: $(tail -n 1 $D/side.log)"
else
	lab_result snap-virtio-stop FAIL "snapshot rc '$(cat $D/snap.rc 2>/dev/null)', lkvm exit $L2_RC," \
		"count $last1, ${bad1:-no L2 failure}: $(tail -n 1 $D/side.log)"
fi

lab_tap $TAP > $D/tap2.log 2>&1 &
tpid=$!
snapv_until /tmp/l2-$NAME-restore.log 'L2-SNAPV count' $D/restore.secs &
l2_run $NAME-restore 300 run --restore $D/snap
kill $tpid 2>/dev/null
sed 's/^/LAB: snap-virtio: /' $D/tap2.log
first2=$(snapv_count $L2_LOG first)
last2=$(snapv_count $L2_LOG last)
if grep -q 'L2-BOOT-OK' $L2_LOG; then
	lab_result snap-virtio-count FAIL "the restored L2 booted again (L2-BOOT-OK)"
elif [ -n "$last1" ] && [ -n "$first2" ] && [ "$first2" -ge "$last1" ] &&
	[ "$first2" -le $((last1 + 2)) ] && [ "$last2" = 60 ]; then
	lab_result snap-virtio-count PASS "counted to $last1, restored in a new lkvm, went on at $first2 to $last2;" \
		"restore to the first count $(cat $D/restore.secs 2>/dev/null)s (L1), boot to L2 userspace" \
		"$(cat $D/boot.secs 2>/dev/null)s"
else
	lab_result snap-virtio-count FAIL "counted to '$last1' before the snapshot, '$first2'..'$last2' after"
fi
snapv_sub() {
	if grep -q "L2-SNAPV $1 ok" "$L2_LOG"; then
		lab_result "snap-virtio-$2" PASS "$3 $(grep -m 1 "L2-SNAPV $1 ok" "$L2_LOG" | sed 's/.* ok *//')"
	else
		lab_result "snap-virtio-$2" FAIL "$(grep -m 1 "L2-CHECK-FAIL snapv-$1" "$L2_LOG" |
			sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/') (no 'L2-SNAPV $1 ok' after the restore)"
	fi
}
snapv_sub disk-read disk-read "the token written before the snapshot read back from the disk"
s0=$(dd if=$D/disk.img bs=512 count=1 2>/dev/null | head -n 1)
s8=$(dd if=$D/disk.img bs=512 skip=8 count=1 2>/dev/null | head -n 1)
s16=$(dd if=$D/disk.img bs=512 skip=16 count=1 2>/dev/null | head -n 1)
if [ "$s0" = "BEFORE-$tok" ] && [ "$s8" = "AFTER-$tok" ] && [ "$s16" = 60 ]; then
	snapv_sub disk-write disk-write "a token written after the restore is in the image (L1 read it):"
else
	lab_result snap-virtio-disk-write FAIL "image sectors 0, 8 and 16 hold '$s0', '$s8' and" \
		"'$s16', want BEFORE-$tok, AFTER-$tok and 60 (the last count)"
fi
snapv_sub net net "the restored L2 pinged L1 through the new tap:"
l2_check snap-virtio 'L2-SNAPV done'
rm -rf $D
