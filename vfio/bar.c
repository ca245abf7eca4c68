/* BARs of an assigned device in the guest: per-BAR plans, MAP ranges mmapped
 * from the VFIO region into KVM memslots, the ROM in a read-only one, and one
 * trap per live region that dispatches MSI-X table/PBA, forwarded registers,
 * padding and the ROM (its writes, and all of it without a memslot). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "kvm/guest_log.h"
#include "vfio/pci.h"

#define NOT_HERE	(~0ULL)

static struct iobus *bar_bus(struct vfio_bar *b)
{
	return b->is_io ? &b->vp->vm->pio : &b->vp->vm->mmio;
}

static void count(u64 *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static void forward(struct vfio_bar *b, u64 off, u8 *data, u32 len, bool wr)
{
	struct vfio_pci *vp = b->vp;
	int r;

	count(&b->st.fwd);
	if (wr)
		r = vfio_region_write(&vp->vdev, b->bar, off, data, len);
	else
		r = vfio_region_read(&vp->vdev, b->bar, off, data, len);
	if (r && !wr)
		memset(data, 0xff, len);
}

/* One trapped access to a live region; offsets are the guest's. */
static void bar_trap(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct vfio_bar *b = opaque;
	struct vfio_pci *vp = b->vp;
	const struct bar_range *r;

	if (b->bar == PCI_ROM_SLOT) {
		if (wr)
			return;
		if (!vp->rom)
			forward(b, off, data, len, false);
		else if (off < vp->rom_size && len <= vp->rom_size - off)
			memcpy(data, vp->rom + off, len);
		else
			memset(data, 0xff, len);
		return;
	}
	r = bar_plan_lookup(&b->plan, off);
	if (!r) {
		if (!wr)
			memset(data, 0xff, len);
		return;
	}
	switch (r->kind) {
	case BAR_RANGE_MSIX_TABLE:
		count(&b->st.table);
		if (wr)
			vfio_intr_table_write(vp, off - b->table_off, data, len);
		else
			vfio_intr_table_read(vp, off - b->table_off, data, len);
		break;
	case BAR_RANGE_MSIX_PBA:
		count(&b->st.pba);
		if (!wr)
			vfio_intr_pba_read(vp, off - b->pba_off, data, len);
		break;
	case BAR_RANGE_MAP:
		/* unmapped (mmap or memslot failed, or mid-move): forward */
	case BAR_RANGE_FORWARD:
		forward(b, off, data, len, wr);
		break;
	case BAR_RANGE_PAD:
		count(&b->st.pad);
		if (!wr)
			memset(data, 0, len);
		break;
	default:
		if (!wr)
			memset(data, 0xff, len);
	}
}

/* Maps one MAP range at gpa; on failure the range stays trapped. */
static void map_range(struct vfio_bar *b, u32 i, u64 gpa)
{
	const struct bar_range *r = &b->plan.r[i];
	struct vfio_pci *vp = b->vp;
	char err[VFIO_ERR_LEN];

	if (!b->hva[i] && !b->mmap_failed[i]) {
		b->hva[i] = vfio_region_mmap(&vp->vdev, b->bar, r->offset,
					     r->size, PROT_READ | PROT_WRITE,
					     err, sizeof(err));
		if (!b->hva[i]) {
			b->mmap_failed[i] = true;
			pr_warn("%s: %s; BAR%d 0x%llx+0x%llx is trapped instead",
				vp->name, err, b->bar,
				(unsigned long long)r->offset,
				(unsigned long long)r->size);
		}
	}
	if (!b->hva[i])
		return;
	b->slot[i] = vm_map_memory(vp->vm, gpa + r->offset, r->size,
				   b->hva[i]);
	if (b->slot[i] < 0)
		pr_guest(vp->vm, "%s: BAR%d 0x%llx+0x%llx at 0x%llx: no "
			 "memslot, trapped instead", vp->name, b->bar,
			(unsigned long long)r->offset,
			(unsigned long long)r->size,
			(unsigned long long)(gpa + r->offset));
}

/* The ROM as a read-only memslot over a copy read once (vfio/rom.c): the
 * guest's reads stop trapping, its writes still exit (ignored by bar_trap).
 * A ROM smaller than a page, no KVM_CAP_READONLY_MEM or a failed read:
 * every access traps as before. */
