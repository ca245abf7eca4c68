/* The simulated VFIO kernel behind tests/unit/vfio_sim.h: sysfs tree
 * building, device layouts (QEMU nvme and e1000e, I350, a SAS HBA) and the
 * seam ops that emulate the container, group and device ioctls and the
 * migration data fds. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include "sim/vfio_sim.h"
#include "sim/vfio_layouts.h"
#include "vfio/mig_uapi.h"

static void sim_write_interrupts(struct vfio_sim *s);
static void db_intx(struct vfio_sim *s, struct sim_dev *d);

/* ---- sysfs ---- */

static void mkdir_p(const char *path)
{
	char buf[512], *p;

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

/* snprintf without truncation warnings: paths here are short. */
static void pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void spath(struct vfio_sim *s, char *buf, size_t len, const char *fmt,
		  ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s/", s->root);

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

void vfio_sim_sysfs(struct vfio_sim *s, const char *name, int group,
		    const char *driver, u32 class_code)
{
	char dev[256], p[256], t[256];
	FILE *f;

	spath(s, dev, sizeof(dev), "bus/pci/devices/%s", name);
	mkdir_p(dev);
	pathf(p, sizeof(p), "%s/class", dev);
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "0x%06x\n", class_code);
		fclose(f);
	}
	if (driver) {
		spath(s, t, sizeof(t), "bus/pci/drivers/%s", driver);
		mkdir_p(t);
		pathf(p, sizeof(p), "%s/driver", dev);
		if (symlink(t, p))
			perror("symlink");
	}
	if (group < 0)
		return;
	spath(s, t, sizeof(t), "kernel/iommu_groups/%d/devices", group);
	mkdir_p(t);
	pathf(p, sizeof(p), "%s/%s", t, name);
	if (symlink(dev, p))
		perror("symlink");
	spath(s, t, sizeof(t), "kernel/iommu_groups/%d", group);
	pathf(p, sizeof(p), "%s/iommu_group", dev);
	if (symlink(t, p))
		perror("symlink");
}

/* An mdev: its node under the parent, the bus link, the group link. */
static void mdev_sysfs(struct vfio_sim *s, const char *uuid, int group)
{
	char dev[256], p[256], t[256];

	spath(s, dev, sizeof(dev), "devices/virtual/mtty/mtty/%s", uuid);
	mkdir_p(dev);
	spath(s, t, sizeof(t), "class/mdev_bus/mtty/mdev_supported_types/"
	      "mtty-1");
	mkdir_p(t);
	spath(s, t, sizeof(t), "bus/mdev/devices");
	mkdir_p(t);
	pathf(p, sizeof(p), "%s/%s", t, uuid);
	if (symlink(dev, p))
		perror("symlink");
	spath(s, t, sizeof(t), "kernel/iommu_groups/%d/devices", group);
	mkdir_p(t);
	pathf(p, sizeof(p), "%s/%s", t, uuid);
	if (symlink(dev, p))
		perror("symlink");
	spath(s, t, sizeof(t), "kernel/iommu_groups/%d", group);
	pathf(p, sizeof(p), "%s/iommu_group", dev);
	if (symlink(t, p))
		perror("symlink");
}

/* ---- config space ---- */

static void put16(u8 *c, u32 off, u16 v)
{
	c[off] = v;
	c[off + 1] = v >> 8;
}

static void put32(u8 *c, u32 off, u32 v)
{
	put16(c, off, v);
	put16(c, off + 2, v >> 16);
}

