/* Test guest "hotplug": the guest side of `lkvm vfio add|remove` on the
 * first root port (--hotplug-slots), by polling its Slot Status as pciehp
 * would act on the interrupt: the attention button with an adapter present
 * and the slot off powers it on (the added function's ids read through
 * ECAM, its BAR0 inside the port's window); pressed with the slot on, it
 * powers the slot off; presence lost is the removal (a surprise one if the
 * slot was on). The port's MSI (hotplug interrupt enabled) is counted.
 * After two removals it powers the VM off. */
#include "guest.h"

#define MCFG_BASE	44
#define SLTCAP		0x14
#define SLTCTL		0x18	/* Slot Control; Slot Status at + 2 */
#define LNKSTA		0x12
#define ABP		0x0001
#define PDC		0x0008
#define PDS		0x0040
#define ABPE		0x0001
#define PDCE		0x0008
#define IND_OFF		0x03c0	/* both indicators off */
#define OFF_CTL		(ABPE | PDCE | HPIE | IND_OFF | PCC)
#define PWR_IND_ON	0x0100
#define PCC		0x0400	/* Power Controller Control: 1 = off */
#define DLLLA		0x2000
#define HPIE		0x0020
#define VEC_HP		0x40

static u64 ecam;
static int ok = 1;
static volatile u32 hp_irqs;

static void on_hp(struct intr_frame *f)
{
	hp_irqs++;
	lapic_eoi();
}

static u64 cfg_addr(int bus, int slot, int reg)
{
	return ecam + ((u64)bus << 20) + ((u64)slot << 15) + reg;
}

static u32 rd(int bus, int slot, int reg)
{
	return mmio_read32(cfg_addr(bus, slot, reg));
}

static u16 rd16(int slot, int reg)
{
	return *(volatile u16 *)cfg_addr(0, slot, reg);
}

static void wr16(int slot, int reg, u16 v)
{
	*(volatile u16 *)cfg_addr(0, slot, reg) = v;
}

static void check(int cond, const char *what);

static void wr(int slot, int reg, u32 v)
{
	mmio_write32(cfg_addr(0, slot, reg), v);
}

/* The port's MSI to this CPU's vector VEC_HP. */
static void port_msi(int slot)
{
	int off = rd(0, slot, 0x34) & 0xfc, n;

	for (n = 0; off >= 0x40 && n < 48; n++) {
		u32 h = rd(0, slot, off);

		if ((h & 0xff) == 0x05) {
			wr(slot, off + 4, 0xfee00000u);
			wr(slot, off + 8, 0);
			wr(slot, off + 12, VEC_HP);
			wr(slot, off, h | 1 << 16);	/* MSI enable */
			return;
		}
		off = (h >> 8) & 0xfc;
	}
	check(0, "root port without MSI");
}

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST hotplug: check failed: %s\n", what);
	ok = 0;
}

static int find_port(int *e)
{
	int slot, off, n;

	for (slot = 1; slot < 32; slot++) {
		if (rd(0, slot, 0) == 0xffffffff ||
		    ((rd(0, slot, 0xc) >> 16) & 0x7f) != 1)
			continue;
		off = rd(0, slot, 0x34) & 0xfc;
		for (n = 0; off >= 0x40 && n < 48; n++) {
			u32 h = rd(0, slot, off);

			if ((h & 0xff) == 0x10) {
				*e = off;
				return slot;
			}
			off = (h >> 8) & 0xfc;
		}
	}
	return -1;
}

/* The slot is on and the link up: the function behind it. */
static void added(int slot, int bus)
{
	u32 id = rd(bus, 0, 0), cls = rd(bus, 0, 8) >> 8;
	u32 bar0 = rd(bus, 0, 0x10) & ~0xfu, w = rd(0, slot, 0x20);
	u32 base = (w & 0xfff0) << 16, limit = (w & 0xfff00000) | 0xfffff;
	u32 pw = rd(0, slot, 0x24);
	u64 pbase = ((u64)rd(0, slot, 0x28) << 32) | ((pw & 0xfff0) << 16);
	u64 plim = ((u64)rd(0, slot, 0x2c) << 32) | (pw & 0xfff00000) | 0xfffff;
	u64 b0 = bar0;

	if ((rd(bus, 0, 0x10) & 6) == 4)
		b0 |= (u64)rd(bus, 0, 0x14) << 32;
	printf("GUEST hotplug added %x:%x class %x\n", id & 0xffff, id >> 16,
	       cls);
	check(id != 0xffffffff, "no function behind the powered slot");
	check((b0 >= base && b0 <= limit) || (b0 >= pbase && b0 <= plim),
	      "BAR0 outside the port's windows");
}

static void wait_link(int slot, int e, int up)
{
	while (!!(rd16(slot, e + LNKSTA) & DLLLA) != up)
		cpu_relax();
}

void guest_main(void)
{
	const struct acpi_header *m = acpi_find_table("MCFG");
	int slot, e = 0, bus, gone = 0;
	u16 sta, ctl;

	if (!m)
		printf("GUEST hotplug: no MCFG\n"), poweroff();
	memcpy(&ecam, (const u8 *)m + MCFG_BASE, 8);
	slot = find_port(&e);
	if (slot < 0)
		printf("GUEST hotplug: no root port\n"), poweroff();
	bus = (rd(0, slot, 0x18) >> 8) & 0xff;
	idt_set_handler(VEC_HP, on_hp);
	lapic_enable();
	port_msi(slot);
	ctl = rd16(slot, e + SLTCTL);	/* a cold-plugged slot is on */
	wr16(slot, e + SLTCTL, ABPE | PDCE | HPIE | (ctl & (IND_OFF | PCC)));
	asm volatile("sti");
	wr16(slot, e + SLTCTL + 2, 0xffff);		/* W1C every event */
	printf("GUEST hotplug ready port 00:%x.0 bus %d sltcap %x\n", slot,
	       bus, rd(0, slot, e + SLTCAP));
	if (!(ctl & PCC))
		added(slot, bus);
	while (gone < 2) {
		sta = rd16(slot, e + SLTCTL + 2);
		ctl = rd16(slot, e + SLTCTL);
		if (!(sta & (ABP | PDC))) {
			cpu_relax();
			continue;
		}
		wr16(slot, e + SLTCTL + 2, sta & (ABP | PDC));
		if ((sta & PDC) && !(sta & PDS)) {
			printf("GUEST hotplug gone (%s)\n", ctl & PCC ?
			       "slot was off" : "surprise removal");
			wr16(slot, e + SLTCTL, OFF_CTL);
			check(rd(bus, 0, 0) == 0xffffffff, "function stays");
			printf("GUEST hotplug irqs %u\n", hp_irqs);
			gone++;
		} else if ((sta & ABP) && (sta & PDS) && (ctl & PCC)) {
			wr16(slot, e + SLTCTL, ABPE | PDCE | HPIE |
			     (IND_OFF & ~0x300) | PWR_IND_ON);
			wait_link(slot, e, 1);
			added(slot, bus);
		} else if ((sta & ABP) && !(ctl & PCC)) {
			wr16(slot, e + SLTCTL, OFF_CTL);
			wait_link(slot, e, 0);
			printf("GUEST hotplug powered off\n");
		}
	}
	check(hp_irqs > 0, "no hotplug interrupt");
	printf("GUEST hotplug %s\n", ok ? "OK" : "FAILED");
	poweroff();
}
