/* Config space of one PCI function as a byte store (a leaf: it calls no
 * other pci/ file): the type-0 header, write and W1C masks, masked stores,
 * and the one (extended) capability-list walker. */
#include <string.h>
#include "pci/pci.h"

#define CMD_WMASK	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY |		\
			 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |	\
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define STATUS_W1C	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT | \
			 PCI_STATUS_REC_TARGET_ABORT |			\
			 PCI_STATUS_REC_MASTER_ABORT |			\
			 PCI_STATUS_SIG_SYSTEM_ERROR |			\
			 PCI_STATUS_DETECTED_PARITY)
#define CAP_START	0x40
#define EXT_CAP_START	0x100

static bool in_cfg(const struct pci_dev *dev, u32 off, u32 len)
{
	return off < PCI_CFG_SIZE_EXP && len <= PCI_CFG_SIZE_EXP - off;
}

u8 pci_cfg_get8(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 1) ? dev->cfg[off] : 0xff;
}

u16 pci_cfg_get16(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 2) ? (u16)le_get(&dev->cfg[off], 2) : 0xffff;
}

u32 pci_cfg_get32(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 4) ? (u32)le_get(&dev->cfg[off], 4) : 0xffffffff;
}

void pci_cfg_set8(struct pci_dev *dev, u32 off, u8 v)
{
	if (in_cfg(dev, off, 1))
		dev->cfg[off] = v;
}

void pci_cfg_set16(struct pci_dev *dev, u32 off, u16 v)
{
	if (in_cfg(dev, off, 2))
		le_put(&dev->cfg[off], 2, v);
}

void pci_cfg_set32(struct pci_dev *dev, u32 off, u32 v)
{
	if (in_cfg(dev, off, 4))
		le_put(&dev->cfg[off], 4, v);
}

void pci_set_wmask(struct pci_dev *dev, u32 off, u32 len, u32 mask)
{
	if (len <= 4 && in_cfg(dev, off, len))
		le_put(&dev->wmask[off], len, mask);
}

void pci_set_w1c(struct pci_dev *dev, u32 off, u32 len, u32 mask)
{
	if (len <= 4 && in_cfg(dev, off, len))
		le_put(&dev->w1cmask[off], len, mask);
}

void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class_code, u8 revision, bool pcie)
{
	int i;

	memset(dev, 0, sizeof(*dev));
	pthread_mutex_init(&dev->intx_lock, NULL);
	dev->name = name;
	dev->cfg_size = pcie ? PCI_CFG_SIZE_EXP : PCI_CFG_SIZE;
	pci_cfg_set16(dev, PCI_VENDOR_ID, vendor);
	pci_cfg_set16(dev, PCI_DEVICE_ID, device);
	pci_cfg_set8(dev, PCI_REVISION_ID, revision);
	pci_cfg_set8(dev, PCI_CLASS_PROG, (u8)class_code);
	pci_cfg_set16(dev, PCI_CLASS_DEVICE, (u16)(class_code >> 8));
	pci_cfg_set8(dev, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	pci_set_wmask(dev, PCI_COMMAND, 2, CMD_WMASK);
	pci_set_w1c(dev, PCI_STATUS, 2, STATUS_W1C);
	pci_set_wmask(dev, PCI_CACHE_LINE_SIZE, 1, 0xff);
	pci_set_wmask(dev, PCI_LATENCY_TIMER, 1, 0xff);
	pci_set_wmask(dev, PCI_INTERRUPT_LINE, 1, 0xff);
	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		dev->bar[i].dev = dev;
		dev->bar[i].index = i;
	}
}

