/* libFuzzer target for vfio/config.c: a device's config bytes, BAR regions
 * and MSI-X relocation choice from the input build a vcfg (as vfio/pci.c
 * does), then guest reads and writes must keep the image's invariants. */
#include <sanitizer/asan_interface.h>
#include <linux/pci_regs.h>
#include "fuzz.h"
#include "pci/pci.h"
#include "vfio/config.h"

/* fuzz-sources: vfio/config.c vfio/msix_reloc.c vfio/bar_plan.c kvm/util.c pci/config.c pci/bar.c kvm/iobus.c kvm/guest_log.c kvm/state.c
 * fuzz-runs: 80000
 * fuzz-max-len: 6144 */

/*
 * Input:
 *  [flags u8]  bit 0: 4096-byte config space; bits 1-2: msix-relocation
 *              default/off/auto/bar<bits 5-7>; bits 3-4: host page 4K/16K/64K
 *  [rom u8]    ROM region size 1 << (rom % 40), 0: none
 *  6 x [size u8][region u8] BAR regions: size 1 << n (n < 64), 0: none,
 *              >= 64: an arbitrary u32 follows; region bit 0 mmap, bit 1
 *              MSIX_MAPPABLE, bit 2 sparse areas (bits 3-4: how many,
 *              each [offset u32][size u32]), bit 5: 17 areas (too many)
 *  [n u16]     config bytes given (the rest of the space is 0), then them
 *  BAR addresses the bus assigns: 6 x u32
 *  guest accesses to the end (see step()).
 */
#define FL_EXP		0x01
#define FL_MODE(f)	(((f) >> 1) & 3)
#define FL_PAGE(f)	(((f) >> 3) & 3)
#define FL_BAR(f)	((f) >> 5)

struct dev {
	struct vcfg *c;
	struct pci_dev *fn;	/* the bus function: the one image */
	u32 size;
	u8 real[VCFG_SIZE_EXP];	/* config bytes at build time */
	u8 dev[VCFG_SIZE_EXP];	/* the device's config space now */
	u8 ids[4], hdr;		/* as the guest first reads them */
	u8 *masks;		/* policy and masks right after build */
};

static u32 rd(const u8 *p, u32 off, u32 len)
{
	u32 v = 0, i;

	for (i = 0; i < len; i++)
		v |= (u32)p[off + i] << (8 * i);
	return v;
}

static void read_region(struct fin *in, struct bar_region *b)
{
	u8 code = fin_u8(in), fl = fin_u8(in);
	u32 i;

	b->size = code < 64 ? (code ? 1ULL << code : 0) : fin_u32(in);
	b->mmap = fl & 1;
	b->msix_mappable = fl & 2;
	b->has_sparse = fl & 4;
	if (!b->has_sparse)
		return;
	b->nr_sparse = (fl >> 3) & 3;
	for (i = 0; i < b->nr_sparse; i++) {
		b->sparse[i].offset = fin_u32(in);
		b->sparse[i].size = fin_u32(in);
	}
	if (fl & 0x20)
		b->nr_sparse = BAR_PLAN_MAX_SPARSE + 1;
}

static int is_msix(void *arg, u32 off, u16 id)
{
	return id == PCI_CAP_ID_MSIX ? (int)off : 0;
}

/* vfio_device_find_cap() over the config bytes (the one walker), then the
 * same decode as vfio/device.c (msix_info_decode). */
static int layout_msix(const u8 *cfg, u32 size, struct pci_bar_layout *l)
{
	u32 pos = (u32)pci_cap_walk(pci_cfg_rd_bytes, cfg, size, false,
				    is_msix, NULL);

	if (!pos)
		return 0;
	if (pos + 12u > size)
		return -1;	/* the read fails: no device */
	l->has_msix = true;
	return msix_info_decode((u16)rd(cfg, pos + PCI_MSIX_FLAGS, 2),
				rd(cfg, pos + PCI_MSIX_TABLE, 4),
				rd(cfg, pos + PCI_MSIX_PBA, 4), &l->msix);
}

