/* Unit tests of virtio-pci snapshots (virtio/snapshot.c) on a dummy device
 * over hand-built rings: a device saved mid-stream and loaded into a fresh
 * one continues its rings, interrupts and device record; mismatched,
 * truncated and corrupt payloads are refused; queue work waits while the
 * VM is paused (virtio/io.c). */
#include <stdlib.h>
#include <time.h>
#include "kvm/state.h"
#include "fake_vm.h"
#include "virtio_harness.h"

#define F_V1		(1ULL << VIRTIO_F_VERSION_1)
#define F_DEV		(1ULL << 5)
#define S_DOK		VIRTIO_CONFIG_S_DRIVER_OK
#define VEC_Q		1	/* queue 0's MSI-X vector */

/* A device that answers every chain with its running count. */
struct sdev {
	struct virtio_dev v;
	u32 served;		/* the device's own saved state */
	int notified;
};

STATE_DESC(sdev_desc, "test-virtio-sdev", struct sdev, 1,
	   STATE_FIELD(struct sdev, served, 1))

static void s_notify(struct virtio_dev *v, unsigned int q)
{
	struct sdev *d = v->priv;
	struct vq_seg segs[4];
	struct vq_chain c;
	u16 old = v->vq[q].used_idx;

	d->notified++;
	vq_chain_init(&c, segs, 4);
	while (vq_pop(&v->vq[q], v->mem, &c) > 0) {
		vq_chain_write(&c, 0, &d->served, 4);
		d->served++;
		vq_push(&v->vq[q], v->mem, c.head, 4);
	}
	virtio_queue_done(v, q, old);
}

static void s_free(struct virtio_dev *v)
{
	free(v->priv);
}

static const struct virtio_dev_ops s_ops = {
	.notify = s_notify,
	.free = s_free,
	.state = &sdev_desc,
};

static struct harness H;

/* A fresh device (as a restored VM creates it), caps added unless the
 * test starts it itself. */
static struct sdev *s_new(struct vm *vm, unsigned int nr_queues, u32 cfg_len,
			  u64 features, bool caps)
{
	struct sdev *d = calloc(1, sizeof(*d));

	d->v.priv = d;
	d->v.host_features = features;
	if (virtio_dev_init(&d->v, vm, "sdev", 4, 0xff0000, nr_queues, 64,
			    &s_ops))
		return NULL;
	d->v.mem = &H.mem;
	d->v.config_len = cfg_len;
	virtio_cfg_put64(&d->v, 0, 0x1122334455667788ULL);
	if (caps && virtio_dev_setup_caps(&d->v))
		return NULL;
	return d;
}

static void s_del(struct sdev *d)
{
	virtio_dev_destroy(&d->v);
}

static void msix_ctrl(struct sdev *d, u16 val)
{
	u16 c = pci_find_cap(&d->v.pci, PCI_CAP_ID_MSIX);
	u8 b[2] = { val, val >> 8 };

	d->v.pci.ops->cfg_write(&d->v.pci, c + PCI_MSIX_FLAGS, b, 2);
}

