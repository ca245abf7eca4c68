/* Unit tests of the virtual PCI bus (pci/): conf1 and ECAM decode, BAR
 * sizing and reprogramming with map/unmap callbacks, command decode, write
 * masks and W1C, window allocation, config hooks and capability lists. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include "kvm/vm.h"
#include "pci/pci.h"
#include "unit.h"

#define T_IO	0xc000ULL
#define T_M32	0xc0000000ULL
#define T_M64	0x100000000ULL
#define T_ECAM	0xe0000000ULL

/* ---- a fake VM (no KVM fds) and a device that logs map/unmap ---- */

static void tvm_init(struct vm *vm, u64 io_size, u64 m32_size, u64 m64_size)
{
	struct pci_windows w = {
		.io_base = T_IO, .io_size = io_size,
		.mem32_base = T_M32, .mem32_size = m32_size,
		.mem64_base = T_M64, .mem64_size = m64_size,
		.ecam_base = T_ECAM,
	};

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	iobus_init(&vm->pio, "pio");
	iobus_init(&vm->mmio, "mmio");
	pci_bus_init(vm, &w);
}

static void tvm_fini(struct vm *vm)
{
	pci_bus_exit(vm);
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
}

struct maplog {
	char ev[16][48];
	int n;
};

static struct maplog mlog;

static int t_map(struct pci_dev *dev, int bar, u64 gpa)
{
	if (mlog.n < 16)
		snprintf(mlog.ev[mlog.n++], 48, "map %d %llx", bar,
			 (unsigned long long)gpa);
	return pci_bar_map_trap(dev, bar, gpa);
}

static void t_unmap(struct pci_dev *dev, int bar, u64 gpa)
{
	if (mlog.n < 16)
		snprintf(mlog.ev[mlog.n++], 48, "unmap %d %llx", bar,
			 (unsigned long long)gpa);
	pci_bar_unmap_trap(dev, bar, gpa);
}

static u32 bar_io_hits;

static void t_bar_io(struct pci_dev *dev, int bar, u64 off, u8 *data, u32 len,
		     bool wr)
{
	bar_io_hits++;
	if (!wr)
		memset(data, (u8)(0x10 + bar), len);
}

static const struct pci_dev_ops t_ops = {
	.bar_map = t_map, .bar_unmap = t_unmap, .bar_io = t_bar_io,
};

