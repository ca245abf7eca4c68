/* virtio-net (-n/--network mode=tap|none): one rx and one tx queue over a tap,
 * mergeable rx buffers, the csum/TSO/UFO offloads the tap accepts. A watcher
 * thread turns tap readiness into kicks; queue work runs in the I/O thread. */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include "kvm/seccomp.h"
#include "kvm/state.h"
#include "kvm/vm.h"
#include "virtio/net.h"

/* A packet waiting in rx_buf is not state: it is dropped, as on a wire. */
STATE_DESC(net_state_desc, "virtio-net", struct net_dev, 1,
	   STATE_FIELD(struct net_dev, mac, 1),
	   STATE_FIELD(struct net_dev, offloads, 1),
	   STATE_FIELD(struct net_dev, rx_packets, 1),
	   STATE_FIELD(struct net_dev, rx_dropped, 1),
	   STATE_FIELD(struct net_dev, tx_packets, 1),
	   STATE_FIELD(struct net_dev, tx_dropped, 1))

#define NET_CLASS	0x020000	/* network controller, Ethernet */
#define F(bit)		(1ULL << (bit))
#define OPTS_HELP	"valid: mode=tap|none, tapif=<name>, guest_mac=<mac>"

/* ---- options ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int net_parse_mac(const char *s, u8 mac[6])
{
	u8 m[6];
	char sep;
	int i;

	if (strlen(s) != 17)
		return -1;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -1;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != sep))
			return -1;
		m[i] = hi << 4 | lo;
	}
	/* A NIC needs a unicast address, and not 00:00:00:00:00:00. */
	if ((m[0] & 1) || !memcmp(m, (u8[6]){ 0 }, 6))
		return -1;
	memcpy(mac, m, 6);
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || len >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return false;
	return true;
}

static const char *const net_keys[] = { "mode", "tapif", "guest_mac" };
enum { KEY_MODE, KEY_TAPIF, KEY_MAC };

/* Index of key in net_keys[], or -1 after an error (unknown, or given
 * twice: a later value must not silently win). */
static int opt_key(const char *arg, const char *key, unsigned int *seen,
		   char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(net_keys); i++) {
		if (strcmp(key, net_keys[i]))
			continue;
		if (*seen & (1U << i))
			return set_err(err, errlen, "invalid --network '%s': "
				       "option '%s' given twice", arg, key);
		*seen |= 1U << i;
		return i;
	}
	return set_err(err, errlen, "invalid --network '%s': unknown option "
		       "'%s' (%s)", arg, key, OPTS_HELP);
}

static int parse_opt(const char *arg, char *key, struct net_opts *o,
		     unsigned int *seen, char *err, size_t errlen)
{
	char *val = strchr(key, '=');

	if (!val)
		return set_err(err, errlen, "invalid --network '%s': '%s' is "
			       "not key=value (%s)", arg, key, OPTS_HELP);
	*val++ = '\0';
	switch (opt_key(arg, key, seen, err, errlen)) {
	case KEY_MODE:
		if (!strcmp(val, "tap"))
			o->mode = NET_MODE_TAP;
		else if (!strcmp(val, "none"))
			o->mode = NET_MODE_NONE;
		else
			return set_err(err, errlen, "invalid --network '%s': "
				       "unknown mode '%s' (valid modes: tap, "
				       "none)", arg, val);
		return 0;
	case KEY_TAPIF:
		if (!ifname_ok(val))
			return set_err(err, errlen, "invalid --network '%s': bad "
				       "tapif '%s' (an interface name of 1-%d "
				       "characters without '/', ':' or spaces)",
				       arg, val, IFNAMSIZ - 1);
		strcpy(o->tapif, val);
		return 0;
	case KEY_MAC:
		if (net_parse_mac(val, o->mac))
			return set_err(err, errlen, "invalid --network '%s': bad "
				       "guest_mac '%s' (want a unicast MAC such "
				       "as 02:12:34:56:78:9a)", arg, val);
		o->has_mac = true;
		return 0;
	}
	return -1;
}

