/* Unit tests of the device records of virtio snapshots: virtio-blk saved
 * mid-stream goes on reading and writing its image after a load and
 * refuses another disk; virtio-net puts the driver's offloads back on the
 * new tap; virtio-console keeps its unread input; every record is well
 * formed. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include "kvm/state.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/net.h"
#include "virtio_harness.h"

#define F(bit)		(1ULL << (bit))
#define HDR		H_BUF
#define STATUS		(H_BUF + 0x80)
#define DATA		(H_BUF + 0x100)

static struct harness H;

/* ---- virtio-blk ---- */

static char img[64];

static int make_image(unsigned int sectors)
{
	int fd;

	snprintf(img, sizeof(img), "/tmp/lkvm-ut-snapblk-XXXXXX");
	fd = mkstemp(img);
	if (fd < 0 || ftruncate(fd, sectors * 512ULL))
		return -1;
	close(fd);
	return 0;
}

static struct blk_dev *blk_new(bool ro)
{
	struct blk_dev *b = calloc(1, sizeof(*b));

	if (!b || blk_setup(b, NULL, img, ro, 0)) {
		free(b);
		return NULL;
	}
	b->v.mem = &H.mem;
	return b;
}

/* One request (header, 512-byte data, status) as heads 0..2; the used
 * index after it. */
static u16 blk_req(struct blk_dev *b, u32 type, u64 sector)
{
	struct virtio_blk_outhdr *h = h_ptr(&H, HDR);
	bool in = type == VIRTIO_BLK_T_IN;

	h->type = htole32(type);
	h->ioprio = 0;
	h->sector = htole64(sector);
	*(u8 *)h_ptr(&H, STATUS) = 0xee;
	h_desc(&H, 0, 0, HDR, 16, VRING_DESC_F_NEXT, 1);
	h_desc(&H, 0, 1, DATA, 512, VRING_DESC_F_NEXT |
	       (in ? VRING_DESC_F_WRITE : 0), 2);
	h_desc(&H, 0, 2, STATUS, 1, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 0);
	virtio_dev_process(&b->v, 0);
	EXPECT_EQ(*(u8 *)h_ptr(&H, STATUS), VIRTIO_BLK_S_OK);
	return h_used_idx(&H, 0);
}

TEST(virtio_snap_blk_continues_after_restore)
{
	struct blk_dev *b, *c;
	struct sbuf sb = { 0 };
	char err[256];

	h_init(&H);
	ASSERT_EQ(make_image(64), 0);
	b = blk_new(false);
	ASSERT(b);
	h_bring_up(&b->v, b->v.host_features & ~F(VIRTIO_F_VERSION_1));
	memset(h_ptr(&H, DATA), 0xa5, 512);
	EXPECT_EQ(blk_req(b, VIRTIO_BLK_T_OUT, 1), 1);
	ASSERT_EQ(h_snap_save(&b->v, &sb), 0);
	virtio_dev_destroy(&b->v);
	c = blk_new(false);		/* the restored VM's disk */
	ASSERT(c);
	ASSERT_EQ(h_snap_load(&c->v, sb.p, sb.len, err, sizeof(err)), 0);
	memset(h_ptr(&H, DATA), 0, 512);
	EXPECT_EQ(blk_req(c, VIRTIO_BLK_T_IN, 1), 2);	/* written before */
	EXPECT_EQ(*(u8 *)h_ptr(&H, DATA + 511), 0xa5);
	memset(h_ptr(&H, DATA), 0x5a, 512);
	EXPECT_EQ(blk_req(c, VIRTIO_BLK_T_OUT, 2), 3);	/* write after */
	memset(h_ptr(&H, DATA), 0, 512);
	EXPECT_EQ(blk_req(c, VIRTIO_BLK_T_IN, 2), 4);
	EXPECT_EQ(*(u8 *)h_ptr(&H, DATA), 0x5a);
	EXPECT_EQ(c->v.vq[0].last_avail_idx, 4);
	virtio_dev_destroy(&c->v);
	unlink(img);
	/* another disk: other size, or read-only where it was writable */
	ASSERT_EQ(make_image(32), 0);
	c = blk_new(false);
	ASSERT(c);
	EXPECT_EQ(h_snap_load(&c->v, sb.p, sb.len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "virtio-blk0 at 00:00.0: disk '");
	EXPECT_CONTAINS(err, "has 32 sectors, the saved disk 64: restore with "
			"the same image");
	EXPECT_EQ(H_STATUS(&c->v), 0);
	virtio_dev_destroy(&c->v);
	unlink(img);
	ASSERT_EQ(make_image(64), 0);
	c = blk_new(true);
	ASSERT(c);
	EXPECT_EQ(h_snap_load(&c->v, sb.p, sb.len, err, sizeof(err)), -1);
	/* read-only: it offers no DISCARD/WRITE_ZEROES the driver may have
	 * taken (where the host file system can punch holes) */
	EXPECT_CONTAINS(err, "virtio-blk0 at 00:00.0: ");
	EXPECT(strstr(err, "is read-only, the saved disk was writable: give "
		      "',ro' exactly as when saved") || strstr(err, "this device does not "
		      "offer"));
	virtio_dev_destroy(&c->v);
	unlink(img);
	sb_free(&sb);
	h_fini(&H);
}

/* ---- virtio-net ---- */

static unsigned int tap_accepts, tap_last;

static int fake_offload(struct net_dev *n, unsigned int flags)
{
	(void)n;
	if (flags & ~tap_accepts)
		return -1;
	tap_last = flags;
	return 0;
}

static struct net_dev *net_new(int sv[2])
{
	static const u8 mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct net_dev *n = calloc(1, sizeof(*n));

	if (!n || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv))
		return NULL;
	n->set_offload = fake_offload;
	if (net_setup(n, NULL, 0, sv[0], mac))
		return NULL;
	n->v.mem = &H.mem;
	return n;
}

