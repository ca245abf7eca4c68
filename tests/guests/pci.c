/* Test guest "pci": scans bus 0 through conf1 (0xcf8/0xcfc) and through
 * ECAM found in the MCFG, checks they agree and that 0xcf9 stays apart;
 * with --pci-testdev also sizes, moves and uses its three BARs; with
 * --hotplug-slots reports each root port's bus and slot capabilities, its
 * empty bus, and a Slot Control command completing. */
#include "guest.h"

#define CONF1_ADDR	0xcf8
#define CONF1_DATA	0xcfc
#define MCFG_BASE	44	/* first allocation: base(8) seg(2) bus(1,1) */
#define CMD_IO		0x1
#define CMD_MEM		0x2
#define NEW_BAR0	0xc0800000u
#define NEW_BAR1	0xd000
#define BAR2_MOVE	0x40000000ULL	/* up 1 GiB, still in the window */

static u64 ecam;
static int ok = 1;

static u32 conf1_read(int slot, int fn, int reg)
{
	outl(CONF1_ADDR, 0x80000000u | slot << 11 | fn << 8 | (reg & 0xfc));
	return inl(CONF1_DATA);
}

static u64 ecam_addr(int slot, int fn, int reg)
{
	return ecam + ((u64)slot << 15) + ((u64)fn << 12) + reg;
}

static u32 cfg_read(int slot, int reg)
{
	return mmio_read32(ecam_addr(slot, 0, reg));
}

static void cfg_write(int slot, int reg, u32 v)
{
	mmio_write32(ecam_addr(slot, 0, reg), v);
}

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST pci: check failed: %s\n", what);
	ok = 0;
}

static int find_ecam(void)
{
	const struct acpi_header *m = acpi_find_table("MCFG");
	const u8 *p = (const u8 *)m;

	if (!m || m->length < MCFG_BASE + 16) {
		printf("GUEST pci: no MCFG\n");
		return 0;
	}
	memcpy(&ecam, p + MCFG_BASE, 8);
	printf("GUEST pci mcfg base=%lx buses=%u-%u\n", ecam, p[MCFG_BASE + 10],
	       p[MCFG_BASE + 11]);
	return ecam != 0;
}

/* Both mechanisms must see the same functions; returns the slot of the
 * test device or -1. */
static int scan(void)
{
	int slot, n = 0, testdev = -1;
	u32 id, eid, cls;

	for (slot = 0; slot < 32; slot++) {
		id = conf1_read(slot, 0, 0);
		eid = ecam ? mmio_read32(ecam_addr(slot, 0, 0)) : id;
		check(id == eid, "conf1 and ECAM disagree");
		if (id == 0xffffffff)
			continue;
		cls = conf1_read(slot, 0, 8) >> 8;
		printf("GUEST pci 00:%02x.0 %04x:%04x class %06x\n", slot,
		       id & 0xffff, id >> 16, cls);
		n++;
		check(conf1_read(slot, 1, 0) == 0xffffffff, "function 1 present");
		if (id == 0x00051b36)
			testdev = slot;
	}
	printf("GUEST pci scan found=%d\n", n);
	check(conf1_read(0, 0, 0) == 0x29c08086, "host bridge is not 8086:29c0");
	check((conf1_read(0, 0, 8) >> 8) == 0x060000, "host bridge class");
	return testdev;
}

static u32 conf1_bus_read(int bus, int reg)
{
	outl(CONF1_ADDR, 0x80000000u | bus << 16 | (reg & 0xfc));
	return inl(CONF1_DATA);
}

/* The PCIe capability of slot's function, or 0. */
static int exp_cap(int slot)
{
	int off = cfg_read(slot, 0x34) & 0xfc, n;

	for (n = 0; off >= 0x40 && n < 48; n++) {
		u32 h = cfg_read(slot, off);

		if ((h & 0xff) == 0x10)
			return off;
		off = (h >> 8) & 0xfc;
	}
	return 0;
}

/* A root port (header type 1): its secondary bus is empty; a Slot
 * Control write (power on, every event enabled but HPIE) completes. */
static void port(int slot)
{
	int e = exp_cap(slot), bus = (cfg_read(slot, 0x18) >> 8) & 0xff;
	u32 sta;

	check(e != 0, "root port without a PCIe capability");
	if (!e)
		return;
	check(mmio_read32(ecam + ((u64)bus << 20)) == 0xffffffff &&
	      conf1_bus_read(bus, 0) == 0xffffffff, "empty port has a device");
	cfg_write(slot, e + 0x18, 0xffff0000u | 0x101f);	/* W1C all; cmd */
	sta = cfg_read(slot, e + 0x18) >> 16;
	printf("GUEST pci port 00:%02x.0 bus=%d sltcap=%x %s cc=%d\n", slot,
	       bus, cfg_read(slot, e + 0x14), sta & 0x40 ? "present" : "empty",
	       !!(sta & 0x10));
}