/* BAR0 mem32 4K, BAR1 I/O 32, BAR2/3 64-bit prefetchable 1 MiB. */
static void tdev_init(struct pci_dev *d)
{
	pci_dev_init(d, "tdev", 0x1b36, 0x0005, 0xff0000, 1, false);
	d->ops = &t_ops;
	pci_dev_set_bar(d, 0, 4096, 0);
	pci_dev_set_bar(d, 1, 32, PCI_BAR_F_IO);
	pci_dev_set_bar(d, 2, SZ_1M, PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	memset(&mlog, 0, sizeof(mlog));
}

static u32 rd(struct vm *vm, u16 bdf, u32 off, u32 len)
{
	u32 v = 0;

	pci_config_access(vm, bdf, off, (u8 *)&v, len, false);
	return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

static void wr(struct vm *vm, u16 bdf, u32 off, u32 len, u32 v)
{
	pci_config_access(vm, bdf, off, (u8 *)&v, len, true);
}

/* ---- decode ---- */

TEST(pci_conf1_decode_fields)
{
	u16 bdf;
	u32 reg;

	ASSERT(pci_conf1_decode(0x80000000u | 3 << 11 | 0x10, &bdf, &reg));
	EXPECT_EQ(bdf, PCI_BDF(0, 3, 0));
	EXPECT_EQ(reg, 0x10);
	ASSERT(pci_conf1_decode(0x80000000u | 31 << 11 | 7 << 8 | 0xff, &bdf,
				&reg));
	EXPECT_EQ(PCI_BDF_SLOT(bdf), 31);
	EXPECT_EQ(PCI_BDF_FN(bdf), 7);
	EXPECT_EQ(reg, 0xfc);		/* dword register, low bits dropped */
	EXPECT(!pci_conf1_decode(3 << 11, &bdf, &reg));	/* enable clear */
	/* other buses decode (behind root ports; empty ones read all-ones) */
	ASSERT(pci_conf1_decode(0x80000000u | 1 << 16, &bdf, &reg));
	EXPECT_EQ(bdf, PCI_BDF(1, 0, 0));
}

TEST(pci_ecam_decode_and_dispatch)
{
	struct vm vm;
	u16 bdf;
	u32 reg, v = 0;

	pci_ecam_decode((5 << 15) | (2 << 12) | 0x104, &bdf, &reg);
	EXPECT_EQ(bdf, PCI_BDF(0, 5, 2));
	EXPECT_EQ(reg, 0x104);
	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	ASSERT(iobus_dispatch(&vm.mmio, T_ECAM, (u8 *)&v, 4, false));
	EXPECT_EQ(v, 0x29c08086);	/* host bridge at 00:00.0 */
	iobus_dispatch(&vm.mmio, T_ECAM + 0xa, (u8 *)&v, 2, false);
	EXPECT_EQ(v & 0xffff, 0x0600);	/* class: host bridge */
	iobus_dispatch(&vm.mmio, T_ECAM + (1 << 15), (u8 *)&v, 4, false);
	EXPECT_EQ(v, 0xffffffff);	/* empty slot */
	iobus_dispatch(&vm.mmio, T_ECAM + (1 << 12), (u8 *)&v, 4, false);
	EXPECT_EQ(v, 0xffffffff);	/* function 1 */
	iobus_dispatch(&vm.mmio, T_ECAM + 2, (u8 *)&v, 4, false);
	EXPECT_EQ(v, 0xffffffff);	/* unaligned */
	EXPECT(pci_find(&vm, PCI_BDF(0, 0, 0)) != NULL);
	EXPECT(pci_find(&vm, PCI_BDF(1, 0, 0)) == NULL);
	tvm_fini(&vm);
}

/* ---- BARs ---- */

TEST(pci_bar_sizing)
{
	struct pci_dev d;
	struct vm vm;
	u16 bdf;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	pci_dev_set_bar(&d, PCI_ROM_SLOT, 0x10000, 0);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	bdf = d.bdf;
	EXPECT_EQ(d.slot, 1);
	EXPECT_EQ(rd(&vm, bdf, 0x10, 4), T_M32);
	EXPECT_EQ(rd(&vm, bdf, 0x14, 4), T_IO | 1);
	EXPECT_EQ(rd(&vm, bdf, 0x18, 4), 0xc);	/* 64-bit, prefetchable */
	EXPECT_EQ(rd(&vm, bdf, 0x1c, 4), 1);	/* 4 GiB: 64-bit window */
	wr(&vm, bdf, 0x10, 4, 0xffffffff);
	EXPECT_EQ(rd(&vm, bdf, 0x10, 4), 0xfffff000);
	wr(&vm, bdf, 0x14, 4, 0xffffffff);
	EXPECT_EQ(rd(&vm, bdf, 0x14, 4), 0x0000ffe1);
	wr(&vm, bdf, 0x18, 4, 0xffffffff);
	wr(&vm, bdf, 0x1c, 4, 0xffffffff);
	EXPECT_EQ(rd(&vm, bdf, 0x18, 4), 0xfff0000c);
	EXPECT_EQ(rd(&vm, bdf, 0x1c, 4), 0xffffffff);
	wr(&vm, bdf, 0x20, 4, 0xffffffff);	/* unimplemented */
	EXPECT_EQ(rd(&vm, bdf, 0x20, 4), 0);
	wr(&vm, bdf, 0x30, 4, 0xfffff800);	/* ROM, enable clear */
	EXPECT_EQ(rd(&vm, bdf, 0x30, 4), 0xffff0000);
	EXPECT_EQ(mlog.n, 0);			/* decode stayed off */
	tvm_fini(&vm);
}

TEST(pci_rom_absent_reads_zero)
{
	struct pci_dev d;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	wr(&vm, d.bdf, 0x30, 4, 0xffffffff);
	EXPECT_EQ(rd(&vm, d.bdf, 0x30, 4), 0);
	tvm_fini(&vm);
}

TEST(pci_bar_reprogram_unmaps_then_maps)
{
	struct pci_dev d;
	struct vm vm;
	u8 b = 0;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ASSERT_EQ(mlog.n, 2);
	EXPECT_STR(mlog.ev[0], "map 0 c0000000");
	EXPECT_STR(mlog.ev[1], "map 2 100000000");
	/* the default trap routes to bar_io */
	EXPECT(iobus_dispatch(&vm.mmio, T_M32 + 8, &b, 1, false));
	EXPECT_EQ(b, 0x10);
	wr(&vm, d.bdf, 0x10, 4, 0xc0100000);
	ASSERT_EQ(mlog.n, 4);
	EXPECT_STR(mlog.ev[2], "unmap 0 c0000000");
	EXPECT_STR(mlog.ev[3], "map 0 c0100000");
	EXPECT(!iobus_dispatch(&vm.mmio, T_M32 + 8, &b, 1, false));
	EXPECT(iobus_dispatch(&vm.mmio, 0xc0100008, &b, 1, false));
	/* 64-bit: new high dword moves the BAR */
	wr(&vm, d.bdf, 0x1c, 4, 2);
	ASSERT_EQ(mlog.n, 6);
	EXPECT_STR(mlog.ev[4], "unmap 2 100000000");
	EXPECT_STR(mlog.ev[5], "map 2 200000000");
	/* sizing while decoding: the all-ones pattern is not mapped */
	wr(&vm, d.bdf, 0x10, 4, 0xffffffff);
	ASSERT_EQ(mlog.n, 7);
	EXPECT_STR(mlog.ev[6], "unmap 0 c0100000");
	EXPECT(!d.bar[0].live);
	wr(&vm, d.bdf, 0x10, 4, 0xc0200000);
	ASSERT_EQ(mlog.n, 8);
	EXPECT_STR(mlog.ev[7], "map 0 c0200000");
	tvm_fini(&vm);
}

TEST(pci_unregister_unmaps_and_frees_slot)
{
	struct pci_dev d, e, never;
	struct vm vm;
	u8 b = 0;
	int slot;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	slot = d.slot;
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	ASSERT_EQ(mlog.n, 3);
	pci_unregister(&d);
	/* every live region went through bar_unmap, once */
	ASSERT_EQ(mlog.n, 6);
	EXPECT_STR(mlog.ev[3], "unmap 0 c0000000");
	EXPECT_STR(mlog.ev[4], "unmap 1 c000");
	EXPECT_STR(mlog.ev[5], "unmap 2 100000000");
	EXPECT(!d.bar[0].live && !d.bar[1].live && !d.bar[2].live);
	EXPECT(!iobus_dispatch(&vm.mmio, T_M32 + 8, &b, 1, false));
	EXPECT(!pci_find(&vm, PCI_BDF(0, slot, 0)));
	EXPECT_EQ(rd(&vm, PCI_BDF(0, slot, 0), 0, 4), 0xffffffff);
	/* twice is harmless; the slot is free for the next device */
	pci_unregister(&d);
	EXPECT_EQ(mlog.n, 6);
	tdev_init(&e);
	ASSERT_EQ(pci_register(&vm, &e), 0);
	EXPECT_EQ(e.slot, slot);
	/* a device that never registered leaves the bus alone */
	memset(&never, 0, sizeof(never));
	pci_unregister(&never);
	EXPECT(pci_find(&vm, PCI_BDF(0, slot, 0)) == &e);
	tvm_fini(&vm);
}

/* ---- moves, swaps and transient overlaps between devices ---- */

static void s_bar_io(struct pci_dev *dev, int bar, u64 off, u8 *data,
		     u32 len, bool wr)
{
	if (!wr)
		memset(data, dev->slot, len);
}

static const struct pci_dev_ops s_ops = { .bar_io = s_bar_io };

/* n devices with one 64 KiB mem32 BAR each, decoding at their defaults. */
static void sdevs_init(struct vm *vm, struct pci_dev *d, int n)
{
	int i;

	tvm_init(vm, 0x4000, SZ_1G / 2, SZ_1G);
	for (i = 0; i < n; i++) {
		pci_dev_init(&d[i], "sdev", 0x1b36, 0x0005, 0xff0000, 1, false);
		d[i].ops = &s_ops;
		pci_dev_set_bar(&d[i], 0, 64 * SZ_1K, 0);
		pci_register(vm, &d[i]);
		wr(vm, d[i].bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	}
}

/* Which device's BAR0 answers at gpa: its slot, or 0xff for none. */
static u8 who(struct vm *vm, u64 gpa)
{
	u8 b = 0xff;

	if (!iobus_dispatch(&vm->mmio, gpa, &b, 1, false))
		return 0xff;
	return b;
}

TEST(pci_bar_swap_waits_for_the_transient_overlap)
{
	struct pci_dev d[2];
	struct vm vm;
	u64 a, b;

	sdevs_init(&vm, d, 2);
	a = d[0].bar[0].live_addr;
	b = d[1].bar[0].live_addr;
	ASSERT(d[0].bar[0].live && d[1].bar[0].live && a != b);
	/* d0 moves onto d1's range: it waits, d1 keeps answering there */
	wr(&vm, d[0].bdf, 0x10, 4, (u32)b);
	EXPECT(!d[0].bar[0].live);
	EXPECT_EQ(who(&vm, b), d[1].slot);
	EXPECT_EQ(who(&vm, a), 0xff);
	/* d1 moves to d0's old range: d1 there, and d0 goes live at b */
	wr(&vm, d[1].bdf, 0x10, 4, (u32)a);
	EXPECT(d[0].bar[0].live && d[1].bar[0].live);
	EXPECT_EQ(who(&vm, a), d[1].slot);
	EXPECT_EQ(who(&vm, b), d[0].slot);
	tvm_fini(&vm);
}

TEST(pci_bar_rotation_of_three_resolves)
{
	struct pci_dev d[3];
	u64 at[3];
	struct vm vm;
	int i;

	sdevs_init(&vm, d, 3);
	for (i = 0; i < 3; i++)
		at[i] = d[i].bar[0].live_addr;
	/* d0 -> d1's, d1 -> d2's, d2 -> d0's, one register at a time */
	for (i = 0; i < 3; i++)
		wr(&vm, d[i].bdf, 0x10, 4, (u32)at[(i + 1) % 3]);
	for (i = 0; i < 3; i++) {
		EXPECT(d[i].bar[0].live);
		EXPECT_EQ(d[i].bar[0].live_addr, at[(i + 1) % 3]);
		EXPECT_EQ(who(&vm, at[(i + 1) % 3] + 8), d[i].slot);
	}
	tvm_fini(&vm);
}

TEST(pci_bar_waits_until_the_other_stops_decoding)
{
	struct pci_dev d[2];
	struct vm vm;
	u64 b;

	sdevs_init(&vm, d, 2);
	b = d[1].bar[0].live_addr;
	/* a real overlap: both decode b until d1 turns decode off */
	wr(&vm, d[0].bdf, 0x10, 4, (u32)b + 0x8000);
	EXPECT(!d[0].bar[0].live);
	EXPECT_EQ(who(&vm, b + 0x8000), d[1].slot);
	wr(&vm, d[1].bdf, PCI_COMMAND, 2, 0);
	EXPECT(d[0].bar[0].live);
	EXPECT_EQ(who(&vm, b + 0x8000), d[0].slot);
	/* d1 decodes again: now d1 waits, d0 keeps the range */
	wr(&vm, d[1].bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT(!d[1].bar[0].live);
	/* removing d0 lets d1 in */
	pci_unregister(&d[0]);
	EXPECT(d[1].bar[0].live);
	EXPECT_EQ(who(&vm, b), d[1].slot);
	tvm_fini(&vm);
}

TEST(pci_command_decode_toggles)
{
	struct pci_dev d;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_IO);
	ASSERT_EQ(mlog.n, 1);
	EXPECT_STR(mlog.ev[0], "map 1 c000");
	EXPECT(iobus_dispatch(&vm.pio, T_IO + 31, (u8 *)&bar_io_hits, 1,
			      true));
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	EXPECT_EQ(mlog.n, 3);
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ASSERT_EQ(mlog.n, 4);
	EXPECT_STR(mlog.ev[3], "unmap 1 c000");
	EXPECT(!iobus_dispatch(&vm.pio, T_IO, (u8 *)&bar_io_hits, 1, false));
	wr(&vm, d.bdf, PCI_COMMAND, 1, 0);	/* byte write of the low half */
	ASSERT_EQ(mlog.n, 6);
	EXPECT_STR(mlog.ev[4], "unmap 0 c0000000");
	EXPECT_STR(mlog.ev[5], "unmap 2 100000000");
	/* ROM: needs both its enable bit and memory decode */
	tvm_fini(&vm);
}

TEST(pci_rom_enable_and_decode)
{
	struct pci_dev d;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	pci_dev_set_bar(&d, PCI_ROM_SLOT, 0x10000, 0);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	EXPECT_EQ(d.bar[PCI_ROM_SLOT].addr, 0xc0010000);	/* after BAR0 */
	wr(&vm, d.bdf, PCI_ROM_ADDRESS, 4, 0xc0010001);
	EXPECT_EQ(mlog.n, 0);
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	ASSERT_EQ(mlog.n, 3);
	EXPECT_STR(mlog.ev[2], "map 6 c0010000");
	wr(&vm, d.bdf, PCI_ROM_ADDRESS, 4, 0xc0010000);
	ASSERT_EQ(mlog.n, 4);
	EXPECT_STR(mlog.ev[3], "unmap 6 c0010000");
	tvm_fini(&vm);
}

/* ---- masks ---- */

TEST(pci_write_masks_and_w1c)
{
	struct pci_dev d;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	wr(&vm, d.bdf, PCI_VENDOR_ID, 4, 0x12345678);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_VENDOR_ID, 4), 0x00051b36);
	wr(&vm, d.bdf, PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_COMMAND, 2), 0x0547);
	wr(&vm, d.bdf, PCI_COMMAND, 2, 0);
	pci_cfg_set16(&d, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT |
		      PCI_STATUS_DETECTED_PARITY | PCI_STATUS_66MHZ);
	wr(&vm, d.bdf, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT |
	   PCI_STATUS_66MHZ);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_STATUS, 2),
		  PCI_STATUS_DETECTED_PARITY | PCI_STATUS_66MHZ);
	wr(&vm, d.bdf, PCI_STATUS, 2, 0);	/* writing 0 keeps W1C bits */
	EXPECT(rd(&vm, d.bdf, PCI_STATUS, 2) & PCI_STATUS_DETECTED_PARITY);
	/* a dword write to command also reaches status as W1C */
	wr(&vm, d.bdf, PCI_COMMAND, 4, (u32)PCI_STATUS_DETECTED_PARITY << 16);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_STATUS, 2), PCI_STATUS_66MHZ);
	wr(&vm, d.bdf, PCI_INTERRUPT_LINE, 1, 0x55);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_INTERRUPT_LINE, 1), 0x55);
	wr(&vm, d.bdf, PCI_INTERRUPT_PIN, 1, 3);
	EXPECT_EQ(rd(&vm, d.bdf, PCI_INTERRUPT_PIN, 1), 1);	/* INTA, RO */
	pci_set_wmask(&d, 0x44, 2, 0x0ff0);
	wr(&vm, d.bdf, 0x44, 2, 0xffff);
	EXPECT_EQ(rd(&vm, d.bdf, 0x44, 2), 0x0ff0);
	/* out of range for a 256-byte function, unaligned */
	EXPECT_EQ(rd(&vm, d.bdf, 0x100, 4), 0xffffffff);
	EXPECT_EQ(rd(&vm, d.bdf, 0x01, 2), 0xffff);
	tvm_fini(&vm);
}

