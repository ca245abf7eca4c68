# Lab scenario "virtio-intx" (sourced in L1 with l1/lib.sh): L2 with --irqchip=gicv3 (no ITS,
# so no MSI controller in the device tree) and one virtio-blk disk: virtio-pci falls back to
# INTx (GICv3 SPIs) and L2 still reads the disk's md5. Results: virtio-intx-read, virtio-intx.
D=/tmp/virtio-intx
mkdir -p $D
dd if=/dev/urandom of=$D/data.img bs=1M count=4 2>/dev/null
sum=$(md5sum < $D/data.img | cut -d' ' -f1)
l2_boot virtio-intx 180 "lab.scenario=virtio-intx lab.md5=$sum" -- --irqchip=gicv3 -d $D/data.img
l2_sub virtio-intx-read blk-read L2-VIRTIO
l2_sub virtio-intx-irq intx L2-VIRTIO
l2_check virtio-intx
rm -rf $D
