/* The simulated kernel's iommufd side (tests/sim/vfio_sim.h): /dev/iommu
 * with IOASes, IOVA ranges and pinned maps, device cdevs in sysfs and
 * /dev/vfio/devices, BIND/ATTACH/DETACH, and a trace of the call order. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "sim/vfio_sim.h"
#include "vfio/iommufd_uapi.h"

void sim_trace(struct vfio_sim *s, const char *fmt, ...)
{
	size_t n = strlen(s->trace);
	va_list ap;

	if (n + 2 >= sizeof(s->trace))
		return;
	if (n)
		s->trace[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(s->trace + n, sizeof(s->trace) - n, fmt, ap);
	va_end(ap);
}

/* ---- sysfs ---- */

static void sim_mkdir_p(const char *path)
{
	char buf[512];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

void vfio_sim_cdev(struct vfio_sim *s, struct sim_dev *d, int n,
		   bool dev_attr)
{
	char dev[256], dir[300], p[400], cls[300];
	FILE *f;

	if (d->kind == SIM_MTTY)
		snprintf(dev, sizeof(dev), "%s/devices/virtual/mtty/mtty/%s",
			 s->root, d->name);
	else
		snprintf(dev, sizeof(dev), "%s/bus/pci/devices/%s", s->root,
			 d->name);
	snprintf(dir, sizeof(dir), "%s/vfio-dev/vfio%d", dev, n);
	sim_mkdir_p(dir);
	if (!dev_attr)
		return;
	d->cdev = n;
	snprintf(p, sizeof(p), "%s/dev", dir);
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "%d:%d\n", SIM_CDEV_MAJOR, n);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/device", dir);
	if (symlink(dev, p))
		perror("symlink");
	snprintf(cls, sizeof(cls), "%s/class/vfio-dev", s->root);
	sim_mkdir_p(cls);
	snprintf(p, sizeof(p), "%s/vfio%d", cls, n);
	if (symlink(dir, p))
		perror("symlink");
}

int vfio_sim_cdev_fds(struct vfio_sim *s)
{
	int i, n = 0;

	for (i = 0; i < SIM_MAX_FDS; i++)
		n += s->fds[i].kind == FD_IOMMU ||
		     (s->fds[i].kind == FD_DEVICE && s->fds[i].cdev);
	return n;
}

/* ---- open / close / fstat ---- */

static struct sim_dev *cdev_dev(struct vfio_sim *s, int n)
{
	int i;

	for (i = 0; i < s->nr_dev; i++)
		if (s->dev[i].cdev == n)
			return &s->dev[i];
	return NULL;
}

int sim_iommufd_open(struct vfio_sim *s, const char *path)
{
	struct sim_dev *d;
	int n, fd;

	if (!strcmp(path, "/dev/iommu")) {
		if (!s->iommufd || s->iommu_errno) {
			errno = s->iommufd ? s->iommu_errno : ENOENT;
			return -1;
		}
		sim_trace(s, "open-iommu");
		return sim_fd_new(s, FD_IOMMU, 0);
	}
	if (sscanf(path, "/dev/vfio/devices/vfio%d", &n) != 1)
		return -2;
	d = cdev_dev(s, n);
	if (!d || n < 0) {
		errno = ENOENT;
		return -1;
	}
	fd = sim_fd_new(s, FD_DEVICE, d - s->dev);
	if (fd < 0)
		return -1;
	s->fds[fd - SIM_FD_BASE].cdev = true;
	d->fds_open++;
	sim_trace(s, "open:vfio%d", n);
	return fd;
}

static bool any_attached_to(struct vfio_sim *s, u32 id)
{
	int i;

	for (i = 0; i < SIM_MAX_FDS; i++)
		if (s->fds[i].kind == FD_DEVICE && s->fds[i].pt == id)
			return true;
	return false;
}

void sim_iommufd_close(struct vfio_sim *s, int fd)
{
	int obj = 0, kind = sim_fd_kind(s, fd, &obj);

	if (kind == FD_IOMMU) {
		sim_trace(s, "close-iommu");
		return;
	}
	sim_trace(s, "close:vfio%d%s", s->dev[obj].cdev,
		  s->fds[fd - SIM_FD_BASE].pt ? "(attached)" : "");
}

