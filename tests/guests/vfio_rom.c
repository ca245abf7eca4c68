/* Test guest "vfio_rom": the expansion ROM of the test VMM's simulated
 * e1000e (the device's, or romfile='s): the ROM BAR sizes, decodes when
 * enabled and its bytes' dword sum is printed for the suite to compare;
 * then a Function Level Reset through PCIe Device Control when the function
 * advertises it: command and the ROM BAR read back as after a reset. */
#include "guest.h"

#define VENDOR_DEVICE	0x10d38086	/* e1000e */
#define CMD_MEM		0x2
#define ROM_REG		0x30
#define ROM_ENABLE	0x1
#define SUM_MAX		(64 * 1024)
#define CAP_EXP		0x10
#define DEVCAP_FLR	(1u << 28)
#define DEVCTL_FLR	0x8000

static int ok = 1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST vfio_rom: check failed: %s\n", what);
	ok = 0;
}

static void rom_phase(int slot)
{
	u32 rom = pci_cfg_read32(slot, ROM_REG) & ~0x7ffu, size, sum = 0, i;
	u16 sig;

	pci_cfg_write32(slot, ROM_REG, ~0x7ffu);
	size = ~(pci_cfg_read32(slot, ROM_REG) & ~0x7ffu) + 1;
	pci_cfg_write32(slot, ROM_REG, rom);
	if (!rom || !size) {
		printf("GUEST vfio_rom none\n");
		return;
	}
	pci_cfg_write32(slot, ROM_REG, rom | ROM_ENABLE);
	pci_cfg_write16(slot, 0x04, CMD_MEM);
	for (i = 0; i < size && i < SUM_MAX; i += 4)
		sum += mmio_read32(rom + i);
	sig = mmio_read16(rom);
	printf("GUEST vfio_rom size=%x sig=%04x sum=%08x\n", size, sig, sum);
	mmio_write32(rom, 0);
	check(mmio_read16(rom) == sig, "the ROM is read-only");
}

static void flr_phase(int slot)
{
	int exp = pci_find_cap(slot, CAP_EXP);
	u32 cmd, rom;
	u16 ctl;

	if (!exp || !(pci_cfg_read32(slot, exp + 4) & DEVCAP_FLR)) {
		printf("GUEST vfio_rom no flr\n");
		return;
	}
	ctl = pci_cfg_read16(slot, exp + 8);
	pci_cfg_write16(slot, exp + 8, ctl | DEVCTL_FLR);
	mdelay(100);	/* PCIe: 100 ms before the function is touched */
	cmd = pci_cfg_read16(slot, 0x04);
	rom = pci_cfg_read32(slot, ROM_REG);
	ctl = pci_cfg_read16(slot, exp + 8);
	printf("GUEST vfio_rom flr cmd=%04x rom=%08x flr-bit=%d\n", cmd, rom,
	       !!(ctl & DEVCTL_FLR));
	check(cmd == 0 && rom == 0, "command and ROM BAR reset by the FLR");
	check(!(ctl & DEVCTL_FLR), "Initiate FLR reads 0");
}

void guest_main(void)
{
	int slot = pci_find_slot(VENDOR_DEVICE);

	printf("GUEST vfio_rom slot=%d\n", slot);
	check(slot > 0, "no 8086:10d3");
	if (slot > 0) {
		rom_phase(slot);
		flr_phase(slot);
	}
	printf("GUEST vfio_rom %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