int net_parse(const char *arg, struct net_opts *o, char *err, size_t errlen)
{
	char *s, *tok, *save;
	unsigned int seen = 0;
	int r = 0;

	memset(o, 0, sizeof(*o));
	if (!strcmp(arg, "none"))	/* kvmtool's shorthand */
		return 0;
	s = strdup(arg);
	if (!s)
		return set_err(err, errlen, "out of memory");
	for (tok = strtok_r(s, ",", &save); tok && !r;
	     tok = strtok_r(NULL, ",", &save))
		r = parse_opt(arg, tok, o, &seen, err, errlen);
	free(s);
	if (r)
		return -1;
	if (!(seen & (1U << KEY_MODE)))
		return set_err(err, errlen, "invalid --network '%s': no mode= "
			       "given (%s)", arg, OPTS_HELP);
	if (o->mode == NET_MODE_NONE && (o->tapif[0] || o->has_mac))
		return set_err(err, errlen, "invalid --network '%s': mode=none "
			       "takes no other options", arg);
	return 0;
}

void net_default_mac(const char *name, int index, u8 mac[6])
{
	u64 h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	const char *p;
	int i;

	for (p = name ? name : ""; *p; p++)
		h = (h ^ (u8)*p) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	h = (h ^ (u8)index) * 0x100000001b3ULL;
	h ^= h >> 29;
	for (i = 0; i < 6; i++)
		mac[i] = h >> (8 * i);
	mac[0] = (mac[0] & ~0x03) | 0x02;	/* local, unicast */
}

/* ---- watcher: tap readiness -> queue kicks ---- */

static void net_arm(struct net_dev *n, bool *flag)
{
	if (!__atomic_exchange_n(flag, true, __ATOMIC_SEQ_CST) &&
	    n->wake_efd >= 0)
		eventfd_write(n->wake_efd, 1);
}

static void *net_watch(void *arg)
{
	struct net_dev *n = arg;
	struct pollfd p[3];
	eventfd_t val;
	short ev;

	sc_enter(SC_IO);
	for (;;) {
		ev = 0;
		if (__atomic_load_n(&n->rx_armed, __ATOMIC_SEQ_CST))
			ev |= POLLIN;
		if (__atomic_load_n(&n->tx_blocked, __ATOMIC_SEQ_CST))
			ev |= POLLOUT;
		p[0] = (struct pollfd){ .fd = ev ? n->fd : -1, .events = ev };
		p[1] = (struct pollfd){ .fd = n->wake_efd, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = n->stop_efd, .events = POLLIN };
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("%s: poll: %s", n->name, strerror(errno));
			return NULL;
		}
		if (p[2].revents)
			return NULL;
		if (p[1].revents)
			eventfd_read(n->wake_efd, &val);
		if ((ev & POLLIN) && (p[0].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    __atomic_exchange_n(&n->rx_armed, false, __ATOMIC_SEQ_CST))
			virtio_dev_kick(&n->v, NET_RX);
		if ((ev & POLLOUT) && (p[0].revents & (POLLOUT | POLLERR | POLLHUP)) &&
		    __atomic_exchange_n(&n->tx_blocked, false, __ATOMIC_SEQ_CST))
			virtio_dev_kick(&n->v, NET_TX);
	}
}

/* ---- receive ---- */

/* Whether the header the tap wrote is something the driver agreed to. */
static bool rx_hdr_ok(struct net_dev *n, const struct virtio_net_hdr_v1 *h)
{
	struct virtio_dev *v = &n->v;
	unsigned int bit;

	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !virtio_has_feature(v, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		bit = VIRTIO_NET_F_GUEST_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		bit = VIRTIO_NET_F_GUEST_TSO6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		bit = VIRTIO_NET_F_GUEST_UFO;
		break;
	default:
		return false;
	}
	return virtio_has_feature(v, bit);
}

/*
 * Copies the pending packet into one receive chain, or several with
 * MRG_RXBUF, and publishes them at once with num_buffers set. Returns 1
 * when the packet is gone (delivered or dropped), 0 when the driver has too
 * few buffers (packet kept, chains given back), -1 when the queue broke.
 */
