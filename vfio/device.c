/* An opened VFIO device: its fd, device/region/IRQ info with every region
 * capability parsed (sparse mmap, MSI-X mappable, type), region access and
 * mmaps, SET_IRQS helpers, reset, and a teardown that releases it all. */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include "pci/pci.h"
#include "vfio/vfio.h"

#define VFIO_MAX_REGIONS	64	/* sanity bound on num_regions */

/* ---- info ---- */

static int region_cap(const struct vfio_info_cap_header *h, size_t avail,
		      void *arg)
{
	const struct vfio_region_info_cap_sparse_mmap *sp = (const void *)h;
	const struct vfio_region_info_cap_type *ty = (const void *)h;
	struct vfio_region *r = arg;
	u32 i;

	switch (h->id) {
	case VFIO_REGION_INFO_CAP_SPARSE_MMAP:
		if (avail < sizeof(*sp) || avail < sizeof(*sp) +
		    (u64)sp->nr_areas * sizeof(sp->areas[0]))
			return -1;
		r->has_sparse = true;
		r->nr_sparse = 0;
		for (i = 0; i < sp->nr_areas && i < VFIO_MAX_SPARSE; i++) {
			r->sparse[i].offset = sp->areas[i].offset;
			r->sparse[i].size = sp->areas[i].size;
			r->nr_sparse++;
		}
		if (sp->nr_areas > VFIO_MAX_SPARSE)
			pr_warn("vfio: region %u: %u sparse mmap areas, "
				"mapping the first %d", r->index, sp->nr_areas,
				VFIO_MAX_SPARSE);
		break;
	case VFIO_REGION_INFO_CAP_MSIX_MAPPABLE:
		r->msix_mappable = true;
		break;
	case VFIO_REGION_INFO_CAP_TYPE:
		if (avail < sizeof(*ty))
			return -1;
		r->has_type = true;
		r->type = ty->type;
		r->subtype = ty->subtype;
		break;
	}
	return 0;
}

/* Second VFIO_DEVICE_GET_REGION_INFO with room for the capabilities. */
static int region_caps(struct vfio_device *dev, struct vfio_region *r,
		       u32 size, char *err, size_t errlen)
{
	struct vfio_region_info *info = calloc(1, size);
	int ret = 0;

	if (!info)
		return set_err(err, errlen, "vfio: out of memory");
	info->argsz = size;
	info->index = r->index;
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_GET_REGION_INFO, info))
		ret = set_err(err, errlen, "vfio %s: region %u info: %s",
			      dev->spec.name, r->index, strerror(errno));
	else if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		ret = 0;
	else if (vfio_cap_walk(info, MIN(size, info->argsz), info->cap_offset,
			       region_cap, r) < 0)
		ret = set_err(err, errlen, "vfio %s: region %u: malformed "
			      "capability chain", dev->spec.name, r->index);
	free(info);
	return ret;
}

static int region_info(struct vfio_device *dev, struct vfio_region *r,
		       u32 index, char *err, size_t errlen)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	memset(r, 0, sizeof(*r));
	r->index = index;
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_GET_REGION_INFO, &info)) {
		if (errno == EINVAL)	/* e.g. VGA on a non-VGA device */
			return 0;
		return set_err(err, errlen, "vfio %s: region %u info: %s",
			       dev->spec.name, index, strerror(errno));
	}
	r->flags = info.flags;
	r->size = info.size;
	r->offset = info.offset;
	r->present = info.size > 0;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS) ||
	    info.argsz <= sizeof(info))
		return 0;
	return region_caps(dev, r, info.argsz, err, errlen);
}

static int irq_info(struct vfio_device *dev, u32 index, char *err,
		    size_t errlen)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	struct vfio_irq *q = &dev->irqs[index];

	memset(q, 0, sizeof(*q));
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info)) {
		if (errno == EINVAL)
			return 0;
		return set_err(err, errlen, "vfio %s: IRQ %u info: %s",
			       dev->spec.name, index, strerror(errno));
	}
	q->flags = info.flags;
	q->count = info.count;
	q->present = info.count > 0;
	return 0;
}

