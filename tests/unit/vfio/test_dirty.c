/* Unit tests of DMA dirty tracking (vfio/dirty.c) on the simulated type1
 * container: the MIGRATION capability read at attach, start/bitmap/stop,
 * pages a device wrote reported once at their place, and the refusals
 * named (no capability, another page size, tracking off, a failing
 * bitmap); the container's exit leaves nothing. */
#include "unit.h"
#include "sim/vfio_sim.h"
#include "vfio/vfio.h"

#define RAM	(64u << 20)

struct dfix {
	struct vfio_sim s;
	struct vfio_container c;
	struct vfio_device d;
	struct guest_mem m;
	char why[256];
};

/* An nvme in a type1 container (dirty tracking offered when cap) with
 * two RAM regions mapped: [0, 64 MiB) and [4 GiB, +64 MiB). */
static int dfix_open(struct dfix *f, bool cap)
{
	struct vfio_spec sp;

	memset(f, 0, sizeof(*f));
	if (vfio_sim_init(&f->s))
		return -1;
	f->s.dirty_cap = cap;
	vfio_sim_add(&f->s, SIM_NVME, "0000:01:00.0", 7);
	vfio_container_init(&f->c, &f->s.ops);
	f->m.r[f->m.nr++] = (struct guest_region){ 0, RAM,
		(void *)0x7f0000000000 };
	f->m.r[f->m.nr++] = (struct guest_region){ SZ_4G, RAM,
		(void *)0x7f0010000000 };
	if (vfio_spec_parse("01:00.0,iommu=legacy", &sp, f->why,
			    sizeof(f->why)) ||
	    vfio_device_open(&f->c, &sp, &f->d, f->why, sizeof(f->why)))
		return -1;
	return vfio_dma_map_guest(&f->c, &f->m, f->why, sizeof(f->why));
}

static void dfix_close(struct dfix *f)
{
	vfio_device_close(&f->d);
	vfio_container_exit(&f->c);
	EXPECT_EQ(f->s.open_fds, 0);
	EXPECT_EQ(f->s.bad_calls, 0);
	vfio_sim_destroy(&f->s);
}

TEST(vfio_dirty_pages_written_reported_once)
{
	static u64 bits[RAM / 4096 / 64];
	struct dfix f;
	u32 i, n = 0;

	ASSERT_EQ(dfix_open(&f, true), 0);
	EXPECT_EQ(f.c.dirty_pgsizes, 4096);
	EXPECT_EQ(f.c.dirty_max_bitmap, 1ull << 28);
	ASSERT_EQ(vfio_dirty_start(&f.c, 4096, f.why, sizeof(f.why)), 0);
	EXPECT(f.s.dirty_on);
	vfio_sim_dma_write(&f.s, 0x5000);
	vfio_sim_dma_write(&f.s, SZ_4G + 0x41234);	/* the other region */
	memset(bits, 0xff, sizeof(bits));	/* filled in, not ORed */
	ASSERT_EQ(vfio_dirty_get(&f.c, 0, RAM, 4096, bits, f.why,
				 sizeof(f.why)), 0);
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		n += __builtin_popcountll(bits[i]);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(bits[0], 1ull << 5);
	ASSERT_EQ(vfio_dirty_get(&f.c, SZ_4G, RAM, 4096, bits, f.why,
				 sizeof(f.why)), 0);
	EXPECT_EQ(bits[1], 1ull << 1);		/* page 0x41 = 65 */
	ASSERT_EQ(vfio_dirty_get(&f.c, SZ_4G, RAM, 4096, bits, f.why,
				 sizeof(f.why)), 0);
	EXPECT_EQ(bits[1], 0);			/* reported once */
	vfio_dirty_stop(&f.c);
	EXPECT(!f.s.dirty_on);
	EXPECT_EQ(f.s.dirty_stops, 1);
	vfio_dirty_stop(&f.c);			/* off already: nothing */
	EXPECT_EQ(f.s.dirty_stops, 1);
	EXPECT_EQ(vfio_dirty_get(&f.c, 0, RAM, 4096, bits, f.why,
				 sizeof(f.why)), -1);
	EXPECT_STR(f.why, "vfio: DMA dirty tracking is off");
	dfix_close(&f);
}

TEST(vfio_dirty_refusals_named)
{
	static u64 bits[RAM / 4096 / 64];
	struct dfix f;

	ASSERT_EQ(dfix_open(&f, false), 0);
	EXPECT_EQ(vfio_dirty_start(&f.c, 4096, f.why, sizeof(f.why)), -1);
	EXPECT_STR(f.why, "the type1 container tracks no dirty 4 KiB pages "
		   "(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION absent)");
	EXPECT_EQ(f.s.dirty_starts, 0);
	dfix_close(&f);

	ASSERT_EQ(dfix_open(&f, true), 0);
	EXPECT_EQ(vfio_dirty_start(&f.c, 16384, f.why, sizeof(f.why)), -1);
	EXPECT_STR(f.why, "the type1 container tracks no dirty 16 KiB pages "
		   "(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)");
	ASSERT_EQ(vfio_dirty_start(&f.c, 4096, f.why, sizeof(f.why)), 0);
	f.s.dirty_get_fail = true;
	EXPECT_EQ(vfio_dirty_get(&f.c, 0, RAM, 4096, bits, f.why,
				 sizeof(f.why)), -1);
	EXPECT_STR(f.why, "vfio: VFIO_IOMMU_DIRTY_PAGES bitmap of 0x0+0x4000000: "
		   "Input/output error");
	/* the container's end turns tracking off with it */
	vfio_device_close(&f.d);
	EXPECT(!f.c.dirty_on);
	dfix_close(&f);
}

TEST(vfio_dirty_not_with_iommufd)
{
	struct vfio_container c;
	char why[128];

	vfio_container_init(&c, NULL);
	c.ioas.users = 1;
	EXPECT_EQ(vfio_dirty_start(&c, 4096, why, sizeof(why)), -1);
	EXPECT_STR(why, "devices on iommufd, whose DMA lkvm does not track");
	c.ioas.users = 0;
	EXPECT_EQ(vfio_dirty_start(&c, 4096, why, sizeof(why)), -1);
	EXPECT_STR(why, "no type1 container");
}
