/* The host side of VFIO: sysfs checks that a device can be passed through
 * (driver, IOMMU group, viability), the container and its groups, and DMA
 * maps of guest RAM (IOVA = GPA) within the IOMMU's usable IOVA ranges. */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vfio/vfio.h"

#define VFIO_MODULES	"modprobe vfio vfio_iommu_type1 vfio-pci"

/* ---- sysfs ---- */

/* snprintf for paths; truncation just yields a path that does not exist. */
static void pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int vfio_sysfs_link(const char *path, char *out, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -1;
	strcpy(out, base);
	return 0;
}

u32 vfio_sysfs_hex(const char *path)
{
	char buf[32] = "";
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return (u32)strtoul(buf, NULL, 16);
}

int vfio_group_each(const struct vfio_seam_ops *ops, const char *group,
		    const char *self, void (*fn)(void *arg, const char *bdf,
						 const char *dir), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;
	int n = 0;

	seam_sysfs_path(ops, dir, sizeof(dir), "kernel/iommu_groups/%s/devices",
			group);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, self))
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fn(arg, de->d_name, path);
		n++;
	}
	closedir(d);
	return n;
}

/* A PCI-PCI bridge: left to its driver in a viable group. */
bool vfio_sysfs_is_bridge(const char *devdir)
{
	char path[PATH_MAX + 8];

	pathf(path, sizeof(path), "%s/class", devdir);
	return (vfio_sysfs_hex(path) >> 8) == 0x0604;
}

static bool driver_is_vfio(const char *drv)
{
	return !strcmp(drv, "vfio-pci") || !strncmp(drv, "vfio", 4);
}

/* Drivers the kernel accepts next to vfio-pci in a viable group. */
static bool driver_harmless(const char *drv)
{
	return driver_is_vfio(drv) || !strcmp(drv, "pci-stub");
}

static int err_bind(const struct vfio_seam_ops *ops, const char *bdf,
		    const char *drv, char *err, size_t errlen)
{
	char dev[PATH_MAX], probe[PATH_MAX], unbind[PATH_MAX + 64] = "";
	char what[320];

	seam_sysfs_path(ops, dev, sizeof(dev), "bus/pci/devices/%s", bdf);
	seam_sysfs_path(ops, probe, sizeof(probe), "bus/pci/drivers_probe");
	if (drv)
		pathf(unbind, sizeof(unbind),
			 "  echo %s > %s/driver/unbind\n", bdf, dev);
	if (drv)
		pathf(what, sizeof(what), "bound to driver '%s', not vfio-pci",
		      drv);
	else
		pathf(what, sizeof(what), "not bound to any driver");
	return set_err(err, errlen, "vfio %s: %s; bind it to vfio-pci with:\n"
		       "  modprobe vfio-pci\n%s"
		       "  echo vfio-pci > %s/driver_override\n"
		       "  echo %s > %s", bdf, what, unbind, dev, bdf, probe);
}

static int err_no_iommu(const char *bdf, char *err, size_t errlen)
{
	return set_err(err, errlen, "vfio %s: the device has no IOMMU group: "
		       "the host IOMMU is off or vfio-pci is not loaded. Boot "
		       "the host with intel_iommu=on (Intel) or amd_iommu=on "
		       "(AMD; arm64: an SMMU enabled in firmware), then run "
		       "'modprobe vfio-pci' and bind the device to it", bdf);
}

struct offenders {
	char *list;
	size_t len, used;
	int n;
};

/* A group member that blocks viability: bound to a driver other than
 * vfio's or pci-stub, and not a bridge. */
static void offender(void *arg, const char *bdf, const char *dir)
{
	char path[PATH_MAX + 16], drv[256];
	struct offenders *o = arg;

	pathf(path, sizeof(path), "%s/driver", dir);
	if (vfio_sysfs_link(path, drv, sizeof(drv)) || driver_harmless(drv) ||
	    vfio_sysfs_is_bridge(dir))
		return;
	if (o->used < o->len)
		o->used += snprintf(o->list + o->used, o->len - o->used,
				    "%s%s (bound to %s)", o->n ? ", " : "", bdf,
				    drv);
	o->n++;
}

/* Appends "name (bound to drv)" of every device of group that blocks
 * viability to list; returns how many. */
