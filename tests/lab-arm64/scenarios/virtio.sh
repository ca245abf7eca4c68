# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two virtio-blk disks
# (tests/lab-lib/virtio.sh: data.img read-write, ro.img with ,ro), --rng, --console virtio and
# two --9p shares (virtio_9p_shares: labshare read-write, labro ,ro; L2 runs
# virtio_9p_l2_checks, results virtio-9p-read/-ops/-ro/-escape/-write).
# L2 (virtio.l2.sh) checks both disks' md5, writes a pattern to data.img, fails to write
# ro.img, reads /dev/hwrng, writes a marker to /dev/hvc0 and looks for MSI-X vectors through
# the ITS; L1 then finds the pattern in data.img. Results: virtio-blk-read, virtio-blk-write,
# virtio-blk-ro, virtio-rng, virtio-console, virtio-msix-its, virtio. With --vsock (L1 needs
# vhost_vsock) L1 sends 1 MiB to L2's echo service (tests/lab-lib/vsock.sh: virtio-vsock,
# virtio-vsock-cid-taken). A second, short L2 boots with its root on 9p (virtio-9p-root).
. /lab/lib/virtio.sh
. /lab/lib/vsock.sh	# vsock: virtio-vsock, virtio-vsock-cid-taken
D=/tmp/virtio
virtio_disks $D
virtio_9p_shares $D
vsock_l1_start
l2_boot virtio 240 "console=ttyS0 lab.scenario=virtio $VIRTIO_L2_PARAMS" -- \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro $VIRTIO_9P_ARGS $VSOCK_LKVM_ARGS
virtio_results $D virtio-msix-its
virtio_9p_results $D
vsock_results
virtio_9p_root $D virtio-9p-root
rm -rf $D
