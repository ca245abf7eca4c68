/* Unit tests for the MSI-X relocation chooser (vfio/msix_reloc.c): option
 * parsing, auto decisions per host page size, free slot vs enlarged BAR,
 * refusals, and the guest-visible BAR plans after relocation. */
#include "unit.h"
#include "sim/vfio_layouts.h"
#include "vfio/msix_reloc.h"

static const struct msix_reloc_opt opt_auto = { MSIX_RELOC_AUTO, -1 };

static bool choose(const struct pci_bar_layout *l, const char *mode,
		   u64 page, struct msix_reloc_result *res)
{
	struct msix_reloc_opt opt;
	char err[200] = "";

	if (msix_reloc_parse(mode, &opt, err, sizeof(err)) ||
	    msix_reloc_choose(l, &opt, page, res, err, sizeof(err))) {
		fprintf(stderr, "choose(%s): %s\n", mode, err);
		return false;
	}
	return true;
}

/* Expects failure; returns the error text in @err. */
static bool refuses(const struct pci_bar_layout *l, const char *mode,
		    u64 page, char *err, size_t len)
{
	struct msix_reloc_result res;
	struct msix_reloc_opt opt;

	err[0] = '\0';
	if (msix_reloc_parse(mode, &opt, err, len))
		return false;
	return msix_reloc_choose(l, &opt, page, &res, err, len) < 0;
}

static bool vplan(const struct pci_bar_layout *l,
		  const struct msix_reloc_result *res, int bir, u64 page,
		  struct bar_plan *p)
{
	char err[160] = "";

	if (!msix_reloc_bar_plan(l, res, bir, page, p, err, sizeof(err)))
		return true;
	fprintf(stderr, "msix_reloc_bar_plan: %s\n", err);
	return false;
}

