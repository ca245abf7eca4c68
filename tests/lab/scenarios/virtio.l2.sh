# L2 side of lab scenario "virtio" (sourced by l2/init): loads the modules in
# /lab/modules.order (the virtio ones, from LKVM_LAB_L2_MODULES="virtio_pci
# virtio_blk virtio_console virtio_rng"), then checks vda/vdb/hwrng/hvc0 and
# prints "L2-VIRTIO <check> ok" or "L2-CHECK-FAIL <check> ...".
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" || echo "L2-CHECK-FAIL insmod $m"
done
i=0
while [ ! -b /dev/vdb ] || [ ! -c /dev/hvc0 ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
ls /sys/bus/virtio/devices/ 2>/dev/null | tr '\n' ' '; echo
want=$(param lab.md5)
got=$(head -c 4194304 /dev/vda | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "L2-VIRTIO blk-read ok"
else
	echo "L2-CHECK-FAIL blk-read: md5 of /dev/vda '$got', wanted '$want'"
fi
pat=$(param lab.pattern)
if printf '%s' "$pat" | dd of=/dev/vda bs=512 seek=8192 conv=sync,fsync 2>/dev/null; then
	echo "L2-VIRTIO blk-write ok"
else
	echo "L2-CHECK-FAIL blk-write: dd to /dev/vda failed"
fi
want=$(param lab.romd5)
got=$(md5sum < /dev/vdb | cut -d' ' -f1)
ro=$(cat /sys/block/vdb/ro 2>/dev/null)
if dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null; then
	echo "L2-CHECK-FAIL blk-ro: writing /dev/vdb succeeded"
elif [ "$ro" != 1 ] || [ "$got" != "$want" ]; then
	echo "L2-CHECK-FAIL blk-ro: ro=$ro md5 '$got', wanted '$want'"
else
	echo "L2-VIRTIO blk-ro ok"
fi
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
n=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)
case "$cur" in
virtio_rng*)
	if [ "$n" = 64 ]; then echo "L2-VIRTIO rng ok"
	else echo "L2-CHECK-FAIL rng: read $n bytes from /dev/hwrng"; fi ;;
*)	echo "L2-CHECK-FAIL rng: rng_current is '$cur'" ;;
esac
if [ -c /dev/hvc0 ]; then
	echo "L2-HVC-$(echo OK)" > /dev/hvc0
else
	echo "L2-CHECK-FAIL console: no /dev/hvc0"
fi
# Interrupts: the modern driver names per-queue MSI-X vectors "virtioN-<vq>".
if grep -qE 'virtio[0-9]+-(config|requests|input|output)' /proc/interrupts; then
	echo "L2-VIRTIO msix ok"
else
	echo "L2-CHECK-FAIL msix: no per-queue virtio MSI-X vectors in /proc/interrupts"
fi
grep virtio /proc/interrupts | sed 's/  */ /g'
