/* Unit tests for the BAR mapping planner (vfio/bar_plan.c): exact plans of
 * real device layouts at 4K/16K/64K host pages, kernel mmap rules, and
 * byte-level properties (coverage, alignment, only MSI-X traps). */
#include <stdlib.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "sim/vfio_layouts.h"

static bool build(const struct pci_bar_layout *l, int bir, u64 page,
		  struct bar_plan *p)
{
	char err[160] = "";
	int ret = bar_plan_build_layout(l, bir, false, page, p, err,
					sizeof(err));

	if (ret)
		fprintf(stderr, "bar_plan_build_layout: %s\n", err);
	return !ret;
}

/* Ranges ascend, touch, never repeat a kind, and cover [0, size). */
static bool plan_covers(const struct bar_plan *p, u64 size)
{
	u64 next = 0;
	u32 i;

	for (i = 0; i < p->nr; i++) {
		if (p->r[i].offset != next || !p->r[i].size)
			return false;
		if (i && p->r[i].kind == p->r[i - 1].kind)
			return false;
		next += p->r[i].size;
	}
	return next == size && p->size == size;
}

static bool in_area(u64 off, u64 start, u64 size)
{
	return size && off >= start && off - start < size;
}

struct msix_geom {
	u64 t0, tsz, p0, psz;
};

static void geom_of(const struct pci_bar_layout *l, int bir,
		    struct msix_geom *g)
{
	struct bar_msix m;

	bar_plan_msix_for_bar(l, bir, false, &m);
	g->t0 = m.table.offset;
	g->tsz = m.table.size;
	g->p0 = m.pba.offset;
	g->psz = m.pba.size;
}

static bool page_touches_msix(const struct msix_geom *g, u64 page_start,
			      u64 page)
{
	u64 end = page_start + page;

	return (g->tsz && g->t0 < end && g->t0 + g->tsz > page_start) ||
	       (g->psz && g->p0 < end && g->p0 + g->psz > page_start);
}

static bool in_msix_block(const struct msix_geom *g, u64 off)
{
	u64 blk = ALIGN_DOWN(off, MSIX_BLOCK_SIZE);

	return page_touches_msix(g, blk, MSIX_BLOCK_SIZE);
}

/* Checks one offset of a modern-kernel (MSIX_MAPPABLE) plan. */
static bool offset_ok(const struct pci_bar_layout *l, int bir, u64 page,
		      const struct msix_geom *g, const struct bar_plan *p,
		      u64 off)
{
	const struct bar_region *b = &l->bar[bir];
	enum bar_range_kind k = bar_plan_kind_at(p, off);
	bool mappable = !b->is_io && b->mmap && b->size >= page;
	bool trap_page = page_touches_msix(g, ALIGN_DOWN(off, page), page);

	if (in_area(off, g->t0, g->tsz))
		return k == BAR_RANGE_MSIX_TABLE;
	if (in_area(off, g->p0, g->psz))
		return k == BAR_RANGE_MSIX_PBA;
	if (in_msix_block(g, off))
		return k == BAR_RANGE_MSIX_TABLE || k == BAR_RANGE_MSIX_PBA;
	if (k == BAR_RANGE_MAP)
		return mappable && !trap_page;
	if (k == BAR_RANGE_FORWARD)
		return !mappable || trap_page;
	return false;
}

static bool map_ranges_aligned(const struct bar_plan *p, u64 page)
{
	u32 i;

	for (i = 0; i < p->nr; i++)
		if (p->r[i].kind == BAR_RANGE_MAP &&
		    (!IS_ALIGNED(p->r[i].offset, page) ||
		     !IS_ALIGNED(p->r[i].size, page)))
			return false;
	return true;
}

/*
 * Property check over every offset of BARs up to 256 KiB, a 256K-point
 * sample of larger ones, plus both ends of every range.
 */
