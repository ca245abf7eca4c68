/* Shared by the virtio unit tests: a fake guest RAM (guest_mem over a
 * malloc'ed buffer), BAR 0 register accessors, a driver-side bring-up
 * sequence, split-ring builders and the device's snapshot hooks, with no
 * KVM or PCI bus behind them. */
#ifndef LKVM_TESTS_VIRTIO_HARNESS_H
#define LKVM_TESTS_VIRTIO_HARNESS_H

#include <endian.h>
#include <stdlib.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include "kvm/snapshot.h"
#include "virtio/pci.h"
#include "unit.h"

#define H_RAM_BASE	0x100000ULL
#define H_RAM_SIZE	0x100000ULL
#define H_DESC		(H_RAM_BASE + 0x0000)
#define H_AVAIL		(H_RAM_BASE + 0x4000)
#define H_USED		(H_RAM_BASE + 0x6000)
#define H_BUF		(H_RAM_BASE + 0x10000)
#define H_QSIZE		16

struct harness {
	u8 *ram;
	struct guest_mem mem;
	u16 avail_idx[VIRTIO_MAX_QUEUES];
	u16 next_desc;
};

static inline void h_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	h->ram = calloc(1, H_RAM_SIZE);
	guest_mem_add(&h->mem, H_RAM_BASE, H_RAM_SIZE, h->ram);
}

static inline void h_fini(struct harness *h)
{
	free(h->ram);
}

static inline void *h_ptr(struct harness *h, u64 gpa)
{
	return h->ram + (gpa - H_RAM_BASE);
}

static inline u32 h_rd(struct virtio_dev *v, u64 off, u32 len)
{
	u8 b[8] = { 0 };
	u32 val = 0, i;

	virtio_pci_bar_io(v, off, b, len, false);
	for (i = 0; i < len && i < 4; i++)
		val |= (u32)b[i] << (8 * i);
	return val;
}

static inline void h_wr(struct virtio_dev *v, u64 off, u32 len, u32 val)
{
	u8 b[8] = { 0 };
	u32 i;

	for (i = 0; i < len && i < 4; i++)
		b[i] = val >> (8 * i);
	virtio_pci_bar_io(v, off, b, len, true);
}

#define H_STATUS(v)	h_rd(v, VIRTIO_PCI_COMMON_STATUS, 1)

static inline void h_set_status(struct virtio_dev *v, u8 s)
{
	h_wr(v, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static inline void h_features(struct virtio_dev *v, u64 f)
{
	h_wr(v, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	h_wr(v, VIRTIO_PCI_COMMON_GF, 4, (u32)f);
	h_wr(v, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	h_wr(v, VIRTIO_PCI_COMMON_GF, 4, (u32)(f >> 32));
}

static inline void h_queue(struct virtio_dev *v, u16 q, u16 size, u64 desc,
			   u64 avail, u64 used)
{
	h_wr(v, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	h_wr(v, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	h_wr(v, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (u32)desc);
	h_wr(v, VIRTIO_PCI_COMMON_Q_DESCHI, 4, (u32)(desc >> 32));
	h_wr(v, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, (u32)avail);
	h_wr(v, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, (u32)(avail >> 32));
	h_wr(v, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (u32)used);
	h_wr(v, VIRTIO_PCI_COMMON_Q_USEDHI, 4, (u32)(used >> 32));
	h_wr(v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/* ACK, DRIVER, features (VERSION_1 + extra), FEATURES_OK, every queue at
 * its own 64 KiB slot, DRIVER_OK. */
static inline void h_bring_up(struct virtio_dev *v, u64 extra)
{
	unsigned int q;

	h_set_status(v, 0);
	h_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	h_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	h_features(v, (1ULL << VIRTIO_F_VERSION_1) | extra);
	h_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK);
	for (q = 0; q < v->nr_queues; q++)
		h_queue(v, q, H_QSIZE, H_DESC + q * 0x100, H_AVAIL + q * 0x100,
			H_USED + q * 0x100);
	h_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Ring building for queue q (layout of h_bring_up). */
static inline void h_desc(struct harness *h, unsigned int q, u16 i, u64 addr,
			  u32 len, u16 flags, u16 next)
{
	struct vring_desc *d = h_ptr(h, H_DESC + q * 0x100 + 16ULL * i);

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

static inline void h_avail(struct harness *h, unsigned int q, u16 head)
{
	u16 *a = h_ptr(h, H_AVAIL + q * 0x100);

	a[2 + (h->avail_idx[q] % H_QSIZE)] = htole16(head);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	a[1] = htole16(++h->avail_idx[q]);
}

static inline u16 h_used_idx(struct harness *h, unsigned int q)
{
	u16 *u = h_ptr(h, H_USED + q * 0x100);

	return le16toh(u[1]);
}

static inline u32 h_used_len(struct harness *h, unsigned int q, u16 i)
{
	u32 *u = h_ptr(h, H_USED + q * 0x100 + 4 + 8ULL * (i % H_QSIZE));

	return le32toh(u[1]);
}

/* ---- snapshots: the pci_dev_ops hooks as the bus calls them ---- */

static inline int h_snap_save(struct virtio_dev *v, struct sbuf *b)
{
	char err[256] = "";
	int ret = v->pci.ops->snap_save(&v->pci, b, err, sizeof(err));

	EXPECT_STR(err, "");
	return ret || b->oom ? -1 : 0;
}

/* Loads buf[len] into v; err gets the message. Returns the hook's value,
 * and checks that a successful load read every byte. */
static inline int h_snap_load(struct virtio_dev *v, const void *buf,
			      size_t len, char *err, size_t errlen)
{
	struct sreader r;
	int ret;

	err[0] = 0;
	sr_init(&r, buf, len);
	ret = v->pci.ops->snap_load(&v->pci, &r, err, errlen);
	if (!ret)
		EXPECT(sr_done(&r));
	return ret;
}

/* The payload of the nth (0: first) sb_state record called name in b:
 * name as a u32-length string, u16 version, u32 length, payload. */
static inline u8 *h_snap_rec(struct sbuf *b, const char *name, int nth)
{
	size_t n = strlen(name), i;

	for (i = 4; i + n + 6 <= b->len; i++) {
		if (le_get(b->p + i - 4, 4) != n || memcmp(b->p + i, name, n))
			continue;
		if (nth-- == 0)
			return b->p + i + n + 6;
	}
	return NULL;
}

#endif