static void cfg_header(struct sim_dev *d, u16 vendor, u16 device, u32 class)
{
	u32 addr = 0xfe000000;
	int i;

	put16(d->cfg, PCI_VENDOR_ID, vendor);
	put16(d->cfg, PCI_DEVICE_ID, device);
	put16(d->cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	put32(d->cfg, PCI_CLASS_REVISION, class << 8);
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	for (i = 0; i < PCI_NUM_BARS; i++) {
		const struct bar_region *b = &d->layout.bar[i];
		u32 v;

		if (!b->size)
			continue;
		if (b->is_io) {
			v = 0xc000 | PCI_BASE_ADDRESS_SPACE_IO;
		} else {
			v = addr | (b->is_64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0) |
			    (b->prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0);
			addr += 0x100000;
		}
		put32(d->cfg, PCI_BASE_ADDRESS_0 + 4 * i, v);
	}
}

/* Links caps in the order given: (id, offset) pairs ending with id 0. */
static void cfg_caps(struct sim_dev *d, const u8 *caps)
{
	u8 *prev = &d->cfg[PCI_CAPABILITY_LIST];

	for (; caps[0]; caps += 2) {
		*prev = caps[1];
		d->cfg[caps[1]] = caps[0];
		prev = &d->cfg[caps[1] + 1];
	}
	*prev = 0;
}

static void cfg_msix(struct sim_dev *d, u8 pos)
{
	const struct msix_info *m = &d->layout.msix;

	put16(d->cfg, pos + PCI_MSIX_FLAGS, m->vectors - 1);
	put32(d->cfg, pos + PCI_MSIX_TABLE, m->table_offset | m->table_bir);
	put32(d->cfg, pos + PCI_MSIX_PBA, m->pba_offset | m->pba_bir);
}

static void sim_nvme(struct sim_dev *d)
{
	static const u8 caps[] = { PCI_CAP_ID_MSIX, 0x40, PCI_CAP_ID_PM, 0x60,
				   PCI_CAP_ID_EXP, 0x80, 0 };

	d->layout = layout_nvme;
	cfg_header(d, 0x1b36, 0x0010, 0x010802);
	cfg_caps(d, caps);
	cfg_msix(d, 0x40);
	d->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 0;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 65;
}

static void sim_e1000e(struct sim_dev *d)
{
	static const u8 caps[] = { PCI_CAP_ID_PM, 0xc8, PCI_CAP_ID_MSI, 0xd0,
				   PCI_CAP_ID_EXP, 0xe0, PCI_CAP_ID_MSIX, 0xa0,
				   0 };
	int i;

	d->layout = layout_e1000e;
	for (i = 0; i < PCI_NUM_BARS; i++)	/* only the table BAR has it */
		d->layout.bar[i].msix_mappable = i == 3;
	d->rom_size = 256 * 1024;
	cfg_header(d, 0x8086, 0x10d3, 0x020000);
	cfg_caps(d, caps);
	cfg_msix(d, 0xa0);
	put16(d->cfg, 0xd0 + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	d->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 5;
}

static void sim_i350(struct sim_dev *d)
{
	static const u8 caps[] = { PCI_CAP_ID_PM, 0x40, PCI_CAP_ID_MSI, 0x50,
				   PCI_CAP_ID_MSIX, 0x70, PCI_CAP_ID_EXP, 0xa0,
				   0 };
	int i;

	d->layout = layout_i350;
	for (i = 0; i < PCI_NUM_BARS; i++)
		d->layout.bar[i].msix_mappable = i == 3;
	cfg_header(d, 0x8086, 0x1521, 0x020000);
	cfg_caps(d, caps);
	cfg_msix(d, 0x70);
	d->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 10;
}

/* An old-kernel view: sparse areas around the table, no reset, and a
 * device-specific region with a TYPE capability. */
static void sim_sas(struct sim_dev *d)
{
	static const u8 caps[] = { PCI_CAP_ID_PM, 0x50, PCI_CAP_ID_EXP, 0x68,
				   PCI_CAP_ID_MSI, 0x98, PCI_CAP_ID_MSIX, 0xc0,
				   0 };
	int i;

	d->layout = layout_sas;
	for (i = 0; i < PCI_NUM_BARS; i++)
		d->layout.bar[i].msix_mappable = false;
	layout_old_kernel(&d->layout, SZ_4K);
	cfg_header(d, 0x1000, 0x0097, 0x010700);
	cfg_caps(d, caps);
	cfg_msix(d, 0xc0);
	d->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_MSIX_IRQ_INDEX] = 16;
	d->dev_flags &= ~VFIO_DEVICE_FLAGS_RESET;
	d->type_region = true;
}

/* mtty-1: one 16550 port in an 8-byte I/O BAR, INTx only, no caps. */
static void sim_mtty(struct sim_dev *d)
{
	d->layout = (struct pci_bar_layout){ .bar = { [0] = IOBAR(8) } };
	cfg_header(d, 0x4348, 0x3253, 0x070002);
	put16(d->cfg, PCI_STATUS, 0);
	d->cfg_size = 0xff;
	d->no_unmask_efd = true;
	d->irq_count[VFIO_PCI_MSI_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 0;
	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 0;
	vfio_sim_migratable(d);		/* 6.12's mtty has migration */
}

static void alloc_mem(struct sim_dev *d)
{
	int i;

	for (i = 0; i < 7; i++) {
		u64 sz = i < PCI_NUM_BARS ? d->layout.bar[i].size : d->rom_size;
		void *p;

		if (!sz)
			continue;
		sz = ALIGN_UP(sz, getpagesize());
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		d->mem[i] = p;
		d->mem_size[i] = sz;
	}
}

struct sim_dev *vfio_sim_add(struct vfio_sim *s, enum sim_kind kind,
			     const char *name, int group)
{
	struct sim_dev *d = &s->dev[s->nr_dev++];
	int i, j;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->group = group;
	d->kind = kind;
	d->cfg_size = 4096;
	d->dev_flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	d->intx_unmask_fd = -1;
	d->mig_fd = -1;
	d->cdev = -1;
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		for (j = 0; j < SIM_MAX_VEC; j++)
			d->irq_fd[i][j] = -1;
	if (kind == SIM_NVME)
		sim_nvme(d);
	else if (kind == SIM_E1000E)
		sim_e1000e(d);
	else if (kind == SIM_I350)
		sim_i350(d);
	else if (kind == SIM_SAS)
		sim_sas(d);
	else
		sim_mtty(d);
	alloc_mem(d);
	for (i = 0; d->mem[6] && i < (int)d->rom_size; i++)
		d->mem[6][i] = i == 0 ? 0x55 : i == 1 ? 0xaa :
					  (u8)(i * 7);	/* an option ROM */
	if (kind == SIM_MTTY)
		mdev_sysfs(s, name, group);
	else
		vfio_sim_sysfs(s, name, group, "vfio-pci",
		       (u32)d->cfg[PCI_CLASS_DEVICE + 1] << 16 |
		       (u32)d->cfg[PCI_CLASS_DEVICE] << 8 |
		       d->cfg[PCI_CLASS_PROG]);
	return d;
}

struct sim_dev *vfio_sim_find(struct vfio_sim *s, const char *name)
{
	int i;

	for (i = 0; i < s->nr_dev; i++)
		if (!strcmp(s->dev[i].name, name))
			return &s->dev[i];
	return NULL;
}

/* ---- fds ---- */

int sim_fd_new(struct vfio_sim *s, int kind, int obj)
{
	int i;

	for (i = 0; i < SIM_MAX_FDS; i++) {
		if (s->fds[i].kind != FD_FREE)
			continue;
		memset(&s->fds[i], 0, sizeof(s->fds[i]));
		s->fds[i].kind = kind;
		s->fds[i].obj = obj;
		s->open_fds++;
		return SIM_FD_BASE + i;
	}
	errno = EMFILE;
	return -1;
}

/* Kind of fd (FD_FREE when unknown), *obj its object. */
int sim_fd_kind(struct vfio_sim *s, int fd, int *obj)
{
	int i = fd - SIM_FD_BASE;

	if (i < 0 || i >= SIM_MAX_FDS)
		return FD_FREE;
	*obj = s->fds[i].obj;
	return s->fds[i].kind;
}

static bool group_open(struct vfio_sim *s, int id)
{
	int i;

	for (i = 0; i < SIM_MAX_FDS; i++)
		if (s->fds[i].kind == FD_GROUP && s->fds[i].obj == id)
			return true;
	return false;
}

static bool group_exists(struct vfio_sim *s, int id)
{
	int i;

	for (i = 0; i < s->nr_dev; i++)
		if (s->dev[i].group == id)
			return true;
	return false;
}

static int sim_open(void *ctx, const char *path, int flags)
{
	struct vfio_sim *s = ctx;
	int id = sim_iommufd_open(s, path);

	if (id != -2)
		return id;
	if (!strcmp(path, "/dev/vfio/vfio")) {
		if (s->container_errno) {
			errno = s->container_errno;
			return -1;
		}
		return sim_fd_new(s, FD_CONTAINER, 0);
	}
	if (sscanf(path, "/dev/vfio/%d", &id) != 1 || !group_exists(s, id) ||
	    id < 0 || id >= SIM_MAX_GROUPS) {
		errno = ENOENT;
		return -1;
	}
	if (s->group_errno) {
		errno = s->group_errno;
		return -1;
	}
	if (group_open(s, id)) {
		errno = EBUSY;
		return -1;
	}
	return sim_fd_new(s, FD_GROUP, id);
}

static void container_reset(struct vfio_sim *s)
{
	s->iommu_type = 0;
	s->nr_dma = 0;
}

static bool any_attached(struct vfio_sim *s)
{
	int i;

	for (i = 0; i < SIM_MAX_GROUPS; i++)
		if (s->attached[i])
			return true;
	return false;
}

static void group_unset(struct vfio_sim *s, int id)
{
	s->attached[id] = false;
	if (!any_attached(s))
		container_reset(s);
}

static int sim_close(void *ctx, int fd)
{
	struct vfio_sim *s = ctx;
	int obj = 0, kind = sim_fd_kind(s, fd, &obj);

	if (kind == FD_FREE) {
		s->bad_calls++;
		errno = EBADF;
		return -1;
	}
	if (kind == FD_GROUP && s->attached[obj])
		group_unset(s, obj);
	if (kind == FD_CONTAINER) {
		memset(s->attached, 0, sizeof(s->attached));
		container_reset(s);
	}
	if (kind == FD_DEVICE)
		s->dev[obj].fds_open--;
	if (kind == FD_IOMMU || (kind == FD_DEVICE && s->fds[fd - SIM_FD_BASE].cdev))
		sim_iommufd_close(s, fd);
	if (kind == FD_MIGDATA && s->dev[obj].mig_fd == fd)
		s->dev[obj].mig_fd = -1;
	s->fds[fd - SIM_FD_BASE].kind = FD_FREE;
	s->open_fds--;
	return 0;
}

/* ---- info with capability chains ---- */

/* Copies hdr (hdrsz bytes, argsz first) and caps the kernel's way:
 * caps go after the header only when the caller's argsz has room. */
static int fill_info(void *arg, const void *hdr, u32 hdrsz, const u8 *caps,
		     u32 capsz, u32 caps_flag, u32 *flags_field,
		     u32 *cap_offset_field)
{
	u32 argsz = *(u32 *)arg;

	if (argsz < hdrsz) {
		errno = EINVAL;
		return -1;
	}
	memcpy((u8 *)arg + 4, (const u8 *)hdr + 4, hdrsz - 4);
	if (!capsz)
		return 0;
	*flags_field |= caps_flag;
	if (argsz < hdrsz + capsz) {
		*(u32 *)arg = hdrsz + capsz;
		*cap_offset_field = 0;
		return 0;
	}
	memcpy((u8 *)arg + hdrsz, caps, capsz);
	*cap_offset_field = hdrsz;
	return 0;
}

/* Appends a cap of size bytes at *len (header filled), returns it. */
static void *cap_add(u8 *buf, u32 *len, u32 base, u16 id, u16 ver, u32 size,
		     struct vfio_info_cap_header **prev)
{
	struct vfio_info_cap_header *h = (void *)(buf + *len);

	memset(h, 0, size);
	h->id = id;
	h->version = ver;
	if (*prev)
		(*prev)->next = base + *len;
	*prev = h;
	*len += ALIGN_UP(size, 8);
	return h;
}

static int iommu_info(struct vfio_sim *s, void *arg)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_type1_info_cap_iova_range *r;
	struct vfio_iommu_type1_info_dma_avail *a;
	struct vfio_info_cap_header *prev = NULL;
	u8 caps[1024];
	u32 len = 0, base = sizeof(info);
	struct vfio_iommu_type1_info *out = arg;

	if (!s->iommu_type) {
		errno = EINVAL;
		return -1;
	}
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = s->pgsizes;
	a = cap_add(caps, &len, base, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1,
		    sizeof(*a), &prev);
	a->avail = 65535;
	r = cap_add(caps, &len, base, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1,
		    sizeof(*r) + s->nr_iova * sizeof(r->iova_ranges[0]), &prev);
	r->nr_iovas = s->nr_iova;
	memcpy(r->iova_ranges, s->iova, s->nr_iova * sizeof(s->iova[0]));
	if (s->dirty_cap) {
		struct vfio_iommu_type1_info_cap_migration *m;

		m = cap_add(caps, &len, base, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
			    1, sizeof(*m), &prev);
		m->pgsize_bitmap = 4096;
		m->max_dirty_bitmap_size = 1ull << 28;
	}
	if (fill_info(arg, &info, sizeof(info), caps, len, VFIO_IOMMU_INFO_CAPS,
		      &out->flags, &out->cap_offset))
		return -1;
	return 0;
}

static bool in_iova(struct vfio_sim *s, u64 iova, u64 size)
{
	u32 i;

	for (i = 0; i < s->nr_iova; i++)
		if (iova >= s->iova[i].start &&
		    iova + size - 1 <= s->iova[i].end)
			return true;
	return false;
}

static int map_dma(struct vfio_sim *s, struct vfio_iommu_type1_dma_map *m)
{
	u64 pinned;
	int i;

	s->map_calls++;
	if (!s->iommu_type || m->argsz < sizeof(*m) || !m->size ||
	    !(m->flags & VFIO_DMA_MAP_FLAG_READ) ||
	    ((m->iova | m->size | m->vaddr) & 0xfff) ||
	    s->nr_dma >= SIM_MAX_DMA) {
		errno = EINVAL;
		return -1;
	}
	if (!in_iova(s, m->iova, m->size)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0, pinned = m->size; i < s->nr_dma; i++)
		pinned += s->dma[i].size;
	if (s->memlock && pinned > s->memlock) {
		errno = ENOMEM;		/* as type1 past RLIMIT_MEMLOCK */
		return -1;
	}
	for (i = 0; i < s->nr_dma; i++) {
		if (m->iova < s->dma[i].iova + s->dma[i].size &&
		    s->dma[i].iova < m->iova + m->size) {
			errno = EEXIST;
			return -1;
		}
	}
	s->dma[s->nr_dma++] = (struct sim_dma){ m->iova, m->size, m->vaddr };
	return 0;
}

static int unmap_dma(struct vfio_sim *s, struct vfio_iommu_type1_dma_unmap *u)
{
	int i;

	s->unmap_calls++;
	for (i = 0; i < s->nr_dma; i++) {
		if (s->dma[i].iova != u->iova || s->dma[i].size != u->size)
			continue;
		s->dma[i] = s->dma[--s->nr_dma];
		return 0;
	}
	u->size = 0;
	return 0;
}

void vfio_sim_dma_write(struct vfio_sim *s, u64 iova)
{
	if (s->nr_written < SIM_MAX_WRITTEN)
		s->written[s->nr_written++] = iova & ~0xfffull;
}

/* GET_BITMAP as type1 checks it: a whole mapping, 4 KiB pages, room. */
static int dirty_get(struct vfio_sim *s,
		     struct vfio_iommu_type1_dirty_bitmap_get *g)
{
	u64 words = (g->size / 4096 + 63) / 64, p;
	u64 *bits = (void *)(uintptr_t)g->bitmap.data;
	int i, n = 0;

	s->dirty_gets++;
	for (i = 0; i < s->nr_dma; i++)
		if (s->dma[i].iova == g->iova && s->dma[i].size == g->size)
			break;
	if (!s->dirty_on || i == s->nr_dma || g->bitmap.pgsize != 4096 ||
	    g->bitmap.size < words * 8 || !bits) {
		errno = EINVAL;
		return -1;
	}
	if (s->dirty_get_fail) {
		errno = EIO;
		return -1;
	}
	memset(bits, 0, words * 8);
	for (i = 0; i < s->nr_written; i++) {
		if (s->written[i] < g->iova ||
		    s->written[i] >= g->iova + g->size) {
			s->written[n++] = s->written[i];	/* kept */
			continue;
		}
		p = (s->written[i] - g->iova) / 4096;
		bits[p / 64] |= 1ull << (p % 64);
	}
	s->nr_written = n;
	return 0;
}

static int dirty_pages(struct vfio_sim *s,
		       struct vfio_iommu_type1_dirty_bitmap *d)
{
	if (!s->dirty_cap || d->argsz < sizeof(*d)) {
		errno = EINVAL;
		return -1;
	}
	switch (d->flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
		s->dirty_on = true;
		s->dirty_starts++;
		s->nr_written = 0;
		return 0;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		s->dirty_on = false;
		s->dirty_stops++;
		return 0;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		if (d->argsz < sizeof(*d) +
		    sizeof(struct vfio_iommu_type1_dirty_bitmap_get))
			break;
		return dirty_get(s, (void *)d->data);
	}
	errno = EINVAL;
	return -1;
}

static int container_ioctl(struct vfio_sim *s, unsigned long req, void *arg)
{
	long v = (long)arg;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return (v == VFIO_TYPE1v2_IOMMU && !s->no_type1v2) ||
		       (v == VFIO_TYPE1_IOMMU && !s->no_type1);
	case VFIO_SET_IOMMU:
		if (!any_attached(s) || s->iommu_type ||
		    (v != VFIO_TYPE1v2_IOMMU && v != VFIO_TYPE1_IOMMU)) {
			errno = EINVAL;
			return -1;
		}
		s->iommu_type = v;
		s->set_iommu_calls++;
		return 0;
	case VFIO_IOMMU_GET_INFO:
		return iommu_info(s, arg);
	case VFIO_IOMMU_MAP_DMA:
		return map_dma(s, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(s, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return dirty_pages(s, arg);
	}
	errno = ENOTTY;
	return -1;
}

static int get_device_fd(struct vfio_sim *s, int id, const char *name)
{
	struct sim_dev *d = vfio_sim_find(s, name);
	int fd;

	if (!d || d->group != id || !s->attached[id] || !s->iommu_type) {
		errno = EINVAL;
		return -1;
	}
	fd = sim_fd_new(s, FD_DEVICE, d - s->dev);
	if (fd >= 0)
		d->fds_open++;
	return fd;
}

static int group_ioctl(struct vfio_sim *s, int id, unsigned long req,
		       void *arg)
{
	struct vfio_group_status *st = arg;
	int obj = 0;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		st->flags = (id != s->nonviable_group ? VFIO_GROUP_FLAGS_VIABLE :
			     0) | (s->attached[id] ?
				   VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		if (sim_fd_kind(s, *(int *)arg, &obj) != FD_CONTAINER ||
		    s->attached[id] || id == s->nonviable_group) {
			errno = EINVAL;
			return -1;
		}
		s->attached[id] = true;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!s->attached[id]) {
			errno = EINVAL;
			return -1;
		}
		group_unset(s, id);
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		return get_device_fd(s, id, arg);
	}
	errno = ENOTTY;
	return -1;
}

/* ---- device ---- */

static u32 nr_regions(struct sim_dev *d)
{
	return VFIO_PCI_NUM_REGIONS + d->type_region;
}

static u64 region_size(struct sim_dev *d, u32 i)
{
	if (i < PCI_NUM_BARS)
		return d->layout.bar[i].size;
	if (i == VFIO_PCI_ROM_REGION_INDEX)
		return d->rom_size;
	if (i == VFIO_PCI_CONFIG_REGION_INDEX)
		return d->cfg_size;
	if (i == VFIO_PCI_NUM_REGIONS)
		return 0x1000;
	return 0;
}

static u32 region_caps(struct sim_dev *d, u32 i, u8 *caps, u32 base)
{
	struct vfio_info_cap_header *prev = NULL;
	struct vfio_region_info_cap_sparse_mmap *sp;
	const struct bar_region *b;
	struct vfio_region_info_cap_type *ty;
	u32 len = 0, j;

	if (i == VFIO_PCI_NUM_REGIONS) {
		ty = cap_add(caps, &len, base, VFIO_REGION_INFO_CAP_TYPE, 1,
			     sizeof(*ty), &prev);
		ty->type = 0x80000000u | 0x1000 /* PCI_VENDOR_TYPE */;
		ty->subtype = 7;
		return len;
	}
	if (i >= PCI_NUM_BARS)
		return 0;
	b = &d->layout.bar[i];
	if (b->has_sparse) {
		sp = cap_add(caps, &len, base, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
			     1, sizeof(*sp) + b->nr_sparse *
			     sizeof(sp->areas[0]), &prev);
		sp->nr_areas = b->nr_sparse;
		for (j = 0; j < b->nr_sparse; j++) {
			sp->areas[j].offset = b->sparse[j].offset;
			sp->areas[j].size = b->sparse[j].size;
		}
	}
	if (b->msix_mappable && d->layout.has_msix &&
	    d->layout.msix.table_bir == i)
		cap_add(caps, &len, base, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1,
			sizeof(*prev), &prev);
	return len;
}

static int region_info(struct sim_dev *d, struct vfio_region_info *out)
{
	struct vfio_region_info info = { .argsz = sizeof(info) };
	u32 i = out->index, len;
	u8 caps[1024];

	if (i >= nr_regions(d) || i == VFIO_PCI_VGA_REGION_INDEX) {
		errno = EINVAL;
		return -1;
	}
	info.index = i;
	info.offset = (u64)i << SIM_REGION_SHIFT;
	info.size = region_size(d, i);
	if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
	if (i < PCI_NUM_BARS && d->layout.bar[i].mmap && d->layout.bar[i].size)
		info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
	if (i == VFIO_PCI_ROM_REGION_INDEX)
		info.flags &= ~VFIO_REGION_INFO_FLAG_WRITE;
	len = region_caps(d, i, caps, sizeof(info));
	return fill_info(out, &info, sizeof(info), caps, len,
			 VFIO_REGION_INFO_FLAG_CAPS, &out->flags,
			 &out->cap_offset);
}

static int irq_info(struct sim_dev *d, struct vfio_irq_info *q)
{
	if (q->argsz < sizeof(*q) || q->index >= VFIO_PCI_NUM_IRQS) {
		errno = EINVAL;
		return -1;
	}
	q->count = d->irq_count[q->index];
	q->flags = VFIO_IRQ_INFO_EVENTFD;
	if (q->index == VFIO_PCI_INTX_IRQ_INDEX)
		q->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		q->flags |= VFIO_IRQ_INFO_NORESIZE;
	return 0;
}

static void irq_clear(struct sim_dev *d, u32 index)
{
	int j;

	d->irq_on[index] = false;
	for (j = 0; j < SIM_MAX_VEC; j++)
		d->irq_fd[index][j] = -1;
	if (index == VFIO_PCI_INTX_IRQ_INDEX) {
		d->intx_unmask_fd = -1;
		d->intx_masked = d->intx_pending = false;
	}
}

static int set_irqs(struct vfio_sim *s, struct sim_dev *d,
		    struct vfio_irq_set *h)
{
	u32 data = h->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 act = h->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	const int32_t *fds = (const void *)h->data;
	u32 i;

	d->set_irqs_calls++;
	if (h->index < VFIO_PCI_NUM_IRQS)
		d->set_irqs_index[h->index]++;
	d->last_set_start = h->start;
	d->last_set_count = h->count;
	d->last_set_flags = h->flags;
	if (h->argsz < sizeof(*h) || h->index >= VFIO_PCI_NUM_IRQS ||
	    __builtin_popcount(data) != 1 || __builtin_popcount(act) != 1 ||
	    h->start + h->count > d->irq_count[h->index] ||
	    (!h->count && (data != VFIO_IRQ_SET_DATA_NONE ||
			   act != VFIO_IRQ_SET_ACTION_TRIGGER)) ||
	    (data == VFIO_IRQ_SET_DATA_EVENTFD &&
	     h->argsz < sizeof(*h) + h->count * 4) ||
	    h->start + h->count > SIM_MAX_VEC) {
		errno = EINVAL;
		return -1;
	}
	if (act == VFIO_IRQ_SET_ACTION_TRIGGER && !h->count) {
		d->irq_disables[h->index]++;
		irq_clear(d, h->index);
		/* MSI and MSI-X IRQs are freed: their counts start over */
		if (h->index != VFIO_PCI_INTX_IRQ_INDEX)
			memset(d->fired_vec[h->index], 0,
			       sizeof(d->fired_vec[h->index]));
		return 0;
	}
	if (act == VFIO_IRQ_SET_ACTION_UNMASK) {
		if (h->index != VFIO_PCI_INTX_IRQ_INDEX) {
			errno = EINVAL;
			return -1;
		}
		if (data == VFIO_IRQ_SET_DATA_EVENTFD && d->no_unmask_efd) {
			errno = ENOTTY;
			return -1;
		}
		if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
			d->intx_unmask_fd = fds[0];
		} else {
			d->intx_unmasks++;
			d->intx_masked = false;
			if (d->intx_pending) {
				d->intx_pending = false;
				db_intx(s, d);
			}
		}
		return 0;
	}
	if (act != VFIO_IRQ_SET_ACTION_TRIGGER ||
	    data != VFIO_IRQ_SET_DATA_EVENTFD) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < h->count; i++)
		d->irq_fd[h->index][h->start + i] = fds[i];
	d->irq_on[h->index] = true;
	return 0;
}

