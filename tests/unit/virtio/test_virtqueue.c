/* Unit tests for the split virtqueue engine (virtio/virtqueue.c) against
 * hand-built rings in a static fake guest RAM; also a PRNG garbage-ring test
 * and, under LKVM_FUZZ, a libFuzzer entry point. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/virtio_ring.h>
#include "unit.h"
#include "virtio/virtqueue.h"

#define RAM_BASE	0x100000ULL
#define RAM_SIZE	0x80000ULL
#define DESC_GPA	(RAM_BASE + 0x00000)
#define AVAIL_GPA	(RAM_BASE + 0x10000)
#define USED_GPA	(RAM_BASE + 0x20000)
#define BUF_GPA		(RAM_BASE + 0x30000)
#define IND_GPA		(RAM_BASE + 0x60000)
#define F_EVENT_IDX	(1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT	(1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_BOTH		(F_EVENT_IDX | F_INDIRECT)

static u8 ram[RAM_SIZE] __attribute__((aligned(4096)));

struct ring {
	struct guest_mem mem;
	struct virtqueue vq;
	unsigned int size;
	u16 avail_idx;		/* driver's avail->idx shadow */
	struct vq_seg segs[16];
	struct vq_chain c;
};

static void *hp(u64 gpa)
{
	return ram + (gpa - RAM_BASE);
}

static void w16(u64 gpa, u16 v)
{
	v = htole16(v);
	memcpy(hp(gpa), &v, 2);
}

static void w32(u64 gpa, u32 v)
{
	v = htole32(v);
	memcpy(hp(gpa), &v, 4);
}

static void w64(u64 gpa, u64 v)
{
	v = htole64(v);
	memcpy(hp(gpa), &v, 8);
}

static u16 r16(u64 gpa)
{
	u16 v;

	memcpy(&v, hp(gpa), 2);
	return le16toh(v);
}

static u32 r32(u64 gpa)
{
	u32 v;

	memcpy(&v, hp(gpa), 4);
	return le32toh(v);
}

static void ring_setup(struct ring *r, unsigned int size, u64 features)
{
	memset(ram, 0, sizeof(ram));
	memset(r, 0, sizeof(*r));
	guest_mem_add(&r->mem, RAM_BASE, RAM_SIZE, ram);
	r->size = size;
	vq_chain_init(&r->c, r->segs, ARRAY_SIZE(r->segs));
	EXPECT_EQ(vq_init(&r->vq, size, DESC_GPA, AVAIL_GPA, USED_GPA,
			  features), 0);
}

/* Writes descriptor @i of the table at @table. */
static void desc_at(u64 table, unsigned int i, u64 addr, u32 len, u16 flags,
		    u16 next)
{
	u64 d = table + 16ULL * i;

	w64(d, addr);
	w32(d + 8, len);
	w16(d + 12, flags);
	w16(d + 14, next);
}

static void desc(unsigned int i, u64 addr, u32 len, u16 flags, u16 next)
{
	desc_at(DESC_GPA, i, addr, len, flags, next);
}

static void avail_add(struct ring *r, u16 head)
{
	w16(AVAIL_GPA + 4 + 2 * (r->avail_idx & (r->size - 1)), head);
	r->avail_idx++;
	w16(AVAIL_GPA + 2, r->avail_idx);
}

static u16 used_idx(void)
{
	return r16(USED_GPA + 2);
}

static u32 used_id(struct ring *r, u16 slot)
{
	return r32(USED_GPA + 4 + 8 * (slot & (r->size - 1)));
}

static u32 used_len(struct ring *r, u16 slot)
{
	return r32(USED_GPA + 8 + 8 * (slot & (r->size - 1)));
}

static void set_used_event(struct ring *r, u16 v)
{
	w16(AVAIL_GPA + 4 + 2 * r->size, v);
}

