/* Test guest "abuse_vq" (--rng, -d <image>, --console virtio, -m 64):
 * abuses the virtqueues of virtio-rng, virtio-blk and virtio-console:
 * rings outside RAM or straddling its end, looping chains, out-of-range
 * indices, avail->idx far ahead, huge lengths, indirect tables outside RAM
 * or nested, bad queue sizes, notifies of queues not set up... Each case
 * starts from a device reset; a valid request before and after shows the
 * device still works. A broken ring must put the device in NEEDS_RESET
 * (never complete the request); the reset must always work.
 * Prints "GUEST abuse-vq <dev> <case>: ..." per case, then
 * "GUEST abuse-vq done ...", then repeats the cases (but the console's)
 * silently until stopped. */
#include "abuse.h"

#define RAM_END		(64UL << 20)	/* -m 64 */
#define RING		0x400000UL
#define HDR		0x470000UL	/* blk header, status byte */
#define BUF		0x480000UL	/* data */
#define TBL		0x4c0000UL	/* indirect tables */
#define TBL2		0x4d0000UL
#define QSIZE		16
#define WAIT_MS		300
#define OUTSIDE		0x100000000UL	/* no RAM above 4 GiB with -m 64 */
#define HOLE		0xd0000000UL	/* PCI hole below 4 GiB */
#define BLK_T_IN	0
#define BLK_T_OUT	1
#define BLK_T_GET_ID	8
#define BLK_T_DISCARD	11
#define BLK_S_OK	0
#define BLK_S_IOERR	1
#define BLK_S_UNSUPP	2
#define NO_BLK_STATUS	0x100
#define CON_TEXT	"GUEST abuse-vq console tx ok\n"

enum kind { RNG, BLK, CON };
enum want { W_OK, W_BROKEN, W_ANY };

struct target {
	struct vdev d;
	enum kind kind;
	const char *name;
	u16 q;			/* the queue abused */
	int present;
};

static struct target targets[] = {
	{ .kind = RNG, .name = "rng", .q = 0 },
	{ .kind = BLK, .name = "blk", .q = 0 },
	{ .kind = CON, .name = "console", .q = 1 },	/* transmitq */
};

static struct target *t;	/* the device of the running case */
static struct vring ring;
static u16 want_used;		/* used->idx a completed request gives */
static int quiet;
static int cases, unexpected, stuck;
static u32 blk_want = NO_BLK_STATUS;	/* status byte a case expects */

/* ---- building blocks ---- */

static int features(void)
{
	return vdev_features(&t->d, VF_VERSION_1 | VF_INDIRECT_DESC);
}

/* Features, a ring at RING (the device is told desc/avail/used), enable,
 * DRIVER_OK. Returns the queue_enable read back. */
static int setup_at(u64 desc, u64 avail, u64 used, u16 size)
{
	int en;

	vring_init(&ring, RING, QSIZE);
	if (features())
		return -1;
	en = vq_setup(&t->d, t->q, size, desc, avail, used);
	vdev_driver_ok(&t->d);
	return en;
}

static int setup(void)
{
	vring_init(&ring, RING, QSIZE);
	return setup_at(ring.desc, ring.avail, ring.used, QSIZE);
}

/* A valid request in descriptors from i on; returns how many it used. */
static int good_chain(u16 i)
{
	switch (t->kind) {
	case RNG:
		vring_desc(&ring, i, BUF, 16, VRING_DESC_F_WRITE, 0);
		return 1;
	case CON:
		memcpy((void *)BUF, CON_TEXT, sizeof(CON_TEXT) - 1);
		vring_desc(&ring, i, BUF, sizeof(CON_TEXT) - 1, 0, 0);
		return 1;
	case BLK:
	default:
		blk_want = BLK_S_OK;
		memset((void *)HDR, 0, 16);	/* type IN, sector 0 */
		*(volatile u8 *)(HDR + 16) = 0xee;
		memset((void *)BUF, 0, 512);
		vring_desc(&ring, i, HDR, 16, VRING_DESC_F_NEXT, i + 1);
		vring_desc(&ring, i + 1, BUF, 512,
			   VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, i + 2);
		vring_desc(&ring, i + 2, HDR + 16, 1, VRING_DESC_F_WRITE, 0);
		return 3;
	}
}

