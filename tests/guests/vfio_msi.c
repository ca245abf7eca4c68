/* Test guest "vfio_msi": MSI with per-vector masking on an assigned I350-like
 * function (8086:1521) of the test VMM's simulated VFIO kernel: live
 * delivery, the pending bit while masked, exactly one message on unmask. */
#include "guest.h"

#define VENDOR_DEVICE	0x15218086
#define CAP_MSI		0x05
#define MSI_ENABLE	0x1
#define MSI_64BIT	0x80
#define MSI_MASKBIT	0x100
#define DB_OFF		0x1000		/* the sim's doorbell in BAR0 */
#define DB_MSI		0x20000000u
#define VEC_MSI		0x52

static volatile int irqs;
static int ok = 1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST vfio_msi: check failed: %s\n", what);
	ok = 0;
}

static void on_msi(struct intr_frame *f)
{
	irqs++;
	lapic_eoi();
}

static int wait_pending(int slot, int cap, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (!(pci_cfg_read32(slot, cap + 0x14) & 1) && time_us() < end)
		cpu_relax();
	return pci_cfg_read32(slot, cap + 0x14) & 1;
}

void guest_main(void)
{
	int slot, cap;
	u64 bar0;
	u16 flags;

	idt_set_handler(VEC_MSI, on_msi);
	lapic_enable();
	slot = pci_find_slot(VENDOR_DEVICE);
	check(slot > 0, "no 8086:1521 on bus 0");
	if (slot <= 0)
		goto out;
	cap = pci_find_cap(slot, CAP_MSI);
	flags = cap ? pci_cfg_read16(slot, cap + 2) : 0;
	bar0 = pci_cfg_read32(slot, 0x10) & ~0xfu;
	printf("GUEST vfio_msi slot=%d cap=%x flags=%x bar0=%lx\n", slot, cap,
	       flags, bar0);
	check(cap && (flags & MSI_64BIT) && (flags & MSI_MASKBIT),
	      "64-bit maskable MSI");
	if (!cap)
		goto out;
	pci_cfg_write16(slot, 0x04, 0x6);	/* memory, bus master */
	pci_cfg_write32(slot, cap + 4, 0xfee00000u);
	pci_cfg_write32(slot, cap + 8, 0);
	pci_cfg_write16(slot, cap + 0xc, VEC_MSI);
	pci_cfg_write32(slot, cap + 0x10, 0);	/* vector 0 unmasked */
	pci_cfg_write16(slot, cap + 2, flags | MSI_ENABLE);
	asm volatile("sti");

	sim_ring(bar0 + DB_OFF, DB_MSI | 0);
	wait_count(&irqs, 1, 2000);
	printf("GUEST vfio_msi live irqs=%d\n", irqs);
	check(irqs == 1, "live MSI: one interrupt");

	pci_cfg_write32(slot, cap + 0x10, 1);
	sim_ring(bar0 + DB_OFF, DB_MSI | 0);
	check(wait_pending(slot, cap, 2000),
	      "pending bit not set while masked");
	mdelay(20);
	printf("GUEST vfio_msi masked irqs=%d pending=%x\n", irqs,
	       pci_cfg_read32(slot, cap + 0x14));
	check(irqs == 1, "interrupt while masked");

	pci_cfg_write32(slot, cap + 0x10, 0);
	wait_count(&irqs, 2, 2000);
	mdelay(50);
	printf("GUEST vfio_msi unmasked irqs=%d pending=%x\n", irqs,
	       pci_cfg_read32(slot, cap + 0x14));
	check(irqs == 2 && !(pci_cfg_read32(slot, cap + 0x14) & 1),
	      "unmask: exactly one interrupt, pending clear");
	pci_cfg_write16(slot, cap + 2, flags);
	asm volatile("cli");
out:
	printf("GUEST vfio_msi %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