/* Pops and expects the queue to break with @why in its error string. */
static void expect_broken(struct ring *r, const char *why)
{
	EXPECT_EQ(vq_pop(&r->vq, &r->mem, &r->c), -EIO);
	EXPECT(vq_is_broken(&r->vq));
	EXPECT_CONTAINS(vq_error(&r->vq), why);
	/* and it stays broken */
	EXPECT_EQ(vq_pop(&r->vq, &r->mem, &r->c), -EIO);
	EXPECT_EQ(vq_push(&r->vq, &r->mem, 0, 0), -EIO);
	EXPECT(!vq_should_notify(&r->vq, &r->mem, r->vq.used_idx - 1));
}

TEST(vq_init_checks)
{
	struct virtqueue vq;

	EXPECT_EQ(vq_init(&vq, 0, DESC_GPA, AVAIL_GPA, USED_GPA, 0), -EINVAL);
	EXPECT_CONTAINS(vq_error(&vq), "size");
	EXPECT_EQ(vq_init(&vq, 3, DESC_GPA, AVAIL_GPA, USED_GPA, 0), -EINVAL);
	EXPECT_EQ(vq_init(&vq, 65536, DESC_GPA, AVAIL_GPA, USED_GPA, 0),
		  -EINVAL);
	EXPECT_EQ(vq_init(&vq, 32769, DESC_GPA, AVAIL_GPA, USED_GPA, 0),
		  -EINVAL);
	EXPECT_EQ(vq_init(&vq, 8, DESC_GPA + 8, AVAIL_GPA, USED_GPA, 0),
		  -EINVAL);
	EXPECT_CONTAINS(vq_error(&vq), "misaligned");
	EXPECT_EQ(vq_init(&vq, 8, DESC_GPA, AVAIL_GPA + 1, USED_GPA, 0),
		  -EINVAL);
	EXPECT_EQ(vq_init(&vq, 8, DESC_GPA, AVAIL_GPA, USED_GPA + 2, 0),
		  -EINVAL);
	EXPECT(vq_is_broken(&vq));

	EXPECT_EQ(vq_init(&vq, 32768, DESC_GPA, AVAIL_GPA + 2, USED_GPA + 4,
			  F_BOTH), 0);
	EXPECT(!vq_is_broken(&vq));
	EXPECT(vq_error(&vq) == NULL);
	EXPECT(vq.ready && vq.event_idx && vq.indirect);
	EXPECT_EQ(vq_init(&vq, 1, DESC_GPA, AVAIL_GPA, USED_GPA, 0), 0);
	EXPECT(!vq.event_idx && !vq.indirect);

	vq_reset(&vq);
	EXPECT(!vq.ready && !vq.broken);
	EXPECT_EQ(vq.size, 0);
}

TEST(vq_empty_and_not_ready)
{
	struct ring r;
	struct guest_mem mem = { 0 };
	struct virtqueue vq;

	ring_setup(&r, 8, 0);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 0);
	EXPECT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 0);
	EXPECT(!vq_is_broken(&r.vq));
	EXPECT(!vq_should_notify(&r.vq, &r.mem, r.vq.used_idx));

	vq_reset(&vq);
	EXPECT_EQ(vq_pop(&vq, &mem, &r.c), 0);
	EXPECT_EQ(vq_push(&vq, &mem, 0, 0), -EINVAL);
	EXPECT_EQ(vq_set_avail_event(&vq, &mem, 0), -EINVAL);
}

TEST(vq_simple_chain)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	memcpy(hp(BUF_GPA), "hello", 5);
	desc(5, BUF_GPA, 5, 0, 0);
	avail_add(&r, 5);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 1);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 5);
	ASSERT_EQ(r.c.nr, 1);
	EXPECT_EQ(r.c.nr_read, 1);
	EXPECT(r.c.segs[0].addr == hp(BUF_GPA));
	EXPECT_EQ(r.c.segs[0].len, 5);
	EXPECT(!r.c.segs[0].write);
	EXPECT_EQ(r.c.read_len, 5);
	EXPECT_EQ(r.c.write_len, 0);
	EXPECT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 0);

	EXPECT_EQ(vq_push(&r.vq, &r.mem, 5, 0), 0);
	EXPECT_EQ(used_idx(), 1);
	EXPECT_EQ(used_id(&r, 0), 5);
	EXPECT_EQ(used_len(&r, 0), 0);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	EXPECT_EQ(vq_push(&r.vq, &r.mem, 8, 0), -EINVAL);
	EXPECT(!vq_is_broken(&r.vq));
}

