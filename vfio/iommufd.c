/* The iommufd backend of VFIO: a device's cdev found in sysfs (or an fd
 * handed over by a launcher), bound to the VM's /dev/iommu and attached to
 * its one IOAS, guest RAM mapped into that IOAS, and teardown in reverse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "vfio/iommufd_uapi.h"
#include "vfio/vfio.h"

#define IOMMU_DEV	"/dev/iommu"
#define CDEV_DIR	"/dev/vfio/devices"

/* ---- finding the cdev ---- */

/* The sysfs directory of the device the spec names. */
static void dev_dir(const struct vfio_seam_ops *ops,
		    const struct vfio_spec *spec, char *dir, size_t len)
{
	if (spec->mdev)
		vfio_mdev_dir(ops, spec, dir, len);
	else
		seam_sysfs_path(ops, dir, len, "bus/pci/devices/%s",
				spec->name);
}

int vfio_cdev_find(const struct vfio_seam_ops *ops,
		   const struct vfio_spec *spec, char *name, size_t len,
		   char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	int found = 0;
	DIR *d;

	dev_dir(ops, spec, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/vfio-dev", dir);
	d = opendir(path);
	if (!d)
		return set_err(err, errlen, "%s does not exist (the kernel "
			       "predates VFIO cdevs, Linux 6.6)", path), 0;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4) ||
		    strlen(de->d_name) >= len)
			continue;
		snprintf(path, sizeof(path), "%s/vfio-dev/%s/dev", dir,
			 de->d_name);
		if (stat(path, &st)) {
			set_err(err, errlen, "%s does not exist: the kernel "
				"was built without CONFIG_VFIO_DEVICE_CDEV",
				path);
			continue;
		}
		strcpy(name, de->d_name);
		found = 1;
	}
	closedir(d);
	if (!found && err && !*err)
		set_err(err, errlen, "%s/vfio-dev lists no vfioN", dir);
	return found;
}

/* ---- fd=N: a cdev opened by a launcher ---- */

/* The sysfs class entry whose dev is rdev: its name and the device's
 * (BDF or UUID). 0, or -1 when none matches. */
static int class_match(const struct vfio_seam_ops *ops, dev_t rdev,
		       char *cdev, size_t clen, char *devname, size_t dlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	unsigned int maj, min;
	struct dirent *de;
	int ret = -1;
	FILE *f;
	DIR *d;

	seam_sysfs_path(ops, dir, sizeof(dir), "class/vfio-dev");
	d = opendir(dir);
	if (!d)
		return -1;
	while (ret && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= clen)
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%u:%u", &maj, &min) == 2 &&
		    makedev(maj, min) == rdev) {
			strcpy(cdev, de->d_name);
			snprintf(path, sizeof(path), "%s/%s/device", dir,
				 de->d_name);
			if (vfio_sysfs_link(path, devname, dlen))
				devname[0] = 0;
			ret = 0;
		}
		fclose(f);
	}
	closedir(d);
	return ret;
}

/* Names the device behind spec->fd (sysfs) and checks that it is a VFIO
 * cdev no one has bound yet. */