/* ---- migration (mtty's STOP_COPY protocol) ---- */

void vfio_sim_migratable(struct sim_dev *d)
{
	d->mig_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	d->mig_state = VFIO_DEVICE_STATE_RUNNING;
}

void vfio_sim_precopy(struct sim_dev *d)
{
	vfio_sim_migratable(d);
	d->mig_flags |= VFIO_MIGRATION_PRE_COPY;
}

/* Ends the data session (its fd then reads ENODEV) in state st. */
static void mig_end(struct sim_dev *d, u32 st)
{
	free(d->mig_buf);
	d->mig_buf = NULL;
	d->mig_len = d->mig_pos = 0;
	d->mig_fd = -1;
	d->mig_state = st;
}

static u32 mig_bar_bytes(struct sim_dev *d)
{
	return d->mem[0] ? (u32)MIN(d->layout.bar[0].size,
				    (u64)SIM_MIG_BAR_BYTES) : 0;
}

/* STOP -> STOP_COPY: the device's data into a new session. */
static int mig_save(struct vfio_sim *s, struct sim_dev *d)
{
	struct sim_mig_hdr h = { SIM_MIG_MAGIC, 1, d->kind, mig_bar_bytes(d) };
	size_t len = sizeof(h) + h.bar_bytes + d->mig_pad;

	d->mig_buf = calloc(1, len);
	if (!d->mig_buf)
		return -1;
	memcpy(d->mig_buf, &h, sizeof(h));
	if (h.bar_bytes)
		memcpy(d->mig_buf + sizeof(h), d->mem[0], h.bar_bytes);
	d->mig_len = d->mig_avail = len;
	d->mig_fd = sim_fd_new(s, FD_MIGDATA, d - s->dev);
	return d->mig_fd;
}

