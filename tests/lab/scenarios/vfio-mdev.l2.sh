# L2 side of scenario vfio-mdev (sourced by l2/init): finds the mtty function (4348:3253),
# reports its class, driver and BAR0, then round-trips the 16550 scratch register (BAR0 + 7)
# with one-byte reads and writes of sysfs resource0 (port I/O by L2's kernel). Prints
# "L2-MDEV <check> ok ..." or "L2-CHECK-FAIL <check> ...".
md=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor")" = 0x4348 ] && [ "$(cat "$p/device")" = 0x3253 ] && md=$p
done
# scr_rd / scr_wr OCTAL: the scratch register through resource0
scr_rd() { dd if="$md/resource0" bs=1 skip=7 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
scr_wr() { printf "\\$1" | dd of="$md/resource0" bs=1 seek=7 count=1 conv=notrunc 2>/dev/null; }
if [ -z "$md" ]; then
	echo "L2-CHECK-FAIL id: no 4348:3253 function ($(cat /sys/bus/pci/devices/*/vendor | tr '\n' ' '))"
else
	drv=$(readlink "$md/driver")
	echo "L2-MDEV id ok ${md##*/} class=$(cat "$md/class") driver=${drv##*/} bar0=$(head -n 1 "$md/resource")"
	[ -n "$drv" ] || echo 1 > "$md/enable"
	s0=$(scr_rd)
	scr_wr 132
	s1=$(scr_rd)
	scr_wr 245
	s2=$(scr_rd)
	if [ "$s1" = 5a ] && [ "$s2" = a5 ]; then
		echo "L2-MDEV scratch ok first=$s0 wrote 5a read $s1, wrote a5 read $s2"
	else
		echo "L2-CHECK-FAIL scratch: first=$s0 wrote 5a read '$s1', wrote a5 read '$s2'"
	fi
fi
