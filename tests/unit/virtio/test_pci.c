/* Unit tests of the virtio-pci modern transport (virtio/pci.c) through its
 * BAR 0 registers and config-space capabilities: feature negotiation,
 * status transitions and reset, queue setup checks, MSI-X and INTx. */
#include <stdlib.h>
#include "virtio_harness.h"

#define S_ACK		VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV		VIRTIO_CONFIG_S_DRIVER
#define S_FOK		VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK		VIRTIO_CONFIG_S_DRIVER_OK
#define S_RESET		VIRTIO_CONFIG_S_NEEDS_RESET
#define F_V1		(1ULL << VIRTIO_F_VERSION_1)
#define F_DEV		(1ULL << 5)	/* a device feature of the dummy */

struct dummy {
	struct virtio_dev v;
	int notified[VIRTIO_MAX_QUEUES];
	int resets;
};

static void d_notify(struct virtio_dev *v, unsigned int q)
{
	struct dummy *d = v->priv;

	d->notified[q]++;
}

static void d_reset(struct virtio_dev *v)
{
	struct dummy *d = v->priv;

	d->resets++;
}

static const struct virtio_dev_ops d_ops = {
	.notify = d_notify,
	.reset = d_reset,
};

static struct harness H;

static struct dummy *d_new(void)
{
	struct dummy *d = calloc(1, sizeof(*d));

	h_init(&H);
	d->v.priv = d;
	d->v.host_features = F_DEV;
	EXPECT_EQ(virtio_dev_init(&d->v, NULL, "dummy", 4, 0xff0000, 2, 64,
				  &d_ops), 0);
	d->v.mem = &H.mem;
	d->v.config_len = 8;
	virtio_cfg_put64(&d->v, 0, 0x1122334455667788ULL);
	EXPECT_EQ(virtio_dev_setup_caps(&d->v), 0);
	return d;
}

static void d_free(struct dummy *d)
{
	pthread_mutex_destroy(&d->v.lock);
	pthread_mutex_destroy(&d->v.intx_lock);
	free(d);
	h_fini(&H);
}

static u16 find_vcap(struct pci_dev *p, u8 type)
{
	u16 c = pci_cfg_get8(p, PCI_CAPABILITY_LIST);

	for (; c; c = pci_cfg_get8(p, c + 1))
		if (pci_cfg_get8(p, c) == PCI_CAP_ID_VNDR &&
		    pci_cfg_get8(p, c + VIRTIO_PCI_CAP_CFG_TYPE) == type)
			return c;
	return 0;
}

TEST(virtio_pci_ids_and_caps)
{
	struct dummy *d = d_new();
	struct pci_dev *p = &d->v.pci;
	u16 c;

	EXPECT_EQ(pci_cfg_get16(p, PCI_VENDOR_ID), 0x1af4);
	EXPECT_EQ(pci_cfg_get16(p, PCI_DEVICE_ID), 0x1044);
	EXPECT(pci_cfg_get8(p, PCI_REVISION_ID) >= 1);
	c = find_vcap(p, VIRTIO_PCI_CAP_COMMON_CFG);
	ASSERT(c);
	EXPECT_EQ(pci_cfg_get8(p, c + VIRTIO_PCI_CAP_BAR), 0);
	EXPECT_EQ(pci_cfg_get32(p, c + VIRTIO_PCI_CAP_OFFSET), VP_COMMON_OFF);
	EXPECT(pci_cfg_get32(p, c + VIRTIO_PCI_CAP_LENGTH) >= 0x38);
	c = find_vcap(p, VIRTIO_PCI_CAP_NOTIFY_CFG);
	ASSERT(c);
	EXPECT_EQ(pci_cfg_get32(p, c + 16), VP_NOTIFY_MULT);
	EXPECT(find_vcap(p, VIRTIO_PCI_CAP_ISR_CFG));
	EXPECT(find_vcap(p, VIRTIO_PCI_CAP_PCI_CFG));
	c = find_vcap(p, VIRTIO_PCI_CAP_DEVICE_CFG);
	ASSERT(c);
	EXPECT_EQ(pci_cfg_get32(p, c + VIRTIO_PCI_CAP_LENGTH), 8);
	c = pci_find_cap(p, PCI_CAP_ID_MSIX);
	ASSERT(c);
	EXPECT_EQ(pci_cfg_get16(p, c + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE, 2);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	EXPECT_EQ(h_rd(&d->v, VP_DEVCFG_OFF, 4), 0x55667788);
	EXPECT_EQ(h_rd(&d->v, VP_DEVCFG_OFF + 4, 4), 0x11223344);
	d_free(d);
}

TEST(virtio_pci_feature_words)
{
	struct dummy *d = d_new();

	h_wr(&d->v, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_DF, 4) & F_DEV, F_DEV);
	h_wr(&d->v, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_DF, 4) & 1, 1);	/* VERSION_1 */
	h_wr(&d->v, VIRTIO_PCI_COMMON_DFSELECT, 4, 7);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_DF, 4), 0);
	d_free(d);
}

