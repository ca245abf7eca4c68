/* Unit tests for the VFIO host side (vfio/host.c) against the simulated
 * kernel: sysfs checks and their messages, /dev/vfio open errors, IOMMU
 * type negotiation, shared groups and containers, DMA maps and IOVA ranges. */
#include <errno.h>
#include <unistd.h>
#include "unit.h"
#include "sim/vfio_sim.h"
#include "vfio/vfio.h"

static char err[VFIO_ERR_LEN];

static struct vfio_spec spec(const char *bdf)
{
	struct vfio_spec s;

	vfio_spec_parse(bdf, &s, NULL, 0);
	return s;
}

/* Opens bdf in a fresh container; expects failure, leaves err. */
static bool open_fails(struct vfio_sim *s, const char *bdf)
{
	struct vfio_spec sp = spec(bdf);
	struct vfio_container c;
	struct vfio_device d;
	int ret;

	err[0] = 0;
	vfio_container_init(&c, &s->ops);
	ret = vfio_device_open(&c, &sp, &d, err, sizeof(err));
	if (!ret)
		vfio_device_close(&d);
	vfio_container_exit(&c);
	return ret == -1 && s->open_fds == 0;
}

TEST(vfio_host_no_such_device)
{
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:09:00.0", &g, err,
					 sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0000:09:00.0: no such PCI device");
	EXPECT_CONTAINS(err, "/bus/pci/devices/0000:09:00.0 does not exist");
	EXPECT(open_fails(&s, "09:00.0"));
	vfio_sim_destroy(&s);
}

TEST(vfio_host_wrong_driver)
{
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:02:00.0", 5, "e1000e", 0x020000);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:02:00.0", &g, err,
					 sizeof(err)), -1);
	EXPECT_CONTAINS(err, "bound to driver 'e1000e', not vfio-pci");
	EXPECT_CONTAINS(err, "echo 0000:02:00.0 > ");
	EXPECT_CONTAINS(err, "/bus/pci/devices/0000:02:00.0/driver/unbind");
	EXPECT_CONTAINS(err, "echo vfio-pci > ");
	EXPECT_CONTAINS(err, "/0000:02:00.0/driver_override");
	EXPECT_CONTAINS(err, "/bus/pci/drivers_probe");
	EXPECT(open_fails(&s, "02:00.0"));
	EXPECT_EQ(s.bad_calls, 0);
	vfio_sim_destroy(&s);
}

TEST(vfio_host_unbound)
{
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:02:00.0", -1, NULL, 0x020000);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:02:00.0", &g, err,
					 sizeof(err)), -1);
	EXPECT_CONTAINS(err, "not bound to any driver");
	EXPECT_CONTAINS(err, "driver_override");
	EXPECT(!strstr(err, "unbind"));
	vfio_sim_destroy(&s);
}

TEST(vfio_host_no_iommu)
{
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:02:00.0", -1, "vfio-pci", 0x020000);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:02:00.0", &g, err,
					 sizeof(err)), -1);
	EXPECT_CONTAINS(err, "no IOMMU group");
	EXPECT_CONTAINS(err, "intel_iommu=on");
	EXPECT_CONTAINS(err, "amd_iommu=on");
	EXPECT_CONTAINS(err, "modprobe vfio-pci");
	vfio_sim_destroy(&s);
}

TEST(vfio_host_group_not_viable)
{
	struct vfio_sim s;
	int g = -1;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_I350, "0000:01:00.0", 7);
	vfio_sim_sysfs(&s, "0000:01:00.1", 7, "igb", 0x020000);
	vfio_sim_sysfs(&s, "0000:01:00.2", 7, "igb", 0x020000);
	vfio_sim_sysfs(&s, "0000:01:00.3", 7, NULL, 0x020000);
	vfio_sim_sysfs(&s, "0000:00:1c.0", 7, "pcieport", 0x060400);
	vfio_sim_sysfs(&s, "0000:01:00.4", 7, "pci-stub", 0x020000);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:01:00.0", &g, err,
					 sizeof(err)), -1);
	EXPECT_EQ(g, 7);
	EXPECT_CONTAINS(err, "IOMMU group 7 is not viable");
	EXPECT_CONTAINS(err, "0000:01:00.1 (bound to igb)");
	EXPECT_CONTAINS(err, "0000:01:00.2 (bound to igb)");
	EXPECT(!strstr(err, "01:00.3"));
	EXPECT(!strstr(err, "1c.0"));
	EXPECT(!strstr(err, "01:00.4"));
	EXPECT(open_fails(&s, "01:00.0"));
	vfio_sim_destroy(&s);
}