TEST(msix_reloc_parse_modes)
{
	struct msix_reloc_opt o;
	char err[128];
	int i;

	EXPECT_EQ(msix_reloc_parse("off", &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, MSIX_RELOC_OFF);
	EXPECT_EQ(msix_reloc_parse(NULL, &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, MSIX_RELOC_OFF);
	EXPECT_EQ(msix_reloc_parse("auto", &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, MSIX_RELOC_AUTO);
	for (i = 0; i < 6; i++) {
		char s[16];

		snprintf(s, sizeof(s), "bar%d", i);
		EXPECT_EQ(msix_reloc_parse(s, &o, err, sizeof(err)), 0);
		EXPECT_EQ(o.mode, MSIX_RELOC_BAR);
		EXPECT_EQ(o.bar, i);
	}
	EXPECT(msix_reloc_parse("bar6", &o, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "bar6");
	EXPECT(msix_reloc_parse("bar", &o, err, sizeof(err)) < 0);
	EXPECT(msix_reloc_parse("bar01", &o, err, sizeof(err)) < 0);
	EXPECT(msix_reloc_parse("on", &o, err, sizeof(err)) < 0);
	EXPECT(msix_reloc_parse("", &o, err, sizeof(err)) < 0);
}

TEST(msix_reloc_nvme_16k_auto_free_slot)
{
	struct msix_reloc_result res;
	struct bar_plan p;

	ASSERT(choose(&layout_nvme, "auto", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 2);	/* BAR0/1 are one 64-bit BAR */
	EXPECT(res.created);
	EXPECT_EQ(res.table_bir, 2);
	EXPECT_EQ(res.table_offset, 0);
	EXPECT_EQ(res.pba_bir, 2);
	EXPECT_EQ(res.pba_offset, 0x4000);
	EXPECT_EQ(res.vbar_size[2], 0x8000);
	EXPECT(!res.vbar_is_64[2]);
	EXPECT_EQ(res.vbar_size[0], 0x4000);
	EXPECT(res.vbar_is_64[0]);
	EXPECT_CONTAINS(res.reason, "new BAR2");

	ASSERT(vplan(&layout_nvme, &res, 0, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x4000)));
	ASSERT(vplan(&layout_nvme, &res, 2, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_PAD(0x1000, 0x4000),
		       R_PBA(0x4000, 0x5000), R_PAD(0x5000, 0x8000)));
	ASSERT(vplan(&layout_nvme, &res, 1, SZ_16K, &p));
	EXPECT_EQ(p.nr, 0);
}

TEST(msix_reloc_nvme_4k_auto_stays)
{
	struct msix_reloc_result res;
	struct bar_plan p;

	ASSERT(choose(&layout_nvme, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
	EXPECT_CONTAINS(res.reason, "share no host page");
	EXPECT_EQ(res.table_bir, 0);
	EXPECT_EQ(res.table_offset, 0x2000);
	EXPECT_EQ(res.pba_offset, 0x3000);
	EXPECT_EQ(res.vbar_size[0], 0x4000);
	EXPECT_EQ(res.vbar_size[2], 0);
	ASSERT(vplan(&layout_nvme, &res, 0, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000)));
}

/* A 16 KiB BAR under 64 KiB pages can never map: relocating gains nothing. */
TEST(msix_reloc_nvme_64k_auto_no_gain)
{
	struct msix_reloc_result res;

	ASSERT(choose(&layout_nvme, "auto", SZ_64K, &res));
	EXPECT(!res.relocate);
	EXPECT_CONTAINS(res.reason, "would not");
	EXPECT_EQ(res.trapped_bytes, 0x2000);
	EXPECT(!res.relocation_helps);
}

/* What MSI-X in place costs: the registers beside it that trap, and whether
 * relocation would map them (reported at start-up). */
TEST(msix_reloc_trapped_bytes)
{
	struct msix_reloc_result res;

	ASSERT(choose(&layout_nvme, "off", SZ_16K, &res));
	EXPECT(!res.relocate);
	EXPECT_EQ(res.trapped_bytes, 0x2000);	/* BAR0 0x0-0x2000 */
	EXPECT(res.relocation_helps);
	EXPECT_CONTAINS(res.reason, "auto would map them");
	ASSERT(choose(&layout_nvme, "auto", SZ_16K, &res));
	EXPECT(res.relocate);
	EXPECT_EQ(res.trapped_bytes, 0);
	EXPECT(res.relocation_helps);
	ASSERT(choose(&layout_nvme, "off", SZ_4K, &res));
	EXPECT_EQ(res.trapped_bytes, 0);
	EXPECT(!res.relocation_helps);
	EXPECT_STR(res.reason, "msix-relocation=off");
	ASSERT(choose(&layout_nvme, "auto", SZ_4K, &res));
	EXPECT_EQ(res.trapped_bytes, 0);
	ASSERT(choose(&layout_nvme, "bar4", SZ_16K, &res));
	EXPECT(res.relocate);
	EXPECT_EQ(res.trapped_bytes, 0);
}

TEST(msix_reloc_nvme_explicit)
{
	struct msix_reloc_result res;
	struct bar_plan p;
	char err[200];

	/* explicit relocation happens even when auto would not */
	ASSERT(choose(&layout_nvme, "bar2", SZ_4K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.vbar_size[2], 0x2000);
	EXPECT_EQ(res.pba_offset, 0x1000);
	ASSERT(vplan(&layout_nvme, &res, 2, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_PBA(0x1000, 0x2000)));

	/* enlarge the 64-bit BAR0 itself: device range stays below */
	ASSERT(choose(&layout_nvme, "bar0", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT(!res.created);
	EXPECT_EQ(res.target_old_size, 0x4000);
	EXPECT_EQ(res.table_offset, 0x4000);
	EXPECT_EQ(res.pba_offset, 0x8000);
	EXPECT_EQ(res.vbar_size[0], 0x10000);
	EXPECT(res.vbar_is_64[0]);
	ASSERT(vplan(&layout_nvme, &res, 0, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x4000), R_TBL(0x4000, 0x5000),
		       R_PAD(0x5000, 0x8000), R_PBA(0x8000, 0x9000),
		       R_PAD(0x9000, 0x10000)));

	/* 64K pages: the added half starts on a host page */
	ASSERT(choose(&layout_nvme, "bar0", SZ_64K, &res));
	EXPECT_EQ(res.table_offset, 0x10000);
	EXPECT_EQ(res.pba_offset, 0x20000);
	EXPECT_EQ(res.vbar_size[0], 0x40000);
	ASSERT(vplan(&layout_nvme, &res, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x4000), R_PAD(0x4000, 0x10000),
		       R_TBL(0x10000, 0x11000), R_PAD(0x11000, 0x20000),
		       R_PBA(0x20000, 0x21000), R_PAD(0x21000, 0x40000)));

	EXPECT(refuses(&layout_nvme, "bar1", SZ_16K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "msix-relocation=bar1");
	EXPECT_CONTAINS(err, "upper half of 64-bit BAR0");
}

TEST(msix_reloc_sas)
{
	struct msix_reloc_result res;
	struct bar_plan p;
	char err[200];

	ASSERT(choose(&layout_sas, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);

	ASSERT(choose(&layout_sas, "auto", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 5);
	EXPECT(res.created);
	EXPECT_EQ(res.vbar_size[5], 0x8000);
	ASSERT(vplan(&layout_sas, &res, 1, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x10000)));

	ASSERT(choose(&layout_sas, "auto", SZ_64K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 5);
	EXPECT_EQ(res.pba_offset, 0x10000);
	EXPECT_EQ(res.vbar_size[5], 0x20000);

	/* into its own BAR: 64 KiB -> 128 KiB, registers map whole */
	ASSERT(choose(&layout_sas, "bar1", SZ_4K, &res));
	EXPECT_EQ(res.vbar_size[1], 0x20000);
	ASSERT(vplan(&layout_sas, &res, 1, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x10000), R_TBL(0x10000, 0x11000),
		       R_PBA(0x11000, 0x12000), R_PAD(0x12000, 0x20000)));

	EXPECT(refuses(&layout_sas, "bar0", SZ_4K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "I/O BAR");
	EXPECT(refuses(&layout_sas, "bar4", SZ_4K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "upper half of 64-bit BAR3");
}

/* Old kernel: the table page stays unmappable even after relocation. */
TEST(msix_reloc_old_kernel_no_gain)
{
	struct pci_bar_layout l = layout_sas;
	struct msix_reloc_result res;

	layout_old_kernel(&l, SZ_16K);
	ASSERT(choose(&l, "auto", SZ_16K, &res));
	EXPECT(!res.relocate);
	EXPECT_CONTAINS(res.reason, "would not");

	/* 4K: relocation would make the PBA page mappable, but nothing
	 * shares it with registers, so auto still stays */
	l = layout_sas;
	layout_old_kernel(&l, SZ_4K);
	ASSERT(choose(&l, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
}

TEST(msix_reloc_i350_e1000e)
{
	struct msix_reloc_result res;
	char err[200];

	ASSERT(choose(&layout_i350, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
	ASSERT(choose(&layout_i350, "auto", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 1);
	EXPECT_EQ(res.vbar_size[1], 0x8000);

	ASSERT(choose(&layout_e1000e, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
	ASSERT(choose(&layout_e1000e, "auto", SZ_64K, &res));
	EXPECT(!res.relocate);	/* 16 KiB BAR3 under a 64 KiB page */
	ASSERT(choose(&layout_e1000e, "auto", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 4);
	EXPECT(refuses(&layout_e1000e, "bar2", SZ_4K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "I/O BAR");
	ASSERT(choose(&layout_e1000e, "bar5", SZ_4K, &res));
	EXPECT_EQ(res.vbar_size[5], 0x2000);
}

/* No free slot: enlarge the smallest memory BAR. */
TEST(msix_reloc_gpu_extends_smallest)
{
	struct msix_reloc_result res;
	struct bar_plan p;

	ASSERT(choose(&layout_gpu, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
	ASSERT(choose(&layout_gpu, "auto", SZ_64K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 0);
	EXPECT(!res.created);
	EXPECT_EQ(res.target_old_size, 16 * SZ_1M);
	EXPECT_EQ(res.vbar_size[0], 32 * SZ_1M);
	EXPECT_EQ(res.table_offset, 16 * SZ_1M);
	EXPECT_EQ(res.pba_offset, 16 * SZ_1M + SZ_64K);
	EXPECT_CONTAINS(res.reason, "enlarged BAR0");
	ASSERT(vplan(&layout_gpu, &res, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 16 * SZ_1M),
		       R_TBL(16 * SZ_1M, 16 * SZ_1M + 0x1000),
		       R_PAD(16 * SZ_1M + 0x1000, 16 * SZ_1M + SZ_64K),
		       R_PBA(16 * SZ_1M + SZ_64K, 16 * SZ_1M + SZ_64K + 0x1000),
		       R_PAD(16 * SZ_1M + SZ_64K + 0x1000, 32 * SZ_1M)));
}

/* A 32-bit BAR cannot pass 2 GiB: skip it for the next candidate. */
TEST(msix_reloc_32bit_limit)
{
	struct pci_bar_layout l = layout_gpu;
	struct msix_reloc_result res;
	char err[200];

	l.bar[0].size = 2 * SZ_1G;
	l.bar[1].size = 8 * SZ_1G;
	l.bar[3].size = 4 * SZ_1G;
	ASSERT(choose(&l, "auto", SZ_64K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 3);
	EXPECT_EQ(res.vbar_size[3], 8 * SZ_1G);
	EXPECT_EQ(res.table_offset, 4 * SZ_1G);
	EXPECT_EQ(res.vbar_size[0], 2 * SZ_1G);
	EXPECT(refuses(&l, "bar0", SZ_64K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "2 GiB");
	EXPECT_CONTAINS(err, "32-bit");

	/* 1 GiB + table: 32-bit BAR goes to exactly 2 GiB, still allowed */
	l.bar[0].size = SZ_1G;
	ASSERT(choose(&l, "bar0", SZ_64K, &res));
	EXPECT_EQ(res.vbar_size[0], 2 * SZ_1G);
}

TEST(msix_reloc_no_slot_nothing_extendable)
{
	struct msix_reloc_result res;
	char err[200];

	ASSERT(choose(&layout_full, "auto", SZ_16K, &res));
	EXPECT(!res.relocate);
	EXPECT_CONTAINS(res.reason, "no free BAR slot");
	EXPECT_CONTAINS(res.reason, "2 GiB");
	EXPECT_EQ(res.table_bir, 0);
	EXPECT_EQ(res.table_offset, 0x2000);
	EXPECT(refuses(&layout_full, "bar1", SZ_16K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "I/O BAR");
	EXPECT(refuses(&layout_full, "bar5", SZ_16K, err, sizeof(err)));
	EXPECT_CONTAINS(err, "2 GiB");
}

TEST(msix_reloc_off_and_errors)
{
	struct pci_bar_layout l = layout_nvme;
	struct msix_reloc_result res;
	struct msix_reloc_opt bad = { (enum msix_reloc_mode)9, -1 };
	char err[200];

	ASSERT(choose(&layout_nvme, "off", SZ_16K, &res));
	EXPECT(!res.relocate);
	EXPECT_STR(res.reason, "msix-relocation=off (auto would map them)");
	EXPECT_EQ(res.vbar_size[0], 0x4000);

	EXPECT(msix_reloc_choose(&layout_nvme, &opt_auto, 2048, &res, err,
				 sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "page size");
	EXPECT(msix_reloc_choose(&layout_nvme, &bad, SZ_4K, &res, err,
				 sizeof(err)) < 0);
	l.has_msix = false;
	EXPECT(msix_reloc_choose(&l, &opt_auto, SZ_4K, &res, err,
				 sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "no MSI-X");
	l = layout_nvme;
	l.msix.vectors = 0;
	EXPECT(msix_reloc_choose(&l, &opt_auto, SZ_4K, &res, err,
				 sizeof(err)) < 0);
	l = layout_nvme;
	l.msix.pba_offset = 0x4000;	/* past the BAR */
	EXPECT(msix_reloc_choose(&l, &opt_auto, SZ_4K, &res, err,
				 sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "outside");
}

/* Table in BAR0, PBA in a separate small BAR2. */
TEST(msix_reloc_split_table_pba)
{
	static const struct pci_bar_layout l = {
		.bar = { [0] = MEM32(64 * SZ_1K), [2] = MEM32(8 * SZ_1K) },
		.has_msix = true,
		.msix = { .vectors = 32, .table_bir = 0, .table_offset = 0x2000,
			  .pba_bir = 2, .pba_offset = 0x1000 },
	};
	struct msix_reloc_result res;
	struct bar_plan p;

	ASSERT(choose(&l, "auto", SZ_4K, &res));
	EXPECT(!res.relocate);
	ASSERT(vplan(&l, &res, 2, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x1000), R_PBA(0x1000, 0x2000)));
	ASSERT(choose(&l, "auto", SZ_16K, &res));
	ASSERT(res.relocate);
	EXPECT_EQ(res.target, 1);
	EXPECT_EQ(res.pba_bir, 1);
	ASSERT(vplan(&l, &res, 0, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x10000)));
	ASSERT(vplan(&l, &res, 2, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x2000)));	/* below one page */
}

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

/* Every successful relocation yields sane guest BARs and plans. */
static void check_reloc_props(const struct pci_bar_layout *l, u64 page,
			      const char *mode)
{
	struct msix_reloc_result res;
	struct msix_reloc_opt opt;
	struct bar_plan p;
	char err[200];
	int i, t;

	ASSERT(!msix_reloc_parse(mode, &opt, err, sizeof(err)));
	if (msix_reloc_choose(l, &opt, page, &res, err, sizeof(err)) ||
	    !res.relocate)
		return;
	t = res.target;
	EXPECT(res.table_bir == t && res.pba_bir == t);
	EXPECT(IS_ALIGNED(res.table_offset, page));
	EXPECT(IS_ALIGNED(res.pba_offset, page));
	EXPECT(res.table_offset >= l->bar[t].size);
	EXPECT(res.pba_offset >= res.table_offset +
	       msix_table_size(l->msix.vectors));
	EXPECT(res.pba_offset + msix_pba_size(l->msix.vectors) <=
	       res.vbar_size[t]);
	EXPECT(is_pow2(res.vbar_size[t]));
	EXPECT(res.vbar_size[t] >= page);
	if (!res.vbar_is_64[t])
		EXPECT(res.vbar_size[t] <= 2 * SZ_1G);
	for (i = 0; i < PCI_NUM_BARS; i++) {
		u64 off, step;

		if (!vplan(l, &res, i, page, &p))
			continue;
		EXPECT_EQ(p.size, res.vbar_size[i]);
		EXPECT_EQ(p.msix_shared_bytes, 0);
		step = MAX(0x800, p.size / 4096);
		for (off = 0; i != t && off < p.size; off += step) {
			enum bar_range_kind k = bar_plan_kind_at(&p, off);

			EXPECT(k == BAR_RANGE_MAP || k == BAR_RANGE_FORWARD);
		}
	}
	ASSERT(vplan(l, &res, t, page, &p));
	EXPECT_EQ(bar_plan_kind_at(&p, res.table_offset),
		  BAR_RANGE_MSIX_TABLE);
	EXPECT_EQ(bar_plan_kind_at(&p, res.pba_offset), BAR_RANGE_MSIX_PBA);
	EXPECT(bar_plan_kind_at(&p, res.vbar_size[t] - 1) == BAR_RANGE_PAD ||
	       bar_plan_kind_at(&p, res.vbar_size[t] - 1) ==
	       BAR_RANGE_MSIX_PBA);
}

TEST(msix_reloc_props_all_layouts)
{
	static const struct pci_bar_layout *all[] = {
		&layout_i350, &layout_sas, &layout_nic, &layout_nvme,
		&layout_e1000e, &layout_gpu, &layout_full,
	};
	static const char *modes[] = {
		"auto", "bar0", "bar1", "bar2", "bar3", "bar4", "bar5",
	};
	u32 i, j, k;

	for (i = 0; i < ARRAY_SIZE(all); i++)
		for (j = 0; j < ARRAY_SIZE(host_pages); j++)
			for (k = 0; k < ARRAY_SIZE(modes); k++)
				check_reloc_props(all[i], host_pages[j],
						  modes[k]);
}
