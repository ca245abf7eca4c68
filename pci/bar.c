/* BARs and the expansion ROM: the one set of BAR rules, their encoding in
 * and decoding from the config image, address allocation from the bus
 * windows, and the live/dead tracking that turns guest BAR and command
 * writes into map/unmap callbacks (default: a trap). */
#include <string.h>
#include "kvm/vm.h"
#include "kvm/guest_log.h"
#include "pci-internal.h"

#define MEM_BAR_ALIGN	4096ULL	/* every memory BAR gets its own pages */
#define PHYS_LIMIT	(1ULL << 52)

/* ---- encoding: declaration, flag bits, masks, addresses ---- */

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

const char *pci_bar_rule(int bar, u64 size, u32 flags)
{
	if (bar < 0 || bar >= PCI_NUM_REGIONS)
		return "no such BAR";
	if (!size || (size & (size - 1)))
		return "size is not a power of two";
	if (bar == PCI_ROM_SLOT)
		return flags || size < 2048 || size > SZ_1G ?
		       "a ROM is memory, 2 KiB to 1 GiB, no flags" : NULL;
	if (flags & PCI_BAR_F_IO)
		return (flags & ~PCI_BAR_F_IO) || size < 4 || size > 256 ?
		       "an I/O BAR is 4 to 256 bytes, no memory flags" : NULL;
	if (size < 16)
		return "a memory BAR is at least 16 bytes";
	if (flags & PCI_BAR_F_MEM64)
		return bar == PCI_NUM_BARS - 1 ?
		       "a 64-bit BAR needs the next BAR free" : NULL;
	return size > SZ_1G * 2 ? "a 32-bit BAR is at most 2 GiB" : NULL;
}

static const char *bar_check(const struct pci_dev *dev, int bar, u64 size,
			     u32 flags)
{
	const char *why = pci_bar_rule(bar, size, flags);

	if (why)
		return why;
	if (dev->bar[bar].size || pci_bar_is_upper(dev, bar))
		return "BAR declared twice";
	if ((flags & PCI_BAR_F_MEM64) && dev->bar[bar + 1].size)
		return "a 64-bit BAR needs the next BAR free";
	return NULL;
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

/* ---- decoding: what the registers and command select ---- */

u64 pci_bar_addr(const struct pci_dev *dev, int bar)
{
	u32 lo = pci_cfg_get32(dev, pci_bar_reg(bar));
	u64 hi = 0;

	if (bar == PCI_ROM_SLOT)
		return lo & PCI_ROM_ADDRESS_MASK;
	if (pci_bar_is_io(dev, bar))
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	if (dev->bar[bar].flags & PCI_BAR_F_MEM64)
		hi = pci_cfg_get32(dev, pci_bar_reg(bar) + 4);
	return (lo & PCI_BASE_ADDRESS_MEM_MASK) | hi << 32;
}

/* The address the region decodes now and whether that makes it live. */
static bool region_decode(struct pci_dev *dev, int bar, u16 cmd, u64 *addr)
{
	struct pci_bar *b = &dev->bar[bar];
	u32 lo = pci_cfg_get32(dev, pci_bar_reg(bar));
	u64 a = pci_bar_addr(dev, bar), limit = SZ_4G;

	if (bar == PCI_ROM_SLOT) {
		cmd &= (lo & PCI_ROM_ADDRESS_ENABLE) ? PCI_COMMAND_MEMORY : 0;
	} else if (b->flags & PCI_BAR_F_IO) {
		limit = 0x10000;
		cmd &= PCI_COMMAND_IO;
	} else {
		if (b->flags & PCI_BAR_F_MEM64)
			limit = PHYS_LIMIT;
		cmd &= PCI_COMMAND_MEMORY;
	}
	*addr = a;
	b->addr = a;
	/* 0 is "unassigned"; the sizing pattern ends at the limit */
	return cmd && a && a < limit && b->size < limit - a;
}

static int region_map(struct pci_dev *dev, int bar, u64 gpa)
{
	if (dev->ops && dev->ops->bar_map)
		return dev->ops->bar_map(dev, bar, gpa);
	return pci_bar_map_trap(dev, bar, gpa);
}

static void region_unmap(struct pci_dev *dev, int bar, u64 gpa)
{
	if (dev->ops && dev->ops->bar_unmap)
		dev->ops->bar_unmap(dev, bar, gpa);
	else
		pci_bar_unmap_trap(dev, bar, gpa);
}

/* True when region bar of dev at addr would overlap a live region of the
 * same space on the bus (dev's own included): it waits until that moves. */
static bool region_clash(struct pci_dev *dev, int bar, u64 addr)
{
	struct pci_bus *bus = dev->vm ? dev->vm->pci : NULL;
	bool io = pci_bar_is_io(dev, bar);
	const struct pci_bar *o;
	struct pci_dev *d;
	int s, j;

	for (s = 0; bus && s < PCI_MAX_SLOTS; s++) {
		d = bus->slots[s];
		for (j = 0; d && j < PCI_NUM_REGIONS; j++) {
			o = &d->bar[j];
			if (o->live && pci_bar_is_io(d, j) == io &&
			    addr < o->live_addr + o->size &&
			    o->live_addr < addr + dev->bar[bar].size)
				return true;
		}
	}
	return false;
}

bool pci_update_regions(struct pci_dev *dev)
{
	u16 cmd = pci_cfg_get16(dev, PCI_COMMAND);
	bool want, freed = false;
	struct pci_bar *b;
	u64 addr;
	int i;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		b = &dev->bar[i];
		if (!b->size)
			continue;
		want = region_decode(dev, i, cmd, &addr);
		if (b->live && (!want || b->live_addr != addr)) {
			region_unmap(dev, i, b->live_addr);
			b->live = false;
			freed = true;
		}
		if (!want || b->live)
			continue;
		if (region_clash(dev, i, addr)) {
			pr_debug("pci: %s: BAR%d at 0x%llx waits: another region "
				 "decodes there", dev->name, i,
				 (unsigned long long)addr);
			continue;
		}
		if (region_map(dev, i, addr)) {
			pr_guest(dev->vm, "pci: %s: BAR%d cannot go live at 0x%llx",
				 dev->name, i, (unsigned long long)addr);
			continue;
		}
		b->live = true;
		b->live_addr = addr;
	}
	return freed;
}

