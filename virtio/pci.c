/* virtio-pci modern transport, register side: PCI header and vendor
 * capabilities, common config (features, status, queues), ISR, device
 * config, notify area and the MSI-X table/PBA in BAR 0. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include "kvm/vm.h"
#include "virtio/pci.h"
#include "vp-internal.h"

#define NO_VECTOR		VIRTIO_MSI_NO_VECTOR
#define ISR_QUEUE		0x1
#define F_VERSION_1		(1ULL << VIRTIO_F_VERSION_1)

bool virtio_has_feature(const struct virtio_dev *v, unsigned int bit)
{
	return v->guest_features & (1ULL << bit);
}

void virtio_dev_kick(struct virtio_dev *v, unsigned int q)
{
	if (q < v->nr_queues && v->queue_efd[q] >= 0)
		eventfd_write(v->queue_efd[q], 1);
}

int virtio_vector_fd(struct virtio_dev *v, u16 vec)
{
	if (!v->msix.enabled || vec >= v->msix.nr || !v->kvm->vector_fd)
		return -1;
	return v->kvm->vector_fd(v, vec);
}

bool virtio_dev_ready(const struct virtio_dev *v)
{
	return (v->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(v->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_dev_fail(struct virtio_dev *v, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_debug("%s: %s: device needs reset", v->name, msg);
	if (v->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	v->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (v->status & VIRTIO_CONFIG_S_DRIVER_OK)
		virtio_config_changed(v);
}

void virtio_cfg_put16(struct virtio_dev *v, u32 off, u16 val)
{
	le_put(v->config + off, 2, val);
}

void virtio_cfg_put32(struct virtio_dev *v, u32 off, u32 val)
{
	le_put(v->config + off, 4, val);
}

void virtio_cfg_put64(struct virtio_dev *v, u32 off, u64 val)
{
	le_put(v->config + off, 8, val);
}

/* ---- interrupts ---- */

static void msix_send(struct virtio_dev *v, u16 vec)
{
	v->irqs_sent++;
	v->last_vector = vec;
	v->kvm->msix(v, vec, true);
}

/* Sends what the model released (pending bits of unmasked vectors). */
static void msix_deliver_result(struct virtio_dev *v,
				const struct msix_result *res)
{
	u16 vec;

	for (vec = 0; res->nr_deliver && vec < v->msix.nr; vec++)
		if (msix_result_delivers(res, vec))
			msix_send(v, vec);
}

static void msix_fire_vector(struct virtio_dev *v, u16 vec)
{
	if (msix_fire(&v->msix, vec) == MSIX_DELIVER)
		msix_send(v, vec);
}

static void intx_send(struct virtio_dev *v, u8 bit)
{
	__atomic_fetch_or(&v->isr, bit, __ATOMIC_SEQ_CST);
	v->irqs_sent++;
	v->last_vector = -1;
}

void virtio_queue_interrupt(struct virtio_dev *v, unsigned int q)
{
	if (q >= v->nr_queues)
		return;
	if (v->msix.enabled)
		msix_fire_vector(v, v->qcfg[q].msix_vector);
	else
		intx_send(v, ISR_QUEUE);
}

void virtio_config_changed(struct virtio_dev *v)
{
	v->config_gen++;
	if (v->msix.enabled)
		msix_fire_vector(v, v->config_vector);
	else
		intx_send(v, VIRTIO_PCI_ISR_CONFIG);
}

void virtio_queue_done(struct virtio_dev *v, unsigned int q, u16 old_used)
{
	if (vq_should_notify(&v->vq[q], v->mem, old_used))
		virtio_queue_interrupt(v, q);
}

/* ---- reset, features, status ---- */

