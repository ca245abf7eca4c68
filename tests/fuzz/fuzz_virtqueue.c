/* libFuzzer target for virtio/virtqueue.c: guest RAM (two regions, each its
 * own allocation) filled from the input holds descriptor tables, rings and
 * indirect tables; pop/iov/copy/push/notify loops must stay inside it. */
#include <errno.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>
#include "fuzz.h"
#include "virtio/virtqueue.h"

/* fuzz-sources: virtio/virtqueue.c kvm/guest_mem.c kvm/util.c
 * fuzz-runs: 400000
 * fuzz-max-len: 8192 */

/* Region 1 starts where region 0 ends: a buffer across both is refused. */
#define RAM0_GPA	0x100000ULL
#define RAM0_SIZE	0x10000ULL
#define RAM1_GPA	(RAM0_GPA + RAM0_SIZE)
#define RAM1_SIZE	0x4000ULL
#define MAX_BATCH	16

/*
 * Input: [size][features/layout][max segs][script length K][script: K]
 * [desc/avail/used gpa: 3 x u32 when the layout bit is set][RAM0][RAM1].
 * Script bytes choose what the device (and a guest poking its RAM in
 * between) does next; they run out into plain pop/push.
 */
#define F_EVENT		0x01
#define F_INDIRECT	0x02
#define F_GPAS		0x04	/* ring addresses from the input */
#define F_BAD_SIZE	0x08	/* queue size not a power of two */

struct vqf {
	struct guest_mem mem;
	u8 *ram[2];
	u64 ram_size[2];
	struct virtqueue vq;
	struct vq_seg *segs;
	struct vq_chain c;
	unsigned int max;
	struct fin script;
	struct vq_used batch[MAX_BATCH];
	unsigned int nb;
};

static bool in_ram(const struct vqf *f, const void *p, u64 len)
{
	const u8 *b = p;
	int i;

	for (i = 0; i < 2; i++)
		if (b >= f->ram[i] && len <= f->ram_size[i] &&
		    (u64)(b - f->ram[i]) <= f->ram_size[i] - len)
			return true;
	return false;
}

static void check_chain(const struct vqf *f)
{
	const struct vq_chain *c = &f->c;
	u64 rl = 0, wl = 0;
	unsigned int i;

	FUZZ_ASSERT(c->head < f->vq.size);
	FUZZ_ASSERT(c->nr <= c->max && c->nr_read <= c->nr);
	for (i = 0; i < c->nr; i++) {
		const struct vq_seg *s = &c->segs[i];

		FUZZ_ASSERT(s->addr && s->len);
		FUZZ_ASSERT(in_ram(f, s->addr, s->len));
		FUZZ_ASSERT(s->write == (i >= c->nr_read));
		if (s->write)
			wl += s->len;
		else
			rl += s->len;
	}
	FUZZ_ASSERT(rl == c->read_len && wl == c->write_len);
}

/* Each iovec inside one segment of the part, in order, summing to got. */
static void check_iov(const struct vqf *f, bool write, u64 skip, u64 len,
		      unsigned int max)
{
	const struct vq_chain *c = &f->c;
	struct iovec iov[8];
	u64 got = ~0ULL, sum = 0, part = write ? c->write_len : c->read_len;
	int n = vq_chain_iov(c, write, skip, len, iov, max, &got), i;

	FUZZ_ASSERT(n >= -1 && n <= (int)max);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(iov[i].iov_len);
		FUZZ_ASSERT(in_ram(f, iov[i].iov_base, iov[i].iov_len));
		sum += iov[i].iov_len;
	}
	FUZZ_ASSERT(sum == got && got <= len);
	FUZZ_ASSERT(got == MIN(len, skip < part ? part - skip : 0));
}

static void use_chain(struct vqf *f)
{
	struct fin *s = &f->script;
	u8 buf[300];
	u64 skip = fin_u16(s), len = fin_u16(s);
	size_t n;

	check_chain(f);
	check_iov(f, false, skip, len, 1 + fin_u8(s) % 8);
	check_iov(f, true, skip % 64, len, 1 + fin_u8(s) % 8);
	n = vq_chain_read(&f->c, skip % 512, buf, fin_u8(s));
	FUZZ_ASSERT(n <= f->c.read_len);
	memset(buf, 0x5a, sizeof(buf));
	n = vq_chain_write(&f->c, skip % 512, buf, fin_u16(s) % sizeof(buf));
	FUZZ_ASSERT(n <= f->c.write_len);
}

static void push(struct vqf *f, u8 how)
{
	int r;

	if (how % 4 == 3 && f->nb < MIN(MAX_BATCH, f->vq.size)) {
		f->batch[f->nb++] = (struct vq_used){ f->c.head,
						      (u32)f->c.write_len };
		return;
	}
	r = vq_push(&f->vq, &f->mem, f->c.head, (u32)f->c.write_len);
	FUZZ_ASSERT(r == 0 || r == -EIO);
}