/* RESUMING -> STOP: checks what was written and loads it. */
static int mig_load(struct sim_dev *d)
{
	struct sim_mig_hdr h;

	if (d->mig_refuse || d->mig_len < sizeof(h))
		return -1;
	memcpy(&h, d->mig_buf, sizeof(h));
	if (h.magic != SIM_MIG_MAGIC || h.version != 1 || h.kind != d->kind ||
	    h.bar_bytes != mig_bar_bytes(d) ||
	    d->mig_len < sizeof(h) + h.bar_bytes)
		return -1;
	if (h.bar_bytes)
		memcpy(d->mem[0], d->mig_buf + sizeof(h), h.bar_bytes);
	d->mig_loads++;
	return 0;
}

static bool mig_arc_ok(u32 from, u32 to)
{
	static const u8 arcs[][2] = {
		{ VFIO_DEVICE_STATE_RUNNING, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RUNNING },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_STOP_COPY },
		{ VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING },
		{ VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP },
		{ VFIO_DEVICE_STATE_RUNNING, LKVM_VFIO_STATE_PRE_COPY },
		{ LKVM_VFIO_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING },
		{ LKVM_VFIO_STATE_PRE_COPY, VFIO_DEVICE_STATE_STOP_COPY },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(arcs); i++)
		if (arcs[i][0] == from && arcs[i][1] == to)
			return true;
	return false;
}