static int device_info(struct vfio_device *dev, char *err, size_t errlen)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	u32 i;

	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_GET_INFO, &info))
		return set_err(err, errlen, "vfio %s: VFIO_DEVICE_GET_INFO: %s",
			       dev->spec.name, strerror(errno));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return set_err(err, errlen, "vfio %s: not a vfio-pci device "
			       "(flags 0x%x)", dev->spec.name, info.flags);
	if (info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX ||
	    info.num_regions > VFIO_MAX_REGIONS)
		return set_err(err, errlen, "vfio %s: unexpected region count "
			       "%u", dev->spec.name, info.num_regions);
	dev->flags = info.flags;
	dev->reset_works = info.flags & VFIO_DEVICE_FLAGS_RESET;
	dev->regions = calloc(info.num_regions, sizeof(*dev->regions));
	if (!dev->regions)
		return set_err(err, errlen, "vfio: out of memory");
	dev->num_regions = info.num_regions;
	for (i = 0; i < dev->num_regions; i++)
		if (region_info(dev, &dev->regions[i], i, err, errlen))
			return -1;
	if (!dev->regions[VFIO_PCI_CONFIG_REGION_INDEX].present)
		return set_err(err, errlen, "vfio %s: no config space region",
			       dev->spec.name);
	dev->num_irqs = info.num_irqs;
	for (i = 0; i < MIN(info.num_irqs, (u32)VFIO_PCI_NUM_IRQS); i++)
		if (irq_info(dev, i, err, errlen))
			return -1;
	return 0;
}

/* ---- open / close ---- */

/* The legacy path: the group joins the container, then GET_DEVICE_FD. */
static int legacy_open(struct vfio_device *dev, int gid, char *err,
		       size_t errlen)
{
	dev->group = vfio_group_get(dev->c, gid, err, errlen);
	if (!dev->group)
		return -1;
	dev->fd = seam_ioctl(dev->ops, dev->group->fd, VFIO_GROUP_GET_DEVICE_FD,
			     dev->spec.name);
	if (dev->fd < 0)
		return set_err(err, errlen, "vfio %s: VFIO_GROUP_GET_DEVICE_FD: "
			       "%s", dev->spec.name, strerror(errno));
	return 0;
}

/* Host checks, then iommufd (iommu=iommufd, fd=N, or auto with a cdev and
 * /dev/iommu) or the legacy group/container. */
static int backend_open(struct vfio_device *dev, char *err, size_t errlen)
{
	const struct vfio_spec *spec = &dev->spec;
	int gid = -1, r = 1;

	if (spec->has_fd)
		return vfio_cdev_open(dev, err, errlen) ? -1 : 0;
	if (spec->resolved)	/* lkvm vfio add checked it on the host */
		return legacy_open(dev, spec->group, err, errlen);
	if (spec->mdev ? vfio_host_check_mdev(dev->ops, spec, &gid, err,
					      errlen) :
	    vfio_host_check_device(dev->ops, spec->name, &gid, err, errlen))
		return -1;
	if (spec->iommu != VFIO_IOMMU_LEGACY)
		r = vfio_cdev_open(dev, err, errlen);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (err)
		err[0] = 0;
	return legacy_open(dev, gid, err, errlen);
}

int vfio_device_open(struct vfio_container *c, const struct vfio_spec *spec,
		     struct vfio_device *dev, char *err, size_t errlen)
{
	memset(dev, 0, sizeof(*dev));
	dev->spec = *spec;
	dev->c = c;
	dev->ops = c->ops;
	dev->fd = -1;
	if (backend_open(dev, err, errlen))
		goto fail;
	if (device_info(dev, err, errlen))
		goto fail;
	if (dev->reset_works)	/* a bus reset waits for every device */
		vfio_device_reset(dev);
	return 0;
fail:
	vfio_device_close(dev);
	return -1;
}

void vfio_device_backend(const struct vfio_device *dev, char *buf,
			 size_t len)
{
	const struct vfio_container *c = dev->c;

	if (!c)
		snprintf(buf, len, "closed");
	else if (dev->cdev)
		snprintf(buf, len, "iommufd (/dev/vfio/devices/%s%s, IOAS %u)",
			 dev->cdev_name, dev->spec.has_fd ? " from the launcher"
			 : "", c->ioas.id);
	else
		snprintf(buf, len, "legacy (group %d, /dev/vfio/vfio %s)",
			 dev->group ? dev->group->id : -1,
			 c->iommu_type == VFIO_TYPE1v2_IOMMU ? "type1v2" :
			 "type1");
}

int vfio_device_map_guest(struct vfio_device *dev, const struct guest_mem *m,
			  char *err, size_t errlen)
{
	if (dev->cdev)
		return vfio_ioas_map_guest(dev->c, m, err, errlen);
	if (dev->c->nr_dma)
		return 0;
	return vfio_dma_map_guest(dev->c, m, err, errlen);
}

