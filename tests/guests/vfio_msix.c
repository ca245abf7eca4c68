/* Test guest "vfio_msix": drives an assigned QEMU-nvme-like device backed by
 * the test VMM's simulated VFIO kernel: MSI-X live/masked/unmasked delivery
 * via the sim's doorbell, the PBA, a register next to the table, and INTx. */
#include "guest.h"

#define CONF1_ADDR	0xcf8
#define CONF1_DATA	0xcfc
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

static void conf1_sel(int reg)
{
	outl(CONF1_ADDR, 0x80000000u | slot << 11 | (reg & 0xfc));
}

static u32 cfg_read32(int reg)
{
	conf1_sel(reg);
	return inl(CONF1_DATA);
}

static u16 cfg_read16(int reg)
{
	conf1_sel(reg);
	return inw(CONF1_DATA + (reg & 2));
}

static u8 cfg_read8(int reg)
{
	conf1_sel(reg);
	return inb(CONF1_DATA + (reg & 3));
}

static void cfg_write16(int reg, u16 v)
{
	conf1_sel(reg);
	outw(CONF1_DATA + (reg & 2), v);
}

/* Address of BAR bar (memory, 32- or 64-bit). */
static u64 bar_addr(int bar)
{
	u32 lo = cfg_read32(0x10 + 4 * bar);
	u64 a = lo & ~0xfu;

	if ((lo & 0x6) == 0x4)
		a |= (u64)cfg_read32(0x14 + 4 * bar) << 32;
	return a;
}