static int group_offenders(const struct vfio_seam_ops *ops, int group,
			   const char *self, char *list, size_t len)
{
	struct offenders o = { list, len, 0, 0 };
	char grp[16];

	list[0] = 0;
	snprintf(grp, sizeof(grp), "%d", group);
	vfio_group_each(ops, grp, self, offender, &o);
	return o.n;
}

int vfio_host_check_device(const struct vfio_seam_ops *ops, const char *bdf,
			   int *group, char *err, size_t errlen)
{
	char dev[PATH_MAX], path[PATH_MAX + 32], drv[256], list[512];
	struct stat st;

	ops = ops ? ops : &vfio_seam_real;
	seam_sysfs_path(ops, dev, sizeof(dev), "bus/pci/devices/%s", bdf);
	if (stat(dev, &st))
		return set_err(err, errlen, "vfio %s: no such PCI device (%s "
			       "does not exist); 'lspci -D' lists the host's "
			       "devices", bdf, dev);
	pathf(path, sizeof(path), "%s/driver", dev);
	if (vfio_sysfs_link(path, drv, sizeof(drv)))
		return err_bind(ops, bdf, NULL, err, errlen);
	if (!driver_is_vfio(drv))
		return err_bind(ops, bdf, drv, err, errlen);
	pathf(path, sizeof(path), "%s/iommu_group", dev);
	if (vfio_sysfs_link(path, drv, sizeof(drv)))
		return err_no_iommu(bdf, err, errlen);
	*group = atoi(drv);
	if (group_offenders(ops, *group, bdf, list, sizeof(list)))
		return set_err(err, errlen, "vfio %s: IOMMU group %d is not "
			       "viable: it also holds %s. Every device in the "
			       "group must be bound to vfio-pci or unbound: "
			       "pass them through too, or unbind each with "
			       "'echo <BDF> > %s/<BDF>/driver/unbind'",
			       bdf, *group, list,
			       seam_sysfs_path(ops, path, sizeof(path),
					       "bus/pci/devices"));
	return 0;
}

void vfio_mdev_dir(const struct vfio_seam_ops *ops,
		   const struct vfio_spec *spec, char *dir, size_t len)
{
	const char *p = spec->path;

	/* the path given ("/sys/..." read below sysfs_root), or the bus's */
	if (!*p)
		seam_sysfs_path(ops, dir, len, "bus/mdev/devices/%s",
				spec->name);
	else if (!strncmp(p, "/sys/", 5))
		seam_sysfs_path(ops, dir, len, "%s", p + 5);
	else
		pathf(dir, len, "%s", p);
}

int vfio_host_check_mdev(const struct vfio_seam_ops *ops,
			 const struct vfio_spec *spec, int *group, char *err,
			 size_t errlen)
{
	char dir[PATH_MAX], real[PATH_MAX], path[PATH_MAX + 16], id[32];

	ops = ops ? ops : &vfio_seam_real;
	vfio_mdev_dir(ops, spec, dir, sizeof(dir));
	if (!realpath(dir, real))
		return set_err(err, errlen, "vfio %s: no such mediated device "
			       "(%s: %s); create one with 'echo %s > /sys/class/"
			       "mdev_bus/<parent>/mdev_supported_types/<type>/"
			       "create' ('ls /sys/class/mdev_bus/*/mdev_supported"
			       "_types' lists the types)", spec->name, dir,
			       strerror(errno), spec->name);
	pathf(path, sizeof(path), "%s/iommu_group", real);
	if (vfio_sysfs_link(path, id, sizeof(id)))
		return set_err(err, errlen, "vfio %s: the mediated device has "
			       "no IOMMU group (%s is missing): load the VFIO "
			       "modules (modprobe vfio_iommu_type1 mdev)",
			       spec->name, path);
	*group = atoi(id);
	return 0;
}

/* ---- capability chains ---- */

int vfio_cap_walk(const void *buf, size_t len, u32 first,
		  int (*fn)(const struct vfio_info_cap_header *h, size_t avail,
			    void *arg),
		  void *arg)
{
	const struct vfio_info_cap_header *h;
	u32 off = first, prev = 0;
	int ret;

	while (off) {
		if (off < prev + (prev ? sizeof(*h) : 0) ||
		    (u64)off + sizeof(*h) > len)
			return -1;
		h = (const void *)((const u8 *)buf + off);
		ret = fn(h, len - off, arg);
		if (ret)
			return ret;
		prev = off;
		off = h->next;
	}
	return 0;
}

/* ---- container ---- */

