/* Unit tests of live migration's PRE_COPY for assigned devices
 * (vfio/precopy.c, through the bus's pci_mig_precopy* in pci/snapshot.c)
 * on a fake VM with the simulated kernel: the source's passes start
 * PRE_COPY once and send what is ready, the stop and the save send the
 * rest; the destination keeps the bytes and loads them ahead of the
 * state's device data; a device without PRE_COPY sends nothing early; a
 * failed pass or a failed final phase leaves the device RUNNING; bytes
 * for a BDF without such a device are refused. */
#include "vfio/rig.h"
#include "kvm/snapshot.h"
#include "vfio/migrate.h"
#include "vfio/snapshot.h"

static struct sim_dev *add(struct rig *g, const char *uuid, int group,
			   bool precopy)
{
	struct sim_dev *d = vfio_sim_add(&g->s, SIM_MTTY, uuid, group);

	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;	/* needs KVM */
	if (precopy)
		vfio_sim_precopy(d);
	else
		vfio_sim_migratable(d);
	return d;
}

#define HDR	((s64)sizeof(struct sim_mig_hdr))	/* ready in PRE_COPY */
#define UA "83b8f4f2-509f-382f-3c1e-e6bfe0fa3001"
#define UB "83b8f4f2-509f-382f-3c1e-e6bfe0fa3002"

static int scratch_wr(struct vfio_pci *vp, u8 v)
{
	return vfio_region_write(&vp->vdev, 0, 7, &v, 1);
}

/* What the bus does before snap_load: the saved image, decode off. */
static void put_image(struct vfio_pci *to, const struct vfio_pci *from)
{
	memcpy(to->pci.cfg, from->pci.cfg, from->pci.cfg_size);
	pci_cfg_set16(&to->pci, PCI_COMMAND, pci_cfg_get16(&to->pci,
		      PCI_COMMAND) & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
}

/* A (PRE_COPY) moves to B: two passes, the stop, the save, the load. */
TEST(vfio_precopy_source_to_destination)
{
	static const u32 arcs[] = { LKVM_VFIO_STATE_PRE_COPY,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP };
	char err[VFIO_ERR_LEN] = "";
	struct sbuf p1 = { 0 }, p2 = { 0 }, st = { 0 };
	struct vfio_pci *a, *b;
	struct sim_dev *sa, *sb;
	struct sreader r;
	struct rig g;
	int i;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, UA, 41, true);
	sb = add(&g, UB, 42, true);
	a = dev_open(&g, UA);
	ASSERT(a);
	ASSERT_EQ(scratch_wr(a, 0x33), 0);
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p1, err, sizeof(err)), HDR);
	EXPECT(a->pre_on);
	EXPECT_EQ(sa->mig_state, LKVM_VFIO_STATE_PRE_COPY);
	/* (u16 BDF, blob of the header) */
	EXPECT_EQ(p1.len, 2 + 4 + sizeof(struct sim_mig_hdr));
	EXPECT_EQ(le_get(p1.p, 2), a->pci.bdf);
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p2, err, sizeof(err)), 0);
	EXPECT_EQ(p2.len, 0);		/* nothing new: no entry */
	EXPECT_EQ(sa->mig_sets, 1);	/* started once */
	ASSERT_EQ(scratch_wr(a, 0x5c), 0);
	ASSERT_EQ(vfio_snap_quiesce(&a->pci, err, sizeof(err)), 0);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_STOP_COPY);
	ASSERT_EQ(vfio_snap_save(&a->pci, &st, err, sizeof(err)), 0);
	EXPECT_EQ(sa->mig_sets, 3);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(sa->mig_trace[i], arcs[i]);
	EXPECT(!a->pre_on);
	EXPECT_EQ(sa->mig_fd, -1);
	/* the destination: B, the bytes addressed to its BDF */
	b = dev_open(&g, UB);
	ASSERT(b);
	le_put(p1.p, 2, b->pci.bdf);
	ASSERT_EQ(pci_mig_precopy_load(&g.vm, p1.p, p1.len, err, sizeof(err)),
		  0);
	ASSERT(b->pre_in);
	EXPECT_EQ(b->pre_in->len, sizeof(struct sim_mig_hdr));
	put_image(b, a);
	sr_init(&r, st.p, st.len);
	ASSERT_EQ(vfio_snap_load(&b->pci, &r, err, sizeof(err)), 0);
	EXPECT_EQ(sb->mig_loads, 1);
	EXPECT_EQ(sb->mem[0][7], 0x5c);	/* as A was at the stop */
	EXPECT(!b->pre_in);
	sb_free(&p1);
	sb_free(&p2);
	sb_free(&st);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* Without PRE_COPY nothing goes early and the save walks STOP_COPY. */
