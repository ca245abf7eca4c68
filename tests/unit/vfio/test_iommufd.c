/* Unit tests for the iommufd backend (vfio/iommufd.c) against the simulated
 * kernel (tests/sim/iommufd_sim.c): backend choice, one IOAS per VM, guest
 * RAM mapped once, IOVA ranges, teardown order, error paths, fd=N, mdevs,
 * the uAPI constants (include/vfio/iommufd_uapi.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "sim/vfio_sim.h"
#include "vfio/iommufd_uapi.h"
#include "vfio/vfio.h"

#define UUID	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define HVA(x)	((void *)(uintptr_t)(0x7f0000000000ULL + (x)))

static char err[VFIO_ERR_LEN];

struct rig {
	struct vfio_sim s;
	struct vfio_container c;
	struct guest_mem m;
};

/* A host with /dev/iommu (iommufd) and nvmes 01:00.0 (cdev vfio0) and
 * 02:00.0 (vfio1), 3 GiB + 1 GiB of RAM. */
static bool rig_init(struct rig *g, bool iommufd)
{
	memset(g, 0, sizeof(*g));
	if (vfio_sim_init(&g->s))
		return false;
	g->s.iommufd = iommufd;
	vfio_sim_cdev(&g->s, vfio_sim_add(&g->s, SIM_NVME, "0000:01:00.0", 7),
		      0, true);
	vfio_sim_cdev(&g->s, vfio_sim_add(&g->s, SIM_NVME, "0000:02:00.0", 8),
		      1, true);
	g->m.r[g->m.nr++] = (struct guest_region){ 0, 0xc0000000, HVA(0) };
	g->m.r[g->m.nr++] = (struct guest_region){ SZ_4G, SZ_1G,
						   HVA(0xc0000000) };
	vfio_container_init(&g->c, &g->s.ops);
	return true;
}

static void rig_fini(struct rig *g)
{
	vfio_container_exit(&g->c);
	vfio_sim_destroy(&g->s);
}

static int open_dev(struct rig *g, const char *arg, struct vfio_device *d)
{
	struct vfio_spec sp;

	err[0] = 0;
	if (vfio_spec_parse(arg, &sp, err, sizeof(err)))
		return -2;
	return vfio_device_open(&g->c, &sp, d, err, sizeof(err));
}

/* The constants lkvm defines for older headers are the kernel's ABI. */
TEST(vfio_iommufd_uapi_matches_the_kernel)
{
	EXPECT_EQ(IOMMUFD_TYPE, ';');
	EXPECT_EQ(IOMMU_DESTROY, 0x3b80);
	EXPECT_EQ(IOMMU_IOAS_ALLOC, 0x3b81);
	EXPECT_EQ(IOMMU_IOAS_IOVA_RANGES, 0x3b84);
	EXPECT_EQ(IOMMU_IOAS_MAP, 0x3b85);
	EXPECT_EQ(IOMMU_IOAS_UNMAP, 0x3b86);
	EXPECT_EQ(VFIO_DEVICE_BIND_IOMMUFD, _IO(VFIO_TYPE, VFIO_BASE + 18));
	EXPECT_EQ(VFIO_DEVICE_ATTACH_IOMMUFD_PT, _IO(VFIO_TYPE, VFIO_BASE + 19));
	EXPECT_EQ(VFIO_DEVICE_DETACH_IOMMUFD_PT, _IO(VFIO_TYPE, VFIO_BASE + 20));
	EXPECT_EQ(sizeof(struct iommu_ioas_alloc), 12);
	EXPECT_EQ(sizeof(struct iommu_ioas_iova_ranges), 32);
	EXPECT_EQ(offsetof(struct iommu_ioas_iova_ranges, allowed_iovas), 16);
	EXPECT_EQ(sizeof(struct iommu_iova_range), 16);
	EXPECT_EQ(sizeof(struct iommu_ioas_map), 40);
	EXPECT_EQ(offsetof(struct iommu_ioas_map, user_va), 16);
	EXPECT_EQ(offsetof(struct iommu_ioas_map, iova), 32);
	EXPECT_EQ(sizeof(struct iommu_ioas_unmap), 24);
	EXPECT_EQ(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
		  IOMMU_IOAS_MAP_READABLE, 7);
	EXPECT_EQ(sizeof(struct vfio_device_bind_iommufd), 16);
	EXPECT_EQ(offsetof(struct vfio_device_bind_iommufd, out_devid), 12);
	EXPECT_EQ(sizeof(struct vfio_device_attach_iommufd_pt), 12);
	EXPECT_EQ(sizeof(struct vfio_device_detach_iommufd_pt), 8);
}

