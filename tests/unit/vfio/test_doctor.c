/* Unit tests of `lkvm vfio list|bind|unbind` (vfio/doctor.c) against a fake
 * sysfs tree: what list says of assignable, unbound, grouped and IOMMU-less
 * devices and of MSI-X at 4 KiB and 64 KiB pages; the files bind and
 * unbind write, the driver they remember, and their errors. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "sim/vfio_sim.h"
#include "vfio/doctor.h"

static char err[1024];

/* <root>/<rel> with contents (len bytes, or the string). */
static void put(struct vfio_sim *s, const char *rel, const void *data,
		size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", s->root, rel);
	f = fopen(p, "w");
	if (!f)
		return;
	fwrite(data, 1, len ? len : strlen(data), f);
	fclose(f);
}

static char *get(struct vfio_sim *s, const char *rel, char *buf, size_t len)
{
	char p[512];
	FILE *f;
	size_t n = 0;

	snprintf(p, sizeof(p), "%s/%s", s->root, rel);
	f = fopen(p, "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* An nvme-like function: ids, one 64 KiB 64-bit BAR0, MSI-X at 0x40 with
 * the table at 0x2000 and the PBA at 0x3000. */
static void nvme_files(struct vfio_sim *s, const char *bdf)
{
	u8 cfg[256] = { 0x36, 0x1b, 0x10, 0x00 };
	char rel[128];

	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAPABILITY_LIST] = 0x40;
	cfg[0x40] = PCI_CAP_ID_MSIX;
	cfg[0x42] = 63;				/* 64 vectors */
	cfg[0x45] = 0x20;			/* table BAR0 + 0x2000 */
	cfg[0x49] = 0x30;			/* PBA BAR0 + 0x3000 */
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/config", bdf);
	put(s, rel, cfg, sizeof(cfg));
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/resource", bdf);
	put(s, rel, "0x00000000febf0000 0x00000000febfffff 0x0000000000140204\n",
	    0);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", bdf);
	put(s, rel, "0x1b36\n", 0);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", bdf);
	put(s, rel, "0x0010\n", 0);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/reset_method", bdf);
	put(s, rel, "flr bus\n", 0);
}

static char *list(struct vfio_sim *s, u64 page)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	EXPECT_EQ(vfio_doctor_list(&s->ops, page, f), 0);
	fclose(f);
	return out;
}

TEST(doctor_list_says_what_to_do)
{
	struct vfio_sim s;
	char *out;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:00:02.0", 10, "vfio-pci", 0x010802);
	nvme_files(&s, "0000:00:02.0");
	vfio_sim_sysfs(&s, "0000:00:03.0", 11, "nvme", 0x010802);
	vfio_sim_sysfs(&s, "0000:00:04.0", 11, "e1000e", 0x020000);
	vfio_sim_sysfs(&s, "0000:00:05.0", 12, NULL, 0x020000);
	vfio_sim_sysfs(&s, "0000:00:06.0", -1, "ahci", 0x010601);
	out = list(&s, 4096);
	EXPECT_CONTAINS(out, "0000:00:02.0 1b36:0010 class 010802 driver "
			"vfio-pci group 10\n  assignable: yes (lkvm run --vfio "
			"0000:00:02.0)\n  reset: flr bus\n  msix: 64 vectors, "
			"table BAR0+0x2000, PBA BAR0+0x3000; 4 KiB pages: "
			"nothing beside it traps\n");
	EXPECT_CONTAINS(out, "0000:00:03.0 0000:0000 class 010802 driver nvme "
			"group 11 with 0000:00:04.0\n  assignable: after 'lkvm "
			"vfio bind --group 0000:00:03.0'\n");
	EXPECT_CONTAINS(out, "0000:00:05.0 0000:0000 class 020000 driver "
			"(none) group 12\n  assignable: after 'lkvm vfio bind "
			"0000:00:05.0'\n  reset: none\n  msix: unknown (config "
			"space not readable)\n");
	EXPECT_CONTAINS(out, "0000:00:06.0 0000:0000 class 010601 driver ahci "
			"group (none)\n  assignable: no: no IOMMU group");
	free(out);
	/* 64 KiB pages: BAR0's registers share the table's page */
	out = list(&s, 64 * 1024);
	EXPECT_CONTAINS(out, "64 KiB pages: 0xe000 register bytes share its "
			"pages and trap in place; relocation maps them (msix-"
			"relocation=auto, the default, tries it)\n");
	free(out);
	vfio_sim_destroy(&s);
}

