# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two
# virtio-blk disks made here (data.img read-write with random content, ro.img
# with ,ro), --rng and --console virtio. L2 (virtio.l2.sh) checks the md5 of
# both disks, writes a pattern to data.img, fails to write ro.img, reads
# /dev/hwrng and writes a marker to /dev/hvc0; L1 then finds the pattern in
# data.img. Needs the virtio modules in L2 (LKVM_LAB_L2_MODULES, see
# tests/lab/README or virtio.l2.sh). Results: virtio-blk-read,
# virtio-blk-write, virtio-blk-ro, virtio-rng, virtio-msix, virtio-console,
# virtio.
D=/tmp/virtio
PATTERN=LKVM-PATTERN-0123456789
mkdir -p $D
dd if=/dev/urandom of=$D/data.img bs=1M count=8 2>/dev/null
dd if=/dev/urandom of=$D/ro.img bs=1M count=1 2>/dev/null
sum=$(head -c 4194304 $D/data.img | md5sum | cut -d' ' -f1)
rosum=$(md5sum < $D/ro.img | cut -d' ' -f1)
l2_run virtio 240 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 1 \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro \
	-p "$L2_APPEND lab.scenario=virtio lab.md5=$sum lab.romd5=$rosum lab.pattern=$PATTERN lab.end=poweroff"

# virtio_sub NAME MARKER: PASS if L2 printed "L2-VIRTIO NAME ok".
virtio_sub() {
	if grep -q "L2-VIRTIO $1 ok" "$L2_LOG"; then
		lab_result "virtio-$1" PASS "$2"
	else
		lab_result "virtio-$1" FAIL "$(grep -m 1 "L2-CHECK-FAIL $1" "$L2_LOG" | sed 's/.*L2-CHECK-FAIL/L2-CHECK-FAIL/')"
	fi
}
virtio_sub blk-read "L2 read /dev/vda with the md5 made in L1"
virtio_sub blk-ro "/dev/vdb read-only, writes refused"
virtio_sub rng "/dev/hwrng gave data from virtio_rng"
virtio_sub msix "per-queue MSI-X vectors in L2's /proc/interrupts"
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