void vfio_container_init(struct vfio_container *c,
			 const struct vfio_seam_ops *ops)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->ops = ops ? ops : &vfio_seam_real;
	c->fd = -1;
	c->ioas.fd = -1;
	for (i = 0; i < VFIO_MAX_GIVEN; i++)
		c->given[i].fd = -1;
}

void vfio_give_fd(struct vfio_container *c, const char *path, int fd)
{
	int i;

	for (i = 0; i < VFIO_MAX_GIVEN; i++) {
		if (c->given[i].fd >= 0)
			continue;
		snprintf(c->given[i].path, sizeof(c->given[i].path), "%s",
			 path);
		c->given[i].fd = fd;
		return;
	}
	close(fd);
}

void vfio_given_drop(struct vfio_container *c)
{
	int i;

	for (i = 0; i < VFIO_MAX_GIVEN; i++) {
		if (c->given[i].fd >= 0)
			close(c->given[i].fd);
		c->given[i].fd = -1;
	}
}

int vfio_open_path(struct vfio_container *c, const char *path, int flags)
{
	int i, fd;

	for (i = 0; i < VFIO_MAX_GIVEN; i++) {
		if (c->given[i].fd < 0 || strcmp(c->given[i].path, path))
			continue;
		fd = c->given[i].fd;
		c->given[i].fd = -1;
		return fd;
	}
	if (c->no_open) {
		errno = EPERM;
		return -1;
	}
	return seam_open(c->ops, path, flags);
}

static int err_open(const char *path, const char *what, int e, char *err,
		    size_t errlen)
{
	if (e == EACCES || e == EPERM)
		return set_err(err, errlen, "vfio: permission denied opening "
			       "%s: run lkvm as root or give your user access "
			       "to %s (chown or a udev rule)", path, path);
	if (e == ENOENT || e == ENODEV || e == ENXIO)
		return set_err(err, errlen, "vfio: %s does not exist: the "
			       "VFIO modules are not loaded (%s)%s", path,
			       VFIO_MODULES, what);
	if (e == EBUSY)
		return set_err(err, errlen, "vfio: %s is busy: another process "
			       "(a VMM?) already uses this IOMMU group", path);
	return set_err(err, errlen, "vfio: cannot open %s: %s", path,
		       strerror(e));
}

static int container_open(struct vfio_container *c, char *err, size_t errlen)
{
	const struct vfio_seam_ops *ops = c->ops;
	const char *path = "/dev/vfio/vfio";
	int fd, v;

	fd = vfio_open_path(c, path, O_RDWR);
	if (fd < 0)
		return err_open(path, "", errno, err, errlen);
	v = seam_ioctl(ops, fd, VFIO_GET_API_VERSION, NULL);
	if (v != VFIO_API_VERSION) {
		set_err(err, errlen, "vfio: %s: unknown API version %d "
			"(expected %d)", path, v, VFIO_API_VERSION);
		goto fail;
	}
	if (seam_ioctl(ops, fd, VFIO_CHECK_EXTENSION,
		       (void *)(long)VFIO_TYPE1v2_IOMMU) > 0) {
		c->iommu_type = VFIO_TYPE1v2_IOMMU;
	} else if (seam_ioctl(ops, fd, VFIO_CHECK_EXTENSION,
			      (void *)(long)VFIO_TYPE1_IOMMU) > 0) {
		c->iommu_type = VFIO_TYPE1_IOMMU;
	} else {
		set_err(err, errlen, "vfio: the IOMMU supports neither type1v2 "
			"nor type1: load vfio_iommu_type1 (%s)", VFIO_MODULES);
		goto fail;
	}
	c->fd = fd;
	return 0;
fail:
	seam_close(ops, fd);
	return -1;
}

static void container_close(struct vfio_container *c)
{
	if (c->fd < 0)
		return;
	seam_close(c->ops, c->fd);
	c->fd = -1;
	c->iommu_type = 0;
	c->pgsizes = 0;
	c->has_iova_ranges = false;
	c->nr_iova = 0;
	c->dirty_pgsizes = c->dirty_max_bitmap = 0;
	c->dirty_on = false;
}

/* VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION: dirty tracking's page sizes. */
static int mig_cap(const struct vfio_info_cap_header *h, size_t avail,
		   struct vfio_container *c)
{
	const struct vfio_iommu_type1_info_cap_migration *m = (const void *)h;