TEST(vq_read_then_write_chain)
{
	struct ring r;
	char buf[16] = { 0 };

	ring_setup(&r, 8, 0);
	memcpy(hp(BUF_GPA), "abc", 3);
	memcpy(hp(BUF_GPA + 0x100), "defgh", 5);
	desc(2, BUF_GPA, 3, VRING_DESC_F_NEXT, 7);
	desc(7, BUF_GPA + 0x100, 5, VRING_DESC_F_NEXT, 0);
	desc(0, BUF_GPA + 0x200, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA + 0x300, 6, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 2);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 2);
	ASSERT_EQ(r.c.nr, 4);
	EXPECT_EQ(r.c.nr_read, 2);
	EXPECT_EQ(r.c.read_len, 8);
	EXPECT_EQ(r.c.write_len, 10);
	EXPECT(!r.c.segs[1].write && r.c.segs[2].write && r.c.segs[3].write);
	EXPECT(r.c.segs[3].addr == hp(BUF_GPA + 0x300));

	EXPECT_EQ(vq_chain_read(&r.c, 0, buf, sizeof(buf)), 8);
	EXPECT(!memcmp(buf, "abcdefgh", 8));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(vq_chain_read(&r.c, 2, buf, 3), 3);
	EXPECT(!memcmp(buf, "cde", 3));
	EXPECT_EQ(vq_chain_read(&r.c, 8, buf, 3), 0);

	EXPECT_EQ(vq_chain_write(&r.c, 2, "0123456789", 10), 8);
	EXPECT(!memcmp(hp(BUF_GPA + 0x202), "01", 2));
	EXPECT(!memcmp(hp(BUF_GPA + 0x300), "234567", 6));

	EXPECT_EQ(vq_push(&r.vq, &r.mem, r.c.head, 10), 0);
	EXPECT_EQ(used_id(&r, 0), 2);
	EXPECT_EQ(used_len(&r, 0), 10);
}

TEST(vq_write_only_chain)
{
	struct ring r;

	ring_setup(&r, 4, 0);
	desc(3, BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 3);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.nr, 1);
	EXPECT_EQ(r.c.nr_read, 0);
	EXPECT_EQ(r.c.write_len, 64);
}

TEST(vq_full_length_chain)
{
	struct ring r;
	unsigned int i;

	/* a chain using every descriptor exactly once is not a loop */
	ring_setup(&r, 8, 0);
	for (i = 0; i < 8; i++)
		desc(i, BUF_GPA + 16 * i, 16, i < 7 ? VRING_DESC_F_NEXT : 0,
		     i + 1);
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.nr, 8);
	EXPECT_EQ(r.c.read_len, 128);
}