static void flush_batch(struct vqf *f)
{
	int r;

	if (!f->nb)
		return;
	r = vq_push_many(&f->vq, &f->mem, f->batch, f->nb);
	FUZZ_ASSERT(r == 0 || r == -EIO);
	f->nb = 0;
}

/* A used entry for any head: refused unless the queue could take it. */
static void bogus_push(struct vqf *f, bool many)
{
	struct vq_used e[2];
	u16 used_idx = f->vq.used_idx;
	int r;

	e[0] = (struct vq_used){ fin_u16(&f->script), fin_u32(&f->script) };
	e[1] = (struct vq_used){ fin_u16(&f->script), 0 };
	if (many)
		r = vq_push_many(&f->vq, &f->mem, e, 2);
	else
		r = vq_push(&f->vq, &f->mem, e[0].head, e[0].len);
	FUZZ_ASSERT(r == 0 || r == -EIO || r == -EINVAL);
	if (e[0].head >= f->vq.size || (many && e[1].head >= f->vq.size))
		FUZZ_ASSERT(r);
	if (r)
		FUZZ_ASSERT(f->vq.used_idx == used_idx);
}

/* One device (or guest) step; false when the queue has nothing more. */
static bool step(struct vqf *f, unsigned int *unpops)
{
	struct fin *s = &f->script;
	u8 op = s->n ? fin_u8(s) : 0;
	u16 old = f->vq.used_idx;
	u32 off;
	int r;

	switch (op % 8) {
	case 4:			/* the guest rewrites a byte of RAM */
		off = fin_u16(s) % RAM0_SIZE;
		f->ram[0][off] = fin_u8(s);
		return true;
	case 5:
		r = vq_set_notify(&f->vq, &f->mem, op & 8);
		FUZZ_ASSERT(r == 0 || r == -EIO || r == -EINVAL);
		return true;
	case 6:
		r = vq_set_avail_event(&f->vq, &f->mem, fin_u16(s));
		FUZZ_ASSERT(r == 0 || r == -EIO || r == -EINVAL);
		return true;
	case 7:
		if (op & 0x80)
			bogus_push(f, op & 0x40);
		flush_batch(f);
		vq_should_notify(&f->vq, &f->mem, old - (op >> 3));
		return true;
	}
	r = vq_pop(&f->vq, &f->mem, &f->c);
	FUZZ_ASSERT(r == 0 || r == 1 || r == -EIO);
	if (r < 0) {
		FUZZ_ASSERT(vq_is_broken(&f->vq) && vq_error(&f->vq));
		FUZZ_ASSERT(vq_pop(&f->vq, &f->mem, &f->c) == -EIO);
		FUZZ_ASSERT(vq_pending(&f->vq, &f->mem) == -EIO);
		return false;
	}
	if (!r)
		return false;
	use_chain(f);
	if (op % 8 == 2 && *unpops < 4) {
		(*unpops)++;
		vq_unpop(&f->vq);
		return true;
	}
	push(f, op);
	vq_should_notify(&f->vq, &f->mem, old);
	return true;
}

/* Ring addresses: from the input, or desc, avail, used packed in RAM0. */
static void ring_layout(struct fin *in, u8 flags, unsigned int size,
			u64 *gpa)
{
	if (flags & F_GPAS) {
		gpa[0] = fin_u32(in);
		gpa[1] = fin_u32(in);
		gpa[2] = fin_u32(in);
		return;
	}
	gpa[0] = RAM0_GPA;
	gpa[1] = RAM0_GPA + VQ_DESC_BYTES(size);
	gpa[2] = ALIGN_UP(gpa[1] + VQ_AVAIL_BYTES(size), 4);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct fin in = { data, len };
	struct vqf f = { .max = 0 };
	u8 lg = fin_u8(&in), flags = fin_u8(&in);
	unsigned int size = 1u << (lg % 9), iter, bound, unpops = 0;
	u64 feat = 0, gpa[3];
	size_t k;
	int i;

	f.max = 1 + fin_u8(&in) % 64;
	k = fin_u8(&in);
	f.script = (struct fin){ in.p, MIN(k, in.n) };
	in.p += f.script.n;
	in.n -= f.script.n;
	if (flags & F_BAD_SIZE)
		size = lg << 8 | flags;
	ring_layout(&in, flags, size, gpa);
	f.ram_size[0] = RAM0_SIZE;
	f.ram_size[1] = RAM1_SIZE;
	for (i = 0; i < 2; i++) {
		f.ram[i] = malloc(f.ram_size[i]);	/* own redzones */
		FUZZ_ASSERT(f.ram[i]);
		fin_bytes(&in, f.ram[i], f.ram_size[i]);
	}
	FUZZ_ASSERT(!guest_mem_add(&f.mem, RAM0_GPA, RAM0_SIZE, f.ram[0]));
	FUZZ_ASSERT(!guest_mem_add(&f.mem, RAM1_GPA, RAM1_SIZE, f.ram[1]));
	f.segs = malloc(f.max * sizeof(*f.segs));
	FUZZ_ASSERT(f.segs);
	vq_chain_init(&f.c, f.segs, f.max);
	if (flags & F_EVENT)
		feat |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (flags & F_INDIRECT)
		feat |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (vq_init(&f.vq, size, gpa[0], gpa[1], gpa[2], feat))
		FUZZ_ASSERT(vq_is_broken(&f.vq) && !f.vq.ready);
	/* every chain popped at most a few times: the loop ends */
	bound = 3 * size + f.script.n + 8;
	for (iter = 0; iter < bound; iter++)
		if (!step(&f, &unpops) && !f.script.n)
			break;
	flush_batch(&f);
	vq_reset(&f.vq);
	FUZZ_ASSERT(vq_pop(&f.vq, &f.mem, &f.c) == 0);
	free(f.segs);
	free(f.ram[0]);
	free(f.ram[1]);
	return 0;
}