static void mig_traced(struct sim_dev *d, u32 to)
{
	if (d->mig_sets < SIM_MAX_MIG)
		d->mig_trace[d->mig_sets] = to;
	d->mig_sets++;
}

/* PRE_COPY -> STOP_COPY: the session goes on, BAR0 as it is now after the
 * header; no new fd. */
static int mig_precopy_stop(struct vfio_sim *s, struct sim_dev *d,
			    struct vfio_device_feature_mig_state *m)
{
	u32 bar = mig_bar_bytes(d);

	if (d->mig_buf && bar)
		memcpy(d->mig_buf + sizeof(struct sim_mig_hdr), d->mem[0], bar);
	d->mig_avail = d->mig_len;
	d->mig_state = VFIO_DEVICE_STATE_STOP_COPY;
	m->data_fd = -1;
	mig_traced(d, VFIO_DEVICE_STATE_STOP_COPY);
	return 0;
}

static int mig_set(struct vfio_sim *s, struct sim_dev *d,
		   struct vfio_device_feature_mig_state *m)
{
	u32 from = d->mig_state, to = m->device_state;
	int fd = -1;

	if (from == to) {
		m->data_fd = -1;
		return 0;
	}
	if (!mig_arc_ok(from, to)) {
		errno = EINVAL;
		return -1;
	}
	if ((from == LKVM_VFIO_STATE_PRE_COPY || to == LKVM_VFIO_STATE_PRE_COPY) &&
	    !(d->mig_flags & VFIO_MIGRATION_PRE_COPY)) {
		errno = EINVAL;
		return -1;
	}
	if (from == LKVM_VFIO_STATE_PRE_COPY &&
	    to == VFIO_DEVICE_STATE_STOP_COPY)
		return mig_precopy_stop(s, d, m);
	if (from == VFIO_DEVICE_STATE_RESUMING && mig_load(d)) {
		mig_end(d, VFIO_DEVICE_STATE_ERROR);
		errno = EINVAL;
		return -1;
	}
	mig_end(d, to);
	if (to == VFIO_DEVICE_STATE_STOP_COPY || to == LKVM_VFIO_STATE_PRE_COPY)
		fd = mig_save(s, d);
	if (to == LKVM_VFIO_STATE_PRE_COPY && fd >= 0)
		d->mig_avail = sizeof(struct sim_mig_hdr);	/* initial bytes */
	if (to == VFIO_DEVICE_STATE_RESUMING)
		fd = d->mig_fd = sim_fd_new(s, FD_MIGDATA, d - s->dev);
	if ((to == VFIO_DEVICE_STATE_STOP_COPY || to == LKVM_VFIO_STATE_PRE_COPY ||
	     to == VFIO_DEVICE_STATE_RESUMING) && fd < 0)
		return -1;
	m->data_fd = fd;
	mig_traced(d, to);
	return 0;
}