/* A blk request: header (type, sector) in HDR, data descriptor, status. */
static void blk_req(u32 type, u64 sector, u32 data_len, u16 data_flags)
{
	*(volatile u32 *)HDR = type;
	*(volatile u32 *)(HDR + 4) = 0;
	*(volatile u64 *)(HDR + 8) = sector;
	*(volatile u8 *)(HDR + 16) = 0xee;
	vring_desc(&ring, 0, HDR, 16, VRING_DESC_F_NEXT, 1);
	vring_desc(&ring, 1, BUF, data_len, data_flags | VRING_DESC_F_NEXT, 2);
	vring_desc(&ring, 2, HDR + 16, 1, VRING_DESC_F_WRITE, 0);
}

static void post(u16 head)
{
	vring_post(&ring, head);
	vq_notify(&t->d, t->q);
	want_used++;
}

/* The first descriptor of the queue's kind of buffer: writable for rng,
 * readable for the console, a header for blk. */
static u16 data_flags(void)
{
	return t->kind == RNG ? VRING_DESC_F_WRITE : 0;
}

/* Descriptor 0 as a one-descriptor request of (addr, len, flags); blk
 * gets it as its header. */
static void one(u64 addr, u32 len, u16 flags)
{
	vring_desc(&ring, 0, addr, len, flags, 0);
	post(0);
}

/* ---- cases: each leaves a request (or nothing) for the device ---- */

static void c_ok(void) { setup(); good_chain(0); post(0); }

static void c_ok_twice(void)
{
	setup();
	good_chain(0);
	post(0);
	vring_wait(&ring, &t->d, 1, WAIT_MS);
	post(0);		/* the same head again: a new request */
}

static void c_indirect_ok(void)
{
	struct vring saved;

	setup();
	saved = ring;
	ring.desc = TBL;	/* build the chain in the table */
	good_chain(0);
	ring = saved;
	vring_desc(&ring, 0, TBL, 16 * (t->kind == BLK ? 3 : 1),
		   VRING_DESC_F_INDIRECT, 0);
	post(0);
}

static void c_desc_outside(void) { setup_at(OUTSIDE, RING + 0x100, RING + 0x1000, QSIZE); post(0); }
static void c_desc_hole(void) { setup_at(HOLE, RING + 0x100, RING + 0x1000, QSIZE); post(0); }

static void c_avail_outside(void)
{
	setup_at(RING, OUTSIDE, RING + 0x1000, QSIZE);
	good_chain(0);
	vq_notify(&t->d, t->q);
}

static void c_used_outside(void)
{
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc, ring.avail, OUTSIDE + 0x1000, QSIZE);
	good_chain(0);
	post(0);
}

static void c_desc_straddle(void)
{
	/* descriptor 0 is in RAM, the table runs past its end */
	u64 d = RAM_END - 16 * QSIZE / 2;

	vring_init(&ring, RING, QSIZE);
	setup_at(d, ring.avail, ring.used, QSIZE);
	ring.desc = d;
	good_chain(0);
	post(0);
}

static void c_avail_straddle(void)
{
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc, RAM_END - 4, ring.used, QSIZE);
	good_chain(0);
	vq_notify(&t->d, t->q);
}

static void c_used_straddle(void)
{
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc, ring.avail, RAM_END - 8, QSIZE);
	good_chain(0);
	post(0);
}

static void c_desc_at_end(void)
{
	/* the table ends exactly at the end of RAM: valid */
	u64 d = RAM_END - 16 * QSIZE;

	vring_init(&ring, RING, QSIZE);
	setup_at(d, ring.avail, ring.used, QSIZE);
	ring.desc = d;
	good_chain(0);
	post(0);
}