TEST(vfio_host_viable_group)
{
	struct vfio_sim s;
	int g = -1;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 4);
	vfio_sim_sysfs(&s, "0000:00:1c.0", 4, "pcieport", 0x060400);
	vfio_sim_sysfs(&s, "0000:01:00.1", 4, NULL, 0x010802);
	EXPECT_EQ(vfio_host_check_device(&s.ops, "0000:01:00.0", &g, err,
					 sizeof(err)), 0);
	EXPECT_EQ(g, 4);
	/* the kernel may still disagree: its GROUP_GET_STATUS wins */
	s.nonviable_group = 4;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "IOMMU group 4 is not viable");
	vfio_sim_destroy(&s);
}

TEST(vfio_host_dev_vfio_errors)
{
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	s.container_errno = ENOENT;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "/dev/vfio/vfio does not exist");
	EXPECT_CONTAINS(err, "modprobe vfio vfio_iommu_type1 vfio-pci");
	s.container_errno = EACCES;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "permission denied opening /dev/vfio/vfio");
	s.container_errno = 0;
	s.group_errno = EACCES;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "permission denied opening /dev/vfio/7");
	s.group_errno = ENOENT;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "/dev/vfio/7 does not exist");
	s.group_errno = EBUSY;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "/dev/vfio/7 is busy");
	EXPECT_EQ(s.bad_calls, 0);
	vfio_sim_destroy(&s);
}

TEST(vfio_host_iommu_type)
{
	struct vfio_spec sp = spec("01:00.0");
	struct vfio_container c;
	struct vfio_device d;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	s.no_type1v2 = true;
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), 0);
	EXPECT_EQ(c.iommu_type, VFIO_TYPE1_IOMMU);
	EXPECT_EQ(s.iommu_type, VFIO_TYPE1_IOMMU);
	EXPECT_EQ(c.pgsizes, s.pgsizes);
	EXPECT(c.has_iova_ranges);
	EXPECT_EQ(c.nr_iova, 2);
	EXPECT_EQ(c.iova[1].start, 0xfef00000);
	vfio_device_close(&d);
	vfio_container_exit(&c);
	s.no_type1 = true;
	EXPECT(open_fails(&s, "01:00.0"));
	EXPECT_CONTAINS(err, "neither type1v2 nor type1");
	vfio_sim_destroy(&s);
}

TEST(vfio_host_shared_group_and_container)
{
	struct vfio_spec a = spec("01:00.0"), b = spec("01:00.1");
	struct vfio_spec e = spec("02:00.0");
	struct vfio_device da, db, de;
	struct vfio_container c;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_I350, "0000:01:00.0", 3);
	vfio_sim_add(&s, SIM_I350, "0000:01:00.1", 3);
	vfio_sim_add(&s, SIM_E1000E, "0000:02:00.0", 9);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &a, &da, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_device_open(&c, &b, &db, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_device_open(&c, &e, &de, err, sizeof(err)), 0);
	EXPECT(da.group == db.group);
	EXPECT(da.group != de.group);
	EXPECT_EQ(da.group->users, 2);
	/* container + 2 groups + 3 devices */
	EXPECT_EQ(s.open_fds, 6);
	EXPECT_EQ(s.set_iommu_calls, 1);
	EXPECT(s.attached[3] && s.attached[9]);
	vfio_device_close(&da);
	EXPECT_EQ(s.open_fds, 5);
	EXPECT(s.attached[3]);
	vfio_device_close(&db);
	EXPECT(!s.attached[3]);
	EXPECT_EQ(s.open_fds, 3);
	vfio_device_close(&de);
	EXPECT_EQ(s.open_fds, 0);
	EXPECT_EQ(c.fd, -1);
	vfio_device_close(&de);	/* idempotent */
	vfio_container_exit(&c);
	EXPECT_EQ(s.bad_calls, 0);
	vfio_sim_destroy(&s);
}

TEST(vfio_host_container_seam)
{
	struct vfio_container c;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_container_init(&c, NULL);
	EXPECT(c.ops == &vfio_seam_real);
	vfio_container_init(&c, &s.ops);
	EXPECT(c.ops == &s.ops);
	vfio_sim_destroy(&s);
}

/* ---- DMA ---- */

