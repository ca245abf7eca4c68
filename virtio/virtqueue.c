/* Split virtqueue engine (see include/virtio/virtqueue.h): chain walking
 * with loop/bounds checks, used ring updates with barriers, and EVENT_IDX /
 * NO_INTERRUPT notification decisions. All ring memory goes via guest_ptr;
 * what the device wrote is marked in a migration's write log. */

/* Zero-length descriptor policy: accepted (their flags still count for the
 * readable-before-writable rule and chain length) but never turned into a
 * segment, so callers never see a zero-length or NULL segment. */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>
#include "virtio/virtqueue.h"

/* Offsets inside the avail and used rings. */
#define AVAIL_FLAGS		0
#define AVAIL_IDX		2
#define AVAIL_RING(i)		(4ULL + 2ULL * (i))
#define USED_FLAGS		0
#define USED_IDX		2
#define USED_ELEM(i)		(4ULL + 8ULL * (i))

struct desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/* State of one vq_pop walk (mark: only log the writable buffers). */
struct walk {
	struct virtqueue *vq;
	const struct guest_mem *mem;
	struct vq_chain *c;
	bool seen_write;
	bool mark;
};

__attribute__((format(printf, 2, 3)))
static int vq_fail(struct virtqueue *vq, const char *fmt, ...)
{
	va_list ap;

	if (vq->broken)
		return -EIO;
	va_start(ap, fmt);
	vsnprintf(vq->err, sizeof(vq->err), fmt, ap);
	va_end(ap);
	vq->broken = true;
	pr_debug("virtqueue broken: %s", vq->err);
	return -EIO;
}