static int rx_deliver(struct net_dev *n)
{
	struct virtio_dev *v = &n->v;
	struct virtqueue *vq = &v->vq[NET_RX];
	struct vq_seg segs0[NET_MAX_SEGS], segs[NET_MAX_SEGS];
	struct vq_used used[NET_QUEUE_SIZE];
	struct vq_chain first, c, *ch;
	bool mrg = virtio_has_feature(v, VIRTIO_NET_F_MRG_RXBUF);
	unsigned int nb = 0;
	u32 off = 0, take;
	__le16 num;
	int r = 0;

	vq_chain_init(&first, segs0, NET_MAX_SEGS);
	vq_chain_init(&c, segs, NET_MAX_SEGS);
	while (off < n->rx_len) {
		ch = nb ? &c : &first;
		if (nb == ARRAY_SIZE(used) || nb == vq->size) {
			/* Even the whole ring cannot hold it. */
			pr_debug("%s: %u-byte packet dropped: needs more than "
				 "%u receive buffers", n->name, n->rx_len, nb);
			while (nb--)
				vq_unpop(vq);
			n->rx_dropped++;
			return 1;
		}
		r = vq_pop(vq, v->mem, ch);
		if (r == 0) {
			while (nb--)
				vq_unpop(vq);
			return 0;
		}
		if (r < 0)
			return -1;
		if (ch->write_len < (nb ? 1 : NET_HDR_LEN)) {
			virtio_dev_fail(v, "%s: receive buffer of %llu writable "
					"bytes", n->name,
					(unsigned long long)ch->write_len);
			return -1;
		}
		if (!mrg && ch->write_len < n->rx_len) {
			pr_debug("%s: %u-byte packet dropped: receive buffer "
				 "holds %llu", n->name, n->rx_len,
				 (unsigned long long)ch->write_len);
			vq_unpop(vq);
			n->rx_dropped++;
			return 1;
		}
		take = MIN(ch->write_len, (u64)(n->rx_len - off));
		vq_chain_write(ch, 0, n->rx_buf + off, take);
		used[nb].head = ch->head;
		used[nb].len = take;
		nb++;
		off += take;
	}
	num = htole16(nb);
	vq_chain_write(&first, offsetof(struct virtio_net_hdr_v1, num_buffers),
		       &num, sizeof(num));
	if (vq_push_many(vq, v->mem, used, nb))
		return -1;
	n->rx_packets++;
	return 1;
}

/* Reads one packet from the tap into rx_buf. Returns 1 (read or dropped,
 * go on), 0 (nothing to read: watch the fd) or -1 (end of file). */
static int rx_read(struct net_dev *n)
{
	ssize_t len;

	do
		len = read(n->fd, n->rx_buf, NET_RX_BUF);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			pr_debug("%s: read: %s", n->name, strerror(errno));
		return 0;
	}
	if (!len)
		return -1;
	if ((size_t)len < NET_HDR_LEN ||
	    !rx_hdr_ok(n, (struct virtio_net_hdr_v1 *)n->rx_buf)) {
		pr_debug("%s: dropped a %zd-byte packet from the tap (short or "
			 "unacked offload)", n->name, len);
		n->rx_dropped++;
		return 1;
	}
	n->rx_len = len;
	return 1;
}

static void net_rx(struct net_dev *n)
{
	struct virtio_dev *v = &n->v;
	struct virtqueue *vq = &v->vq[NET_RX];
	u16 old = vq->used_idx;
	int done = 0, r;

	/* Kicks are only wanted once the driver's buffers run out. */
	vq_set_notify(vq, v->mem, false);
	for (;;) {
		if (!n->rx_len) {
			if (done >= NET_BUDGET) {
				/* Let the transmit queue run; come back. */
				virtio_dev_kick(v, NET_RX);
				break;
			}
			r = vq_pending(vq, v->mem);
			if (r == 0) {
				vq_set_notify(vq, v->mem, true);
				r = vq_pending(vq, v->mem);
			}
			if (r <= 0)
				break;	/* wait for buffers: the tap keeps them */
			r = rx_read(n);
			if (r == 0)
				net_arm(n, &n->rx_armed);
			if (r <= 0)
				break;
			if (!n->rx_len)
				continue;
		}
		r = rx_deliver(n);
		if (r < 0)
			break;
		if (r == 0) {
			/* Too few buffers for this packet: wait for more. */
			vq_set_notify(vq, v->mem, true);
			if (vq_pending(vq, v->mem) > 0 && !vq_is_broken(vq) &&
			    rx_deliver(n) > 0) {
				n->rx_len = 0;
				done++;
				continue;
			}
			break;
		}
		n->rx_len = 0;
		done++;
	}
	if (vq_is_broken(vq))
		virtio_dev_fail(v, "%s receive queue: %s", n->name, vq_error(vq));
	virtio_queue_done(v, NET_RX, old);
}

