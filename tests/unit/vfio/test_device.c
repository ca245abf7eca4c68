/* Unit tests for opened VFIO devices (vfio/device.c) against the simulated
 * kernel: region and capability parsing into bar_plan's structures, IRQ
 * info, SET_IRQS batching and INTx resampling, mmaps, reset and teardown. */
#include <sys/mman.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "sim/vfio_layouts.h"
#include "sim/vfio_sim.h"
#include "vfio/vfio.h"

static char err[VFIO_ERR_LEN];

struct fixture {
	struct vfio_sim s;
	struct vfio_container c;
	struct vfio_device d;
	struct sim_dev *sd;
};

static bool fx_open(struct fixture *f, enum sim_kind kind)
{
	struct vfio_spec sp;

	if (vfio_sim_init(&f->s))
		return false;
	f->sd = vfio_sim_add(&f->s, kind, "0000:01:00.0", 7);
	vfio_spec_parse("01:00.0", &sp, NULL, 0);
	vfio_container_init(&f->c, &f->s.ops);
	if (vfio_device_open(&f->c, &sp, &f->d, err, sizeof(err))) {
		fprintf(stderr, "open: %s\n", err);
		vfio_sim_destroy(&f->s);
		return false;
	}
	return true;
}

/* Closes and checks that nothing is left behind. */
static void fx_close(struct fixture *f)
{
	vfio_device_close(&f->d);
	vfio_container_exit(&f->c);
	EXPECT_EQ(f->s.open_fds, 0);
	EXPECT_EQ(f->s.live_mmaps, 0);
	EXPECT_EQ(f->s.nr_dma, 0);
	EXPECT_EQ(f->s.bad_calls, 0);
	vfio_sim_destroy(&f->s);
}

static bool bar_same(const struct bar_region *a, const struct bar_region *b)
{
	return a->size == b->size && a->is_io == b->is_io &&
	       a->is_64 == b->is_64 && a->prefetch == b->prefetch &&
	       a->mmap == b->mmap && a->msix_mappable == b->msix_mappable &&
	       a->has_sparse == b->has_sparse && a->nr_sparse == b->nr_sparse &&
	       !memcmp(a->sparse, b->sparse, a->nr_sparse * sizeof(a->sparse[0]));
}

/* The layout read back from VFIO equals what the sim was built from. */
static void check_layout(struct fixture *f)
{
	struct pci_bar_layout l;
	int i;

	ASSERT_EQ(vfio_device_layout(&f->d, &l, err, sizeof(err)), 0);
	for (i = 0; i < PCI_NUM_BARS; i++)
		if (!EXPECT(bar_same(&l.bar[i], &f->sd->layout.bar[i])))
			fprintf(stderr, "  BAR%d differs\n", i);
	EXPECT(l.has_msix);
	EXPECT(!memcmp(&l.msix, &f->sd->layout.msix, sizeof(l.msix)));
}

