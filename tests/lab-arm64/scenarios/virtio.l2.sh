# L2 side of lab scenario "virtio" (sourced by l2/init): loads virtio_pci, virtio_blk,
# virtio_console, virtio_rng, 9p and vsock (modules in Debian's arm64 6.1), serves vsock echo
# (tests/lab-lib/vsock.sh), then virtio_l2_checks
# (tests/lab-lib/l2.sh): vda/vdb/hwrng/hvc0 and per-queue MSI-X vectors through the ITS (chip
# ITS-MSI in 6.1; later kernels say ITS-PCI-MSI-<dev>).
l2_modules
. /lab/lib/vsock.sh
vsock_l2_serve
virtio_l2_checks 'ITS(-PCI)?-MSI'
virtio_9p_l2_checks
vsock_l2_wait