static int sim_feature(struct vfio_sim *s, struct sim_dev *d,
		       struct vfio_device_feature *f)
{
	u32 id = f->flags & VFIO_DEVICE_FEATURE_MASK;
	u32 need = id == VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE ?
		   sizeof(struct vfio_device_feature_mig_state) : 8;
	bool set = f->flags & VFIO_DEVICE_FEATURE_SET;

	d->feature_calls++;
	if (!d->mig_flags || (id != VFIO_DEVICE_FEATURE_MIGRATION &&
			      id != VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE &&
			      id != 9 /* MIG_DATA_SIZE */)) {
		errno = ENOTTY;
		return -1;
	}
	if (f->argsz < sizeof(*f) + need ||
	    (set && id != VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE)) {
		errno = EINVAL;
		return -1;
	}
	if (f->flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (id == VFIO_DEVICE_FEATURE_MIGRATION) {
		memcpy(f->data, &d->mig_flags, 8);
		return 0;
	}
	if (id == 9) {
		u64 n = sizeof(struct sim_mig_hdr) + mig_bar_bytes(d) +
			d->mig_pad;

		memcpy(f->data, &n, 8);
		return 0;
	}
	if (set)
		return mig_set(s, d, (void *)f->data);
	((struct vfio_device_feature_mig_state *)f->data)->device_state =
		d->mig_state;
	((struct vfio_device_feature_mig_state *)f->data)->data_fd = -1;
	return 0;
}

/* The session of data fd fd, or NULL (errno set). */
static struct sim_dev *mig_session(struct vfio_sim *s, int fd)
{
	int obj = 0;

	if (sim_fd_kind(s, fd, &obj) != FD_MIGDATA) {
		s->bad_calls++;
		errno = EBADF;
		return NULL;
	}
	if (s->dev[obj].mig_fd != fd) {
		errno = ENODEV;		/* the session ended */
		return NULL;
	}
	return &s->dev[obj];
}

static ssize_t sim_read(void *ctx, int fd, void *buf, size_t len)
{
	struct sim_dev *d = mig_session(ctx, fd);
	size_t n;

	if (!d)
		return -1;
	if (d->mig_state != VFIO_DEVICE_STATE_STOP_COPY &&
	    d->mig_state != LKVM_VFIO_STATE_PRE_COPY) {
		errno = EINVAL;
		return -1;
	}
	if (d->mig_chunk && len > d->mig_chunk)
		len = d->mig_chunk;
	if (d->mig_endless) {
		memset(buf, 0x5a, len);
		return len;
	}
	n = MIN(len, d->mig_avail - d->mig_pos);
	if (!n && d->mig_state == LKVM_VFIO_STATE_PRE_COPY) {
		errno = ENOMSG;		/* nothing more until STOP_COPY */
		return -1;
	}
	memcpy(buf, d->mig_buf + d->mig_pos, n);
	d->mig_pos += n;
	return n;
}

static ssize_t sim_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct sim_dev *d = mig_session(ctx, fd);
	u8 *nb;

	if (!d)
		return -1;
	if (d->mig_state != VFIO_DEVICE_STATE_RESUMING) {
		errno = EINVAL;
		return -1;
	}
	if (d->mig_len + len > (1u << 20)) {
		errno = ENOSPC;
		return -1;
	}
	nb = realloc(d->mig_buf, d->mig_len + len);
	if (!nb)
		return -1;
	d->mig_buf = nb;
	memcpy(nb + d->mig_len, buf, len);
	d->mig_len += len;
	return len;
}

