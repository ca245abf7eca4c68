# Lab scenario "vfio-intx" (sourced in L1 with l1/lib.sh): the nvme of vfio-nvme again, with
# pci=nomsi on L2's command line, so nvme runs on INTx: level-triggered through the IOAPIC
# with a KVM irqfd + resamplefd and VFIO's unmask eventfd. L2 reads 4 MiB (md5 checked) and
# finds nvme's IO-APIC line counting. Results: vfio-intx-irq, vfio-intx-irqcount
# (the host kernel counted at least as many INTx as L2), vfio-intx.
VFIO_LIB_ONLY=1 . /lab/scenarios/vfio-nvme.sh
if vfio_l2 vfio-intx 1b36 0010 vfio-nvme "lab.md5=$(lab_param lab.nvme_md5)" \
	pci=nomsi lab.intx=1; then
	vfio_sub vfio-intx-irq nvme-irq
	. /lab/lib/bench.sh
	. /lab/lib/vfio.sh
	vfio_irq_check vfio-intx-irqcount INTx
	echo "LAB: lkvm counters: $(vfio_counters)"
	l2_check vfio-intx
fi