int sim_fstat(void *ctx, int fd, struct stat *st)
{
	struct vfio_sim *s = ctx;
	int obj = 0, kind = sim_fd_kind(s, fd, &obj);

	if (kind == FD_FREE) {
		errno = EBADF;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0600;
	if (kind == FD_DEVICE && s->fds[fd - SIM_FD_BASE].cdev)
		st->st_rdev = makedev(SIM_CDEV_MAJOR, s->dev[obj].cdev);
	else
		st->st_rdev = makedev(10, 123);	/* /dev/iommu and other nodes */
	return 0;
}

/* ---- /dev/iommu ---- */

static bool ioas_ok(struct vfio_sim *s, u32 id)
{
	return id < SIM_MAX_IOAS && s->ioas_on[id];
}

static int ioas_alloc(struct vfio_sim *s, struct iommu_ioas_alloc *a)
{
	u32 id;

	for (id = 1; id < SIM_MAX_IOAS; id++) {
		if (s->ioas_on[id])
			continue;
		s->ioas_on[id] = true;
		s->ioas_allocs++;
		a->out_ioas_id = id;
		sim_trace(s, "alloc:%u", id);
		return 0;
	}
	errno = ENOSPC;
	return -1;
}

static int ioas_ranges(struct vfio_sim *s, struct iommu_ioas_iova_ranges *q)
{
	struct iommu_iova_range *r = (void *)(uintptr_t)q->allowed_iovas;
	u32 i, room = q->num_iovas;

	if (!ioas_ok(s, q->ioas_id)) {
		errno = ENOENT;
		return -1;
	}
	q->num_iovas = s->nr_iova;
	q->out_iova_alignment = 4096;
	if (room < s->nr_iova) {
		errno = EMSGSIZE;
		return -1;
	}
	for (i = 0; i < s->nr_iova; i++) {
		r[i].start = s->iova[i].start;
		r[i].last = s->iova[i].end;
	}
	return 0;
}

static bool in_ranges(struct vfio_sim *s, u64 iova, u64 size)
{
	u32 i;

	for (i = 0; i < s->nr_iova; i++)
		if (iova >= s->iova[i].start &&
		    iova + size - 1 <= s->iova[i].end)
			return true;
	return false;
}

static int ioas_map(struct vfio_sim *s, struct iommu_ioas_map *m)
{
	u64 pinned = m->length;
	int i;

	s->iomap_calls++;
	if (!ioas_ok(s, m->ioas_id) || !m->length || s->nr_iomap >= SIM_MAX_DMA ||
	    !(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) ||
	    ((m->iova | m->length | m->user_va) & 0xfff) ||
	    !in_ranges(s, m->iova, m->length)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < s->nr_iomap; i++)
		pinned += s->iomap[i].size;
	if (s->memlock && pinned > s->memlock) {
		errno = ENOMEM;		/* iommufd past RLIMIT_MEMLOCK */
		return -1;
	}
	for (i = 0; i < s->nr_iomap; i++) {
		if (m->iova < s->iomap[i].iova + s->iomap[i].size &&
		    s->iomap[i].iova < m->iova + m->length) {
			errno = EEXIST;
			return -1;
		}
	}
	s->iomap[s->nr_iomap++] = (struct sim_dma){ m->iova, m->length,
						    m->user_va };
	sim_trace(s, "map");
	return 0;
}

static int ioas_unmap(struct vfio_sim *s, struct iommu_ioas_unmap *u)
{
	int i;

	s->iounmap_calls++;
	for (i = 0; i < s->nr_iomap; i++) {
		if (s->iomap[i].iova != u->iova || s->iomap[i].size != u->length)
			continue;
		s->iomap[i] = s->iomap[--s->nr_iomap];
		sim_trace(s, "unmap");
		return 0;
	}
	errno = ENOENT;
	return -1;
}

static int destroy(struct vfio_sim *s, struct iommu_destroy *d)
{
	if (!ioas_ok(s, d->id)) {
		errno = ENOENT;
		return -1;
	}
	if (any_attached_to(s, d->id)) {
		errno = EBUSY;
		return -1;
	}
	s->ioas_on[d->id] = false;
	s->ioas_destroys++;
	sim_trace(s, "destroy:%u%s", d->id, s->nr_iomap ? "(mapped)" : "");
	return 0;
}

int sim_iommu_ioctl(struct vfio_sim *s, unsigned long req, void *arg)
{
	switch (req) {
	case IOMMU_IOAS_ALLOC:
		return ioas_alloc(s, arg);
	case IOMMU_IOAS_IOVA_RANGES:
		return ioas_ranges(s, arg);
	case IOMMU_IOAS_MAP:
		return ioas_map(s, arg);
	case IOMMU_IOAS_UNMAP:
		return ioas_unmap(s, arg);
	case IOMMU_DESTROY:
		return destroy(s, arg);
	}
	errno = ENOTTY;
	return -1;
}

/* ---- cdev ioctls ---- */

static int bind(struct vfio_sim *s, int fd, struct vfio_device_bind_iommufd *b)
{
	int obj = 0, n = s->dev[s->fds[fd - SIM_FD_BASE].obj].cdev;

	if (s->bind_errno) {
		errno = s->bind_errno;
		return -1;
	}
	if (s->fds[fd - SIM_FD_BASE].bound ||
	    sim_fd_kind(s, b->iommufd, &obj) != FD_IOMMU) {
		errno = EINVAL;
		return -1;
	}
	s->fds[fd - SIM_FD_BASE].bound = true;
	b->out_devid = 100 + n;
	sim_trace(s, "bind:vfio%d", n);
	return 0;
}

static int attach(struct vfio_sim *s, int fd,
		  struct vfio_device_attach_iommufd_pt *a)
{
	int n = s->dev[s->fds[fd - SIM_FD_BASE].obj].cdev;

	if (s->attach_errno) {
		errno = s->attach_errno;
		return -1;
	}
	if (!s->fds[fd - SIM_FD_BASE].bound || !ioas_ok(s, a->pt_id) ||
	    s->fds[fd - SIM_FD_BASE].pt) {
		errno = EINVAL;
		return -1;
	}
	s->fds[fd - SIM_FD_BASE].pt = a->pt_id;
	sim_trace(s, "attach:vfio%d", n);
	return 0;
}

int sim_cdev_ioctl(struct vfio_sim *s, int fd, unsigned long req, void *arg,
		   bool *done)
{
	int n;

	*done = s->fds[fd - SIM_FD_BASE].cdev;
	if (!*done)
		return 0;
	n = s->dev[s->fds[fd - SIM_FD_BASE].obj].cdev;
	switch (req) {
	case VFIO_DEVICE_BIND_IOMMUFD:
		return bind(s, fd, arg);
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return attach(s, fd, arg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		if (!s->fds[fd - SIM_FD_BASE].pt) {
			errno = EINVAL;
			return -1;
		}
		s->fds[fd - SIM_FD_BASE].pt = 0;
		sim_trace(s, "detach:vfio%d", n);
		return 0;
	}
	/* the kernel grants nothing else before BIND_IOMMUFD */
	*done = !s->fds[fd - SIM_FD_BASE].bound;
	errno = EINVAL;
	return -1;
}
