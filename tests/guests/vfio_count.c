/* Test guest "vfio_count": enables MSI-X vector 0 of the test VMM's
 * simulated nvme, then counts: each line rings the sim's doorbell and waits
 * for the interrupt, so the snapshot tests see a restored VM's assigned
 * device still interrupt it (MSI-X table, enable and routes restored). */
#include "guest.h"

#define VENDOR_DEVICE	0x00101b36	/* QEMU nvme */
#define CMD_MEM		0x2
#define CMD_MASTER	0x4
#define CAP_MSIX	0x11
#define MSIX_ENABLE	0x8000
#define DB_OFF		0x1000
#define DB_MSIX		0x10000000u
#define VEC_MSIX	0x50

static volatile int irqs;

static void on_msix(struct intr_frame *f)
{
	irqs++;
	lapic_eoi();
}

/* Vector 0 to this CPU, then MSI-X on; returns BAR0, or 0. */
static u64 setup(int slot)
{
	int cap = pci_find_cap(slot, CAP_MSIX);
	u32 tbl = pci_cfg_read32(slot, cap + 4);
	u64 bar0 = pci_bar_addr(slot, 0), t;

	if (!cap || !bar0)
		return 0;
	pci_cfg_write16(slot, 0x04, CMD_MEM | CMD_MASTER);
	t = pci_bar_addr(slot, tbl & 7) + (tbl & ~7u);
	mmio_write32(t + 0, 0xfee00000u);
	mmio_write32(t + 4, 0);
	mmio_write32(t + 8, VEC_MSIX);
	mmio_write32(t + 12, 0);
	pci_cfg_write16(slot, cap + 2, MSIX_ENABLE);
	return bar0;
}

void guest_main(void)
{
	int slot, n = 0, want;
	u64 bar0;

	idt_set_handler(VEC_MSIX, on_msix);
	lapic_enable();
	slot = pci_find_slot(VENDOR_DEVICE);
	bar0 = slot > 0 ? setup(slot) : 0;
	printf("GUEST vfio_count start slot=%d bar0=%lx\n", slot, bar0);
	if (!bar0)
		poweroff();
	asm volatile("sti");
	for (;;) {
		want = irqs + 1;
		sim_ring(bar0 + DB_OFF, DB_MSIX | 0);
		wait_count(&irqs, want, 5000);
		printf("GUEST vfio_count %d irqs=%d\n", ++n, irqs);
		mdelay(100);
	}
}
