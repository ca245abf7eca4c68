# Lab scenario "vfio-e1000e" (sourced in L1 with l1/lib.sh): binds QEMU's e1000e (8086:10d3:
# memory BARs 0, 1, 3 with MSI-X in BAR3, an I/O BAR2 and a ROM) to vfio-pci and boots L2
# with it; L2 (vfio-e1000e.l2.sh) loads e1000e, brings eth0 up and checks the carrier and
# MSI-X interrupts counting. Results: vfio-e1000e-link, vfio-e1000e-msix, vfio-e1000e.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
if vfio_l2 vfio-e1000e 8086 10d3 vfio-e1000e; then
	vfio_sub vfio-e1000e-link e1000e-link
	vfio_sub vfio-e1000e-msix e1000e-irq
	echo "LAB: lkvm counters: $(vfio_counters)"
	l2_check vfio-e1000e
fi
