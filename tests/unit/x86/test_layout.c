/* Unit tests for x86/layout.c: how guest RAM is split around the 32-bit
 * hole (below 3 GiB, then from 4 GiB). */
#include "../unit.h"
#include "x86/layout.h"

TEST(layout_small_ram_is_all_low)
{
	struct x86_mem_layout l;

	x86_mem_layout(512 * SZ_1M, &l);
	EXPECT_EQ(l.ram_size, 512 * SZ_1M);
	EXPECT_EQ(l.low_size, 512 * SZ_1M);
	EXPECT_EQ(l.high_size, 0);
}

TEST(layout_exactly_hole_start)
{
	struct x86_mem_layout l;

	x86_mem_layout(X86_HOLE_START, &l);
	EXPECT_EQ(l.low_size, X86_HOLE_START);
	EXPECT_EQ(l.high_size, 0);
}

TEST(layout_splits_above_hole)
{
	struct x86_mem_layout l;

	x86_mem_layout(8 * SZ_1G, &l);
	EXPECT_EQ(l.ram_size, 8 * SZ_1G);
	EXPECT_EQ(l.low_size, 3 * SZ_1G);
	EXPECT_EQ(l.high_size, 5 * SZ_1G);

	x86_mem_layout(X86_HOLE_START + 4096, &l);
	EXPECT_EQ(l.low_size, X86_HOLE_START);
	EXPECT_EQ(l.high_size, 4096);
}

TEST(layout_hole_is_below_4g_devices)
{
	/* the hole must cover the PCI window, ECAM, IOAPIC and LAPIC */
	EXPECT(X86_HOLE_START <= X86_PCI_MMIO32);
	EXPECT(X86_PCI_MMIO32 + X86_PCI_MMIO32_SIZE <= X86_PCI_ECAM);
	EXPECT(X86_PCI_ECAM + X86_PCI_ECAM_SIZE <= X86_IOAPIC_BASE);
	EXPECT(X86_TSS_ADDR + 3 * 4096 <= SZ_4G);
}
