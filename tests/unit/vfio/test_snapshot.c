/* Unit tests of an assigned device's snapshot hooks (vfio/snapshot.c) on a
 * fake VM with the simulated kernel: a migratable device's config, MSI-X,
 * MSI and device data survive a save and a load onto another device of the
 * same kind; MSI-X comes back with one SET_IRQS for the whole table; every
 * fingerprint field that differs is refused by name with the device left
 * untouched; a device without VFIO migration is refused up front; a
 * truncated or malformed payload is refused. */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "unit.h"
#include "vfio/rig.h"
#include "kvm/irq.h"
#include "kvm/state.h"
#include "sim/vfio_sim.h"
#include "vfio/migrate.h"
#include "vfio/snapshot.h"

/* A migratable device; no INTx (its irqfd needs KVM). */
static struct sim_dev *add(struct rig *g, enum sim_kind k, const char *bdf,
			   int group)
{
	struct sim_dev *d = vfio_sim_add(&g->s, k, bdf, group);

	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	vfio_sim_migratable(d);
	return d;
}

static void tbl_wr(struct vfio_pci *vp, u32 v, u32 addr, u32 data, u32 ctl)
{
	u32 w[4] = { addr, 0, data, ctl };
	u32 i;

	for (i = 0; i < 4; i++)
		vfio_intr_table_write(vp, v * 16 + i * 4, (u8 *)&w[i], 4);
}