static void check_props(const struct pci_bar_layout *l, int bir, u64 page)
{
	u64 size = l->bar[bir].size, off;
	u64 step = size > 256 * SZ_1K ? MAX(64, size >> 18) : 1;
	struct msix_geom g;
	struct bar_plan p;
	u32 i;

	ASSERT(build(l, bir, page, &p));
	geom_of(l, bir, &g);
	EXPECT(plan_covers(&p, size));
	EXPECT(map_ranges_aligned(&p, page));
	EXPECT_EQ(bar_plan_kind_at(&p, size), BAR_RANGE_NONE);
	for (off = 0; off < size; off += step)
		if (!EXPECT(offset_ok(l, bir, page, &g, &p, off)))
			break;
	for (i = 0; i < p.nr; i++) {
		u64 end = p.r[i].offset + p.r[i].size;

		EXPECT(offset_ok(l, bir, page, &g, &p, p.r[i].offset));
		EXPECT(offset_ok(l, bir, page, &g, &p, end - 1));
	}
}

static void check_layout_props(const struct pci_bar_layout *l)
{
	u32 i;
	int bir;

	for (i = 0; i < ARRAY_SIZE(host_pages); i++)
		for (bir = 0; bir < PCI_NUM_BARS; bir++)
			if (l->bar[bir].size)
				check_props(l, bir, host_pages[i]);
}

TEST(bar_plan_props_all_layouts)
{
	check_layout_props(&layout_i350);
	check_layout_props(&layout_sas);
	check_layout_props(&layout_nic);
	check_layout_props(&layout_nvme);
	check_layout_props(&layout_e1000e);
	check_layout_props(&layout_gpu);
	check_layout_props(&layout_full);
}

TEST(bar_plan_nvme)
{
	struct bar_plan p;

	ASSERT(build(&layout_nvme, 0, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000)));
	EXPECT_EQ(p.msix_shared_bytes, 0);

	ASSERT(build(&layout_nvme, 0, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000)));
	EXPECT_EQ(p.msix_shared_bytes, 0x2000);

	/* 16 KiB BAR below a 64 KiB page: nothing can map */
	ASSERT(build(&layout_nvme, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000)));
}

TEST(bar_plan_e1000e)
{
	struct bar_plan p;
	u32 i;

	ASSERT(build(&layout_e1000e, 3, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_MAP(0x1000, 0x2000),
		       R_PBA(0x2000, 0x3000), R_MAP(0x3000, 0x4000)));
	ASSERT(build(&layout_e1000e, 3, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_FWD(0x1000, 0x2000),
		       R_PBA(0x2000, 0x3000), R_FWD(0x3000, 0x4000)));
	EXPECT_EQ(p.msix_shared_bytes, 0x2000);
	ASSERT(build(&layout_e1000e, 3, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_FWD(0x1000, 0x2000),
		       R_PBA(0x2000, 0x3000), R_FWD(0x3000, 0x4000)));

	for (i = 0; i < ARRAY_SIZE(host_pages); i++) {
		ASSERT(build(&layout_e1000e, 0, host_pages[i], &p));
		EXPECT(PLAN_IS(&p, R_MAP(0, 0x20000)));
		ASSERT(build(&layout_e1000e, 1, host_pages[i], &p));
		EXPECT(PLAN_IS(&p, R_MAP(0, 0x20000)));
		ASSERT(build(&layout_e1000e, 2, host_pages[i], &p));
		EXPECT(PLAN_IS(&p, R_FWD(0, 0x20)));
	}
}

TEST(bar_plan_i350)
{
	struct bar_plan p;

	ASSERT(build(&layout_i350, 3, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_MAP(0x1000, 0x2000),
		       R_PBA(0x2000, 0x3000), R_MAP(0x3000, 0x4000)));
	ASSERT(build(&layout_i350, 3, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_FWD(0x1000, 0x2000),
		       R_PBA(0x2000, 0x3000), R_FWD(0x3000, 0x4000)));
	ASSERT(build(&layout_i350, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x20000)));
	ASSERT(build(&layout_i350, 2, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x20)));
	ASSERT(build(&layout_i350, 1, SZ_4K, &p));
	EXPECT_EQ(p.nr, 0);
}

TEST(bar_plan_sas)
{
	struct bar_plan p;

	ASSERT(build(&layout_sas, 1, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xe000), R_TBL(0xe000, 0xf000),
		       R_PBA(0xf000, 0x10000)));
	EXPECT_EQ(p.msix_shared_bytes, 0);
	ASSERT(build(&layout_sas, 1, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xc000), R_FWD(0xc000, 0xe000),
		       R_TBL(0xe000, 0xf000), R_PBA(0xf000, 0x10000)));
	EXPECT_EQ(p.msix_shared_bytes, 0x2000);
	ASSERT(build(&layout_sas, 1, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0xe000), R_TBL(0xe000, 0xf000),
		       R_PBA(0xf000, 0x10000)));
	EXPECT_EQ(p.msix_shared_bytes, 0xe000);
	ASSERT(build(&layout_sas, 0, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x100)));
	ASSERT(build(&layout_sas, 3, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x40000)));
}

