# Lab scenario "vfio-virtio" (sourced in L1 with l1/lib.sh; runs with vfio-nvme): QEMU's
# modern-only virtio-blk-pci (1af4:1042, behind the SMMUv3) bound to vfio-pci and assigned to
# L2. L2's virtio_pci driver finds the device's structures only through its vendor-specific
# capabilities, so this is the check that lkvm passes them through; L2 (vfio-virtio.l2.sh)
# then reads 4 MiB of /dev/vda against the image's md5 with MSI-X through the ITS. Results:
# vfio-virtio-read, vfio-virtio-caps, vfio-virtio-msix, vfio-virtio.
. /lab/lib/bench.sh
. /lab/lib/vfio.sh
b=$(vfio-bind 1af4:1042 2>&1); r=$?
echo "LAB: vfio-bind: $b"
if [ $r != 0 ]; then
	lab_result vfio-virtio FAIL "virtio-blk 1af4:1042 not bound to vfio-pci: $b"
else
	bdf=${b%% *}
	echo "LAB: L1's view of $bdf: $(pci_msix_layout "/sys/bus/pci/devices/$bdf")"
	l2_boot vfio-virtio 240 "lab.scenario=vfio-virtio lab.md5=$(lab_param lab.vblk_md5)" -- \
		--vfio "$bdf" --debug
	l2_sub vfio-virtio-caps caps L2-VFIO
	l2_sub vfio-virtio-read vblk-read L2-VFIO
	l2_sub vfio-virtio-msix vblk-irq L2-VFIO
	l2_check vfio-virtio
fi