static void c_loop(void)
{
	setup();
	vring_desc(&ring, 0, BUF, 8, data_flags() | VRING_DESC_F_NEXT, 1);
	vring_desc(&ring, 1, BUF + 8, 8, data_flags() | VRING_DESC_F_NEXT, 0);
	post(0);
}

static void c_self_loop(void)
{
	setup();
	one(BUF, 8, data_flags() | VRING_DESC_F_NEXT);
}

static void c_next_oob(void)
{
	setup();
	vring_desc(&ring, 0, BUF, 8, data_flags() | VRING_DESC_F_NEXT, QSIZE);
	post(0);
}

static void c_next_ffff(void)
{
	setup();
	vring_desc(&ring, 0, BUF, 8, data_flags() | VRING_DESC_F_NEXT, 0xffff);
	post(0);
}

static void c_head_oob(void)
{
	setup();
	good_chain(0);
	post(QSIZE + 3);
}

static void c_idx_ahead(void)
{
	setup();
	good_chain(0);
	*(volatile u16 *)(ring.avail + 2) = QSIZE + 1;
	vq_notify(&t->d, t->q);
}

static void c_idx_far(void)
{
	setup();
	good_chain(0);
	*(volatile u16 *)(ring.avail + 2) = 0x8000;
	vq_notify(&t->d, t->q);
}

static void c_huge_len(void) { setup(); one(BUF, 0xffffffff, data_flags()); }
static void c_len_past_end(void) { setup(); one(RAM_END - 8, 64, data_flags()); }
static void c_addr_wrap(void) { setup(); one(0xfffffffffffff000ULL, 0x2000, data_flags()); }
static void c_addr_hole(void) { setup(); one(HOLE, 64, data_flags()); }

static void c_zero_len(void) { setup(); one(BUF, 0, data_flags()); }

static void c_read_after_write(void)
{
	setup();
	vring_desc(&ring, 0, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	vring_desc(&ring, 1, BUF + 8, 8, 0, 0);
	post(0);
}

static void c_ind_outside(void) { setup(); one(OUTSIDE, 64, VRING_DESC_F_INDIRECT); }
static void c_ind_straddle(void) { setup(); one(RAM_END - 16, 64, VRING_DESC_F_INDIRECT); }
static void c_ind_bad_len(void) { setup(); one(TBL, 24, VRING_DESC_F_INDIRECT); }
static void c_ind_zero_len(void) { setup(); one(TBL, 0, VRING_DESC_F_INDIRECT); }
static void c_ind_huge(void) { setup(); one(TBL, 0xfffffff0, VRING_DESC_F_INDIRECT); }

static void c_ind_nested(void)
{
	setup();
	memset((void *)TBL, 0, 64);
	*(volatile u64 *)TBL = TBL2;
	*(volatile u32 *)(TBL + 8) = 32;
	*(volatile u16 *)(TBL + 12) = VRING_DESC_F_INDIRECT;
	one(TBL, 32, VRING_DESC_F_INDIRECT);
}

static void tbl_desc(u64 tbl, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	u8 *p = (u8 *)(tbl + 16ULL * i);

	*(volatile u64 *)p = addr;
	*(volatile u32 *)(p + 8) = len;
	*(volatile u16 *)(p + 12) = flags;
	*(volatile u16 *)(p + 14) = next;
}

static void c_ind_loop(void)
{
	setup();
	tbl_desc(TBL, 0, BUF, 8, data_flags() | VRING_DESC_F_NEXT, 1);
	tbl_desc(TBL, 1, BUF + 8, 8, data_flags() | VRING_DESC_F_NEXT, 0);
	one(TBL, 32, VRING_DESC_F_INDIRECT);
}

static void c_ind_next_oob(void)
{
	setup();
	tbl_desc(TBL, 0, BUF, 8, data_flags() | VRING_DESC_F_NEXT, 5);
	tbl_desc(TBL, 1, BUF + 8, 8, data_flags(), 0);
	one(TBL, 32, VRING_DESC_F_INDIRECT);
}

static void c_ind_and_next(void)
{
	setup();
	tbl_desc(TBL, 0, BUF, 8, data_flags(), 0);
	vring_desc(&ring, 1, BUF, 8, data_flags(), 0);
	one(TBL, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
}

static void c_too_many_segs(void)
{
	u16 i, n = 300;		/* more than any device takes */

	setup();
	for (i = 0; i < n; i++)
		tbl_desc(TBL, i, BUF + i, 1,
			 data_flags() | (i + 1 < n ? VRING_DESC_F_NEXT : 0), i + 1);
	one(TBL, 16 * n, VRING_DESC_F_INDIRECT);
}

/* Queue sizes the device must refuse at queue_enable. */
static void bad_size(u16 size)
{
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc, ring.avail, ring.used, size);
	good_chain(0);
	post(0);
}

static void c_size_0(void) { bad_size(0); }
static void c_size_3(void) { bad_size(3); }
static void c_size_too_big(void) { bad_size(0x8000); }
static void c_size_ffff(void) { bad_size(0xffff); }

static void c_misaligned(void)
{
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc + 8, ring.avail + 1, ring.used + 2, QSIZE);
	post(0);
}