TEST(bar_plan_nic_32m)
{
	struct bar_plan p;

	ASSERT(build(&layout_nic, 0, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000), R_MAP(0x4000, 32 * SZ_1M)));
	ASSERT(build(&layout_nic, 0, SZ_16K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000), R_MAP(0x4000, 32 * SZ_1M)));
	ASSERT(build(&layout_nic, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x2000), R_TBL(0x2000, 0x3000),
		       R_PBA(0x3000, 0x4000), R_FWD(0x4000, 0x10000),
		       R_MAP(0x10000, 32 * SZ_1M)));
	EXPECT_EQ(p.msix_shared_bytes, 0x2000 + 0xc000);
}

TEST(bar_plan_gpu_mid_bar_table)
{
	struct bar_plan p;

	ASSERT(build(&layout_gpu, 0, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xb90000), R_TBL(0xb90000, 0xb91000),
		       R_MAP(0xb91000, 0xba0000), R_PBA(0xba0000, 0xba1000),
		       R_MAP(0xba1000, 16 * SZ_1M)));
	ASSERT(build(&layout_gpu, 0, SZ_64K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xb90000), R_TBL(0xb90000, 0xb91000),
		       R_FWD(0xb91000, 0xba0000), R_PBA(0xba0000, 0xba1000),
		       R_FWD(0xba1000, 0xbb0000),
		       R_MAP(0xbb0000, 16 * SZ_1M)));
}

/* Pre-4.16 kernel: sparse areas around the table page, PBA mappable. */
TEST(bar_plan_old_kernel_sparse)
{
	struct pci_bar_layout l = layout_sas;
	struct bar_plan p;
	char err[128];

	layout_old_kernel(&l, SZ_4K);
	EXPECT_EQ(l.bar[1].nr_sparse, 2);
	ASSERT(build(&l, 1, SZ_4K, &p));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xe000), R_TBL(0xe000, 0xf000),
		       R_PBA(0xf000, 0x10000)));
	/* once relocated, the kernel still forbids the table page */
	ASSERT(!bar_plan_build_layout(&l, 1, true, SZ_4K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xe000), R_FWD(0xe000, 0xf000),
		       R_MAP(0xf000, 0x10000)));

	l = layout_sas;
	layout_old_kernel(&l, SZ_16K);
	EXPECT_EQ(l.bar[1].nr_sparse, 1);
	ASSERT(!bar_plan_build_layout(&l, 1, true, SZ_16K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xc000), R_FWD(0xc000, 0x10000)));

	l = layout_sas;
	layout_old_kernel(&l, SZ_64K);
	EXPECT_EQ(l.bar[1].nr_sparse, 0);
	ASSERT(!bar_plan_build_layout(&l, 1, true, SZ_64K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x10000)));
}

/* Neither MSIX_MAPPABLE nor sparse: assume the kernel's table-page rule. */
TEST(bar_plan_no_caps_kernel_rule)
{
	struct pci_bar_layout l = layout_sas;
	struct bar_plan p;
	char err[128];

	l.bar[1].msix_mappable = false;
	ASSERT(!bar_plan_build_layout(&l, 1, true, SZ_4K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xe000), R_FWD(0xe000, 0xf000),
		       R_MAP(0xf000, 0x10000)));
	ASSERT(!bar_plan_build_layout(&l, 1, true, SZ_16K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0xc000), R_FWD(0xc000, 0x10000)));
	/* with MSIX_MAPPABLE a relocated BAR maps whole */
	ASSERT(!bar_plan_build_layout(&layout_sas, 1, true, SZ_16K, &p, err,
				      sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x10000)));
	EXPECT_EQ(p.msix_shared_bytes, 0);
}

