/* Unit tests for the root ports' window plan (pci/rootport_plan.c): port
 * windows aligned at the tops of the bus windows, bus 0 keeping the rest,
 * no ports or no windows, and the refusals (too small, bad size) leaving
 * the bus windows as they were. */
#include "unit.h"
#include "pci/rootport.h"

static struct pci_windows x86_like(void)
{
	struct pci_windows w = { 0 };

	w.mem32_base = 0xc0000000ULL;
	w.mem32_size = 0x20000000ULL;
	w.mem64_base = 0x8000000000ULL;
	w.mem64_size = 0x8000000000ULL;
	return w;
}

TEST(rootport_plan_defaults)
{
	struct pci_windows w = x86_like();
	struct rp_window out[2];
	char err[160] = "";

	ASSERT_EQ(rootport_plan(&w, 2, RP_DEF_MEM, RP_DEF_PREF, out, err,
				sizeof(err)), 0);
	EXPECT_EQ(out[0].mem_base, 0xde000000ULL);
	EXPECT_EQ(out[1].mem_base, 0xdf000000ULL);
	EXPECT_EQ(out[1].mem_size, RP_DEF_MEM);
	EXPECT_EQ(out[0].pref_base, 0xffe0000000ULL);
	EXPECT_EQ(out[1].pref_base, 0xfff0000000ULL);
	EXPECT_EQ(out[0].pref_size, RP_DEF_PREF);
	EXPECT_EQ(w.mem32_base, 0xc0000000ULL);
	EXPECT_EQ(w.mem32_size, 0x1e000000ULL);
	EXPECT_EQ(w.mem64_size, 0x7fe0000000ULL);
}

TEST(rootport_plan_alignment_and_none)
{
	struct pci_windows w = { 0 };
	struct rp_window out[3];
	char err[160];

	/* a window whose top is not aligned: ports go below it, aligned */
	w.mem32_base = 0x10000000ULL;
	w.mem32_size = 0x07f00000ULL;	/* top 0x17f00000 */
	ASSERT_EQ(rootport_plan(&w, 3, 4 * SZ_1M, 0, out, err, sizeof(err)), 0);
	EXPECT_EQ(out[0].mem_base, 0x17000000ULL);
	EXPECT_EQ(out[2].mem_base, 0x17800000ULL);
	EXPECT_EQ(out[0].pref_size, 0);
	EXPECT_EQ(out[0].pref_base, 0);
	EXPECT_EQ(w.mem32_size, 0x07000000ULL);
	/* no ports: nothing changes */
	w = x86_like();
	ASSERT_EQ(rootport_plan(&w, 0, RP_DEF_MEM, RP_DEF_PREF, out, err,
				sizeof(err)), 0);
	EXPECT_EQ(w.mem32_size, 0x20000000ULL);
	EXPECT_EQ(w.mem64_size, 0x8000000000ULL);
}

TEST(rootport_plan_refusals)
{
	struct pci_windows w = x86_like();
	struct rp_window out[8];
	char err[160] = "";

	EXPECT_EQ(rootport_plan(&w, 2, 3 * SZ_1M, 0, out, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "power of two");
	EXPECT_EQ(rootport_plan(&w, 2, SZ_1M / 2, 0, out, err, sizeof(err)), -1);
	EXPECT_EQ(rootport_plan(&w, 8, 128 * SZ_1M, 0, out, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "8 root ports with 128 MiB of the 32-bit PCI");
	EXPECT_CONTAINS(err, "--hotplug-mem");
	/* the 32-bit part fits, the prefetchable one does not: no change */
	w.mem64_size = 0;
	EXPECT_EQ(rootport_plan(&w, 2, RP_DEF_MEM, RP_DEF_PREF, out, err,
				sizeof(err)), -1);
	EXPECT_CONTAINS(err, "--hotplug-pref");
	EXPECT_EQ(w.mem32_size, 0x20000000ULL);
}
