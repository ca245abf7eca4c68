# L2 side of lab scenario "vfio-virtio" (sourced by l2/init): loads virtio_pci and
# virtio_blk; checks that the assigned 1af4:1042 shows its vendor-specific capabilities (the
# virtio structure pointers) and is driven by virtio-pci, reads 4 MiB of /dev/vda against
# lab.md5 and finds its per-queue MSI-X vectors on the ITS counting. Prints "L2-VFIO <check>
# ok ..." or "L2-CHECK-FAIL <check> ...".
l2_modules
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1042 ] && dev=$d
done
vndr=0
[ -n "$dev" ] && vndr=$(pci_cap_count "$dev" 9)	# vendor-specific
drv=$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)
if [ "$vndr" -ge 4 ] && [ "$drv" = virtio-pci ]; then
	echo "L2-VFIO caps ok ${dev##*/}: $vndr vendor-specific capabilities, driver $drv"
else
	echo "L2-CHECK-FAIL caps: ${dev:-no 1af4:1042}: $vndr vendor-specific capabilities, driver '${drv:-none}'"
fi
want=$(param lab.md5)
got=$(head -c 4194304 /dev/vda 2>/dev/null | md5sum | cut -d' ' -f1)
if [ -b /dev/vda ] && [ "$got" = "$want" ]; then
	echo "L2-VFIO vblk-read ok md5=$got"
else
	echo "L2-CHECK-FAIL vblk-read: md5 of /dev/vda '$got', wanted '$want'"
fi
grep virtio /proc/interrupts | sed 's/  */ /g'
vq=$(grep -E 'virtio[0-9]+-(config|req)' /proc/interrupts | grep -E 'ITS(-PCI)?-MSI')
cnt=$(echo "$vq" | awk '{ s += $2 } END { print s + 0 }')
if [ "$cnt" -gt 0 ]; then
	echo "L2-VFIO vblk-irq ok $(echo "$vq" | grep -c .) MSI-X vectors on the ITS, $cnt interrupts"
else
	echo "L2-CHECK-FAIL vblk-irq: no counting virtio MSI-X vector on the ITS"
fi