/* vfio_device_layout(): BAR types from config space, sizes from VFIO. */
static int layout(const u8 *cfg, u32 size, struct bar_region *regions,
		  struct pci_bar_layout *l)
{
	u32 v;
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < PCI_NUM_BARS; i++) {
		l->bar[i] = regions[i];
		if (!regions[i].size)
			continue;
		v = rd(cfg, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		l->bar[i].is_io = v & PCI_BASE_ADDRESS_SPACE_IO;
		if (l->bar[i].is_io)
			continue;
		l->bar[i].is_64 = (v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
				  PCI_BASE_ADDRESS_MEM_TYPE_64;
		l->bar[i].prefetch = v & PCI_BASE_ADDRESS_MEM_PREFETCH;
	}
	return layout_msix(cfg, size, l);
}

/* choose_reloc() of vfio/pci.c; -1: the device is refused. */
static int reloc(const struct pci_bar_layout *l, u8 flags, u64 page,
		 struct msix_reloc_result *r)
{
	struct msix_reloc_opt opt = { .mode = MSIX_RELOC_OFF, .bar = -1 };
	char err[256];

	memset(r, 0, sizeof(*r));
	if (FL_MODE(flags) == 0)
		opt.mode = page > 4096 ? MSIX_RELOC_AUTO : MSIX_RELOC_OFF;
	else if (FL_MODE(flags) == 2)
		opt.mode = MSIX_RELOC_AUTO;
	else if (FL_MODE(flags) == 3)
		opt = (struct msix_reloc_opt){ MSIX_RELOC_BAR, FL_BAR(flags) };
	if (!l->has_msix)
		return opt.mode == MSIX_RELOC_BAR ? -1 : 0;
	if (msix_reloc_choose(l, &opt, page, r, err, sizeof(err)))
		return -1;
	if (r->relocate)
		FUZZ_ASSERT(r->table_bir == r->target &&
			    r->pba_bir == r->target &&
			    r->table_offset < r->vbar_size[r->target] &&
			    r->pba_offset < r->vbar_size[r->target]);
	return 0;
}

/* bar_trap()'s lookup: the range holding each offset, none past the end. */
static void check_lookup(const struct bar_plan *p)
{
	const struct bar_range *r;
	u64 probe[3];
	u32 j, k;

	FUZZ_ASSERT(!bar_plan_lookup(p, p->size));
	FUZZ_ASSERT(!bar_plan_lookup(p, ~0ULL));
	for (j = 0; j < p->nr; j++) {
		probe[0] = p->r[j].offset;
		probe[1] = p->r[j].offset + p->r[j].size / 2;
		probe[2] = p->r[j].offset + p->r[j].size - 1;
		for (k = 0; k < 3; k++) {
			r = bar_plan_lookup(p, probe[k]);
			FUZZ_ASSERT(r == &p->r[j]);
			FUZZ_ASSERT(bar_plan_kind_at(p, probe[k]) == r->kind);
		}
	}
}

/* vfio_bar_setup(): every guest-visible BAR gets a plan covering it. */
static int plans(const struct vcfg *c, const struct pci_bar_layout *l,
		 const struct msix_reloc_result *r, u64 page)
{
	struct bar_plan *p = malloc(sizeof(*p));
	char err[256];
	u64 end;
	u32 j;
	int i, ret = 0;

	FUZZ_ASSERT(p);
	for (i = 0; i < PCI_NUM_BARS && !ret; i++) {
		if (!c->dev->bar[i].size)
			continue;
		if (msix_reloc_bar_plan(l, r, i, page, p, err, sizeof(err))) {
			ret = -1;
			break;
		}
		FUZZ_ASSERT(p->nr <= BAR_PLAN_MAX_RANGES);
		for (j = 0, end = 0; j < p->nr; j++) {
			FUZZ_ASSERT(p->r[j].offset == end && p->r[j].size);
			end += p->r[j].size;
		}
		FUZZ_ASSERT(end == p->size);
		FUZZ_ASSERT(p->size == c->dev->bar[i].size);
		check_lookup(p);
	}
	free(p);
	return ret;
}

/* The bus places each region at an address aligned to its size. */
static void assign_bars(struct pci_dev *fn, struct fin *in)
{
	const struct pci_bar *b;
	u64 a;
	int i;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		b = &fn->bar[i];
		a = (u64)fin_u32(in) << (b->flags & PCI_BAR_F_MEM64 ? 12 : 0);
		if (!b->size)
			continue;
		if (b->flags & PCI_BAR_F_IO)
			a &= 0xffff;
		pci_bar_set_addr(fn, i, ALIGN_DOWN(a, b->size));
	}
	pci_cfg_set8(fn, PCI_INTERRUPT_LINE, 10);
}