/* Notify of the abused queue while it is not enabled. */
static void c_notify_unset(void)
{
	vring_init(&ring, RING, QSIZE);
	if (features())
		return;
	vdev_driver_ok(&t->d);
	vq_notify(&t->d, t->q);
}

/* Notifies past the last queue: outside the notify area, ignored. */
static void c_notify_beyond(void)
{
	u16 q;

	setup();
	for (q = t->d.nqueues; q < t->d.nqueues + 8; q++)
		vq_notify(&t->d, q);
	good_chain(0);
	post(0);
}

static void c_enable_early(void)
{
	vring_init(&ring, RING, QSIZE);
	vdev_reset(&t->d);
	vc_write8(&t->d, VC_STATUS, VSTAT_ACK | VSTAT_DRIVER);
	vq_setup(&t->d, t->q, QSIZE, ring.desc, ring.avail, ring.used);
	good_chain(0);
	post(0);
}

static void c_driver_ok_early(void)
{
	vring_init(&ring, RING, QSIZE);
	vdev_reset(&t->d);
	vc_write8(&t->d, VC_STATUS, VSTAT_ACK | VSTAT_DRIVER | VSTAT_DRIVER_OK);
	vq_setup(&t->d, t->q, QSIZE, ring.desc, ring.avail, ring.used);
	good_chain(0);
	post(0);
}

/* Ring addresses rewritten while enabled: ignored, the queue still works. */
static void c_move_enabled(void)
{
	setup();
	vc_write16(&t->d, VC_Q_SELECT, t->q);
	vc_write64(&t->d, VC_Q_DESC, OUTSIDE);
	vc_write16(&t->d, VC_Q_SIZE, 3);
	good_chain(0);
	post(0);
}

/* A queue_select past the last queue: its writes go nowhere. */
static void c_select_oob(void)
{
	setup();
	vc_write16(&t->d, VC_Q_SELECT, 100);
	vc_write16(&t->d, VC_Q_SIZE, 4);
	vc_write64(&t->d, VC_Q_DESC, OUTSIDE);
	vc_write16(&t->d, VC_Q_ENABLE, 1);
	vc_write16(&t->d, VC_Q_SELECT, 0xffff);
	vc_write16(&t->d, VC_Q_ENABLE, 1);
	good_chain(0);
	post(0);
}

/* Used ring on top of the descriptor table: the device overwrites the
 * requests the guest posted; whatever happens, nothing outside RAM. */
