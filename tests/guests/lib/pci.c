/* PCI bus 0 for the test guests: function 0 config space through conf1
 * (0xcf8/0xcfc), finding a device and a capability, memory BAR addresses,
 * and ringing the VFIO simulator's doorbell. */
#include "guest.h"

#define CONF1_ADDR	0xcf8
#define CONF1_DATA	0xcfc

static void conf1_sel(int slot, int reg)
{
	outl(CONF1_ADDR, 0x80000000u | slot << 11 | (reg & 0xfc));
}

u32 pci_cfg_read32(int slot, int reg)
{
	conf1_sel(slot, reg);
	return inl(CONF1_DATA);
}

u16 pci_cfg_read16(int slot, int reg)
{
	conf1_sel(slot, reg);
	return inw(CONF1_DATA + (reg & 2));
}

u8 pci_cfg_read8(int slot, int reg)
{
	conf1_sel(slot, reg);
	return inb(CONF1_DATA + (reg & 3));
}

void pci_cfg_write32(int slot, int reg, u32 v)
{
	conf1_sel(slot, reg);
	outl(CONF1_DATA, v);
}

void pci_cfg_write16(int slot, int reg, u16 v)
{
	conf1_sel(slot, reg);
	outw(CONF1_DATA + (reg & 2), v);
}

int pci_find_slot(u32 vendor_device)
{
	int s;

	for (s = 0; s < 32; s++)
		if (pci_cfg_read32(s, 0) == vendor_device)
			return s;
	return -1;
}

int pci_find_cap(int slot, u8 id)
{
	int p = pci_cfg_read8(slot, 0x34) & 0xfc, n = 0;

	while (p && n++ < 48) {
		if (pci_cfg_read8(slot, p) == id)
			return p;
		p = pci_cfg_read8(slot, p + 1) & 0xfc;
	}
	return 0;
}

u64 pci_bar_addr(int slot, int bar)
{
	u32 lo = pci_cfg_read32(slot, 0x10 + 4 * bar);
	u64 a = lo & ~0xfu;

	if ((lo & 0x6) == 0x4)
		a |= (u64)pci_cfg_read32(slot, 0x14 + 4 * bar) << 32;
	return a;
}

int sim_ring(u64 reg, u32 val)
{
	int i;

	mmio_write32(reg, val);
	for (i = 0; i < 100000; i++) {
		if (!mmio_read32(reg))
			return 0;
		udelay(10);
	}
	return -1;
}
