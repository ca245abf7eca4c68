/* The compatibility fingerprint of an assigned device (include/vfio/
 * snapshot.h): built from the device and the options, written into a
 * snapshot, compared field by field on restore. Pure: no ioctls. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "vfio/snapshot.h"

static void add(struct vfio_fp *fp, bool hex, u64 val, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct vfio_fp *fp, bool hex, u64 val, const char *fmt, ...)
{
	struct vfio_fp_item *it;
	va_list ap;

	if (fp->nr >= VFIO_FP_MAX)
		return;
	it = &fp->it[fp->nr++];
	va_start(ap, fmt);
	vsnprintf(it->name, sizeof(it->name), fmt, ap);
	va_end(ap);
	it->val = val;
	it->hex = hex;
}

/* The device's own config bytes (the image may hold a restored one). */
static u64 real(const struct vcfg *c, u32 off, u32 len)
{
	return off + len <= sizeof(c->real) ? le_get(c->real + off, len) : 0;
}

static u32 bar_type(const struct bar_region *b)
{
	if (!b->size)
		return 0;
	if (b->is_io)
		return PCI_BAR_F_IO;
	return (b->is_64 ? PCI_BAR_F_MEM64 : 0) |
	       (b->prefetch ? PCI_BAR_F_PREFETCH : 0);
}

static void fp_bars(const struct vfio_pci *vp, struct vfio_fp *fp)
{
	const struct pci_bar *g;
	int i;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		add(fp, true, vp->layout.bar[i].size, "BAR%d size", i);
		add(fp, true, bar_type(&vp->layout.bar[i]), "BAR%d type", i);
		g = &vp->pci.bar[i];
		add(fp, true, g->size, "BAR%d guest size", i);
		add(fp, true, g->size ? g->flags : 0, "BAR%d guest type", i);
	}
	add(fp, true, vp->pci.bar[PCI_ROM_SLOT].size, "ROM size");
}

static void fp_caps(const struct vcfg *c, struct vfio_fp *fp)
{
	const struct vcfg_cap *cap;
	u32 i;

	add(fp, false, c->nr_caps, "capabilities");
	for (i = 0; i < c->nr_caps; i++) {
		cap = &c->caps[i];
		add(fp, true, cap->id, "capability %u%s id", i,
		    cap->ext ? " (ext)" : "");
		add(fp, true, cap->off, "capability %u offset", i);
	}
}

static void fp_msix(const struct vfio_pci *vp, struct vfio_fp *fp)
{
	const struct msix_info *m = &vp->layout.msix;
	const struct msix_reloc_result *r = &vp->reloc;
	bool on = vp->layout.has_msix;

	add(fp, false, on ? m->vectors : 0, "MSI-X vectors");
	add(fp, false, vp->msix ? vp->msix->nr : 0, "MSI-X vectors emulated");
	add(fp, false, vp->vdev.irqs[VFIO_PCI_MSIX_IRQ_INDEX].count,
	    "MSI-X host vectors");
	add(fp, false, on ? m->table_bir : 0, "MSI-X table BAR");
	add(fp, true, on ? m->table_offset : 0, "MSI-X table offset");
	add(fp, false, on ? m->pba_bir : 0, "MSI-X PBA BAR");
	add(fp, true, on ? m->pba_offset : 0, "MSI-X PBA offset");
	add(fp, false, r->relocate, "MSI-X relocated");
	add(fp, false, r->relocate ? r->table_bir : 0, "MSI-X guest table BAR");
	add(fp, true, r->relocate ? r->table_offset : 0,
	    "MSI-X guest table offset");
	add(fp, false, r->relocate ? r->pba_bir : 0, "MSI-X guest PBA BAR");
	add(fp, true, r->relocate ? r->pba_offset : 0,
	    "MSI-X guest PBA offset");
}