TEST(vfio_dev_nvme)
{
	const struct vfio_region *r;
	struct fixture f;
	u16 vendor = 0;
	int i;

	ASSERT(fx_open(&f, SIM_NVME));
	EXPECT_EQ(f.d.num_regions, 9);
	EXPECT(f.d.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT(f.d.reset_works);
	EXPECT_EQ(f.sd->resets, 1);	/* reset at open */
	r = vfio_device_region(&f.d, VFIO_PCI_BAR0_REGION_INDEX);
	ASSERT(r);
	EXPECT_EQ(r->size, 16 * SZ_1K);
	EXPECT(r->flags & VFIO_REGION_INFO_FLAG_MMAP);
	EXPECT(r->msix_mappable);
	EXPECT(!r->has_sparse);
	EXPECT(!r->has_type);
	for (i = 1; i < 6; i++)
		EXPECT(!vfio_device_region(&f.d, i));
	EXPECT(!vfio_device_region(&f.d, VFIO_PCI_ROM_REGION_INDEX));
	EXPECT(!vfio_device_region(&f.d, VFIO_PCI_VGA_REGION_INDEX));
	r = vfio_device_region(&f.d, VFIO_PCI_CONFIG_REGION_INDEX);
	ASSERT(r);
	EXPECT_EQ(r->size, 0x1000);
	EXPECT(f.d.irqs[VFIO_PCI_INTX_IRQ_INDEX].present);
	EXPECT(!f.d.irqs[VFIO_PCI_MSI_IRQ_INDEX].present);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count, 65);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_ERR_IRQ_INDEX].count, 1);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_REQ_IRQ_INDEX].count, 1);
	EXPECT_EQ(vfio_cfg_read(&f.d, PCI_VENDOR_ID, &vendor, 2), 0);
	EXPECT_EQ(vendor, 0x1b36);
	EXPECT_EQ(vfio_device_find_cap(&f.d, PCI_CAP_ID_MSIX), 0x40);
	EXPECT_EQ(vfio_device_find_cap(&f.d, PCI_CAP_ID_EXP), 0x80);
	EXPECT_EQ(vfio_device_find_cap(&f.d, PCI_CAP_ID_MSI), 0);
	check_layout(&f);
	vfio_device_close(&f.d);
	EXPECT_EQ(f.sd->resets, 2);	/* and at close */
	EXPECT_EQ(f.sd->fds_open, 0);
	fx_close(&f);
}

TEST(vfio_dev_e1000e)
{
	const struct vfio_region *r;
	struct bar_region b;
	struct fixture f;

	ASSERT(fx_open(&f, SIM_E1000E));
	check_layout(&f);
	ASSERT_EQ(vfio_device_bar_region(&f.d, 2, &b, err, sizeof(err)), 0);
	EXPECT(b.is_io);
	EXPECT(!b.mmap);
	EXPECT_EQ(b.size, 32);
	ASSERT_EQ(vfio_device_bar_region(&f.d, 3, &b, err, sizeof(err)), 0);
	EXPECT(b.msix_mappable && b.mmap && !b.is_64);
	ASSERT_EQ(vfio_device_bar_region(&f.d, 0, &b, err, sizeof(err)), 0);
	EXPECT(!b.msix_mappable);
	r = vfio_device_region(&f.d, VFIO_PCI_ROM_REGION_INDEX);
	ASSERT(r);
	EXPECT_EQ(r->size, 256 * SZ_1K);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_MSI_IRQ_INDEX].count, 1);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count, 5);
	EXPECT_EQ(vfio_device_find_cap(&f.d, PCI_CAP_ID_MSIX), 0xa0);
	EXPECT_EQ(vfio_device_find_cap(&f.d, PCI_CAP_ID_MSI), 0xd0);
	fx_close(&f);
}

TEST(vfio_dev_i350)
{
	struct fixture f;

	ASSERT(fx_open(&f, SIM_I350));
	check_layout(&f);
	EXPECT_EQ(f.d.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count, 10);
	fx_close(&f);
}

