/* DMA dirty tracking for live migration (include/vfio/vfio.h): type1's
 * VFIO_IOMMU_DIRTY_PAGES on the VM's container (start, a bitmap per
 * guest RAM mapping, stop) where the container advertises it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "vfio/vfio.h"

/* VFIO_IOMMU_DIRTY_PAGES with one flag and, for GET_BITMAP, its range. */
static int dirty_pages(struct vfio_container *c, u32 flag,
		       struct vfio_iommu_type1_dirty_bitmap_get *get)
{
	u64 buf[(sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(*get) + 7) / 8] = { 0 };
	struct vfio_iommu_type1_dirty_bitmap *d = (void *)buf;

	d->argsz = sizeof(*d) + (get ? sizeof(*get) : 0);
	d->flags = flag;
	if (get)
		memcpy(d->data, get, sizeof(*get));
	return seam_ioctl(c->ops, c->fd, VFIO_IOMMU_DIRTY_PAGES, d);
}

int vfio_dirty_start(struct vfio_container *c, u64 page, char *why,
		     size_t len)
{
	if (c->ioas.users)
		return set_err(why, len, "devices on iommufd, whose DMA lkvm "
			       "does not track");
	if (c->fd < 0 || !c->groups)
		return set_err(why, len, "no type1 container");
	if (!(c->dirty_pgsizes & page))
		return set_err(why, len, "the type1 container tracks no dirty "
			       "%llu KiB pages (VFIO_IOMMU_TYPE1_INFO_CAP_"
			       "MIGRATION%s)", (unsigned long long)page >> 10,
			       c->dirty_pgsizes ? "" : " absent");
	if (dirty_pages(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START, NULL))
		return set_err(why, len, "VFIO_IOMMU_DIRTY_PAGES start: %s",
			       strerror(errno));
	c->dirty_on = true;
	return 0;
}

int vfio_dirty_get(struct vfio_container *c, u64 iova, u64 size, u64 page,
		   u64 *bits, char *err, size_t errlen)
{
	struct vfio_iommu_type1_dirty_bitmap_get g = {
		.iova = iova, .size = size,
		.bitmap = { .pgsize = page, .size = (size / page + 63) / 64 * 8,
			    .data = (void *)bits },
	};

	if (!c->dirty_on)
		return set_err(err, errlen, "vfio: DMA dirty tracking is off");
	if (g.bitmap.size > c->dirty_max_bitmap)
		return set_err(err, errlen, "vfio: a %llu-byte dirty bitmap is "
			       "more than the container's %llu",
			       (unsigned long long)g.bitmap.size,
			       (unsigned long long)c->dirty_max_bitmap);
	if (dirty_pages(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP, &g))
		return set_err(err, errlen, "vfio: VFIO_IOMMU_DIRTY_PAGES "
			       "bitmap of 0x%llx+0x%llx: %s",
			       (unsigned long long)iova,
			       (unsigned long long)size, strerror(errno));
	return 0;
}

void vfio_dirty_stop(struct vfio_container *c)
{
	if (!c->dirty_on)
		return;
	c->dirty_on = false;
	if (c->fd >= 0 && dirty_pages(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP,
				      NULL))
		pr_warn("vfio: VFIO_IOMMU_DIRTY_PAGES stop: %s",
			strerror(errno));
}
