# L2 side of lab scenario "virtio" (sourced by l2/init): loads the modules in
# /lab/modules.order (virtio_pci, virtio_blk, virtio_console, virtio_rng from
# scenarios/virtio.l2modules), then virtio_l2_checks (tests/lab-lib/l2.sh): vda/vdb/hwrng/hvc0
# and per-queue MSI-X vectors on any MSI irqchip.
for m in $(cat /lab/modules.order); do
	insmod "/lib/modules/lab/$m.ko" || echo "L2-CHECK-FAIL insmod $m"
done
. /lab/lib/vsock.sh
vsock_l2_serve
virtio_l2_checks 'MSI'
virtio_9p_l2_checks
vsock_l2_wait