static void c_used_on_desc(void)
{
	int i;

	/* the chains from descriptor 8 on, out of reach of 4 used entries */
	vring_init(&ring, RING, QSIZE);
	setup_at(ring.desc, ring.avail, ring.desc, QSIZE);
	for (i = 0; i < 4; i++) {
		good_chain(8);
		post(8);
	}
}

/* A broken queue kicked hard, and a queue never set up kicked hard. */
static void c_kick_storm(void)
{
	int i;

	c_loop();
	for (i = 0; i < 500; i++)
		vq_notify(&t->d, t->q);
	/* another queue never set up, or past the last one */
	for (i = 0; i < 500; i++)
		vq_notify(&t->d, t->q ? 0 : t->d.nqueues);
}

/* Reset while requests are in flight. */
static void c_reset_busy(void)
{
	int i;

	setup();
	for (i = 0; i < QSIZE; i++) {
		good_chain(0);
		post(0);
	}
	vdev_reset(&t->d);
	want_used = 0;
}

/* blk only: requests that are well formed rings but bad requests */
static void c_blk_short_hdr(void) { setup(); *(volatile u8 *)(HDR + 16) = 0xee; vring_desc(&ring, 0, HDR, 8, VRING_DESC_F_NEXT, 1); vring_desc(&ring, 1, HDR + 16, 1, VRING_DESC_F_WRITE, 0); post(0); }
static void c_blk_no_status(void) { setup(); blk_req(BLK_T_IN, 0, 512, 0); vring_desc(&ring, 1, BUF, 512, 0, 0); post(0); }

static u64 blk_capacity(void)
{
	return mmio_read64(t->d.devcfg);
}