/* Vectors 0 (config) and VEC_Q (queue 0) programmed, unmasked, enabled. */
static void msix_setup(struct sdev *d)
{
	unsigned int vec;

	for (vec = 0; vec <= VEC_Q; vec++) {
		h_wr(&d->v, VP_MSIX_TABLE_OFF + 16 * vec, 4, 0xfee00000);
		h_wr(&d->v, VP_MSIX_TABLE_OFF + 16 * vec + 8, 4, 0x40 + vec);
		h_wr(&d->v, VP_MSIX_TABLE_OFF + 16 * vec + 12, 4, 0);
	}
	h_wr(&d->v, VIRTIO_PCI_COMMON_MSIX, 2, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	h_wr(&d->v, VIRTIO_PCI_COMMON_Q_MSIX, 2, VEC_Q);
	msix_ctrl(d, PCI_MSIX_FLAGS_ENABLE);
}

/* Makes chain head (one 16-byte writable buffer) available on queue 0. */
static void post(u16 head)
{
	h_desc(&H, 0, head, H_BUF + 16ULL * head, 16, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, head);
}

static u32 answer(u16 head)
{
	return le32toh(*(u32 *)h_ptr(&H, H_BUF + 16ULL * head));
}

/* A brought-up device with MSI-X, three chains served, two more posted
 * but not yet run (the notification still on its way), saved into b. */
static struct sdev *mid_stream(struct sbuf *b)
{
	struct sdev *d;
	u16 i;

	h_init(&H);
	d = s_new(NULL, 2, 8, F_DEV, true);
	if (!d)
		return NULL;
	h_bring_up(&d->v, F_DEV);
	msix_setup(d);
	for (i = 0; i < 3; i++)
		post(i);
	virtio_dev_process(&d->v, 0);
	post(3);
	post(4);
	memset(b, 0, sizeof(*b));
	if (h_snap_save(&d->v, b))
		return NULL;
	return d;
}

TEST(virtio_snap_continues_rings_and_vectors)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b), *e;
	char err[256];
	u64 sent;

	ASSERT(d);
	EXPECT_EQ(h_used_idx(&H, 0), 3);
	EXPECT_EQ(d->v.last_vector, VEC_Q);
	s_del(d);
	e = s_new(NULL, 2, 8, F_DEV, true);
	ASSERT(e);
	ASSERT_EQ(h_snap_load(&e->v, b.p, b.len, err, sizeof(err)), 0);
	EXPECT_EQ(e->served, 3);
	EXPECT_EQ(H_STATUS(&e->v) & S_DOK, S_DOK);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_GF, 4), 1);	/* VERSION_1 */
	h_wr(&e->v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_Q_SIZE, 2), H_QSIZE);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_Q_ENABLE, 2), 1);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_Q_MSIX, 2), VEC_Q);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_Q_DESCLO, 4), (u32)H_DESC);
	EXPECT_EQ(h_rd(&e->v, VIRTIO_PCI_COMMON_MSIX, 2), 0);
	EXPECT_EQ(h_rd(&e->v, VP_DEVCFG_OFF + 4, 4), 0x11223344);
	EXPECT_EQ(h_rd(&e->v, VP_MSIX_TABLE_OFF + 16 * VEC_Q + 8, 4),
		  0x40 + VEC_Q);
	EXPECT(e->v.msix.enabled);
	/* the two requests posted before the save, then one more */
	sent = e->v.irqs_sent;
	virtio_dev_process(&e->v, 0);
	EXPECT_EQ(h_used_idx(&H, 0), 5);
	EXPECT_EQ(answer(3), 3);
	EXPECT_EQ(answer(4), 4);
	EXPECT_EQ(e->v.irqs_sent, sent + 1);
	EXPECT_EQ(e->v.last_vector, VEC_Q);
	post(5);
	virtio_dev_process(&e->v, 0);
	EXPECT_EQ(h_used_idx(&H, 0), 6);
	EXPECT_EQ(h_used_len(&H, 0, 5), 4);
	EXPECT_EQ(answer(5), 5);
	EXPECT_EQ(e->v.last_vector, VEC_Q);
	s_del(e);
	sb_free(&b);
	h_fini(&H);
}

/* A vector masked at save time keeps its pending bit: unmasking it on the
 * restored device delivers it. INTx: the ISR bit survives too. */
TEST(virtio_snap_pending_vector_and_isr)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b), *e;
	char err[256];
	u64 sent;

	ASSERT(d);
	sb_free(&b);
	h_wr(&d->v, VP_MSIX_TABLE_OFF + 16 * VEC_Q + 12, 4, 1);	/* mask */
	sent = d->v.irqs_sent;
	virtio_dev_process(&d->v, 0);
	EXPECT_EQ(d->v.irqs_sent, sent);
	EXPECT_EQ(h_rd(&d->v, VP_MSIX_PBA_OFF, 4), 1u << VEC_Q);
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(h_snap_save(&d->v, &b), 0);
	s_del(d);
	e = s_new(NULL, 2, 8, F_DEV, true);
	ASSERT_EQ(h_snap_load(&e->v, b.p, b.len, err, sizeof(err)), 0);
	EXPECT_EQ(h_rd(&e->v, VP_MSIX_PBA_OFF, 4), 1u << VEC_Q);
	sent = e->v.irqs_sent;
	h_wr(&e->v, VP_MSIX_TABLE_OFF + 16 * VEC_Q + 12, 4, 0);	/* unmask */
	EXPECT_EQ(e->v.irqs_sent, sent + 1);
	EXPECT_EQ(e->v.last_vector, VEC_Q);
	EXPECT_EQ(h_rd(&e->v, VP_MSIX_PBA_OFF, 4), 0);
	/* INTx: MSI-X off, a request raises the ISR queue bit */
	msix_ctrl(e, 0);
	post(5);
	virtio_dev_process(&e->v, 0);
	EXPECT_EQ(e->v.last_vector, -1);
	sb_free(&b);
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(h_snap_save(&e->v, &b), 0);
	s_del(e);
	e = s_new(NULL, 2, 8, F_DEV, true);
	ASSERT_EQ(h_snap_load(&e->v, b.p, b.len, err, sizeof(err)), 0);
	EXPECT(!e->v.msix.enabled);
	EXPECT_EQ(h_rd(&e->v, VP_ISR_OFF, 1), 1);
	EXPECT_EQ(h_rd(&e->v, VP_ISR_OFF, 1), 0);
	s_del(e);
	sb_free(&b);
	h_fini(&H);
}