void pci_dev_set_subsys(struct pci_dev *dev, u16 vendor, u16 device)
{
	pci_cfg_set16(dev, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_cfg_set16(dev, PCI_SUBSYSTEM_ID, device);
}

/* ---- capabilities ---- */

u16 pci_add_cap(struct pci_dev *dev, u8 id, u32 size)
{
	u16 off = dev->cap_free ? dev->cap_free : CAP_START;

	size = (u32)ALIGN_UP(MAX(size, 2), 4);
	if (off + size > PCI_CFG_SIZE)
		return 0;
	pci_cfg_set8(dev, off, id);
	pci_cfg_set8(dev, off + 1, 0);
	if (dev->cap_tail)
		pci_cfg_set8(dev, dev->cap_tail + 1, (u8)off);
	else
		pci_cfg_set8(dev, PCI_CAPABILITY_LIST, (u8)off);
	pci_cfg_set16(dev, PCI_STATUS,
		      pci_cfg_get16(dev, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	dev->cap_tail = off;
	dev->cap_free = (u16)(off + size);
	return off;
}

/* The one capability-list walker (pci_find_cap, vfio/config.c and
 * vfio/device.c): a dword is visited at most once, so loops end. */
static bool seen(u32 *map, u32 off)
{
	u32 bit = 1u << (off / 4 % 32);

	if (map[off / 128] & bit)
		return true;
	map[off / 128] |= bit;
	return false;
}

static int walk_std(pci_cfg_rd rd, const void *src, pci_cap_fn fn, void *arg)
{
	u32 map[PCI_CFG_SIZE / 128] = { 0 }, v, off;
	int r;

	if (rd(src, PCI_STATUS, 2, &v) || !(v & PCI_STATUS_CAP_LIST) ||
	    rd(src, PCI_CAPABILITY_LIST, 1, &off))
		return 0;
	for (off &= ~3u; off >= CAP_START && !seen(map, off); off &= ~3u) {
		if (rd(src, off, 1, &v))
			return 0;
		r = fn(arg, off, (u16)v);
		if (r || rd(src, off + PCI_CAP_LIST_NEXT, 1, &off))
			return r;
	}
	return 0;
}

static int walk_ext(pci_cfg_rd rd, const void *src, pci_cap_fn fn, void *arg)
{
	u32 map[PCI_CFG_SIZE_EXP / 128] = { 0 }, off = EXT_CAP_START, hdr;
	int r;

	while (off >= EXT_CAP_START && !seen(map, off)) {
		if (rd(src, off, 4, &hdr) || !hdr || hdr == 0xffffffff)
			return 0;
		r = fn(arg, off, PCI_EXT_CAP_ID(hdr));
		if (r)
			return r;
		off = PCI_EXT_CAP_NEXT(hdr) & ~3u;
	}
	return 0;
}

int pci_cap_walk(pci_cfg_rd rd, const void *src, u32 cfg_size, bool ext,
		 pci_cap_fn fn, void *arg)
{
	if (!ext)
		return walk_std(rd, src, fn, arg);
	return cfg_size < PCI_CFG_SIZE_EXP ? 0 : walk_ext(rd, src, fn, arg);
}

int pci_cfg_rd_bytes(const void *src, u32 off, u32 len, u32 *val)
{
	*val = (u32)le_get((const u8 *)src + off, len);
	return 0;
}

struct cap_want {
	u16 id;
	u16 off;
};

static int match(void *arg, u32 off, u16 id)
{
	struct cap_want *w = arg;

	if (id != w->id)
		return 0;
	w->off = (u16)off;
	return 1;
}

u16 pci_find_cap(const struct pci_dev *dev, u8 id)
{
	struct cap_want w = { id, 0 };

	pci_cap_walk(pci_cfg_rd_bytes, dev->cfg, dev->cfg_size, false, match,
		     &w);
	return w.off;
}

/* ---- generic emulation ---- */

void pci_cfg_read_default(struct pci_dev *dev, u32 off, u8 *data, u32 len)
{
	if (!in_cfg(dev, off, len) || off + len > dev->cfg_size) {
		memset(data, 0xff, len);
		return;
	}
	memcpy(data, &dev->cfg[off], len);
}

bool pci_cfg_store(struct pci_dev *dev, u32 off, const u8 *data, u32 len)
{
	u32 i, o;
	u8 v, nv;

	if (!in_cfg(dev, off, len) || off + len > dev->cfg_size)
		return false;
	for (i = 0; i < len; i++) {
		o = off + i;
		v = data[i];
		nv = (u8)((dev->cfg[o] & ~dev->wmask[o]) | (v & dev->wmask[o]));
		nv &= (u8)~(v & dev->w1cmask[o]);
		/* only changed bytes are stored: the status interrupt bit is
		 * updated under the INTx lock, not the bus lock (pci.c) */
		if (nv != dev->cfg[o])
			__atomic_store_n(&dev->cfg[o], nv, __ATOMIC_RELEASE);
	}
	return true;
}
