# L2 side of lab scenario "virtio" (sourced by l2/init): loads virtio_pci, virtio_blk,
# virtio_console, virtio_rng (modules in Debian's arm64 6.1), then virtio_l2_checks
# (tests/lab-lib/l2.sh): vda/vdb/hwrng/hvc0 and per-queue MSI-X vectors through the ITS (chip
# ITS-MSI in 6.1; later kernels say ITS-PCI-MSI-<dev>).
l2_modules
virtio_l2_checks 'ITS(-PCI)?-MSI'