#define HVA(x)	((void *)(uintptr_t)(0x7f0000000000ULL + (x)))

static void mem_add(struct guest_mem *m, u64 gpa, u64 size, u64 hva)
{
	m->r[m->nr++] = (struct guest_region){ gpa, size, HVA(hva) };
}

TEST(vfio_dma_guest_ram_iova_eq_gpa)
{
	struct vfio_spec sp = spec("01:00.0");
	struct guest_mem m = { 0 };
	struct vfio_container c;
	struct vfio_device d;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	mem_add(&m, 0, 0xc0000000, 0);
	mem_add(&m, SZ_4G, SZ_1G, 0xc0000000);
	vfio_container_init(&c, &s.ops);
	EXPECT_EQ(vfio_dma_map_guest(&c, &m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "without a group");
	ASSERT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_dma_map_guest(&c, &m, err, sizeof(err)), 0);
	ASSERT_EQ(s.nr_dma, 2);
	EXPECT_EQ(s.dma[0].iova, 0);
	EXPECT_EQ(s.dma[0].size, 0xc0000000);
	EXPECT_EQ(s.dma[0].vaddr, (uintptr_t)HVA(0));
	EXPECT_EQ(s.dma[1].iova, SZ_4G);
	EXPECT_EQ(s.dma[1].size, SZ_1G);
	EXPECT_EQ(s.dma[1].vaddr, (uintptr_t)HVA(0xc0000000));
	vfio_device_close(&d);
	EXPECT_EQ(s.nr_dma, 0);
	EXPECT_EQ(s.unmap_calls, 2);
	EXPECT_EQ(c.nr_dma, 0);
	EXPECT_EQ(s.open_fds, 0);
	vfio_container_exit(&c);
	vfio_sim_destroy(&s);
}

/* Pinning past RLIMIT_MEMLOCK (ENOMEM): the error names the limit and the
 * amount, and what was mapped before is unmapped again. */
TEST(vfio_dma_memlock_names_the_limit_and_amount)
{
	struct vfio_spec sp = spec("01:00.0");
	struct guest_mem m = { 0 };
	struct vfio_container c;
	struct vfio_device d;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	s.memlock = 3 * SZ_1M;
	mem_add(&m, 0, 2 * SZ_1M, 0);
	mem_add(&m, SZ_4G, 2 * SZ_1M, 2 * SZ_1M);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), 0);
	EXPECT_EQ(vfio_dma_map_guest(&c, &m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "needs RLIMIT_MEMLOCK of at least 4096 KiB");
	EXPECT_CONTAINS(err, "the limit is ");
	EXPECT_CONTAINS(err, "ulimit -l 4096");
	EXPECT_EQ(s.nr_dma, 0);
	EXPECT_EQ(c.nr_dma, 0);
	vfio_device_close(&d);
	vfio_container_exit(&c);
	vfio_sim_destroy(&s);
}

