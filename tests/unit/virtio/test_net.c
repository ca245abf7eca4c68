/* Unit tests of virtio-net (virtio/net.c): -n parsing, the default MAC, offload
 * negotiation via a fake TUNSETOFFLOAD, and RX/TX on hand-built rings with a
 * SOCK_SEQPACKET socketpair standing in for the tap (a record per packet). */
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include "virtio/net.h"
#include "virtio_harness.h"

#define F(bit)		(1ULL << (bit))

static struct harness H;

TEST(net_parse_modes_and_options)
{
	struct net_opts o;
	char err[256];

	EXPECT_EQ(net_parse("mode=tap", &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, NET_MODE_TAP);
	EXPECT_STR(o.tapif, "");
	EXPECT(!o.has_mac);
	EXPECT_EQ(net_parse("mode=none", &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, NET_MODE_NONE);
	EXPECT_EQ(net_parse("none", &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, NET_MODE_NONE);
	EXPECT_EQ(net_parse("mode=tap,tapif=lkvmt0,guest_mac=02:AB:cd:00:11:22",
			    &o, err, sizeof(err)), 0);
	EXPECT_EQ(o.mode, NET_MODE_TAP);
	EXPECT_STR(o.tapif, "lkvmt0");
	EXPECT(o.has_mac);
	EXPECT(!memcmp(o.mac, "\x02\xab\xcd\x00\x11\x22", 6));
	/* options in any order, dashes in the MAC */
	EXPECT_EQ(net_parse("guest_mac=52-54-00-12-34-56,mode=tap", &o, err,
			    sizeof(err)), 0);
	EXPECT(!memcmp(o.mac, "\x52\x54\x00\x12\x34\x56", 6));
	EXPECT_EQ(net_parse("mode=tap,tapif=fifteen-chars-x", &o, err,
			    sizeof(err)), 0);
}

TEST(net_parse_errors)
{
	struct net_opts o;
	char err[256];

	EXPECT_EQ(net_parse("mode=user", &o, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "unknown mode 'user'");
	EXPECT_CONTAINS(err, "tap, none");
	EXPECT_EQ(net_parse("mode=tap,vhost=1", &o, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "unknown option 'vhost'");
	EXPECT_CONTAINS(err, "tapif=<name>, guest_mac=<mac>");
	EXPECT_EQ(net_parse("mode=tap,ro", &o, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "'ro' is not key=value");
	EXPECT_EQ(net_parse("tapif=x", &o, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "no mode=");
	EXPECT_EQ(net_parse("", &o, err, sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=none,tapif=x", &o, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "mode=none takes no other options");
	EXPECT_EQ(net_parse("mode=tap,tapif=sixteen-chars-xy", &o, err,
			    sizeof(err)), -1);
	EXPECT_CONTAINS(err, "bad tapif");
	EXPECT_EQ(net_parse("mode=tap,tapif=a/b", &o, err, sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,tapif=", &o, err, sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,guest_mac=02:00:00:00:00", &o, err,
			    sizeof(err)), -1);
	EXPECT_CONTAINS(err, "bad guest_mac '02:00:00:00:00'");
	EXPECT_EQ(net_parse("mode=tap,guest_mac=02:00:00:00:00:0g", &o, err,
			    sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,guest_mac=02:00-00:00:00:01", &o, err,
			    sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,guest_mac=0200:00:00:00:01:", &o, err,
			    sizeof(err)), -1);
	/* multicast, broadcast and all-zero are not NIC addresses */
	EXPECT_EQ(net_parse("mode=tap,guest_mac=01:00:5e:00:00:01", &o, err,
			    sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,guest_mac=ff:ff:ff:ff:ff:ff", &o, err,
			    sizeof(err)), -1);
	EXPECT_EQ(net_parse("mode=tap,guest_mac=00:00:00:00:00:00", &o, err,
			    sizeof(err)), -1);
}

/* A key given twice is refused, naming it: the last value must not win. */
TEST(net_parse_duplicate_keys)
{
	static const char *const dup[][2] = {
		{ "mode=tap,mode=none", "'mode' given twice" },
		{ "mode=none,mode=none", "'mode' given twice" },
		{ "mode=tap,tapif=a,tapif=b", "'tapif' given twice" },
		{ "mode=tap,guest_mac=02:00:00:00:00:01,"
		  "guest_mac=02:00:00:00:00:02", "'guest_mac' given twice" },
	};
	struct net_opts o;
	char err[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dup); i++) {
		err[0] = 0;
		EXPECT_EQ(net_parse(dup[i][0], &o, err, sizeof(err)), -1);
		EXPECT_CONTAINS(err, dup[i][1]);
	}
}

TEST(net_default_mac_stable)
{
	u8 a[6], b[6], c[6], d[6];

	net_default_mac("vm1", 0, a);
	net_default_mac("vm1", 0, b);
	net_default_mac("vm2", 0, c);
	net_default_mac("vm1", 1, d);
	EXPECT(!memcmp(a, b, 6));
	EXPECT(memcmp(a, c, 6));
	EXPECT(memcmp(a, d, 6));
	EXPECT_EQ(a[0] & 3, 2);		/* locally administered, unicast */
	EXPECT_EQ(c[0] & 3, 2);
	EXPECT_EQ(d[0] & 3, 2);
	net_default_mac(NULL, 0, a);
	EXPECT_EQ(a[0] & 3, 2);
}

/* ---- device on a socketpair ---- */

static unsigned int fake_accept;	/* TUN_F_* the fake tap accepts */
static unsigned int fake_last = ~0U;

static int fake_offload(struct net_dev *n, unsigned int flags)
{
	if (flags & ~fake_accept)
		return -1;
	fake_last = flags;
	return 0;
}

/* A started-from-scratch device on sv[0]; the test talks through sv[1]. */
static struct net_dev *net_new(int sv[2], unsigned int accept, u64 acked)
{
	static const u8 mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct net_dev *n = calloc(1, sizeof(*n));

	h_init(&H);
	if (!n || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv))
		return NULL;
	fake_accept = accept;
	fake_last = ~0U;
	n->set_offload = fake_offload;
	if (net_setup(n, NULL, 0, sv[0], mac))
		return NULL;
	n->v.mem = &H.mem;
	h_bring_up(&n->v, acked);
	return n;
}

static void net_del(struct net_dev *n, int sv[2])
{
	virtio_dev_destroy(&n->v);	/* closes sv[0] */
	close(sv[1]);
	h_fini(&H);
}

/* A packet as the tap gives it: header (gso_type/flags) + len payload
 * bytes counting from seed. */
static void tap_send(int fd, u32 len, u8 seed, u8 gso)
{
	static u8 pkt[NET_HDR_LEN + 70000];
	struct virtio_net_hdr_v1 *h = (void *)pkt;
	u32 i;

	memset(h, 0, NET_HDR_LEN);
	h->gso_type = gso;
	h->num_buffers = htole16(0x7777);	/* must be overwritten */
	for (i = 0; i < len; i++)
		pkt[NET_HDR_LEN + i] = seed + i;
	EXPECT_EQ(send(fd, pkt, NET_HDR_LEN + len, 0), NET_HDR_LEN + len);
}

static u16 used_flags(unsigned int q)
{
	u16 *u = h_ptr(&H, H_USED + q * 0x100);

	return le16toh(u[0]);
}

/* Checks that the bytes are seed, seed+1, ... */
static bool payload_ok(const u8 *p, u32 len, u8 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (p[i] != (u8)(seed + i))
			return false;
	return true;
}

TEST(net_config_and_offloads)
{
	u64 acked = F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_GUEST_CSUM) |
		    F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_CSUM);
	struct net_dev *n;
	int sv[2];
	u32 lo, hi;

	/* a tap that takes checksum + TSO4 only */
	n = net_new(sv, TUN_F_CSUM | TUN_F_TSO4, acked);
	ASSERT(n);
	h_wr(&n->v, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	lo = h_rd(&n->v, VIRTIO_PCI_COMMON_DF, 4);
	h_wr(&n->v, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	hi = h_rd(&n->v, VIRTIO_PCI_COMMON_DF, 4);
	EXPECT(lo & F(VIRTIO_NET_F_MAC));
	EXPECT(lo & F(VIRTIO_NET_F_STATUS));
	EXPECT(lo & F(VIRTIO_NET_F_MRG_RXBUF));
	EXPECT(lo & F(VIRTIO_NET_F_CSUM));
	EXPECT(lo & F(VIRTIO_NET_F_GUEST_CSUM));
	EXPECT(lo & F(VIRTIO_NET_F_HOST_TSO4));
	EXPECT(lo & F(VIRTIO_NET_F_GUEST_TSO4));
	EXPECT(!(lo & F(VIRTIO_NET_F_GUEST_TSO6)));
	EXPECT(!(lo & F(VIRTIO_NET_F_GUEST_UFO)));
	EXPECT(hi & 1);		/* VERSION_1 (bit 32) */
	/* the guest's acks set the tap's offloads */
	EXPECT(H_STATUS(&n->v) & VIRTIO_CONFIG_S_FEATURES_OK);
	EXPECT(!(H_STATUS(&n->v) & VIRTIO_CONFIG_S_NEEDS_RESET));
	EXPECT_EQ(fake_last, TUN_F_CSUM | TUN_F_TSO4);
	/* config: MAC, link up */
	EXPECT_EQ(h_rd(&n->v, VP_DEVCFG_OFF, 1), 0x02);
	EXPECT_EQ(h_rd(&n->v, VP_DEVCFG_OFF + 5, 1), 0x55);
	EXPECT_EQ(h_rd(&n->v, VP_DEVCFG_OFF + 6, 2), VIRTIO_NET_S_LINK_UP);
	EXPECT_EQ(h_rd(&n->v, VIRTIO_PCI_COMMON_NUMQ, 2), 2);
	net_del(n, sv);

	/* a tap without offloads: none offered, the guest cannot ack them */
	n = net_new(sv, 0, F(VIRTIO_NET_F_GUEST_CSUM));
	ASSERT(n);
	EXPECT(!(n->v.host_features & (F(VIRTIO_NET_F_CSUM) |
				       F(VIRTIO_NET_F_GUEST_CSUM) |
				       F(VIRTIO_NET_F_GUEST_TSO4))));
	EXPECT(!(H_STATUS(&n->v) & VIRTIO_CONFIG_S_FEATURES_OK));
	net_del(n, sv);
}

TEST(net_rx_merged_buffers)
{
	struct net_dev *n;
	struct virtio_net_hdr_v1 *h;
	int sv[2];
	u8 *b0, *b1;

	n = net_new(sv, 0, F(VIRTIO_NET_F_MRG_RXBUF));
	ASSERT(n);
	b0 = h_ptr(&H, H_BUF);
	b1 = h_ptr(&H, H_BUF + 0x1000);
	/* 3000 payload bytes + header over two 2 KiB buffers */
	h_desc(&H, NET_RX, 0, H_BUF, 2048, VRING_DESC_F_WRITE, 0);
	h_desc(&H, NET_RX, 1, H_BUF + 0x1000, 2048, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 0);
	h_avail(&H, NET_RX, 1);
	tap_send(sv[1], 3000, 7, 0);
	n->rx_armed = false;
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 2);
	EXPECT_EQ(h_used_len(&H, NET_RX, 0), 2048);
	EXPECT_EQ(h_used_len(&H, NET_RX, 1), NET_HDR_LEN + 3000 - 2048);
	h = (void *)b0;
	EXPECT_EQ(le16toh(h->num_buffers), 2);
	EXPECT(payload_ok(b0 + NET_HDR_LEN, 2048 - NET_HDR_LEN, 7));
	EXPECT(payload_ok(b1, NET_HDR_LEN + 3000 - 2048,
			  (u8)(7 + 2048 - NET_HDR_LEN)));
	/* no buffers left: the tap is not read, nor watched */
	EXPECT(!n->rx_armed);

	/* no buffers left: the packet stays in the tap, kicks are wanted */
	tap_send(sv[1], 100, 1, 0);
	n->rx_armed = false;
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 2);
	EXPECT(!n->rx_armed);
	EXPECT(!(used_flags(NET_RX) & VRING_USED_F_NO_NOTIFY));
	EXPECT(recv(sv[0], b0, 1, MSG_PEEK | MSG_DONTWAIT) > 0);
	/* one buffer added: delivered, num_buffers 1 */
	h_desc(&H, NET_RX, 2, H_BUF + 0x2000, 2048, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 2);
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 3);
	EXPECT_EQ(h_used_len(&H, NET_RX, 2), NET_HDR_LEN + 100);
	h = h_ptr(&H, H_BUF + 0x2000);
	EXPECT_EQ(le16toh(h->num_buffers), 1);
	EXPECT(payload_ok((u8 *)h + NET_HDR_LEN, 100, 1));

	/* a packet needing two buffers with one posted waits, whole */
	tap_send(sv[1], 1500, 3, 0);
	h_desc(&H, NET_RX, 3, H_BUF + 0x3000, 1024, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 3);
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 3);
	EXPECT_EQ(n->rx_len, NET_HDR_LEN + 1500);
	h_desc(&H, NET_RX, 4, H_BUF + 0x4000, 1024, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 4);
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 5);
	EXPECT_EQ(h_used_len(&H, NET_RX, 3), 1024);
	EXPECT_EQ(h_used_len(&H, NET_RX, 4), NET_HDR_LEN + 1500 - 1024);
	h = h_ptr(&H, H_BUF + 0x3000);
	EXPECT_EQ(le16toh(h->num_buffers), 2);
	EXPECT(payload_ok(h_ptr(&H, H_BUF + 0x4000), 1500 + NET_HDR_LEN - 1024,
			  (u8)(3 + 1024 - NET_HDR_LEN)));
	EXPECT_EQ(n->rx_packets, 3);

	/* an unacked GSO packet from the tap is dropped, not delivered */
	h_desc(&H, NET_RX, 5, H_BUF + 0x5000, 2048, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 5);
	tap_send(sv[1], 200, 0, VIRTIO_NET_HDR_GSO_TCPV4);
	n->rx_armed = false;
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 5);
	EXPECT_EQ(n->rx_dropped, 1);
	/* buffers left and the tap drained: watch it again */
	EXPECT(n->rx_armed);
	EXPECT(used_flags(NET_RX) & VRING_USED_F_NO_NOTIFY);
	EXPECT(!(H_STATUS(&n->v) & VIRTIO_CONFIG_S_NEEDS_RESET));

	/* a read-only receive buffer is a broken driver: NEEDS_RESET */
	tap_send(sv[1], 64, 0, 0);
	h_desc(&H, NET_RX, 6, H_BUF + 0x6000, 2048, 0, 0);
	h_avail(&H, NET_RX, 6);
	virtio_dev_process(&n->v, NET_RX);	/* buffer 5 takes it */
	tap_send(sv[1], 64, 0, 0);
	virtio_dev_process(&n->v, NET_RX);
	EXPECT(H_STATUS(&n->v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	net_del(n, sv);
}

TEST(net_rx_without_mrg)
{
	struct net_dev *n;
	struct virtio_net_hdr_v1 *h;
	int sv[2];

	n = net_new(sv, 0, 0);
	ASSERT(n);
	/* header and data in two descriptors of one chain */
	h_desc(&H, NET_RX, 0, H_BUF, NET_HDR_LEN,
	       VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	h_desc(&H, NET_RX, 1, H_BUF + 0x100, 1514, VRING_DESC_F_WRITE, 0);
	h_avail(&H, NET_RX, 0);
	tap_send(sv[1], 2000, 0, 0);	/* too big for the chain: dropped */
	tap_send(sv[1], 60, 9, 0);
	virtio_dev_process(&n->v, NET_RX);
	EXPECT_EQ(h_used_idx(&H, NET_RX), 1);
	EXPECT_EQ(h_used_len(&H, NET_RX, 0), NET_HDR_LEN + 60);
	h = h_ptr(&H, H_BUF);
	EXPECT_EQ(le16toh(h->num_buffers), 1);
	EXPECT(payload_ok(h_ptr(&H, H_BUF + 0x100), 60, 9));
	EXPECT_EQ(n->rx_dropped, 1);
	net_del(n, sv);
}

TEST(net_tx_to_tap)
{
	struct net_dev *n;
	u8 got[4096], *p;
	int sv[2];
	u32 i;

	n = net_new(sv, TUN_F_CSUM, F(VIRTIO_NET_F_MRG_RXBUF) |
		    F(VIRTIO_NET_F_CSUM));
	ASSERT(n);
	/* header in one descriptor, 1000 bytes of frame over two more */
	p = h_ptr(&H, H_BUF);
	memset(p, 0, NET_HDR_LEN);
	p[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	for (i = 0; i < 1000; i++)
		p[0x100 + i] = i * 3;
	h_desc(&H, NET_TX, 0, H_BUF, NET_HDR_LEN, VRING_DESC_F_NEXT, 1);
	h_desc(&H, NET_TX, 1, H_BUF + 0x100, 400, VRING_DESC_F_NEXT, 2);
	h_desc(&H, NET_TX, 2, H_BUF + 0x100 + 400, 600, 0, 0);
	h_avail(&H, NET_TX, 0);
	/* and a second packet, header and data in one descriptor */
	memset(p + 0x800, 0, NET_HDR_LEN);
	memcpy(p + 0x800 + NET_HDR_LEN, "second", 6);
	h_desc(&H, NET_TX, 3, H_BUF + 0x800, NET_HDR_LEN + 6, 0, 0);
	h_avail(&H, NET_TX, 3);
	virtio_dev_process(&n->v, NET_TX);
	EXPECT_EQ(h_used_idx(&H, NET_TX), 2);
	EXPECT_EQ(recv(sv[1], got, sizeof(got), MSG_DONTWAIT), NET_HDR_LEN + 1000);
	EXPECT_EQ(got[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	EXPECT(!memcmp(got + NET_HDR_LEN, p + 0x100, 1000));
	EXPECT_EQ(recv(sv[1], got, sizeof(got), MSG_DONTWAIT), NET_HDR_LEN + 6);
	EXPECT(!memcmp(got + NET_HDR_LEN, "second", 6));
	EXPECT_EQ(n->tx_packets, 2);
	/* kicks wanted again once the queue is empty */
	EXPECT(!(used_flags(NET_TX) & VRING_USED_F_NO_NOTIFY));

	/* a chain shorter than the header is dropped, not sent */
	h_desc(&H, NET_TX, 4, H_BUF, 4, 0, 0);
	h_avail(&H, NET_TX, 4);
	virtio_dev_process(&n->v, NET_TX);
	EXPECT_EQ(h_used_idx(&H, NET_TX), 3);
	EXPECT_EQ(n->tx_dropped, 1);
	EXPECT(recv(sv[1], got, sizeof(got), MSG_DONTWAIT) < 0);
	EXPECT(!(H_STATUS(&n->v) & VIRTIO_CONFIG_S_NEEDS_RESET));
	/* a descriptor outside guest RAM: NEEDS_RESET, lkvm lives on */
	h_desc(&H, NET_TX, 5, 0x10, 64, 0, 0);
	h_avail(&H, NET_TX, 5);
	virtio_dev_process(&n->v, NET_TX);
	EXPECT(H_STATUS(&n->v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	net_del(n, sv);
}

TEST(net_tx_full_tap_waits)
{
	struct net_dev *n;
	u8 got[256];
	int sv[2], sent = 0;

	n = net_new(sv, 0, F(VIRTIO_NET_F_MRG_RXBUF));
	ASSERT(n);
	/* fill the socket until it would block */
	memset(got, 0, sizeof(got));
	while (send(sv[0], got, sizeof(got), MSG_DONTWAIT) > 0)
		sent++;
	EXPECT(sent > 0);
	memset(h_ptr(&H, H_BUF), 0, 64);
	h_desc(&H, NET_TX, 0, H_BUF, 64, 0, 0);
	h_avail(&H, NET_TX, 0);
	n->tx_blocked = false;
	virtio_dev_process(&n->v, NET_TX);
	EXPECT_EQ(h_used_idx(&H, NET_TX), 0);	/* kept for later */
	EXPECT(n->tx_blocked);
	while (recv(sv[1], got, sizeof(got), MSG_DONTWAIT) > 0)
		;
	virtio_dev_process(&n->v, NET_TX);
	EXPECT_EQ(h_used_idx(&H, NET_TX), 1);
	EXPECT_EQ(recv(sv[1], got, sizeof(got), MSG_DONTWAIT), 64);
	net_del(n, sv);
}