TEST(vfio_precopy_none_without_the_flag)
{
	char err[VFIO_ERR_LEN] = "";
	struct sbuf p = { 0 }, st = { 0 };
	struct vfio_pci *a;
	struct sim_dev *sa;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, UA, 41, false);
	a = dev_open(&g, UA);
	ASSERT(a);
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.len, 0);
	EXPECT(!a->pre_on);
	EXPECT_EQ(sa->mig_sets, 0);
	ASSERT_EQ(vfio_snap_quiesce(&a->pci, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_snap_save(&a->pci, &st, err, sizeof(err)), 0);
	EXPECT_EQ(sa->mig_trace[0], VFIO_DEVICE_STATE_STOP);
	EXPECT_EQ(sa->mig_trace[1], VFIO_DEVICE_STATE_STOP_COPY);
	EXPECT_EQ(sa->mig_infos, 0);
	sb_free(&st);
	vfio_pci_destroy(a);
	rig_fini(&g);
}

/* A pass that fails (the link or the device): the abort leaves A
 * RUNNING with its fd closed; so does a final phase cut short after the
 * stop (the owners' resume). */
TEST(vfio_precopy_failures_leave_the_device_running)
{
	char err[VFIO_ERR_LEN] = "";
	struct sbuf p = { 0 };
	struct vfio_pci *a;
	struct sim_dev *sa;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, UA, 41, true);
	a = dev_open(&g, UA);
	ASSERT(a);
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p, err, sizeof(err)), HDR);
	sa->mig_info_fail = true;
	EXPECT_EQ(pci_mig_precopy(&g.vm, &p, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio " UA ": VFIO_MIG_GET_PRECOPY_INFO: Input/output "
		   "error");
	pci_mig_precopy_abort(&g.vm);
	EXPECT(!a->pre_on);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	EXPECT_EQ(sa->mig_fd, -1);
	pci_mig_precopy_abort(&g.vm);		/* twice: nothing more */
	EXPECT_EQ(sa->mig_sets, 2);
	/* again, this time cut short after the stop */
	sa->mig_info_fail = false;
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p, err, sizeof(err)), HDR);
	ASSERT_EQ(vfio_snap_quiesce(&a->pci, err, sizeof(err)), 0);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_STOP_COPY);
	vfio_snap_resume_hook(&a->pci);
	EXPECT(!a->pre_on);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	EXPECT_EQ(sa->mig_fd, -1);
	/* a device left in pre-copy when the VM ends: its fd is closed */
	ASSERT_EQ(pci_mig_precopy(&g.vm, &p, err, sizeof(err)), HDR);
	EXPECT(a->pre_on);
	sb_free(&p);
	vfio_pci_destroy(a);
	rig_fini(&g);			/* no fd left open */
}

/* The destination: bytes for a BDF without a PRE_COPY device, or cut
 * short, are refused; bytes kept by a VM that is then discarded are
 * freed with the device. */
TEST(vfio_precopy_load_refusals)
{
	char err[VFIO_ERR_LEN] = "";
	struct sbuf p = { 0 };
	struct vfio_pci *b;
	struct rig g;
	u8 x[3] = { 1, 2, 3 };

	ASSERT_EQ(rig_init(&g), 0);
	add(&g, UB, 42, true);
	b = dev_open(&g, UB);
	ASSERT(b);
	sb_u16(&p, 0xf8);			/* 00:1f.0: nothing there */
	sb_blob(&p, x, sizeof(x));
	EXPECT_EQ(pci_mig_precopy_load(&g.vm, p.p, p.len, err, sizeof(err)),
		  -1);
	EXPECT_STR(err, "pre-copy data for PCI 00:1f.0, which has no such "
		   "device here");
	le_put(p.p, 2, b->pci.bdf);
	EXPECT_EQ(pci_mig_precopy_load(&g.vm, p.p, p.len - 1, err,
				       sizeof(err)), -1);
	EXPECT_STR(err, "pre-copy data: truncated");
	ASSERT_EQ(pci_mig_precopy_load(&g.vm, p.p, p.len, err, sizeof(err)),
		  0);
	EXPECT_EQ(b->pre_in->len, 3);
	sb_free(&p);
	vfio_pci_destroy(b);		/* ASan: pre_in freed */
	rig_fini(&g);
}
