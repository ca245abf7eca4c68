/* Config space at any size/alignment (conf1, ECAM) and a minimal polled
 * virtio 1.x PCI driver for the guest-abuse tests (see virtio.h). */
#include "virtio.h"

#define CONF1_ADDR	0xcf8
#define CONF1_DATA	0xcfc
#define MCFG_BASE	44	/* first allocation: base(8) seg(2) bus(1,1) */
#define CAP_VNDR	0x09
#define CAP_MSIX	0x11
#define CMD_MEM		0x2
#define CMD_MASTER	0x4

#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

u64 ecam_base(void)
{
	static u64 base;
	static int done;
	const struct acpi_header *m;

	if (done)
		return base;
	done = 1;
	m = acpi_find_table("MCFG");
	if (m && m->length >= MCFG_BASE + 16)
		memcpy(&base, (const u8 *)m + MCFG_BASE, 8);
	return base;
}

static void conf1_sel(int bdf, int reg)
{
	outl(CONF1_ADDR, 0x80000000u | (u32)bdf << 8 | (reg & 0xfc));
}

u32 conf1_read(int bdf, int reg, int len)
{
	u16 port = CONF1_DATA + (reg & 3);

	conf1_sel(bdf, reg);
	if (len == 1)
		return inb(port);
	if (len == 2)
		return inw(port);
	return inl(port);
}

void conf1_write(int bdf, int reg, int len, u32 v)
{
	u16 port = CONF1_DATA + (reg & 3);

	conf1_sel(bdf, reg);
	if (len == 1)
		outb(port, v);
	else if (len == 2)
		outw(port, v);
	else
		outl(port, v);
}

static u64 ecam_addr(int bdf, int reg)
{
	return ecam_base() + ((u64)bdf << 12) + (reg & 0xfff);
}

u32 ecam_read(int bdf, int reg, int len)
{
	u64 a = ecam_addr(bdf, reg);

	if (len == 1)
		return mmio_read8(a);
	if (len == 2)
		return mmio_read16(a);
	return mmio_read32(a);
}

void ecam_write(int bdf, int reg, int len, u32 v)
{
	u64 a = ecam_addr(bdf, reg);

	if (len == 1)
		mmio_write8(a, v);
	else if (len == 2)
		mmio_write16(a, v);
	else
		mmio_write32(a, v);
}

/* ---- virtio-pci ---- */

int vdev_find(u16 virtio_id, const char *name, struct vdev *d)
{
	u32 want = 0x1af4 | (u32)(0x1040 + virtio_id) << 16;
	int slot, p, n = 0;
	u16 cmd;

	memset(d, 0, sizeof(*d));
	d->name = name;
	for (slot = 0; slot < 32; slot++)
		if (conf1_read(BDF(slot, 0), 0, 4) == want)
			break;
	if (slot == 32)
		return -1;
	d->slot = slot;
	d->bar = conf1_read(BDF(slot, 0), 0x10, 4) & ~0xfu;
	p = conf1_read(BDF(slot, 0), 0x34, 1) & 0xfc;
	while (p && n++ < 48) {
		u8 id = conf1_read(BDF(slot, 0), p, 1);
		u8 type = conf1_read(BDF(slot, 0), p + 3, 1);
		u32 off = conf1_read(BDF(slot, 0), p + 8, 4);

		if (id == CAP_MSIX)
			d->msix = p;
		if (id == CAP_VNDR) {
			switch (type) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				d->common = d->bar + off;
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				d->notify = d->bar + off;
				d->notify_mult = conf1_read(BDF(slot, 0), p + 16, 4);
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				d->isr = d->bar + off;
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				d->devcfg = d->bar + off;
				break;
			case VIRTIO_PCI_CAP_PCI_CFG:
				d->pci_cfg = p;
				break;
			}
		}
		p = conf1_read(BDF(slot, 0), p + 1, 1) & 0xfc;
	}
	cmd = conf1_read(BDF(slot, 0), 4, 2);
	conf1_write(BDF(slot, 0), 4, 2, cmd | CMD_MEM | CMD_MASTER);
	if (!d->common || !d->notify || !d->isr)
		return -1;
	d->nqueues = vc_read16(d, VC_NUMQ);
	return 0;
}

u8 vc_read8(const struct vdev *d, u32 off) { return mmio_read8(d->common + off); }
u16 vc_read16(const struct vdev *d, u32 off) { return mmio_read16(d->common + off); }
u32 vc_read32(const struct vdev *d, u32 off) { return mmio_read32(d->common + off); }
void vc_write8(const struct vdev *d, u32 off, u8 v) { mmio_write8(d->common + off, v); }
void vc_write16(const struct vdev *d, u32 off, u16 v) { mmio_write16(d->common + off, v); }
void vc_write32(const struct vdev *d, u32 off, u32 v) { mmio_write32(d->common + off, v); }

void vc_write64(const struct vdev *d, u32 off, u64 v)
{
	vc_write32(d, off, (u32)v);
	vc_write32(d, off + 4, (u32)(v >> 32));
}