TEST(doctor_list_group_not_viable)
{
	struct vfio_sim s;
	char *out;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:00:02.0", 10, "vfio-pci", 0x010802);
	vfio_sim_sysfs(&s, "0000:00:03.0", 10, "e1000e", 0x020000);
	out = list(&s, 4096);
	EXPECT_CONTAINS(out, "0000:00:02.0 0000:0000 class 010802 driver "
			"vfio-pci group 10 with 0000:00:03.0\n  assignable: no: "
			"vfio 0000:00:02.0: IOMMU group 10 is not viable");
	EXPECT_CONTAINS(out, "'lkvm vfio bind --group 0000:00:02.0' moves the "
			"others too");
	free(out);
	vfio_sim_destroy(&s);
}

/* iommufd: /dev/iommu said once; each vfio-pci device's cdev, or why it
 * has none (a kernel before 6.6; cdevs compiled out); other drivers none. */
TEST(doctor_list_cdevs_and_iommufd)
{
	struct vfio_sim s;
	char *out;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:00:02.0", 10, "vfio-pci", 0x010802);
	vfio_sim_sysfs(&s, "0000:00:03.0", 11, "vfio-pci", 0x020000);
	vfio_sim_sysfs(&s, "0000:00:04.0", 12, "vfio-pci", 0x020000);
	vfio_sim_sysfs(&s, "0000:00:05.0", 13, "e1000e", 0x020000);
	out = list(&s, 4096);
	EXPECT_CONTAINS(out, "iommufd: no /dev/iommu (a kernel without "
			"CONFIG_IOMMUFD, or 'modprobe iommufd')");
	EXPECT_CONTAINS(out, "vfio-dev does not exist (the kernel predates "
			"VFIO cdevs, Linux 6.6)");
	free(out);
	s.iommufd = true;
	vfio_sim_cdev(&s, &(struct sim_dev){ .kind = SIM_NVME,
					    .name = "0000:00:02.0" }, 4, true);
	vfio_sim_cdev(&s, &(struct sim_dev){ .kind = SIM_NVME,
					    .name = "0000:00:03.0" }, 5, false);
	out = list(&s, 4096);
	EXPECT(strncmp(out, "iommufd: available (/dev/iommu)", 31) == 0);
	EXPECT_CONTAINS(out, "\n  cdev: vfio4 (/dev/vfio/devices/vfio4)\n");
	EXPECT_CONTAINS(out, "vfio5/dev does not exist: the kernel was built "
			"without CONFIG_VFIO_DEVICE_CDEV");
	EXPECT_EQ(strstr(strstr(out, "0000:00:05.0"), "cdev:"), NULL);
	free(out);
	EXPECT_EQ(s.open_fds, 0);
	vfio_sim_destroy(&s);
}

/* The sysfs files the kernel provides for bind/unbind. */
static void driver_files(struct vfio_sim *s, const char *bdf)
{
	char rel[128];

	put(s, "bus/pci/drivers_probe", "", 0);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	put(s, rel, "(null)\n", 0);
	put(s, "bus/pci/drivers/nvme/unbind", "", 0);
	put(s, "bus/pci/drivers/nvme/bind", "", 0);
	put(s, "bus/pci/drivers/vfio-pci/unbind", "", 0);
}

/* What the kernel does on drivers_probe: the override's driver binds. */
static void rebind(struct vfio_sim *s, const char *bdf, const char *drv)
{
	char dev[256], t[256];

	snprintf(dev, sizeof(dev), "%s/bus/pci/devices/%s/driver", s->root, bdf);
	snprintf(t, sizeof(t), "%s/bus/pci/drivers/%s", s->root, drv);
	unlink(dev);
	EXPECT_EQ(symlink(t, dev), 0);
}