/* ---- allocation ---- */

static char errbuf[1024];

/* Runs pci_register with stderr captured into errbuf. */
static int register_quiet(struct vm *vm, struct pci_dev *d)
{
	FILE *f = tmpfile();
	int saved = dup(2), r;
	size_t n;

	fflush(stderr);
	dup2(fileno(f), 2);
	r = pci_register(vm, d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, f);
	errbuf[n] = 0;
	fclose(f);
	return r;
}

TEST(pci_window_alignment_and_placement)
{
	struct pci_dev a, b;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G, 4 * SZ_1G);
	pci_dev_init(&a, "a", 1, 1, 0, 0, false);
	pci_dev_set_bar(&a, 0, 16, 0);			/* page-rounded */
	pci_dev_set_bar(&a, 1, 0x10000, 0);		/* 64K aligned */
	pci_dev_set_bar(&a, 2, 4, PCI_BAR_F_IO);
	pci_dev_set_bar(&a, 3, 256, PCI_BAR_F_IO);	/* 256 aligned */
	ASSERT_EQ(pci_register(&vm, &a), 0);
	EXPECT_EQ(a.bar[0].addr, T_M32);
	EXPECT_EQ(a.bar[1].addr, T_M32 + 0x10000);
	EXPECT_EQ(a.bar[2].addr, T_IO);
	EXPECT_EQ(a.bar[3].addr, T_IO + 0x100);
	pci_dev_init(&b, "b", 1, 2, 0, 0, false);
	pci_dev_set_bar(&b, 0, 256 * SZ_1M, 0);		/* 32-bit: below 4G */
	pci_dev_set_bar(&b, 1, SZ_1G, PCI_BAR_F_MEM64);	/* big: 64-bit win */
	pci_dev_set_bar(&b, 3, SZ_1M, PCI_BAR_F_MEM64);	/* small: 32-bit */
	pci_dev_set_bar(&b, 5, 8192, PCI_BAR_F_PREFETCH);
	ASSERT_EQ(pci_register(&vm, &b), 0);
	EXPECT_EQ(b.slot, 2);
	EXPECT_EQ(b.bar[0].addr, T_M32 + 0x10000000);
	EXPECT_EQ(b.bar[1].addr, T_M64);
	EXPECT_EQ(rd(&vm, b.bdf, 0x18, 4), 1);		/* high dword */
	EXPECT_EQ(b.bar[3].addr, T_M32 + 0x20000000);
	EXPECT_EQ(rd(&vm, b.bdf, 0x20, 4), 0);		/* high dword */
	EXPECT_EQ(b.bar[5].addr, T_M32 + 0x20100000);
	EXPECT(b.gsi >= 16 && b.gsi <= 23);
	EXPECT_EQ(b.gsi, PCI_SLOT_GSI(2, 0));
	EXPECT_EQ(rd(&vm, b.bdf, PCI_INTERRUPT_LINE, 1), b.gsi);
	tvm_fini(&vm);
}