void pci_retry_regions(struct pci_bus *bus)
{
	int s;

	for (s = 0; bus && s < PCI_MAX_SLOTS; s++)
		if (bus->slots[s])
			pci_update_regions(bus->slots[s]);
}

void pci_regions_off(struct pci_dev *dev)
{
	struct pci_bar *b;
	int i;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		b = &dev->bar[i];
		if (!b->live)
			continue;
		region_unmap(dev, i, b->live_addr);
		b->live = false;
	}
}

/* ---- the default map: a trap to ops->bar_io ---- */

static void trap_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct pci_bar *b = opaque;
	struct pci_dev *dev = b->dev;

	if (dev->ops && dev->ops->bar_io) {
		dev->ops->bar_io(dev, b->index, off, data, len, wr);
		return;
	}
	if (!wr)
		memset(data, 0xff, len);
}

static struct iobus *region_bus(struct pci_dev *dev, int bar)
{
	return pci_bar_is_io(dev, bar) ? &dev->vm->pio : &dev->vm->mmio;
}

int pci_bar_map_trap(struct pci_dev *dev, int bar, u64 gpa)
{
	return iobus_register(region_bus(dev, bar), gpa, dev->bar[bar].size,
			      trap_io, &dev->bar[bar]);
}

void pci_bar_unmap_trap(struct pci_dev *dev, int bar, u64 gpa)
{
	iobus_unregister(region_bus(dev, bar), gpa);
}

/* ---- allocation ---- */

struct window {
	const char *name;
	u64 base, size;
	u64 *next;
};

static int window_take(struct window *w, u64 size, u64 align, u64 *out)
{
	u64 a = ALIGN_UP(*w->next, align), end = w->base + w->size;

	if (!w->size || a < *w->next || a > end || size > end - a)
		return -1;
	*out = a;
	*w->next = a + size;
	return 0;
}

/* Bus 0: big 64-bit BARs and 64-bit prefetchable ones to the 64-bit
 * window when there is one. Behind a root port (pref_only): the port's
 * prefetchable window takes exactly the prefetchable BARs. */
static struct window *pick_window(const struct pci_bar *b, struct window *win,
				  bool pref_only)
{
	bool big = b->size >= PCI_MEM64_MIN_SIZE ||
		   (b->flags & PCI_BAR_F_PREFETCH);

	if (b->flags & PCI_BAR_F_IO)
		return &win[0];
	if (pref_only)
		return (b->flags & PCI_BAR_F_PREFETCH) && win[2].size ?
		       &win[2] : &win[1];
	if ((b->flags & PCI_BAR_F_MEM64) && big && win[2].size)
		return &win[2];
	return &win[1];
}

static int alloc_one(struct pci_dev *dev, int bar, struct window *win,
		     bool pref_only)
{
	struct pci_bar *b = &dev->bar[bar];
	struct window *w = pick_window(b, win, pref_only);
	u64 size = b->size, addr;

	if (!(b->flags & PCI_BAR_F_IO))
		size = MAX(size, MEM_BAR_ALIGN);
	if (!window_take(w, size, size, &addr)) {
		pci_bar_set_addr(dev, bar, addr);
		return 0;
	}
	pr_err("pci: %s: BAR%d (%s%s, 0x%llx bytes) does not fit in the %s "
	       "window [0x%llx-0x%llx], next free 0x%llx", dev->name, bar,
	       b->flags & PCI_BAR_F_IO ? "I/O" :
	       b->flags & PCI_BAR_F_MEM64 ? "64-bit memory" : "32-bit memory",
	       b->flags & PCI_BAR_F_PREFETCH ? ", prefetchable" : "",
	       (unsigned long long)b->size, w->name,
	       (unsigned long long)w->base,
	       (unsigned long long)(w->base + w->size - 1),
	       (unsigned long long)*w->next);
	return -1;
}

int pci_alloc_bars_in(struct pci_dev *dev, const struct pci_windows *w,
		      u64 next[3], bool pref_only)
{
	u64 n[3] = { next[0], next[1], next[2] };
	struct window win[3] = {
		{ "I/O", w->io_base, w->io_size, &n[0] },
		{ "32-bit memory", w->mem32_base, w->mem32_size, &n[1] },
		{ pref_only ? "prefetchable" : "64-bit memory", w->mem64_base,
		  w->mem64_size, &n[2] },
	};
	int i;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		if (!dev->bar[i].size)
			continue;
		/* root ports forward no I/O: such a BAR stays unassigned */
		if (pref_only && pci_bar_is_io(dev, i) && !w->io_size)
			continue;
		if (alloc_one(dev, i, win, pref_only))
			return -1;
	}
	memcpy(next, n, sizeof(n));
	return 0;
}

int pci_alloc_bars(struct pci_bus *bus, struct pci_dev *dev)
{
	u64 next[3] = { bus->io_next, bus->mem32_next, bus->mem64_next };

	if (pci_alloc_bars_in(dev, &bus->win, next, false))
		return -1;
	bus->io_next = next[0];
	bus->mem32_next = next[1];
	bus->mem64_next = next[2];
	return 0;
}