/* Loads b into a fresh device built with these options: must fail with a
 * message containing want, leaving the device as created. */
static void expect_refused(struct sbuf *b, unsigned int nr_queues,
			   u32 cfg_len, u64 features, const char *want)
{
	struct sdev *e = s_new(NULL, nr_queues, cfg_len, features, true);
	char err[256];

	if (!EXPECT(e))
		return;
	EXPECT_EQ(h_snap_load(&e->v, b->p, b->len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, want);
	EXPECT_CONTAINS(err, "sdev at 00:00.0: ");
	EXPECT_EQ(H_STATUS(&e->v), 0);
	EXPECT_EQ(e->served, 0);
	s_del(e);
}

TEST(virtio_snap_other_device_refused)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b);

	ASSERT(d);
	expect_refused(&b, 1, 8, F_DEV, "2 queues in the snapshot, 1 here");
	expect_refused(&b, 2, 4, F_DEV, "device config length 8 in the "
		       "snapshot, 4 here");
	expect_refused(&b, 2, 8, 0, "features 0x100000020 this device does "
		       "not offer");
	s_del(d);
	sb_free(&b);
	h_fini(&H);
}

/* Patches byte(s) of a record, expects the load to fail naming why, and
 * puts them back. */
static void expect_corrupt(struct sbuf *b, const char *rec, int nth,
			   int off, u32 len, u64 val, const char *want)
{
	u8 *p = h_snap_rec(b, rec, nth), save[8];

	if (!EXPECT(p))
		return;
	memcpy(save, p + off, len);
	le_put(p + off, len, val);
	expect_refused(b, 2, 8, F_DEV, want);
	memcpy(p + off, save, len);
}

TEST(virtio_snap_corrupt_refused)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b);

	ASSERT(d);
	/* vq_snap: desc 0, avail 8, used 16, size 24, vector 26,
	 * last_avail 28, used_idx 30, enabled 32, broken 33 */
	expect_corrupt(&b, "virtio-queue", 0, 28, 2, 100, "queue 0: 100 chains "
		       "taken but only 3 returned");
	expect_corrupt(&b, "virtio-queue", 0, 32, 1, 2, "queue 0: enabled/broken "
		       "flag is not 0 or 1");
	expect_corrupt(&b, "virtio-queue", 1, 24, 2, 3, "queue 1: enabled with "
		       "size 3");
	expect_corrupt(&b, "virtio-queue", 1, 26, 2, 7, "queue 1: vector 7 out "
		       "of range (3 vectors)");
	expect_corrupt(&b, "virtio-queue", 0, 0, 8, 0x100008, "rings 0x100008/");
	expect_corrupt(&b, "msix", 0, 0, 4, 5, "5 MSI-X vectors in the "
		       "snapshot, 3 here");
	expect_corrupt(&b, "virtio-pci", 0, 0, 2, 1, "virtio device id 1 in "
		       "the snapshot, 4 here");
	/* the version field, just before the length and the payload */
	expect_corrupt(&b, "virtio-pci", 0, -6, 2, 9, "virtio-pci: record "
		       "version 9 is newer than this lkvm's 1");
	expect_corrupt(&b, "test-virtio-sdev", 0, -4, 4, 3, "test-virtio-sdev: "
		       "3 bytes do not fit this device (4 expected)");
	s_del(d);
	sb_free(&b);
	h_fini(&H);
}

/* Every truncation is refused with a message, the device left as created
 * (run under ASan too: nothing is read past the end). */