static void guest_read(struct dev *d, u32 off, u32 len, u8 *out)
{
	bool need = vcfg_read_needs_dev(d->c, off, len);

	vcfg_read(d->c, off, len, need ? d->dev + off : NULL, out);
}

/* Guest-visible ids, BAR alignment, MSI/MSI-X register sanity. */
static void check_image(struct dev *d)
{
	const struct vcfg *c = d->c;
	struct vcfg_msi m;
	u8 b[4];
	int i;

	guest_read(d, PCI_VENDOR_ID, 4, b);
	FUZZ_ASSERT(!memcmp(b, d->ids, 4));
	guest_read(d, PCI_HEADER_TYPE, 1, b);
	FUZZ_ASSERT(b[0] == d->hdr);
	for (i = 0; i < PCI_NUM_REGIONS; i++)
		if (c->dev->bar[i].size)
			FUZZ_ASSERT(pci_bar_addr(c->dev, i) %
				    c->dev->bar[i].size == 0);
	if (vcfg_msi_get(c, &m))
		FUZZ_ASSERT(m.nr_vectors <= m.max_vectors &&
			    m.max_vectors <= 32 &&
			    !(m.nr_vectors & (m.nr_vectors - 1)));
	FUZZ_ASSERT(vcfg_msix_vectors(c) <= 2048);
}

static bool range_ok(u32 size, u32 off, u32 len)
{
	return len && off < size && len <= size - off;
}

/* A guest's Initiate FLR: only a PCIe function asks; the reset image has
 * decode, MSI and MSI-X off and sends nothing but the command bytes. */
static void flr(struct dev *d)
{
	struct vcfg_write_res res;
	struct vcfg_msi m;
	bool en, fm;
	u32 i;

	FUZZ_ASSERT(d->c->exp);
	vcfg_flr(d->c, &res);
	FUZZ_ASSERT(res.nr_fwd <= 1 && !res.events);
	for (i = 0; i < res.nr_fwd; i++) {
		FUZZ_ASSERT(res.fwd[i].off >= PCI_COMMAND &&
			    res.fwd[i].off + res.fwd[i].len <= PCI_COMMAND + 2);
		memcpy(d->dev + res.fwd[i].off, res.fwd[i].data,
		       res.fwd[i].len);
	}
	FUZZ_ASSERT(!(vcfg_get(d->c, PCI_COMMAND, 2) &
		      (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		       PCI_COMMAND_MASTER)));
	FUZZ_ASSERT(!vcfg_msi_get(d->c, &m) || !m.enabled);
	FUZZ_ASSERT(!vcfg_msix_get(d->c, &en, &fm) || (!en && !fm));
}

static void guest_write(struct dev *d, u32 off, u32 len, const u8 *data)
{
	struct vcfg_write_res res;
	u32 i, total = 0;
	int r;

	memset(&res, 0xee, sizeof(res));
	r = vcfg_write(d->c, off, len, data, &res);
	FUZZ_ASSERT(r == 0 || r == -1);
	FUZZ_ASSERT(!r == (range_ok(d->size, off, len) && len <= 4));
	if (r) {
		FUZZ_ASSERT(!res.nr_fwd && !res.events);
		return;
	}
	FUZZ_ASSERT(res.nr_fwd <= ARRAY_SIZE(res.fwd));
	for (i = 0; i < res.nr_fwd; i++) {
		const struct vcfg_fwd *f = &res.fwd[i];

		/* inside config space and inside what the guest wrote */
		FUZZ_ASSERT(f->len >= 1 && f->len <= 4);
		FUZZ_ASSERT(range_ok(d->size, f->off, f->len));
		FUZZ_ASSERT(f->off >= off && f->off + f->len <= off + len);
		memcpy(d->dev + f->off, f->data, f->len);
		total += f->len;
	}
	FUZZ_ASSERT(total <= len);
	FUZZ_ASSERT(!(res.events & ~(VCFG_EV_MSI_CTRL | VCFG_EV_MSI_MSG |
				     VCFG_EV_MSI_MASK | VCFG_EV_MSIX_CTRL |
				     VCFG_EV_FLR)));
	if (res.events & VCFG_EV_FLR)
		flr(d);
	if (res.events & (VCFG_EV_MSI_CTRL | VCFG_EV_MSI_MSG |
			  VCFG_EV_MSI_MASK))
		FUZZ_ASSERT(d->c->msi);
	if (res.events & VCFG_EV_MSIX_CTRL)
		FUZZ_ASSERT(d->c->msix);
}