/* ---- seeds ---- */

struct seed_ring {
	struct fseed s;
	size_t ram;		/* offset of RAM0 in the seed */
};

static void sr_begin(struct seed_ring *r, u8 lg, u8 flags, u8 max,
		     const u8 *script, u8 k)
{
	r->s.n = 0;
	fs_u8(&r->s, lg);
	fs_u8(&r->s, flags);
	fs_u8(&r->s, max);
	fs_u8(&r->s, k);
	fs_bytes(&r->s, script, k);
	r->ram = r->s.n;
	memset(r->s.b + r->ram, 0, sizeof(r->s.b) - r->ram);
}

static void sr_put(struct seed_ring *r, u64 gpa, u64 v, int bytes)
{
	size_t off = r->ram + (gpa - RAM0_GPA);
	int i;

	for (i = 0; i < bytes; i++)
		r->s.b[off + i] = (u8)(v >> (8 * i));
	r->s.n = MAX(r->s.n, off + bytes);
}

static void sr_desc(struct seed_ring *r, u64 table, u16 i, u64 addr, u32 len,
		    u16 flags, u16 next)
{
	u64 d = table + 16ULL * i;

	sr_put(r, d, addr, 8);
	sr_put(r, d + 8, len, 4);
	sr_put(r, d + 12, flags, 2);
	sr_put(r, d + 14, next, 2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const u8 pops[] = { 0, 0, 7, 5, 0, 6, 0, 0, 7 };
	struct seed_ring r;
	u64 desc = RAM0_GPA, avail = desc + VQ_DESC_BYTES(8);
	u64 buf = RAM0_GPA + 0x200, ind = RAM0_GPA + 0x180;

	if (!fuzz_seeding())
		return 0;
	/* one readable descriptor, avail idx 1 */
	sr_begin(&r, 3, 0, 8, pops, sizeof(pops));
	sr_desc(&r, desc, 0, buf, 64, 0, 0);
	sr_put(&r, avail + 2, 1, 2);
	sr_put(&r, avail + 4, 0, 2);
	fuzz_seed("one-desc", &r.s);

	/* header + data + status chain (virtio-blk-like), event idx */
	sr_begin(&r, 3, F_EVENT, 8, pops, sizeof(pops));
	sr_desc(&r, desc, 0, buf, 16, VRING_DESC_F_NEXT, 1);
	sr_desc(&r, desc, 1, buf + 0x100, 256,
		VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	sr_desc(&r, desc, 2, buf + 0x400, 1, VRING_DESC_F_WRITE, 0);
	sr_put(&r, avail + 2, 1, 2);
	fuzz_seed("blk-chain", &r.s);

	/* indirect table of three, then a second plain chain */
	sr_begin(&r, 3, F_INDIRECT | F_EVENT, 16, pops, sizeof(pops));
	sr_desc(&r, desc, 0, ind, 48, VRING_DESC_F_INDIRECT, 0);
	sr_desc(&r, ind, 0, buf, 16, VRING_DESC_F_NEXT, 1);
	sr_desc(&r, ind, 1, buf + 0x100, 256, VRING_DESC_F_NEXT, 2);
	sr_desc(&r, ind, 2, buf + 0x400, 256, VRING_DESC_F_WRITE, 0);
	sr_desc(&r, desc, 1, RAM1_GPA, 128, VRING_DESC_F_WRITE, 0);
	sr_put(&r, avail + 2, 2, 2);
	sr_put(&r, avail + 4, 0, 2);
	sr_put(&r, avail + 6, 1, 2);
	fuzz_seed("indirect", &r.s);

	/* ring addresses given: the used ring straddles RAM0's end */
	sr_begin(&r, 1, F_GPAS, 4, pops, sizeof(pops));
	fs_u32(&r.s, (u32)RAM0_GPA);
	fs_u32(&r.s, (u32)RAM0_GPA + 0x40);
	fs_u32(&r.s, (u32)RAM1_GPA - 8);
	r.ram = r.s.n;
	memset(r.s.b + r.ram, 0, sizeof(r.s.b) - r.ram);
	sr_desc(&r, RAM0_GPA, 0, buf, 64, VRING_DESC_F_WRITE, 0);
	sr_put(&r, RAM0_GPA + 0x40 + 2, 1, 2);
	fuzz_seed("gpas", &r.s);
	exit(0);
}
