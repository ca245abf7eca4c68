/* virtio-console (--console virtio): port 0 only, the guest's hvc0. Host
 * keystrokes (term_set_input) fill the receive queue; the transmit queue
 * goes to term_write. */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include "kvm/snapshot.h"
#include "kvm/state.h"
#include "kvm/term.h"
#include "kvm/vm.h"
#include "virtio/console.h"
#include "virtio/pci.h"

STATE_DESC(con_state_desc, "virtio-console", struct con_dev, 1,
	   STATE_FIELD(struct con_dev, in, 1),
	   STATE_FIELD(struct con_dev, in_head, 1),
	   STATE_FIELD(struct con_dev, in_len, 1))

#define CON_QUEUE_SIZE	128
#define CON_MAX_SEGS	64
#define CON_CLASS	0x078000	/* simple communication controller */

/* Input bytes kept until the guest posts receive buffers; beyond the
 * buffer size the oldest typing is dropped. */
void con_input(void *opaque, const u8 *buf, size_t len)
{
	struct con_dev *c = opaque;
	size_t i;

	pthread_mutex_lock(&c->in_lock);
	for (i = 0; i < len; i++) {
		if (c->in_len == CON_IN_BUF)
			break;
		c->in[(c->in_head + c->in_len++) % CON_IN_BUF] = buf[i];
	}
	pthread_mutex_unlock(&c->in_lock);
	if (c->v.thread_started)
		virtio_dev_kick(&c->v, CON_RX);
}

static u32 rx_fill(struct con_dev *c, const struct vq_chain *ch)
{
	u32 done = 0;

	while (c->in_len && done < ch->write_len) {
		size_t n = MIN(c->in_len, CON_IN_BUF - c->in_head);

		n = MIN(n, ch->write_len - done);
		n = vq_chain_write(ch, done, c->in + c->in_head, n);
		if (!n)
			break;
		done += n;
		c->in_head = (c->in_head + n) % CON_IN_BUF;
		c->in_len -= n;
	}
	return done;
}

static void con_rx(struct con_dev *c, struct virtqueue *vq)
{
	struct vq_seg segs[CON_MAX_SEGS];
	struct vq_chain ch;

	vq_chain_init(&ch, segs, CON_MAX_SEGS);
	pthread_mutex_lock(&c->in_lock);
	while (c->in_len && vq_pop(vq, c->v.mem, &ch) > 0)
		if (vq_push(vq, c->v.mem, ch.head, rx_fill(c, &ch)))
			break;
	pthread_mutex_unlock(&c->in_lock);
}

static void con_tx(struct con_dev *c, struct virtqueue *vq)
{
	struct vq_seg segs[CON_MAX_SEGS];
	struct vq_chain ch;
	unsigned int i;

	vq_chain_init(&ch, segs, CON_MAX_SEGS);
	while (vq_pop(vq, c->v.mem, &ch) > 0) {
		for (i = 0; i < ch.nr_read; i++)
			c->out(ch.segs[i].addr, ch.segs[i].len);
		if (vq_push(vq, c->v.mem, ch.head, 0))
			break;
	}
}

void con_process(struct con_dev *c, unsigned int q)
{
	struct virtqueue *vq = &c->v.vq[q];
	u16 old = vq->used_idx;

	if (q == CON_RX)
		con_rx(c, vq);
	else
		con_tx(c, vq);
	if (vq_is_broken(vq))
		virtio_dev_fail(&c->v, "console queue %u: %s", q, vq_error(vq));
	virtio_queue_done(&c->v, q, old);
}

static void con_notify(struct virtio_dev *v, unsigned int q)
{
	con_process(v->priv, q);
}

static void con_free(struct virtio_dev *v)
{
	struct con_dev *c = v->priv;

	pthread_mutex_destroy(&c->in_lock);
	free(c);
}

/* The input not yet given to the guest; in_lock as con_input takes it. */
static void con_snap_save(struct virtio_dev *v, struct sbuf *b)
{
	struct con_dev *c = v->priv;

	pthread_mutex_lock(&c->in_lock);
	sb_state(b, &con_state_desc, c);
	pthread_mutex_unlock(&c->in_lock);
}

static int con_snap_load(struct virtio_dev *v, const void *saved, char *err,
			 size_t errlen)
{
	struct con_dev *c = v->priv;
	const struct con_dev *s = saved;

	if (s->in_head >= CON_IN_BUF || s->in_len > CON_IN_BUF)
		return set_err(err, errlen, "input buffer head %zu, length %zu "
			       "(of %u): corrupt snapshot", s->in_head,
			       s->in_len, CON_IN_BUF);
	pthread_mutex_lock(&c->in_lock);
	memcpy(c->in, s->in, sizeof(c->in));
	c->in_head = s->in_head;
	c->in_len = s->in_len;
	pthread_mutex_unlock(&c->in_lock);
	return 0;
}

static const struct virtio_dev_ops con_ops = {
	.notify = con_notify,
	.free = con_free,
	.state = &con_state_desc,
	.snap_save = con_snap_save,
	.snap_load = con_snap_load,
};

int con_setup(struct con_dev *c, struct vm *vm)
{
	c->v.priv = c;
	c->out = term_write;
	pthread_mutex_init(&c->in_lock, NULL);
	if (virtio_dev_init(&c->v, vm, "virtio-console", VIRTIO_ID_CONSOLE,
			    CON_CLASS, 2, CON_QUEUE_SIZE, &con_ops))
		return -1;
	c->v.config_len = sizeof(struct virtio_console_config);
	return 0;
}

int con_init(struct vm *vm)
{
	struct con_dev *c;

	if (vm->cfg->console != CONSOLE_VIRTIO)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	if (con_setup(c, vm)) {
		con_free(&c->v);
		return -1;
	}
	if (virtio_dev_start(&c->v))	/* frees c */
		return -1;
	term_set_input(con_input, c);
	return 0;
}

void con_exit(struct vm *vm)
{
	if (!virtio_dev_next(vm, VIRTIO_ID_CONSOLE, NULL))
		return;
	term_set_input(NULL, NULL);
	virtio_devs_destroy(vm, VIRTIO_ID_CONSOLE);
}

LKVM_INIT(INIT_DEVICE, con_init, con_exit)