static int fd_check(struct vfio_device *dev, char *err, size_t errlen)
{
	char devname[VFIO_NAME_LEN] = "", cdev[16];
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_spec *sp = &dev->spec;
	struct stat st;

	if (sp->resolved) {	/* lkvm vfio add named it and checked */
		snprintf(dev->cdev_name, sizeof(dev->cdev_name), "%s",
			 sp->cdev);
		return 0;
	}
	if (seam_fstat(dev->ops, sp->fd, &st))
		return set_err(err, errlen, "vfio %s: %s: the launcher must "
			       "leave it open across exec (no O_CLOEXEC)",
			       sp->name, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return set_err(err, errlen, "vfio %s: not a character device: "
			       "pass an fd of %s/vfioN", sp->name, CDEV_DIR);
	if (class_match(dev->ops, st.st_rdev, cdev, sizeof(cdev), devname,
			sizeof(devname)))
		return set_err(err, errlen, "vfio %s: device %u:%u is not a "
			       "VFIO cdev (no /sys/class/vfio-dev/*/dev "
			       "matches): pass an fd of %s/vfioN", sp->name,
			       major(st.st_rdev), minor(st.st_rdev), CDEV_DIR);
	snprintf(dev->cdev_name, sizeof(dev->cdev_name), "%s", cdev);
	if (*devname) {
		snprintf(sp->name, sizeof(sp->name), "%s", devname);
		sp->mdev = strlen(devname) == 36;
	}
	/* an unbound cdev answers nothing but BIND_IOMMUFD */
	if (!seam_ioctl(dev->ops, sp->fd, VFIO_DEVICE_GET_INFO, &info))
		return set_err(err, errlen, "vfio %s: fd %d (%s) is already "
			       "bound to an iommufd: the launcher must pass it "
			       "only opened, lkvm binds it itself", sp->name,
			       sp->fd, cdev);
	return 0;
}

/* ---- the IOAS ---- */

static int err_no_iommufd(const char *name, int e, char *err, size_t errlen)
{
	if (e == EACCES || e == EPERM)
		return set_err(err, errlen, "vfio %s: iommu=iommufd: permission "
			       "denied opening %s: run lkvm as root or give "
			       "your user access to it (udev rule)", name,
			       IOMMU_DEV);
	return set_err(err, errlen, "vfio %s: iommu=iommufd: %s: %s: the host "
		       "kernel has no iommufd (CONFIG_IOMMUFD; 'modprobe "
		       "iommufd' if it is a module); use iommu=legacy or "
		       "iommu=auto for the group/container path", name,
		       IOMMU_DEV, strerror(e));
}

/* IOMMU_IOAS_IOVA_RANGES: what the IOAS can map now (it shrinks as
 * devices with reserved regions attach). */
static int ioas_ranges(struct vfio_container *c, char *err, size_t errlen)
{
	struct iommu_iova_range r[VFIO_MAX_IOVA_RANGES];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = c->ioas.id,
		.num_iovas = VFIO_MAX_IOVA_RANGES,
		.allowed_iovas = (u64)(uintptr_t)r,
	};
	u32 i;

	if (seam_ioctl(c->ops, c->ioas.fd, IOMMU_IOAS_IOVA_RANGES, &q))
		return set_err(err, errlen, "vfio: IOMMU_IOAS_IOVA_RANGES: %s%s",
			       strerror(errno), errno == EMSGSIZE ?
			       " (more ranges than lkvm handles)" : "");
	c->ioas.nr_iova = MIN(q.num_iovas, (u32)VFIO_MAX_IOVA_RANGES);
	for (i = 0; i < c->ioas.nr_iova; i++) {
		c->ioas.iova[i].start = r[i].start;
		c->ioas.iova[i].end = r[i].last;
	}
	c->ioas.align = q.out_iova_alignment;
	return 0;
}

/* Opens /dev/iommu and allocates the IOAS with the first device. 0; 1
 * when auto may fall back (no /dev/iommu); -1 with err. */
static int ioas_get(struct vfio_device *dev, char *err, size_t errlen)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	struct vfio_container *c = dev->c;
	int fd;

	if (c->ioas.fd >= 0) {
		c->ioas.users++;
		return 0;
	}
	fd = vfio_open_path(c, IOMMU_DEV, O_RDWR);
	if (fd < 0) {
		err_no_iommufd(dev->spec.name, errno, err, errlen);
		return dev->spec.iommu == VFIO_IOMMU_AUTO && !dev->spec.has_fd ?
		       1 : -1;
	}
	if (seam_ioctl(c->ops, fd, IOMMU_IOAS_ALLOC, &a)) {
		set_err(err, errlen, "vfio %s: IOMMU_IOAS_ALLOC: %s",
			dev->spec.name, strerror(errno));
		seam_close(c->ops, fd);
		return -1;
	}
	c->ioas.fd = fd;
	c->ioas.id = a.out_ioas_id;
	c->ioas.users = 1;
	c->ioas.allocs++;
	return 0;
}

