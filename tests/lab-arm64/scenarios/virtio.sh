# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two virtio-blk disks
# (tests/lab-lib/virtio.sh: data.img read-write, ro.img with ,ro), --rng and --console virtio.
# L2 (virtio.l2.sh) checks both disks' md5, writes a pattern to data.img, fails to write
# ro.img, reads /dev/hwrng, writes a marker to /dev/hvc0 and looks for MSI-X vectors through
# the ITS; L1 then finds the pattern in data.img. Results: virtio-blk-read, virtio-blk-write,
# virtio-blk-ro, virtio-rng, virtio-console, virtio-msix-its, virtio.
. /lab/lib/virtio.sh
D=/tmp/virtio
virtio_disks $D
l2_boot virtio 180 "console=ttyS0 lab.scenario=virtio $VIRTIO_L2_PARAMS" -- \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro
virtio_results $D virtio-msix-its
rm -rf $D