/* ---- transmit ---- */

/* Returns 0 (sent or dropped) or -EAGAIN (the tap is full). */
static int tx_one(struct net_dev *n, const struct vq_chain *c)
{
	struct iovec iov[NET_MAX_SEGS];
	u64 got;
	ssize_t r;
	int nr;

	if (c->read_len < NET_HDR_LEN || c->read_len > NET_RX_BUF) {
		pr_debug("%s: dropped a transmit chain of %llu bytes", n->name,
			 (unsigned long long)c->read_len);
		n->tx_dropped++;
		return 0;
	}
	nr = vq_chain_iov(c, false, 0, c->read_len, iov, NET_MAX_SEGS, &got);
	if (nr <= 0) {
		n->tx_dropped++;
		return 0;
	}
	do
		r = writev(n->fd, iov, nr);
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	if (r < 0) {
		pr_debug("%s: write to the tap: %s", n->name, strerror(errno));
		n->tx_dropped++;
	} else {
		n->tx_packets++;
	}
	return 0;
}

static void net_tx(struct net_dev *n)
{
	struct virtio_dev *v = &n->v;
	struct virtqueue *vq = &v->vq[NET_TX];
	struct vq_seg segs[NET_MAX_SEGS];
	struct vq_chain c;
	u16 old = vq->used_idx;
	int done = 0, r;

	vq_chain_init(&c, segs, NET_MAX_SEGS);
	vq_set_notify(vq, v->mem, false);
	for (;;) {
		r = vq_pop(vq, v->mem, &c);
		if (r < 0)
			break;
		if (r == 0) {
			vq_set_notify(vq, v->mem, true);
			if (vq_pending(vq, v->mem) <= 0)
				break;
			vq_set_notify(vq, v->mem, false);
			continue;
		}
		if (done >= NET_BUDGET) {
			vq_unpop(vq);
			virtio_dev_kick(v, NET_TX);
			break;
		}
		if (tx_one(n, &c) == -EAGAIN) {
			vq_unpop(vq);
			net_arm(n, &n->tx_blocked);
			break;
		}
		if (vq_push(vq, v->mem, c.head, 0))
			break;
		done++;
	}
	if (vq_is_broken(vq))
		virtio_dev_fail(v, "%s transmit queue: %s", n->name,
				vq_error(vq));
	virtio_queue_done(v, NET_TX, old);
}

void net_process(struct net_dev *n, unsigned int q)
{
	if (q == NET_RX)
		net_rx(n);
	else if (q == NET_TX)
		net_tx(n);
}

/* ---- device ---- */

/* Offload rows: the tap flags that must be accepted for the features. */
static const struct {
	unsigned int tun;
	u64 features;
} offloads[] = {
	{ TUN_F_CSUM, F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) },
	{ TUN_F_CSUM | TUN_F_TSO4,
	  F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO4) },
	{ TUN_F_CSUM | TUN_F_TSO6,
	  F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_GUEST_TSO6) },
	{ TUN_F_CSUM | TUN_F_UFO,
	  F(VIRTIO_NET_F_HOST_UFO) | F(VIRTIO_NET_F_GUEST_UFO) },
};

