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

# virtio_9p_shares DIR: DIR/share (data.bin, 1 MiB random; up -> ../secret and abs -> DIR/secret,
# symlinks that lead out) given read-write as tag labshare and DIR/roshare (ro.bin) given ,ro as
# tag labro, DIR/secret beside them; sets VIRTIO_9P_ARGS (lkvm options) and adds L2's
# lab.p9md5= and lab.p9romd5= to VIRTIO_L2_PARAMS.
virtio_9p_shares() {
	mkdir -p "$1/share" "$1/roshare"
	dd if=/dev/urandom of="$1/share/data.bin" bs=64k count=16 2>/dev/null
	dd if=/dev/urandom of="$1/roshare/ro.bin" bs=64k count=1 2>/dev/null
	echo LKVM-SECRET-OUTSIDE > "$1/secret"
	ln -sf ../secret "$1/share/up"
	ln -sf "$1/secret" "$1/share/abs"
	VIRTIO_9P_ARGS="--9p $1/share,labshare --9p $1/roshare,labro,ro"
	VIRTIO_L2_PARAMS="$VIRTIO_L2_PARAMS lab.p9md5=$(md5sum < "$1/share/data.bin" | cut -d' ' -f1)"
	VIRTIO_L2_PARAMS="$VIRTIO_L2_PARAMS lab.p9romd5=$(md5sum < "$1/roshare/ro.bin" | cut -d' ' -f1)"
}

# virtio_9p_results DIR: after the L2 run: virtio-9p-read, -ops, -ro, -escape (L2's
# virtio_9p_l2_checks lines) and virtio-9p-write: L2's copy of data.bin is in DIR/share with
# the same md5, the ro share holds only ro.bin, the secret is unchanged.
virtio_9p_results() {
	l2_sub virtio-9p-read 9p-read L2-VIRTIO
	l2_sub virtio-9p-ops 9p-ops L2-VIRTIO
	l2_sub virtio-9p-ro 9p-ro L2-VIRTIO
	l2_sub virtio-9p-escape 9p-escape L2-VIRTIO
	_a=$(md5sum < "$1/share/data.bin" | cut -d' ' -f1)
	_b=$(md5sum < "$1/share/copy.bin" 2>/dev/null | cut -d' ' -f1)
	_ro=$(ls "$1/roshare" | tr '\n' ' ')
	_t=$(sed -n 's/.*L2-VIRTIO 9p-time \([0-9.]*\).*/\1/p' "$L2_LOG" | head -n 1)
	if [ "$_a" = "$_b" ] && [ "$_ro" = "ro.bin " ] &&
		[ "$(cat "$1/secret")" = LKVM-SECRET-OUTSIDE ]; then
		lab_result virtio-9p-write PASS "L2's copy.bin in the share after lkvm exited, md5 $_b; ro share untouched; 9p checks took ${_t:-?}s in L2"
	else
		lab_result virtio-9p-write FAIL "copy.bin md5 '$_b', wanted '$_a'; ro share holds '$_ro'"
	fi
}

# virtio_9p_root DIR NAME: a second L2 boots with its root on 9p, as kvmtool users boot a
# host directory (`-p "root=TAG rootfstype=9p rootflags=trans=virtio,version=9p2000.L rw"`):
# DIR/root9p holds L1's busybox and a /sbin/init that prints L2-9PROOT-OK with its root
# mount, writes /written and powers off (l2.sh's l2_root_9p switches to it). Result NAME:
# root mounted from the share, L1 finds /written, lkvm exit 0.
virtio_9p_root() {
	_r=$1/root9p
	mkdir -p "$_r/bin" "$_r/sbin" "$_r/proc"
	cp /bin/busybox "$_r/bin/busybox"
	cat > "$_r/sbin/init" <<'EOT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "L2-9PROOT-OK root: $(/bin/busybox awk '$2 == "/" { r = $1 " " $3 } END { print r }' /proc/mounts)"
echo written-by-l2 > /written
/bin/busybox sync
/bin/busybox poweroff -f
EOT
	chmod 755 "$_r/sbin/init"
	l2_run "$2" 120 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 256 --9p "$_r,root9p" \
		-p "$L2_APPEND root=root9p rootfstype=9p rootflags=trans=virtio,version=9p2000.L rw"
	_w=$(cat "$_r/written" 2>/dev/null)
	if grep -q "L2-9PROOT-OK root: root9p 9p" "$L2_LOG" && [ "$_w" = written-by-l2 ] &&
		[ "$L2_RC" = 0 ]; then
		lab_result "$2" PASS "$(grep -m 1 -o 'L2-9PROOT-OK.*' "$L2_LOG"); /written in the share; lkvm exit 0 after ${L2_SECS}s"
	else
		lab_result "$2" FAIL "lkvm exit $L2_RC; /written '$_w'; L2: $(grep -m 2 -E 'L2-9PROOT-OK|L2-CHECK-FAIL' "$L2_LOG" | tr '\n' ' ')$(tail -n 3 "$L2_LOG" | tr '\n' ' ')"
	fi
}