TEST(vfio_iommufd_spec_options)
{
	struct vfio_spec sp;

	ASSERT_EQ(vfio_spec_parse("01:00.0", &sp, err, sizeof(err)), 0);
	EXPECT_EQ(sp.iommu, VFIO_IOMMU_AUTO);
	EXPECT(!sp.has_fd);
	ASSERT_EQ(vfio_spec_parse("01:00.0,iommu=legacy", &sp, err,
				  sizeof(err)), 0);
	EXPECT_EQ(sp.iommu, VFIO_IOMMU_LEGACY);
	ASSERT_EQ(vfio_spec_parse(UUID ",iommu=iommufd", &sp, err,
				  sizeof(err)), 0);
	EXPECT_EQ(sp.iommu, VFIO_IOMMU_IOMMUFD);
	EXPECT(sp.mdev);
	EXPECT_EQ(vfio_spec_parse("01:00.0,iommu=vfio", &sp, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "iommu=vfio: expected auto");
	ASSERT_EQ(vfio_spec_parse("fd=7,iommu=iommufd", &sp, err, sizeof(err)),
		  0);
	EXPECT(sp.has_fd);
	EXPECT_EQ(sp.fd, 7);
	EXPECT_STR(sp.name, "fd=7");
	EXPECT_EQ(vfio_spec_parse("fd=7,iommu=legacy", &sp, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "only works with iommufd");
	EXPECT_EQ(vfio_spec_parse("fd=x", &sp, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "expected fd=N");
	EXPECT_EQ(vfio_spec_parse("fd=3x", &sp, err, sizeof(err)), -1);
	EXPECT_EQ(vfio_spec_parse("01:00.0,bogus", &sp, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "iommu=auto|iommufd|legacy");
	EXPECT_EQ(vfio_spec_parse("01:00.0,on-error=halt", &sp, err,
				  sizeof(err)), -1);
	EXPECT_CONTAINS(err, "on-error=halt: expected stop");
	ASSERT_EQ(vfio_spec_parse("01:00.0,rombar=off", &sp, err, sizeof(err)),
		  0);
	EXPECT(sp.rombar_off);
	EXPECT_EQ(vfio_spec_parse("01:00.0,rombar=0", &sp, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "rombar=0: expected rombar=on");
}

/* auto: iommufd when /dev/iommu and the cdev exist, legacy otherwise. */
TEST(vfio_iommufd_auto_picks_iommufd_when_both_exist)
{
	struct vfio_device d;
	struct rig g;

	ASSERT(rig_init(&g, true));
	ASSERT_EQ(open_dev(&g, "01:00.0", &d), 0);
	EXPECT(d.cdev);
	EXPECT(!d.group);
	EXPECT_STR(d.cdev_name, "vfio0");
	EXPECT_EQ(g.s.ioas_allocs, 1);
	EXPECT_EQ(g.s.open_fds, 2);		/* /dev/iommu, the cdev */
	EXPECT_EQ(vfio_sim_cdev_fds(&g.s), 2);
	EXPECT_CONTAINS(g.s.trace, "open-iommu alloc:1 open:vfio0 bind:vfio0 "
			"attach:vfio0");
	vfio_device_backend(&d, err, sizeof(err));
	EXPECT_STR(err, "iommufd (/dev/vfio/devices/vfio0, IOAS 1)");
	/* the device works above the seam as before */
	EXPECT_EQ(g.s.dev[0].resets, 1);
	EXPECT(vfio_device_region(&d, VFIO_PCI_CONFIG_REGION_INDEX));
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.set_iommu_calls, 0);
	rig_fini(&g);
}

TEST(vfio_iommufd_auto_falls_back_to_legacy)
{
	struct vfio_device d;
	struct sim_dev *sd;
	struct rig g;

	/* no /dev/iommu */
	ASSERT(rig_init(&g, false));
	ASSERT_EQ(open_dev(&g, "01:00.0", &d), 0);
	EXPECT(!d.cdev);
	EXPECT(d.group);
	EXPECT_EQ(g.s.ioas_allocs, 0);
	vfio_device_backend(&d, err, sizeof(err));
	EXPECT_STR(err, "legacy (group 7, /dev/vfio/vfio type1v2)");
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);

	/* /dev/iommu, but vfio-dev/vfioN without dev (no CONFIG_VFIO_DEVICE_CDEV) */
	ASSERT(rig_init(&g, true));
	sd = vfio_sim_add(&g.s, SIM_NVME, "0000:03:00.0", 9);
	vfio_sim_cdev(&g.s, sd, 2, false);
	ASSERT_EQ(open_dev(&g, "03:00.0", &d), 0);
	EXPECT(!d.cdev);
	EXPECT(d.group);
	EXPECT_EQ(g.s.ioas_allocs, 0);
	EXPECT_EQ(vfio_sim_cdev_fds(&g.s), 0);
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}

TEST(vfio_iommufd_legacy_forced)
{
	struct vfio_device d;
	struct rig g;

	ASSERT(rig_init(&g, true));
	ASSERT_EQ(open_dev(&g, "01:00.0,iommu=legacy", &d), 0);
	EXPECT(!d.cdev);
	EXPECT(d.group);
	EXPECT_EQ(g.s.ioas_allocs, 0);
	EXPECT_EQ(vfio_sim_cdev_fds(&g.s), 0);
	EXPECT_EQ(g.s.trace[0], 0);
	vfio_device_close(&d);
	rig_fini(&g);
}

/* iommu=iommufd without /dev/iommu or without a cdev: an error naming
 * what is missing and the fix, nothing left open. */
TEST(vfio_iommufd_requested_but_unavailable)
{
	struct vfio_device d;
	struct sim_dev *sd;
	struct rig g;

	ASSERT(rig_init(&g, false));
	EXPECT_EQ(open_dev(&g, "01:00.0,iommu=iommufd", &d), -1);
	EXPECT_CONTAINS(err, "vfio 0000:01:00.0: iommu=iommufd: /dev/iommu: "
			"No such file or directory");
	EXPECT_CONTAINS(err, "CONFIG_IOMMUFD");
	EXPECT_CONTAINS(err, "use iommu=legacy");
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.set_iommu_calls, 0);
	g.s.iommufd = true;
	g.s.iommu_errno = EACCES;
	EXPECT_EQ(open_dev(&g, "01:00.0,iommu=iommufd", &d), -1);
	EXPECT_CONTAINS(err, "permission denied opening /dev/iommu");
	EXPECT_EQ(g.s.open_fds, 0);
	/* auto on the same host: the legacy path */
	ASSERT_EQ(open_dev(&g, "01:00.0", &d), 0);
	EXPECT(!d.cdev);
	vfio_device_close(&d);
	g.s.iommu_errno = 0;
	sd = vfio_sim_add(&g.s, SIM_NVME, "0000:03:00.0", 9);
	vfio_sim_cdev(&g.s, sd, 2, false);
	EXPECT_EQ(open_dev(&g, "03:00.0,iommu=iommufd", &d), -1);
	EXPECT_CONTAINS(err, "the device has no VFIO cdev");
	EXPECT_CONTAINS(err, "vfio-dev/vfio2/dev does not exist");
	EXPECT_CONTAINS(err, "CONFIG_VFIO_DEVICE_CDEV");
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}

/* Two devices: one IOAS, guest RAM mapped once; the last one out unmaps,
 * detaches, closes, destroys the IOAS and closes /dev/iommu, in that
 * order. */
TEST(vfio_iommufd_one_ioas_shared_and_mapped_once)
{
	struct vfio_device a, b;
	const char *t;
	struct rig g;

	ASSERT(rig_init(&g, true));
	ASSERT_EQ(open_dev(&g, "01:00.0", &a), 0);
	ASSERT_EQ(vfio_device_map_guest(&a, &g.m, err, sizeof(err)), 0);
	ASSERT_EQ(open_dev(&g, "02:00.0", &b), 0);
	ASSERT_EQ(vfio_device_map_guest(&b, &g.m, err, sizeof(err)), 0);
	EXPECT_EQ(g.s.ioas_allocs, 1);
	EXPECT_EQ(g.c.ioas.users, 2);
	EXPECT_EQ(g.s.iomap_calls, 2);
	ASSERT_EQ(g.s.nr_iomap, 2);
	EXPECT_EQ(g.s.iomap[1].iova, SZ_4G);
	EXPECT_EQ(g.s.iomap[1].size, SZ_1G);
	EXPECT_EQ(g.s.iomap[1].vaddr, (uintptr_t)HVA(0xc0000000));
	EXPECT_EQ(g.s.map_calls, 0);		/* no type1 container */
	EXPECT_EQ(g.s.open_fds, 3);
	vfio_device_close(&a);
	EXPECT_EQ(g.s.nr_iomap, 2);		/* b still does DMA */
	EXPECT_EQ(g.s.ioas_destroys, 0);
	g.s.trace[0] = 0;
	vfio_device_close(&b);
	EXPECT_STR(g.s.trace, "unmap unmap detach:vfio1 close:vfio1 destroy:1 "
		   "close-iommu");
	EXPECT_EQ(g.s.nr_iomap, 0);
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.bad_calls, 0);
	t = g.s.trace;
	EXPECT(!strstr(t, "(mapped)") && !strstr(t, "(attached)"));
	rig_fini(&g);
}

/* RAM the IOAS cannot hold: the error names the missing range, nothing
 * is mapped. */
TEST(vfio_iommufd_missing_iova_range)
{
	struct vfio_device d;
	struct rig g;

	ASSERT(rig_init(&g, true));
	ASSERT_EQ(open_dev(&g, "01:00.0", &d), 0);
	g.m.nr = 0;
	g.m.r[g.m.nr++] = (struct guest_region){ 0, 0xff000000, HVA(0) };
	EXPECT_EQ(vfio_device_map_guest(&d, &g.m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "guest RAM 0x0-0xfeffffff is outside");
	EXPECT_CONTAINS(err, "0xfee00000-0xfeefffff is in none of them");
	EXPECT_EQ(g.s.iomap_calls, 0);
	g.m.nr = 0;
	g.m.r[g.m.nr++] = (struct guest_region){ 0, SZ_1G, HVA(0) };
	g.m.r[g.m.nr++] = (struct guest_region){ 0x7fc0000000ULL, SZ_4G,
						 HVA(SZ_1G) };
	EXPECT_EQ(vfio_device_map_guest(&d, &g.m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0x8000000000-0x80bfffffff is in none of them");
	EXPECT_EQ(g.s.nr_iomap, 0);
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}

/* IOAS_MAP past RLIMIT_MEMLOCK: the same message as type1's; what was
 * mapped is unmapped again. */
TEST(vfio_iommufd_memlock)
{
	struct vfio_device d;
	struct rig g;

	ASSERT(rig_init(&g, true));
	g.s.memlock = 3 * SZ_1M;
	g.m.nr = 0;
	g.m.r[g.m.nr++] = (struct guest_region){ 0, 2 * SZ_1M, HVA(0) };
	g.m.r[g.m.nr++] = (struct guest_region){ SZ_4G, 2 * SZ_1M,
						 HVA(2 * SZ_1M) };
	ASSERT_EQ(open_dev(&g, "01:00.0", &d), 0);
	EXPECT_EQ(vfio_device_map_guest(&d, &g.m, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "needs RLIMIT_MEMLOCK of at least 4096 KiB");
	EXPECT_CONTAINS(err, "ulimit -l 4096");
	EXPECT_EQ(g.s.nr_iomap, 0);
	EXPECT_EQ(g.c.ioas.nr_map, 0);
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}

/* BIND or ATTACH failing: the message names the ioctl, the cdev is
 * closed, the IOAS destroyed, /dev/iommu closed. */
TEST(vfio_iommufd_bind_attach_failures_leave_nothing)
{
	struct vfio_device d, a;
	struct rig g;

	ASSERT(rig_init(&g, true));
	g.s.bind_errno = EBUSY;
	EXPECT_EQ(open_dev(&g, "01:00.0", &d), -1);
	EXPECT_CONTAINS(err, "VFIO_DEVICE_BIND_IOMMUFD (vfio0): Device or "
			"resource busy");
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.ioas_destroys, 1);
	g.s.bind_errno = 0;
	g.s.attach_errno = EINVAL;
	EXPECT_EQ(open_dev(&g, "01:00.0", &d), -1);
	EXPECT_CONTAINS(err, "VFIO_DEVICE_ATTACH_IOMMUFD_PT to IOAS 1");
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.ioas_destroys, 2);
	/* a second device failing keeps the first one's IOAS and maps */
	g.s.attach_errno = 0;
	ASSERT_EQ(open_dev(&g, "01:00.0", &a), 0);
	ASSERT_EQ(vfio_device_map_guest(&a, &g.m, err, sizeof(err)), 0);
	g.s.attach_errno = EINVAL;
	EXPECT_EQ(open_dev(&g, "02:00.0", &d), -1);
	EXPECT_EQ(g.s.open_fds, 2);
	EXPECT_EQ(g.s.nr_iomap, 2);
	EXPECT_EQ(g.c.ioas.users, 1);
	vfio_device_close(&a);
	EXPECT_EQ(g.s.open_fds, 0);
	EXPECT_EQ(g.s.nr_iomap, 0);
	EXPECT_EQ(g.s.bad_calls, 0);
	rig_fini(&g);
}

/* fd=N: a cdev the launcher opened; lkvm opens nothing under /dev/vfio,
 * names the device from sysfs, and refuses what is not an unbound cdev. */
TEST(vfio_iommufd_fd_from_a_launcher)
{
	struct vfio_device d;
	char arg[32];
	struct rig g;
	int fd;

	ASSERT(rig_init(&g, true));
	fd = seam_open(&g.s.ops, "/dev/vfio/devices/vfio1", 0);
	ASSERT(fd >= 0);
	g.s.trace[0] = 0;
	snprintf(arg, sizeof(arg), "fd=%d", fd);
	ASSERT_EQ(open_dev(&g, arg, &d), 0);
	EXPECT(d.cdev);
	EXPECT_STR(d.spec.name, "0000:02:00.0");
	EXPECT_STR(g.s.trace, "open-iommu alloc:1 bind:vfio1 attach:vfio1");
	vfio_device_backend(&d, err, sizeof(err));
	EXPECT_STR(err, "iommufd (/dev/vfio/devices/vfio1 from the launcher, "
		   "IOAS 1)");
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);

	/* already bound (to someone's iommufd) */
	fd = seam_open(&g.s.ops, "/dev/vfio/devices/vfio0", 0);
	g.s.fds[fd - SIM_FD_BASE].bound = true;
	snprintf(arg, sizeof(arg), "fd=%d", fd);
	EXPECT_EQ(open_dev(&g, arg, &d), -1);
	EXPECT_CONTAINS(err, "vfio 0000:01:00.0: fd ");
	EXPECT_CONTAINS(err, "(vfio0) is already bound to an iommufd");
	seam_close(&g.s.ops, fd);
	/* not a cdev: /dev/iommu's fd */
	g.s.iommufd = true;
	fd = seam_open(&g.s.ops, "/dev/iommu", 0);
	snprintf(arg, sizeof(arg), "fd=%d", fd);
	EXPECT_EQ(open_dev(&g, arg, &d), -1);
	EXPECT_CONTAINS(err, "device 10:123 is not a VFIO cdev");
	seam_close(&g.s.ops, fd);
	/* not open */
	EXPECT_EQ(open_dev(&g, "fd=3000", &d), -1);
	EXPECT_CONTAINS(err, "vfio fd=3000: Bad file descriptor");
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}

/* An mtty mdev with a cdev goes through iommufd too, migration and all
 * device fd users above the seam unchanged. */
TEST(vfio_iommufd_mdev_cdev)
{
	struct vfio_device d;
	struct sim_dev *sd;
	u8 id[2];
	struct rig g;

	ASSERT(rig_init(&g, true));
	sd = vfio_sim_add(&g.s, SIM_MTTY, UUID, 30);
	vfio_sim_cdev(&g.s, sd, 5, true);
	ASSERT_EQ(open_dev(&g, "/sys/bus/mdev/devices/" UUID, &d), 0);
	EXPECT(d.cdev);
	EXPECT_STR(d.cdev_name, "vfio5");
	ASSERT_EQ(vfio_cfg_read(&d, 0, id, 2), 0);
	EXPECT_EQ(id[0] | id[1] << 8, sd->cfg[0] | sd->cfg[1] << 8);
	vfio_device_close(&d);
	EXPECT_EQ(g.s.open_fds, 0);
	rig_fini(&g);
}
