/* virtio-pci snapshots, the snap_save/snap_load hooks of every virtio
 * device: the transport's driver-visible state, each queue's guest
 * addresses and ring indices, MSI-X, then the device's own record. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include "kvm/snapshot.h"
#include "kvm/state.h"
#include "virtio/pci.h"
#include "vp-internal.h"

#define NO_VECTOR	VIRTIO_MSI_NO_VECTOR
#define SAME_OPTIONS	"restore with the options the VM was saved with"

/* Identity (checked, not adopted: features and sizes follow from the
 * device and its options here) and the driver-visible transport state.
 * No pointers: queues, MSI-X and the device have records of their own. */
STATE_DESC(vp_state_desc, "virtio-pci", struct virtio_dev, 1,
	   STATE_FIELD(struct virtio_dev, device_id, 1),
	   STATE_FIELD(struct virtio_dev, host_features, 1),
	   STATE_FIELD(struct virtio_dev, nr_queues, 1),
	   STATE_FIELD(struct virtio_dev, queue_max, 1),
	   STATE_FIELD(struct virtio_dev, config_len, 1),
	   STATE_FIELD(struct virtio_dev, config, 1),
	   STATE_FIELD(struct virtio_dev, dfselect, 1),
	   STATE_FIELD(struct virtio_dev, gfselect, 1),
	   STATE_FIELD(struct virtio_dev, guest_features, 1),
	   STATE_FIELD(struct virtio_dev, status, 1),
	   STATE_FIELD(struct virtio_dev, config_gen, 1),
	   STATE_FIELD(struct virtio_dev, queue_sel, 1),
	   STATE_FIELD(struct virtio_dev, config_vector, 1),
	   STATE_FIELD(struct virtio_dev, kick_pending, 1),
	   STATE_FIELD(struct virtio_dev, isr, 1))

/* One queue as the driver programmed it and where the device stands in
 * its rings; host pointers into them are recomputed on load. */
struct vq_snap {
	u64 desc, avail, used;
	u16 size, msix_vector;
	u16 last_avail_idx, used_idx;
	u8 enabled, broken;
};

STATE_DESC(vq_snap_desc, "virtio-queue", struct vq_snap, 1,
	   STATE_FIELD(struct vq_snap, desc, 1),
	   STATE_FIELD(struct vq_snap, avail, 1),
	   STATE_FIELD(struct vq_snap, used, 1),
	   STATE_FIELD(struct vq_snap, size, 1),
	   STATE_FIELD(struct vq_snap, msix_vector, 1),
	   STATE_FIELD(struct vq_snap, last_avail_idx, 1),
	   STATE_FIELD(struct vq_snap, used_idx, 1),
	   STATE_FIELD(struct vq_snap, enabled, 1),
	   STATE_FIELD(struct vq_snap, broken, 1))

/* Everything read, checked before any of it is adopted. */
struct vp_snap {
	struct virtio_dev t;
	struct vq_snap q[VIRTIO_MAX_QUEUES];
	struct msix_state msix;
	u64 msix_store[MSIX_STORE_WORDS(VIRTIO_MSIX_VECTORS)];
	void *dev;		/* the device's record, or NULL */
};

__attribute__((format(printf, 4, 5)))
static int vp_err(const struct virtio_dev *v, char *err, size_t errlen,
		  const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return set_err(err, errlen, "%s at %02x:%02x.%x: %s", v->name,
		       PCI_BDF_BUS(v->pci.bdf), PCI_BDF_SLOT(v->pci.bdf),
		       PCI_BDF_FN(v->pci.bdf), msg);
}

/* A bool or flag byte as saved: 0 or 1 (read as a byte, never as bool). */
static bool flag_ok(const void *p)
{
	u8 b;

	memcpy(&b, p, 1);
	return b <= 1;
}

/* ---- save ---- */

static void queue_snap(const struct virtio_dev *v, unsigned int q,
		       struct vq_snap *s)
{
	const struct virtio_queue_cfg *c = &v->qcfg[q];
	const struct virtqueue *vq = &v->vq[q];

	memset(s, 0, sizeof(*s));
	s->desc = c->desc;
	s->avail = c->avail;
	s->used = c->used;
	s->size = c->size;
	s->msix_vector = c->msix_vector;
	s->enabled = c->enabled;
	s->last_avail_idx = vq->last_avail_idx;
	s->used_idx = vq->used_idx;
	s->broken = vq->broken;
}

