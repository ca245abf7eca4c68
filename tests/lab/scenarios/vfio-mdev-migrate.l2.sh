# L2 side of scenario vfio-mdev-migrate: finds the mtty function (4348:3253), writes 0xc3 to
# its scratch register (BAR0 + 7), opens its tty (raw) with a reader behind it, and counts to
# lab.migcount (25): each second "N," goes out through mtty's TX->RX loop, then
# "L2-MIG-COUNT n rx=LAST scr=xx" (LAST: the last number read back). L1 moves the VM to
# another lkvm on another mdev during the count. At the end what came back must be exactly
# "1,2,...,N," (no gap, no repeat across the move) and every scratch read c3: "L2-MIG loop
# ok ...", "L2-MIG scratch ok ..." or L2-CHECK-FAIL, then "L2-MIG-DONE".
md=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor")" = 0x4348 ] && [ "$(cat "$p/device")" = 0x3253 ] && md=$p
done
scr_rd() { dd if="$md/resource0" bs=1 skip=7 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
# mig_count TTY MAX: the count through the loop; sets want (what was sent) and bad (scratch)
mig_count() {
	stty -F "/dev/$1" raw -echo 115200
	: > /tmp/mig-rx
	cat "/dev/$1" > /tmp/mig-rx &
	rxpid=$!
	sleep 1
	n=0; bad=0; want=
	while [ $n -lt "$2" ]; do
		n=$((n + 1))
		printf '%d,' $n > "/dev/$1"
		want="$want$n,"
		sleep 1
		v=$(scr_rd)
		[ "$v" = c3 ] || bad=$((bad + 1))
		echo "L2-MIG-COUNT $n rx=$(tr ',' '\n' < /tmp/mig-rx | tail -n 1) scr=$v"
	done
	sleep 1
	kill $rxpid
}
tty=
[ -z "$md" ] || tty=$(ls "$md/tty" 2>/dev/null | head -n 1)
if [ -z "$md" ]; then
	echo "L2-CHECK-FAIL id: no 4348:3253 function"
elif [ -z "$tty" ]; then
	echo "L2-CHECK-FAIL id: no tty on ${md##*/} ($(readlink "$md/driver"))"
else
	printf '\303' | dd of="$md/resource0" bs=1 seek=7 count=1 conv=notrunc 2>/dev/null
	max=$(param lab.migcount)
	mig_count "$tty" "${max:-25}"
	rx=$(cat /tmp/mig-rx)
	if [ "$rx" = "$want" ]; then
		echo "L2-MIG loop ok 1..$n sent through $tty and read back in order"
	else
		echo "L2-CHECK-FAIL loop: sent '$want', read back '$rx'"
	fi
	if [ $bad = 0 ]; then
		echo "L2-MIG scratch ok c3 in $n reads"
	else
		echo "L2-CHECK-FAIL scratch: $bad of $n reads were not c3"
	fi
fi
echo "L2-MIG-DONE"