TEST(vq_zero_length_policy)
{
	struct ring r;
	unsigned int i;

	ring_setup(&r, 8, 0);
	/* zero-length descriptors, even at addresses outside RAM, are
	 * accepted and dropped: no NULL or empty segment is returned */
	desc(0, 0xdeadbeef0000ULL, 0, VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	desc(2, 0, 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	desc(3, BUF_GPA + 8, 8, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	ASSERT_EQ(r.c.nr, 2);
	EXPECT_EQ(r.c.nr_read, 1);
	for (i = 0; i < r.c.nr; i++)
		EXPECT(r.c.segs[i].addr && r.c.segs[i].len);

	/* a chain of nothing but a zero-length descriptor is an empty chain */
	desc(4, 0, 0, 0, 0);
	avail_add(&r, 4);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 4);
	EXPECT_EQ(r.c.nr, 0);
	EXPECT(!vq_is_broken(&r.vq));
}

TEST(vq_zero_length_write_then_read)
{
	struct ring r;

	/* ordering is enforced even when the writable one is empty */
	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	expect_broken(&r, "readable descriptor after");
}

TEST(vq_indirect_table)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, BUF_GPA, 10, VRING_DESC_F_NEXT, 2);
	desc_at(IND_GPA, 2, BUF_GPA + 0x100, 20, VRING_DESC_F_NEXT, 1);
	desc_at(IND_GPA, 1, BUF_GPA + 0x200, 30, VRING_DESC_F_WRITE, 0);
	/* the WRITE flag on the indirect descriptor itself is ignored */
	desc(6, IND_GPA, 4 * 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	avail_add(&r, 6);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 6);
	ASSERT_EQ(r.c.nr, 3);
	EXPECT_EQ(r.c.nr_read, 2);
	EXPECT_EQ(r.c.read_len, 30);
	EXPECT_EQ(r.c.write_len, 30);
	EXPECT(r.c.segs[1].addr == hp(BUF_GPA + 0x100));
	EXPECT(r.c.segs[2].write);
	EXPECT_EQ(vq_push(&r.vq, &r.mem, 6, 30), 0);
	EXPECT_EQ(used_id(&r, 0), 6);
}

TEST(vq_indirect_after_direct)
{
	struct ring r;

	/* a direct readable descriptor, then an indirect table ends it */
	ring_setup(&r, 8, F_INDIRECT);
	desc(0, BUF_GPA, 4, VRING_DESC_F_NEXT, 1);
	desc(1, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND_GPA, 0, BUF_GPA + 0x10, 4, VRING_DESC_F_NEXT, 1);
	desc_at(IND_GPA, 1, BUF_GPA + 0x20, 4, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.nr, 3);
	EXPECT_EQ(r.c.nr_read, 2);
}

TEST(vq_indirect_full_table)
{
	struct ring r;
	unsigned int i;

	/* an indirect chain may be longer than the queue itself */
	ring_setup(&r, 2, F_INDIRECT);
	for (i = 0; i < 16; i++)
		desc_at(IND_GPA, i, BUF_GPA + 8 * i, 8,
			i < 15 ? VRING_DESC_F_NEXT : 0, i + 1);
	desc(1, IND_GPA, 16 * 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 1);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.nr, 16);
	EXPECT_EQ(r.c.read_len, 128);
}

/* Pushes and pops one chain per step across the 16-bit index wrap. */
TEST(vq_index_wraparound)
{
	struct ring r;
	unsigned int i;
	u16 old;

	ring_setup(&r, 4, 0);
	for (i = 0; i < 4; i++)
		desc(i, BUF_GPA + 0x40 * i, 0x40, 0, 0);
	for (i = 0; i < 70000; i++) {
		u16 head = i & 3;

		avail_add(&r, head);
		if (vq_pop(&r.vq, &r.mem, &r.c) != 1 || r.c.head != head) {
			EXPECT_EQ(r.c.head, head);
			EXPECT(!"pop failed");
			return;
		}
		old = r.vq.used_idx;
		if (vq_push(&r.vq, &r.mem, head, i) ||
		    used_idx() != (u16)(i + 1) || used_id(&r, i) != head ||
		    used_len(&r, i) != i ||
		    !vq_should_notify(&r.vq, &r.mem, old)) {
			EXPECT(!"push failed");
			return;
		}
	}
	EXPECT_EQ(r.vq.last_avail_idx, (u16)70000);
	EXPECT_EQ(used_idx(), (u16)70000);
}