static int device_ioctl(struct vfio_sim *s, struct sim_dev *d,
			unsigned long req, void *arg)
{
	struct vfio_device_info *di = arg;
	int ret;

	switch (req) {
	case VFIO_DEVICE_GET_INFO:
		di->flags = d->dev_flags;
		di->num_regions = nr_regions(d);
		di->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(d, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return irq_info(d, arg);
	case VFIO_DEVICE_SET_IRQS:
		pthread_mutex_lock(&s->lock);
		ret = set_irqs(s, d, arg);
		sim_write_interrupts(s);
		pthread_mutex_unlock(&s->lock);
		return ret;
	case VFIO_DEVICE_RESET:
		if (!(d->dev_flags & VFIO_DEVICE_FLAGS_RESET)) {
			errno = EINVAL;
			return -1;
		}
		d->resets++;
		mig_end(d, VFIO_DEVICE_STATE_RUNNING);
		return 0;
	case VFIO_DEVICE_FEATURE:
		return sim_feature(s, d, arg);
	}
	errno = ENOTTY;
	return -1;
}

/* The ioctl of a data fd: VFIO_MIG_GET_PRECOPY_INFO in PRE_COPY. */
static int mig_ioctl(struct vfio_sim *s, int fd, unsigned long req,
		     struct vfio_precopy_info *pi)
{
	struct sim_dev *d = mig_session(s, fd);

	if (!d)
		return -1;
	if (req != VFIO_MIG_GET_PRECOPY_INFO) {
		errno = ENOTTY;
		return -1;
	}
	d->mig_infos++;
	if (d->mig_info_fail) {
		errno = EIO;
		return -1;
	}
	if (pi->argsz < sizeof(*pi) ||
	    d->mig_state != LKVM_VFIO_STATE_PRE_COPY) {
		errno = EINVAL;
		return -1;
	}
	pi->flags = 0;
	pi->initial_bytes = d->mig_avail - d->mig_pos;
	pi->dirty_bytes = 0;
	return 0;
}

static int sim_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct vfio_sim *s = ctx;
	bool done = false;
	int obj = 0, r;

	switch (sim_fd_kind(s, fd, &obj)) {
	case FD_IOMMU:
		return sim_iommu_ioctl(s, req, arg);
	case FD_CONTAINER:
		return container_ioctl(s, req, arg);
	case FD_MIGDATA:
		return mig_ioctl(s, fd, req, arg);
	case FD_GROUP:
		return group_ioctl(s, obj, req, arg);
	case FD_DEVICE:
		r = sim_cdev_ioctl(s, fd, req, arg, &done);
		if (done)
			return r;
		r = sim_hot_reset_ioctl(s, fd, req, arg, &done);
		if (done)
			return r;
		return device_ioctl(s, &s->dev[obj], req, arg);
	}
	s->bad_calls++;
	errno = EBADF;
	return -1;
}

/* Backing bytes of [off, off + len) of the device fd, or NULL. */
static u8 *dev_bytes(struct vfio_sim *s, int fd, u64 off, size_t len)
{
	int obj = 0;
	struct sim_dev *d;
	u32 i = off >> SIM_REGION_SHIFT;
	u64 o = off & ((1ULL << SIM_REGION_SHIFT) - 1);
	u64 size;

	if (sim_fd_kind(s, fd, &obj) != FD_DEVICE ||
	    (s->fds[fd - SIM_FD_BASE].cdev && !s->fds[fd - SIM_FD_BASE].bound)) {
		s->bad_calls++;
		return NULL;
	}
	d = &s->dev[obj];
	size = region_size(d, i);
	if (o > size || len > size - o || i == VFIO_PCI_NUM_REGIONS)
		return NULL;
	if (i == VFIO_PCI_CONFIG_REGION_INDEX)
		return d->cfg + o;
	return i < 7 && d->mem[i] ? d->mem[i] + o : NULL;
}

static ssize_t sim_pread(void *ctx, int fd, void *buf, size_t len, off_t off)
{
	int obj = 0;
	u8 *p;

	if (sim_fd_kind(ctx, fd, &obj) == FD_MIGDATA) {
		errno = ESPIPE;		/* a stream, as mtty's */
		return -1;
	}
	p = dev_bytes(ctx, fd, off, len);

	if (!p) {
		errno = EINVAL;
		return -1;
	}
	memcpy(buf, p, len);
	return len;
}

static ssize_t sim_pwrite(void *ctx, int fd, const void *buf, size_t len,
			  off_t off)
{
	u8 *p = dev_bytes(ctx, fd, off, len);

	if (!p || (off >> SIM_REGION_SHIFT) == VFIO_PCI_ROM_REGION_INDEX) {
		errno = EINVAL;
		return -1;
	}
	memcpy(p, buf, len);
	return len;
}

static bool mmap_allowed(struct sim_dev *d, u32 i, u64 o, u64 len)
{
	const struct bar_region *b = &d->layout.bar[i];
	u32 j;

	if (i >= PCI_NUM_BARS || !b->mmap || (o | len) & 0xfff)
		return false;
	if (!b->has_sparse)
		return true;
	for (j = 0; j < b->nr_sparse; j++)
		if (o >= b->sparse[j].offset &&
		    o + len <= b->sparse[j].offset + b->sparse[j].size)
			return true;
	return false;
}