void vp_reset(struct virtio_dev *v)
{
	unsigned int q;

	for (q = 0; q < v->nr_queues; q++) {
		v->kvm->ioeventfd_set(v, q, false);
		vq_reset(&v->vq[q]);
		v->qcfg[q] = (struct virtio_queue_cfg){ .size = v->queue_max,
						.msix_vector = NO_VECTOR };
		v->kick_pending[q] = false;
	}
	v->kvm->msix_release(v);
	msix_clear_pending(&v->msix);
	v->dfselect = v->gfselect = 0;
	v->guest_features = 0;
	v->status = 0;
	v->queue_sel = 0;
	__atomic_store_n(&v->held, 0, __ATOMIC_RELAXED);
	v->config_vector = NO_VECTOR;
	__atomic_store_n(&v->isr, 0, __ATOMIC_SEQ_CST);
	if (v->ops->reset)
		v->ops->reset(v);
}

static bool features_acceptable(struct virtio_dev *v)
{
	u64 f = v->guest_features;

	if (f & ~v->host_features) {
		pr_debug("%s: driver accepted unoffered features 0x%llx",
			 v->name, (unsigned long long)(f & ~v->host_features));
		return false;
	}
	if (!(f & F_VERSION_1)) {
		pr_debug("%s: driver did not accept VERSION_1 (legacy drivers "
			 "are not supported)", v->name);
		return false;
	}
	return !v->ops->features_ok || v->ops->features_ok(v, f);
}

static void driver_ok(struct virtio_dev *v)
{
	unsigned int q;

	for (q = 0; q < v->nr_queues; q++) {
		if (v->kick_pending[q] || v->qcfg[q].enabled) {
			v->kick_pending[q] = false;
			virtio_dev_kick(v, q);
		}
	}
	if (v->ops->driver_ok)
		v->ops->driver_ok(v);
}