/* Ring fields are naturally aligned (vq_init checks the ring bases). */
static u16 ld16(const void *base, u64 off)
{
	const u16 *p = (const u16 *)((const u8 *)base + off);

	return le16toh(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static void st16(void *base, u64 off, u16 v)
{
	__atomic_store_n((u16 *)((u8 *)base + off), htole16(v),
			 __ATOMIC_RELAXED);
}

static void st32(void *base, u64 off, u32 v)
{
	__atomic_store_n((u32 *)((u8 *)base + off), htole32(v),
			 __ATOMIC_RELAXED);
}

static void *ring_ptr(struct virtqueue *vq, const struct guest_mem *mem,
		      u64 gpa, u64 len, const char *what)
{
	void *p = guest_ptr(mem, gpa, len);

	if (!p)
		vq_fail(vq, "%s ring 0x%llx+0x%llx outside guest RAM", what,
			(unsigned long long)gpa, (unsigned long long)len);
	return p;
}

/* Snapshot one descriptor: the guest may rewrite it concurrently, so every
 * field is read exactly once (tables need no alignment). */
static void read_desc(const void *table, u32 i, struct desc *d)
{
	struct vring_desc raw;

	memcpy(&raw, (const u8 *)table + 16ULL * i, sizeof(raw));
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	d->addr = le64toh(raw.addr);
	d->len = le32toh(raw.len);
	d->flags = le16toh(raw.flags);
	d->next = le16toh(raw.next);
}

static int add_seg(struct walk *w, const struct desc *d)
{
	struct vq_chain *c = w->c;
	bool write = d->flags & VRING_DESC_F_WRITE;
	void *p;

	if (w->mark) {
		p = write ? guest_ptr(w->mem, d->addr, d->len) : NULL;
		if (p)
			guest_mem_mark(w->mem, p, d->len);
		return 0;
	}

	if (!write && w->seen_write)
		return vq_fail(w->vq, "head %u: readable descriptor after a writable one",
			       c->head);
	w->seen_write |= write;
	if (!d->len)
		return 0;
	if (c->nr >= c->max)
		return vq_fail(w->vq, "head %u: more than %u segments",
			       c->head, c->max);
	p = guest_ptr(w->mem, d->addr, d->len);
	if (!p)
		return vq_fail(w->vq, "head %u: buffer 0x%llx+0x%x outside guest RAM",
			       c->head, (unsigned long long)d->addr, d->len);
	c->segs[c->nr++] = (struct vq_seg){ .addr = p, .len = d->len,
					    .write = write };
	if (write) {
		c->write_len += d->len;
	} else {
		c->nr_read++;
		c->read_len += d->len;
	}
	return 0;
}

static int walk_table(struct walk *w, const void *table, u32 n, u32 i,
		      bool in_indirect);

static int walk_indirect(struct walk *w, const struct desc *d, bool nested)
{
	struct virtqueue *vq = w->vq;
	u16 head = w->c->head;
	void *table;

	if (nested)
		return vq_fail(vq, "head %u: nested indirect table", head);
	if (!vq->indirect)
		return vq_fail(vq, "head %u: indirect descriptor not negotiated",
			       head);
	if (d->flags & VRING_DESC_F_NEXT)
		return vq_fail(vq, "head %u: descriptor has both INDIRECT and NEXT",
			       head);
	if (!d->len || d->len % 16)
		return vq_fail(vq, "head %u: bad indirect table length %u",
			       head, d->len);
	if (d->len / 16 > VQ_MAX_INDIRECT)
		return vq_fail(vq, "head %u: indirect table of %u entries too big",
			       head, d->len / 16);
	table = guest_ptr(w->mem, d->addr, d->len);
	if (!table)
		return vq_fail(vq, "head %u: indirect table 0x%llx+0x%x outside guest RAM",
			       head, (unsigned long long)d->addr, d->len);
	return walk_table(w, table, d->len / 16, 0, true);
}

/* Follows a chain starting at entry @i of a table of @n descriptors. A chain
 * visiting more than @n entries must revisit one: that is a loop. */
static int walk_table(struct walk *w, const void *table, u32 n, u32 i,
		      bool in_indirect)
{
	struct desc d;
	u32 count = 0;

	for (;;) {
		read_desc(table, i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT)
			return walk_indirect(w, &d, in_indirect);
		if (add_seg(w, &d))
			return -EIO;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (++count >= n)
			return vq_fail(w->vq, "head %u: descriptor chain loops (> %u entries)",
				       w->c->head, n);
		if (d.next >= n)
			return vq_fail(w->vq, "head %u: next %u out of range (%u)",
				       w->c->head, d.next, n);
		i = d.next;
	}
}

int vq_init(struct virtqueue *vq, unsigned int size, u64 desc, u64 avail,
	    u64 used, u64 features)
{
	vq_reset(vq);
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1))) {
		vq_fail(vq, "bad queue size %u", size);
		return -EINVAL;
	}
	if (!IS_ALIGNED(desc, 16) || !IS_ALIGNED(avail, 2) ||
	    !IS_ALIGNED(used, 4)) {
		vq_fail(vq, "misaligned ring (desc 0x%llx avail 0x%llx used 0x%llx)",
			(unsigned long long)desc, (unsigned long long)avail,
			(unsigned long long)used);
		return -EINVAL;
	}
	vq->size = size;
	vq->desc_gpa = desc;
	vq->avail_gpa = avail;
	vq->used_gpa = used;
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
	return 0;
}

