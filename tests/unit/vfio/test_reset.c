/* Unit tests of vfio/reset.c on a fake VM with the simulated kernel: a
 * guest's Initiate FLR is emulated (VFIO_DEVICE_RESET, never forwarded) and
 * leaves the emulated function as an FLR does (command, BARs, MSI-X off,
 * table masked); without FLR in Device Capabilities the bit goes through;
 * the bus reset of a device without its own goes only when every function
 * it affects is this VM's, on the legacy path (group fds) and on cdevs
 * (iommufd ownership, no fds), and says which one is not. */
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "vfio/iommufd_uapi.h"
#include "vfio/rig.h"

/* An nvme whose PCIe capability (0x80) advertises FLR, or not. */
static struct sim_dev *nvme(struct rig *g, bool flr)
{
	struct sim_dev *d = vfio_sim_add(&g->s, SIM_NVME, "0000:01:00.0", 31);

	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;	/* needs KVM */
	d->cfg[0x80 + PCI_EXP_FLAGS] = 2;		/* v2 endpoint */
	if (flr)
		d->cfg[0x80 + PCI_EXP_DEVCAP + 3] = PCI_EXP_DEVCAP_FLR >> 24;
	return d;
}

TEST(vfio_reset_guest_flr_emulated)
{
	struct vfio_pci *vp;
	struct sim_dev *sd;
	struct rig g;
	u32 x, w[4] = { 0xfee00000, 0, 0x41, 0 }, i;
	u64 bar0;
	int resets;

	ASSERT_EQ(rig_init(&g), 0);
	sd = nvme(&g, true);
	vp = dev_open(&g, "01:00.0");
	ASSERT(vp != NULL);
	ASSERT(vp->cfg.exp && vp->cfg.msix);
	bar0 = pci_bar_addr(&vp->pci, 0);
	EXPECT(bar0 != 0);
	cfg_wr(vp, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	EXPECT(sd->cfg[PCI_COMMAND] & PCI_COMMAND_MASTER);
	cfg_wr(vp, vp->cfg.msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	for (i = 0; i < 4; i++)
		vfio_intr_table_write(vp, i * 4, (u8 *)&w[i], 4);
	EXPECT(sd->irq_on[VFIO_PCI_MSIX_IRQ_INDEX]);
	resets = sd->resets;
	/* Initiate FLR with Enable Relaxed Ordering, as one word */
	cfg_wr(vp, vp->cfg.exp + PCI_EXP_DEVCTL,
	       PCI_EXP_DEVCTL_BCR_FLR | PCI_EXP_DEVCTL_RELAX_EN, 2);
	EXPECT_EQ(sd->resets, resets + 1);
	EXPECT_EQ(vp->flrs, 1);
	EXPECT_EQ(sd->cfg[0x80 + PCI_EXP_DEVCTL + 1] & 0x80, 0);
	EXPECT_EQ(sd->cfg[0x80 + PCI_EXP_DEVCTL], PCI_EXP_DEVCTL_RELAX_EN);
	/* the function as an FLR leaves it */
	EXPECT_EQ(cfg_rd(vp, PCI_COMMAND, 2), 0);
	EXPECT_EQ(sd->cfg[PCI_COMMAND] & (PCI_COMMAND_MEMORY |
					  PCI_COMMAND_MASTER), 0);
	EXPECT_EQ(pci_bar_addr(&vp->pci, 0), 0);
	EXPECT_EQ(cfg_rd(vp, vp->cfg.msix + PCI_MSIX_FLAGS, 2) &
		  PCI_MSIX_FLAGS_ENABLE, 0);
	EXPECT(!sd->irq_on[VFIO_PCI_MSIX_IRQ_INDEX]);
	vfio_intr_table_read(vp, 12, (u8 *)&x, 4);
	EXPECT_EQ(x, PCI_MSIX_ENTRY_CTRL_MASKBIT);
	vfio_intr_table_read(vp, 0, (u8 *)&x, 4);
	EXPECT_EQ(x, 0);
	/* the guest programs it again, as Linux restores after an FLR */
	cfg_wr(vp, PCI_BASE_ADDRESS_0, (u32)bar0, 4);
	cfg_wr(vp, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	EXPECT_EQ(pci_bar_addr(&vp->pci, 0), bar0);
	EXPECT_EQ(cfg_rd(vp, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	vfio_pci_destroy(vp);
	rig_fini(&g);
}

/* No FLR advertised: the bit is the device's (reserved), forwarded, and
 * nothing is reset. */
TEST(vfio_reset_flr_bit_without_flr_capability)
{
	struct vfio_pci *vp;
	struct sim_dev *sd;
	struct rig g;
	int resets;

	ASSERT_EQ(rig_init(&g), 0);
	sd = nvme(&g, false);
	vp = dev_open(&g, "01:00.0");
	ASSERT(vp != NULL);
	resets = sd->resets;
	cfg_wr(vp, vp->cfg.exp + PCI_EXP_DEVCTL + 1,
	       PCI_EXP_DEVCTL_BCR_FLR >> 8, 1);
	EXPECT_EQ(sd->resets, resets);
	EXPECT_EQ(vp->flrs, 0);
	EXPECT_EQ(sd->cfg[0x80 + PCI_EXP_DEVCTL + 1], 0x80);
	vfio_pci_destroy(vp);
	rig_fini(&g);
}

/* Two functions without a reset of their own sharing a bus reset, in
 * groups 41 and 42, on the legacy path. */
static struct vfio_device *open_dev(struct rig *g, const char *spec)
{
	struct vfio_device *d = calloc(1, sizeof(*d));
	char err[VFIO_ERR_LEN];
	struct vfio_spec sp;

	if (d && !vfio_spec_parse(spec, &sp, err, sizeof(err)) &&
	    !vfio_device_open(&g->c, &sp, d, err, sizeof(err)))
		return d;
	fprintf(stderr, "%s\n", err);
	free(d);
	return NULL;
}

static void pair(struct rig *g, struct sim_dev **a, struct sim_dev **b)
{
	*a = vfio_sim_add(&g->s, SIM_SAS, "0000:05:00.0", 41);
	*b = vfio_sim_add(&g->s, SIM_SAS, "0000:05:00.1", 42);
	(*a)->reset_bus = (*b)->reset_bus = 5;
}

TEST(vfio_reset_hot_reset_legacy_ownership)
{
	struct vfio_device *da, *db;
	struct sim_dev *a, *b;
	char why[192] = "";
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	pair(&g, &a, &b);
	da = open_dev(&g, "05:00.0");
	ASSERT(da != NULL);
	EXPECT_EQ(a->hot_resets, 0);
	EXPECT_EQ(vfio_device_hot_reset(da, why, sizeof(why)), -1);
	EXPECT_CONTAINS(why, "0000:05:00.1, which the reset also affects, "
			"is in IOMMU group 42, not assigned to this VM");
	db = open_dev(&g, "05:00.1");
	ASSERT(db != NULL);
	EXPECT_EQ(a->hot_resets, 0);	/* lkvm run resets once all are open */
	EXPECT_EQ(vfio_device_reset(da), 0);
	EXPECT_EQ(a->hot_resets, 1);
	EXPECT_EQ(b->hot_resets, 1);
	EXPECT_EQ(da->hot_resets, 1);
	EXPECT(vfio_hot_reset_covered(da, "0000:05:00.1"));	/* one for both */
	EXPECT(vfio_hot_reset_covered(da, "0000:05:00.0"));
	EXPECT(!vfio_hot_reset_covered(da, "0000:05:00.2"));
	EXPECT(!vfio_hot_reset_covered(da, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"));
	EXPECT_EQ(a->resets + b->resets, 0);
	vfio_device_close(db);
	EXPECT_EQ(a->hot_resets, 2);	/* db's at close: da still ours */
	vfio_device_close(da);
	EXPECT_EQ(a->hot_resets, 2);	/* 05:00.1 is gone: not reset */
	free(da);
	free(db);
	rig_fini(&g);
}

/* pair() with both functions' cdevs (vfio0, vfio1) on an iommufd host. */
static void cdev_pair(struct rig *g, struct sim_dev **a, struct sim_dev **b)
{
	g->s.iommufd = true;
	pair(g, a, b);
	vfio_sim_cdev(&g->s, *a, 0, true);
	vfio_sim_cdev(&g->s, *b, 1, true);
}

/* Closes db then da (each may be NULL) and the rig. */
static void close_pair(struct rig *g, struct vfio_device *da,
		       struct vfio_device *db)
{
	if (db)
		vfio_device_close(db);
	if (da)
		vfio_device_close(da);
	free(da);
	free(db);
	rig_fini(g);
}

TEST(vfio_reset_hot_reset_cdev_ownership)
{
	struct vfio_device *da, *db;
	struct sim_dev *a, *b;
	char why[192] = "";
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	cdev_pair(&g, &a, &b);
	da = open_dev(&g, "05:00.0,iommu=iommufd");
	ASSERT(da != NULL);
	EXPECT(da->cdev);
	EXPECT_EQ(vfio_device_hot_reset(da, why, sizeof(why)), -1);
	EXPECT_CONTAINS(why, "0000:05:00.1, which the reset also affects, "
			"is not bound to this VM's iommufd");
	db = open_dev(&g, "05:00.1,iommu=iommufd");
	ASSERT(db != NULL);
	EXPECT_EQ(vfio_device_hot_reset(da, why, sizeof(why)), 0);
	EXPECT_EQ(a->hot_resets, 1);
	EXPECT_EQ(b->hot_resets, 1);
	close_pair(&g, da, db);
}

/* The reset itself fails (Linux's ENOTTY after a bus reset whose link did
 * not come back, as in the 6.12 lab behind QEMU's 16 GT/s root port): said
 * as that, not as a missing ioctl, and not counted. */
TEST(vfio_reset_hot_reset_fails)
{
	struct vfio_device *da, *db;
	struct sim_dev *a, *b;
	char why[192] = "";
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	cdev_pair(&g, &a, &b);
	a->hot_reset_errno = ENOTTY;
	da = open_dev(&g, "05:00.0,iommu=iommufd");
	db = open_dev(&g, "05:00.1,iommu=iommufd");
	ASSERT(da != NULL && db != NULL);
	EXPECT_EQ(vfio_device_hot_reset(da, why, sizeof(why)), -1);
	EXPECT_CONTAINS(why, "VFIO_DEVICE_PCI_HOT_RESET: the host reset the "
			"bus but a function below the bridge did not come "
			"back in time (ENOTTY");
	EXPECT_EQ(da->hot_resets, 0);
	a->hot_reset_errno = EBUSY;
	EXPECT_EQ(vfio_device_hot_reset(da, why, sizeof(why)), -1);
	EXPECT_CONTAINS(why, "VFIO_DEVICE_PCI_HOT_RESET: Device or resource "
			"busy");
	a->hot_reset_errno = 0;
	close_pair(&g, da, db);
}

/* No bus reset at all (the sim's ENODEV): said, nothing done. */
TEST(vfio_reset_hot_reset_unsupported)
{
	struct vfio_device *d;
	char why[192] = "";
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	vfio_sim_add(&g.s, SIM_SAS, "0000:05:00.0", 41);
	d = open_dev(&g, "05:00.0");
	ASSERT(d != NULL);
	EXPECT_EQ(vfio_device_hot_reset(d, why, sizeof(why)), -1);
	EXPECT_CONTAINS(why, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: No such "
			"device");
	vfio_device_close(d);
	free(d);
	rig_fini(&g);
}

/* The plan on its own: one fd per group, however many functions. */
TEST(vfio_reset_hot_reset_plan_groups)
{
	struct {
		struct vfio_pci_hot_reset_info h;
		struct vfio_pci_dependent_device d[3];
	} in = { .h = { .count = 3 } };
	struct vfio_group g1 = { .id = 7, .fd = 107 };
	struct vfio_group g2 = { .id = 8, .fd = 108, .next = &g1 };
	struct vfio_container c = { .groups = &g2 };
	char why[160] = "";
	int fds[4];
	u32 nr = 9;

	in.d[0].group_id = 7;
	in.d[1].group_id = 8;
	in.d[2].group_id = 7;
	EXPECT_EQ(vfio_hot_reset_plan(&in.h, false, &c, fds, &nr, why,
				      sizeof(why)), 0);
	EXPECT_EQ(nr, 2);
	EXPECT_EQ(fds[0], 107);
	EXPECT_EQ(fds[1], 108);
	/* a cdev: no fds; owned only with the kernel's flag */
	in.h.flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
		     VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
	EXPECT_EQ(vfio_hot_reset_plan(&in.h, true, &c, fds, &nr, why,
				      sizeof(why)), 0);
	EXPECT_EQ(nr, 0);
	in.h.flags = 0;
	EXPECT_EQ(vfio_hot_reset_plan(&in.h, true, &c, fds, &nr, why,
				      sizeof(why)), -1);
	EXPECT_CONTAINS(why, "groups on a device cdev");
}