	if (avail < sizeof(*m))
		return -1;
	c->dirty_pgsizes = m->pgsize_bitmap;
	c->dirty_max_bitmap = m->max_dirty_bitmap_size;
	return 0;
}

static int iova_cap(const struct vfio_info_cap_header *h, size_t avail,
		    void *arg)
{
	const struct vfio_iommu_type1_info_cap_iova_range *r = (const void *)h;
	struct vfio_container *c = arg;
	u32 i;

	if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)
		return mig_cap(h, avail, c);
	if (h->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
		return 0;
	if (avail < sizeof(*r) ||
	    avail < sizeof(*r) + (u64)r->nr_iovas * sizeof(r->iova_ranges[0]))
		return -1;
	c->has_iova_ranges = true;
	c->nr_iova = 0;
	for (i = 0; i < r->nr_iovas && i < VFIO_MAX_IOVA_RANGES; i++)
		c->iova[c->nr_iova++] = r->iova_ranges[i];
	if (r->nr_iovas > VFIO_MAX_IOVA_RANGES)
		pr_warn("vfio: %u IOVA ranges, using the first %d",
			r->nr_iovas, VFIO_MAX_IOVA_RANGES);
	return 0;
}

/* VFIO_IOMMU_GET_INFO: page sizes, the IOVA_RANGE capability (a kernel
 * without it, or without caps, leaves the whole space usable) and the
 * MIGRATION one (dirty page tracking). */
static void container_get_info(struct vfio_container *c)
{
	struct vfio_iommu_type1_info *info, first = { .argsz = sizeof(first) };
	u32 size;

	if (seam_ioctl(c->ops, c->fd, VFIO_IOMMU_GET_INFO, &first)) {
		pr_warn("vfio: VFIO_IOMMU_GET_INFO: %s", strerror(errno));
		return;
	}
	if (first.flags & VFIO_IOMMU_INFO_PGSIZES)
		c->pgsizes = first.iova_pgsizes;
	if (!(first.flags & VFIO_IOMMU_INFO_CAPS) || first.argsz <= sizeof(first))
		return;
	size = first.argsz;
	info = calloc(1, size);
	if (!info)
		return;
	info->argsz = size;
	if (seam_ioctl(c->ops, c->fd, VFIO_IOMMU_GET_INFO, info) ||
	    vfio_cap_walk(info, MIN(size, info->argsz), info->cap_offset,
			  iova_cap, c) < 0)
		pr_warn("vfio: unreadable IOMMU info capabilities");
	free(info);
}

static struct vfio_group *group_find(struct vfio_container *c, int id)
{
	struct vfio_group *g;

	for (g = c->groups; g; g = g->next)
		if (g->id == id)
			return g;
	return NULL;
}

static int group_attach(struct vfio_container *c, int fd, int id, char *err,
			size_t errlen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };

	if (seam_ioctl(c->ops, fd, VFIO_GROUP_GET_STATUS, &st))
		return set_err(err, errlen, "vfio: group %d: "
			       "VFIO_GROUP_GET_STATUS: %s", id, strerror(errno));
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return set_err(err, errlen, "vfio: IOMMU group %d is not "
			       "viable: every device in /sys/kernel/iommu_groups/"
			       "%d/devices must be bound to vfio-pci or unbound",
			       id, id);
	if (seam_ioctl(c->ops, fd, VFIO_GROUP_SET_CONTAINER, &c->fd))
		return set_err(err, errlen, "vfio: group %d: cannot join the "
			       "container: %s", id, strerror(errno));
	if (c->groups)
		return 0;
	if (seam_ioctl(c->ops, c->fd, VFIO_SET_IOMMU,
		       (void *)(long)c->iommu_type)) {
		set_err(err, errlen, "vfio: VFIO_SET_IOMMU(%s): %s",
			c->iommu_type == VFIO_TYPE1v2_IOMMU ? "type1v2" :
			"type1", strerror(errno));
		seam_ioctl(c->ops, fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
		return -1;
	}
	container_get_info(c);
	return 0;
}