TEST(vq_wrap_with_batches)
{
	struct ring r;
	unsigned int i;
	u16 old;

	/* start just below the wrap with a full ring pending */
	ring_setup(&r, 4, F_EVENT_IDX);
	r.vq.last_avail_idx = r.vq.used_idx = 65534;
	r.avail_idx = 65534;
	w16(USED_GPA + 2, 65534);
	for (i = 0; i < 4; i++) {
		desc(i, BUF_GPA, 8, 0, 0);
		avail_add(&r, 3 - i);
	}
	EXPECT_EQ(r16(AVAIL_GPA + 2), 2);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 4);
	old = r.vq.used_idx;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
		EXPECT_EQ(r.c.head, 3 - i);
		EXPECT_EQ(vq_push(&r.vq, &r.mem, r.c.head, 100 + i), 0);
	}
	EXPECT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 0);
	EXPECT_EQ(used_idx(), 2);
	EXPECT_EQ(used_id(&r, 65534), 3);
	EXPECT_EQ(used_id(&r, 1), 0);
	EXPECT_EQ(used_len(&r, 1), 103);
	/* notify iff used_event lies in [old, new) = [65534, 2) across wrap */
	set_used_event(&r, 65535);
	EXPECT(vq_should_notify(&r.vq, &r.mem, old));
	set_used_event(&r, 1);
	EXPECT(vq_should_notify(&r.vq, &r.mem, old));
	set_used_event(&r, 2);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, old));
	set_used_event(&r, 65534);
	EXPECT(vq_should_notify(&r.vq, &r.mem, old));
	set_used_event(&r, 65533);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, old));
}

TEST(vq_event_idx_notify)
{
	struct ring r;

	ring_setup(&r, 8, F_EVENT_IDX);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, 0));	/* nothing pushed */
	r.vq.used_idx = 1;
	set_used_event(&r, 0);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	set_used_event(&r, 1);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, 0));
	r.vq.used_idx = 3;
	set_used_event(&r, 0);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	set_used_event(&r, 1);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	set_used_event(&r, 2);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	set_used_event(&r, 3);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, 0));
	set_used_event(&r, 5);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, 0));
	/* NO_INTERRUPT is ignored once EVENT_IDX is negotiated */
	w16(AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	set_used_event(&r, 0);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
}

TEST(vq_no_interrupt_flag)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(vq_push(&r.vq, &r.mem, 0, 0), 0);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
	w16(AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	EXPECT(!vq_should_notify(&r.vq, &r.mem, 0));
	/* used_event is ignored without EVENT_IDX */
	w16(AVAIL_GPA, 0);
	set_used_event(&r, 7);
	EXPECT(vq_should_notify(&r.vq, &r.mem, 0));
}

TEST(vq_avail_event_and_notify_flags)
{
	struct ring r;

	ring_setup(&r, 8, F_EVENT_IDX);
	EXPECT_EQ(vq_set_avail_event(&r.vq, &r.mem, 0x1234), 0);
	EXPECT_EQ(r16(USED_GPA + 4 + 8 * 8), 0x1234);
	r.vq.last_avail_idx = 77;
	EXPECT_EQ(vq_set_notify(&r.vq, &r.mem, true), 0);
	EXPECT_EQ(r16(USED_GPA + 4 + 8 * 8), 77);
	EXPECT_EQ(vq_set_notify(&r.vq, &r.mem, false), 0);
	EXPECT_EQ(r16(USED_GPA), 0);

	ring_setup(&r, 8, 0);
	EXPECT_EQ(vq_set_notify(&r.vq, &r.mem, false), 0);
	EXPECT_EQ(r16(USED_GPA), VRING_USED_F_NO_NOTIFY);
	EXPECT_EQ(vq_set_notify(&r.vq, &r.mem, true), 0);
	EXPECT_EQ(r16(USED_GPA), 0);
}

TEST(vq_unpop_and_pending)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	desc(1, BUF_GPA, 8, 0, 0);
	desc(2, BUF_GPA, 8, 0, 0);
	avail_add(&r, 1);
	avail_add(&r, 2);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 2);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 1);
	vq_unpop(&r.vq);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 2);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 1);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(r.c.head, 2);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 0);
}

/* ---- malformed rings: each must break the queue, cleanly ---- */

TEST(vq_bad_head)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	avail_add(&r, 8);
	expect_broken(&r, "head 8 >= size 8");
}

TEST(vq_bad_head_ffff)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	avail_add(&r, 0xffff);
	expect_broken(&r, ">= size");
}

