# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two virtio-blk disks
# (tests/lab-lib/virtio.sh: data.img read-write, ro.img with ,ro), --rng, --console virtio and
# two --9p shares (virtio_9p_shares: labshare read-write, labro ,ro; L2 runs
# virtio_9p_l2_checks, results virtio-9p-read/-ops/-ro/-escape/-write).
# L2 (virtio.l2.sh) checks both disks' md5, writes a pattern to data.img, fails to write
# ro.img, reads /dev/hwrng, writes a marker to /dev/hvc0 and finds per-queue MSI-X vectors;
# L1 then finds the pattern in data.img. Results: virtio-blk-read, virtio-blk-write,
# virtio-blk-ro, virtio-rng, virtio-msix, virtio-console, virtio. A second, short L2 boots
# with its root on 9p (virtio_9p_root: virtio-9p-root).
. /lab/lib/virtio.sh
. /lab/lib/vsock.sh	# vsock: virtio-vsock, virtio-vsock-cid-taken
D=/tmp/virtio
virtio_disks $D
virtio_9p_shares $D
vsock_l1_start
l2_run virtio 240 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 1 \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro $VIRTIO_9P_ARGS $VSOCK_LKVM_ARGS \
	-p "$L2_APPEND lab.scenario=virtio $VIRTIO_L2_PARAMS lab.end=poweroff"
virtio_results $D virtio-msix
virtio_9p_results $D
vsock_results
virtio_9p_root $D virtio-9p-root
rm -rf $D
