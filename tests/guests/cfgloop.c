/* Test guest "cfgloop": finds the test VMM's simulated nvme and rewrites
 * its command register in a loop ("GUEST cfgloop N" after each), so every
 * line costs one trapped config write that lkvm forwards to the device:
 * with --sim-slow-write the vCPU is busy in that write most of the time. */
#include "guest.h"

#define VENDOR_DEVICE	0x00101b36	/* QEMU nvme */
#define CMD_MEM		0x2

void guest_main(void)
{
	int slot = pci_find_slot(VENDOR_DEVICE), n = 0;

	printf("GUEST cfgloop start slot=%d\n", slot);
	if (slot <= 0)
		poweroff();
	for (;;) {
		pci_cfg_write16(slot, 0x04, CMD_MEM);
		printf("GUEST cfgloop %d\n", ++n);
		mdelay(20);
	}
}
