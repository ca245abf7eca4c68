/* Test guest "vfio_msix": drives an assigned QEMU-nvme-like device backed by
 * the test VMM's simulated VFIO kernel: MSI-X live/masked/unmasked delivery
 * via the sim's doorbell, the PBA, a register next to the table, and INTx. */
#include "guest.h"

#define VENDOR_DEVICE	0x00101b36	/* QEMU nvme */
#define CMD_MEM		0x2
#define CMD_MASTER	0x4
#define CMD_INTX_DIS	0x400
#define CAP_MSIX	0x11
#define MSIX_ENABLE	0x8000
#define MSIX_MASKALL	0x4000

/* the sim's doorbell and a scratch register, in BAR0 below the table */
#define DB_OFF		0x1000
#define SCRATCH_OFF	0x1ff0
#define DB_MSIX		0x10000000u
#define DB_INTX		0x30000000u

#define VEC_MSIX	0x50
#define VEC_INTX	0x51
#define IOAPIC		0xfec00000UL
#define NEW_BAR0	0xc0800000u

static volatile int msix_irqs, intx_irqs;
static int ok = 1;
static int slot = -1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST vfio: check failed: %s\n", what);
	ok = 0;
}

static void on_msix(struct intr_frame *f)
{
	msix_irqs++;
	lapic_eoi();
}

static void on_intx(struct intr_frame *f)
{
	intx_irqs++;
	lapic_eoi();	/* level: EOI -> KVM resample -> VFIO unmask */
}

static int wait_bit(u64 addr, u32 bit, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (!(mmio_read32(addr) & bit) && time_us() < end)
		cpu_relax();
	return !!(mmio_read32(addr) & bit);
}

static void msix_phase(u64 bar0)
{
	int cap = pci_find_cap(slot, CAP_MSIX);
	u32 tbl, pba, nvec;
	u64 t, p;
	u16 ctrl;

	check(cap != 0, "no MSI-X capability");
	if (!cap)
		return;
	ctrl = pci_cfg_read16(slot, cap + 2);
	tbl = pci_cfg_read32(slot, cap + 4);
	pba = pci_cfg_read32(slot, cap + 8);
	nvec = (ctrl & 0x7ff) + 1;
	t = pci_bar_addr(slot, tbl & 7) + (tbl & ~7u);
	p = pci_bar_addr(slot, pba & 7) + (pba & ~7u);
	printf("GUEST vfio msix cap=%x vectors=%u table=bar%u+%x pba=bar%u+%x\n",
	       cap, nvec, tbl & 7, tbl & ~7u, pba & 7, pba & ~7u);
	check(nvec == 65, "65 MSI-X vectors");
	check((mmio_read32(t + 12) & 1) == 1, "vector 0 masked after reset");

	pci_cfg_write16(slot, cap + 2, MSIX_ENABLE | MSIX_MASKALL);
	mmio_write32(t + 0, 0xfee00000u);
	mmio_write32(t + 4, 0);
	mmio_write32(t + 8, VEC_MSIX);
	mmio_write32(t + 12, 0);
	check(mmio_read32(t + 8) == VEC_MSIX, "table entry data read back");
	pci_cfg_write16(slot, cap + 2, MSIX_ENABLE);

	/* live: the sim writes vector 0's eventfd -> irqfd -> guest */
	sim_ring(bar0 + DB_OFF, DB_MSIX | 0);
	wait_count(&msix_irqs, 1, 10000);
	printf("GUEST vfio msix live irqs=%d\n", msix_irqs);
	check(msix_irqs == 1, "live vector: one interrupt");

	/* masked: no interrupt, the PBA bit latches */
	mmio_write32(t + 12, 1);
	sim_ring(bar0 + DB_OFF, DB_MSIX | 0);
	check(wait_bit(p, 1, 2000), "PBA bit 0 not set while masked");
	mdelay(20);
	printf("GUEST vfio msix masked irqs=%d pba=%x\n", msix_irqs,
	       mmio_read32(p));
	check(msix_irqs == 1, "interrupt while masked");

	/* unmask: exactly one delivery, PBA clear */
	mmio_write32(t + 12, 0);
	wait_count(&msix_irqs, 2, 10000);
	mdelay(50);
	printf("GUEST vfio msix unmasked irqs=%d pba=%x\n", msix_irqs,
	       mmio_read32(p));
	check(msix_irqs == 2, "unmask: exactly one interrupt");
	check(!(mmio_read32(p) & 1), "PBA bit 0 still set after unmask");

	/* function mask works the same way */
	pci_cfg_write16(slot, cap + 2, MSIX_ENABLE | MSIX_MASKALL);
	sim_ring(bar0 + DB_OFF, DB_MSIX | 0);
	check(wait_bit(p, 1, 2000), "PBA bit 0 not set under function mask");
	check(msix_irqs == 2, "interrupt under function mask");
	pci_cfg_write16(slot, cap + 2, MSIX_ENABLE);
	wait_count(&msix_irqs, 3, 10000);
	mdelay(20);
	printf("GUEST vfio msix funcmask irqs=%d\n", msix_irqs);
	check(msix_irqs == 3, "function unmask: exactly one interrupt");

	/* live again after all that */
	sim_ring(bar0 + DB_OFF, DB_MSIX | 0);
	wait_count(&msix_irqs, 4, 10000);
	check(msix_irqs == 4, "live again");
	pci_cfg_write16(slot, cap + 2, 0);
	printf("GUEST vfio msix done irqs=%d\n", msix_irqs);
}