TEST(virtio_pci_features_ok_needs_version_1)
{
	struct dummy *d = d_new();

	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_DEV);			/* no VERSION_1 */
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	EXPECT_EQ(H_STATUS(&d->v), S_ACK | S_DRV);	/* refused */
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1 | (1ULL << 40));		/* unoffered bit */
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	EXPECT_EQ(H_STATUS(&d->v) & S_FOK, 0);
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1 | F_DEV);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	EXPECT_EQ(H_STATUS(&d->v), S_ACK | S_DRV | S_FOK);
	EXPECT(virtio_has_feature(&d->v, 5));
	/* Feature writes after FEATURES_OK are ignored. */
	h_features(&d->v, F_V1);
	EXPECT(virtio_has_feature(&d->v, 5));
	d_free(d);
}

TEST(virtio_pci_status_transitions)
{
	struct dummy *d = d_new();

	h_set_status(&d->v, S_ACK | S_DRV | S_DOK);	/* no FEATURES_OK */
	EXPECT(H_STATUS(&d->v) & S_RESET);
	EXPECT_EQ(H_STATUS(&d->v) & S_DOK, 0);
	h_set_status(&d->v, 0);
	EXPECT_EQ(H_STATUS(&d->v), 0);
	h_bring_up(&d->v, 0);
	EXPECT_EQ(H_STATUS(&d->v), S_ACK | S_DRV | S_FOK | S_DOK);
	h_set_status(&d->v, S_ACK);			/* clears bits */
	EXPECT(H_STATUS(&d->v) & S_RESET);
	/* the driver cannot set NEEDS_RESET itself */
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_RESET);
	EXPECT_EQ(H_STATUS(&d->v), S_ACK);
	d_free(d);
}

TEST(virtio_pci_reset_clears_everything)
{
	struct dummy *d = d_new();
	int resets;

	h_bring_up(&d->v, F_DEV);
	h_wr(&d->v, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_MSIX, 2, 2);
	EXPECT(d->v.vq[0].ready);
	resets = d->resets;
	h_set_status(&d->v, 0);
	EXPECT_EQ(d->resets, resets + 1);
	EXPECT(!d->v.vq[0].ready && !d->v.vq[1].ready);
	EXPECT_EQ(d->v.guest_features, 0);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2), 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 0);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_SIZE, 2), 64);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_DESCLO, 4), 0);
	d_free(d);
}

