# L2 side of scenario vfio-mdev (sourced by l2/init): finds the mtty function (4348:3253),
# reports its class, driver and BAR0, round-trips the 16550 scratch register (BAR0 + 7) with
# one-byte reads and writes of sysfs resource0 (port I/O by L2's kernel), then, when 8250_pci
# made it a tty, opens it and counts INTx (mtty masks INTx after each interrupt: every one
# after the first needs lkvm's unmask) and reads back a line sent through mtty's TX->RX loop.
# Prints "L2-MDEV <check> ok ...", "L2-MDEV-INFO ..." or "L2-CHECK-FAIL <check> ...".
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

# mdev_intx: opens the tty (8250's start-up raises THRE interrupts: mtty masks INTx after
# each, so a second one needs lkvm's unmask) and sends a line through mtty's TX->RX loop
# (interrupt-driven: 8250 reads RX in its handler)
mdev_intx() {
	tty=$(ls "$md/tty" 2>/dev/null | head -n 1)
	if [ -z "$tty" ]; then
		echo "L2-CHECK-FAIL intx: no tty on ${md##*/} (driver ${drv##*/})"
		return
	fi
	irq=$(cat "$md/irq")
	n0=$(awk -v i="$irq:" '$1 == i { print $2 }' /proc/interrupts)
	stty -F "/dev/$tty" raw -echo 115200
	cat "/dev/$tty" > /tmp/mdev-rx &
	rxpid=$!
	sleep 1
	# under 16 bytes: mtty's 16-byte FIFO looks empty when full
	printf 'lkvm-mdev' > "/dev/$tty"
	sleep 1
	regs="ier=$(reg 1) iir=$(reg 2) lsr=$(reg 5)"
	kill $rxpid
	rx=$(cat /tmp/mdev-rx)
	n1=$(awk -v i="$irq:" '$1 == i { print $2 }' /proc/interrupts)
	echo "L2-MDEV-INFO $(grep "irq:$irq " /proc/tty/driver/serial) $regs"
	if [ "$rx" = lkvm-mdev ]; then
		echo "L2-MDEV loop ok sent lkvm-mdev, read it back"
	else
		echo "L2-CHECK-FAIL loop: sent lkvm-mdev, read back '$rx'"
	fi
	if [ $((n1 - n0)) -ge 2 ]; then
		echo "L2-MDEV intx ok $tty irq $irq: $((n1 - n0)) interrupts"
	else
		echo "L2-CHECK-FAIL intx: $tty irq $irq: $((n1 - n0)) interrupts (want 2 or more)"
	fi
}
reg() { dd if="$md/resource0" bs=1 skip="$1" count=1 2>/dev/null | od -An -tx1 | tr -d ' \n'; }
[ -z "$md" ] || mdev_intx
