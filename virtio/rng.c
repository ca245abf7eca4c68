/* virtio-rng (--rng): one request queue whose writable buffers are filled
 * from the host's /dev/urandom. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/virtio_ids.h>
#include "kvm/state.h"
#include "kvm/vm.h"
#include "virtio/pci.h"
#include "virtio/rng.h"


#define RNG_QUEUE_SIZE	64
#define RNG_MAX_SEGS	64
#define RNG_CLASS	0x00ff00	/* unclassified device */

struct rng_dev {
	struct virtio_dev v;
	int fd;
};

/* Nothing of its own beyond the virtio-pci state. */
STATE_DESC(rng_state_desc, "virtio-rng", struct rng_dev, 1)

/* Fills one chain; returns the bytes written. */
static u32 rng_fill(int fd, const struct vq_chain *c)
{
	struct iovec iov[RNG_MAX_SEGS];
	u64 got;
	ssize_t n;
	int nr;

	nr = vq_chain_iov(c, true, 0, MIN(c->write_len, (u64)SZ_1M), iov,
			  RNG_MAX_SEGS, &got);
	if (nr <= 0)
		return 0;
	do
		n = readv(fd, iov, nr);
	while (n < 0 && errno == EINTR);
	return n < 0 ? 0 : n;
}

void rng_process(struct virtio_dev *v, int fd, unsigned int q)
{
	struct virtqueue *vq = &v->vq[q];
	struct vq_seg segs[RNG_MAX_SEGS];
	struct vq_chain c;
	u16 old = vq->used_idx;
	int r;

	vq_chain_init(&c, segs, RNG_MAX_SEGS);
	while ((r = vq_pop(vq, v->mem, &c)) > 0) {
		if (vq_push(vq, v->mem, c.head, rng_fill(fd, &c)))
			break;
	}
	if (r < 0 || vq_is_broken(vq))
		virtio_dev_fail(v, "rng queue: %s", vq_error(vq));
	virtio_queue_done(v, q, old);
}

static void rng_notify(struct virtio_dev *v, unsigned int q)
{
	struct rng_dev *r = v->priv;

	rng_process(v, r->fd, q);
}

static void rng_free(struct virtio_dev *v)
{
	struct rng_dev *r = v->priv;

	close(r->fd);
	free(r);
}

static const struct virtio_dev_ops rng_ops = {
	.notify = rng_notify,
	.free = rng_free,
	.state = &rng_state_desc,
};

int rng_init(struct vm *vm)
{
	struct rng_dev *r;

	if (!vm->cfg->rng)
		return 0;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		pr_err("virtio-rng: cannot open /dev/urandom: %s",
		       strerror(errno));
		free(r);
		return -1;
	}
	r->v.priv = r;
	if (virtio_dev_init(&r->v, vm, "virtio-rng", VIRTIO_ID_RNG, RNG_CLASS,
			    1, RNG_QUEUE_SIZE, &rng_ops)) {
		rng_free(&r->v);
		return -1;
	}
	return virtio_dev_start(&r->v);	/* frees r on failure */
}

void rng_exit(struct vm *vm)
{
	virtio_devs_destroy(vm, VIRTIO_ID_RNG);
}

LKVM_INIT(INIT_DEVICE, rng_init, rng_exit)