TEST(virtio_snap_truncated_refused)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b), *e;
	char err[256];
	size_t len;
	int bad = 0;

	ASSERT(d);
	e = s_new(NULL, 2, 8, F_DEV, true);
	ASSERT(e);
	for (len = 0; len < b.len; len++) {
		u8 *copy = malloc(len + 1);

		memcpy(copy, b.p, len);
		if (h_snap_load(&e->v, copy, len, err, sizeof(err)) != -1 ||
		    !strstr(err, "sdev at 00:00.0: ") ||
		    H_STATUS(&e->v) != 0)
			bad++;
		free(copy);
	}
	EXPECT_EQ(bad, 0);
	h_snap_load(&e->v, b.p, 20, err, sizeof(err));
	EXPECT_CONTAINS(err, "virtio-pci: the record is truncated");
	s_del(e);
	s_del(d);
	sb_free(&b);
	h_fini(&H);
}

/* Whether d served n chains within ms milliseconds. */
static bool wait_served(struct sdev *d, u32 n, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	u32 got;
	int i;

	for (i = 0; i < ms; i++) {
		pthread_mutex_lock(&d->v.lock);
		got = d->served;
		pthread_mutex_unlock(&d->v.lock);
		if (got >= n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* While the VM is paused, or restored and its vCPUs not yet started, a
 * notification is held (the snapshot must match guest memory); the I/O
 * thread runs it once the VM goes on. */
/* Up to ms for the I/O thread to have held n queue notifications (a busy
 * host may take more than a few ms to schedule it). */
static bool wait_held(struct sdev *d, u32 n, int ms)
{
	struct timespec ts = { 0, 1000 * 1000 };
	int i;

	for (i = 0; i < ms; i++) {
		if (__atomic_load_n(&d->v.held, __ATOMIC_RELAXED) == n)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

TEST(virtio_snap_queue_work_held_while_paused)
{
	struct lkvm_config cfg = { 0 };
	struct vm vm;
	struct sdev *d;

	h_init(&H);
	fake_vm_init(&vm, &cfg, true);
	d = s_new(&vm, 1, 8, F_DEV, false);
	ASSERT(d);
	d->v.mem = &H.mem;
	ASSERT_EQ(virtio_dev_start(&d->v), 0);
	h_bring_up(&d->v, F_DEV);
	vm.pause_req = true;
	post(0);
	virtio_dev_kick(&d->v, 0);
	EXPECT(wait_held(d, 1, 2000));
	EXPECT(!wait_served(d, 1, 50) || !"served while paused");
	EXPECT_EQ(__atomic_load_n(&d->v.held, __ATOMIC_RELAXED), 1);
	EXPECT_EQ(h_used_idx(&H, 0), 0);
	__atomic_store_n(&vm.restored, true, __ATOMIC_SEQ_CST);	/* no vCPU */
	__atomic_store_n(&vm.pause_req, false, __ATOMIC_SEQ_CST);
	EXPECT(!wait_served(d, 1, 50) || !"served before the vCPUs ran");
	__atomic_store_n(&vm.restored, false, __ATOMIC_SEQ_CST);
	EXPECT(wait_served(d, 1, 2000));
	EXPECT_EQ(h_used_idx(&H, 0), 1);
	EXPECT_EQ(__atomic_load_n(&d->v.held, __ATOMIC_RELAXED), 0);
	virtio_dev_destroy(&d->v);
	fake_vm_fini(&vm);
	h_fini(&H);
}

/* Every byte of the payload flipped in turn: each load either fails with
 * a message or yields a device that processes its queues without harm
 * (ASan: no access outside guest RAM or the device). */
TEST(virtio_snap_flipped_bytes_harmless)
{
	struct sbuf b;
	struct sdev *d = mid_stream(&b), *e;
	int refused = 0, silent = 0;
	char err[256];
	size_t i;

	ASSERT(d);
	e = s_new(NULL, 2, 8, F_DEV, true);
	ASSERT(e);
	for (i = 0; i < b.len; i++) {
		b.p[i] ^= 0xff;
		if (h_snap_load(&e->v, b.p, b.len, err, sizeof(err))) {
			refused++;
			silent += !strstr(err, "sdev at 00:00.0: ");
		} else {
			virtio_dev_process(&e->v, 0);
			virtio_dev_process(&e->v, 1);
		}
		b.p[i] ^= 0xff;
	}
	EXPECT(refused > 0);
	EXPECT_EQ(silent, 0);
	EXPECT_EQ(h_snap_load(&e->v, b.p, b.len, err, sizeof(err)), 0);
	s_del(e);
	s_del(d);
	sb_free(&b);
	h_fini(&H);
}