TEST(vq_avail_idx_jump)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	w16(AVAIL_GPA + 2, 8);		/* exactly size ahead is fine */
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), 8);
	w16(AVAIL_GPA + 2, 9);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), -EIO);
	EXPECT_CONTAINS(vq_error(&r.vq), "ahead");

	ring_setup(&r, 8, 0);
	w16(AVAIL_GPA + 2, 0xffff);	/* "behind" is a huge jump ahead */
	expect_broken(&r, "ahead");
}

TEST(vq_desc_loop)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "loop");
}

TEST(vq_desc_self_loop_zero_len)
{
	struct ring r;

	/* zero-length descriptors use no segments, yet must still stop */
	ring_setup(&r, 256, 0);
	desc(3, BUF_GPA, 0, VRING_DESC_F_NEXT, 3);
	avail_add(&r, 3);
	expect_broken(&r, "loop");
}

TEST(vq_desc_next_out_of_range)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 8, VRING_DESC_F_NEXT, 8);
	avail_add(&r, 0);
	expect_broken(&r, "next 8 out of range");
}

TEST(vq_buffer_outside_ram)
{
	static const struct { u64 addr; u32 len; } bad[] = {
		{ 0, 16 },				/* below RAM */
		{ RAM_BASE - 8, 16 },			/* straddles start */
		{ RAM_BASE + RAM_SIZE - 8, 16 },	/* straddles end */
		{ RAM_BASE + RAM_SIZE, 1 },		/* just past end */
		{ 0xfffffffffffffff0ULL, 0x20 },	/* wraps around */
		{ RAM_BASE, 0xffffffff },		/* too long */
	};
	struct ring r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ring_setup(&r, 8, 0);
		desc(0, bad[i].addr, bad[i].len, 0, 0);
		avail_add(&r, 0);
		expect_broken(&r, "outside guest RAM");
	}
	/* the very last byte of RAM is fine */
	ring_setup(&r, 8, 0);
	desc(0, RAM_BASE + RAM_SIZE - 1, 1, 0, 0);
	avail_add(&r, 0);
	EXPECT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
}

TEST(vq_rings_outside_ram)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	EXPECT_EQ(vq_init(&r.vq, 8, 0x1000, AVAIL_GPA, USED_GPA, 0), 0);
	avail_add(&r, 0);
	expect_broken(&r, "desc ring");

	ring_setup(&r, 8, 0);
	EXPECT_EQ(vq_init(&r.vq, 8, DESC_GPA, RAM_BASE + RAM_SIZE - 16,
			  USED_GPA, 0), 0);
	expect_broken(&r, "avail ring");

	ring_setup(&r, 8, 0);
	EXPECT_EQ(vq_init(&r.vq, 8, DESC_GPA, AVAIL_GPA,
			  RAM_BASE + RAM_SIZE - 32, 0), 0);
	EXPECT_EQ(vq_push(&r.vq, &r.mem, 0, 0), -EIO);
	EXPECT_CONTAINS(vq_error(&r.vq), "used ring");
}

TEST(vq_read_after_write)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	expect_broken(&r, "readable descriptor after a writable");
}