static void *sim_mmap(void *ctx, size_t len, int prot, int fd, off_t off)
{
	struct vfio_sim *s = ctx;
	u8 *p = dev_bytes(s, fd, off, len);
	int obj = 0;

	sim_fd_kind(s, fd, &obj);
	if (!p || !mmap_allowed(&s->dev[obj], off >> SIM_REGION_SHIFT,
				off & ((1ULL << SIM_REGION_SHIFT) - 1), len)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	s->live_mmaps++;
	return p;
}

static int sim_munmap(void *ctx, void *addr, size_t len)
{
	struct vfio_sim *s = ctx;

	if (s->live_mmaps <= 0) {
		s->bad_calls++;
		errno = EINVAL;
		return -1;
	}
	s->live_mmaps--;
	return 0;
}

/* ---- setup ---- */


int vfio_sim_init(struct vfio_sim *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->root, sizeof(s->root), "/tmp/lkvm-vfio-sim-XXXXXX");
	if (!mkdtemp(s->root))
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	s->nonviable_group = -1;
	s->pgsizes = 0x1000 | 0x200000 | 0x40000000;
	s->nr_iova = 2;
	s->iova[0] = (struct vfio_iova_range){ 0, 0xfedfffff };
	s->iova[1] = (struct vfio_iova_range){ 0xfef00000, 0x7fffffffffULL };
	snprintf(s->interrupts, sizeof(s->interrupts), "%s/interrupts",
		 s->root);
	s->int_fd = open(s->interrupts, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->int_fd < 0)
		return -1;
	sim_write_interrupts(s);
	s->ops = (struct vfio_seam_ops){
		.name = "sim", .ctx = s, .sysfs_root = s->root,
		.interrupts = s->interrupts,
		.open = sim_open, .close = sim_close, .ioctl = sim_ioctl,
		.pread = sim_pread, .pwrite = sim_pwrite, .read = sim_read,
		.write = sim_write, .mmap = sim_mmap,
		.munmap = sim_munmap, .fstat = sim_fstat,
	};
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

void vfio_sim_destroy(struct vfio_sim *s)
{
	int i, j;

	if (s->db_running) {
		__atomic_store_n(&s->db_stop, true, __ATOMIC_RELEASE);
		pthread_join(s->db_thread, NULL);
		s->db_running = false;
	}

	for (i = 0; i < s->nr_dev; i++) {
		for (j = 0; j < 7; j++)
			if (s->dev[i].mem[j])
				munmap(s->dev[i].mem[j], s->dev[i].mem_size[j]);
		free(s->dev[i].mig_buf);
	}
	if (s->int_fd > 0)
		close(s->int_fd);
	if (s->root[0])
		nftw(s->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	s->root[0] = 0;
}

/* ---- doorbell ---- */

/* Rewrites <root>/interrupts as the host kernel would show vfio-pci's
 * handlers: two CPUs (the count split between them), a hwirq number; only
 * vectors with a trigger installed are named (set_irqs zeroes the counts
 * of an MSI or MSI-X index it disables, as the kernel frees those IRQs). */
static void sim_write_interrupts(struct vfio_sim *s)
{
	static const char *const fmt[VFIO_PCI_NUM_IRQS] = {
		[VFIO_PCI_INTX_IRQ_INDEX] = "vfio-intx(%s)",
		[VFIO_PCI_MSI_IRQ_INDEX] = "vfio-msi[%u](%s)",
		[VFIO_PCI_MSIX_IRQ_INDEX] = "vfio-msix[%u](%s)",
	};
	char name[64], *text = NULL;
	size_t len = 0;
	int i, idx, v, irq = 24;
	FILE *f = open_memstream(&text, &len);
	u64 n;

	if (!f)
		return;
	fprintf(f, "            CPU0       CPU1\n");
	for (i = 0; i < s->nr_dev; i++)
		for (idx = 0; idx <= VFIO_PCI_MSIX_IRQ_INDEX; idx++)
			for (v = 0; v < SIM_MAX_VEC; v++) {
				n = s->dev[i].fired_vec[idx][v];
				if (!n || s->dev[i].irq_fd[idx][v] < 0)
					continue;
				if (idx == VFIO_PCI_INTX_IRQ_INDEX)
					snprintf(name, sizeof(name), fmt[idx],
						 s->dev[i].name);
				else
					snprintf(name, sizeof(name), fmt[idx],
						 v, s->dev[i].name);
				fprintf(f, "%4d: %10llu %10llu  SIM-MSI %d-edge"
					"      %s\n", irq++,
					(unsigned long long)(n / 2),
					(unsigned long long)(n - n / 2),
					1048576 + v, name);
			}
	/* in place, padded with empty lines to the longest so far: no
	 * open/rename/truncate, which lkvm's seccomp filters refuse */
	if (fclose(f) == 0 && pwrite(s->int_fd, text, len, 0) == (ssize_t)len)
		for (; len < s->int_len; len++)
			if (pwrite(s->int_fd, "\n", 1, len) != 1)
				break;
	if (len > s->int_len)
		s->int_len = len;
	free(text);
}

static void db_signal(struct vfio_sim *s, struct sim_dev *d, u32 idx, u32 v)
{
	int fd = d->irq_fd[idx][v];

	d->db_fired++;
	d->fired_vec[idx][v]++;
	sim_write_interrupts(s);
	if (fd >= 0 && eventfd_write(fd, 1))
		perror("vfio-sim: doorbell eventfd");
}

static void db_intx(struct vfio_sim *s, struct sim_dev *d)
{
	if (!d->irq_on[VFIO_PCI_INTX_IRQ_INDEX]) {
		d->db_dropped++;
		return;
	}
	if (d->intx_masked) {
		d->intx_pending = true;
		return;
	}
	d->intx_masked = true;
	db_signal(s, d, VFIO_PCI_INTX_IRQ_INDEX, 0);
}

static void db_ring(struct vfio_sim *s, struct sim_dev *d, u32 val)
{
	u32 v = val & 0xffff, idx;
	int fd;

	d->db_rings++;
	switch (val & SIM_DB_KIND) {
	case SIM_DB_INTX:
		db_intx(s, d);
		return;
	case SIM_DB_MSI:
		idx = VFIO_PCI_MSI_IRQ_INDEX;
		break;
	case SIM_DB_MSIX:
		idx = VFIO_PCI_MSIX_IRQ_INDEX;
		break;
	default:
		d->db_dropped++;
		return;
	}
	fd = v < SIM_MAX_VEC && d->irq_on[idx] ? d->irq_fd[idx][v] : -1;
	if (fd < 0) {
		d->db_dropped++;
		return;
	}
	db_signal(s, d, idx, v);
}

/* KVM's resamplefd (the guest's EOI) unmasks INTx; a pending ring fires. */
static void db_unmask(struct vfio_sim *s, struct sim_dev *d)
{
	eventfd_t n;

	if (!d->intx_masked || d->intx_unmask_fd < 0 ||
	    eventfd_read(d->intx_unmask_fd, &n))
		return;
	d->intx_unmasks++;
	d->intx_masked = false;
	if (d->intx_pending) {
		d->intx_pending = false;
		db_intx(s, d);
	}
}

static void *db_thread(void *arg)
{
	struct vfio_sim *s = arg;
	int i;

	while (!__atomic_load_n(&s->db_stop, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < s->nr_dev; i++) {
			struct sim_dev *d = &s->dev[i];
			u32 *reg;
			u32 val;

			if (!d->db_on)
				continue;
			reg = (u32 *)(d->mem[d->db_bar] + d->db_off);
			val = __atomic_exchange_n(reg, 0, __ATOMIC_ACQ_REL);
			if (val)
				db_ring(s, d, val);
			db_unmask(s, d);
		}
		pthread_mutex_unlock(&s->lock);
		/* 1 kHz: at 10 kHz the wake-ups alone starved a 1-vCPU
		 * nested-TCG L1 running the guest (no heartbeat for 60 s) */
		usleep(1000);
	}
	return NULL;
}

int vfio_sim_doorbell(struct vfio_sim *s, struct sim_dev *d, int bar,
		      u64 off)
{
	if (bar < 0 || bar >= PCI_NUM_BARS || !d->mem[bar] || off % 4 ||
	    off + 4 > d->mem_size[bar])
		return -1;
	pthread_mutex_lock(&s->lock);
	d->db_bar = bar;
	d->db_off = off;
	d->db_on = true;
	pthread_mutex_unlock(&s->lock);
	if (s->db_running)
		return 0;
	s->db_stop = false;
	if (pthread_create(&s->db_thread, NULL, db_thread, s))
		return -1;
	s->db_running = true;
	return 0;
}