void vq_reset(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

int vq_pending(struct virtqueue *vq, const struct guest_mem *mem)
{
	void *avail;
	u16 idx, n;

	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return 0;
	avail = ring_ptr(vq, mem, vq->avail_gpa, VQ_AVAIL_BYTES(vq->size),
			 "avail");
	if (!avail)
		return -EIO;
	idx = ld16(avail, AVAIL_IDX);
	n = idx - vq->last_avail_idx;
	if (n > vq->size)
		return vq_fail(vq, "avail idx %u is %u ahead of %u (size %u)",
			       idx, n, vq->last_avail_idx, vq->size);
	return n;
}

int vq_pop(struct virtqueue *vq, const struct guest_mem *mem,
	   struct vq_chain *out)
{
	struct walk w = { .vq = vq, .mem = mem, .c = out };
	void *avail, *desc;
	u16 head;
	int n;

	n = vq_pending(vq, mem);
	if (n <= 0)
		return n;
	/* Read ring entries and descriptors only after seeing avail->idx. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	avail = ring_ptr(vq, mem, vq->avail_gpa, VQ_AVAIL_BYTES(vq->size),
			 "avail");
	desc = ring_ptr(vq, mem, vq->desc_gpa, VQ_DESC_BYTES(vq->size), "desc");
	if (!avail || !desc)
		return -EIO;
	head = ld16(avail, AVAIL_RING(vq->last_avail_idx & (vq->size - 1)));
	if (head >= vq->size)
		return vq_fail(vq, "avail[%u] head %u >= size %u",
			       vq->last_avail_idx, head, vq->size);
	out->nr = 0;
	out->nr_read = 0;
	out->read_len = 0;
	out->write_len = 0;
	out->head = head;
	if (walk_table(&w, desc, vq->size, head, false))
		return -EIO;
	vq->last_avail_idx++;
	return 1;
}

void vq_unpop(struct virtqueue *vq)
{
	vq->last_avail_idx--;
}

/* While a migration logs lkvm's writes to guest RAM: the writable buffers
 * of the chain at head (walked again: a descriptor the guest changed since
 * marks what it names now, and a broken walk breaks only a copy of the
 * queue) and the used ring. */
static void mark_chain(const struct virtqueue *vq,
		       const struct guest_mem *mem, u16 head)
{
	struct virtqueue copy = *vq;
	struct vq_chain c = { .head = head };
	struct walk w = { .vq = &copy, .mem = mem, .c = &c, .mark = true };
	void *desc = guest_ptr(mem, vq->desc_gpa, VQ_DESC_BYTES(vq->size));

	if (desc)
		walk_table(&w, desc, vq->size, head, false);
}

static void mark_written(const struct virtqueue *vq,
			 const struct guest_mem *mem, u16 head)
{
	void *used;

	if (!__atomic_load_n(&mem->logging, __ATOMIC_RELAXED))
		return;	/* the push path pays nothing without a migration */
	mark_chain(vq, mem, head);
	used = guest_ptr(mem, vq->used_gpa, VQ_USED_BYTES(vq->size));
	if (used)
		guest_mem_mark(mem, used, VQ_USED_BYTES(vq->size));
}

int vq_push(struct virtqueue *vq, const struct guest_mem *mem, u16 head,
	    u32 written)
{
	u64 off;
	void *used;

	if (vq->broken)
		return -EIO;
	if (!vq->ready || head >= vq->size)
		return -EINVAL;
	used = ring_ptr(vq, mem, vq->used_gpa, VQ_USED_BYTES(vq->size), "used");
	if (!used)
		return -EIO;
	mark_written(vq, mem, head);
	off = USED_ELEM(vq->used_idx & (vq->size - 1));
	st32(used, off, head);
	st32(used, off + 4, written);
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	st16(used, USED_IDX, vq->used_idx);
	return 0;
}

int vq_push_many(struct virtqueue *vq, const struct guest_mem *mem,
		 const struct vq_used *e, unsigned int n)
{
	unsigned int i;
	void *used;

	if (vq->broken)
		return -EIO;
	if (!vq->ready || n > vq->size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (e[i].head >= vq->size)
			return -EINVAL;
	used = ring_ptr(vq, mem, vq->used_gpa, VQ_USED_BYTES(vq->size), "used");
	if (!used)
		return -EIO;
	for (i = 0; i < n; i++) {
		u64 off = USED_ELEM((u16)(vq->used_idx + i) & (vq->size - 1));

		mark_written(vq, mem, e[i].head);
		st32(used, off, e[i].head);
		st32(used, off + 4, e[i].len);
	}
	/* Every element before the one index store that publishes them all. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx += n;
	st16(used, USED_IDX, vq->used_idx);
	return 0;
}

/* virtio 1.x 2.7.10: the driver wants an interrupt once the entry at
 * used_event is written, i.e. if @event lies in [old, new). */
static bool need_event(u16 event, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event - 1) < (u16)(new_idx - old);
}

bool vq_should_notify(struct virtqueue *vq, const struct guest_mem *mem,
		      u16 old_used_idx)
{
	void *avail;

	if (vq->broken || !vq->ready || vq->used_idx == old_used_idx)
		return false;
	/* Our used->idx store must be ordered before reading the driver's
	 * suppression state, or both sides may skip the notification. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail = ring_ptr(vq, mem, vq->avail_gpa, VQ_AVAIL_BYTES(vq->size),
			 "avail");
	if (!avail)
		return false;
	if (vq->event_idx)
		return need_event(ld16(avail, AVAIL_RING(vq->size)),
				  vq->used_idx, old_used_idx);
	return !(ld16(avail, AVAIL_FLAGS) & VRING_AVAIL_F_NO_INTERRUPT);
}

int vq_set_avail_event(struct virtqueue *vq, const struct guest_mem *mem,
		       u16 idx)
{
	void *used;

	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return -EINVAL;
	used = ring_ptr(vq, mem, vq->used_gpa, VQ_USED_BYTES(vq->size), "used");
	if (!used)
		return -EIO;
	st16(used, USED_ELEM(vq->size), idx);
	guest_mem_mark(mem, used, VQ_USED_BYTES(vq->size));
	/* Publish before re-reading avail->idx (see vq_set_notify). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

int vq_set_notify(struct virtqueue *vq, const struct guest_mem *mem, bool on)
{
	void *used;
	u16 flags;

	if (vq->broken)
		return -EIO;
	if (!vq->ready)
		return -EINVAL;
	if (vq->event_idx)
		return on ? vq_set_avail_event(vq, mem, vq->last_avail_idx) : 0;
	used = ring_ptr(vq, mem, vq->used_gpa, VQ_USED_BYTES(vq->size), "used");
	if (!used)
		return -EIO;
	flags = ld16(used, USED_FLAGS);
	if (on)
		flags &= ~VRING_USED_F_NO_NOTIFY;
	else
		flags |= VRING_USED_F_NO_NOTIFY;
	st16(used, USED_FLAGS, flags);
	guest_mem_mark(mem, used, VQ_USED_BYTES(vq->size));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/* Copies between @buf and segments [first, end) from byte @off on. */
static size_t chain_copy(const struct vq_chain *c, unsigned int first,
			 unsigned int end, u64 off, u8 *buf, size_t len,
			 bool to_guest)
{
	size_t done = 0;
	unsigned int i;

	for (i = first; i < end && done < len; i++) {
		const struct vq_seg *s = &c->segs[i];
		size_t n;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN((u64)s->len - off, (u64)(len - done));
		if (to_guest)
			memcpy((u8 *)s->addr + off, buf + done, n);
		else
			memcpy(buf + done, (u8 *)s->addr + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t vq_chain_read(const struct vq_chain *c, u64 off, void *buf, size_t len)
{
	return chain_copy(c, 0, c->nr_read, off, buf, len, false);
}

size_t vq_chain_write(const struct vq_chain *c, u64 off, const void *buf,
		      size_t len)
{
	return chain_copy(c, c->nr_read, c->nr, off, (u8 *)buf, len, true);
}

int vq_chain_iov(const struct vq_chain *c, bool write, u64 skip, u64 len,
		 struct iovec *iov, unsigned int max, u64 *got)
{
	unsigned int i = write ? c->nr_read : 0;
	unsigned int end = write ? c->nr : c->nr_read, n = 0;

	*got = 0;
	for (; i < end && *got < len; i++) {
		const struct vq_seg *s = &c->segs[i];
		u64 take;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		if (n == max)
			return -1;
		take = MIN((u64)s->len - skip, len - *got);
		iov[n].iov_base = (u8 *)s->addr + skip;
		iov[n].iov_len = take;
		n++;
		*got += take;
		skip = 0;
	}
	return n;
}