static void ports(void)
{
	int slot;

	for (slot = 1; slot < 32; slot++)
		if (conf1_read(slot, 0, 0) != 0xffffffff &&
		    ((conf1_read(slot, 0, 0xc) >> 16) & 0x7f) == 1)
			port(slot);
}

/* 0xcf9 is the reset register inside the conf1 address dword. */
static void check_cf9(void)
{
	outl(CONF1_ADDR, 0x80001810u);
	check(inb(0xcf9) == 0, "0xcf9 does not read as the reset register");
	outb(0xcf9, 0);		/* no RST_CPU: nothing happens */
	check(inl(CONF1_ADDR) == 0x80001810u, "0xcf9 clobbered CONFIG_ADDRESS");
}

static u32 bar_size(int slot, int reg, u32 mask)
{
	u32 old = cfg_read(slot, reg), v;

	cfg_write(slot, reg, 0xffffffff);
	v = cfg_read(slot, reg);
	cfg_write(slot, reg, old);
	return (~(v & mask) + 1) & (mask | 0xf);
}

static u64 bar2_size(int slot)
{
	u32 lo = cfg_read(slot, 0x18), hi = cfg_read(slot, 0x1c);
	u64 v;

	cfg_write(slot, 0x18, 0xffffffff);
	cfg_write(slot, 0x1c, 0xffffffff);
	v = (u64)cfg_read(slot, 0x1c) << 32 | (cfg_read(slot, 0x18) & ~0xfu);
	cfg_write(slot, 0x18, lo);
	cfg_write(slot, 0x1c, hi);
	return ~v + 1;
}

static void mem_rw(u64 a, u32 pat, const char *what)
{
	mmio_write32(a + 0x10, pat);
	check(mmio_read32(a + 0x10) == pat, what);
}

static void testdev(int slot)
{
	u32 b0 = cfg_read(slot, 0x10), b1 = cfg_read(slot, 0x14);
	u64 b2 = (u64)cfg_read(slot, 0x1c) << 32 | (cfg_read(slot, 0x18) & ~0xfu);
	u32 s0, s1;
	u64 s2;

	printf("GUEST pci testdev bar0=%x bar1=%x bar2=%lx\n", b0, b1, b2);
	s0 = bar_size(slot, 0x10, ~0xfu);
	s1 = bar_size(slot, 0x14, 0xfffc);
	s2 = bar2_size(slot);

	printf("GUEST pci sizes bar0=%x bar1=%x bar2=%lx\n", s0, s1, s2);
	check(s0 == 0x1000 && s1 == 0x100 && s2 == 0x100000, "BAR sizes");
	check(cfg_read(slot, 0x10) == b0, "BAR0 not restored after sizing");
	check((b1 & 1) && !(b0 & 1) && (cfg_read(slot, 0x18) & 0xf) == 0xc,
	      "BAR type bits");
	check(b2 >= 0x100000000ULL, "64-bit prefetchable BAR below 4 GiB");
	cfg_write(slot, 0x04, CMD_MEM | CMD_IO);
	mem_rw(b0, 0x11223344, "BAR0 scratch");
	mem_rw(b2, 0x55667788, "BAR2 scratch");
	outl((b1 & ~3u) + 8, 0xcafe0001);
	check(inl((b1 & ~3u) + 8) == 0xcafe0001, "BAR1 scratch");
	/* move all three */
	cfg_write(slot, 0x10, NEW_BAR0);
	cfg_write(slot, 0x14, NEW_BAR1);
	cfg_write(slot, 0x18, (u32)(b2 + BAR2_MOVE));
	cfg_write(slot, 0x1c, (u32)((b2 + BAR2_MOVE) >> 32));
	check(mmio_read32(b0 + 0x10) == 0xffffffff, "old BAR0 still decodes");
	check(mmio_read32(NEW_BAR0 + 0x10) == 0x11223344, "BAR0 not moved");
	check(inl(NEW_BAR1 + 8) == 0xcafe0001, "BAR1 not moved");
	check(mmio_read32(b2 + BAR2_MOVE + 0x10) == 0x55667788,
	      "BAR2 not moved");
	check(mmio_read32(b2 + 0x10) == 0xffffffff, "old BAR2 still decodes");
	/* memory decode off: the BAR stops answering */
	cfg_write(slot, 0x04, CMD_IO);
	check(mmio_read32(NEW_BAR0 + 0x10) == 0xffffffff, "decode off ignored");
	check(inl(NEW_BAR1 + 8) == 0xcafe0001, "I/O decode lost");
	printf("GUEST pci testdev moved bar0=%x bar1=%x bar2=%lx\n",
	       cfg_read(slot, 0x10), cfg_read(slot, 0x14),
	       (u64)cfg_read(slot, 0x1c) << 32 | cfg_read(slot, 0x18));
}

void guest_main(void)
{
	int slot;

	check(find_ecam(), "no ECAM");
	check_cf9();
	slot = scan();
	ports();
	if (slot >= 0)
		testdev(slot);
	else
		printf("GUEST pci testdev absent\n");
	printf("GUEST pci %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