/*
 * Quiescing: notify runs whole under the device lock (every chain a
 * device pops is pushed, or given back with vq_unpop, before it returns),
 * so once the lock is ours no request is half done and last_avail_idx
 * counts exactly the requests completed. Notifications arriving while
 * the VM is paused wait (vp_vm_held in io.c) and are re-kicked on load.
 */
int vp_snap_save(struct pci_dev *dev, struct sbuf *b, char *err,
		 size_t errlen)
{
	struct virtio_dev *v = dev->priv;
	const struct state_desc *msix = state_find("msix");
	struct vq_snap qs;
	unsigned int q;

	if (!msix)
		return vp_err(v, err, errlen, "this build has no \"msix\" "
			      "state description");
	pthread_mutex_lock(&v->lock);
	sb_state(b, &vp_state_desc, v);
	for (q = 0; q < v->nr_queues; q++) {
		queue_snap(v, q, &qs);
		sb_state(b, &vq_snap_desc, &qs);
	}
	sb_state(b, msix, &v->msix);
	if (v->ops->snap_save)
		v->ops->snap_save(v, b);
	else if (v->ops->state)
		sb_state(b, v->ops->state, v->priv);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

/* ---- load: read and check ---- */

static int check_ids(const struct virtio_dev *v, const struct virtio_dev *t,
		     char *err, size_t errlen)
{
	if (t->device_id != v->device_id)
		return vp_err(v, err, errlen, "virtio device id %u in the "
			      "snapshot, %u here: %s", t->device_id,
			      v->device_id, SAME_OPTIONS);
	if (t->nr_queues != v->nr_queues)
		return vp_err(v, err, errlen, "%u queues in the snapshot, %u "
			      "here: %s", t->nr_queues, v->nr_queues,
			      SAME_OPTIONS);
	if (t->queue_max != v->queue_max)
		return vp_err(v, err, errlen, "queue size limit %u in the "
			      "snapshot, %u here: %s", t->queue_max,
			      v->queue_max, SAME_OPTIONS);
	if (t->config_len != v->config_len)
		return vp_err(v, err, errlen, "device config length %u in the "
			      "snapshot, %u here: %s", t->config_len,
			      v->config_len, SAME_OPTIONS);
	return 0;
}

static int check_transport(const struct virtio_dev *v,
			   const struct virtio_dev *t, char *err,
			   size_t errlen)
{
	unsigned int q;

	if (check_ids(v, t, err, errlen))
		return -1;
	if (t->guest_features & ~v->host_features)
		return vp_err(v, err, errlen, "the driver uses features 0x%llx "
			      "this device does not offer (it offers 0x%llx): %s",
			      (unsigned long long)t->guest_features,
			      (unsigned long long)v->host_features,
			      SAME_OPTIONS);
	if (t->config_vector != NO_VECTOR && t->config_vector >= v->msix.nr)
		return vp_err(v, err, errlen, "config vector %u out of range "
			      "(%u vectors): corrupt snapshot",
			      t->config_vector, v->msix.nr);
	for (q = 0; q < VIRTIO_MAX_QUEUES; q++)
		if (!flag_ok(&t->kick_pending[q]))
			return vp_err(v, err, errlen, "kick_pending[%u] is not "
				      "0 or 1: corrupt snapshot", q);
	return 0;
}

static int check_queue(const struct virtio_dev *v, const struct vp_snap *s,
		       unsigned int q, char *err, size_t errlen)
{
	const struct vq_snap *qs = &s->q[q];
	struct virtqueue vq;

	if (!flag_ok(&qs->enabled) || !flag_ok(&qs->broken))
		return vp_err(v, err, errlen, "queue %u: enabled/broken flag "
			      "is not 0 or 1: corrupt snapshot", q);
	if (qs->msix_vector != NO_VECTOR && qs->msix_vector >= v->msix.nr)
		return vp_err(v, err, errlen, "queue %u: vector %u out of "
			      "range (%u vectors): corrupt snapshot", q,
			      qs->msix_vector, v->msix.nr);
	if (!qs->enabled)
		return 0;
	if (!(s->t.status & VIRTIO_CONFIG_S_FEATURES_OK) ||
	    qs->size > v->queue_max ||
	    vq_init(&vq, qs->size, qs->desc, qs->avail, qs->used, 0))
		return vp_err(v, err, errlen, "queue %u: enabled with size %u "
			      "(max %u), status 0x%x, rings 0x%llx/0x%llx/"
			      "0x%llx: corrupt snapshot", q, qs->size,
			      v->queue_max, s->t.status,
			      (unsigned long long)qs->desc,
			      (unsigned long long)qs->avail,
			      (unsigned long long)qs->used);
	if ((u16)(qs->last_avail_idx - qs->used_idx) > qs->size)
		return vp_err(v, err, errlen, "queue %u: %u chains taken but "
			      "only %u returned (size %u): corrupt snapshot", q,
			      qs->last_avail_idx, qs->used_idx, qs->size);
	return 0;
}

static int check_msix(const struct virtio_dev *v, const struct msix_state *m,
		      char *err, size_t errlen)
{
	if (m->nr != v->msix.nr)
		return vp_err(v, err, errlen, "%u MSI-X vectors in the snapshot, "
			      "%u here: %s", m->nr, v->msix.nr, SAME_OPTIONS);
	if (!flag_ok(&m->enabled) || !flag_ok(&m->func_masked))
		return vp_err(v, err, errlen, "MSI-X enable/mask flag is not 0 "
			      "or 1: corrupt snapshot");
	return 0;
}

/* One sr_state record, its error prefixed with the device. */
static int read_rec(const struct virtio_dev *v, struct sreader *r,
		    const struct state_desc *d, void *obj, char *err,
		    size_t errlen)
{
	char msg[160];

	if (sr_state(r, d, obj, msg, sizeof(msg)))
		return vp_err(v, err, errlen, "%s", msg);
	return 0;
}

static int read_device(const struct virtio_dev *v, struct sreader *r,
		       struct vp_snap *s, char *err, size_t errlen)
{
	const struct state_desc *d = v->ops->state;
	u32 i;

	if (!d)
		return 0;
	for (i = 0; i < d->nr; i++)
		if (d->fields[i].len)
			return vp_err(v, err, errlen, "%s.%s: table fields are "
				      "not supported in a virtio device record",
				      d->name, d->fields[i].name);
	s->dev = calloc(1, d->size);
	if (!s->dev)
		return vp_err(v, err, errlen, "out of memory");
	return read_rec(v, r, d, s->dev, err, errlen);
}

/*
 * state_load() sizes a table from the fields loaded before it, so an
 * "msix" record whose nr (its first field) differs from ours would be
 * read past its end: nr is checked on a copy of the reader first.
 */
static int check_msix_nr(const struct virtio_dev *v, const struct sreader *r,
			 const struct state_desc *d, char *err, size_t errlen)
{
	struct sreader p = *r;
	char name[64];
	const u8 *data;
	u32 n, nr;

	sr_str(&p, name, sizeof(name));
	sr_u16(&p);
	data = sr_blob(&p, &n);
	if (p.bad || strcmp(name, d->name) || !d->nr ||
	    strcmp(d->fields[0].name, "nr") || d->fields[0].size != sizeof(nr))
		return 0;	/* sr_state() names what is wrong */
	if (n < sizeof(nr))
		return vp_err(v, err, errlen, "msix: the record is truncated");
	memcpy(&nr, data, sizeof(nr));
	if (nr != v->msix.nr)
		return vp_err(v, err, errlen, "%u MSI-X vectors in the snapshot, "
			      "%u here: %s", nr, v->msix.nr, SAME_OPTIONS);
	return 0;
}

static int read_all(const struct virtio_dev *v, struct sreader *r,
		    struct vp_snap *s, char *err, size_t errlen)
{
	const struct state_desc *msix = state_find("msix");
	unsigned int q;

	if (!msix)
		return vp_err(v, err, errlen, "this build has no \"msix\" "
			      "state description");
	if (read_rec(v, r, &vp_state_desc, &s->t, err, errlen) ||
	    check_transport(v, &s->t, err, errlen))
		return -1;
	for (q = 0; q < v->nr_queues; q++)
		if (read_rec(v, r, &vq_snap_desc, &s->q[q], err, errlen) ||
		    check_queue(v, s, q, err, errlen))
			return -1;
	msix_init(&s->msix, v->msix.nr, s->msix_store);
	if (check_msix_nr(v, r, msix, err, errlen) ||
	    read_rec(v, r, msix, &s->msix, err, errlen) ||
	    check_msix(v, &s->msix, err, errlen))
		return -1;
	return read_device(v, r, s, err, errlen);
}

/* ---- load: adopt ---- */

static void adopt_queue(struct virtio_dev *v, unsigned int q,
			const struct vq_snap *qs)
{
	struct virtqueue *vq = &v->vq[q];

	v->qcfg[q] = (struct virtio_queue_cfg){
		.size = qs->size, .msix_vector = qs->msix_vector,
		.enabled = qs->enabled, .desc = qs->desc, .avail = qs->avail,
		.used = qs->used,
	};
	vq_reset(vq);
	if (!qs->enabled)
		return;
	vq_init(vq, qs->size, qs->desc, qs->avail, qs->used,
		v->guest_features);
	vq->last_avail_idx = qs->last_avail_idx;
	vq->used_idx = qs->used_idx;
	if (qs->broken) {
		vq->broken = true;
		snprintf(vq->err, sizeof(vq->err), "broken before the snapshot");
	}
}

static void adopt_transport(struct virtio_dev *v, const struct vp_snap *s)
{
	const struct virtio_dev *t = &s->t;
	unsigned int q;

	memcpy(v->config, t->config, sizeof(v->config));
	v->dfselect = t->dfselect;
	v->gfselect = t->gfselect;
	v->guest_features = t->guest_features;
	v->status = t->status;
	v->config_gen = t->config_gen;
	v->queue_sel = t->queue_sel;
	v->config_vector = t->config_vector;
	memcpy(v->kick_pending, t->kick_pending, sizeof(v->kick_pending));
	for (q = 0; q < v->nr_queues; q++)
		adopt_queue(v, q, &s->q[q]);
	v->msix.enabled = s->msix.enabled;
	v->msix.func_masked = s->msix.func_masked;
	memcpy(v->msix.tbl, s->msix.tbl, msix_table_size(v->msix.nr));
	memcpy(v->msix.pba, s->msix.pba, msix_pba_size(v->msix.nr));
	__atomic_store_n(&v->isr, t->isr, __ATOMIC_SEQ_CST);
}

/* Without the device's own snap_load: every described field is copied. */
static void copy_fields(const struct state_desc *d, void *obj,
			const void *saved)
{
	u32 i;

	for (i = 0; i < d->nr; i++)
		memcpy((u8 *)obj + d->fields[i].off,
		       (const u8 *)saved + d->fields[i].off, d->fields[i].size);
}

/* A device that cannot be saved (ops->no_snapshot) refuses up front. */
int vp_snap_check(struct pci_dev *dev, char *err, size_t errlen)
{
	struct virtio_dev *v = dev->priv;

	if (!v->ops->no_snapshot)
		return 0;
	return vp_err(v, err, errlen, "cannot be saved: %s",
		      v->ops->no_snapshot);
}

/* Device lock held. The device's part first: it may still refuse (e.g. a
 * tap without the saved offloads), and then the device stays reset. */
static int adopt(struct virtio_dev *v, const struct vp_snap *s, char *err,
		 size_t errlen)
{
	unsigned int q;
	char msg[200];

	vp_reset(v);		/* no stale ioeventfd, MSI route or latch */
	if (s->dev && v->ops->snap_load &&
	    v->ops->snap_load(v, s->dev, msg, sizeof(msg)))
		return vp_err(v, err, errlen, "%s", msg);
	if (s->dev && !v->ops->snap_load)
		copy_fields(v->ops->state, v->priv, s->dev);
	adopt_transport(v, s);
	/* Armed only once BAR 0 is mapped: vp_bar_map() then arms them. */
	for (q = 0; q < v->nr_queues; q++)
		if (v->qcfg[q].enabled)
			v->kvm->ioeventfd_set(v, q, true);
	return 0;
}

/*
 * On a freshly created device of the restored VM, after the bus put its
 * config image back (decode off). MSI-X routes and irqfds are made on a
 * vector's first delivery, as on a fresh boot; a vector masked at save
 * time keeps its pending bit. Queues are kicked: notifications that
 * were waiting at save time, and requests the driver queued, are run
 * once the vCPUs go (vp_vm_held).
 */
int vp_snap_load(struct pci_dev *dev, struct sreader *r, char *err,
		 size_t errlen)
{
	struct virtio_dev *v = dev->priv;
	struct vp_snap *s = calloc(1, sizeof(*s));
	unsigned int q;
	int ret = -1;

	if (!s)
		return vp_err(v, err, errlen, "out of memory");
	if (read_all(v, r, s, err, errlen))
		goto out;
	pthread_mutex_lock(&v->lock);
	ret = adopt(v, s, err, errlen);
	pthread_mutex_unlock(&v->lock);
	if (ret)
		goto out;
	pthread_mutex_lock(&v->intx_lock);
	v->intx_out = false;
	pthread_mutex_unlock(&v->intx_lock);
	v->kvm->irq_flush(v);
	for (q = 0; q < v->nr_queues && virtio_dev_ready(v); q++)
		if (v->qcfg[q].enabled)
			virtio_dev_kick(v, q);
out:
	free(s->dev);
	free(s);
	return ret;
}
