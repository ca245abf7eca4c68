/* For the guest-abuse tests (abuse_*.c): config space of any bus-0
 * function through conf1 or ECAM at any size and alignment, and a minimal
 * polled virtio 1.x (modern) PCI driver with split virtqueues. */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "guest.h"

#define BDF(slot, fn)		((slot) << 3 | (fn))

/* ECAM base from the MCFG (bus 0), 0 if there is none. */
u64 ecam_base(void);
/*
 * One access of len bytes (1, 2 or 4) at config offset reg of bus 0
 * function bdf, issued as is (no alignment fix-up): conf1 uses port
 * 0xcfc + (reg & 3) after selecting the dword of reg (0..255); ECAM is one
 * MMIO access at base + bdf * 4096 + reg (0..4095).
 */
u32 conf1_read(int bdf, int reg, int len);
void conf1_write(int bdf, int reg, int len, u32 v);
u32 ecam_read(int bdf, int reg, int len);
void ecam_write(int bdf, int reg, int len, u32 v);

/* virtio device ids and the bits used here */
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

#define VSTAT_ACK		0x01
#define VSTAT_DRIVER		0x02
#define VSTAT_DRIVER_OK		0x04
#define VSTAT_FEATURES_OK	0x08
#define VSTAT_NEEDS_RESET	0x40
#define VSTAT_FAILED		0x80

#define VF_INDIRECT_DESC	(1ULL << 28)
#define VF_VERSION_1		(1ULL << 32)

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4

/* common configuration structure (virtio 1.x 4.1.4.3) */
#define VC_DFSELECT		0
#define VC_DF			4
#define VC_GFSELECT		8
#define VC_GF			12
#define VC_MSIX			16
#define VC_NUMQ			18
#define VC_STATUS		20
#define VC_GEN			21
#define VC_Q_SELECT		22
#define VC_Q_SIZE		24
#define VC_Q_MSIX		26
#define VC_Q_ENABLE		28
#define VC_Q_NOFF		30
#define VC_Q_DESC		32
#define VC_Q_AVAIL		40
#define VC_Q_USED		48

/* VIRTIO_PCI_CAP_PCI_CFG fields, from the capability's start */
#define VWIN_BAR		4
#define VWIN_OFFSET		8
#define VWIN_LENGTH		12
#define VWIN_DATA		16

struct vdev {
	const char *name;
	int slot;		/* function 0 of this slot on bus 0 */
	u64 bar;		/* BAR0, 32-bit memory */
	u64 common, isr, devcfg, notify;	/* addresses in BAR0 */
	u32 notify_mult;
	int pci_cfg;		/* config offset of the PCI_CFG capability */
	int msix;		/* config offset of the MSI-X capability */
	u16 nqueues;
};

/* Finds the device (1af4:1040+id), reads its capabilities and enables
 * memory decode and bus mastering. Returns 0, or -1 if absent. */
int vdev_find(u16 virtio_id, const char *name, struct vdev *d);
u8 vc_read8(const struct vdev *d, u32 off);
u16 vc_read16(const struct vdev *d, u32 off);
u32 vc_read32(const struct vdev *d, u32 off);
void vc_write8(const struct vdev *d, u32 off, u8 v);
void vc_write16(const struct vdev *d, u32 off, u16 v);
void vc_write32(const struct vdev *d, u32 off, u32 v);
void vc_write64(const struct vdev *d, u32 off, u64 v);	/* two halves */
u8 vdev_status(const struct vdev *d);
/* Writes status 0; returns 0 once it reads back 0 (bounded wait). */
int vdev_reset(const struct vdev *d);
/* Reset, ACKNOWLEDGE|DRIVER, features, FEATURES_OK: 0 if it stuck. */
int vdev_features(const struct vdev *d, u64 features);
void vdev_driver_ok(const struct vdev *d);
u16 vq_max_size(const struct vdev *d, u16 q);
/* Selects q, writes size and ring addresses, enables it; returns the
 * queue_enable read back (1: the device took it). */
int vq_setup(const struct vdev *d, u16 q, u16 size, u64 desc, u64 avail,
	     u64 used);
void vq_notify(const struct vdev *d, u16 q);
u8 vdev_isr(const struct vdev *d);	/* reads (and so clears) the ISR */
/* The BAR0 window of the PCI_CFG capability, through conf1. */
void vwin_write(const struct vdev *d, u32 bar_off, int len, u32 v);
u32 vwin_read(const struct vdev *d, u32 bar_off, int len);

/* A split virtqueue in guest RAM (identity mapped). */
struct vring {
	u16 size;
	u64 desc, avail, used;
	u16 avail_idx;		/* the driver's next avail->idx */
};

/* Lays out and zeroes a ring of size entries at base: descriptors, then
 * the avail ring, then the used ring on the next 4 KiB page. Returns the
 * bytes used. */
u64 vring_init(struct vring *r, u64 base, u16 size);
void vring_desc(struct vring *r, u16 i, u64 addr, u32 len, u16 flags,
		u16 next);
/* Puts head in the next avail slot and publishes avail->idx. */
void vring_post(struct vring *r, u16 head);
u16 vring_used_idx(const struct vring *r);
/* Waits up to ms for used->idx to reach want or the device to need a
 * reset; returns 1 (used), 2 (needs reset) or 0 (neither). */
int vring_wait(const struct vring *r, const struct vdev *d, u16 want,
	       u64 ms);

/* Deterministic PRNG (xorshift64*) for the fuzzing guests. */
u64 prng_next(u64 *state);

#endif
