# Lab scenario "mig-virtio" (sourced in L1 with l1/lib.sh), issue 13's virtio check: the L2 of
# snap-virtio (its L2 side: a token in sector 0 of a virtio-blk disk, a ping to L1 over
# virtio-net, then a count to 60 every 0.5 s, each count synced to sector 16) moves live to a
# second lkvm in L1 at count 5: `lkvm run --incoming unix:SOCK` with the same disk and a tap of
# its own (lkvmmig1, given L1's address once the source's lkvmmig0 is gone), `lkvm migrate`.
# Results: mig-virtio-send (migrate and the source exit 0; its summary), mig-virtio-logged
# (the virtio devices' writes to RAM were logged, not all of RAM sent again), mig-virtio-count (the
# count goes on at the destination from where the source left it, no new boot), mig-virtio-
# disk-read / -disk-write (the token written before the move read back after it, a second one
# written; L1 finds both and the last count in the image), mig-virtio-net (the moved L2 pings
# L1 through the destination's tap), mig-virtio (the destination's L2 done, lkvm exit 0).
D=/tmp/migv
SRC_LOG=/tmp/l2-migv.log
DST_LOG=/tmp/l2-migv-dst.log
rm -rf $D
mkdir -p $D
dd if=/dev/zero of=$D/disk.img bs=1M count=8 2>/dev/null
tok=$(head -c 16 /dev/urandom | md5sum | cut -c1-16)

# migv_count LOG first|last: the first or last count L2 printed into LOG.
migv_count() {
	sed -n 's/.*L2-SNAPV count \([0-9]*\)$/\1/p' "$1" | if [ "$2" = first ]; then
		head -n 1; else tail -n 1; fi
}

rm -f $SRC_LOG $DST_LOG $D/src.rc $D/mig.out
lab_tap lkvmmig0 > $D/tap1.log 2>&1 &
( l2_run migv 300 run --name migv -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 -c 1 \
	-d $D/disk.img -n mode=tap,tapif=lkvmmig0 \
	-p "$L2_APPEND lab.scenario=snap-virtio lab.token=$tok lab.end=poweroff"
  echo "$L2_RC" > $D/src.rc ) &
_src=$!
if lab_wait 3000 grep -qE 'L2-SNAPV count ([5-9]|[1-9][0-9])$' $SRC_LOG; then
	lab_tap lkvmmig1 lkvmmig0 > $D/tap2.log 2>&1 &
	( lab_wait 3000 grep -q 'waiting for an incoming VM' $DST_LOG
	  "$LKVM" migrate --name migv "unix:$D/mig.sock" > $D/mig.out 2>&1
	  echo "status $?" >> $D/mig.out ) &
	_mcmd=$!
	l2_run migv-dst 300 run --incoming "unix:$D/mig.sock" --name migv-dst \
		-d $D/disk.img -n mode=tap,tapif=lkvmmig1
	wait $_mcmd
else
	lab_result mig-virtio-send FAIL "L2 did not count to 5 on the source: $(grep -v '^ *$' $SRC_LOG | tail -n 3 | tr '\n' ' ' | cut -c1-240)"
fi
wait $_src
sed 's/^/LAB: mig-virtio: /' $D/tap1.log $D/tap2.log 2>/dev/null
echo "LAB: lkvm migrate: $(tr '\n' ';' < $D/mig.out 2>/dev/null | cut -c1-600)"
_rc=$(cat $D/src.rc 2>/dev/null || echo 255)
_sum=$(grep -m 1 '^migrate: done in ' $D/mig.out 2>/dev/null)
if grep -q '^status 0$' $D/mig.out 2>/dev/null && [ "$_rc" = 0 ] && [ -n "$_sum" ] &&
	! grep -q 'L2-SNAPV done' $SRC_LOG; then
	lab_result mig-virtio-send PASS "${_sum#migrate: }; source lkvm exit 0"
elif [ -f $D/mig.out ]; then
	lab_result mig-virtio-send FAIL "migrate: $(tail -n 2 $D/mig.out | tr '\n' ' '); source lkvm exit $_rc"
fi
# the virtio devices' writes to RAM were logged: not all of RAM sent again at the stop
_dn=$(sed -n 's/^migrate: done in .*downtime \([0-9]*\) ms.*/\1/p' $D/mig.out 2>/dev/null)
if grep -q 'writes of virtio devices to guest RAM are logged' $D/mig.out 2>/dev/null &&
	! grep -q 'all guest RAM is sent again' $D/mig.out; then
	lab_result mig-virtio-logged PASS "virtio writes logged by their queues; downtime ${_dn:-?} ms"
else
	lab_result mig-virtio-logged FAIL "$(grep -m 1 'virtio devices' $D/mig.out 2>/dev/null || echo 'no word on the virtio devices'); downtime ${_dn:-?} ms"
fi
last1=$(migv_count $SRC_LOG last)
first2=$(migv_count $DST_LOG first)
last2=$(migv_count $DST_LOG last)
if grep -q 'L2-BOOT-OK' $DST_LOG 2>/dev/null; then
	lab_result mig-virtio-count FAIL "the moved L2 booted again (L2-BOOT-OK)"
elif [ -n "$last1" ] && [ -n "$first2" ] && [ "$first2" -gt "$last1" ] &&
	[ "$first2" -le $((last1 + 2)) ] && [ "$last2" = 60 ]; then
	lab_result mig-virtio-count PASS "counted to $last1 on the source, went on at $first2 to $last2 on the destination"
else
	lab_result mig-virtio-count FAIL "counted to '$last1' on the source, '$first2'..'$last2' on the destination"
fi
L2_LOG=$DST_LOG
migv_sub() {
	if grep -q "L2-SNAPV $1 ok" $DST_LOG 2>/dev/null; then
		lab_result "mig-virtio-$1" PASS "$2 $(grep -m 1 "L2-SNAPV $1 ok" $DST_LOG | sed 's/.* ok *//')"
	else
		lab_result "mig-virtio-$1" FAIL "$(grep -m 1 "L2-CHECK-FAIL snapv-$1" $DST_LOG 2>/dev/null |
			sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/') (no 'L2-SNAPV $1 ok' on the destination)"
	fi
}
migv_sub disk-read "the token written before the move read back from the disk:"
s0=$(dd if=$D/disk.img bs=512 count=1 2>/dev/null | head -n 1)
s8=$(dd if=$D/disk.img bs=512 skip=8 count=1 2>/dev/null | head -n 1)
s16=$(dd if=$D/disk.img bs=512 skip=16 count=1 2>/dev/null | head -n 1)
if [ "$s0" = "BEFORE-$tok" ] && [ "$s8" = "AFTER-$tok" ] && [ "$s16" = 60 ]; then
	migv_sub disk-write "a token written after the move is in the image (L1 read it):"
else
	lab_result mig-virtio-disk-write FAIL "image sectors 0, 8 and 16 hold '$s0', '$s8' and" \
		"'$s16', want BEFORE-$tok, AFTER-$tok and 60 (the last count)"
fi
migv_sub net "the moved L2 pinged L1 through the destination's tap:"
l2_check mig-virtio 'L2-SNAPV done'
rm -rf $D