static void ioapic_route(int pin, u8 vec)
{
	mmio_write32(IOAPIC, 0x10 + 2 * pin + 1);
	mmio_write32(IOAPIC + 0x10, 0);			/* APIC 0 */
	mmio_write32(IOAPIC, 0x10 + 2 * pin);
	mmio_write32(IOAPIC + 0x10, vec | 1u << 15);	/* level, high */
}

static void intx_phase(u64 bar0)
{
	int pin = pci_cfg_read8(slot, 0x3c);

	printf("GUEST vfio intx pin=%d line=%d\n", pci_cfg_read8(slot, 0x3d),
	       pin);
	check(pci_cfg_read8(slot, 0x3d) == 1 && pin >= 16 && pin < 24,
	      "INTx line");
	ioapic_route(pin, VEC_INTX);
	sim_ring(bar0 + DB_OFF, DB_INTX);
	wait_count(&intx_irqs, 1, 10000);
	/* a second one needs the resample (EOI) to unmask the line */
	sim_ring(bar0 + DB_OFF, DB_INTX);
	wait_count(&intx_irqs, 2, 10000);
	/* two rings back to back: the second waits for the first's EOI */
	sim_ring(bar0 + DB_OFF, DB_INTX);
	sim_ring(bar0 + DB_OFF, DB_INTX);
	wait_count(&intx_irqs, 4, 10000);
	mdelay(20);
	printf("GUEST vfio intx irqs=%d\n", intx_irqs);
	check(intx_irqs == 4, "INTx: four level interrupts with resample");
}

void guest_main(void)
{
	u64 bar0;
	u32 v;

	idt_set_handler(VEC_MSIX, on_msix);
	idt_set_handler(VEC_INTX, on_intx);
	lapic_enable();
	slot = pci_find_slot(VENDOR_DEVICE);
	printf("GUEST vfio device slot=%d\n", slot);
	check(slot > 0, "no 1b36:0010 on bus 0");
	if (slot <= 0)
		goto out;
	bar0 = pci_bar_addr(slot, 0);
	printf("GUEST vfio bar0=%lx class=%x\n", bar0,
	       pci_cfg_read32(slot, 8) >> 8);
	check(bar0 != 0, "BAR0 unassigned");
	pci_cfg_write16(slot, 0x04, CMD_MEM | CMD_MASTER);

	/* a device register in the page that holds the MSI-X table */
	mmio_write32(bar0 + SCRATCH_OFF, 0x5a5aa5a5);
	v = mmio_read32(bar0 + SCRATCH_OFF);
	mmio_write32(bar0 + SCRATCH_OFF, 0x12345678);
	printf("GUEST vfio scratch %x %x\n", v, mmio_read32(bar0 + SCRATCH_OFF));
	check(v == 0x5a5aa5a5 && mmio_read32(bar0 + SCRATCH_OFF) == 0x12345678,
	      "scratch register round trip");

	/* move BAR0: memslots and traps follow, the old range goes dead */
	pci_cfg_write32(slot, 0x10,
			NEW_BAR0 | (pci_cfg_read32(slot, 0x10) & 0xf));
	v = mmio_read32(bar0 + SCRATCH_OFF);
	bar0 = pci_bar_addr(slot, 0);
	printf("GUEST vfio moved bar0=%lx scratch=%x old=%x\n", bar0,
	       mmio_read32(bar0 + SCRATCH_OFF), v);
	check(bar0 == NEW_BAR0 && v == 0xffffffff &&
	      mmio_read32(bar0 + SCRATCH_OFF) == 0x12345678, "BAR0 move");

	asm volatile("sti");
	msix_phase(bar0);
	intx_phase(bar0);
	asm volatile("cli");
out:
	printf("GUEST vfio %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