static void ioas_put(struct vfio_container *c)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = c->ioas.id };

	if (c->ioas.fd < 0 || --c->ioas.users > 0)
		return;
	vfio_ioas_unmap_all(c);
	if (seam_ioctl(c->ops, c->ioas.fd, IOMMU_DESTROY, &d))
		pr_warn("vfio: IOMMU_DESTROY of IOAS %u: %s", c->ioas.id,
			strerror(errno));
	seam_close(c->ops, c->ioas.fd);
	c->ioas.fd = -1;
	c->ioas.nr_iova = 0;
}

/* ---- bind and attach ---- */

static int bind_attach(struct vfio_device *dev, char *err, size_t errlen)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = dev->c->ioas.fd,
	};
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = dev->c->ioas.id,
	};

	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_BIND_IOMMUFD, &b))
		return set_err(err, errlen, "vfio %s: VFIO_DEVICE_BIND_IOMMUFD "
			       "(%s): %s%s", dev->spec.name, dev->cdev_name,
			       strerror(errno), errno == ENOTTY ?
			       ": not a VFIO cdev" : "");
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a))
		return set_err(err, errlen, "vfio %s: VFIO_DEVICE_ATTACH_"
			       "IOMMUFD_PT to IOAS %u: %s%s", dev->spec.name,
			       a.pt_id, strerror(errno), errno == EINVAL ?
			       " (its reserved regions clash with guest RAM "
			       "already mapped?)" : "");
	dev->attached = true;
	return ioas_ranges(dev->c, err, errlen);
}

static int err_open_cdev(const char *name, const char *path, int e,
			 char *err, size_t errlen)
{
	if (e == EACCES || e == EPERM)
		return set_err(err, errlen, "vfio %s: permission denied opening "
			       "%s: run lkvm as root, give your user access "
			       "to it, or have a launcher pass it (fd=N)", name,
			       path);
	if (e == EBUSY)
		return set_err(err, errlen, "vfio %s: %s is busy: another "
			       "process (a VMM?) holds the device", name, path);
	return set_err(err, errlen, "vfio %s: cannot open %s: %s", name, path,
		       strerror(e));
}

/* Whether auto/iommufd finds a cdev; 1 yes, 0 use legacy, -1 error. */
static int cdev_choose(struct vfio_device *dev, char *err, size_t errlen)
{
	char why[VFIO_ERR_LEN] = "";

	if (dev->spec.has_fd)
		return fd_check(dev, err, errlen) ? -1 : 1;
	if (vfio_cdev_find(dev->ops, &dev->spec, dev->cdev_name,
			   sizeof(dev->cdev_name), why, sizeof(why)) == 1)
		return 1;
	if (dev->spec.iommu == VFIO_IOMMU_AUTO)
		return 0;
	return set_err(err, errlen, "vfio %s: iommu=iommufd: the device has no "
		       "VFIO cdev: %s; use iommu=legacy or iommu=auto for the "
		       "group/container path", dev->spec.name, why);
}

/* A passed cdev (fd=N, lkvm vfio add) the device did not take is closed:
 * nothing is left behind. -1. */
static int fd_drop(struct vfio_device *dev)
{
	if (dev->spec.has_fd && dev->spec.fd >= 0)
		seam_close(dev->ops, dev->spec.fd);
	dev->spec.fd = -1;
	return -1;
}

int vfio_cdev_open(struct vfio_device *dev, char *err, size_t errlen)
{
	char path[64];
	int r;

	r = cdev_choose(dev, err, errlen);
	if (r <= 0)
		return r < 0 ? fd_drop(dev) : 1;
	r = ioas_get(dev, err, errlen);
	if (r)
		return r < 0 ? fd_drop(dev) : r;
	dev->cdev = true;
	if (dev->spec.has_fd) {
		dev->fd = dev->spec.fd;
	} else {
		snprintf(path, sizeof(path), CDEV_DIR "/%s", dev->cdev_name);
		dev->fd = seam_open(dev->ops, path, O_RDWR);
		if (dev->fd < 0) {
			err_open_cdev(dev->spec.name, path, errno, err, errlen);
			goto fail;
		}
	}
	if (bind_attach(dev, err, errlen))
		goto fail;
	return 0;
fail:
	vfio_cdev_close(dev);
	return -1;
}

