/* Test guest "vfio_msi": MSI with per-vector masking on an assigned I350-like
 * function (8086:1521) of the test VMM's simulated VFIO kernel: live
 * delivery, the pending bit while masked, exactly one message on unmask. */
#include "guest.h"

#define CONF1_ADDR	0xcf8
#define CONF1_DATA	0xcfc
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
static int slot = -1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST vfio_msi: check failed: %s\n", what);
	ok = 0;
}

static void sel(int reg)
{
	outl(CONF1_ADDR, 0x80000000u | slot << 11 | (reg & 0xfc));
}

static u32 rd32(int reg)
{
	sel(reg);
	return inl(CONF1_DATA);
}

static void wr32(int reg, u32 v)
{
	sel(reg);
	outl(CONF1_DATA, v);
}

static u16 rd16(int reg)
{
	sel(reg);
	return inw(CONF1_DATA + (reg & 2));
}

static void wr16(int reg, u16 v)
{
	sel(reg);
	outw(CONF1_DATA + (reg & 2), v);
}

static u8 rd8(int reg)
{
	sel(reg);
	return inb(CONF1_DATA + (reg & 3));
}

static void on_msi(struct intr_frame *f)
{
	irqs++;
	lapic_eoi();
}

static void wait_irqs(int want, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (irqs < want && time_us() < end)
		cpu_relax();
}

static int wait_pending(int cap, u64 ms)
{
	u64 end = time_us() + ms * 1000;

	while (!(rd32(cap + 0x14) & 1) && time_us() < end)
		cpu_relax();
	return rd32(cap + 0x14) & 1;
}

static int find(void)
{
	int s;

	for (s = 0; s < 32; s++) {
		outl(CONF1_ADDR, 0x80000000u | s << 11);
		if (inl(CONF1_DATA) == VENDOR_DEVICE)
			return s;
	}
	return -1;
}

void guest_main(void)
{
	int cap = 0, n = 0;
	u64 bar0;
	u16 flags;

	idt_set_handler(VEC_MSI, on_msi);
	lapic_enable();
	slot = find();
	check(slot > 0, "no 8086:1521 on bus 0");
	if (slot <= 0)
		goto out;
	for (cap = rd8(0x34); cap && n++ < 48; cap = rd8(cap + 1))
		if (rd8(cap) == CAP_MSI)
			break;
	flags = cap ? rd16(cap + 2) : 0;
	bar0 = rd32(0x10) & ~0xfu;
	printf("GUEST vfio_msi slot=%d cap=%x flags=%x bar0=%lx\n", slot, cap,
	       flags, bar0);
	check(cap && (flags & MSI_64BIT) && (flags & MSI_MASKBIT),
	      "64-bit maskable MSI");
	if (!cap)
		goto out;
	wr16(0x04, 0x6);			/* memory, bus master */
	wr32(cap + 4, 0xfee00000u);
	wr32(cap + 8, 0);
	wr16(cap + 0xc, VEC_MSI);
	wr32(cap + 0x10, 0);			/* vector 0 unmasked */
	wr16(cap + 2, flags | MSI_ENABLE);
	asm volatile("sti");

	mmio_write32(bar0 + DB_OFF, DB_MSI | 0);
	wait_irqs(1, 2000);
	printf("GUEST vfio_msi live irqs=%d\n", irqs);
	check(irqs == 1, "live MSI: one interrupt");

	wr32(cap + 0x10, 1);
	mmio_write32(bar0 + DB_OFF, DB_MSI | 0);
	check(wait_pending(cap, 2000), "pending bit not set while masked");
	mdelay(20);
	printf("GUEST vfio_msi masked irqs=%d pending=%x\n", irqs,
	       rd32(cap + 0x14));
	check(irqs == 1, "interrupt while masked");

	wr32(cap + 0x10, 0);
	wait_irqs(2, 2000);
	mdelay(50);
	printf("GUEST vfio_msi unmasked irqs=%d pending=%x\n", irqs,
	       rd32(cap + 0x14));
	check(irqs == 2 && !(rd32(cap + 0x14) & 1),
	      "unmask: exactly one interrupt, pending clear");
	wr16(cap + 2, flags);
	asm volatile("cli");
out:
	printf("GUEST vfio_msi %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
