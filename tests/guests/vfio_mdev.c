/* Test guest "vfio_mdev": an mtty-like mediated device from the test VMM's
 * simulated VFIO kernel: its id, the short config region's last dword, the
 * UART scratch register in I/O BAR0, and INTx unmasked by lkvm on EOI. */
#include "guest.h"

#define VENDOR_DEVICE	0x32534348	/* mtty */
#define CMD_IO		0x1
#define SCRATCH		7		/* 16550 scratch register */
#define DB_INTX		0x30000000u	/* the sim's doorbell at BAR0 + 0 */
#define VEC_INTX	0x51
#define IOAPIC		0xfec00000UL

static volatile int intx_irqs;
static int ok = 1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST vfio_mdev: check failed: %s\n", what);
	ok = 0;
}

static void on_intx(struct intr_frame *f)
{
	intx_irqs++;
	lapic_eoi();	/* level: EOI -> KVM resample -> lkvm unmasks */
}

static void ring(u16 port)
{
	int i;

	outl(port, DB_INTX);
	for (i = 0; i < 100000 && inl(port); i++)
		udelay(10);
}

static void intx_phase(u16 io)
{
	int line = pci_cfg_read8(1, 0x3c);

	mmio_write32(IOAPIC, 0x10 + 2 * line + 1);
	mmio_write32(IOAPIC + 0x10, 0);
	mmio_write32(IOAPIC, 0x10 + 2 * line);
	mmio_write32(IOAPIC + 0x10, VEC_INTX | 1u << 15);	/* level */
	asm volatile("sti");
	/* each one after the first needs the previous EOI's unmask */
	ring(io);
	wait_count(&intx_irqs, 1, 10000);
	ring(io);
	wait_count(&intx_irqs, 2, 10000);
	ring(io);
	ring(io);
	wait_count(&intx_irqs, 4, 10000);
	mdelay(20);
	asm volatile("cli");
	printf("GUEST vfio_mdev intx irqs=%d\n", intx_irqs);
	check(intx_irqs == 4, "INTx: four interrupts, unmasked on EOI");
}

void guest_main(void)
{
	int slot = pci_find_slot(VENDOR_DEVICE);
	u32 bar0, last;
	u16 io;
	u8 v;

	idt_set_handler(VEC_INTX, on_intx);
	lapic_enable();
	printf("GUEST vfio_mdev slot=%d\n", slot);
	check(slot == 1, "no 4348:3253 at 00:01.0");
	if (slot != 1)
		goto out;
	bar0 = pci_cfg_read32(slot, 0x10);
	io = bar0 & ~3u;
	last = pci_cfg_read32(slot, 0xfc);
	printf("GUEST vfio_mdev bar0=%x class=%06x cfg[fc]=%08x\n", bar0,
	       pci_cfg_read32(slot, 8) >> 8, last);
	check((bar0 & 1) && io, "BAR0 is an assigned I/O BAR");
	check(!(last >> 24), "config byte 0xff reads zero");
	pci_cfg_write16(slot, 0x04, CMD_IO);
	outb(io + SCRATCH, 0x5a);
	v = inb(io + SCRATCH);
	printf("GUEST vfio_mdev scratch=%02x\n", v);
	check(v == 0x5a, "scratch register round trip");
	intx_phase(io);
out:
	printf("GUEST vfio_mdev %s\n", ok ? "OK" : "FAIL");
	poweroff();
}