/* What the bus does before snap_load: the saved image, decode off. */
static void put_image(struct vfio_pci *to, const struct vfio_pci *from)
{
	memcpy(to->pci.cfg, from->pci.cfg, from->pci.cfg_size);
	pci_cfg_set16(&to->pci, PCI_COMMAND, pci_cfg_get16(&to->pci,
		      PCI_COMMAND) & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
}

static int load(struct vfio_pci *vp, const struct sbuf *b, char *err,
		size_t len)
{
	struct sreader r;

	sr_init(&r, b->p, b->len);
	if (vfio_snap_load(&vp->pci, &r, err, len))
		return -1;
	return sr_done(&r) ? 0 : -2;
}

/* nvme A, MSI-X on with two live and two masked vectors, one pending:
 * saved, loaded onto nvme B. */
TEST(vfio_snap_round_trip_msix_and_data)
{
	static const u32 arcs[] = { VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RUNNING };
	char err[VFIO_ERR_LEN] = "";
	struct vfio_pci *a, *b;
	struct sim_dev *sa, *sb;
	struct sbuf buf = { 0 };
	struct rig g;
	int calls, i;
	u32 v;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, SIM_NVME, "0000:01:00.0", 11);
	sb = add(&g, SIM_NVME, "0000:02:00.0", 12);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	ASSERT(a && b);
	for (i = 0; i < 16; i++)
		sa->mem[0][i] = 0x30 + i;	/* the "device state" */
	for (v = 0; v < 4; v++)
		tbl_wr(a, v, 0xfee00000 + (v << 12), 0x40 + v, v & 1);
	cfg_wr(a, a->cfg.msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	ASSERT(a->msix->enabled);
	cfg_wr(a, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	ASSERT_EQ(sa->cfg[PCI_COMMAND],
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ASSERT_EQ(sb->cfg[PCI_COMMAND], 0);
	ASSERT_EQ(eventfd_write(a->vmsix.vec[1].efd, 1), 0);
	vfio_intr_event(&a->vmsix.vec[1]);	/* masked: latched */
	ASSERT(msix_pending(a->msix, 1));
	ASSERT_EQ(vfio_snap_check(&a->pci, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	EXPECT(!buf.oom);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_STOP);
	vfio_snap_resume_hook(&a->pci);
	EXPECT_EQ(sa->mig_state, VFIO_DEVICE_STATE_RUNNING);

	put_image(b, a);
	calls = sb->set_irqs_index[VFIO_PCI_MSIX_IRQ_INDEX];
	ASSERT_EQ(load(b, &buf, err, sizeof(err)), 0);
	/* the whole table in one SET_IRQS, after the table was in place */
	EXPECT_EQ(sb->set_irqs_index[VFIO_PCI_MSIX_IRQ_INDEX], calls + 1);
	EXPECT_EQ(sb->last_set_start, 0);
	EXPECT_EQ(sb->last_set_count, b->msix->nr);
	for (v = 0; v < b->msix->nr; v++)
		EXPECT_EQ(sb->irq_fd[VFIO_PCI_MSIX_IRQ_INDEX][v],
			  b->vmsix.vec[v].efd);
	EXPECT(b->msix->enabled);
	EXPECT_EQ(memcmp(b->msix->tbl, a->msix->tbl,
			 msix_table_size(a->msix->nr)), 0);
	EXPECT(msix_pending(b->msix, 1));
	EXPECT(!msix_pending(b->msix, 0));
	for (v = 0; v < 4; v++)
		EXPECT_EQ(b->vmsix.vec[v].state, v & 1 ? MSIX_VEC_MASKED :
			  MSIX_VEC_LIVE);
	EXPECT(b->vmsix.vec[0].gsi >= 0);	/* routed with A's message */
	/* the device data moved through STOP_COPY / RESUMING */
	EXPECT_EQ(sb->mig_sets, 4);
	for (i = 0; i < 4 && i < sb->mig_sets; i++)
		EXPECT_EQ(sb->mig_trace[i], arcs[i]);
	EXPECT_EQ(sb->mig_loads, 1);
	EXPECT_EQ(memcmp(sb->mem[0], sa->mem[0], 16), 0);
	/* the guest's bus master and decode reach the device itself */
	EXPECT_EQ(sb->cfg[PCI_COMMAND],
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* e1000e in MSI mode: MSI comes back with one SET_IRQS; the MSI-X table
 * the guest wrote before it chose MSI comes back too. */
TEST(vfio_snap_round_trip_msi_and_idle_msix)
{
	char err[VFIO_ERR_LEN] = "";
	struct vfio_pci *a, *b;
	struct sim_dev *sb;
	struct sbuf buf = { 0 };
	struct rig g;
	u32 p;

	ASSERT_EQ(rig_init(&g), 0);
	add(&g, SIM_E1000E, "0000:01:00.0", 11);
	sb = add(&g, SIM_E1000E, "0000:02:00.0", 12);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	ASSERT(a && b && a->has_msi);
	tbl_wr(a, 2, 0xfee01000, 0x77, 0);
	p = a->cfg.msi;
	cfg_wr(a, p + PCI_MSI_ADDRESS_LO, 0xfee02000, 4);
	cfg_wr(a, p + PCI_MSI_ADDRESS_HI, 0, 4);
	cfg_wr(a, p + PCI_MSI_DATA_64, 0x4041, 2);
	cfg_wr(a, p + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	ASSERT(a->msi.enabled);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	put_image(b, a);
	ASSERT_EQ(load(b, &buf, err, sizeof(err)), 0);
	EXPECT(b->msi.enabled);
	EXPECT_EQ(b->msi.addr, 0xfee02000);
	EXPECT_EQ(b->msi.data, 0x4041);
	EXPECT_EQ(sb->set_irqs_index[VFIO_PCI_MSI_IRQ_INDEX], 1);
	EXPECT(sb->irq_on[VFIO_PCI_MSI_IRQ_INDEX]);
	EXPECT_EQ(b->vmsi.vec[0].state, MSIX_VEC_LIVE);
	EXPECT_EQ(sb->set_irqs_index[VFIO_PCI_MSIX_IRQ_INDEX], 0);
	EXPECT(!b->msix->enabled);
	EXPECT_EQ(memcmp(b->msix->tbl, a->msix->tbl,
			 msix_table_size(a->msix->nr)), 0);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* ---- the payload's parts, for tests that alter one ---- */

struct part {
	char name[40];
	const u8 *p;
	u32 len;
};

static int parts_get(const struct sbuf *b, struct part *out, int max)
{
	struct sreader r;
	int n, i;

	sr_init(&r, b->p, b->len);
	sr_u32(&r);
	sr_u16(&r);
	n = sr_u16(&r);
	for (i = 0; i < n && i < max; i++) {
		sr_str(&r, out[i].name, sizeof(out[i].name));
		out[i].p = sr_blob(&r, &out[i].len);
	}
	return sr_done(&r) ? n : -1;
}

static void parts_put(struct sbuf *o, const struct part *pt, int n)
{
	int i;

	sb_u32(o, VFIO_SNAP_MAGIC);
	sb_u16(o, VFIO_SNAP_VERSION);
	sb_u16(o, n);
	for (i = 0; i < n; i++) {
		sb_str(o, pt[i].name);
		sb_blob(o, pt[i].p, pt[i].len);
	}
}

/* The payload with part name's body replaced by body. */
static void replaced(const struct sbuf *in, const char *name,
		     const struct sbuf *body, struct sbuf *out)
{
	struct part pt[8];
	int n = parts_get(in, pt, 8), i;

	for (i = 0; i < n; i++)
		if (!strcmp(pt[i].name, name)) {
			pt[i].p = body->p;
			pt[i].len = body->len;
		}
	memset(out, 0, sizeof(*out));
	parts_put(out, pt, n);
}

/* What a refused load must leave alone on the device. */
struct untouched {
	int sets, irqs, resets;
	u8 bar0[16];
};

static void snap_dev(const struct sim_dev *d, struct untouched *u)
{
	u->sets = d->mig_sets;
	u->irqs = d->set_irqs_calls;
	u->resets = d->resets;
	memcpy(u->bar0, d->mem[0], sizeof(u->bar0));
}

static bool same_dev(const struct sim_dev *d, const struct untouched *u,
		     const struct vfio_pci *vp)
{
	return d->mig_sets == u->sets && d->set_irqs_calls == u->irqs &&
	       d->resets == u->resets && !memcmp(u->bar0, d->mem[0], 16) &&
	       !vp->msix->enabled;
}

/* Two nvmes with MSI-X tables of 4 and 8 vectors: the message of the
 * brief, and B as it was. */
TEST(vfio_snap_msix_vectors_mismatch)
{
	char err[VFIO_ERR_LEN] = "";
	struct vfio_pci *a, *b;
	struct sim_dev *sa, *sb;
	struct sbuf buf = { 0 };
	struct untouched u;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, SIM_NVME, "0000:00:02.0", 11);
	sb = add(&g, SIM_NVME, "0000:00:03.0", 12);
	sa->cfg[0x40 + PCI_MSIX_FLAGS] = 3;	/* 4 vectors */
	sb->cfg[0x40 + PCI_MSIX_FLAGS] = 7;	/* 8 */
	a = dev_open(&g, "00:02.0");
	b = dev_open(&g, "00:03.0");
	ASSERT(a && b);
	cfg_wr(a, a->cfg.msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	put_image(b, a);
	snap_dev(sb, &u);
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio 0000:00:03.0: MSI-X vectors: snapshot 4, this "
		   "device 8");
	EXPECT(same_dev(sb, &u, b));
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* Another kind of device: the first field that differs is named. */
TEST(vfio_snap_other_device_refused)
{
	char err[VFIO_ERR_LEN] = "";
	struct vfio_pci *a, *b;
	struct sim_dev *sb;
	struct sbuf buf = { 0 };
	struct untouched u;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	add(&g, SIM_NVME, "0000:01:00.0", 11);
	sb = add(&g, SIM_E1000E, "0000:02:00.0", 12);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	ASSERT(a && b);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	put_image(b, a);
	snap_dev(sb, &u);
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio 0000:02:00.0: vendor ID: snapshot 0x1b36, this "
		   "device 0x8086");
	EXPECT(same_dev(sb, &u, b));
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* Migration's handshake: a device's fingerprint checks against the same
 * kind of device, and names the first difference on another kind. */
TEST(vfio_snap_fp_handshake)
{
	char err[VFIO_ERR_LEN] = "";
	struct vfio_pci *a, *b, *c;
	struct sbuf buf = { 0 };
	struct sreader r;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	add(&g, SIM_NVME, "0000:01:00.0", 11);
	add(&g, SIM_E1000E, "0000:02:00.0", 12);
	add(&g, SIM_NVME, "0000:03:00.0", 13);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	c = dev_open(&g, "03:00.0");
	ASSERT(a && b && c);
	ASSERT_EQ(vfio_snap_fp_put(&a->pci, &buf, err, sizeof(err)), 0);
	sr_init(&r, buf.p, buf.len);
	EXPECT_EQ(vfio_snap_fp_check(&c->pci, &r, err, sizeof(err)), 0);
	EXPECT(sr_done(&r));
	sr_init(&r, buf.p, buf.len);
	EXPECT_EQ(vfio_snap_fp_check(&b->pci, &r, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio 0000:02:00.0: vendor ID: snapshot 0x1b36, this "
		   "device 0x8086");
	sr_init(&r, buf.p, buf.len / 2);
	EXPECT_EQ(vfio_snap_fp_check(&c->pci, &r, err, sizeof(err)), -1);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	vfio_pci_destroy(c);
	rig_fini(&g);
}

/* Every fingerprint field, changed alone in a saved payload, is refused
 * with its name and both values before the device is touched; so is a
 * config policy that differs. */
TEST(vfio_snap_every_fingerprint_field_checked)
{
	char err[VFIO_ERR_LEN] = "", want[160];
	struct sbuf buf = { 0 }, body, bad;
	struct vfio_fp *fp = calloc(1, sizeof(*fp));
	struct vfio_pci *a, *b;
	struct vcfg *c = calloc(1, sizeof(*c));
	struct sim_dev *sb;
	struct untouched u;
	struct rig g;
	u32 i;

	ASSERT(fp && c);
	ASSERT_EQ(rig_init(&g), 0);
	add(&g, SIM_I350, "0000:01:00.0", 11);
	sb = add(&g, SIM_I350, "0000:02:00.0", 12);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	ASSERT(a && b);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	put_image(b, a);
	snap_dev(sb, &u);
	vfio_fp_build(a, fp);
	ASSERT(fp->nr >= 60 && fp->nr < VFIO_FP_MAX);
	for (i = 0; i < fp->nr; i++) {
		fp->it[i].val ^= 0x10;
		memset(&body, 0, sizeof(body));
		vfio_fp_put(&body, fp);
		replaced(&buf, "fingerprint", &body, &bad);
		EXPECT_EQ(load(b, &bad, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "vfio 0000:02:00.0: %s: snapshot ",
			 fp->it[i].name);
		EXPECT_CONTAINS(err, want);
		EXPECT(same_dev(sb, &u, b));
		fp->it[i].val ^= 0x10;
		sb_free(&body);
		sb_free(&bad);
	}
	/* the vcfg state: another policy for one byte */
	*c = a->cfg;
	c->policy[0x44] ^= 1;
	memset(&body, 0, sizeof(body));
	sb_state(&body, state_find("vfio-pci-config"), c);
	replaced(&buf, "vfio-pci-config", &body, &bad);
	EXPECT_EQ(load(b, &bad, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vfio 0000:02:00.0: config byte 0x44: snapshot ");
	EXPECT(same_dev(sb, &u, b));
	sb_free(&body);
	sb_free(&bad);
	/* and the unaltered payload loads */
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), 0);
	free(fp);
	free(c);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* Without VFIO migration: refused up front by name and ids, nothing
 * saved, the device not stopped; the resume hook leaves it alone. */
TEST(vfio_snap_check_refuses_without_migration)
{
	char err[VFIO_ERR_LEN] = "";
	struct sbuf buf = { 0 };
	struct vfio_pci *a, *m;
	struct sim_dev *sa, *sm;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	sa = add(&g, SIM_NVME, "0000:00:02.0", 11);
	sa->mig_flags = 0;
	sm = add(&g, SIM_MTTY, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", 12);
	sm->mig_flags = VFIO_MIGRATION_P2P;	/* no STOP_COPY */
	a = dev_open(&g, "00:02.0");
	m = dev_open(&g, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	ASSERT(a && m);
	EXPECT_EQ(vfio_snap_check(&a->pci, err, sizeof(err)), -1);
	EXPECT_STR(err, "0000:00:02.0 (1b36:0010) does not support VFIO "
		   "migration (its host driver has no migration support): run "
		   "the VM without this --vfio device to snapshot or migrate it");
	EXPECT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), -1);
	EXPECT_EQ(buf.len, 0);
	EXPECT_EQ(vfio_snap_check(&m->pci, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 (4348:3253) "
			"does not support VFIO migration (its driver has no "
			"STOP_COPY state)");
	vfio_snap_resume_hook(&a->pci);
	EXPECT_EQ(sa->mig_sets + sm->mig_sets, 0);
	/* migratable, but the driver says its data will be too large */
	sm->mig_flags = VFIO_MIGRATION_STOP_COPY;
	EXPECT_EQ(vfio_snap_check(&m->pci, err, sizeof(err)), 0);
	sm->mig_pad = VFIO_MIG_MAX_DATA;
	EXPECT_EQ(vfio_snap_check(&m->pci, err, sizeof(err)), -1);
	EXPECT_STR(err, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001: its device data "
		   "would be 33554456 bytes, more than the 32 MiB lkvm saves: run "
		   "the VM without this --vfio device to snapshot or migrate it");
	EXPECT_EQ(sm->mig_sets, 0);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(m);
	rig_fini(&g);
}

/* Every cut of the payload, a bad magic, a newer version, an unknown or
 * a missing part, data the device refuses: clear errors. */
TEST(vfio_snap_truncated_and_malformed_refused)
{
	char err[VFIO_ERR_LEN] = "";
	struct sbuf buf = { 0 }, bad = { 0 };
	struct vfio_pci *a, *b;
	struct sim_dev *sb;
	struct part pt[8];
	struct untouched u;
	struct rig g;
	size_t len;
	int n;

	ASSERT_EQ(rig_init(&g), 0);
	add(&g, SIM_NVME, "0000:01:00.0", 11);
	sb = add(&g, SIM_NVME, "0000:02:00.0", 12);
	a = dev_open(&g, "01:00.0");
	b = dev_open(&g, "02:00.0");
	ASSERT(a && b);
	ASSERT_EQ(vfio_snap_save(&a->pci, &buf, err, sizeof(err)), 0);
	put_image(b, a);
	snap_dev(sb, &u);
	for (len = 0; len < buf.len; len += len < 64 ? 1 : 61) {
		struct sbuf cut = { .p = buf.p, .len = len };

		EXPECT(load(b, &cut, err, sizeof(err)) != 0);
		EXPECT_CONTAINS(err, "vfio 0000:02:00.0: ");
	}
	EXPECT(same_dev(sb, &u, b));
	buf.p[0] ^= 1;
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "is not an assigned device's");
	buf.p[0] ^= 1;
	buf.p[4] = VFIO_SNAP_VERSION + 1;
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "newer than this lkvm's");
	buf.p[4] = VFIO_SNAP_VERSION;
	n = parts_get(&buf, pt, 8);
	ASSERT_EQ(n, 5);	/* fingerprint, config, data, msix, command */
	snprintf(pt[3].name, sizeof(pt[3].name), "sriov");
	parts_put(&bad, pt, n);
	EXPECT_EQ(load(b, &bad, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio 0000:02:00.0: unknown part 'sriov' in the saved "
		   "state (from a newer lkvm?)");
	sb_free(&bad);
	parts_put(&bad, pt, 3);
	EXPECT_EQ(load(b, &bad, err, sizeof(err)), -1);
	EXPECT_STR(err, "vfio 0000:02:00.0: the snapshot has no msix state "
		   "for this device");
	sb_free(&bad);
	parts_put(&bad, pt + 1, 2);
	EXPECT_EQ(load(b, &bad, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "part 'vfio-pci-config' out of place");
	sb_free(&bad);
	EXPECT(same_dev(sb, &u, b));
	/* the device refuses its data: reset, nothing else restored */
	sb->mig_refuse = true;
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "the device refused the saved data");
	EXPECT_EQ(sb->resets, u.resets + 1);
	EXPECT(!b->msix->enabled);
	sb->mig_refuse = false;
	EXPECT_EQ(load(b, &buf, err, sizeof(err)), 0);
	sb_free(&buf);
	vfio_pci_destroy(a);
	vfio_pci_destroy(b);
	rig_fini(&g);
}

/* rombar=off hides the expansion ROM: the ROM BAR reads 0 even after the
 * guest's sizing write; by default it sizes as the VFIO ROM region. (Here
 * for the fake VM with a PCI bus this file's rig has.) */
TEST(vfio_pci_rombar_off_hides_the_rom)
{
	struct vfio_pci *vp;
	struct sim_dev *d;
	struct rig g;
	u32 v;

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_E1000E, "0000:02:00.0", 12);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	ASSERT(d->rom_size);
	vp = dev_open(&g, "02:00.0");
	ASSERT(vp);
	cfg_wr(vp, PCI_ROM_ADDRESS, 0xfffff800, 4);
	pci_config_access(vp->vm, vp->pci.bdf, PCI_ROM_ADDRESS, (u8 *)&v, 4,
			  false);
	EXPECT_EQ(v & PCI_ROM_ADDRESS_MASK, (u32)-d->rom_size & 0xfffff800);
	vfio_pci_destroy(vp);
	vp = dev_open(&g, "02:00.0,rombar=off");
	ASSERT(vp);
	cfg_wr(vp, PCI_ROM_ADDRESS, 0xfffff800, 4);
	pci_config_access(vp->vm, vp->pci.bdf, PCI_ROM_ADDRESS, (u8 *)&v, 4,
			  false);
	EXPECT_EQ(v, 0);
	vfio_pci_destroy(vp);
	rig_fini(&g);
}