static void guest_read_op(struct dev *d, u32 off, u32 len)
{
	u8 out[16];
	u32 i, o;

	memset(out, 0xa5, sizeof(out));
	guest_read(d, off, len, out);
	for (i = 0; i < len; i++) {
		o = off + i;
		if (o < off || o >= d->size)
			FUZZ_ASSERT(out[i] == 0xff);
		else if (d->c->emu[o] == 0xff)
			FUZZ_ASSERT(out[i] == d->fn->cfg[o]);
	}
	FUZZ_ASSERT(out[len] == 0xa5);
}

/*
 * One access: [op u8] then [offset u16] (op bit 7: [offset u32], wild) and
 * for writes [4 data bytes]. op bits 0-1: write, read, read, other; bits
 * 2-4: length 1, 2, 4, 1, 2, 4, 3, 8.
 */
static void step(struct dev *d, struct fin *in)
{
	static const u32 lens[8] = { 1, 2, 4, 1, 2, 4, 3, 8 };
	u8 op = fin_u8(in), data[8] = { 0 };
	u32 len = lens[(op >> 2) & 7];
	u32 off = op & 0x80 ? fin_u32(in) : fin_u16(in) % (d->size + 8);

	switch (op & 3) {
	case 0:
		fin_bytes(in, data, 4);
		guest_write(d, off, len, data);
		break;
	case 1:
	case 2:
		guest_read_op(d, off, len);
		break;
	default:
		if (op & 0x20) {
			vcfg_msi_set_pending(d->c, fin_u32(in));
		} else if (off < d->size) {
			d->dev[off] = fin_u8(in);	/* device side */
		}
	}
	check_image(d);
}

#define NR_ARRAYS	7

static u8 *vcfg_array(struct vcfg *c, int i)
{
	u8 *a[NR_ARRAYS] = { c->dev->cfg, c->dev->wmask, c->dev->w1cmask,
			     c->emu, c->fwd, c->policy, c->real };

	return a[i];
}

/* Bytes past a 256-byte image: any access from here on is a finding. */
static void poison_tail(struct vcfg *c, bool on)
{
	int i;

	if (c->size == VCFG_SIZE_EXP)
		return;
	for (i = 0; i < NR_ARRAYS; i++) {
		if (on)
			ASAN_POISON_MEMORY_REGION(vcfg_array(c, i) + c->size,
						  VCFG_SIZE_EXP - c->size);
		else
			ASAN_UNPOISON_MEMORY_REGION(vcfg_array(c, i) + c->size,
						    VCFG_SIZE_EXP - c->size);
	}
}

/* Guest writes change the image, never its policy or masks. */
static void masks(struct dev *d, bool save)
{
	int i;

	for (i = 1; i < NR_ARRAYS; i++) {
		u8 *a = vcfg_array(d->c, i), *s = d->masks + i * d->size;

		if (save)
			memcpy(s, a, d->size);
		else
			FUZZ_ASSERT(!memcmp(s, a, d->size));
	}
}

