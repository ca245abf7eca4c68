# Lab scenario "virtio" (sourced in L1 with l1/lib.sh): one L2 boot with two virtio-blk disks
# (tests/lab-lib/virtio.sh: data.img read-write, ro.img with ,ro), --rng and --console virtio.
# L2 (virtio.l2.sh) checks both disks' md5, writes a pattern to data.img, fails to write
# ro.img, reads /dev/hwrng, writes a marker to /dev/hvc0 and finds per-queue MSI-X vectors;
# L1 then finds the pattern in data.img. Results: virtio-blk-read, virtio-blk-write,
# virtio-blk-ro, virtio-rng, virtio-msix, virtio-console, virtio.
. /lab/lib/virtio.sh
D=/tmp/virtio
virtio_disks $D
l2_run virtio 240 run -k "$L2_KERNEL" -i "$L2_INITRD" -m 512 -c 1 \
	--rng --console virtio -d $D/data.img -d $D/ro.img,ro \
	-p "$L2_APPEND lab.scenario=virtio $VIRTIO_L2_PARAMS lab.end=poweroff"
virtio_results $D virtio-msix
rm -rf $D