u8 vdev_status(const struct vdev *d)
{
	return vc_read8(d, VC_STATUS);
}

int vdev_reset(const struct vdev *d)
{
	int i;

	vc_write8(d, VC_STATUS, 0);
	for (i = 0; i < 1000; i++) {
		if (!vdev_status(d))
			return 0;
		udelay(100);
	}
	return -1;
}

int vdev_features(const struct vdev *d, u64 features)
{
	if (vdev_reset(d))
		return -1;
	vc_write8(d, VC_STATUS, VSTAT_ACK);
	vc_write8(d, VC_STATUS, VSTAT_ACK | VSTAT_DRIVER);
	vc_write32(d, VC_GFSELECT, 0);
	vc_write32(d, VC_GF, (u32)features);
	vc_write32(d, VC_GFSELECT, 1);
	vc_write32(d, VC_GF, (u32)(features >> 32));
	vc_write8(d, VC_STATUS, VSTAT_ACK | VSTAT_DRIVER | VSTAT_FEATURES_OK);
	return (vdev_status(d) & VSTAT_FEATURES_OK) ? 0 : -1;
}

void vdev_driver_ok(const struct vdev *d)
{
	vc_write8(d, VC_STATUS, vdev_status(d) | VSTAT_DRIVER_OK);
}

u16 vq_max_size(const struct vdev *d, u16 q)
{
	vc_write16(d, VC_Q_SELECT, q);
	return vc_read16(d, VC_Q_SIZE);
}

int vq_setup(const struct vdev *d, u16 q, u16 size, u64 desc, u64 avail,
	     u64 used)
{
	vc_write16(d, VC_Q_SELECT, q);
	vc_write16(d, VC_Q_SIZE, size);
	vc_write64(d, VC_Q_DESC, desc);
	vc_write64(d, VC_Q_AVAIL, avail);
	vc_write64(d, VC_Q_USED, used);
	vc_write16(d, VC_Q_ENABLE, 1);
	return vc_read16(d, VC_Q_ENABLE);
}

void vq_notify(const struct vdev *d, u16 q)
{
	mmio_write16(d->notify + (u64)q * d->notify_mult, q);
}

u8 vdev_isr(const struct vdev *d)
{
	return mmio_read8(d->isr);
}

void vwin_write(const struct vdev *d, u32 bar_off, int len, u32 v)
{
	int bdf = BDF(d->slot, 0);

	conf1_write(bdf, d->pci_cfg + VWIN_BAR, 1, 0);
	conf1_write(bdf, d->pci_cfg + VWIN_OFFSET, 4, bar_off);
	conf1_write(bdf, d->pci_cfg + VWIN_LENGTH, 4, len);
	conf1_write(bdf, d->pci_cfg + VWIN_DATA, len, v);
}

u32 vwin_read(const struct vdev *d, u32 bar_off, int len)
{
	int bdf = BDF(d->slot, 0);

	conf1_write(bdf, d->pci_cfg + VWIN_BAR, 1, 0);
	conf1_write(bdf, d->pci_cfg + VWIN_OFFSET, 4, bar_off);
	conf1_write(bdf, d->pci_cfg + VWIN_LENGTH, 4, len);
	return conf1_read(bdf, d->pci_cfg + VWIN_DATA, len);
}

/* ---- split rings ---- */

u64 vring_init(struct vring *r, u64 base, u16 size)
{
	u64 avail_bytes = 6 + 2ULL * size, used_bytes = 6 + 8ULL * size;

	r->size = size;
	r->desc = base;
	r->avail = base + 16ULL * size;
	r->used = (r->avail + avail_bytes + 0xfff) & ~0xfffULL;
	r->avail_idx = 0;
	memset((void *)base, 0, r->used + used_bytes - base);
	return r->used + used_bytes - base;
}

void vring_desc(struct vring *r, u16 i, u64 addr, u32 len, u16 flags,
		u16 next)
{
	u8 *p = (u8 *)(r->desc + 16ULL * i);

	*(volatile u64 *)p = addr;
	*(volatile u32 *)(p + 8) = len;
	*(volatile u16 *)(p + 12) = flags;
	*(volatile u16 *)(p + 14) = next;
}

void vring_post(struct vring *r, u16 head)
{
	volatile u16 *ring = (volatile u16 *)(r->avail + 4);

	ring[r->avail_idx & (r->size - 1)] = head;
	barrier();		/* x86: stores stay in order */
	r->avail_idx++;
	*(volatile u16 *)(r->avail + 2) = r->avail_idx;
	barrier();
}

u16 vring_used_idx(const struct vring *r)
{
	return *(volatile u16 *)(r->used + 2);
}

int vring_wait(const struct vring *r, const struct vdev *d, u16 want,
	       u64 ms)
{
	u64 end = time_us() + ms * 1000;

	do {
		if (vring_used_idx(r) == want)
			return 1;
		if (vdev_status(d) & VSTAT_NEEDS_RESET)
			return 2;
		udelay(20);
	} while (time_us() < end);
	return 0;
}

u64 prng_next(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}