TEST(virtio_snap_net_offloads_back_on_the_tap)
{
	struct sbuf sb = { 0 };
	struct net_dev *n, *m;
	int sv[2], sw[2];
	char err[256];

	h_init(&H);
	tap_accepts = TUN_F_CSUM | TUN_F_TSO4;
	n = net_new(sv);
	ASSERT(n);
	h_bring_up(&n->v, F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_CSUM));
	EXPECT_EQ(n->offloads, TUN_F_CSUM);
	n->tx_packets = 7;
	ASSERT_EQ(h_snap_save(&n->v, &sb), 0);
	virtio_dev_destroy(&n->v);
	close(sv[1]);
	m = net_new(sw);
	ASSERT(m);
	tap_last = ~0u;
	ASSERT_EQ(h_snap_load(&m->v, sb.p, sb.len, err, sizeof(err)), 0);
	EXPECT_EQ(tap_last, TUN_F_CSUM);
	EXPECT_EQ(m->offloads, TUN_F_CSUM);
	EXPECT_EQ(m->tx_packets, 7);
	EXPECT(virtio_has_feature(&m->v, VIRTIO_NET_F_GUEST_CSUM));
	virtio_dev_destroy(&m->v);
	close(sw[1]);
	/* a tap that offers checksum offload but then refuses it */
	m = net_new(sw);
	ASSERT(m);
	tap_accepts = 0;
	EXPECT_EQ(h_snap_load(&m->v, sb.p, sb.len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "virtio-net0 at 00:00.0: tap (none) refuses the "
			"offloads (TUN_F_* 0x1)");
	EXPECT_EQ(H_STATUS(&m->v), 0);
	virtio_dev_destroy(&m->v);
	close(sw[1]);
	sb_free(&sb);
	h_fini(&H);
}

/* ---- virtio-console ---- */

static u8 out_buf[64];

static void no_out(const u8 *buf, size_t len)
{
	memcpy(out_buf, buf, MIN(len, sizeof(out_buf)));
}

static struct con_dev *con_new(void)
{
	struct con_dev *c = calloc(1, sizeof(*c));

	if (!c || con_setup(c, NULL))
		return NULL;
	c->out = no_out;
	c->v.mem = &H.mem;
	return c;
}

TEST(virtio_snap_console_keeps_unread_input)
{
	struct sbuf sb = { 0 };
	struct con_dev *c, *d;
	char err[256];
	u8 *p;

	h_init(&H);
	c = con_new();
	ASSERT(c);
	h_bring_up(&c->v, 0);
	con_input(c, (const u8 *)"typed", 5);	/* no receive buffer yet */
	ASSERT_EQ(h_snap_save(&c->v, &sb), 0);
	virtio_dev_destroy(&c->v);
	d = con_new();
	ASSERT(d);
	ASSERT_EQ(h_snap_load(&d->v, sb.p, sb.len, err, sizeof(err)), 0);
	EXPECT_EQ(d->in_len, 5);
	h_desc(&H, CON_RX, 0, H_BUF + 0x200, 16, VRING_DESC_F_WRITE, 0);
	h_avail(&H, CON_RX, 0);
	virtio_dev_process(&d->v, CON_RX);
	EXPECT_EQ(h_used_idx(&H, CON_RX), 1);
	EXPECT_EQ(h_used_len(&H, CON_RX, 0), 5);
	EXPECT(!memcmp(h_ptr(&H, H_BUF + 0x200), "typed", 5));
	virtio_dev_destroy(&d->v);
	/* in[4096], then in_head (size_t) */
	p = h_snap_rec(&sb, "virtio-console", 0);
	ASSERT(p);
	le_put(p + CON_IN_BUF, sizeof(size_t), CON_IN_BUF);
	d = con_new();
	ASSERT(d);
	EXPECT_EQ(h_snap_load(&d->v, sb.p, sb.len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "virtio-console at 00:00.0: input buffer head "
			"4096, length 5 (of 4096): corrupt snapshot");
	virtio_dev_destroy(&d->v);
	sb_free(&sb);
	h_fini(&H);
}

/* ---- records ---- */

/* Every virtio device type has a well-formed record of its own. */
TEST(virtio_snap_device_records_described)
{
	static const char *const names[] = {
		"virtio-pci", "virtio-queue", "virtio-blk", "virtio-net",
		"virtio-console", "virtio-rng",
	};
	const struct state_desc *d;
	char err[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		d = state_find(names[i]);
		if (!EXPECT(d))
			continue;
		EXPECT_EQ(state_check(d, err, sizeof(err)), 0);
	}
}