static void set_status(struct virtio_dev *v, u8 val)
{
	u8 old = v->status, nw;

	if (!val) {
		vp_reset(v);
		return;
	}
	nw = (val & ~VIRTIO_CONFIG_S_NEEDS_RESET) |
	     (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	if (old & ~nw) {
		v->status = nw | old;
		virtio_dev_fail(v, "driver cleared status bits 0x%x",
				old & ~nw);
		return;
	}
	if ((nw & ~old & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !features_acceptable(v))
		nw &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((nw & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(nw & VIRTIO_CONFIG_S_FEATURES_OK)) {
		v->status = nw & ~VIRTIO_CONFIG_S_DRIVER_OK;
		virtio_dev_fail(v, "DRIVER_OK without FEATURES_OK");
		return;
	}
	v->status = nw;
	if (nw & ~old & VIRTIO_CONFIG_S_DRIVER_OK)
		driver_ok(v);
}

/* ---- queues ---- */

static struct virtio_queue_cfg *sel_queue(struct virtio_dev *v)
{
	return v->queue_sel < v->nr_queues ? &v->qcfg[v->queue_sel] : NULL;
}

static void queue_enable(struct virtio_dev *v, u16 val)
{
	unsigned int q = v->queue_sel;
	struct virtio_queue_cfg *c = sel_queue(v);

	if (!c || val != 1 || c->enabled) {
		if (val != 1 || !c)
			pr_debug("%s: ignored queue_enable=%u for queue %u",
				 v->name, val, q);
		return;
	}
	if (!(v->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_dev_fail(v, "queue %u enabled before FEATURES_OK", q);
		return;
	}
	if (c->size > v->queue_max ||
	    vq_init(&v->vq[q], c->size, c->desc, c->avail, c->used,
		    v->guest_features)) {
		virtio_dev_fail(v, "queue %u: bad setup (size %u, max %u): %s",
				q, c->size, v->queue_max,
				vq_error(&v->vq[q]) ?: "too big");
		vq_reset(&v->vq[q]);
		return;
	}
	c->enabled = true;
	v->kvm->ioeventfd_set(v, q, true);
}

static void set_addr_half(u64 *addr, bool hi, u32 val)
{
	if (hi)
		*addr = (*addr & 0xffffffffULL) | ((u64)val << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | val;
}

/* ---- common config ---- */

/* The structure as the driver would read it now. */
static void common_image(struct virtio_dev *v, u8 *img)
{
	struct virtio_queue_cfg *c = sel_queue(v);
	u64 df = 0;

	if (v->dfselect < 2)
		df = v->host_features >> (32 * v->dfselect);
	memset(img, 0, VP_COMMON_LEN);
	le_put(img + VIRTIO_PCI_COMMON_DFSELECT, 4, v->dfselect);
	le_put(img + VIRTIO_PCI_COMMON_DF, 4, (u32)df);
	le_put(img + VIRTIO_PCI_COMMON_GFSELECT, 4, v->gfselect);
	if (v->gfselect < 2)
		le_put(img + VIRTIO_PCI_COMMON_GF, 4,
		       (u32)(v->guest_features >> (32 * v->gfselect)));
	le_put(img + VIRTIO_PCI_COMMON_MSIX, 2, v->config_vector);
	le_put(img + VIRTIO_PCI_COMMON_NUMQ, 2, v->nr_queues);
	img[VIRTIO_PCI_COMMON_STATUS] = v->status;
	img[VIRTIO_PCI_COMMON_CFGGENERATION] = v->config_gen;
	le_put(img + VIRTIO_PCI_COMMON_Q_SELECT, 2, v->queue_sel);
	if (!c)
		return;
	le_put(img + VIRTIO_PCI_COMMON_Q_SIZE, 2, c->size);
	le_put(img + VIRTIO_PCI_COMMON_Q_MSIX, 2, c->msix_vector);
	le_put(img + VIRTIO_PCI_COMMON_Q_ENABLE, 2, c->enabled);
	le_put(img + VIRTIO_PCI_COMMON_Q_NOFF, 2, v->queue_sel);
	le_put(img + VIRTIO_PCI_COMMON_Q_DESCLO, 8, c->desc);
	le_put(img + VIRTIO_PCI_COMMON_Q_AVAILLO, 8, c->avail);
	le_put(img + VIRTIO_PCI_COMMON_Q_USEDLO, 8, c->used);
}

static u16 vector_or_none(struct virtio_dev *v, u16 vec)
{
	return vec < v->msix.nr ? vec : NO_VECTOR;
}

static void write_guest_features(struct virtio_dev *v, u32 val)
{
	u64 mask;

	if (v->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		pr_debug("%s: feature write after FEATURES_OK ignored", v->name);
		return;
	}
	if (v->gfselect >= 2)
		return;
	mask = 0xffffffffULL << (32 * v->gfselect);
	v->guest_features = (v->guest_features & ~mask) |
			    ((u64)val << (32 * v->gfselect));
}

/* Per-queue fields may only change while the queue is disabled. */
static void write_queue_field(struct virtio_dev *v, u32 field, u64 val)
{
	struct virtio_queue_cfg *c = sel_queue(v);

	if (!c) {
		pr_debug("%s: write to queue %u (of %u) ignored", v->name,
			 v->queue_sel, v->nr_queues);
		return;
	}
	if (field == VIRTIO_PCI_COMMON_Q_MSIX) {
		c->msix_vector = vector_or_none(v, val);
		return;
	}
	if (field == VIRTIO_PCI_COMMON_Q_ENABLE) {
		queue_enable(v, val);
		return;
	}
	if (c->enabled) {
		pr_debug("%s: queue %u: setup write while enabled ignored",
			 v->name, v->queue_sel);
		return;
	}
	if (field == VIRTIO_PCI_COMMON_Q_SIZE) {
		c->size = val;
		return;
	}
	/* Q_DESCLO..Q_USEDHI: desc, avail and used, as 32-bit halves */
	field -= VIRTIO_PCI_COMMON_Q_DESCLO;
	set_addr_half(field < 8 ? &c->desc : field < 16 ? &c->avail : &c->used,
		      field % 8, val);
}

static void write_field(struct virtio_dev *v, u32 field, u64 val)
{
	switch (field) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		v->dfselect = val;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		v->gfselect = val;
		break;
	case VIRTIO_PCI_COMMON_GF:
		write_guest_features(v, val);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		v->config_vector = vector_or_none(v, val);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		set_status(v, val);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		v->queue_sel = val;
		break;
	case VIRTIO_PCI_COMMON_DF:
	case VIRTIO_PCI_COMMON_NUMQ:
	case VIRTIO_PCI_COMMON_CFGGENERATION:
	case VIRTIO_PCI_COMMON_Q_NOFF:
		break;		/* read-only */
	default:
		write_queue_field(v, field, val);
	}
}

/* Fields as (offset, width); 64-bit addresses are two 32-bit halves. */
static const u8 common_fields[][2] = {
	{ 0, 4 }, { 4, 4 }, { 8, 4 }, { 12, 4 }, { 16, 2 }, { 18, 2 },
	{ 20, 1 }, { 21, 1 }, { 22, 2 }, { 24, 2 }, { 26, 2 }, { 28, 2 },
	{ 30, 2 }, { 32, 4 }, { 36, 4 }, { 40, 4 }, { 44, 4 }, { 48, 4 },
	{ 52, 4 },
};

/* A write merges into the current image; each touched field is then
 * written whole (so odd widths behave like read-modify-write). */
static void common_write(struct virtio_dev *v, u32 off, const u8 *data,
			 u32 len)
{
	u8 img[VP_COMMON_LEN];
	unsigned int i;

	common_image(v, img);
	memcpy(img + off, data, len);
	for (i = 0; i < ARRAY_SIZE(common_fields); i++) {
		u32 f = common_fields[i][0], w = common_fields[i][1];

		if (f + w <= off || f >= off + len)
			continue;
		write_field(v, f, le_get(img + f, w));
	}
}

/* ---- MSI-X table, PBA and control (pci/msix.c) ---- */

/* Table, then PBA (read-only) from the table's offset on. */
static void msix_io(struct virtio_dev *v, u64 off, u8 *data, u32 len,
		    bool wr)
{
	const u64 pba = VP_MSIX_PBA_OFF - VP_MSIX_TABLE_OFF;
	struct msix_result res;

	if (off >= pba) {
		if (!wr)
			msix_pba_read(&v->msix, off - pba, data, len);
	} else if (!wr) {
		msix_table_read(&v->msix, off, data, len);
	} else if (msix_table_write(&v->msix, off, data, len, &res)) {
		if (res.flags & MSIX_R_ROUTE)
			v->kvm->msix(v, res.vector, false);
		msix_deliver_result(v, &res);
	}
}

/* Called when the MSI-X control word may have changed. */
static void msix_ctrl_update(struct virtio_dev *v, u16 ctrl)
{
	struct msix_result res;

	msix_set_ctrl(&v->msix, ctrl & PCI_MSIX_FLAGS_ENABLE,
		      ctrl & PCI_MSIX_FLAGS_MASKALL, &res);
	msix_deliver_result(v, &res);
}

/* ---- BAR 0 ---- */

static u8 isr_read(struct virtio_dev *v)
{
	u8 val;

	pthread_mutex_lock(&v->intx_lock);
	val = __atomic_exchange_n(&v->isr, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&v->intx_lock);
	v->kvm->irq_flush(v);
	return val;
}

static void notify_write(struct virtio_dev *v, u32 q)
{
	if (q >= v->nr_queues || !v->qcfg[q].enabled) {
		virtio_dev_fail(v, "notify of queue %u, which is not set up", q);
		return;
	}
	virtio_dev_kick(v, q);
}

static bool in_range(u64 off, u32 len, u64 base, u64 size)
{
	return off >= base && off + len <= base + size;
}

static void devcfg_io(struct virtio_dev *v, u32 off, u8 *data, u32 len,
		      bool wr)
{
	if (!wr) {
		if (off + len <= v->config_len)
			memcpy(data, v->config + off, len);
		return;
	}
	if (off < v->config_ro_len || off + len > v->config_len) {
		virtio_dev_fail(v, "config write at %u+%u (writable %u..%u)",
				off, len, v->config_ro_len, v->config_len);
		return;
	}
	memcpy(v->config + off, data, len);
	if (v->ops->config_write)
		v->ops->config_write(v, off, len);
}

static void bar_io_locked(struct virtio_dev *v, u64 off, u8 *data, u32 len,
			  bool wr)
{
	if (in_range(off, len, VP_COMMON_OFF, VP_COMMON_LEN)) {
		if (wr)
			common_write(v, off, data, len);
		else {
			u8 img[VP_COMMON_LEN];

			common_image(v, img);
			memcpy(data, img + off, len);
		}
	} else if (in_range(off, len, VP_DEVCFG_OFF, VIRTIO_CFG_MAX)) {
		devcfg_io(v, off - VP_DEVCFG_OFF, data, len, wr);
	} else if (in_range(off, len, VP_NOTIFY_OFF,
			    v->nr_queues * VP_NOTIFY_MULT)) {
		if (wr)
			notify_write(v, (off - VP_NOTIFY_OFF) / VP_NOTIFY_MULT);
	} else if (in_range(off, len, VP_MSIX_TABLE_OFF, VP_BAR_SIZE -
			    VP_MSIX_TABLE_OFF)) {
		msix_io(v, off - VP_MSIX_TABLE_OFF, data, len, wr);
	} else if (!wr) {
		pr_debug("%s: read of unused BAR offset 0x%llx+%u", v->name,
			 (unsigned long long)off, len);
	} else {
		pr_debug("%s: write to unused BAR offset 0x%llx+%u ignored",
			 v->name, (unsigned long long)off, len);
	}
}

void virtio_pci_bar_io(struct virtio_dev *v, u64 off, u8 *data, u32 len,
		       bool wr)
{
	if (!wr)
		memset(data, 0, len);
	if (len > 8)
		return;
	if (in_range(off, len, VP_ISR_OFF, VP_ISR_LEN)) {
		if (!wr && off == VP_ISR_OFF)
			data[0] = isr_read(v);
		return;
	}
	pthread_mutex_lock(&v->lock);
	bar_io_locked(v, off, data, len, wr);
	pthread_mutex_unlock(&v->lock);
	v->kvm->irq_flush(v);
}

/* ---- PCI config space: capabilities and hooks ---- */

/* VIRTIO_PCI_CAP_PCI_CFG: a window into BAR 0 through config space. */
static bool pci_cfg_window(struct virtio_dev *v, u32 off, u8 *data, u32 len,
			   bool wr)
{
	u32 base = v->pci_cfg_cap, dat = base + sizeof(struct virtio_pci_cap);
	u32 boff, blen;
	u8 buf[4];

	if (!base || off < dat || off + len > dat + 4)
		return false;
	boff = pci_cfg_get32(&v->pci, base + VIRTIO_PCI_CAP_OFFSET);
	blen = pci_cfg_get32(&v->pci, base + VIRTIO_PCI_CAP_LENGTH);
	if (pci_cfg_get8(&v->pci, base + VIRTIO_PCI_CAP_BAR) != VP_BAR ||
	    (blen != 1 && blen != 2 && blen != 4) || boff % blen) {
		if (!wr)
			memset(data, 0, len);
		return true;
	}
	memset(buf, 0, sizeof(buf));
	if (wr) {
		memcpy(buf + (off - dat), data, len);
		virtio_pci_bar_io(v, boff, buf, blen, true);
	} else {
		virtio_pci_bar_io(v, boff, buf, blen, false);
		memcpy(data, buf + (off - dat), len);
	}
	return true;
}

bool vp_cfg_read(struct pci_dev *dev, u32 off, u8 *data, u32 len)
{
	return pci_cfg_window(dev->priv, off, data, len, false);
}

bool vp_cfg_write(struct pci_dev *dev, u32 off, const u8 *data, u32 len)
{
	struct virtio_dev *v = dev->priv;
	u16 msix = pci_find_cap(dev, PCI_CAP_ID_MSIX);

	if (pci_cfg_window(v, off, (u8 *)data, len, true))
		return true;
	pci_cfg_write_default(dev, off, data, len);
	if (msix && off < msix + 4u && off + len > msix + 2u) {
		pthread_mutex_lock(&v->lock);
		msix_ctrl_update(v, pci_cfg_get16(dev, msix + PCI_MSIX_FLAGS));
		pthread_mutex_unlock(&v->lock);
		v->kvm->irq_flush(v);
	}
	return true;
}

static u16 add_vcap(struct pci_dev *dev, u8 type, u32 size, u32 off, u32 len)
{
	u16 c = pci_add_cap(dev, PCI_CAP_ID_VNDR, size);

	if (!c)
		return 0;
	pci_cfg_set8(dev, c + VIRTIO_PCI_CAP_LEN, size);
	pci_cfg_set8(dev, c + VIRTIO_PCI_CAP_CFG_TYPE, type);
	pci_cfg_set8(dev, c + VIRTIO_PCI_CAP_BAR, VP_BAR);
	pci_cfg_set32(dev, c + VIRTIO_PCI_CAP_OFFSET, off);
	pci_cfg_set32(dev, c + VIRTIO_PCI_CAP_LENGTH, len);
	return c;
}

static int add_caps(struct virtio_dev *v)
{
	struct pci_dev *dev = &v->pci;
	u16 c;

	if (!add_vcap(dev, VIRTIO_PCI_CAP_COMMON_CFG,
		      sizeof(struct virtio_pci_cap), VP_COMMON_OFF,
		      VP_COMMON_LEN) ||
	    !add_vcap(dev, VIRTIO_PCI_CAP_ISR_CFG, sizeof(struct virtio_pci_cap),
		      VP_ISR_OFF, VP_ISR_LEN))
		return -1;
	c = add_vcap(dev, VIRTIO_PCI_CAP_NOTIFY_CFG,
		     sizeof(struct virtio_pci_notify_cap), VP_NOTIFY_OFF,
		     v->nr_queues * VP_NOTIFY_MULT);
	if (!c)
		return -1;
	pci_cfg_set32(dev, c + sizeof(struct virtio_pci_cap), VP_NOTIFY_MULT);
	if (v->config_len &&
	    !add_vcap(dev, VIRTIO_PCI_CAP_DEVICE_CFG,
		      sizeof(struct virtio_pci_cap), VP_DEVCFG_OFF,
		      v->config_len))
		return -1;
	c = add_vcap(dev, VIRTIO_PCI_CAP_PCI_CFG,
		     sizeof(struct virtio_pci_cfg_cap), 0, 0);
	if (!c)
		return -1;
	v->pci_cfg_cap = c;
	pci_set_wmask(dev, c + VIRTIO_PCI_CAP_BAR, 1, 0xff);
	pci_set_wmask(dev, c + VIRTIO_PCI_CAP_OFFSET, 4, 0xffffffff);
	pci_set_wmask(dev, c + VIRTIO_PCI_CAP_LENGTH, 4, 0xffffffff);
	c = pci_add_cap(dev, PCI_CAP_ID_MSIX, PCI_CAP_MSIX_SIZEOF);
	if (!c)
		return -1;
	pci_cfg_set16(dev, c + PCI_MSIX_FLAGS, v->msix.nr - 1);
	pci_cfg_set32(dev, c + PCI_MSIX_TABLE, VP_MSIX_TABLE_OFF | VP_BAR);
	pci_cfg_set32(dev, c + PCI_MSIX_PBA, VP_MSIX_PBA_OFF | VP_BAR);
	pci_set_wmask(dev, c + PCI_MSIX_FLAGS, 2,
		      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	dev->cfg_hook_start = v->pci_cfg_cap;
	dev->cfg_hook_end = c + PCI_CAP_MSIX_SIZEOF;
	return 0;
}

int virtio_dev_setup_caps(struct virtio_dev *v)
{
	if (!v->config_ro_len)
		v->config_ro_len = v->config_len;
	if (add_caps(v)) {
		pr_err("%s: PCI capabilities do not fit", v->name);
		return -1;
	}
	return 0;
}