TEST(vfio_dma_iova_ranges_violation)
{
	struct vfio_spec sp = spec("01:00.0");
	struct guest_mem m = { 0 };
	struct vfio_container c;
	struct vfio_device d;
	struct vfio_sim s;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_NVME, "0000:01:00.0", 7);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), 0);
	/* low RAM running into the interrupt window at 0xfee00000 */
	mem_add(&m, 0, 0xff000000, 0);
	EXPECT_EQ(vfio_dma_map_guest(&c, &m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "guest RAM 0x0-0xfeffffff is outside");
	EXPECT_CONTAINS(err, "0x0-0xfedfffff, 0xfef00000-0x7fffffffff");
	EXPECT_EQ(s.map_calls, 0);
	/* second region beyond the 39-bit IOVA space: nothing stays mapped */
	m.nr = 0;
	mem_add(&m, 0, SZ_1G, 0);
	mem_add(&m, 0x7fc0000000ULL, SZ_4G, SZ_1G);
	EXPECT_EQ(vfio_dma_map_guest(&c, &m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "outside");
	EXPECT_EQ(s.nr_dma, 0);
	EXPECT_EQ(c.nr_dma, 0);
	EXPECT_EQ(vfio_dma_map(&c, 0x1000, 0x800, HVA(0), err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "not aligned");
	vfio_device_close(&d);
	vfio_container_exit(&c);
	vfio_sim_destroy(&s);
}

TEST(vfio_iova_check_adjacent_ranges)
{
	struct vfio_container c;

	vfio_container_init(&c, &vfio_seam_real);
	EXPECT_EQ(vfio_iova_check(&c, 0, SZ_1G, err, sizeof(err)), 0);
	c.has_iova_ranges = true;
	c.nr_iova = 3;
	c.iova[0] = (struct vfio_iova_range){ 0x200000, 0x2fffff };
	c.iova[1] = (struct vfio_iova_range){ 0, 0x1fffff };
	c.iova[2] = (struct vfio_iova_range){ 0x400000, 0x4fffff };
	EXPECT_EQ(vfio_iova_check(&c, 0x100000, 0x200000, err, sizeof(err)),
		  0);
	EXPECT_EQ(vfio_iova_check(&c, 0x100000, 0x300000, err, sizeof(err)),
		  -1);
	EXPECT_EQ(vfio_iova_check(&c, 0x400000, 0x100000, err, sizeof(err)),
		  0);
	EXPECT_EQ(vfio_iova_check(&c, 0x4ff000, 0x2000, err, sizeof(err)),
		  -1);
	EXPECT_EQ(vfio_iova_check(&c, 0, 0, err, sizeof(err)), -1);
	c.nr_iova = 0;	/* the capability said: nothing usable */
	EXPECT_EQ(vfio_iova_check(&c, 0, 0x1000, err, sizeof(err)), -1);
}

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

/* An mdev by UUID, by its bus path and by its node's real path: all
 * resolve to its emulated group; open names it by UUID. */
TEST(vfio_host_mdev_resolve)
{
	struct vfio_spec sp = spec(UUID);
	char path[256];
	struct vfio_container c;
	struct vfio_device d;
	struct vfio_sim s;
	int g = -1;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_MTTY, UUID, 23);
	EXPECT_EQ(vfio_host_check_mdev(&s.ops, &sp, &g, err, sizeof(err)), 0);
	EXPECT_EQ(g, 23);
	/* "/sys/..." is read below the seam's sysfs root */
	sp = spec("/sys/bus/mdev/devices/" UUID);
	g = -1;
	EXPECT_EQ(vfio_host_check_mdev(&s.ops, &sp, &g, err, sizeof(err)), 0);
	EXPECT_EQ(g, 23);
	snprintf(path, sizeof(path), "%s/devices/virtual/mtty/mtty/%s/", s.root,
		 UUID);
	sp = spec(path);
	g = -1;
	EXPECT_EQ(vfio_host_check_mdev(&s.ops, &sp, &g, err, sizeof(err)), 0);
	EXPECT_EQ(g, 23);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &d, err, sizeof(err)), 0);
	EXPECT_EQ(d.group->id, 23);
	EXPECT_EQ(s.dev[0].fds_open, 1);
	vfio_device_close(&d);
	vfio_container_exit(&c);
	EXPECT_EQ(s.open_fds, 0);
	vfio_sim_destroy(&s);
}

TEST(vfio_host_mdev_missing)
{
	struct vfio_spec sp = spec(UUID);
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	EXPECT_EQ(vfio_host_check_mdev(&s.ops, &sp, &g, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vfio " UUID ": no such mediated device");
	EXPECT_CONTAINS(err, "/bus/mdev/devices/" UUID ": No such file");
	EXPECT_CONTAINS(err, "echo " UUID " > ");
	EXPECT_CONTAINS(err, "/class/mdev_bus/<parent>/mdev_supported_types/"
			"<type>/create");
	EXPECT(open_fails(&s, UUID));
	EXPECT_CONTAINS(err, "no such mediated device");
	/* a PCI device of that name is not looked for */
	EXPECT(open_fails(&s, "/sys/bus/mdev/devices/" UUID));
	EXPECT_CONTAINS(err, "no such mediated device");
	vfio_sim_destroy(&s);
}

TEST(vfio_host_mdev_no_group)
{
	struct vfio_spec sp = spec(UUID);
	char path[256];
	struct vfio_sim s;
	int g;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_add(&s, SIM_MTTY, UUID, 23);
	snprintf(path, sizeof(path), "%s/devices/virtual/mtty/mtty/%s/"
		 "iommu_group", s.root, UUID);
	ASSERT_EQ(unlink(path), 0);
	EXPECT_EQ(vfio_host_check_mdev(&s.ops, &sp, &g, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, UUID ": the mediated device has no IOMMU group");
	EXPECT(open_fails(&s, UUID));
	vfio_sim_destroy(&s);
}