static void map_rom(struct vfio_bar *b, u64 gpa)
{
	struct vfio_pci *vp = b->vp;
	void *copy;

	if (b->size < vp->page || (gpa & (vp->page - 1)) ||
	    !vp->vm->readonly_mem)
		return;
	copy = vfio_rom_map_get(vp, b->size);
	if (copy)
		b->slot[0] = vm_map_memory_ro(vp->vm, gpa, b->size, copy);
}

static void unmap_ranges(struct vfio_bar *b)
{
	u32 i, n = b->bar == PCI_ROM_SLOT ? 1 : b->plan.nr;

	for (i = 0; i < n; i++) {
		if (b->slot[i] < 0)
			continue;
		vm_unmap_memory(b->vp->vm, b->slot[i]);
		b->slot[i] = -1;
	}
}

int vfio_bar_map(struct pci_dev *dev, int bar, u64 gpa)
{
	struct vfio_pci *vp = dev->priv;
	struct vfio_bar *b = &vp->bars[bar];
	u32 i;

	if (!b->size)
		return -1;
	for (i = 0; bar != PCI_ROM_SLOT && !b->is_io && i < b->plan.nr; i++)
		if (b->plan.r[i].kind == BAR_RANGE_MAP)
			map_range(b, i, gpa);
	if (bar == PCI_ROM_SLOT)
		map_rom(b, gpa);
	if (iobus_register(bar_bus(b), gpa, b->size, bar_trap, b)) {
		pr_guest(vp->vm, "%s: %s%d at 0x%llx overlaps another device",
			 vp->name, bar == PCI_ROM_SLOT ? "ROM" : "BAR", bar,
			 (unsigned long long)gpa);
		unmap_ranges(b);
		return -1;
	}
	b->trapped = true;
	b->gpa = gpa;
	pr_debug("%s: %s%d live at 0x%llx", vp->name,
		 bar == PCI_ROM_SLOT ? "ROM" : "BAR", bar,
		 (unsigned long long)gpa);
	return 0;
}

void vfio_bar_unmap(struct pci_dev *dev, int bar, u64 gpa)
{
	struct vfio_pci *vp = dev->priv;
	struct vfio_bar *b = &vp->bars[bar];

	unmap_ranges(b);
	if (b->trapped)
		iobus_unregister(bar_bus(b), b->gpa);
	b->trapped = false;
}

/* Guest offset of an MSI-X structure in BAR bar, or NOT_HERE. */
static u64 msix_off(struct vfio_pci *vp, int bar, bool pba)
{
	const struct msix_reloc_result *r = &vp->reloc;
	const struct msix_info *m = &vp->layout.msix;

	if (!vp->has_msix)
		return NOT_HERE;
	if (r->relocate) {
		if (bar != (pba ? r->pba_bir : r->table_bir))
			return NOT_HERE;
		return pba ? r->pba_offset : r->table_offset;
	}
	if (bar != (pba ? m->pba_bir : m->table_bir))
		return NOT_HERE;
	return pba ? m->pba_offset : m->table_offset;
}

int vfio_bar_setup(struct vfio_pci *vp, char *err, size_t errlen)
{
	char e[VFIO_ERR_LEN];
	struct vfio_bar *b;
	int i;
	u32 j;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		b = &vp->bars[i];
		b->vp = vp;
		b->bar = i;
		b->size = vp->pci.bar[i].size;
		b->is_io = pci_bar_is_io(&vp->pci, i);
		b->table_off = msix_off(vp, i, false);
		b->pba_off = msix_off(vp, i, true);
		for (j = 0; j < BAR_PLAN_MAX_RANGES; j++)
			b->slot[j] = -1;
		if (!b->size || i == PCI_ROM_SLOT)
			continue;
		if (msix_reloc_bar_plan(&vp->layout, &vp->reloc, i, vp->page,
					&b->plan, e, sizeof(e)))
			return set_err(err, errlen, "%s: BAR%d: %s", vp->name,
				       i, e);
		if (lkvm_debug) {
			char what[64];

			snprintf(what, sizeof(what), "%s BAR%d", vp->name, i);
			bar_plan_print(&b->plan, what);
		}
	}
	return 0;
}
