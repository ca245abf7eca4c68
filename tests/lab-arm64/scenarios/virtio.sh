# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two virtio-blk disks
# made here (data.img read-write, random; ro.img with ,ro), --rng and --console virtio. L2
# (virtio.l2.sh) checks both disks' md5, writes a pattern to data.img, fails to write ro.img,
# reads /dev/hwrng, writes a marker to /dev/hvc0 and looks for MSI-X vectors through the ITS;
# L1 then finds the pattern in data.img. Results: virtio-blk-read, virtio-blk-write,
# virtio-blk-ro, virtio-rng, virtio-console, virtio-msix-its, virtio.
D=/tmp/virtio
PATTERN=LKVM-ARM64-PATTERN-0123456789
mkdir -p $D
dd if=/dev/urandom of=$D/data.img bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=$D/ro.img bs=1M count=1 2>/dev/null
sum=$(head -c 4194304 $D/data.img | md5sum | cut -d' ' -f1)
rosum=$(md5sum < $D/ro.img | cut -d' ' -f1)
l2_boot virtio 180 "console=ttyS0 lab.scenario=virtio lab.md5=$sum lab.romd5=$rosum lab.pattern=$PATTERN" -- \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro

l2_sub virtio-blk-read blk-read L2-VIRTIO
l2_sub virtio-blk-ro blk-ro L2-VIRTIO
l2_sub virtio-rng rng L2-VIRTIO
l2_sub virtio-msix-its msix L2-VIRTIO
# The marker is written to /dev/hvc0 only: it reaches lkvm's stdout through virtio-console.
if grep -q 'L2-HVC-OK' "$L2_LOG"; then
	lab_result virtio-console PASS "marker written to /dev/hvc0 reached lkvm's stdout"
else
	lab_result virtio-console FAIL "no L2-HVC-OK from /dev/hvc0"
fi
got=$(dd if=$D/data.img bs=512 skip=8192 count=1 2>/dev/null | head -c ${#PATTERN})
if [ "$got" = "$PATTERN" ] && grep -q 'L2-VIRTIO blk-write ok' "$L2_LOG"; then
	lab_result virtio-blk-write PASS "pattern written by L2 found in data.img after lkvm exited"
else
	lab_result virtio-blk-write FAIL "data.img sector 8192 holds '$got', wanted $PATTERN"
fi
l2_check virtio
rm -rf $D