static void unmap_all(struct vfio_device *dev)
{
	u32 i;

	for (i = 0; i < VFIO_DEV_MAX_MMAPS; i++)
		if (dev->mmaps[i].addr)
			vfio_region_munmap(dev, dev->mmaps[i].addr);
}

/* Without a reset, at least stop the device's DMA before the IOMMU
 * mappings go away. */
static void stop_bus_master(struct vfio_device *dev)
{
	u16 cmd;

	if (vfio_cfg_read(dev, PCI_COMMAND, &cmd, 2))
		return;
	cmd &= ~htole16(PCI_COMMAND_MASTER);
	vfio_cfg_write(dev, PCI_COMMAND, &cmd, 2);
}

void vfio_device_close(struct vfio_device *dev)
{
	u32 i;

	if (!dev->c)
		return;
	if (dev->fd >= 0) {
		for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
			if (dev->irqs[i].enabled || dev->irqs[i].resample)
				vfio_irq_disable(dev, i);
		unmap_all(dev);
		if (dev->regions && !dev->reset_works)
			stop_bus_master(dev);
		if (dev->regions && !dev->exit_reset_done)
			vfio_device_reset(dev);
	}
	if (dev->cdev) {
		vfio_cdev_close(dev);
	} else if (dev->fd >= 0) {
		seam_close(dev->ops, dev->fd);
		dev->fd = -1;
	}
	free(dev->regions);
	dev->regions = NULL;
	dev->num_regions = 0;
	vfio_group_put(dev->group);
	dev->group = NULL;
	dev->c = NULL;
}