static int find_cap(u8 id)
{
	int p = cfg_read8(0x34) & 0xfc, n = 0;

	while (p && n++ < 48) {
		if (cfg_read8(p) == id)
			return p;
		p = cfg_read8(p + 1) & 0xfc;
	}
	return 0;
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

/* Waits up to ms for *v to reach want; returns its value. */
static int wait_for(volatile int *v, int want, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (*v < want && time_us() < end)
		cpu_relax();
	return *v;
}

static int wait_bit(u64 addr, u32 bit, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (!(mmio_read32(addr) & bit) && time_us() < end)
		cpu_relax();
	return !!(mmio_read32(addr) & bit);
}

static int find_device(void)
{
	int s;

	for (s = 0; s < 32; s++) {
		outl(CONF1_ADDR, 0x80000000u | s << 11);
		if (inl(CONF1_DATA) == VENDOR_DEVICE)
			return s;
	}
	return -1;
}

static void msix_phase(u64 bar0)
{
	int cap = find_cap(CAP_MSIX);
	u32 tbl, pba, nvec;
	u64 t, p;
	u16 ctrl;

	check(cap != 0, "no MSI-X capability");
	if (!cap)
		return;
	ctrl = cfg_read16(cap + 2);
	tbl = cfg_read32(cap + 4);
	pba = cfg_read32(cap + 8);
	nvec = (ctrl & 0x7ff) + 1;
	t = bar_addr(tbl & 7) + (tbl & ~7u);
	p = bar_addr(pba & 7) + (pba & ~7u);
	printf("GUEST vfio msix cap=%x vectors=%u table=bar%u+%x pba=bar%u+%x\n",
	       cap, nvec, tbl & 7, tbl & ~7u, pba & 7, pba & ~7u);
	check(nvec == 65, "65 MSI-X vectors");
	check((mmio_read32(t + 12) & 1) == 1, "vector 0 masked after reset");

	cfg_write16(cap + 2, MSIX_ENABLE | MSIX_MASKALL);
	mmio_write32(t + 0, 0xfee00000u);
	mmio_write32(t + 4, 0);
	mmio_write32(t + 8, VEC_MSIX);
	mmio_write32(t + 12, 0);
	check(mmio_read32(t + 8) == VEC_MSIX, "table entry data read back");
	cfg_write16(cap + 2, MSIX_ENABLE);

	/* live: the sim writes vector 0's eventfd -> irqfd -> guest */
	mmio_write32(bar0 + DB_OFF, DB_MSIX | 0);
	wait_for(&msix_irqs, 1, 10000);
	printf("GUEST vfio msix live irqs=%d\n", msix_irqs);
	check(msix_irqs == 1, "live vector: one interrupt");

	/* masked: no interrupt, the PBA bit latches */
	mmio_write32(t + 12, 1);
	mmio_write32(bar0 + DB_OFF, DB_MSIX | 0);
	check(wait_bit(p, 1, 2000), "PBA bit 0 not set while masked");
	mdelay(20);
	printf("GUEST vfio msix masked irqs=%d pba=%x\n", msix_irqs,
	       mmio_read32(p));
	check(msix_irqs == 1, "interrupt while masked");

	/* unmask: exactly one delivery, PBA clear */
	mmio_write32(t + 12, 0);
	wait_for(&msix_irqs, 2, 10000);
	mdelay(50);
	printf("GUEST vfio msix unmasked irqs=%d pba=%x\n", msix_irqs,
	       mmio_read32(p));
	check(msix_irqs == 2, "unmask: exactly one interrupt");
	check(!(mmio_read32(p) & 1), "PBA bit 0 still set after unmask");

	/* function mask works the same way */
	cfg_write16(cap + 2, MSIX_ENABLE | MSIX_MASKALL);
	mmio_write32(bar0 + DB_OFF, DB_MSIX | 0);
	check(wait_bit(p, 1, 2000), "PBA bit 0 not set under function mask");
	check(msix_irqs == 2, "interrupt under function mask");
	cfg_write16(cap + 2, MSIX_ENABLE);
	wait_for(&msix_irqs, 3, 10000);
	mdelay(20);
	printf("GUEST vfio msix funcmask irqs=%d\n", msix_irqs);
	check(msix_irqs == 3, "function unmask: exactly one interrupt");

	/* live again after all that */
	mmio_write32(bar0 + DB_OFF, DB_MSIX | 0);
	wait_for(&msix_irqs, 4, 10000);
	check(msix_irqs == 4, "live again");
	cfg_write16(cap + 2, 0);
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
	int pin = cfg_read8(0x3c);

	printf("GUEST vfio intx pin=%d line=%d\n", cfg_read8(0x3d), pin);
	check(cfg_read8(0x3d) == 1 && pin >= 16 && pin < 24, "INTx line");
	ioapic_route(pin, VEC_INTX);
	mmio_write32(bar0 + DB_OFF, DB_INTX);
	wait_for(&intx_irqs, 1, 10000);
	/* a second one needs the resample (EOI) to unmask the line */
	mmio_write32(bar0 + DB_OFF, DB_INTX);
	wait_for(&intx_irqs, 2, 10000);
	/* two rings back to back: the second waits for the first's EOI */
	mmio_write32(bar0 + DB_OFF, DB_INTX);
	mdelay(1);
	mmio_write32(bar0 + DB_OFF, DB_INTX);
	wait_for(&intx_irqs, 4, 10000);
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
	slot = find_device();
	printf("GUEST vfio device slot=%d\n", slot);
	check(slot > 0, "no 1b36:0010 on bus 0");
	if (slot <= 0)
		goto out;
	bar0 = bar_addr(0);
	printf("GUEST vfio bar0=%lx class=%x\n", bar0, cfg_read32(8) >> 8);
	check(bar0 != 0, "BAR0 unassigned");
	conf1_sel(0x04);
	outw(CONF1_DATA, CMD_MEM | CMD_MASTER);

	/* a device register in the page that holds the MSI-X table */
	mmio_write32(bar0 + SCRATCH_OFF, 0x5a5aa5a5);
	v = mmio_read32(bar0 + SCRATCH_OFF);
	mmio_write32(bar0 + SCRATCH_OFF, 0x12345678);
	printf("GUEST vfio scratch %x %x\n", v, mmio_read32(bar0 + SCRATCH_OFF));
	check(v == 0x5a5aa5a5 && mmio_read32(bar0 + SCRATCH_OFF) == 0x12345678,
	      "scratch register round trip");

	/* move BAR0: memslots and traps follow, the old range goes dead */
	conf1_sel(0x10);
	outl(CONF1_DATA, NEW_BAR0 | (cfg_read32(0x10) & 0xf));
	v = mmio_read32(bar0 + SCRATCH_OFF);
	bar0 = bar_addr(0);
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
