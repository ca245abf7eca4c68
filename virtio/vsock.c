/* virtio-vsock (--vsock CID): a virtio-pci device whose rx and tx queues
 * the host's vhost-vsock serves (started at DRIVER_OK, stopped on reset);
 * the event queue is lkvm's and stays empty. Snapshots are refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_vsock.h>
#include "kvm/config.h"
#include "kvm/vm.h"
#include "virtio/pci.h"
#include "virtio/vsock.h"

#define VSOCK_QUEUE_SIZE	256
#define VSOCK_CLASS		0x00ff00	/* unclassified device */
#define VSOCK_WANTED		(1ULL << VIRTIO_F_VERSION_1 |		\
				 1ULL << VIRTIO_RING_F_INDIRECT_DESC |	\
				 1ULL << VIRTIO_RING_F_EVENT_IDX |	\
				 1ULL << VIRTIO_VSOCK_F_SEQPACKET)

struct vsock_dev {
	struct virtio_dev v;
	const struct vhost_seam *seam;
	int fd;
	u64 cid;
	bool running;
	struct pci_dev_ops pci_ops;	/* virtio-pci's, plus snap_check */
};

/* The rings of queue q as host addresses; -1 if not wholly in RAM. */
static int ring_of(struct virtio_dev *v, unsigned int q,
		   struct vsock_vring *r)
{
	const struct virtio_queue_cfg *c = &v->qcfg[q];
	void *d, *a, *u;

	if (!c->enabled)
		return -1;
	d = guest_ptr(v->mem, c->desc, 16ULL * c->size);
	a = guest_ptr(v->mem, c->avail, 6 + 2ULL * c->size);
	u = guest_ptr(v->mem, c->used, 6 + 8ULL * c->size);
	if (!d || !a || !u)
		return -1;
	r->num = c->size;
	r->desc = (u64)(uintptr_t)d;
	r->avail = (u64)(uintptr_t)a;
	r->used = (u64)(uintptr_t)u;
	r->kick_fd = v->queue_efd[q];
	r->call_fd = virtio_vector_fd(v, c->msix_vector);
	return 0;
}

static void vsock_driver_ok(struct virtio_dev *v)
{
	struct vsock_dev *d = v->priv;
	struct vsock_vring r[VSOCK_VHOST_QUEUES];
	char err[160];
	unsigned int q;

	for (q = 0; q < VSOCK_VHOST_QUEUES; q++) {
		if (ring_of(v, q, &r[q])) {
			virtio_dev_fail(v, "queue %u not enabled or outside RAM",
					q);
			return;
		}
		if (r[q].call_fd < 0) {
			virtio_dev_fail(v, "queue %u has no MSI-X vector (vsock "
					"needs MSI-X)", q);
			return;
		}
	}
	if (vsock_vhost_start(d->seam, d->fd, v->guest_features, r, err,
			      sizeof(err))) {
		vsock_vhost_stop(d->seam, d->fd);
		virtio_dev_fail(v, "%s", err);
		return;
	}
	d->running = true;
}

static void vsock_reset(struct virtio_dev *v)
{
	struct vsock_dev *d = v->priv;

	if (!d->running)
		return;
	vsock_vhost_stop(d->seam, d->fd);
	d->running = false;
}

/* rx/tx: vhost's (its kick fds are the queues' eventfds); event: ours,
 * no event is ever sent, so its buffers stay. */
static void vsock_notify(struct virtio_dev *v, unsigned int q)
{
	(void)v;
	(void)q;
}

static void vsock_free(struct virtio_dev *v)
{
	struct vsock_dev *d = v->priv;

	if (d->fd >= 0)
		d->seam->close(d->fd);
	free(d);
}

static int vsock_snap_check(struct pci_dev *dev, char *err, size_t errlen)
{
	struct vsock_dev *d = ((struct virtio_dev *)dev->priv)->priv;

	return set_err(err, errlen, "virtio-vsock (--vsock %llu) at %02x:%02x.%x "
		       "cannot be snapshotted: its connections live in the "
		       "host kernel's vhost-vsock; run the VM without --vsock "
		       "to snapshot it", (unsigned long long)d->cid,
		       dev->bdf >> 8, (dev->bdf >> 3) & 0x1f, dev->bdf & 7);
}

static const struct virtio_dev_ops vsock_ops = {
	.notify = vsock_notify,
	.driver_ok = vsock_driver_ok,
	.reset = vsock_reset,
	.free = vsock_free,
};

static int vsock_setup(struct vsock_dev *d, struct vm *vm, u64 features)
{
	struct virtio_dev *v = &d->v;

	v->priv = d;
	if (virtio_dev_init(v, vm, "virtio-vsock", VIRTIO_ID_VSOCK,
			    VSOCK_CLASS, VSOCK_NR_QUEUES, VSOCK_QUEUE_SIZE,
			    &vsock_ops))
		return -1;
	v->host_features = (v->host_features | VSOCK_WANTED) & features;
	if (!(v->host_features & (1ULL << VIRTIO_F_VERSION_1))) {
		pr_err("--vsock: %s does not offer VIRTIO_F_VERSION_1 (a host "
		       "kernel too old for lkvm's virtio 1.x devices)",
		       VSOCK_DEV_PATH);
		return -1;
	}
	v->config_len = VSOCK_CFG_LEN;
	vsock_config_layout(v->config, d->cid);
	d->pci_ops = *v->pci.ops;
	d->pci_ops.snap_check = vsock_snap_check;
	v->pci.ops = &d->pci_ops;
	return 0;
}

int vsock_init(struct vm *vm)
{
	struct vsock_dev *d;
	u64 features = 0;
	char err[256];

	if (!vm->cfg->vsock_cid)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -1;
	d->seam = &vhost_seam_kernel;
	d->cid = vm->cfg->vsock_cid;
	d->fd = vsock_vhost_open(d->seam, &vm->mem, d->cid, &features, err,
				 sizeof(err));
	if (d->fd < 0) {
		pr_err("%s", err);
		free(d);
		return -1;
	}
	if (vsock_setup(d, vm, features)) {
		vsock_free(&d->v);
		return -1;
	}
	return virtio_dev_start(&d->v);	/* frees d on failure */
}

void vsock_exit(struct vm *vm)
{
	virtio_devs_destroy(vm, VIRTIO_ID_VSOCK);
}

LKVM_INIT(INIT_DEVICE, vsock_init, vsock_exit)