void vfio_cdev_close(struct vfio_device *dev)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	struct vfio_container *c = dev->c;

	if (!dev->cdev)
		return;
	/* reverse of the setup: unmap (last user), detach, unbind, destroy */
	if (c->ioas.users == 1)
		vfio_ioas_unmap_all(c);
	if (dev->attached &&
	    seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d))
		pr_warn("vfio %s: VFIO_DEVICE_DETACH_IOMMUFD_PT: %s",
			dev->spec.name, strerror(errno));
	dev->attached = false;
	if (dev->fd >= 0)
		seam_close(dev->ops, dev->fd);
	dev->fd = -1;
	dev->cdev = false;
	ioas_put(c);
}

/* ---- guest RAM in the IOAS ---- */

static int ioas_map(struct vfio_container *c, u64 iova, u64 size,
		    void *vaddr, char *err, size_t errlen)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = c->ioas.id,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (u64)(uintptr_t)vaddr, .length = size, .iova = iova,
	};
	u64 need = size;
	u32 i;

	if (c->ioas.nr_map >= VFIO_MAX_DMA)
		return set_err(err, errlen, "vfio: too many DMA mappings");
	if (c->ioas.align > 1 && !IS_ALIGNED(iova | size, c->ioas.align))
		return set_err(err, errlen, "vfio: guest RAM 0x%llx+0x%llx is "
			       "not aligned to the IOAS's 0x%llx",
			       (unsigned long long)iova,
			       (unsigned long long)size,
			       (unsigned long long)c->ioas.align);
	if (!seam_ioctl(c->ops, c->ioas.fd, IOMMU_IOAS_MAP, &m)) {
		c->ioas.map[c->ioas.nr_map++] =
			(struct vfio_dma){ iova, size, m.user_va };
		return 0;
	}
	if (errno != ENOMEM && errno != EPERM)
		return set_err(err, errlen, "vfio: IOMMU_IOAS_MAP 0x%llx+0x%llx: "
			       "%s", (unsigned long long)iova,
			       (unsigned long long)size, strerror(errno));
	for (i = 0; i < c->ioas.nr_map; i++)
		need += c->ioas.map[i].size;
	return vfio_err_memlock(need, err, errlen);
}

static void ioas_unmap_one(struct vfio_container *c, const struct vfio_dma *d)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = c->ioas.id, .iova = d->iova,
		.length = d->size,
	};

	if (seam_ioctl(c->ops, c->ioas.fd, IOMMU_IOAS_UNMAP, &u))
		pr_warn("vfio: IOMMU_IOAS_UNMAP 0x%llx+0x%llx: %s",
			(unsigned long long)d->iova,
			(unsigned long long)d->size, strerror(errno));
}

void vfio_ioas_unmap_all(struct vfio_container *c)
{
	while (c->ioas.nr_map)
		ioas_unmap_one(c, &c->ioas.map[--c->ioas.nr_map]);
}

int vfio_ioas_map_guest(struct vfio_container *c, const struct guest_mem *m,
			char *err, size_t errlen)
{
	int i;

	if (c->ioas.fd < 0)
		return set_err(err, errlen, "vfio: IOAS map without a device");
	if (c->ioas.nr_map)
		return 0;
	for (i = 0; i < m->nr; i++)
		if (vfio_iova_fits(c->ioas.iova, c->ioas.nr_iova, m->r[i].gpa,
				   m->r[i].size, err, errlen))
			return -1;
	for (i = 0; i < m->nr; i++) {
		if (ioas_map(c, m->r[i].gpa, m->r[i].size, m->r[i].hva, err,
			     errlen)) {
			vfio_ioas_unmap_all(c);
			return -1;
		}
	}
	return 0;
}
