# Lab scenario "snap-virtio" (sourced in L1 with l1/lib.sh), issue 12 on arm64 (GICv3 with ITS,
# the default irqchip): L2 (2 vCPUs) with a virtio-blk disk and virtio-net (tap lkvmsnap0) writes
# a token to sector 0, pings L1, then counts to 24 ("L2-SNAPV count N up=UPTIME" every 0.5 s, each
# count synced to sector 16). From count 4 on L1 runs `lkvm snapshot` (the VM runs on), from count
# 8 on `lkvm snapshot --stop`; then `lkvm run --restore` in a new lkvm process, once. The restored
# L2 must go on counting where it stopped (no new boot) with its uptime continuing (the virtual
# counter restored), read the token back, write a second one (sector 8) and ping L1 through the
# new tap; L1 then finds both tokens and the last count in the image. Results:
# snap-virtio-runs-on, snap-virtio-stop, snap-virtio-count, snap-virtio-time,
# snap-virtio-disk-read, snap-virtio-disk-write, snap-virtio-net, snap-virtio-power-key (the
# restored L2 ends on the power key `lkvm stop` presses), snap-virtio.
D=/tmp/snapv
TAP=lkvmsnap0
NAME=snapv
COUNT=24
rm -rf $D
mkdir -p $D
dd if=/dev/zero of=$D/disk.img bs=1M count=8 2>/dev/null
tok=$(head -c 16 /dev/urandom | md5sum | cut -c1-16)

snapv_counted() { grep -qE "L2-SNAPV count ($1) up=" /tmp/l2-$NAME.log; }
# snapv_take DIR [--stop]: `lkvm snapshot` into DIR; DIR.rc its status.
snapv_take() {
	_t0=$(lab_uptime)
	echo "$_t0" > "$1.t0"
	"$LKVM" snapshot --name $NAME $2 "$1" > "$1.out" 2>&1
	echo $? > "$1.rc"
	echo "snapshot $2 rc=$(cat "$1.rc") in $(lab_sub "$(lab_uptime)" "$_t0")s:" \
		"$(cat "$1.out") $(du -k "$1" 2>/dev/null | tail -n 1 | tr '\t' ' ')"
}
snapv_snap() {
	lab_wait 3000 snapv_counted '[4-9]|[1-9][0-9]' || { echo "L2 never counted to 4"; return; }
	snapv_take $D/snap0
	lab_wait 3000 snapv_counted '[89]|[1-9][0-9]' || { echo "L2 never counted to 8"; return; }
	snapv_take $D/snap --stop
}
# snapv_count LOG first|last: the first or last count L2 printed into LOG.
snapv_count() {
	sed -n 's/.*L2-SNAPV count \([0-9]*\) up=.*/\1/p' "$1" > $D/counts
	if [ "$2" = first ]; then head -n 1 $D/counts; else tail -n 1 $D/counts; fi
}
# snapv_first: L1's uptime when the restored L2 printed its first count, into $D/t2.
snapv_first() {
	lab_wait 600 grep -q 'L2-SNAPV count' /tmp/l2-$NAME-restore.log && lab_uptime > $D/t2
}
# snapv_up LOG N: L2's uptime at count N.
snapv_up() { sed -n "s/.*L2-SNAPV count $2 up=\([0-9.]*\).*/\1/p" "$1" | head -n 1; }

lab_tap $TAP > $D/tap1.log 2>&1 &
snapv_snap > $D/side.log 2>&1 &
spid=$!
l2_run $NAME 240 run --name $NAME -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 2 \
	-d $D/disk.img -n mode=tap,tapif=$TAP \
	-p "$L2_APPEND lab.scenario=snap-virtio lab.token=$tok lab.count=$COUNT lab.end=button"