static void run(struct dev *d, struct fin *in, const struct vcfg_input *vi,
		const struct pci_bar_layout *l,
		const struct msix_reloc_result *r, u64 page)
{
	char err[256] = "";
	u32 steps = 0;

	if (vcfg_build(d->c, d->fn, vi, err, sizeof(err))) {
		FUZZ_ASSERT(err[0]);
		return;
	}
	FUZZ_ASSERT(d->c->size == d->size);
	if (plans(d->c, l, r, page))
		return;
	assign_bars(d->fn, in);
	guest_read(d, PCI_VENDOR_ID, 4, d->ids);
	guest_read(d, PCI_HEADER_TYPE, 1, &d->hdr);
	FUZZ_ASSERT(!memcmp(d->ids, vi->cfg, 4));
	FUZZ_ASSERT(d->hdr == (vi->cfg[PCI_HEADER_TYPE] & 0x7f));
	masks(d, true);
	poison_tail(d->c, true);
	while (in->n && steps++ < 2048)
		step(d, in);
	poison_tail(d->c, false);
	masks(d, false);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	static const u64 pages[4] = { 4096, 16384, 65536, 4096 };
	struct fin in = { data, len };
	struct bar_region regions[PCI_NUM_BARS];
	struct msix_reloc_result *r = malloc(sizeof(*r));
	struct pci_bar_layout *l = malloc(sizeof(*l));
	struct dev *d = calloc(1, sizeof(*d));
	struct vcfg_input vi = { 0 };
	u8 flags = fin_u8(&in), rom = fin_u8(&in);
	u64 page = pages[FL_PAGE(flags)];
	u32 ncfg;
	int i;

	FUZZ_ASSERT(r && l && d);
	memset(regions, 0, sizeof(regions));
	for (i = 0; i < PCI_NUM_BARS; i++)
		read_region(&in, &regions[i]);
	d->size = flags & FL_EXP ? VCFG_SIZE_EXP : VCFG_SIZE;
	ncfg = fin_u16(&in);
	fin_bytes(&in, d->real, MIN(ncfg, d->size));
	memcpy(d->dev, d->real, d->size);
	d->c = malloc(sizeof(*d->c));
	d->fn = calloc(1, sizeof(*d->fn));
	d->masks = malloc(NR_ARRAYS * VCFG_SIZE_EXP);
	FUZZ_ASSERT(d->c && d->fn && d->masks);
	vi.cfg = d->real;
	vi.cfg_size = d->size;
	vi.bars = l;
	vi.rom_size = rom ? 1ULL << (rom % 40) : 0;
	if (!layout(d->real, d->size, regions, l) &&
	    !reloc(l, flags, page, r)) {
		vi.reloc = r->relocate ? r : NULL;
		run(d, &in, &vi, l, r, page);
	}
	free(d->masks);
	free(d->fn);
	free(d->c);
	free(d);
	free(l);
	free(r);
	return 0;
}

/* ---- seeds ---- */

struct cseed {
	u8 cfg[VCFG_SIZE_EXP];
	struct fseed s;
};

static void put(struct cseed *c, u32 off, u32 len, u32 v)
{
	u32 i;

	for (i = 0; i < len; i++)
		c->cfg[off + i] = (u8)(v >> (8 * i));
}

static void cap(struct cseed *c, u32 off, u8 id, u8 next)
{
	put(c, off, 1, id);
	put(c, off + 1, 1, next);
}

static void ext_cap(struct cseed *c, u32 off, u16 id, u8 ver, u32 next)
{
	put(c, off, 4, id | (u32)ver << 16 | next << 20);
}