int vfio_device_reset(struct vfio_device *dev)
{
	char why[192];

	if (!dev->reset_works) {
		if (!vfio_device_hot_reset(dev, why, sizeof(why)))
			return 0;
		if (!dev->reset_noted)
			pr_info("vfio %s: the device has no reset (FLR or PM) "
				"and no bus reset: %s; state left by the host "
				"or a previous guest may remain",
				dev->spec.name, why);
		dev->reset_noted = true;
		return 0;
	}
	if (seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_RESET, NULL)) {
		pr_warn("vfio %s: VFIO_DEVICE_RESET: %s", dev->spec.name,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- regions ---- */

const struct vfio_region *vfio_device_region(const struct vfio_device *dev,
					     u32 index)
{
	if (index >= dev->num_regions || !dev->regions[index].present)
		return NULL;
	return &dev->regions[index];
}

static const struct vfio_region *region_span(struct vfio_device *dev,
					     u32 index, u64 off, u64 len)
{
	const struct vfio_region *r = vfio_device_region(dev, index);

	if (!r || off > r->size || len > r->size - off) {
		errno = EINVAL;
		return NULL;
	}
	return r;
}

static int region_io(struct vfio_device *dev, u32 index, u64 off, void *buf,
		     size_t len, bool write)
{
	const struct vfio_region *r = region_span(dev, index, off, len);
	ssize_t n;

	if (!r)
		return -1;
	n = write ? seam_pwrite(dev->ops, dev->fd, buf, len, r->offset + off) :
		    seam_pread(dev->ops, dev->fd, buf, len, r->offset + off);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

int vfio_region_read(struct vfio_device *dev, u32 index, u64 off, void *buf,
		     size_t len)
{
	return region_io(dev, index, off, buf, len, false);
}

int vfio_region_write(struct vfio_device *dev, u32 index, u64 off,
		      const void *buf, size_t len)
{
	return region_io(dev, index, off, (void *)buf, len, true);
}

int vfio_cfg_read(struct vfio_device *dev, u32 off, void *buf, size_t len)
{
	return vfio_region_read(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
				len);
}

int vfio_cfg_write(struct vfio_device *dev, u32 off, const void *buf,
		   size_t len)
{
	return vfio_region_write(dev, VFIO_PCI_CONFIG_REGION_INDEX, off, buf,
				 len);
}

static bool in_sparse(const struct vfio_region *r, u64 off, u64 size)
{
	u32 i;

	if (!r->has_sparse)
		return true;
	for (i = 0; i < r->nr_sparse; i++)
		if (off >= r->sparse[i].offset &&
		    off + size <= r->sparse[i].offset + r->sparse[i].size)
			return true;
	return false;
}

static struct vfio_mmap *mmap_slot(struct vfio_device *dev)
{
	u32 i;

	for (i = 0; i < VFIO_DEV_MAX_MMAPS; i++)
		if (!dev->mmaps[i].addr)
			return &dev->mmaps[i];
	return NULL;
}

void *vfio_region_mmap(struct vfio_device *dev, u32 index, u64 off, u64 size,
		       int prot, char *err, size_t errlen)
{
	const struct vfio_region *r = region_span(dev, index, off, size);
	u64 page = (u64)sysconf(_SC_PAGESIZE);
	struct vfio_mmap *m;
	void *p;

	if (!r || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP) || !size ||
	    !IS_ALIGNED(off | size, page) || !in_sparse(r, off, size)) {
		set_err(err, errlen, "vfio %s: region %u: 0x%llx+0x%llx cannot "
			"be mmapped", dev->spec.name, index,
			(unsigned long long)off, (unsigned long long)size);
		return NULL;
	}
	m = mmap_slot(dev);
	if (!m) {
		set_err(err, errlen, "vfio %s: too many mmaps", dev->spec.name);
		return NULL;
	}
	p = seam_mmap(dev->ops, size, prot, dev->fd, r->offset + off);
	if (p == MAP_FAILED) {
		set_err(err, errlen, "vfio %s: mmap of region %u 0x%llx+0x%llx: "
			"%s", dev->spec.name, index, (unsigned long long)off,
			(unsigned long long)size, strerror(errno));
		return NULL;
	}
	*m = (struct vfio_mmap){ p, size, index, off };
	dev->nr_mmaps++;
	return p;
}

int vfio_region_munmap(struct vfio_device *dev, void *addr)
{
	u32 i;

	for (i = 0; i < VFIO_DEV_MAX_MMAPS; i++) {
		struct vfio_mmap *m = &dev->mmaps[i];

		if (!addr || m->addr != addr)
			continue;
		seam_munmap(dev->ops, m->addr, m->size);
		memset(m, 0, sizeof(*m));
		dev->nr_mmaps--;
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* ---- config space views for the planners ---- */

static int cfg_u16(struct vfio_device *dev, u32 off, u16 *v)
{
	if (vfio_cfg_read(dev, off, v, 2))
		return -1;
	*v = le16toh(*v);
	return 0;
}

static int cfg_u32(struct vfio_device *dev, u32 off, u32 *v)
{
	if (vfio_cfg_read(dev, off, v, 4))
		return -1;
	*v = le32toh(*v);
	return 0;
}

/* pci_cap_walk's reader over the device's config region */
static int cfg_rd(const void *src, u32 off, u32 len, u32 *v)
{
	u8 b[4] = { 0 };

	if (vfio_cfg_read((struct vfio_device *)src, off, b, len))
		return -1;
	*v = b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
	return 0;
}

static int match_id(void *arg, u32 off, u16 id)
{
	return id == *(u8 *)arg ? (int)off : 0;
}

u8 vfio_device_find_cap(struct vfio_device *dev, u8 id)
{
	return (u8)pci_cap_walk(cfg_rd, dev, PCI_CFG_SIZE, false, match_id,
				&id);
}

int vfio_device_bar_region(struct vfio_device *dev, int bar,
			   struct bar_region *out, char *err, size_t errlen)
{
	const struct vfio_region *r;
	u32 v;

	memset(out, 0, sizeof(*out));
	if (bar < 0 || bar >= PCI_NUM_BARS)
		return set_err(err, errlen, "vfio: bad BAR %d", bar);
	r = vfio_device_region(dev, VFIO_PCI_BAR0_REGION_INDEX + bar);
	if (!r)
		return 0;
	if (cfg_u32(dev, PCI_BASE_ADDRESS_0 + 4 * bar, &v))
		return set_err(err, errlen, "vfio %s: reading BAR%d: %s",
			       dev->spec.name, bar, strerror(errno));
	out->size = r->size;
	out->is_io = v & PCI_BASE_ADDRESS_SPACE_IO;
	if (!out->is_io) {
		out->is_64 = (v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			     PCI_BASE_ADDRESS_MEM_TYPE_64;
		out->prefetch = v & PCI_BASE_ADDRESS_MEM_PREFETCH;
	}
	out->mmap = r->flags & VFIO_REGION_INFO_FLAG_MMAP;
	out->msix_mappable = r->msix_mappable;
	out->has_sparse = r->has_sparse;
	out->nr_sparse = r->nr_sparse;
	memcpy(out->sparse, r->sparse, sizeof(out->sparse));
	return 0;
}

static int read_msix(struct vfio_device *dev, u8 pos, struct msix_info *m,
		     char *err, size_t errlen)
{
	u32 table, pba;
	u16 ctrl;

	if (cfg_u16(dev, pos + PCI_MSIX_FLAGS, &ctrl) ||
	    cfg_u32(dev, pos + PCI_MSIX_TABLE, &table) ||
	    cfg_u32(dev, pos + PCI_MSIX_PBA, &pba))
		return set_err(err, errlen, "vfio %s: reading MSI-X: %s",
			       dev->spec.name, strerror(errno));
	if (msix_info_decode(ctrl, table, pba, m))
		return set_err(err, errlen, "vfio %s: MSI-X in BAR %u/%u",
			       dev->spec.name, m->table_bir, m->pba_bir);
	return 0;
}

int vfio_device_layout(struct vfio_device *dev, struct pci_bar_layout *l,
		       char *err, size_t errlen)
{
	u8 pos;
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < PCI_NUM_BARS; i++)
		if (vfio_device_bar_region(dev, i, &l->bar[i], err, errlen))
			return -1;
	pos = vfio_device_find_cap(dev, PCI_CAP_ID_MSIX);
	if (!pos)
		return 0;
	l->has_msix = true;
	return read_msix(dev, pos, &l->msix, err, errlen);
}

/* ---- IRQs ---- */

static int set_irqs(struct vfio_device *dev, u32 index, u32 flags, u32 start,
		    u32 count, const void *data, size_t dlen)
{
	struct vfio_irq_set *s;
	size_t sz = sizeof(*s) + dlen;
	int ret;

	s = calloc(1, sz);
	if (!s)
		return -1;
	s->argsz = sz;
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (dlen)
		memcpy(s->data, data, dlen);
	ret = seam_ioctl(dev->ops, dev->fd, VFIO_DEVICE_SET_IRQS, s);
	free(s);
	return ret;
}

static bool irq_range_ok(struct vfio_device *dev, u32 index, u32 start,
			 u32 count)
{
	if (dev->fd < 0 || index >= VFIO_PCI_NUM_IRQS ||
	    !dev->irqs[index].present || !count ||
	    start > dev->irqs[index].count ||
	    count > dev->irqs[index].count - start) {
		errno = EINVAL;
		return false;
	}
	return true;
}

int vfio_irq_set_eventfds(struct vfio_device *dev, u32 index, u32 start,
			  u32 count, const int *fds)
{
	int32_t *data;
	u32 i;
	int ret;

	if (!irq_range_ok(dev, index, start, count))
		return -1;
	data = calloc(count, sizeof(*data));
	if (!data)
		return -1;
	for (i = 0; i < count; i++)
		data[i] = fds[i] < 0 ? -1 : fds[i];
	ret = set_irqs(dev, index, VFIO_IRQ_SET_DATA_EVENTFD |
		       VFIO_IRQ_SET_ACTION_TRIGGER, start, count, data,
		       count * sizeof(*data));
	free(data);
	if (ret) {
		pr_err("vfio %s: SET_IRQS index %u vectors %u-%u: %s",
		       dev->spec.name, index, start, start + count - 1,
		       strerror(errno));
		return -1;
	}
	dev->irqs[index].enabled = true;
	return 0;
}

int vfio_irq_disable(struct vfio_device *dev, u32 index)
{
	if (dev->fd < 0 || index >= VFIO_PCI_NUM_IRQS) {
		errno = EINVAL;
		return -1;
	}
	dev->irqs[index].enabled = false;
	dev->irqs[index].resample = false;
	if (set_irqs(dev, index, VFIO_IRQ_SET_DATA_NONE |
		     VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, NULL, 0)) {
		pr_warn("vfio %s: disabling IRQ index %u: %s", dev->spec.name,
			index, strerror(errno));
		return -1;
	}
	return 0;
}

int vfio_intx_enable(struct vfio_device *dev, int trigger_fd,
		     int resample_fd)
{
	int32_t fd = resample_fd;

	if (vfio_irq_set_eventfds(dev, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
				  &trigger_fd))
		return -1;
	if (resample_fd < 0)
		return 0;
	if (set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_EVENTFD |
		     VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, &fd, sizeof(fd))) {
		if (errno == ENOTTY) {	/* no resample support (mtty) */
			pr_debug("vfio %s: no INTx unmask eventfd: unmasking "
				 "on EOI by SET_IRQS", dev->spec.name);
			return 0;
		}
		pr_err("vfio %s: INTx unmask eventfd: %s", dev->spec.name,
		       strerror(errno));
		vfio_irq_disable(dev, VFIO_PCI_INTX_IRQ_INDEX);
		return -1;
	}
	dev->irqs[VFIO_PCI_INTX_IRQ_INDEX].resample = true;
	return 0;
}

int vfio_intx_unmask(struct vfio_device *dev)
{
	return set_irqs(dev, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
			VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, 0);
}