TEST(bar_plan_sparse_exact)
{
	struct bar_region b = { .size = 0x10000, .mmap = true,
				.has_sparse = true, .nr_sparse = 4,
				.sparse = { { 0, 0x3000 }, { 0x5800, 0x3800 },
					    { 0xc000, 0x4000 },
					    { 0xd000, 0x1000 } } };
	struct bar_plan p;
	char err[128];

	ASSERT(!bar_plan_build(&b, NULL, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x3000), R_FWD(0x3000, 0x6000),
		       R_MAP(0x6000, 0x9000), R_FWD(0x9000, 0xc000),
		       R_MAP(0xc000, 0x10000)));
	b.nr_sparse = 0;
	ASSERT(!bar_plan_build(&b, NULL, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x10000)));
	/* areas past the BAR end are clipped */
	b.nr_sparse = 1;
	b.sparse[0].offset = 0x8000;
	b.sparse[0].size = 0x100000;
	ASSERT(!bar_plan_build(&b, NULL, SZ_16K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x8000), R_MAP(0x8000, 0x10000)));
}

TEST(bar_plan_forward_only_cases)
{
	struct bar_region io = { .size = 0x100, .is_io = true, .mmap = true };
	struct bar_region nommap = { .size = 0x100000 };
	struct bar_region small = { .size = 0x800, .mmap = true,
				    .msix_mappable = true };
	struct bar_msix m = { .table = { 0x400, 0x40 } };
	struct bar_plan p;
	char err[128];

	ASSERT(!bar_plan_build(&io, NULL, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x100)));
	ASSERT(!bar_plan_build(&nommap, NULL, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x100000)));
	ASSERT(!bar_plan_build(&small, NULL, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_FWD(0, 0x800)));
	/* MSI-X in a BAR below one page: span clipped to the BAR */
	ASSERT(!bar_plan_build(&small, &m, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x800)));
	/* MSI-X in a non-mmap-able BAR still gets tagged */
	ASSERT(!bar_plan_build(&nommap, &m, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_TBL(0, 0x1000), R_FWD(0x1000, 0x100000)));
}

TEST(bar_plan_table_pba_share_block)
{
	struct bar_region b = { .size = 0x10000, .mmap = true,
				.msix_mappable = true };
	struct bar_msix m = { .table = { 0x8000, 0x40 },
			      .pba = { 0x8800, 8 } };
	struct bar_plan p;
	char err[128];

	ASSERT(!bar_plan_build(&b, &m, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x8000), R_TBL(0x8000, 0x8800),
		       R_PBA(0x8800, 0x9000), R_MAP(0x9000, 0x10000)));
	m.pba.offset = 0x8000;
	m.table.offset = 0x8100;
	ASSERT(!bar_plan_build(&b, &m, SZ_4K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x8000), R_PBA(0x8000, 0x8100),
		       R_TBL(0x8100, 0x9000), R_MAP(0x9000, 0x10000)));
	/* table spanning two blocks, PBA in the second */
	m.table.offset = 0x7f00;
	m.table.size = 0x200;
	m.pba.offset = 0x8400;
	ASSERT(!bar_plan_build(&b, &m, SZ_16K, &p, err, sizeof(err)));
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x4000), R_FWD(0x4000, 0x7000),
		       R_TBL(0x7000, 0x8400), R_PBA(0x8400, 0x9000),
		       R_FWD(0x9000, 0xc000), R_MAP(0xc000, 0x10000)));
	EXPECT_EQ(p.msix_shared_bytes, 0x3000 + 0x3000);
}