static u64 probe_offloads(struct net_dev *n)
{
	u64 f = 0;
	unsigned int i;

	if (!n->set_offload)
		return 0;
	for (i = 0; i < ARRAY_SIZE(offloads); i++) {
		if (i && !f)
			break;	/* everything else needs checksum offload */
		if (!n->set_offload(n, offloads[i].tun))
			f |= offloads[i].features;
	}
	n->set_offload(n, 0);
	return f;
}

static bool net_features_ok(struct virtio_dev *v, u64 f)
{
	struct net_dev *n = v->priv;
	unsigned int tun = 0;

	if (f & F(VIRTIO_NET_F_GUEST_CSUM))
		tun |= TUN_F_CSUM;
	if (f & F(VIRTIO_NET_F_GUEST_TSO4))
		tun |= TUN_F_TSO4;
	if (f & F(VIRTIO_NET_F_GUEST_TSO6))
		tun |= TUN_F_TSO6;
	if (f & F(VIRTIO_NET_F_GUEST_UFO))
		tun |= TUN_F_UFO;
	if (tun && !(tun & TUN_F_CSUM)) {
		pr_debug("%s: guest segmentation offload without GUEST_CSUM "
			 "refused", n->name);
		return false;
	}
	if (tun == n->offloads)
		return true;
	if (!n->set_offload || n->set_offload(n, tun)) {
		pr_debug("%s: tap refused offloads 0x%x", n->name, tun);
		return false;
	}
	n->offloads = tun;
	return true;
}

static void net_reset(struct virtio_dev *v)
{
	struct net_dev *n = v->priv;

	n->rx_len = 0;	/* may hold offloads the next driver refuses */
}

static void net_notify(struct virtio_dev *v, unsigned int q)
{
	net_process(v->priv, q);
}

static void net_stop_watcher(struct net_dev *n)
{
	if (n->watcher_started) {
		eventfd_write(n->stop_efd, 1);
		pthread_join(n->watcher, NULL);
		n->watcher_started = false;
	}
}

static void net_free(struct virtio_dev *v)
{
	struct net_dev *n = v->priv;

	net_stop_watcher(n);
	if (n->fd >= 0)
		close(n->fd);
	if (n->wake_efd >= 0)
		close(n->wake_efd);
	if (n->stop_efd >= 0)
		close(n->stop_efd);
	free(n->rx_buf);
	free(n);
}

/* The tap is reopened, not saved: it gets the offloads the driver had.
 * The MAC is the one the guest was given; the counters go on. */
static int net_snap_load(struct virtio_dev *v, const void *saved, char *err,
			 size_t errlen)
{
	struct net_dev *n = v->priv;
	const struct net_dev *s = saved;

	if (s->offloads != n->offloads &&
	    (!n->set_offload || n->set_offload(n, s->offloads)))
		return set_err(err, errlen, "tap %s refuses the offloads "
			       "(TUN_F_* 0x%x) the guest's driver uses: give "
			       "a tap like the saved VM's", n->ifname[0] ?
			       n->ifname : "(none)", s->offloads);
	n->offloads = s->offloads;
	memcpy(n->mac, s->mac, sizeof(n->mac));
	n->rx_packets = s->rx_packets;
	n->rx_dropped = s->rx_dropped;
	n->tx_packets = s->tx_packets;
	n->tx_dropped = s->tx_dropped;
	return 0;
}

static const struct virtio_dev_ops net_ops = {
	.notify = net_notify,
	.features_ok = net_features_ok,
	.reset = net_reset,
	.free = net_free,
	.state = &net_state_desc,
	.snap_load = net_snap_load,
};

