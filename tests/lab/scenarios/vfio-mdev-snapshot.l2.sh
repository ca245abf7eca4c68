# L2 side of scenario vfio-mdev-snapshot: finds the mtty function (4348:3253), writes 0xc3 to
# its scratch register (BAR0 + 7, through sysfs resource0) and counts to 30 (lab.snapcount=N:
# to N), one a second, reading the register back each time ("L2-SNAP-COUNT n scr=xx"). L1
# snapshots the VM during the count and restores it onto another mdev: the count goes on
# there, the register must still read c3. Ends with "L2-SNAP scratch ok" or L2-CHECK-FAIL, then "L2-SNAP-DONE".
md=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor")" = 0x4348 ] && [ "$(cat "$p/device")" = 0x3253 ] && md=$p
done
scr_rd() { dd if="$md/resource0" bs=1 skip=7 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
if [ -z "$md" ]; then
	echo "L2-CHECK-FAIL id: no 4348:3253 function"
else
	[ -n "$(readlink "$md/driver")" ] || echo 1 > "$md/enable"
	printf '\303' | dd of="$md/resource0" bs=1 seek=7 count=1 conv=notrunc 2>/dev/null
	n=0
	bad=0
	max=$(param lab.snapcount)
	while [ $n -lt "${max:-30}" ]; do
		n=$((n + 1))
		v=$(scr_rd)
		echo "L2-SNAP-COUNT $n scr=$v"
		[ "$v" = c3 ] || bad=$((bad + 1))
		sleep 1
	done
	if [ $bad = 0 ]; then
		echo "L2-SNAP scratch ok c3 in $n reads"
	else
		echo "L2-CHECK-FAIL scratch: $bad of $n reads were not c3"
	fi
fi
echo "L2-SNAP-DONE"