static void c_blk_past_end(void) { setup(); blk_req(BLK_T_IN, blk_capacity(), 512, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_IOERR; }
static void c_blk_straddle(void) { setup(); blk_req(BLK_T_IN, blk_capacity() - 1, 1024, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_IOERR; }
static void c_blk_sector_huge(void) { setup(); blk_req(BLK_T_IN, ~0ULL, 512, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_IOERR; }
static void c_blk_write_past_end(void) { setup(); blk_req(BLK_T_OUT, blk_capacity(), 512, 0); post(0); blk_want = BLK_S_IOERR; }
static void c_blk_odd_len(void) { setup(); blk_req(BLK_T_IN, 0, 100, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_IOERR; }
static void c_blk_bad_type(void) { setup(); blk_req(0x1234, 0, 512, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_UNSUPP; }
static void c_blk_get_id_1(void) { setup(); blk_req(BLK_T_GET_ID, 0, 1, VRING_DESC_F_WRITE); post(0); blk_want = BLK_S_OK; }

static void c_blk_discard_huge(void)
{
	setup();
	blk_req(BLK_T_DISCARD, 0, 16, 0);
	*(volatile u64 *)BUF = ~0ULL - 5;	/* sector */
	*(volatile u32 *)(BUF + 8) = 0xffffffff;	/* sectors */
	*(volatile u32 *)(BUF + 12) = 0;
	post(0);
}

struct vcase {
	const char *name;
	void (*fn)(void);
	enum want want;
	int only;		/* -1: every device, else one kind */
};

static const struct vcase vcases[] = {
	{ "ok", c_ok, W_OK, -1 },
	{ "same-head-twice", c_ok_twice, W_OK, -1 },
	{ "indirect-ok", c_indirect_ok, W_OK, -1 },
	{ "desc-outside-ram", c_desc_outside, W_BROKEN, -1 },
	{ "desc-in-mmio-hole", c_desc_hole, W_BROKEN, -1 },
	{ "avail-outside-ram", c_avail_outside, W_BROKEN, -1 },
	{ "used-outside-ram", c_used_outside, W_BROKEN, -1 },
	{ "desc-straddles-ram-end", c_desc_straddle, W_BROKEN, -1 },
	{ "avail-straddles-ram-end", c_avail_straddle, W_BROKEN, -1 },
	{ "used-straddles-ram-end", c_used_straddle, W_BROKEN, -1 },
	{ "desc-ends-at-ram-end", c_desc_at_end, W_OK, -1 },
	{ "chain-loop", c_loop, W_BROKEN, -1 },
	{ "chain-self-loop", c_self_loop, W_BROKEN, -1 },
	{ "next-out-of-range", c_next_oob, W_BROKEN, -1 },
	{ "next-ffff", c_next_ffff, W_BROKEN, -1 },
	{ "head-out-of-range", c_head_oob, W_BROKEN, -1 },
	{ "avail-idx-ahead", c_idx_ahead, W_BROKEN, -1 },
	{ "avail-idx-far-ahead", c_idx_far, W_BROKEN, -1 },
	{ "len-4g", c_huge_len, W_BROKEN, -1 },
	{ "buffer-past-ram-end", c_len_past_end, W_BROKEN, -1 },
	{ "buffer-addr-wraps", c_addr_wrap, W_BROKEN, -1 },
	{ "buffer-in-mmio-hole", c_addr_hole, W_BROKEN, -1 },
	{ "zero-length", c_zero_len, W_ANY, -1 },
	{ "readable-after-writable", c_read_after_write, W_BROKEN, -1 },
	{ "indirect-outside-ram", c_ind_outside, W_BROKEN, -1 },
	{ "indirect-straddles-ram-end", c_ind_straddle, W_BROKEN, -1 },
	{ "indirect-len-24", c_ind_bad_len, W_BROKEN, -1 },
	{ "indirect-len-0", c_ind_zero_len, W_BROKEN, -1 },
	{ "indirect-len-huge", c_ind_huge, W_BROKEN, -1 },
	{ "indirect-nested", c_ind_nested, W_BROKEN, -1 },
	{ "indirect-loop", c_ind_loop, W_BROKEN, -1 },
	{ "indirect-next-out-of-range", c_ind_next_oob, W_BROKEN, -1 },
	{ "indirect-with-next", c_ind_and_next, W_BROKEN, -1 },
	{ "300-segments", c_too_many_segs, W_BROKEN, -1 },
	{ "queue-size-0", c_size_0, W_BROKEN, -1 },
	{ "queue-size-3", c_size_3, W_BROKEN, -1 },
	{ "queue-size-32768", c_size_too_big, W_BROKEN, -1 },
	{ "queue-size-65535", c_size_ffff, W_BROKEN, -1 },
	{ "rings-misaligned", c_misaligned, W_BROKEN, -1 },
	{ "notify-queue-not-set-up", c_notify_unset, W_BROKEN, -1 },
	{ "notify-past-last-queue", c_notify_beyond, W_OK, -1 },
	{ "enable-before-features-ok", c_enable_early, W_BROKEN, -1 },
	{ "driver-ok-before-features-ok", c_driver_ok_early, W_BROKEN, -1 },
	{ "ring-moved-while-enabled", c_move_enabled, W_OK, -1 },
	{ "queue-select-out-of-range", c_select_oob, W_OK, -1 },
	{ "used-ring-on-descriptors", c_used_on_desc, W_ANY, -1 },
	{ "kick-storm", c_kick_storm, W_BROKEN, -1 },
	{ "reset-while-busy", c_reset_busy, W_ANY, -1 },
	{ "blk-short-header", c_blk_short_hdr, W_BROKEN, BLK },
	{ "blk-no-status-byte", c_blk_no_status, W_BROKEN, BLK },
	{ "blk-read-past-end", c_blk_past_end, W_OK, BLK },
	{ "blk-read-straddles-end", c_blk_straddle, W_OK, BLK },
	{ "blk-sector-2^64-1", c_blk_sector_huge, W_OK, BLK },
	{ "blk-write-past-end", c_blk_write_past_end, W_OK, BLK },
	{ "blk-odd-length", c_blk_odd_len, W_OK, BLK },
	{ "blk-unknown-type", c_blk_bad_type, W_OK, BLK },
	{ "blk-get-id-1-byte", c_blk_get_id_1, W_OK, BLK },
	{ "blk-discard-huge", c_blk_discard_huge, W_OK, BLK },
	{ "ok-after", c_ok, W_OK, -1 },
};

static const char *want_name(enum want w)
{
	return w == W_OK ? "completed" : w == W_BROKEN ? "needs-reset" : "any";
}

static void run_case(const struct vcase *c)
{
	int used, reset, good;
	u8 st;
	u32 bst;

	want_used = 0;
	blk_want = NO_BLK_STATUS;
	c->fn();
	if (want_used)
		vring_wait(&ring, &t->d, want_used, WAIT_MS);
	else
		vring_wait(&ring, &t->d, 0xffff, 50);
	st = vdev_status(&t->d);	/* after the device's lock: final */
	used = want_used && vring_used_idx(&ring) == want_used;
	reset = !!(st & VSTAT_NEEDS_RESET);
	bst = *(volatile u8 *)(HDR + 16);
	switch (c->want) {
	case W_OK:
		good = used && !reset;
		break;
	case W_BROKEN:
		good = reset;
		break;
	default:
		good = 1;
	}
	if (c->want == W_OK && t->kind == BLK && blk_want != NO_BLK_STATUS &&
	    bst != blk_want)
		good = 0;
	/* the suite's image starts with it */
	if (c->fn == c_ok && t->kind == BLK && memcmp((void *)BUF, "ABUSE-DISK", 10))
		good = 0;
	if (vdev_reset(&t->d)) {
		stuck++;
		good = 0;
		if (!quiet)
			printf("GUEST abuse-vq %s %s: reset does not complete\n",
			       t->name, c->name);
	}
	cases++;
	unexpected += !good;
	if (quiet && good)
		return;
	printf("GUEST abuse-vq %s %s: used=%d needs-reset=%d status=%x%s%s\n",
	       t->name, c->name, used, reset, st,
	       good ? "" : " UNEXPECTED, want ", good ? "" : want_name(c->want));
	if (!good && t->kind == BLK && blk_want != NO_BLK_STATUS)
		printf("GUEST abuse-vq blk status byte %x, want %x\n", bst,
		       blk_want);
}

static void run_all(void)
{
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(targets); k++) {
		t = &targets[k];
		/* the console's text on stdout once, not on every pass */
		if (!t->present || (quiet && t->kind == CON))
			continue;
		for (i = 0; i < ARRAY_SIZE(vcases); i++) {
			if (vcases[i].only >= 0 && vcases[i].only != (int)t->kind)
				continue;
			run_case(&vcases[i]);
		}
	}
}

void guest_main(void)
{
	static const u16 ids[] = { VIRTIO_ID_RNG, VIRTIO_ID_BLOCK,
				   VIRTIO_ID_CONSOLE };
	unsigned int k, present = 0;
	u64 pass = 1;

	for (k = 0; k < ARRAY_SIZE(targets); k++) {
		t = &targets[k];
		t->present = !vdev_find(ids[k], t->name, &t->d);
		if (t->present) {
			present++;
			/* INTx mode */
			conf1_write(BDF(t->d.slot, 0), t->d.msix + 2, 2, 0);
		}
		printf("GUEST abuse-vq %s %s\n", t->name,
		       t->present ? "found" : "absent");
	}
	run_all();
	printf("GUEST abuse-vq done devices=%u cases=%d unexpected=%d stuck=%d\n",
	       present, cases, unexpected, stuck);
	quiet = 1;
	for (;;) {
		int before = unexpected;

		run_all();
		pass++;
		if (unexpected != before)
			printf("GUEST abuse-vq pass %lu: %d unexpected\n", pass,
			       unexpected - before);
	}
}
