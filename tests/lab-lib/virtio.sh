# L1 side of the "virtio" scenarios both labs share, sourced after l1.sh: the two disks L2
# gets (random data.img read-write, ro.img given with ,ro) and the verdicts on L2's
# virtio_l2_checks output (l2.sh) and on the pattern L2 wrote into data.img.
# shellcheck shell=sh

VIRTIO_PATTERN=LKVM-PATTERN-0123456789

# virtio_disks DIR: makes DIR/data.img (8 MiB) and DIR/ro.img (1 MiB) and sets
# VIRTIO_L2_PARAMS, L2's lab.md5=, lab.romd5= and lab.pattern=.
virtio_disks() {
	mkdir -p "$1"
	dd if=/dev/urandom of="$1/data.img" bs=1M count=8 2>/dev/null
	dd if=/dev/urandom of="$1/ro.img" bs=1M count=1 2>/dev/null
	VIRTIO_L2_PARAMS="lab.md5=$(head -c 4194304 "$1/data.img" | md5sum | cut -d' ' -f1)"
	VIRTIO_L2_PARAMS="$VIRTIO_L2_PARAMS lab.romd5=$(md5sum < "$1/ro.img" | cut -d' ' -f1)"
	VIRTIO_L2_PARAMS="$VIRTIO_L2_PARAMS lab.pattern=$VIRTIO_PATTERN"
}

# virtio_results DIR MSIX-RESULT: after the L2 run of scenario "virtio": virtio-blk-read,
# -blk-ro, -rng, MSIX-RESULT, virtio-console (the marker reached lkvm's stdout through
# /dev/hvc0 only), virtio-blk-write (the pattern is in DIR/data.img) and virtio.
virtio_results() {
	l2_sub virtio-blk-read blk-read L2-VIRTIO
	l2_sub virtio-blk-ro blk-ro L2-VIRTIO
	l2_sub virtio-rng rng L2-VIRTIO
	l2_sub "$2" msix L2-VIRTIO
	if grep -q 'L2-HVC-OK' "$L2_LOG"; then
		lab_result virtio-console PASS "marker written to /dev/hvc0 reached lkvm's stdout"
	else
		lab_result virtio-console FAIL "no L2-HVC-OK from /dev/hvc0"
	fi
	_got=$(dd if="$1/data.img" bs=512 skip=8192 count=1 2>/dev/null | head -c ${#VIRTIO_PATTERN})
	if [ "$_got" = "$VIRTIO_PATTERN" ] && grep -q 'L2-VIRTIO blk-write ok' "$L2_LOG"; then
		lab_result virtio-blk-write PASS "pattern written by L2 found in data.img after lkvm exited"
	else
		lab_result virtio-blk-write FAIL "data.img sector 8192 holds '$_got', wanted $VIRTIO_PATTERN"
	fi
	l2_check virtio
}