TEST(virtio_pci_queue_setup_checks)
{
	struct dummy *d = d_new();

	h_set_status(&d->v, S_ACK | S_DRV);
	/* before FEATURES_OK */
	h_queue(&d->v, 0, 16, H_DESC, H_AVAIL, H_USED);
	EXPECT(H_STATUS(&d->v) & S_RESET);
	EXPECT(!d->v.qcfg[0].enabled);
	/* nonexistent queue reads size 0 and ignores writes */
	h_set_status(&d->v, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 5);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_SIZE, 2), 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	EXPECT_EQ(H_STATUS(&d->v) & S_RESET, 0);
	/* bad size */
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	h_queue(&d->v, 0, 3, H_DESC, H_AVAIL, H_USED);
	EXPECT(H_STATUS(&d->v) & S_RESET);
	EXPECT(!d->v.qcfg[0].enabled);
	/* bigger than the maximum */
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	h_queue(&d->v, 0, 128, H_DESC, H_AVAIL, H_USED);
	EXPECT(H_STATUS(&d->v) & S_RESET);
	/* misaligned ring */
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	h_queue(&d->v, 0, 16, H_DESC + 8, H_AVAIL, H_USED);
	EXPECT(H_STATUS(&d->v) & S_RESET);
	/* good setup; later writes while enabled are ignored */
	h_set_status(&d->v, 0);
	h_bring_up(&d->v, 0);
	EXPECT(d->v.qcfg[0].enabled && d->v.vq[0].ready);
	EXPECT_EQ(d->v.vq[0].size, 16);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_SIZE, 2), 16);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_NOFF, 2), 0);
	EXPECT_EQ(H_STATUS(&d->v) & S_RESET, 0);
	d_free(d);
}

TEST(virtio_pci_notify)
{
	struct dummy *d = d_new();

	h_bring_up(&d->v, 0);
	virtio_dev_process(&d->v, 1);
	EXPECT_EQ(d->notified[1], 1);
	/* before DRIVER_OK: remembered, not run */
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	h_wr(&d->v, VP_NOTIFY_OFF, 2, 0);		/* queue 0 not set up */
	EXPECT(H_STATUS(&d->v) & S_RESET);
	h_queue(&d->v, 1, H_QSIZE, H_DESC, H_AVAIL, H_USED);
	virtio_dev_process(&d->v, 1);
	/* no callbacks while the device needs a reset */
	EXPECT_EQ(d->notified[1], 1);
	h_set_status(&d->v, 0);
	h_set_status(&d->v, S_ACK | S_DRV);
	h_features(&d->v, F_V1);
	h_set_status(&d->v, S_ACK | S_DRV | S_FOK);
	h_queue(&d->v, 1, H_QSIZE, H_DESC, H_AVAIL, H_USED);
	virtio_dev_process(&d->v, 1);
	EXPECT_EQ(d->notified[1], 1);
	EXPECT(d->v.kick_pending[1]);
	/* outside the notify area: ignored */
	h_wr(&d->v, VP_NOTIFY_OFF + 7 * VP_NOTIFY_MULT, 2, 7);
	EXPECT_EQ(H_STATUS(&d->v) & S_RESET, 0);
	d_free(d);
}

TEST(virtio_pci_config_writes)
{
	struct dummy *d = d_new();

	h_bring_up(&d->v, 0);
	h_wr(&d->v, VP_DEVCFG_OFF, 4, 0);		/* read-only */
	EXPECT(H_STATUS(&d->v) & S_RESET);
	EXPECT_EQ(h_rd(&d->v, VP_DEVCFG_OFF, 4), 0x55667788);
	h_set_status(&d->v, 0);
	h_bring_up(&d->v, 0);
	h_wr(&d->v, VP_DEVCFG_OFF + 200, 4, 0);	/* out of range */
	EXPECT(H_STATUS(&d->v) & S_RESET);
	EXPECT_EQ(h_rd(&d->v, VP_DEVCFG_OFF + 200, 4), 0);
	d_free(d);
}

static void msix_ctrl(struct dummy *d, u16 val)
{
	u16 c = pci_find_cap(&d->v.pci, PCI_CAP_ID_MSIX);
	u8 b[2] = { val, val >> 8 };

	d->v.pci.ops->cfg_write(&d->v.pci, c + PCI_MSIX_FLAGS, b, 2);
}

static u64 pba(struct dummy *d)
{
	return h_rd(&d->v, VP_MSIX_PBA_OFF, 4);
}

