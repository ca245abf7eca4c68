/* virtio-net (-n/--network mode=tap|none): option parsing, the default MAC,
 * the tap back end (virtio/tap.c) and the device's queue handling
 * (virtio/net.c), exported for the unit tests. */
#ifndef LKVM_VIRTIO_NET_H
#define LKVM_VIRTIO_NET_H

#include <net/if.h>
#include <linux/virtio_net.h>
#include "virtio/pci.h"

#define NET_RX			0	/* receiveq1 */
#define NET_TX			1	/* transmitq1 */
#define NET_QUEUE_SIZE		256
#define NET_MAX_SEGS		64	/* per chain */
#define NET_HDR_LEN		sizeof(struct virtio_net_hdr_v1)	/* 12 */
/* Largest frame read from the tap: a 64 KiB GSO packet, its Ethernet and
 * VLAN headers and the virtio-net header. */
#define NET_RX_BUF		(NET_HDR_LEN + 65536 + 64)
/* Packets handled per queue run before yielding to the other queue. */
#define NET_BUDGET		128

enum net_mode {
	NET_MODE_NONE,
	NET_MODE_TAP,
};

struct net_opts {
	enum net_mode mode;
	char tapif[IFNAMSIZ];	/* empty: let the kernel name it (tap%d) */
	bool has_mac;
	u8 mac[6];
};

/* Parses one -n/--network value. Returns 0, or -1 with a message in err
 * that names what is wrong and what is valid. */
int net_parse(const char *arg, struct net_opts *o, char *err, size_t errlen);
/* "aa:bb:cc:dd:ee:ff" (or with '-'): a unicast MAC. Returns 0 or -1. */
int net_parse_mac(const char *s, u8 mac[6]);
/* Stable default MAC of NIC @index of VM @name: locally administered,
 * unicast, the rest a hash of both. */
void net_default_mac(const char *name, int index, u8 mac[6]);

/* ---- tap back end (virtio/tap.c) ---- */

/* Opens /dev/net/tun and creates or attaches tap @name (empty: any name;
 * the kernel's choice is copied back) with IFF_NO_PI | IFF_VNET_HDR and a
 * 12-byte vnet header, non-blocking, and brings it up. Returns the fd, or
 * -1 after printing why (CAP_NET_ADMIN, /dev/net/tun, tun module). */
int tap_open(char name[IFNAMSIZ]);
/* TUNSETOFFLOAD; returns 0 or -1 (errno). */
int tap_set_offload(int fd, unsigned int tun_flags);

/* ---- device ---- */

struct net_dev {
	struct virtio_dev v;
	int fd;			/* tap, or a test's socketpair end */
	char ifname[IFNAMSIZ];
	char name[24];
	u8 mac[6];
	/* The seam to the back end: TUNSETOFFLOAD on fd (tests fake it). */
	int (*set_offload)(struct net_dev *n, unsigned int tun_flags);
	unsigned int offloads;	/* TUN_F_* in force */

	/* Receive: a packet read from fd that waits for guest buffers. */
	u8 *rx_buf;
	u32 rx_len;		/* 0: none pending */
	u64 rx_packets, rx_dropped, tx_packets, tx_dropped;

	/* fd watcher thread: kicks NET_RX when fd turns readable (while
	 * rx_armed) and NET_TX when it turns writable (while tx_blocked). */
	bool rx_armed, tx_blocked;	/* atomics */
	int wake_efd;		/* re-reads the above; -1 without a watcher */
	int stop_efd;
	pthread_t watcher;
	bool watcher_started;
};

/* Fills n (zeroed) as NIC @index of vm with back end @fd (owned: closed by
 * the device), not yet started: probes the offloads through
 * n->set_offload (set it first, or NULL for none) and offers the matching
 * features. Returns 0 or -1. */
int net_setup(struct net_dev *n, struct vm *vm, int index, int fd,
	      const u8 mac[6]);
/* Runs queue q (device lock held; the I/O thread's notify). */
void net_process(struct net_dev *n, unsigned int q);

#endif