TEST(vq_read_after_write_into_indirect)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc(0, BUF_GPA, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	desc(1, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	expect_broken(&r, "readable descriptor after");
}

TEST(vq_too_many_segments)
{
	struct ring r;
	struct vq_seg two[2];
	unsigned int i;

	ring_setup(&r, 8, 0);
	for (i = 0; i < 3; i++)
		desc(i, BUF_GPA, 8, i < 2 ? VRING_DESC_F_NEXT : 0, i + 1);
	avail_add(&r, 0);
	vq_chain_init(&r.c, two, ARRAY_SIZE(two));
	expect_broken(&r, "more than 2 segments");

	/* no array at all: only an empty chain could fit */
	ring_setup(&r, 8, 0);
	desc(0, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	vq_chain_init(&r.c, NULL, 0);
	expect_broken(&r, "more than 0 segments");
}

TEST(vq_indirect_not_negotiated)
{
	struct ring r;

	ring_setup(&r, 8, F_EVENT_IDX);
	desc_at(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	desc(0, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "not negotiated");
}

TEST(vq_indirect_nested)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	desc_at(IND_GPA, 1, IND_GPA + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND_GPA + 0x100, 0, BUF_GPA, 8, 0, 0);
	desc(0, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "nested indirect");
}

TEST(vq_indirect_self_reference)
{
	struct ring r;

	/* an indirect table pointing at itself must not recurse */
	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	desc(0, IND_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "nested indirect");
}

TEST(vq_indirect_with_next)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, BUF_GPA, 8, 0, 0);
	desc(0, IND_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	desc(1, BUF_GPA, 8, 0, 0);
	avail_add(&r, 0);
	expect_broken(&r, "both INDIRECT and NEXT");
}

TEST(vq_indirect_bad_len)
{
	static const u32 lens[] = { 0, 8, 24, 17, 0xfffffff0 };
	struct ring r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		ring_setup(&r, 8, F_INDIRECT);
		desc(0, IND_GPA, lens[i], VRING_DESC_F_INDIRECT, 0);
		avail_add(&r, 0);
		expect_broken(&r, lens[i] > 32 ? "too big" :
			      "bad indirect table length");
	}
}

TEST(vq_indirect_outside_ram)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc(0, RAM_BASE + RAM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "indirect table");
	EXPECT_CONTAINS(vq_error(&r.vq), "outside guest RAM");
}

TEST(vq_indirect_loop)
{
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, BUF_GPA, 0, VRING_DESC_F_NEXT, 1);
	desc_at(IND_GPA, 1, BUF_GPA, 0, VRING_DESC_F_NEXT, 0);
	desc(0, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "loop");
}

TEST(vq_indirect_next_beyond_table)
{
	struct ring r;

	/* next is inside the queue size but outside the 2-entry table */
	ring_setup(&r, 8, F_INDIRECT);
	desc_at(IND_GPA, 0, BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	desc_at(IND_GPA, 2, BUF_GPA, 8, 0, 0);
	desc(0, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	expect_broken(&r, "next 2 out of range (2)");
}

TEST(vq_first_error_kept)
{
	struct ring r;

	ring_setup(&r, 8, 0);
	avail_add(&r, 9);
	EXPECT_EQ(vq_pop(&r.vq, &r.mem, &r.c), -EIO);
	w16(AVAIL_GPA + 2, 100);
	EXPECT_EQ(vq_pending(&r.vq, &r.mem), -EIO);
	EXPECT_CONTAINS(vq_error(&r.vq), "head 9");
	EXPECT_EQ(vq_set_notify(&r.vq, &r.mem, true), -EIO);
	/* a reset recovers */
	vq_reset(&r.vq);
	EXPECT(!vq_is_broken(&r.vq));
}

/* ---- garbage rings: random descriptors must never escape guest RAM ---- */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_addr(void)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return RAM_BASE + RAM_SIZE - rnd() % 64;
	case 2:
		return IND_GPA + 16 * (rnd() % 8);
	default:
		return RAM_BASE + rnd() % RAM_SIZE;
	}
}

static void random_desc(u64 table, unsigned int i, unsigned int size)
{
	u32 len = rnd() % 4 ? rnd() % 256 : (u32)rnd();

	desc_at(table, i, rnd_addr(), len, rnd() & 7, rnd() % (size + 2));
}

static bool segs_in_ram(const struct vq_chain *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++) {
		const u8 *p = c->segs[i].addr;

		if (!p || !c->segs[i].len || p < ram ||
		    p + c->segs[i].len > ram + RAM_SIZE)
			return false;
		if (i >= c->nr_read && !c->segs[i].write)
			return false;
	}
	return true;
}

