/* virtio-vsock (--vsock CID) over the host's vhost-vsock: the pure parts
 * (CID parsing, config layout, vhost memory table) and the vhost ioctl
 * sequence behind a seam, so tests run it without /dev/vhost-vsock. */
#ifndef LKVM_VIRTIO_VSOCK_H
#define LKVM_VIRTIO_VSOCK_H

#include "lkvm/util.h"

struct guest_mem;
struct vhost_memory;

#define VSOCK_DEV_PATH		"/dev/vhost-vsock"
#define VSOCK_CID_MIN		3ULL		/* 0-2: hypervisor, local, host */
#define VSOCK_CID_MAX		0xffffffffULL
#define VSOCK_CFG_LEN		8		/* struct virtio_vsock_config */
#define VSOCK_NR_QUEUES		3		/* rx, tx (vhost's), event (ours) */
#define VSOCK_VHOST_QUEUES	2

/* The host side: the real one opens /dev/vhost-vsock and does ioctl(2). */
struct vhost_seam {
	int (*open)(void);	/* fd, or -errno */
	int (*ioctl)(int fd, unsigned long req, void *arg);	/* 0/-errno */
	void (*close)(int fd);
};
extern const struct vhost_seam vhost_seam_kernel;

/* One vhost queue as the driver set it up (host addresses). */
struct vsock_vring {
	u16 num;
	u64 desc, avail, used;	/* host virtual addresses */
	int kick_fd, call_fd;
};

/* --vsock's value: decimal or 0x hex, 3..0xffffffff. 0 or -1 (err set). */
int vsock_parse_cid(const char *s, u64 *cid, char *err, size_t errlen);
/* Guest config space: guest_cid, le64. */
void vsock_config_layout(u8 cfg[VSOCK_CFG_LEN], u64 cid);
/* A malloc'ed VHOST_SET_MEM_TABLE argument covering every guest RAM
 * region, or NULL (out of memory). */
struct vhost_memory *vsock_mem_table(const struct guest_mem *m);

/* Opens vhost-vsock, takes ownership, gives it the memory table and the
 * CID; *features: what vhost offers. Returns the fd or -1 (err names the
 * device or the CID and the fix). */
int vsock_vhost_open(const struct vhost_seam *s, const struct guest_mem *m,
		     u64 cid, u64 *features, char *err, size_t errlen);
/* The driver set DRIVER_OK: features, both rings, then running. 0/-1. */
int vsock_vhost_start(const struct vhost_seam *s, int fd, u64 features,
		      const struct vsock_vring r[VSOCK_VHOST_QUEUES],
		      char *err, size_t errlen);
/* Device reset: stops vhost (rings are given again at the next start). */
void vsock_vhost_stop(const struct vhost_seam *s, int fd);

#endif