TEST(pci_window_exhaustion_names_dev_and_bar)
{
	struct pci_dev a, b, c;
	struct vm vm;

	tvm_init(&vm, 0x100, SZ_1M, 0);	/* no 64-bit window */
	pci_dev_init(&a, "first", 1, 1, 0, 0, false);
	pci_dev_set_bar(&a, 0, SZ_1M / 2, 0);
	ASSERT_EQ(pci_register(&vm, &a), 0);
	pci_dev_init(&b, "greedy", 1, 2, 0, 0, false);
	pci_dev_set_bar(&b, 0, SZ_1M / 4, 0);
	pci_dev_set_bar(&b, 4, SZ_1M, PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	EXPECT_EQ(register_quiet(&vm, &b), -1);
	EXPECT_CONTAINS(errbuf, "greedy");
	EXPECT_CONTAINS(errbuf, "BAR4");
	EXPECT_CONTAINS(errbuf, "does not fit");
	EXPECT(pci_find(&vm, PCI_BDF(0, 1, 0)) == &a);
	EXPECT(pci_find(&vm, PCI_BDF(0, 2, 0)) == NULL);
	/* the failed device took nothing: the same space is still free */
	pci_dev_init(&c, "fits", 1, 3, 0, 0, false);
	pci_dev_set_bar(&c, 0, SZ_1M / 2, 0);
	EXPECT_EQ(pci_register(&vm, &c), 0);
	EXPECT_EQ(c.bar[0].addr, T_M32 + SZ_1M / 2);
	EXPECT_EQ(c.slot, 2);
	tvm_fini(&vm);
}

TEST(pci_bar_declaration_errors)
{
	struct pci_dev d;

	pci_dev_init(&d, "bad", 1, 1, 0, 0, false);
	EXPECT_EQ(pci_dev_set_bar(&d, 0, 3000, 0), -1);
	EXPECT_EQ(pci_dev_set_bar(&d, 5, 4096, PCI_BAR_F_MEM64), -1);
	EXPECT_EQ(pci_dev_set_bar(&d, 0, 4096, PCI_BAR_F_MEM64), 0);
	EXPECT_EQ(pci_dev_set_bar(&d, 1, 4096, 0), -1);	/* upper half */
	EXPECT_EQ(pci_dev_set_bar(&d, 2, 512, PCI_BAR_F_IO), -1);
	EXPECT_EQ(pci_dev_set_bar(&d, 7, 4096, 0), -1);
}

/* ---- hooks, INTx, capabilities ---- */

static int hook_reads, hook_writes;

static bool h_read(struct pci_dev *dev, u32 off, u8 *data, u32 len)
{
	hook_reads++;
	if (off != 0x50)
		return false;
	memset(data, 0xab, len);
	return true;
}

static bool h_write(struct pci_dev *dev, u32 off, const u8 *data, u32 len)
{
	hook_writes++;
	return off == 0x54;	/* consumed: never reaches cfg */
}

static const struct pci_dev_ops hook_ops = {
	.cfg_read = h_read, .cfg_write = h_write,
};

TEST(pci_config_hooks)
{
	struct pci_dev d;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	pci_dev_init(&d, "hooked", 1, 1, 0, 0, false);
	d.ops = &hook_ops;
	d.cfg_hook_start = 0x50;
	d.cfg_hook_end = 0x58;
	pci_set_wmask(&d, 0x50, 4, 0xffffffff);
	pci_set_wmask(&d, 0x54, 4, 0xffffffff);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	hook_reads = hook_writes = 0;
	EXPECT_EQ(rd(&vm, d.bdf, 0x50, 2), 0xabab);
	EXPECT_EQ(rd(&vm, d.bdf, 0, 2), 1);		/* outside: no hook */
	EXPECT_EQ(hook_reads, 1);
	wr(&vm, d.bdf, 0x54, 4, 0x1234);		/* consumed */
	EXPECT_EQ(pci_cfg_get32(&d, 0x54), 0);
	wr(&vm, d.bdf, 0x56, 2, 0x77);			/* passed on */
	EXPECT_EQ(pci_cfg_get16(&d, 0x56), 0x77);
	EXPECT_EQ(hook_writes, 2);
	EXPECT_EQ(rd(&vm, d.bdf, 0x56, 2), 0x77);	/* hook declined */
	tvm_fini(&vm);
}

TEST(pci_intx_status_and_disable)
{
	struct pci_dev d, n;
	struct vm vm;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	pci_dev_init(&d, "intx", 1, 1, 0, 0, false);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	EXPECT_EQ(d.irq_pin, 1);
	pci_irq_set(&d, true);
	EXPECT(rd(&vm, d.bdf, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	EXPECT(d.intx_out);
	wr(&vm, d.bdf, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	EXPECT(!d.intx_out);
	EXPECT(rd(&vm, d.bdf, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	wr(&vm, d.bdf, PCI_COMMAND, 2, 0);
	EXPECT(d.intx_out);
	pci_irq_set(&d, false);
	EXPECT(!d.intx_out);
	EXPECT(!(rd(&vm, d.bdf, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));
	pci_dev_init(&n, "nointx", 1, 2, 0, 0, false);
	n.no_intx = true;
	n.want_slot = 9;
	ASSERT_EQ(pci_register(&vm, &n), 0);
	EXPECT_EQ(n.slot, 9);
	EXPECT_EQ(rd(&vm, n.bdf, PCI_INTERRUPT_PIN, 1), 0);
	EXPECT_EQ(pci_irq_set(&n, true), -1);
	tvm_fini(&vm);
}

static void *raise_line(void *arg)
{
	pci_irq_set(arg, true);
	return NULL;
}

/* A device raising INTx from its I/O thread while a config access holds
 * the bus lock (and waits for that device's locks) must not need the bus
 * lock: before the leaf INTx lock this deadlocked the VMM (issue 10). */
TEST(pci_intx_never_takes_the_bus_lock)
{
	struct timespec ts;
	struct pci_dev d;
	struct vm vm;
	pthread_t t;
	int r;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	pci_dev_init(&d, "intx", 1, 1, 0, 0, false);
	ASSERT_EQ(pci_register(&vm, &d), 0);
	pthread_mutex_lock(&vm.pci->lock);	/* a config access in flight */
	ASSERT_EQ(pthread_create(&t, NULL, raise_line, &d), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	r = pthread_timedjoin_np(t, NULL, &ts);
	EXPECT_EQ(r, 0);
	pthread_mutex_unlock(&vm.pci->lock);
	if (r)
		pthread_join(t, NULL);
	EXPECT(d.intx_level);
	EXPECT(pci_cfg_get16(&d, PCI_STATUS) & PCI_STATUS_INTERRUPT);
	tvm_fini(&vm);
}

TEST(pci_capability_lists)
{
	struct pci_dev d;
	u16 a, b;

	pci_dev_init(&d, "caps", 1, 1, 0, 0, true);
	EXPECT_EQ(pci_find_cap(&d, PCI_CAP_ID_MSI), 0);
	a = pci_add_cap(&d, PCI_CAP_ID_MSIX, 12);
	b = pci_add_cap(&d, PCI_CAP_ID_VNDR, 6);	/* rounded to 8 */
	EXPECT_EQ(a, 0x40);
	EXPECT_EQ(b, 0x4c);
	EXPECT(pci_cfg_get16(&d, PCI_STATUS) & PCI_STATUS_CAP_LIST);
	EXPECT_EQ(pci_cfg_get8(&d, PCI_CAPABILITY_LIST), 0x40);
	EXPECT_EQ(pci_cfg_get8(&d, a + 1), b);
	EXPECT_EQ(pci_cfg_get8(&d, b + 1), 0);
	EXPECT_EQ(pci_find_cap(&d, PCI_CAP_ID_VNDR), b);
	EXPECT_EQ(pci_find_cap(&d, PCI_CAP_ID_MSIX), a);
	EXPECT_EQ(pci_add_cap(&d, PCI_CAP_ID_VNDR, 0xb0), 0);	/* too big */
	EXPECT_EQ(pci_add_cap(&d, PCI_CAP_ID_EXP, 0x3c), 0x54);
	pci_dev_init(&d, "conventional", 1, 1, 0, 0, false);
	/* a looping list terminates */
	pci_add_cap(&d, PCI_CAP_ID_PM, 8);
	pci_cfg_set8(&d, 0x41, 0x40);
	EXPECT_EQ(pci_find_cap(&d, PCI_CAP_ID_MSI), 0);
}

static int record(void *arg, u32 off, u16 id)
{
	u32 *seen = arg;

	seen[++seen[0]] = off << 16 | id;
	return seen[0] == 3 ? 7 : 0;	/* stop after the third */
}

static int fail_at_0x50(const void *src, u32 off, u32 len, u32 *val)
{
	return off == 0x50 ? -1 : pci_cfg_rd_bytes(src, off, len, val);
}

/* The one walker: list order, loop and bad pointer ends, early stop. */
TEST(pci_cap_walker)
{
	u8 cfg[PCI_CFG_SIZE_EXP] = { 0 };
	u32 seen[8] = { 0 };

	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAPABILITY_LIST] = 0x43;	/* low bits ignored */
	cfg[0x40] = PCI_CAP_ID_PM, cfg[0x41] = 0x50;
	cfg[0x50] = PCI_CAP_ID_MSI, cfg[0x51] = 0x40;	/* loop back */
	EXPECT_EQ(pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE, false,
			       record, seen), 0);
	EXPECT_EQ(seen[0], 2);
	EXPECT_EQ(seen[1], 0x40u << 16 | PCI_CAP_ID_PM);
	EXPECT_EQ(seen[2], 0x50u << 16 | PCI_CAP_ID_MSI);
	seen[0] = 0;
	EXPECT_EQ(pci_cap_walk(fail_at_0x50, cfg, PCI_CFG_SIZE, false, record,
			       seen), 0);
	EXPECT_EQ(seen[0], 1);
	cfg[0x51] = 0x3c;			/* into the header: end */
	seen[0] = 0;
	pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE, false, record, seen);
	EXPECT_EQ(seen[0], 2);
	cfg[PCI_STATUS] = 0;			/* no list bit: nothing */
	seen[0] = 0;
	pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE, false, record, seen);
	EXPECT_EQ(seen[0], 0);
	/* extended: three linked, the walk stops at fn's value */
	cfg[0x100] = 1, cfg[0x102] = 0x01, cfg[0x103] = 0x20;	/* -> 0x200 */
	cfg[0x200] = 3, cfg[0x202] = 0x01, cfg[0x203] = 0x30;	/* -> 0x300 */
	cfg[0x300] = 0xb, cfg[0x302] = 0x01, cfg[0x303] = 0x10;	/* loop */
	seen[0] = 0;
	EXPECT_EQ(pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE, true,
			       record, seen), 0);	/* 256 bytes: none */
	EXPECT_EQ(seen[0], 0);
	EXPECT_EQ(pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE_EXP, true,
			       record, seen), 7);
	EXPECT_EQ(seen[3], 0x300u << 16 | 0xb);
	cfg[0x203] = 0x10;			/* 0x200 -> 0x100: a loop */
	seen[0] = 0;
	EXPECT_EQ(pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE_EXP, true,
			       record, seen), 0);
	EXPECT_EQ(seen[0], 2);
	cfg[0x200] = cfg[0x201] = cfg[0x202] = cfg[0x203] = 0xff;
	seen[0] = 0;				/* all-ones header: end */
	pci_cap_walk(pci_cfg_rd_bytes, cfg, PCI_CFG_SIZE_EXP, true, record,
		     seen);
	EXPECT_EQ(seen[0], 1);
}

/* One BAR rule set for every device type (VFIO's vcfg uses it too). */
TEST(pci_bar_rule_limits)
{
	EXPECT(!pci_bar_rule(0, 256, PCI_BAR_F_IO));
	EXPECT(pci_bar_rule(0, 512, PCI_BAR_F_IO));
	EXPECT(pci_bar_rule(0, 2, PCI_BAR_F_IO));
	EXPECT(pci_bar_rule(0, 16, PCI_BAR_F_IO | PCI_BAR_F_PREFETCH));
	EXPECT(!pci_bar_rule(0, 16, 0));
	EXPECT(pci_bar_rule(0, 8, 0));
	EXPECT(pci_bar_rule(0, 0x3000, 0));
	EXPECT(!pci_bar_rule(1, 2 * SZ_1G, 0));
	EXPECT(pci_bar_rule(1, 4 * SZ_1G, 0));
	EXPECT(!pci_bar_rule(4, 8 * SZ_1G, PCI_BAR_F_MEM64));
	EXPECT(pci_bar_rule(5, SZ_1M, PCI_BAR_F_MEM64));
	EXPECT(!pci_bar_rule(PCI_ROM_SLOT, 2048, 0));
	EXPECT(pci_bar_rule(PCI_ROM_SLOT, 1024, 0));
	EXPECT(pci_bar_rule(PCI_ROM_SLOT, 2 * SZ_1G, 0));
	EXPECT(pci_bar_rule(-1, 4096, 0));
	EXPECT(pci_bar_rule(7, 4096, 0));
}

/* A layer that stores guest writes in the one image itself (as VFIO's
 * does) and lets the bus decode them: BARs map once, INTx disable holds. */
static bool store_hook(struct pci_dev *dev, u32 off, const u8 *data, u32 len)
{
	pci_cfg_store(dev, off, data, len);
	pci_cfg_written(dev, off, len);
	return true;
}

static const struct pci_dev_ops store_ops = {
	.cfg_write = store_hook, .bar_map = t_map, .bar_unmap = t_unmap,
};

TEST(pci_cfg_written_decodes_a_stored_write)
{
	struct vm vm;
	struct pci_dev d;
	u16 bdf;

	tvm_init(&vm, 0x4000, SZ_1G / 2, SZ_1G);
	tdev_init(&d);
	d.ops = &store_ops;
	d.cfg_hook_end = PCI_CFG_SIZE;
	pci_cfg_set8(&d, PCI_INTERRUPT_PIN, 2);	/* the function's own pin */
	ASSERT_EQ(pci_register(&vm, &d), 0);
	bdf = d.bdf;
	EXPECT_EQ(rd(&vm, bdf, PCI_INTERRUPT_PIN, 1), 2);
	EXPECT_EQ(d.irq_pin, 1);		/* routed as INTA */
	EXPECT_EQ(rd(&vm, bdf, PCI_INTERRUPT_LINE, 1), d.gsi);
	EXPECT_EQ(pci_bar_addr(&d, 0), T_M32);
	wr(&vm, bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(mlog.n, 2);			/* BAR0 and BAR2/3 */
	EXPECT_STR(mlog.ev[0], "map 0 c0000000");
	wr(&vm, bdf, PCI_BASE_ADDRESS_0, 4, 0xc0010000);
	EXPECT_EQ(pci_bar_addr(&d, 0), 0xc0010000);
	EXPECT_EQ(mlog.n, 4);
	EXPECT_STR(mlog.ev[2], "unmap 0 c0000000");
	EXPECT_STR(mlog.ev[3], "map 0 c0010000");
	wr(&vm, bdf, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(mlog.n, 6);			/* both unmapped */
	EXPECT(pci_cfg_get16(&d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	pci_unregister(&d);
	tvm_fini(&vm);
}