TEST(doctor_bind_and_unbind)
{
	char rt[] = "/tmp/lkvm-doctor-XXXXXX", buf[128], saved[256];
	const char *bdf = "0000:00:03.0";
	struct vfio_sim s;

	ASSERT(mkdtemp(rt));
	setenv("XDG_RUNTIME_DIR", rt, 1);
	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, bdf, 11, "nvme", 0x010802);
	nvme_files(&s, bdf);
	EXPECT_EQ(vfio_doctor_bind(&s.ops, bdf, false, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "the vfio-pci driver is not loaded: run "
			"'modprobe vfio-pci'");
	vfio_sim_sysfs(&s, "0000:00:09.0", 20, "vfio-pci", 0x010802);
	driver_files(&s, bdf);
	/* a kernel that does not bind: the writes happen, the error says so */
	EXPECT_EQ(vfio_doctor_bind(&s.ops, bdf, false, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "still bound to 'nvme' after drivers_probe");
	EXPECT_STR(get(&s, "bus/pci/devices/0000:00:03.0/driver_override", buf,
		       sizeof(buf)), "vfio-pci");
	EXPECT_STR(get(&s, "bus/pci/drivers/nvme/unbind", buf, sizeof(buf)),
		   bdf);
	EXPECT_STR(get(&s, "bus/pci/drivers_probe", buf, sizeof(buf)), bdf);
	snprintf(saved, sizeof(saved), "%s/lkvm/host-driver-%s", rt, bdf);
	EXPECT_EQ(access(saved, F_OK), 0);
	rebind(&s, bdf, "vfio-pci");
	EXPECT_EQ(vfio_doctor_bind(&s.ops, bdf, false, err, sizeof(err)), 0);
	/* unbind: back to the remembered driver, the memory gone */
	EXPECT_EQ(vfio_doctor_unbind(&s.ops, bdf, err, sizeof(err)), 0);
	EXPECT_STR(get(&s, "bus/pci/devices/0000:00:03.0/driver_override", buf,
		       sizeof(buf)), "\n");
	EXPECT_STR(get(&s, "bus/pci/drivers/vfio-pci/unbind", buf, sizeof(buf)),
		   bdf);
	EXPECT_STR(get(&s, "bus/pci/drivers/nvme/bind", buf, sizeof(buf)), bdf);
	EXPECT_EQ(access(saved, F_OK), -1);
	rebind(&s, bdf, "nvme");
	EXPECT_EQ(vfio_doctor_unbind(&s.ops, bdf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0000:00:03.0: not bound to vfio-pci (driver: "
			"nvme)");
	EXPECT_EQ(vfio_doctor_bind(&s.ops, "0000:07:00.0", false, err,
				   sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0000:07:00.0: no such PCI device");
	vfio_sim_destroy(&s);
	snprintf(saved, sizeof(saved), "%s/lkvm", rt);
	rmdir(saved);
	rmdir(rt);
	unsetenv("XDG_RUNTIME_DIR");
}

TEST(doctor_bind_group)
{
	char rt[] = "/tmp/lkvm-doctor-XXXXXX", buf[128], path[256];
	struct vfio_sim s;

	ASSERT(mkdtemp(rt));
	setenv("XDG_RUNTIME_DIR", rt, 1);
	ASSERT_EQ(vfio_sim_init(&s), 0);
	vfio_sim_sysfs(&s, "0000:00:03.0", 11, "vfio-pci", 0x010802);
	nvme_files(&s, "0000:00:03.0");
	vfio_sim_sysfs(&s, "0000:00:04.0", 11, "nvme", 0x010802);
	vfio_sim_sysfs(&s, "0000:00:05.0", 11, "pcieport", 0x060400);
	driver_files(&s, "0000:00:04.0");
	driver_files(&s, "0000:00:05.0");
	EXPECT_EQ(vfio_doctor_bind(&s.ops, "0000:00:03.0", true, err,
				   sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0000:00:04.0: still bound to 'nvme'");
	EXPECT_STR(get(&s, "bus/pci/devices/0000:00:04.0/driver_override", buf,
		       sizeof(buf)), "vfio-pci");
	/* the bridge is left alone */
	EXPECT_STR(get(&s, "bus/pci/devices/0000:00:05.0/driver_override", buf,
		       sizeof(buf)), "(null)\n");
	vfio_sim_destroy(&s);
	snprintf(path, sizeof(path), "%s/lkvm/host-driver-0000:00:04.0", rt);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lkvm", rt);
	rmdir(path);
	rmdir(rt);
	unsetenv("XDG_RUNTIME_DIR");
}