int net_setup(struct net_dev *n, struct vm *vm, int index, int fd,
	      const u8 mac[6])
{
	struct virtio_dev *v = &n->v;

	v->priv = n;	/* first: net_free() needs it on any failure */
	n->fd = fd;
	n->wake_efd = -1;
	n->stop_efd = -1;
	n->rx_armed = true;
	memcpy(n->mac, mac, 6);
	snprintf(n->name, sizeof(n->name), "virtio-net%d", index);
	n->rx_buf = malloc(NET_RX_BUF);
	if (!n->rx_buf)
		return -1;
	if (virtio_dev_init(v, vm, n->name, VIRTIO_ID_NET, NET_CLASS, 2,
			    NET_QUEUE_SIZE, &net_ops))
		return -1;
	v->host_features |= F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |
			    F(VIRTIO_NET_F_MRG_RXBUF) | probe_offloads(n);
	memcpy(v->config + offsetof(struct virtio_net_config, mac), mac, 6);
	virtio_cfg_put16(v, offsetof(struct virtio_net_config, status),
			 VIRTIO_NET_S_LINK_UP);
	v->config_len = offsetof(struct virtio_net_config, max_virtqueue_pairs);
	return 0;
}

static int net_start_watcher(struct net_dev *n)
{
	n->wake_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	n->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->wake_efd < 0 || n->stop_efd < 0) {
		pr_err("%s: eventfd: %s", n->name, strerror(errno));
		return -1;
	}
	if (pthread_create(&n->watcher, NULL, net_watch, n)) {
		pr_err("%s: cannot start its tap watcher thread", n->name);
		return -1;
	}
	n->watcher_started = true;
	return 0;
}

static int tap_offload_cb(struct net_dev *n, unsigned int tun_flags)
{
	return tap_set_offload(n->fd, tun_flags);
}

static void net_exit(struct vm *vm)
{
	struct virtio_dev *v;

	while ((v = virtio_dev_next(vm, VIRTIO_ID_NET, NULL))) {
		net_stop_watcher(v->priv);
		virtio_dev_destroy(v);
	}
}

static int net_add(struct vm *vm, const struct net_opts *o, int index)
{
	struct net_dev *n;
	char ifname[IFNAMSIZ];
	u8 mac[6];
	int fd;

	memcpy(ifname, o->tapif, IFNAMSIZ);
	fd = tap_open(ifname);
	if (fd < 0)
		return -1;
	if (o->has_mac)
		memcpy(mac, o->mac, 6);
	else
		net_default_mac(vm->name, index, mac);
	n = calloc(1, sizeof(*n));
	if (!n) {
		close(fd);
		return -1;
	}
	memcpy(n->ifname, ifname, IFNAMSIZ);
	n->set_offload = tap_offload_cb;
	if (net_setup(n, vm, index, fd, mac)) {
		net_free(&n->v);
		return -1;
	}
	/* On failure, virtio_dev_start() frees n and the tap */
	if (virtio_dev_start(&n->v))
		return -1;
	if (net_start_watcher(n)) {
		virtio_dev_destroy(&n->v);
		return -1;
	}
	pr_info("%s: tap %s, guest MAC %02x:%02x:%02x:%02x:%02x:%02x",
		n->name, n->ifname, mac[0], mac[1], mac[2], mac[3], mac[4],
		mac[5]);
	return 0;
}

/* Two NICs on one tap would fight over it (and the second attach fails as
 * if another process held it): say so instead. */
static int tap_given_before(const struct net_opts *o, int i, char *err,
			    size_t errlen)
{
	int j;

	for (j = 0; o[i].tapif[0] && j < i; j++)
		if (!strcmp(o[i].tapif, o[j].tapif))
			return set_err(err, errlen, "--network: tap '%s' is "
				       "given twice: each NIC needs its own "
				       "tap", o[i].tapif);
	return 0;
}

static int net_init(struct vm *vm)
{
	const struct dev_args *a = &vm->cfg->nets;
	struct net_opts o[MAX_DEV_ARGS];
	char err[256];
	int i;

	/* Every option is checked before any tap is made. */
	for (i = 0; i < a->nr; i++) {
		if (net_parse(a->v[i], &o[i], err, sizeof(err)) ||
		    tap_given_before(o, i, err, sizeof(err))) {
			pr_err("%s", err);
			return -1;
		}
	}
	for (i = 0; i < a->nr; i++) {
		if (o[i].mode == NET_MODE_NONE)
			continue;
		if (net_add(vm, &o[i], i)) {
			net_exit(vm);
			return -1;
		}
	}
	return 0;
}

LKVM_INIT(INIT_DEVICE, net_init, net_exit)