TEST(vfio_dev_sas_sparse_type_noreset)
{
	const struct vfio_region *r;
	struct pci_bar_layout l;
	struct bar_plan plan;
	struct fixture f;

	ASSERT(fx_open(&f, SIM_SAS));
	check_layout(&f);
	EXPECT(!f.d.reset_works);
	EXPECT(!f.d.reset_noted);	/* the bus reset waits for all devices */
	EXPECT_EQ(vfio_device_reset(&f.d), 0);
	EXPECT(f.d.reset_noted);	/* no bus reset either: said once */
	EXPECT_EQ(f.sd->resets, 0);
	EXPECT_EQ(f.d.num_regions, 10);
	r = vfio_device_region(&f.d, VFIO_PCI_BAR1_REGION_INDEX);
	ASSERT(r);
	EXPECT(r->has_sparse);
	EXPECT(!r->msix_mappable);
	ASSERT_EQ(r->nr_sparse, 2);
	EXPECT_EQ(r->sparse[0].offset, 0);
	EXPECT_EQ(r->sparse[0].size, 0xe000);
	EXPECT_EQ(r->sparse[1].offset, 0xf000);
	EXPECT_EQ(r->sparse[1].size, 0x1000);
	r = vfio_device_region(&f.d, VFIO_PCI_NUM_REGIONS);
	ASSERT(r);
	EXPECT(r->has_type);
	EXPECT_EQ(r->type, 0x80000000u | 0x1000);	/* PCI_VENDOR_TYPE */
	EXPECT_EQ(r->subtype, 7);
	/* the data feeds the planner as-is */
	ASSERT_EQ(vfio_device_layout(&f.d, &l, err, sizeof(err)), 0);
	EXPECT_EQ(bar_plan_build_layout(&l, 1, false, SZ_4K, &plan, err,
					sizeof(err)), 0);
	EXPECT(PLAN_IS(&plan, R_MAP(0, 0xe000), R_TBL(0xe000, 0xf000),
		       R_PBA(0xf000, 0x10000)));
	/* no reset: bus mastering is switched off at close instead */
	f.sd->cfg[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	vfio_device_close(&f.d);
	EXPECT_EQ(f.sd->cfg[PCI_COMMAND], PCI_COMMAND_MEMORY);
	EXPECT_EQ(f.sd->resets, 0);
	fx_close(&f);
}

TEST(vfio_dev_mmap)
{
	struct fixture f;
	u32 v = 0;
	u8 *p;

	ASSERT(fx_open(&f, SIM_SAS));
	p = vfio_region_mmap(&f.d, 1, 0, 0xe000, PROT_READ | PROT_WRITE, err,
			     sizeof(err));
	ASSERT(p);
	EXPECT_EQ(f.s.live_mmaps, 1);
	p[0x10] = 0x5a;
	EXPECT_EQ(vfio_region_read(&f.d, 1, 0x10, &v, 1), 0);
	EXPECT_EQ(v, 0x5a);
	/* the table page is not in a sparse area */
	EXPECT(!vfio_region_mmap(&f.d, 1, 0xe000, 0x1000, PROT_READ, err,
				 sizeof(err)));
	EXPECT_CONTAINS(err, "cannot be mmapped");
	/* I/O BAR: no mmap */
	EXPECT(!vfio_region_mmap(&f.d, 0, 0, 0x1000, PROT_READ, err,
				 sizeof(err)));
	EXPECT(vfio_region_mmap(&f.d, 1, 0xf000, 0x1000, PROT_READ, err,
				sizeof(err)));
	EXPECT_EQ(f.s.live_mmaps, 2);
	EXPECT_EQ(vfio_region_munmap(&f.d, p), 0);
	EXPECT_EQ(vfio_region_munmap(&f.d, p), -1);
	EXPECT_EQ(f.s.live_mmaps, 1);
	EXPECT_EQ(vfio_region_read(&f.d, 1, 0xfffc, &v, 8), -1);
	fx_close(&f);	/* the remaining mmap goes with the device */
}

TEST(vfio_dev_set_irqs_batching)
{
	int fds[65], i, calls;
	struct fixture f;

	ASSERT(fx_open(&f, SIM_NVME));
	for (i = 0; i < 65; i++)
		fds[i] = 100 + i;
	calls = f.sd->set_irqs_calls;
	ASSERT_EQ(vfio_irq_set_eventfds(&f.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, 65,
					fds), 0);
	EXPECT_EQ(f.sd->set_irqs_calls, calls + 1);
	EXPECT_EQ(f.sd->last_set_count, 65);
	EXPECT(f.sd->irq_on[VFIO_PCI_MSIX_IRQ_INDEX]);
	EXPECT_EQ(f.sd->irq_fd[VFIO_PCI_MSIX_IRQ_INDEX][0], 100);
	EXPECT_EQ(f.sd->irq_fd[VFIO_PCI_MSIX_IRQ_INDEX][64], 164);
	/* a sub-range, one clearing */
	fds[3] = -1;
	ASSERT_EQ(vfio_irq_set_eventfds(&f.d, VFIO_PCI_MSIX_IRQ_INDEX, 2, 2,
					fds + 2), 0);
	EXPECT_EQ(f.sd->set_irqs_calls, calls + 2);
	EXPECT_EQ(f.sd->last_set_start, 2);
	EXPECT_EQ(f.sd->irq_fd[VFIO_PCI_MSIX_IRQ_INDEX][3], -1);
	/* out of range or absent: refused before any ioctl */
	EXPECT_EQ(vfio_irq_set_eventfds(&f.d, VFIO_PCI_MSIX_IRQ_INDEX, 64, 2,
					fds), -1);
	EXPECT_EQ(vfio_irq_set_eventfds(&f.d, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
					fds), -1);
	EXPECT_EQ(f.sd->set_irqs_calls, calls + 2);
	vfio_device_close(&f.d);
	EXPECT_EQ(f.sd->irq_disables[VFIO_PCI_MSIX_IRQ_INDEX], 1);
	EXPECT(!f.sd->irq_on[VFIO_PCI_MSIX_IRQ_INDEX]);
	EXPECT_EQ(f.sd->irq_disables[VFIO_PCI_INTX_IRQ_INDEX], 0);
	fx_close(&f);
}

TEST(vfio_dev_intx_resample)
{
	struct fixture f;

	ASSERT(fx_open(&f, SIM_E1000E));
	ASSERT_EQ(vfio_intx_enable(&f.d, 50, 51), 0);
	EXPECT_EQ(f.sd->irq_fd[VFIO_PCI_INTX_IRQ_INDEX][0], 50);
	EXPECT_EQ(f.sd->intx_unmask_fd, 51);
	EXPECT(f.d.irqs[VFIO_PCI_INTX_IRQ_INDEX].resample);
	EXPECT_EQ(vfio_irq_disable(&f.d, VFIO_PCI_INTX_IRQ_INDEX), 0);
	EXPECT_EQ(f.sd->intx_unmask_fd, -1);
	ASSERT_EQ(vfio_intx_enable(&f.d, 52, -1), 0);
	EXPECT_EQ(f.sd->intx_unmask_fd, -1);
	vfio_device_close(&f.d);
	EXPECT_EQ(f.sd->irq_disables[VFIO_PCI_INTX_IRQ_INDEX], 2);
	EXPECT(!f.sd->irq_on[VFIO_PCI_INTX_IRQ_INDEX]);
	fx_close(&f);
}

TEST(vfio_dev_teardown_everything)
{
	struct guest_mem m = { 0 };
	struct fixture f;
	int fds[5] = { 1, 2, 3, 4, 5 };

	ASSERT(fx_open(&f, SIM_E1000E));
	m.r[m.nr++] = (struct guest_region){ 0, SZ_1G, (void *)0x7f0000000000 };
	ASSERT_EQ(vfio_dma_map_guest(&f.c, &m, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_irq_set_eventfds(&f.d, VFIO_PCI_MSIX_IRQ_INDEX, 0, 5,
					fds), 0);
	ASSERT_EQ(vfio_intx_enable(&f.d, 6, 7), 0);
	ASSERT(vfio_region_mmap(&f.d, 0, 0, 128 * SZ_1K, PROT_READ, err,
				sizeof(err)));
	ASSERT(vfio_region_mmap(&f.d, 3, 0, 16 * SZ_1K, PROT_READ, err,
				sizeof(err)));
	EXPECT_EQ(f.s.nr_dma, 1);
	EXPECT_EQ(f.s.live_mmaps, 2);
	vfio_device_close(&f.d);
	EXPECT_EQ(f.sd->resets, 2);
	EXPECT(!f.sd->irq_on[VFIO_PCI_MSIX_IRQ_INDEX]);
	EXPECT(!f.sd->irq_on[VFIO_PCI_INTX_IRQ_INDEX]);
	EXPECT_EQ(f.s.open_fds, 0);
	EXPECT_EQ(f.s.nr_dma, 0);
	EXPECT_EQ(f.s.live_mmaps, 0);
	fx_close(&f);
}

TEST(vfio_dev_open_failure_leaves_nothing)
{
	struct vfio_container c;
	struct vfio_spec sp;
	struct vfio_device d;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	/* sysfs says vfio-pci in group 7, but the kernel has no such device */
	vfio_sim_sysfs(&s, "0000:01:00.1", 7, "vfio-pci", 0x010802);
	vfio_spec_parse("01:00.1", &sp, NULL, 0);
	vfio_container_init(&c, &s.ops);
	EXPECT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "VFIO_GROUP_GET_DEVICE_FD");
	EXPECT_EQ(s.open_fds, 0);
	EXPECT_EQ(c.fd, -1);
	vfio_device_close(&d);
	vfio_container_exit(&c);
	EXPECT_EQ(s.bad_calls, 0);
	vfio_sim_destroy(&s);
}

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

static bool fx_open_mdev(struct fixture *f)
{
	struct vfio_spec sp;

	if (vfio_sim_init(&f->s))
		return false;
	f->sd = vfio_sim_add(&f->s, SIM_MTTY, UUID, 30);
	vfio_spec_parse(UUID, &sp, NULL, 0);
	vfio_container_init(&f->c, &f->s.ops);
	if (vfio_device_open(&f->c, &sp, &f->d, err, sizeof(err))) {
		fprintf(stderr, "open: %s\n", err);
		vfio_sim_destroy(&f->s);
		return false;
	}
	return true;
}

/* An mtty mdev: 255-byte config region, one I/O BAR, reset by
 * VFIO_DEVICE_RESET only. */
TEST(vfio_dev_mdev)
{
	const struct vfio_region *r;
	struct fixture f;
	u8 cfg[256];

	ASSERT(fx_open_mdev(&f));
	r = vfio_device_region(&f.d, VFIO_PCI_CONFIG_REGION_INDEX);
	ASSERT(r);
	EXPECT_EQ(r->size, 0xff);
	EXPECT_EQ(vfio_cfg_read(&f.d, 0, cfg, 0xff), 0);
	EXPECT_EQ(cfg[0] | cfg[1] << 8, 0x4348);
	EXPECT_EQ(vfio_cfg_read(&f.d, 0xfc, cfg, 4), -1);
	EXPECT_EQ(f.d.regions[0].size, 8);
	EXPECT_EQ(f.sd->resets, 1);
	fx_close(&f);
	EXPECT_EQ(f.sd->resets, 2);
}

/* ENOTTY for the unmask eventfd: INTx still enabled, without resample;
 * vfio_intx_unmask() then unmasks by SET_IRQS. */
TEST(vfio_dev_intx_no_unmask_eventfd)
{
	struct fixture f;

	ASSERT(fx_open_mdev(&f));
	ASSERT_EQ(vfio_intx_enable(&f.d, 50, 51), 0);
	EXPECT(f.sd->irq_on[VFIO_PCI_INTX_IRQ_INDEX]);
	EXPECT_EQ(f.sd->irq_fd[VFIO_PCI_INTX_IRQ_INDEX][0], 50);
	EXPECT_EQ(f.sd->intx_unmask_fd, -1);
	EXPECT(!f.d.irqs[VFIO_PCI_INTX_IRQ_INDEX].resample);
	EXPECT(f.d.irqs[VFIO_PCI_INTX_IRQ_INDEX].enabled);
	EXPECT_EQ(vfio_intx_unmask(&f.d), 0);
	EXPECT_EQ(f.sd->intx_unmasks, 1);
	EXPECT_EQ(f.sd->last_set_flags, VFIO_IRQ_SET_DATA_NONE |
		  VFIO_IRQ_SET_ACTION_UNMASK);
	EXPECT_EQ(f.sd->last_set_count, 1);
	vfio_device_close(&f.d);
	EXPECT(!f.sd->irq_on[VFIO_PCI_INTX_IRQ_INDEX]);
	fx_close(&f);
}