TEST(vq_random_rings)
{
	unsigned int iter, i, ok = 0, bad = 0;
	struct ring r;

	for (iter = 0; iter < 3000; iter++) {
		unsigned int size = 1u << (rnd() % 5);

		ring_setup(&r, size, rnd() & 1 ? F_BOTH : 0);
		for (i = 0; i < size; i++)
			random_desc(DESC_GPA, i, size);
		for (i = 0; i < 8; i++)
			random_desc(IND_GPA, i, 8);
		for (i = 0; i < size; i++)
			avail_add(&r, rnd() % 4 ? rnd() % size : rnd());
		for (i = 0; i <= size; i++) {
			int ret = vq_pop(&r.vq, &r.mem, &r.c);

			if (ret <= 0)
				break;
			if (!segs_in_ram(&r.c)) {
				EXPECT(!"segment outside RAM");
				return;
			}
			vq_push(&r.vq, &r.mem, r.c.head, rnd());
			ok++;
		}
		bad += vq_is_broken(&r.vq);
	}
	/* the generator should exercise both outcomes */
	EXPECT(ok > 100);
	EXPECT(bad > 100);
}

#ifdef LKVM_FUZZ
/* libFuzzer entry: input = [size log2, features, ring bytes...]. Build with
 * clang -fsanitize=fuzzer,address -DLKVM_FUZZ and a stub unit runner. */
int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct ring r;
	unsigned int i;
	u64 avail, used;

	if (len < 2)
		return 0;
	/* compact layout so short inputs reach the avail and used rings */
	ring_setup(&r, 1u << (data[0] % 9), 0);
	avail = DESC_GPA + VQ_DESC_BYTES(r.size);
	used = ALIGN_UP(avail + VQ_AVAIL_BYTES(r.size), 4);
	vq_init(&r.vq, r.size, DESC_GPA, avail, used, data[1] & 1 ? F_BOTH : 0);
	memcpy(ram, data + 2, MIN(len - 2, (size_t)RAM_SIZE));
	for (i = 0; i < 2 * r.size; i++) {
		if (vq_pop(&r.vq, &r.mem, &r.c) <= 0)
			break;
		if (!segs_in_ram(&r.c))
			abort();
		vq_push(&r.vq, &r.mem, r.c.head, 0);
		vq_should_notify(&r.vq, &r.mem, r.vq.used_idx - 1);
	}
	return 0;
}
#endif

/* While a migration logs lkvm's writes: a push marks the pages of the
 * chain's writable buffers (walked again, indirect ones too) and of the used
 * ring, not its readable ones; without the log it marks nothing. */
TEST(vq_push_logs_written_pages)
{
	/* pages 50 and 51 (the write across them), 32 (used), 97 (indirect's) */
	u64 buf = (BUF_GPA - RAM_BASE) / 4096, bits[2] = { 0 };
	u64 want0 = (1ull << (buf + 2)) | (1ull << (buf + 3)) |
		    (1ull << ((USED_GPA - RAM_BASE) / 4096));
	u64 want1 = 1ull << ((IND_GPA - RAM_BASE) / 4096 + 1 - 64);
	struct ring r;

	ring_setup(&r, 8, F_INDIRECT);
	desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);		/* read */
	desc(1, BUF_GPA + 0x2ff0, 32, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	desc(2, IND_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	desc_at(IND_GPA, 0, IND_GPA + 0x1000, 8, VRING_DESC_F_WRITE, 0);
	desc_at(IND_GPA, 1, BUF_GPA + 0x8000, 8, 0, 0);	/* unused */
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(vq_push(&r.vq, &r.mem, r.c.head, 40), 0);	/* no log */
	ASSERT_EQ(guest_mem_log_start(&r.mem, 4096), 0);
	EXPECT_EQ(guest_mem_log_take(&r.mem, 0, bits, 2), 0);
	avail_add(&r, 0);
	ASSERT_EQ(vq_pop(&r.vq, &r.mem, &r.c), 1);
	EXPECT_EQ(vq_push(&r.vq, &r.mem, r.c.head, 40), 0);
	EXPECT_EQ(guest_mem_log_take(&r.mem, 0, bits, 2), 4);
	EXPECT_EQ(bits[0], want0);
	EXPECT_EQ(bits[1], want1);
	EXPECT(!r.vq.broken);
	guest_mem_log_free(&r.mem);
}