TEST(bar_plan_errors)
{
	struct bar_region b = { .size = 0x4000, .mmap = true };
	struct bar_msix m = { .table = { 0x3ff0, 0x20 } };
	struct bar_plan p;
	char err[160] = "";

	EXPECT(bar_plan_build(&b, &m, SZ_4K, &p, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "table");
	EXPECT_CONTAINS(err, "outside");
	m.table.size = 0;
	m.pba.offset = 0x4000;
	m.pba.size = 8;
	EXPECT(bar_plan_build(&b, &m, SZ_4K, &p, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "PBA");
	EXPECT(bar_plan_build(&b, NULL, 3000, &p, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "power of two");
	EXPECT(bar_plan_build(&b, NULL, 0, &p, NULL, 0) < 0);
	b.has_sparse = true;
	b.nr_sparse = BAR_PLAN_MAX_SPARSE + 1;
	EXPECT(bar_plan_build(&b, NULL, SZ_4K, &p, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "sparse");
	EXPECT(bar_plan_build_layout(&layout_nvme, 6, false, SZ_4K, &p, err,
				     sizeof(err)) < 0);
}

TEST(bar_plan_lookup_kinds)
{
	const struct bar_range *r;
	struct bar_plan p;

	ASSERT(build(&layout_nvme, 0, SZ_4K, &p));
	EXPECT_EQ(bar_plan_kind_at(&p, 0), BAR_RANGE_MAP);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x1fff), BAR_RANGE_MAP);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x2000), BAR_RANGE_MSIX_TABLE);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x240c), BAR_RANGE_MSIX_TABLE);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x2fff), BAR_RANGE_MSIX_TABLE);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x3000), BAR_RANGE_MSIX_PBA);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x3fff), BAR_RANGE_MSIX_PBA);
	EXPECT_EQ(bar_plan_kind_at(&p, 0x4000), BAR_RANGE_NONE);
	EXPECT_EQ(bar_plan_kind_at(&p, ~0ULL), BAR_RANGE_NONE);
	r = bar_plan_lookup(&p, 0x2abc);
	ASSERT(r);
	EXPECT_EQ(r->offset, 0x2000);
	EXPECT_EQ(r->size, 0x1000);
	EXPECT(r->kind != BAR_RANGE_MAP && r->kind != BAR_RANGE_NONE);
	p.nr = 0;
	EXPECT(!bar_plan_lookup(&p, 0));
}

TEST(bar_plan_append_merges)
{
	struct bar_plan p;

	memset(&p, 0, sizeof(p));
	EXPECT_EQ(bar_plan_append(&p, 0, 0x1000, BAR_RANGE_MAP), 0);
	EXPECT_EQ(bar_plan_append(&p, 0x1000, 0x1000, BAR_RANGE_MAP), 0);
	EXPECT_EQ(bar_plan_append(&p, 0x2000, 0, BAR_RANGE_FORWARD), 0);
	EXPECT_EQ(bar_plan_append(&p, 0x2000, 0x10, BAR_RANGE_FORWARD), 0);
	EXPECT(PLAN_IS(&p, R_MAP(0, 0x2000), R_FWD(0x2000, 0x2010)));
}

/* The MSI-X capability's three registers, as vfio/device.c reads them. */
TEST(msix_info_decode_fields)
{
	struct msix_info m;

	ASSERT_EQ(msix_info_decode(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL
				   | 64, 0x2003, 0x3003, &m), 0);
	EXPECT_EQ(m.vectors, 65);
	EXPECT_EQ(m.table_bir, 3);
	EXPECT_EQ(m.table_offset, 0x2000);
	EXPECT_EQ(m.pba_bir, 3);
	EXPECT_EQ(m.pba_offset, 0x3000);
	ASSERT_EQ(msix_info_decode(0x7ff, 0xfffff000, 0x10, &m), 0);
	EXPECT_EQ(m.vectors, 2048);
	EXPECT_EQ(m.table_offset, 0xfffff000);
	EXPECT_EQ(m.pba_bir, 0);
	EXPECT_EQ(msix_info_decode(0, 0x6, 0x0, &m), -1);	/* no BAR6 */
	EXPECT_EQ(msix_info_decode(0, 0x0, 0x1007, &m), -1);
}

TEST(bar_range_format_lines)
{
	struct bar_plan p;
	char line[96];

	ASSERT(build(&layout_nvme, 0, SZ_16K, &p));
	bar_range_format(&p.r[0], line, sizeof(line));
	EXPECT_STR(line, "TRAP forward    0x0-0x2000 (0x2000)");
	bar_range_format(&p.r[2], line, sizeof(line));
	EXPECT_STR(line, "TRAP msix-pba   0x3000-0x4000 (0x1000)");
	ASSERT(build(&layout_nvme, 0, SZ_4K, &p));
	bar_range_format(&p.r[0], line, sizeof(line));
	EXPECT_STR(line, "MAP             0x0-0x2000 (0x2000)");
	EXPECT_STR(bar_range_kind_name(BAR_RANGE_PAD), "TRAP pad");
	EXPECT_STR(bar_range_kind_name(BAR_RANGE_NONE), "NONE");
	bar_plan_print(&p, "test BAR0");	/* silent without --debug */
}
