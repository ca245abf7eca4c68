/* Split virtqueue engine (virtio 1.x, little-endian rings): pops descriptor
 * chains from guest RAM into bounded segment arrays, pushes used entries and
 * decides on notifications. All guest-written data is treated as hostile. */
#ifndef LKVM_VIRTIO_VIRTQUEUE_H
#define LKVM_VIRTIO_VIRTQUEUE_H

#include "lkvm/util.h"
#include "kvm/guest_mem.h"

#define VQ_MAX_SIZE		32768U
/* Largest indirect table accepted, in descriptors (16 bytes each). */
#define VQ_MAX_INDIRECT		VQ_MAX_SIZE
#define VQ_ERR_LEN		96

/* Ring layout, in bytes, for a queue of @n entries (virtio 1.x 2.7). */
#define VQ_DESC_BYTES(n)	(16ULL * (n))
#define VQ_AVAIL_BYTES(n)	(6ULL + 2ULL * (n))
#define VQ_USED_BYTES(n)	(6ULL + 8ULL * (n))

struct virtqueue {
	u16 size;		/* power of two, 1..32768; 0 = not set up */
	bool ready;		/* vq_init succeeded */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool broken;		/* guest broke the ring: device needs reset */
	u64 desc_gpa;
	u64 avail_gpa;
	u64 used_gpa;
	u16 last_avail_idx;	/* next avail ring slot to pop */
	u16 used_idx;		/* shadow of used->idx (device owns it) */
	char err[VQ_ERR_LEN];	/* why the queue is broken */
};

/* One guest buffer piece. @addr is never NULL: zero-length descriptors
 * are accepted but dropped, so they never appear as segments. */
struct vq_seg {
	void *addr;
	u32 len;
	bool write;		/* device-writable */
};

/* A popped chain. The caller provides @segs and @max (see vq_chain_init);
 * vq_pop fills the rest. Readable segments come first: segs[0..nr_read),
 * then writable ones: segs[nr_read..nr). */
struct vq_chain {
	struct vq_seg *segs;
	unsigned int max;
	unsigned int nr;
	unsigned int nr_read;
	u16 head;		/* id to hand back to vq_push */
	u64 read_len;		/* total bytes in readable segments */
	u64 write_len;		/* total bytes in writable segments */
};

static inline void vq_chain_init(struct vq_chain *c, struct vq_seg *segs,
				 unsigned int max)
{
	*c = (struct vq_chain){ .segs = segs, .max = max };
}

/* Sets up a queue from the guest-programmed size and ring addresses and the
 * negotiated feature bits (VIRTIO_RING_F_EVENT_IDX, _INDIRECT_DESC are
 * looked at). Returns 0, or -EINVAL with the queue broken (bad size or
 * misaligned ring). Ring memory is checked on every access, not here. */
int vq_init(struct virtqueue *vq, unsigned int size, u64 desc, u64 avail,
	    u64 used, u64 features);

/* Back to the all-zero, not-ready state (device reset). */
void vq_reset(struct virtqueue *vq);

/* Takes the next available chain. Returns 1 with @out filled, 0 if none is
 * available (or the queue is not ready), -EIO if the queue is or becomes
 * broken (see vq->err; the device should set DEVICE_NEEDS_RESET). */
int vq_pop(struct virtqueue *vq, const struct guest_mem *mem,
	   struct vq_chain *out);

/* Gives the last popped chain back, e.g. when the device cannot use it yet. */
void vq_unpop(struct virtqueue *vq);

/* Number of chains the driver made available and not yet popped, or -EIO. */
int vq_pending(struct virtqueue *vq, const struct guest_mem *mem);

/* Returns chain @head to the driver with @written bytes written into its
 * writable part. Returns 0 or -EIO (queue broken, or @head >= size). */
int vq_push(struct virtqueue *vq, const struct guest_mem *mem, u16 head,
	    u32 written);

struct vq_used {
	u16 head;
	u32 len;
};

/* Returns @n chains at once: all used elements are written before used->idx
 * moves, so the driver sees them together (e.g. one packet's merged receive
 * buffers). Returns 0, -EINVAL (a head >= size, or n > size) or -EIO. */
int vq_push_many(struct virtqueue *vq, const struct guest_mem *mem,
		 const struct vq_used *e, unsigned int n);

/* After one or more vq_push calls that moved used_idx from @old_used_idx,
 * says whether the driver wants an interrupt (EVENT_IDX: used_event,
 * else VIRTQ_AVAIL_F_NO_INTERRUPT). False if nothing was pushed. */
bool vq_should_notify(struct virtqueue *vq, const struct guest_mem *mem,
		      u16 old_used_idx);

/* EVENT_IDX: asks the driver to notify once avail idx passes @idx.
 * Returns 0 or -EIO. Followed by a full barrier. */
int vq_set_avail_event(struct virtqueue *vq, const struct guest_mem *mem,
		       u16 idx);

/* Turns driver->device notifications on or off (avail_event with EVENT_IDX,
 * else VIRTQ_USED_F_NO_NOTIFY). After enabling, re-check vq_pending to
 * close the race with a driver that added buffers meanwhile. */
int vq_set_notify(struct virtqueue *vq, const struct guest_mem *mem, bool on);

static inline bool vq_is_broken(const struct virtqueue *vq)
{
	return vq->broken;
}

static inline const char *vq_error(const struct virtqueue *vq)
{
	return vq->broken ? vq->err : NULL;
}

/* Copies from the chain's readable bytes starting at @off into @buf.
 * Returns the number of bytes copied (short at the end of the data). */
size_t vq_chain_read(const struct vq_chain *c, u64 off, void *buf, size_t len);

/* Copies @buf into the chain's writable bytes starting at @off.
 * Returns the number of bytes copied (short when the space runs out). */
size_t vq_chain_write(const struct vq_chain *c, u64 off, const void *buf,
		      size_t len);

struct iovec;
/* Describes bytes [skip, skip+len) of the chain's readable (@write false)
 * or writable part as at most @max iovecs. Returns the count, or -1 if it
 * needs more than @max; *got is set to the bytes covered (short at the
 * end of the part). */
int vq_chain_iov(const struct vq_chain *c, bool write, u64 skip, u64 len,
		 struct iovec *iov, unsigned int max, u64 *got);

#endif
