/* Unit tests of the PC PCI windows (x86/pci.c): I/O and 32-bit windows,
 * and the 64-bit window placed above high RAM within the physical bits. */
#include "../unit.h"
#include "pci/pci.h"
#include "x86/layout.h"

TEST(x86_pci_window_layout)
{
	struct x86_mem_layout l;
	struct pci_windows w;

	x86_mem_layout(512 * SZ_1M, &l);
	x86_pci_windows(&l, 40, &w);
	EXPECT_EQ(w.mem64_base, SZ_4G);
	EXPECT_EQ(w.mem32_base, X86_PCI_MMIO32);
	EXPECT_EQ(w.io_base, 0xc000);
	EXPECT_EQ(w.io_base + w.io_size, 0x10000);
	x86_mem_layout(4608 * SZ_1M, &l);	/* 1.5 GiB above 4 GiB */
	x86_pci_windows(&l, 40, &w);
	EXPECT_EQ(w.mem64_base, 6 * SZ_1G);
	EXPECT(w.mem64_base + w.mem64_size <= (1ULL << 40));
	x86_mem_layout(8 * SZ_1G, &l);		/* ends at 9 GiB exactly */
	x86_pci_windows(&l, 40, &w);
	EXPECT_EQ(w.mem64_base, 9 * SZ_1G);
	x86_pci_windows(&l, 32, &w);
	EXPECT_EQ(w.mem64_size, 0);
}
