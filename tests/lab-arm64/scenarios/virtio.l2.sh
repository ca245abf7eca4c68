# L2 side of lab scenario "virtio" (sourced by l2/init): loads virtio_pci, virtio_blk,
# virtio_console, virtio_rng (modules in Debian's arm64 6.1), checks vda/vdb/hwrng/hvc0 and the
# MSI-X vectors' irqchip, printing "L2-VIRTIO <check> ok ..." or "L2-CHECK-FAIL <check> ...".
l2_modules
i=0
while { [ ! -b /dev/vdb ] || [ ! -c /dev/hvc0 ]; } && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "L2: virtio devices: $(ls /sys/bus/virtio/devices/ 2>/dev/null | tr '\n' ' ')"
want=$(param lab.md5)
got=$(head -c 4194304 /dev/vda | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "L2-VIRTIO blk-read ok md5 of 4 MiB of /dev/vda = L1's ($got)"
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
	echo "L2-VIRTIO blk-ro ok /dev/vdb ro=1, write refused, md5 = L1's"
fi
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
n=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)
case "$cur" in
virtio_rng*)
	if [ "$n" = 64 ]; then echo "L2-VIRTIO rng ok rng_current=$cur read 64 bytes"
	else echo "L2-CHECK-FAIL rng: read $n bytes from /dev/hwrng"; fi ;;
*)	echo "L2-CHECK-FAIL rng: rng_current is '$cur'" ;;
esac
if [ -c /dev/hvc0 ]; then
	echo "L2-HVC-$(echo OK)" > /dev/hvc0
else
	echo "L2-CHECK-FAIL console: no /dev/hvc0"
fi
# The modern driver names per-queue MSI-X vectors "virtioN-<vq>"; through the ITS their chip is
# ITS-MSI (6.1; later kernels say ITS-PCI-MSI-<dev>). They must also have counted.
grep virtio /proc/interrupts | sed 's/  */ /g'
vq=$(grep -E 'virtio[0-9]+-(config|requests|input|output|req)' /proc/interrupts)
its=$(echo "$vq" | grep -cE 'ITS(-PCI)?-MSI')
cnt=$(echo "$vq" | grep -E 'ITS(-PCI)?-MSI' | awk '{ s += $2 } END { print s + 0 }')
if [ "$its" -gt 0 ] && [ "$cnt" -gt 0 ]; then
	echo "L2-VIRTIO msix ok $its per-queue MSI-X vectors on ITS-MSI, $cnt interrupts"
else
	echo "L2-CHECK-FAIL msix: per-queue virtio vectors on ITS-MSI: $its, interrupts $cnt"
fi
