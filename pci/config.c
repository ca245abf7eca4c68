/* Config space of one PCI function: the type-0 header, write and W1C
 * masks, the generic read/write emulation, BAR declarations and the
 * (extended) capability list helpers. */
#include <string.h>
#include "pci-internal.h"

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
#define MAX_CAPS	48	/* (256 - 64) / 4: loop guard */
#define MAX_EXT_CAPS	960	/* (4096 - 256) / 4 */

static bool in_cfg(const struct pci_dev *dev, u32 off, u32 len)
{
	return off < PCI_CFG_SIZE_EXP && len <= PCI_CFG_SIZE_EXP - off;
}

static u32 get_le(const u8 *p, u32 len)
{
	u32 v = 0, i;

	for (i = 0; i < len; i++)
		v |= (u32)p[i] << (8 * i);
	return v;
}

static void put_le(u8 *p, u32 len, u32 v)
{
	u32 i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(v >> (8 * i));
}

u8 pci_cfg_get8(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 1) ? dev->cfg[off] : 0xff;
}

u16 pci_cfg_get16(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 2) ? (u16)get_le(&dev->cfg[off], 2) : 0xffff;
}

u32 pci_cfg_get32(const struct pci_dev *dev, u32 off)
{
	return in_cfg(dev, off, 4) ? get_le(&dev->cfg[off], 4) : 0xffffffff;
}

void pci_cfg_set8(struct pci_dev *dev, u32 off, u8 v)
{
	if (in_cfg(dev, off, 1))
		dev->cfg[off] = v;
}

void pci_cfg_set16(struct pci_dev *dev, u32 off, u16 v)
{
	if (in_cfg(dev, off, 2))
		put_le(&dev->cfg[off], 2, v);
}

void pci_cfg_set32(struct pci_dev *dev, u32 off, u32 v)
{
	if (in_cfg(dev, off, 4))
		put_le(&dev->cfg[off], 4, v);
}

void pci_set_wmask(struct pci_dev *dev, u32 off, u32 len, u32 mask)
{
	if (len <= 4 && in_cfg(dev, off, len))
		put_le(&dev->wmask[off], len, mask);
}