struct vfio_group *vfio_group_get(struct vfio_container *c, int id,
				  char *err, size_t errlen)
{
	struct vfio_group *g = group_find(c, id);
	char path[64];
	int fd;

	if (g) {
		g->users++;
		return g;
	}
	if (c->fd < 0 && container_open(c, err, errlen))
		return NULL;
	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	fd = vfio_open_path(c, path, O_RDWR);
	if (fd < 0) {
		err_open(path, " or the device is not bound to vfio-pci", errno,
			 err, errlen);
		goto fail_container;
	}
	if (group_attach(c, fd, id, err, errlen))
		goto fail_group;
	g = calloc(1, sizeof(*g));
	if (!g) {
		set_err(err, errlen, "vfio: out of memory");
		goto fail_unset;
	}
	g->c = c;
	g->id = id;
	g->fd = fd;
	g->users = 1;
	g->next = c->groups;
	c->groups = g;
	return g;

fail_unset:
	seam_ioctl(c->ops, fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
fail_group:
	seam_close(c->ops, fd);
fail_container:
	if (!c->groups)
		container_close(c);
	return NULL;
}

void vfio_group_put(struct vfio_group *g)
{
	struct vfio_container *c;
	struct vfio_group **p;

	if (!g || --g->users > 0)
		return;
	c = g->c;
	for (p = &c->groups; *p && *p != g; p = &(*p)->next)
		;
	if (*p)
		*p = g->next;
	if (!c->groups)
		vfio_dma_unmap_all(c);
	seam_ioctl(c->ops, g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	seam_close(c->ops, g->fd);
	free(g);
	if (!c->groups)
		container_close(c);
}

void vfio_container_exit(struct vfio_container *c)
{
	while (c->groups) {
		c->groups->users = 1;
		vfio_group_put(c->groups);
	}
	vfio_dma_unmap_all(c);
	container_close(c);
	vfio_ioas_unmap_all(c);
	if (c->ioas.fd >= 0)
		seam_close(c->ops, c->ioas.fd);
	c->ioas.fd = -1;
}

/* ---- DMA ---- */

static int iova_cmp(const void *a, const void *b)
{
	const struct vfio_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The first part of [need, last] that ranges r[nr] (sorted) do not
 * cover, into *gap_start and *gap_end; false when all of it is covered. */
static bool iova_gap(const struct vfio_iova_range *r, u32 nr, u64 need,
		     u64 last, u64 *gap_start, u64 *gap_end)
{
	u32 i;

	/* the ranges may be adjacent: walk them until [need, last] is covered */
	for (i = 0; i < nr; i++) {
		if (r[i].end < need)
			continue;
		if (r[i].start > need) {
			*gap_start = need;
			*gap_end = MIN(r[i].start - 1, last);
			return true;
		}
		if (r[i].end >= last)
			return false;
		need = r[i].end + 1;
	}
	*gap_start = need;
	*gap_end = last;
	return true;
}

static void format_ranges(const struct vfio_iova_range *r, u32 nr,
			  char *buf, size_t len)
{
	size_t used = 0;
	u32 i;

	buf[0] = 0;
	for (i = 0; i < nr && used < len; i++)
		used += snprintf(buf + used, len - used, "%s0x%llx-0x%llx",
				 i ? ", " : "", (unsigned long long)r[i].start,
				 (unsigned long long)r[i].end);
}

int vfio_iova_fits(const struct vfio_iova_range *ranges, u32 nr, u64 iova,
		   u64 size, char *err, size_t errlen)
{
	struct vfio_iova_range r[VFIO_MAX_IOVA_RANGES];
	u64 last = iova + size - 1, gs, ge;
	char list[512];

	if (!size || last < iova)
		return set_err(err, errlen, "vfio: bad DMA range 0x%llx+0x%llx",
			       (unsigned long long)iova,
			       (unsigned long long)size);
	nr = MIN(nr, (u32)VFIO_MAX_IOVA_RANGES);
	memcpy(r, ranges, nr * sizeof(r[0]));
	qsort(r, nr, sizeof(r[0]), iova_cmp);
	if (!iova_gap(r, nr, iova, last, &gs, &ge))
		return 0;
	format_ranges(r, nr, list, sizeof(list));
	return set_err(err, errlen, "vfio: guest RAM 0x%llx-0x%llx is outside "
		       "the IOMMU's usable IOVA ranges (%s): 0x%llx-0x%llx is "
		       "in none of them, so the device could not DMA to it; "
		       "give the guest less memory (-m)",
		       (unsigned long long)iova, (unsigned long long)last,
		       list[0] ? list : "none", (unsigned long long)gs,
		       (unsigned long long)ge);
}

int vfio_iova_check(const struct vfio_container *c, u64 iova, u64 size,
		    char *err, size_t errlen)
{
	if (!c->has_iova_ranges && size && iova + size - 1 >= iova)
		return 0;
	return vfio_iova_fits(c->iova, c->has_iova_ranges ? c->nr_iova : 0,
			      iova, size, err, errlen);
}

static u64 min_page(const struct vfio_container *c)
{
	return c->pgsizes ? c->pgsizes & -c->pgsizes : 4096;
}

/* ENOMEM from MAP_DMA or IOAS_MAP: the pages pinned for DMA count
 * against the process's RLIMIT_MEMLOCK. Names the limit and what it must
 * be. */
int vfio_err_memlock(u64 need, char *err, size_t errlen)
{
	struct rlimit rl;
	char lim[32] = "unlimited";

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		snprintf(lim, sizeof(lim), "unknown");
	else if (rl.rlim_cur != RLIM_INFINITY)
		snprintf(lim, sizeof(lim), "%llu KiB",
			 (unsigned long long)rl.rlim_cur >> 10);
	return set_err(err, errlen, "vfio: pinning guest RAM for DMA needs "
		       "RLIMIT_MEMLOCK of at least %llu KiB (the VM's RAM mapped "
		       "so far); the limit is %s: raise it ('ulimit -l %llu', "
		       "LimitMEMLOCK= for a systemd service) or run as root",
		       (unsigned long long)need >> 10, lim,
		       (unsigned long long)need >> 10);
}

static int err_memlock(const struct vfio_container *c, u64 size, char *err,
		       size_t errlen)
{
	u64 need = size;
	u32 i;

	for (i = 0; i < c->nr_dma; i++)
		need += c->dma[i].size;
	return vfio_err_memlock(need, err, errlen);
}

int vfio_dma_map(struct vfio_container *c, u64 iova, u64 size, void *vaddr,
		 char *err, size_t errlen)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (u64)(uintptr_t)vaddr, .iova = iova, .size = size,
	};
	u64 pg = min_page(c);

	if (c->fd < 0 || !c->groups)
		return set_err(err, errlen, "vfio: DMA map without a group in "
			       "the container");
	if (!IS_ALIGNED(iova | size | m.vaddr, pg))
		return set_err(err, errlen, "vfio: DMA range 0x%llx+0x%llx is "
			       "not aligned to the IOMMU page size 0x%llx",
			       (unsigned long long)iova,
			       (unsigned long long)size, (unsigned long long)pg);
	if (vfio_iova_check(c, iova, size, err, errlen))
		return -1;
	if (c->nr_dma >= VFIO_MAX_DMA)
		return set_err(err, errlen, "vfio: too many DMA mappings");
	if (seam_ioctl(c->ops, c->fd, VFIO_IOMMU_MAP_DMA, &m))
		return errno == ENOMEM ? err_memlock(c, size, err, errlen) :
		       set_err(err, errlen, "vfio: VFIO_IOMMU_MAP_DMA 0x%llx+"
			       "0x%llx: %s", (unsigned long long)iova,
			       (unsigned long long)size, strerror(errno));
	c->dma[c->nr_dma++] = (struct vfio_dma){ iova, size, m.vaddr };
	return 0;
}

static void dma_unmap_one(struct vfio_container *c, const struct vfio_dma *d)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = d->iova, .size = d->size,
	};

	if (c->fd >= 0 && seam_ioctl(c->ops, c->fd, VFIO_IOMMU_UNMAP_DMA, &u))
		pr_warn("vfio: VFIO_IOMMU_UNMAP_DMA 0x%llx+0x%llx: %s",
			(unsigned long long)d->iova,
			(unsigned long long)d->size, strerror(errno));
}

int vfio_dma_map_guest(struct vfio_container *c, const struct guest_mem *m,
		       char *err, size_t errlen)
{
	u32 first = c->nr_dma;
	int i;

	for (i = 0; i < m->nr; i++)
		if (vfio_iova_check(c, m->r[i].gpa, m->r[i].size, err, errlen))
			return -1;
	for (i = 0; i < m->nr; i++) {
		if (vfio_dma_map(c, m->r[i].gpa, m->r[i].size, m->r[i].hva,
				 err, errlen))
			goto undo;
	}
	return 0;
undo:
	while (c->nr_dma > first)
		dma_unmap_one(c, &c->dma[--c->nr_dma]);
	return -1;
}

void vfio_dma_unmap_all(struct vfio_container *c)
{
	while (c->nr_dma)
		dma_unmap_one(c, &c->dma[--c->nr_dma]);
}