TEST(virtio_pci_msix_vectors)
{
	struct dummy *d = d_new();
	u64 sent;

	h_bring_up(&d->v, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_MSIX, 2, 2);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_MSIX, 2), 2);
	h_wr(&d->v, VIRTIO_PCI_COMMON_MSIX, 2, 3);		/* only 3 vectors */
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_MSIX, 2, 1);
	EXPECT_EQ(h_rd(&d->v, VIRTIO_PCI_COMMON_Q_MSIX, 2), 1);

	/* table entry 1: address/data; vectors start masked */
	h_wr(&d->v, VP_MSIX_TABLE_OFF + 16, 4, 0xfee00000);
	h_wr(&d->v, VP_MSIX_TABLE_OFF + 24, 4, 0x4041);
	EXPECT_EQ(h_rd(&d->v, VP_MSIX_TABLE_OFF + 24, 4), 0x4041);
	EXPECT_EQ(h_rd(&d->v, VP_MSIX_TABLE_OFF + 28, 4), 1);
	msix_ctrl(d, PCI_MSIX_FLAGS_ENABLE);
	EXPECT(d->v.msix.enabled);

	sent = d->v.irqs_sent;
	pthread_mutex_lock(&d->v.lock);
	virtio_queue_interrupt(&d->v, 1);
	pthread_mutex_unlock(&d->v.lock);
	EXPECT_EQ(d->v.irqs_sent, sent);		/* masked: pending */
	EXPECT_EQ(pba(d), 1 << 1);
	h_wr(&d->v, VP_MSIX_TABLE_OFF + 28, 4, 0);	/* unmask */
	EXPECT_EQ(d->v.irqs_sent, sent + 1);
	EXPECT_EQ(d->v.last_vector, 1);
	EXPECT_EQ(pba(d), 0);

	/* function mask latches, unmasking the function delivers */
	msix_ctrl(d, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pthread_mutex_lock(&d->v.lock);
	virtio_queue_interrupt(&d->v, 1);
	pthread_mutex_unlock(&d->v.lock);
	EXPECT_EQ(pba(d), 1 << 1);
	msix_ctrl(d, PCI_MSIX_FLAGS_ENABLE);
	EXPECT_EQ(pba(d), 0);
	EXPECT_EQ(d->v.irqs_sent, sent + 2);
	/* no vector: nothing */
	pthread_mutex_lock(&d->v.lock);
	virtio_queue_interrupt(&d->v, 0);
	pthread_mutex_unlock(&d->v.lock);
	EXPECT_EQ(d->v.irqs_sent, sent + 2);
	EXPECT_EQ(pba(d), 0);
	d_free(d);
}

TEST(virtio_pci_intx_isr)
{
	struct dummy *d = d_new();

	h_bring_up(&d->v, 0);
	pthread_mutex_lock(&d->v.lock);
	virtio_queue_interrupt(&d->v, 0);
	virtio_config_changed(&d->v);
	pthread_mutex_unlock(&d->v.lock);
	vp_irq_flush(&d->v);
	EXPECT(d->v.intx_out);
	EXPECT_EQ(h_rd(&d->v, VP_ISR_OFF, 1), 3);
	EXPECT(!d->v.intx_out);
	EXPECT_EQ(h_rd(&d->v, VP_ISR_OFF, 1), 0);
	d_free(d);
}

TEST(virtio_pci_cfg_window)
{
	struct dummy *d = d_new();
	struct pci_dev *p = &d->v.pci;
	u16 c = find_vcap(p, VIRTIO_PCI_CAP_PCI_CFG);
	u8 b[4] = { 0 };
	u8 len4[4] = { 4, 0, 0, 0 }, off[4] = { 0, 0x20, 0, 0 };

	ASSERT(c);
	/* BAR 0 offset 0x2000 (device config), 4 bytes */
	pci_cfg_write_default(p, c + VIRTIO_PCI_CAP_OFFSET, off, 4);
	pci_cfg_write_default(p, c + VIRTIO_PCI_CAP_LENGTH, len4, 4);
	EXPECT(p->ops->cfg_read(p, c + 16, b, 4));
	EXPECT_EQ(b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24, 0x55667788);
	d_free(d);
}