void pci_set_w1c(struct pci_dev *dev, u32 off, u32 len, u32 mask)
{
	if (len <= 4 && in_cfg(dev, off, len))
		put_le(&dev->w1cmask[off], len, mask);
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

u32 pci_bar_reg(int bar)
{
	return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS
				   : PCI_BASE_ADDRESS_0 + 4 * (u32)bar;
}

bool pci_bar_is_upper(const struct pci_dev *dev, int bar)
{
	return bar > 0 && bar < PCI_NUM_BARS &&
	       (dev->bar[bar - 1].flags & PCI_BAR_F_MEM64) &&
	       dev->bar[bar - 1].size;
}

static const char *bar_check(const struct pci_dev *dev, int bar, u64 size,
			     u32 flags)
{
	if (bar < 0 || bar >= PCI_NUM_REGIONS)
		return "no such BAR";
	if (!size || (size & (size - 1)))
		return "size is not a power of two";
	if (dev->bar[bar].size || pci_bar_is_upper(dev, bar))
		return "BAR declared twice";
	if (bar == PCI_ROM_SLOT)
		return flags || size < 2048 || size > SZ_1G ?
		       "a ROM is memory, 2 KiB to 1 GiB, no flags" : NULL;
	if (flags & PCI_BAR_F_IO)
		return (flags & ~PCI_BAR_F_IO) || size < 4 || size > 256 ?
		       "an I/O BAR is 4 to 256 bytes, no memory flags" : NULL;
	if (size < 16)
		return "a memory BAR is at least 16 bytes";
	if (flags & PCI_BAR_F_MEM64)
		return bar == PCI_NUM_BARS - 1 || dev->bar[bar + 1].size ?
		       "a 64-bit BAR needs the next BAR free" : NULL;
	return size > SZ_1G * 2 ? "a 32-bit BAR is at most 2 GiB" : NULL;
}

/* Flag bits and write masks of the BAR register(s). */
static void bar_init_regs(struct pci_dev *dev, int bar, u64 size, u32 flags)
{
	u32 reg = pci_bar_reg(bar), low = 0;

	if (bar == PCI_ROM_SLOT) {
		pci_set_wmask(dev, reg, 4,
			      ((u32)~(size - 1) & PCI_ROM_ADDRESS_MASK) |
			      PCI_ROM_ADDRESS_ENABLE);
		return;
	}
	if (flags & PCI_BAR_F_IO) {
		pci_cfg_set32(dev, reg, PCI_BASE_ADDRESS_SPACE_IO);
		pci_set_wmask(dev, reg, 4, (u32)~(size - 1) & 0xfffc);
		return;
	}
	if (flags & PCI_BAR_F_PREFETCH)
		low |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	if (flags & PCI_BAR_F_MEM64)
		low |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	pci_cfg_set32(dev, reg, low);
	pci_set_wmask(dev, reg, 4, (u32)~(size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
	if (flags & PCI_BAR_F_MEM64)
		pci_set_wmask(dev, reg + 4, 4, (u32)(~(size - 1) >> 32));
}

int pci_dev_set_bar(struct pci_dev *dev, int bar, u64 size, u32 flags)
{
	const char *why = bar_check(dev, bar, size, flags);

	if (why) {
		pr_err("pci: %s: BAR%d of 0x%llx bytes: %s", dev->name, bar,
		       (unsigned long long)size, why);
		return -1;
	}
	dev->bar[bar].size = size;
	dev->bar[bar].flags = flags;
	bar_init_regs(dev, bar, size, flags);
	return 0;
}

void pci_bar_set_addr(struct pci_dev *dev, int bar, u64 addr)
{
	u32 reg = pci_bar_reg(bar), keep;

	keep = bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS_ENABLE :
	       pci_bar_is_io(dev, bar) ? ~PCI_BASE_ADDRESS_IO_MASK :
	       ~PCI_BASE_ADDRESS_MEM_MASK;
	pci_cfg_set32(dev, reg, (pci_cfg_get32(dev, reg) & keep) |
				((u32)addr & ~keep));
	if (dev->bar[bar].flags & PCI_BAR_F_MEM64)
		pci_cfg_set32(dev, reg + 4, (u32)(addr >> 32));
	dev->bar[bar].addr = addr;
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

u16 pci_add_ext_cap(struct pci_dev *dev, u16 id, u8 version, u32 size)
{
	u16 off = dev->ext_cap_free ? dev->ext_cap_free : EXT_CAP_START;
	u32 hdr;

	size = (u32)ALIGN_UP(MAX(size, 4), 4);
	if (dev->cfg_size < PCI_CFG_SIZE_EXP || off + size > PCI_CFG_SIZE_EXP)
		return 0;
	pci_cfg_set32(dev, off, id | ((u32)(version & 0xf) << 16));
	if (dev->ext_cap_tail) {
		hdr = pci_cfg_get32(dev, dev->ext_cap_tail);
		pci_cfg_set32(dev, dev->ext_cap_tail,
			      (hdr & 0x000fffff) | ((u32)off << 20));
	}
	dev->ext_cap_tail = off;
	dev->ext_cap_free = (u16)(off + size);
	return off;
}

u16 pci_find_cap(const struct pci_dev *dev, u8 id)
{
	u8 off;
	int n;

	if (!(pci_cfg_get16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = pci_cfg_get8(dev, PCI_CAPABILITY_LIST) & ~3;
	for (n = 0; off >= CAP_START && n < MAX_CAPS; n++) {
		if (pci_cfg_get8(dev, off) == id)
			return off;
		off = pci_cfg_get8(dev, off + 1) & ~3;
	}
	return 0;
}

u16 pci_find_ext_cap(const struct pci_dev *dev, u16 id)
{
	u32 off = EXT_CAP_START, hdr;
	int n;

	if (dev->cfg_size < PCI_CFG_SIZE_EXP)
		return 0;
	for (n = 0; off >= EXT_CAP_START && n < MAX_EXT_CAPS; n++) {
		hdr = pci_cfg_get32(dev, off);
		if (!hdr || hdr == 0xffffffff)
			return 0;
		if ((hdr & 0xffff) == id)
			return (u16)off;
		off = (hdr >> 20) & ~3u;
	}
	return 0;
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

static bool overlaps(u32 off, u32 len, u32 start, u32 end)
{
	return off < end && off + len > start;
}

void pci_cfg_write_default(struct pci_dev *dev, u32 off, const u8 *data,
			   u32 len)
{
	u32 i, o;
	u8 v, nv;

	if (!in_cfg(dev, off, len) || off + len > dev->cfg_size)
		return;
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
	if (overlaps(off, len, PCI_COMMAND, PCI_COMMAND + 2) ||
	    overlaps(off, len, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_5 + 4) ||
	    overlaps(off, len, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS + 4))
		pci_update_regions(dev);
	if (overlaps(off, len, PCI_COMMAND + 1, PCI_COMMAND + 2))
		pci_update_intx(dev);
}
