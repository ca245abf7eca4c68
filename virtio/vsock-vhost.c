/* virtio-vsock's host side: --vsock parsing, the config layout, the vhost
 * memory table and the vhost-vsock ioctl sequence (open, start, stop),
 * all through struct vhost_seam so the unit tests fake the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vhost.h>
#include "kvm/guest_mem.h"
#include "virtio/vsock.h"

int vsock_parse_cid(const char *s, u64 *cid, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		goto bad;
	if (v < VSOCK_CID_MIN || v > VSOCK_CID_MAX)
		return set_err(err, errlen, "--vsock CID %s is out of range: "
			       "give a guest CID from 3 to 4294967295 (0-2 are "
			       "the hypervisor, local and host)", s);
	*cid = v;
	return 0;
bad:
	return set_err(err, errlen, "invalid --vsock '%s': give the guest's "
		       "CID as a number from 3 to 4294967295", s ? s : "");
}

void vsock_config_layout(u8 cfg[VSOCK_CFG_LEN], u64 cid)
{
	le_put(cfg, 8, cid);
}

struct vhost_memory *vsock_mem_table(const struct guest_mem *m)
{
	struct vhost_memory *t;
	int i;

	t = calloc(1, sizeof(*t) + m->nr * sizeof(t->regions[0]));
	if (!t)
		return NULL;
	t->nregions = m->nr;
	for (i = 0; i < m->nr; i++) {
		t->regions[i].guest_phys_addr = m->r[i].gpa;
		t->regions[i].memory_size = m->r[i].size;
		t->regions[i].userspace_addr = (u64)(uintptr_t)m->r[i].hva;
	}
	return t;
}

static int open_err(int e, char *err, size_t errlen)
{
	if (e == ENOENT || e == ENODEV || e == ENXIO)
		return set_err(err, errlen, "--vsock: %s is missing: load the "
			       "host's vhost-vsock module with `modprobe "
			       "vhost_vsock`", VSOCK_DEV_PATH);
	return set_err(err, errlen, "--vsock: cannot open %s: %s (lkvm needs "
		       "read/write access to it)", VSOCK_DEV_PATH, strerror(e));
}

static int cid_err(int e, u64 cid, char *err, size_t errlen)
{
	if (e == EADDRINUSE)
		return set_err(err, errlen, "--vsock: CID %llu is taken by "
			       "another VM on this host: give another CID",
			       (unsigned long long)cid);
	return set_err(err, errlen, "--vsock: %s refused CID %llu: %s",
		       VSOCK_DEV_PATH, (unsigned long long)cid, strerror(e));
}

static int setup(const struct vhost_seam *s, int fd,
		 const struct guest_mem *m, u64 *features, char *err,
		 size_t errlen)
{
	struct vhost_memory *t;
	int r;

	r = s->ioctl(fd, VHOST_SET_OWNER, NULL);
	if (r)
		return set_err(err, errlen, "--vsock: VHOST_SET_OWNER on %s: "
			       "%s", VSOCK_DEV_PATH, strerror(-r));
	r = s->ioctl(fd, VHOST_GET_FEATURES, features);
	if (r)
		return set_err(err, errlen, "--vsock: VHOST_GET_FEATURES on "
			       "%s: %s", VSOCK_DEV_PATH, strerror(-r));
	t = vsock_mem_table(m);
	if (!t)
		return set_err(err, errlen, "--vsock: out of memory");
	r = s->ioctl(fd, VHOST_SET_MEM_TABLE, t);
	free(t);
	if (r)
		return set_err(err, errlen, "--vsock: VHOST_SET_MEM_TABLE (%d "
			       "guest RAM regions) on %s: %s", m->nr,
			       VSOCK_DEV_PATH, strerror(-r));
	return 0;
}

int vsock_vhost_open(const struct vhost_seam *s, const struct guest_mem *m,
		     u64 cid, u64 *features, char *err, size_t errlen)
{
	int fd = s->open(), r;

	if (fd < 0)
		return open_err(-fd, err, errlen);
	if (setup(s, fd, m, features, err, errlen))
		goto fail;
	r = s->ioctl(fd, VHOST_VSOCK_SET_GUEST_CID, &cid);
	if (r) {
		cid_err(-r, cid, err, errlen);
		goto fail;
	}
	return fd;
fail:
	s->close(fd);
	return -1;
}

static int vring_setup(const struct vhost_seam *s, int fd, unsigned int i,
		       const struct vsock_vring *r)
{
	struct vhost_vring_state num = { .index = i, .num = r->num };
	struct vhost_vring_state base = { .index = i, .num = 0 };
	struct vhost_vring_addr addr = {
		.index = i, .desc_user_addr = r->desc,
		.avail_user_addr = r->avail, .used_user_addr = r->used,
	};
	struct vhost_vring_file kick = { .index = i, .fd = r->kick_fd };
	struct vhost_vring_file call = { .index = i, .fd = r->call_fd };
	int e;

	if ((e = s->ioctl(fd, VHOST_SET_VRING_NUM, &num)) ||
	    (e = s->ioctl(fd, VHOST_SET_VRING_BASE, &base)) ||
	    (e = s->ioctl(fd, VHOST_SET_VRING_ADDR, &addr)) ||
	    (e = s->ioctl(fd, VHOST_SET_VRING_KICK, &kick)) ||
	    (e = s->ioctl(fd, VHOST_SET_VRING_CALL, &call)))
		return e;
	return 0;
}

int vsock_vhost_start(const struct vhost_seam *s, int fd, u64 features,
		      const struct vsock_vring r[VSOCK_VHOST_QUEUES],
		      char *err, size_t errlen)
{
	int run = 1, e;
	unsigned int i;

	e = s->ioctl(fd, VHOST_SET_FEATURES, &features);
	if (e)
		return set_err(err, errlen, "VHOST_SET_FEATURES 0x%llx: %s",
			       (unsigned long long)features, strerror(-e));
	for (i = 0; i < VSOCK_VHOST_QUEUES; i++) {
		e = vring_setup(s, fd, i, &r[i]);
		if (e)
			return set_err(err, errlen, "vhost queue %u (size %u): "
				       "%s", i, r[i].num, strerror(-e));
	}
	e = s->ioctl(fd, VHOST_VSOCK_SET_RUNNING, &run);
	if (e)
		return set_err(err, errlen, "VHOST_VSOCK_SET_RUNNING: %s",
			       strerror(-e));
	return 0;
}

void vsock_vhost_stop(const struct vhost_seam *s, int fd)
{
	int run = 0;

	s->ioctl(fd, VHOST_VSOCK_SET_RUNNING, &run);
}

/* ---- the kernel ---- */

static int k_open(void)
{
	int fd = open(VSOCK_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int k_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void k_close(int fd)
{
	close(fd);
}

const struct vhost_seam vhost_seam_kernel = {
	.open = k_open, .ioctl = k_ioctl, .close = k_close,
};