static void fp_msi(const struct vfio_pci *vp, struct vfio_fp *fp)
{
	const struct vcfg *c = &vp->cfg;
	u16 flags = c->msi ? (u16)real(c, c->msi + PCI_MSI_FLAGS, 2) : 0;

	add(fp, false, vp->has_msi ? vp->vmsi.nr : 0, "MSI vectors emulated");
	add(fp, false, 1u << MIN((u32)(flags & PCI_MSI_FLAGS_QMASK) >> 1, 5u),
	    "MSI vectors");
	add(fp, false, !!(flags & PCI_MSI_FLAGS_64BIT), "MSI 64-bit");
	add(fp, false, !!(flags & PCI_MSI_FLAGS_MASKBIT),
	    "MSI per-vector mask");
}

void vfio_fp_build(const struct vfio_pci *vp, struct vfio_fp *fp)
{
	const struct vcfg *c = &vp->cfg;

	fp->nr = 0;
	add(fp, true, real(c, PCI_VENDOR_ID, 2), "vendor ID");
	add(fp, true, real(c, PCI_DEVICE_ID, 2), "device ID");
	add(fp, true, real(c, PCI_SUBSYSTEM_VENDOR_ID, 2),
	    "subsystem vendor ID");
	add(fp, true, real(c, PCI_SUBSYSTEM_ID, 2), "subsystem ID");
	add(fp, true, real(c, PCI_CLASS_REVISION, 4) >> 8, "class");
	add(fp, true, c->size, "config space size");
	add(fp, true, c->dev_size, "config region size");
	fp_bars(vp, fp);
	fp_caps(c, fp);
	fp_msix(vp, fp);
	fp_msi(vp, fp);
	add(fp, false, real(c, PCI_INTERRUPT_PIN, 1), "INTx pin");
	add(fp, false, vp->has_intx, "INTx");
	add(fp, true, vp->page, "host page size");
}

void vfio_fp_put(struct sbuf *b, const struct vfio_fp *fp)
{
	u32 i;

	sb_u32(b, fp->nr);
	for (i = 0; i < fp->nr; i++) {
		sb_str(b, fp->it[i].name);
		sb_u64(b, fp->it[i].val);
		sb_u8(b, fp->it[i].hex);
	}
}

int vfio_fp_get(struct sreader *r, struct vfio_fp *fp, char *err,
		size_t errlen)
{
	u32 i;

	fp->nr = sr_u32(r);
	if (r->bad || fp->nr > VFIO_FP_MAX)
		return set_err(err, errlen, "fingerprint: %u fields (at most "
			       "%u)", fp->nr, VFIO_FP_MAX);
	for (i = 0; i < fp->nr && !r->bad; i++) {
		sr_str(r, fp->it[i].name, sizeof(fp->it[i].name));
		fp->it[i].val = sr_u64(r);
		fp->it[i].hex = sr_u8(r);
	}
	if (r->bad)
		return set_err(err, errlen, "fingerprint: truncated or "
			       "malformed at field %u", i);
	return 0;
}

static void fmt_val(const struct vfio_fp_item *it, char *buf, size_t len)
{
	snprintf(buf, len, it->hex ? "0x%llx" : "%llu",
		 (unsigned long long)it->val);
}

int vfio_fp_compare(const struct vfio_fp *saved, const struct vfio_fp *cur,
		    const char *who, char *err, size_t errlen)
{
	const struct vfio_fp_item *a, *b;
	char va[24], vb[24];
	u32 i;

	for (i = 0; i < MIN(saved->nr, cur->nr); i++) {
		a = &saved->it[i];
		b = &cur->it[i];
		if (strcmp(a->name, b->name))
			return set_err(err, errlen, "%s: fingerprint field %u: "
				       "snapshot \"%s\", this device \"%s\" "
				       "(another lkvm version?)", who, i,
				       a->name, b->name);
		if (a->val == b->val)
			continue;
		fmt_val(a, va, sizeof(va));
		fmt_val(b, vb, sizeof(vb));
		return set_err(err, errlen, "%s: %s: snapshot %s, this device "
			       "%s", who, a->name, va, vb);
	}
	if (saved->nr != cur->nr)
		return set_err(err, errlen, "%s: fingerprint: snapshot %u "
			       "fields, this device %u (another lkvm "
			       "version?)", who, saved->nr, cur->nr);
	return 0;
}