wait $spid
sed 's/^/LAB: snap-virtio: /' $D/tap1.log $D/side.log
LOG1=$L2_LOG
last1=$(snapv_count "$LOG1" last)
bad1=$(grep -m 1 'L2-CHECK-FAIL' "$LOG1" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')
if [ "$(cat $D/snap0.rc 2>/dev/null)" = 0 ] && [ -f $D/snap0/state ] && [ "${last1:-0}" -ge 8 ]; then
	lab_result snap-virtio-runs-on PASS "L2 went on counting (and writing its disk) to $last1" \
		"after a snapshot at count 4 or later: $(head -n 1 $D/side.log)"
else
	lab_result snap-virtio-runs-on FAIL "snapshot without --stop: rc '$(cat $D/snap0.rc 2>/dev/null)'," \
		"L2 counted to '$last1': $(head -n 1 $D/side.log)"
fi
rm -rf $D/snap0
if [ "$(cat $D/snap.rc 2>/dev/null)" = 0 ] && [ "$L2_RC" = 0 ] && [ -z "$bad1" ] &&
	[ -f $D/snap/state ] && ! grep -q 'L2-SNAPV done' $LOG1; then
	lab_result snap-virtio-stop PASS "lkvm snapshot --stop at count $last1: $(tail -n 1 $D/side.log)"
else
	lab_result snap-virtio-stop FAIL "snapshot rc '$(cat $D/snap.rc 2>/dev/null)', lkvm exit $L2_RC," \
		"count $last1, ${bad1:-no L2 failure}: $(tail -n 1 $D/side.log)"
fi

lab_tap $TAP > $D/tap2.log 2>&1 &
tpid=$!
rm -f /tmp/l2-$NAME-restore.log
snapv_first > /dev/null 2>&1 &
# The restored L2 ends on its power key (lab.end=button; gpio_keys was set up before the
# snapshot, so the PL061's registers must have come back): `lkvm stop` presses it.
l2_stopper $NAME-restore
l2_run $NAME-restore 60 run --restore $D/snap --debug
kill $tpid 2>/dev/null
l2_stop_result snap-virtio-power-key $NAME-restore
sed 's/^/LAB: snap-virtio: /' $D/tap2.log
first2=$(snapv_count $L2_LOG first)
last2=$(snapv_count $L2_LOG last)
if grep -q 'L2-BOOT-OK' $L2_LOG; then
	lab_result snap-virtio-count FAIL "the restored L2 booted again (L2-BOOT-OK)"
elif [ -n "$last1" ] && [ -n "$first2" ] && [ "$first2" -ge "$last1" ] &&
	[ "$first2" -le $((last1 + 2)) ] && [ "$last2" = $COUNT ]; then
	lab_result snap-virtio-count PASS "counted to $last1, restored in a new lkvm, went on at $first2 to $last2"
else
	lab_result snap-virtio-count FAIL "counted to '$last1' before the snapshot, '$first2'..'$last2' after"
fi
# L2's uptime (its virtual counter) goes on from where it stopped: no jump back (a counter
# not restored starts again near 0 with the new VM), and forward at most the L1 time from the
# start of the --stop snapshot to the restored L2's first count, plus 1 s.
u1=$(snapv_up "$LOG1" "$last1")
u2=$(snapv_up "$L2_LOG" "$first2")
gap=$(lab_sub "$(cat $D/t2 2>/dev/null || echo 0)" "$(cat $D/snap.t0 2>/dev/null || echo 0)")
if [ -n "$u1" ] && [ -n "$u2" ] &&
	awk "BEGIN { d = $u2 - $u1; exit !(d >= 0 && d <= $gap + 1) }"; then
	lab_result snap-virtio-time PASS "L2 uptime ${u1}s at count $last1, ${u2}s at count $first2" \
		"after the restore (${gap}s in L1 from the snapshot to that count)"
else
	lab_result snap-virtio-time FAIL "L2 uptime '${u1}'s at count $last1, '${u2}'s at count" \
		"$first2 after the restore, ${gap}s in L1 from the snapshot to that count"
fi
snapv_sub() {
	if grep -q "L2-SNAPV $1 ok" "$L2_LOG"; then
		lab_result "snap-virtio-$1" PASS "$2 $(grep -m 1 "L2-SNAPV $1 ok" "$L2_LOG" | sed 's/.* ok *//')"
	else
		lab_result "snap-virtio-$1" FAIL "$(grep -m 1 "L2-CHECK-FAIL snapv-$1" "$L2_LOG" |
			sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/') (no 'L2-SNAPV $1 ok' after the restore)"
	fi
}
snapv_sub disk-read "the token written before the snapshot read back from the disk"
s0=$(dd if=$D/disk.img bs=512 count=1 2>/dev/null | head -n 1)
s8=$(dd if=$D/disk.img bs=512 skip=8 count=1 2>/dev/null | head -n 1)
s16=$(dd if=$D/disk.img bs=512 skip=16 count=1 2>/dev/null | head -n 1)
if [ "$s0" = "BEFORE-$tok" ] && [ "$s8" = "AFTER-$tok" ] && [ "$s16" = $COUNT ]; then
	snapv_sub disk-write "a token written after the restore is in the image (L1 read it):"
else
	lab_result snap-virtio-disk-write FAIL "image sectors 0, 8 and 16 hold '$s0', '$s8' and" \
		"'$s16', want BEFORE-$tok, AFTER-$tok and $COUNT (the last count)"
fi
snapv_sub net "the restored L2 pinged L1 through the new tap:"
l2_check snap-virtio 'L2-SNAPV done'
rm -rf $D