static void header(struct cseed *c, u16 ven, u16 dev, u32 class)
{
	memset(c, 0, sizeof(*c));
	put(c, PCI_VENDOR_ID, 2, ven);
	put(c, PCI_DEVICE_ID, 2, dev);
	put(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	put(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	put(c, PCI_CLASS_REVISION, 4, class << 8 | 0x02);
	put(c, PCI_HEADER_TYPE, 1, 0x80);
	put(c, PCI_SUBSYSTEM_VENDOR_ID, 2, 0x1af4);
	put(c, PCI_SUBSYSTEM_ID, 2, 0x1100);
	put(c, PCI_INTERRUPT_PIN, 1, 1);
}

static void msix_body(struct cseed *c, u32 off, u32 nvec, u8 tbir, u32 toff,
		      u8 pbir, u32 poff)
{
	put(c, off + PCI_MSIX_FLAGS, 2, nvec - 1);
	put(c, off + PCI_MSIX_TABLE, 4, toff | tbir);
	put(c, off + PCI_MSIX_PBA, 4, poff | pbir);
}

/* Header of the input: flags, ROM, BAR regions (size log2, 0: none),
 * then the config bytes up to the last non-zero one. */
static void begin(struct cseed *c, u8 flags, u8 rom, const u8 *bar_log2)
{
	u32 n = VCFG_SIZE_EXP;
	int i;

	c->s.n = 0;
	fs_u8(&c->s, flags);
	fs_u8(&c->s, rom);
	for (i = 0; i < PCI_NUM_BARS; i++) {
		fs_u8(&c->s, bar_log2[i]);
		fs_u8(&c->s, 3);		/* mmap, MSIX_MAPPABLE */
	}
	while (n && !c->cfg[n - 1])
		n--;
	fs_u16(&c->s, (u16)n);
	fs_bytes(&c->s, c->cfg, n);
	for (i = 0; i < PCI_NUM_REGIONS; i++)
		fs_u32(&c->s, 0xc0000000u + i * 0x1000000u);
}

static u8 len_code(u32 len)
{
	return len == 1 ? 0 : len == 2 ? 1 : 2;
}

static void gw(struct cseed *c, u32 off, u32 len, u32 v)
{
	fs_u8(&c->s, 0 | len_code(len) << 2);
	fs_u16(&c->s, (u16)off);
	fs_u32(&c->s, v);
}

static void gr(struct cseed *c, u32 off, u32 len)
{
	fs_u8(&c->s, 1 | len_code(len) << 2);
	fs_u16(&c->s, (u16)off);
}

/* What a Linux driver does at probe: ids, command, BAR sizing, caps. */
static void probe_ops(struct cseed *c, u32 msix, u32 msi, u32 pm, u32 exp)
{
	gr(c, PCI_VENDOR_ID, 4);
	gr(c, PCI_CLASS_REVISION, 4);
	gr(c, PCI_CAPABILITY_LIST, 1);
	gw(c, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	gr(c, PCI_BASE_ADDRESS_0, 4);
	gw(c, PCI_BASE_ADDRESS_0, 4, 0xc0000000);
	gw(c, PCI_ROM_ADDRESS, 4, 0xfffff800);
	gr(c, PCI_ROM_ADDRESS, 4);
	gw(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (msix) {
		gr(c, msix + PCI_MSIX_FLAGS, 2);
		gw(c, msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE |
		   PCI_MSIX_FLAGS_MASKALL);
		gw(c, msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	}
	if (msi) {
		gw(c, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
		gw(c, msi + PCI_MSI_DATA_64, 2, 0x4021);
		gw(c, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 0x20);
		gw(c, msi + PCI_MSI_MASK_64, 4, 1);
	}
	if (pm) {
		gw(c, pm + PCI_PM_CTRL, 2, 3);
		gr(c, pm + PCI_PM_CTRL, 2);
		gw(c, pm + PCI_PM_CTRL, 2, 0);
	}
	if (exp) {
		gr(c, exp + PCI_EXP_DEVCAP, 4);
		gw(c, exp + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
		gw(c, exp + PCI_EXP_DEVCTL2, 2, 0x10);
	}
	gr(c, 0x100, 4);
	gw(c, PCI_STATUS, 2, 0xffff);
}

static void seed_nvme(struct cseed *c, const char *name, u8 flags)
{
	static const u8 bars[6] = { 14 };

	header(c, 0x1b36, 0x0010, 0x010802);
	put(c, PCI_BASE_ADDRESS_0, 4, 0xfebf0004);
	put(c, PCI_CAPABILITY_LIST, 1, 0x40);
	cap(c, 0x40, PCI_CAP_ID_MSIX, 0x60);
	msix_body(c, 0x40, 65, 0, 0x2000, 0, 0x3000);
	cap(c, 0x60, PCI_CAP_ID_PM, 0x80);
	put(c, 0x62, 2, 0xc803);
	put(c, 0x64, 2, PCI_PM_CTRL_NO_SOFT_RESET);
	cap(c, 0x80, PCI_CAP_ID_EXP, 0);
	put(c, 0x82, 2, 0x0002);			/* v2, endpoint */
	put(c, 0x84, 4, PCI_EXP_DEVCAP_FLR);
	put(c, 0x88, 2, 0x2810);
	begin(c, flags, 0, bars);
	probe_ops(c, 0x40, 0, 0x60, 0x80);
	fuzz_seed(name, &c->s);
}

static void seed_e1000e(struct cseed *c)
{
	static const u8 bars[6] = { 17, 17, 5, 14 };

	header(c, 0x8086, 0x10d3, 0x020000);
	put(c, PCI_BASE_ADDRESS_0, 4, 0xfebc0000);
	put(c, PCI_BASE_ADDRESS_1, 4, 0xfeba0000);
	put(c, PCI_BASE_ADDRESS_2, 4, 0xc001);
	put(c, PCI_BASE_ADDRESS_3, 4, 0xfebd0000);
	put(c, PCI_CAPABILITY_LIST, 1, 0xc8);
	cap(c, 0xc8, PCI_CAP_ID_PM, 0xd0);
	put(c, 0xca, 2, 0xc823);
	cap(c, 0xd0, PCI_CAP_ID_MSI, 0xe0);
	put(c, 0xd2, 2, PCI_MSI_FLAGS_64BIT | 0x6);	/* 8 vectors */
	cap(c, 0xe0, PCI_CAP_ID_EXP, 0xa0);
	put(c, 0xe2, 2, 0x0001);
	put(c, 0xe4, 4, 0x00008cc1);
	put(c, 0xec, 4, 0x00037c11);
	cap(c, 0xa0, PCI_CAP_ID_MSIX, 0);
	msix_body(c, 0xa0, 5, 3, 0, 3, 0x2000);
	ext_cap(c, 0x100, PCI_EXT_CAP_ID_ERR, 2, 0x140);
	put(c, 0x108, 4, 0x00400000);
	ext_cap(c, 0x140, PCI_EXT_CAP_ID_DSN, 1, 0x150);
	ext_cap(c, 0x150, PCI_EXT_CAP_ID_VNDR, 1, 0);
	put(c, 0x154, 4, 0x01000001 | 0x10 << 20);
	begin(c, FL_EXP, 18, bars);
	probe_ops(c, 0xa0, 0xd0, 0xc8, 0xe0);
	fuzz_seed("e1000e", &c->s);
}

/* Modern virtio: vendor caps around MSI-X in BAR1, relocated to bar2. */
static void seed_virtio(struct cseed *c)
{
	static const u8 bars[6] = { 0, 12, 0, 0, 14 };
	u32 v;

	header(c, 0x1af4, 0x1042, 0x010000);
	put(c, PCI_BASE_ADDRESS_4, 4, 0x0000000c);	/* 64-bit prefetch */
	put(c, PCI_CAPABILITY_LIST, 1, 0x98);
	cap(c, 0x98, PCI_CAP_ID_MSIX, 0x84);
	msix_body(c, 0x98, 2, 1, 0, 1, 0x800);
	for (v = 0x84; v >= 0x40; v -= 0x14) {
		cap(c, v, PCI_CAP_ID_VNDR, v >= 0x54 ? v - 0x14 : 0);
		put(c, v + 2, 1, 0x14);
		put(c, v + 3, 1, 1 + (0x84 - v) / 0x14);	/* cfg_type */
		put(c, v + 4, 1, 4);			/* bar */
	}
	begin(c, 0x3 << 1 | 2 << 5 | FL_EXP, 0, bars);
	probe_ops(c, 0x98, 0, 0, 0);
	gr(c, 0x86, 2);
	gw(c, 0x70 + 8, 4, 0x1000);
	fuzz_seed("virtio-bar2", &c->s);
}

/* Conventional 256-byte device: I/O BAR, maskable 64-bit MSI, PM, VPD
 * (hidden), a vendor capability in the last dword; 64K pages. */
static void seed_legacy(struct cseed *c)
{
	static const u8 bars[6] = { 5, 12 };

	header(c, 0x10ec, 0x8139, 0x020000);
	put(c, PCI_BASE_ADDRESS_0, 4, 0xe001);
	put(c, PCI_CAPABILITY_LIST, 1, 0x50);
	cap(c, 0x50, PCI_CAP_ID_MSI, 0x70);
	put(c, 0x52, 2, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | 0xa);
	cap(c, 0x70, PCI_CAP_ID_PM, 0x78);
	put(c, 0x72, 2, 0x0003);
	cap(c, 0x78, PCI_CAP_ID_VPD, 0xfc);
	cap(c, 0xfc, PCI_CAP_ID_VNDR, 0);
	put(c, 0xfe, 1, 4);
	begin(c, 2 << 3, 0, bars);
	probe_ops(c, 0, 0x50, 0x70, 0);
	gw(c, 0x50 + PCI_MSI_DATA_64, 2, 0x41);
	gw(c, 0x50 + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE | 0x70);
	gr(c, 0xfc, 4);
	gw(c, 0xfe, 2, 0xffff);
	fuzz_seed("legacy-256", &c->s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct cseed c;

	if (!fuzz_seeding())
		return 0;
	seed_nvme(&c, "nvme", FL_EXP);
	seed_nvme(&c, "nvme-16k-auto", FL_EXP | 1 << 3);
	seed_e1000e(&c);
	seed_virtio(&c);
	seed_legacy(&c);
	exit(0);
}
