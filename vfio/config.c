/* Config-space virtualization of an assigned PCI function
 * (include/vfio/config.h): a policy layer over the bus's one image
 * (pci_dev): per-byte policy, read/forward masks, the rebuilt capability
 * lists, and guest read/write handling. */
#include <string.h>
#include <linux/pci_regs.h>
#include "pci/pci.h"
#include "kvm/state.h"
#include "vfio/config.h"

/* What the policy emulates and forwards, where the capabilities sit: saved to
 * check a target computed the same from its device, never loaded over it. */
STATE_DESC(vcfg_state_desc, "vfio-pci-config", struct vcfg, 1,
	   STATE_FIELD(struct vcfg, size, 1), STATE_FIELD(struct vcfg, emu, 1),
	   STATE_FIELD(struct vcfg, fwd, 1), STATE_FIELD(struct vcfg, policy, 1),
	   STATE_FIELD(struct vcfg, msi, 1), STATE_FIELD(struct vcfg, msix, 1),
	   STATE_FIELD(struct vcfg, pm, 1), STATE_FIELD(struct vcfg, exp, 1),
	   STATE_FIELD(struct vcfg, aer, 1), STATE_FIELD(struct vcfg, dsn, 1))

#define CMD_FWD_BITS	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY |		\
			 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |	\
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define PCIE_V2_SIZE	0x3c
#define AER_SIZE	0x48

u32 vcfg_get(const struct vcfg *c, u32 off, u32 len)
{
	if (len > 4 || off + len > c->size)
		return 0;
	return (u32)le_get(c->dev->cfg + off, len);
}

/* Policy and read/forward masks for [off, off + len). */
static void set_policy(struct vcfg *c, u32 off, u32 len,
		       enum vcfg_policy p)
{
	u32 i;

	for (i = off; i < off + len && i < c->size; i++) {
		c->policy[i] = p;
		c->emu[i] = p == VCFG_PASSTHROUGH ? 0 : 0xff;
		c->fwd[i] = p == VCFG_PASSTHROUGH ? 0xff : 0;
		c->dev->wmask[i] = 0;
		c->dev->w1cmask[i] = 0;
	}
}

/* An emulated range: image from the device (or zero), read-only. */
static void emulate(struct vcfg *c, u32 off, u32 len, bool copy)
{
	set_policy(c, off, len, VCFG_EMULATED);
	if (copy)
		memcpy(c->dev->cfg + off, c->real + off, len);
	else
		memset(c->dev->cfg + off, 0, len);
}

static void virt(struct vcfg *c, u32 off, u32 len, u32 wmask)
{
	set_policy(c, off, len, VCFG_VIRTUAL);
	le_put(c->dev->wmask + off, len, wmask);
}

/* ---- Header ---- */

struct bar_desc {
	u64 size;
	bool io, is64, prefetch;
};

static void guest_bar(const struct vcfg_input *in, int i, struct bar_desc *d)
{
	const struct msix_reloc_result *r = in->reloc;
	const struct bar_region *b = in->bars ? &in->bars->bar[i] : NULL;

	memset(d, 0, sizeof(*d));
	if (b) {
		d->size = b->size;
		d->io = b->is_io;
		d->is64 = b->is_64 && !b->is_io;
		d->prefetch = b->prefetch && !b->is_io;
	}
	if (!r || !r->relocate)
		return;
	d->size = r->vbar_size[i];
	d->is64 = r->vbar_is_64[i];
	if (r->created && r->target == i)
		d->io = d->prefetch = false;
}

static u32 bar_flags(const struct bar_desc *d)
{
	return (d->io ? PCI_BAR_F_IO : 0) | (d->is64 ? PCI_BAR_F_MEM64 : 0) |
	       (d->prefetch ? PCI_BAR_F_PREFETCH : 0);
}

/* The bus's BAR rules and encoding (pci/bar.c) in the one image. */
static int declare(struct vcfg *c, int bar, u64 size, u32 flags, char *err,
		   size_t errlen)
{
	const char *why = pci_bar_rule(bar, size, flags);

	if (!why && !pci_dev_set_bar(c->dev, bar, size, flags))
		return 0;
	why = why ? why : "declared twice";
	if (bar == PCI_ROM_SLOT)
		return set_err(err, errlen, "ROM (%#llx bytes): %s",
			       (unsigned long long)size, why);
	return set_err(err, errlen, "BAR%d (%#llx bytes): %s", bar,
		       (unsigned long long)size, why);
}

static int setup_bars(struct vcfg *c, const struct vcfg_input *in,
		      char *err, size_t errlen)
{
	struct bar_desc d;
	int i;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		guest_bar(in, i, &d);
		if (!d.size)
			continue;
		set_policy(c, PCI_BASE_ADDRESS_0 + 4 * i, d.is64 ? 8 : 4,
			   VCFG_VIRTUAL);
		if (declare(c, i, d.size, bar_flags(&d), err, errlen))
			return -1;
		i += d.is64;
	}
	if (!in->rom_size)
		return 0;
	set_policy(c, PCI_ROM_ADDRESS, 4, VCFG_VIRTUAL);
	return declare(c, PCI_ROM_SLOT, in->rom_size, 0, err, errlen);
}

static void setup_header(struct vcfg *c)
{
	u16 cmd_bits = PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		       PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE;
	int i;

	emulate(c, PCI_VENDOR_ID, 4, true);
	emulate(c, PCI_CLASS_REVISION, 4, true);
	emulate(c, PCI_SUBSYSTEM_VENDOR_ID, 4, true);
	emulate(c, PCI_INTERRUPT_PIN, 3, true);
	c->dev->cfg[PCI_HEADER_TYPE] = c->real[PCI_HEADER_TYPE] & 0x7f;

	/* status: INTx pending from the device, W1C error byte passes */
	set_policy(c, PCI_STATUS, 1, VCFG_VIRTUAL);
	c->emu[PCI_STATUS] = (u8)~PCI_STATUS_INTERRUPT;
	c->dev->cfg[PCI_STATUS] = c->real[PCI_STATUS] &
			     ~(PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST);
	set_policy(c, PCI_STATUS + 1, 1, VCFG_PASSTHROUGH);

	c->dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	c->dev->wmask[PCI_LATENCY_TIMER] = 0xff;
	c->dev->wmask[PCI_INTERRUPT_LINE] = 0xff;

	for (i = 0; i < PCI_NUM_REGIONS; i++) {
		if (!c->dev->bar[i].size)
			continue;
		cmd_bits |= pci_bar_is_io(c->dev, i) ? PCI_COMMAND_IO :
						       PCI_COMMAND_MEMORY;
	}
	virt(c, PCI_COMMAND, 2, cmd_bits);
	le_put(c->fwd + PCI_COMMAND, 2, cmd_bits & CMD_FWD_BITS);
}

/* ---- Capability discovery ---- */

static u32 find_next_cap_off(const struct vcfg *c, u32 off, bool ext)
{
	u32 lim = ext ? c->size : VCFG_SIZE;
	u32 i;

	for (i = 0; i < c->nr_caps; i++) {
		if (c->caps[i].ext != ext)
			continue;
		if (c->caps[i].off > off && c->caps[i].off < lim)
			lim = c->caps[i].off;
	}
	return lim;
}

static u32 msi_size(u16 flags)
{
	u32 size = 10;

	if (flags & PCI_MSI_FLAGS_64BIT)
		size += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		size += 10;
	return size;
}

static u32 exp_size(u16 flags)
{
	u32 type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;

	if ((flags & PCI_EXP_FLAGS_VERS) >= 2)
		return PCIE_V2_SIZE;
	if (type == PCI_EXP_TYPE_RC_END)
		return PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1;
	if (type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_LEG_END)
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
	return 0x24;
}

/* Architected size of a capability, 0 when unknown. */
static u32 cap_known_size(const struct vcfg *c, const struct vcfg_cap *cap)
{
	u32 off = cap->off;

	if (cap->ext) {
		if (cap->id == PCI_EXT_CAP_ID_ERR)
			return AER_SIZE;
		if (cap->id == PCI_EXT_CAP_ID_DSN)
			return PCI_EXT_CAP_DSN_SIZEOF;
		if (cap->id == PCI_EXT_CAP_ID_VNDR)
			return MAX(PCI_VNDR_HEADER_LEN((u32)le_get(
				c->real + off + PCI_VNDR_HEADER, 4)), 8u);
		return 0;
	}
	switch (cap->id) {
	case PCI_CAP_ID_PM:
		return PCI_PM_SIZEOF;
	case PCI_CAP_ID_MSI:
		return msi_size((u16)le_get(c->real + off + 2, 2));
	case PCI_CAP_ID_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case PCI_CAP_ID_EXP:
		return exp_size((u16)le_get(c->real + off + 2, 2));
	case PCI_CAP_ID_VPD:
		return PCI_CAP_VPD_SIZEOF;
	case PCI_CAP_ID_VNDR:
		return MAX(c->real[off + 2], 3);
	}
	return 0;
}

static bool exp_type_ok(const struct vcfg *c, u32 off)
{
	u32 type = ((u32)le_get(c->real + off + 2, 2) & PCI_EXP_FLAGS_TYPE) >> 4;

	return type == PCI_EXP_TYPE_ENDPOINT || type == PCI_EXP_TYPE_RC_END;
}

static bool seen_before(const struct vcfg *c, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (c->caps[i].ext == c->caps[n].ext &&
		    c->caps[i].id == c->caps[n].id)
			return true;
	return false;
}

/* AER without the root port and TLP prefix registers ends here */
#define AER_MIN_SIZE	PCI_ERR_ROOT_COMMAND

/* Vendor-specific: the device defines them, and may have many. */
static bool is_vendor_cap(const struct vcfg_cap *cap)
{
	return cap->id == (cap->ext ? PCI_EXT_CAP_ID_VNDR : PCI_CAP_ID_VNDR);
}

static bool want_cap(const struct vcfg *c, u32 n)
{
	const struct vcfg_cap *cap = &c->caps[n];
	u32 need = cap_known_size(c, cap);

	if (cap->ext && cap->id == PCI_EXT_CAP_ID_ERR)
		need = AER_MIN_SIZE;
	if (!need || cap->size < need)
		return false;
	if (is_vendor_cap(cap))
		return true;
	if (seen_before(c, n))
		return false;
	if (cap->ext)
		return cap->id == PCI_EXT_CAP_ID_ERR ||
		       cap->id == PCI_EXT_CAP_ID_DSN;
	switch (cap->id) {
	case PCI_CAP_ID_PM:
	case PCI_CAP_ID_MSI:
	case PCI_CAP_ID_MSIX:
		return true;
	case PCI_CAP_ID_EXP:
		return exp_type_ok(c, cap->off);
	}
	return false;
}

static void add_cap(struct vcfg *c, u32 off, u16 id, bool ext)
{
	struct vcfg_cap *cap = &c->caps[c->nr_caps++];

	cap->off = (u16)off;
	cap->id = id;
	cap->ext = ext;
}

static int add_std(void *arg, u32 off, u16 id)
{
	struct vcfg *c = arg;

	add_cap(c, off, id, false);
	return c->nr_caps >= VCFG_MAX_CAPS / 2;
}

static int add_ext(void *arg, u32 off, u16 id)
{
	struct vcfg *c = arg;

	add_cap(c, off, id, true);
	return c->nr_caps >= VCFG_MAX_CAPS;
}

static void size_caps(struct vcfg *c)
{
	struct vcfg_cap *cap;
	u32 i, known, room;

	for (i = 0; i < c->nr_caps; i++) {
		cap = &c->caps[i];
		room = find_next_cap_off(c, cap->off, cap->ext) - cap->off;
		known = cap_known_size(c, cap);
		cap->size = (u16)(known ? MIN(known, room) : room);
	}
	for (i = 0; i < c->nr_caps; i++)
		c->caps[i].exposed = want_cap(c, i);
}

/* ---- Exposed capabilities ---- */

static void setup_pm(struct vcfg *c, u32 p)
{
	u16 pmc = (u16)le_get(c->real + p + PCI_PM_PMC, 2);
	u16 csr = (u16)le_get(c->real + p + PCI_PM_CTRL, 2);

	le_put(c->dev->cfg + p + PCI_PM_PMC, 2, pmc & ~PCI_PM_CAP_PME_MASK);
	virt(c, p + PCI_PM_CTRL, 2, PCI_PM_CTRL_STATE_MASK);
	le_put(c->dev->cfg + p + PCI_PM_CTRL, 2, csr & PCI_PM_CTRL_NO_SOFT_RESET);
	c->pm = (u16)p;
}

static void setup_msi(struct vcfg *c, u32 p)
{
	u16 flags = (u16)le_get(c->real + p + PCI_MSI_FLAGS, 2);
	bool is64 = flags & PCI_MSI_FLAGS_64BIT;
	u32 data = p + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
	u32 mmc = MIN((u32)(flags & PCI_MSI_FLAGS_QMASK) >> 1, 5u);
	u32 nvec = 1u << mmc;

	flags &= PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_64BIT |
		 PCI_MSI_FLAGS_MASKBIT;
	memset(c->dev->cfg + p + 2, 0, msi_size(flags) - 2);
	virt(c, p + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE |
	     PCI_MSI_FLAGS_QSIZE);
	le_put(c->dev->cfg + p + PCI_MSI_FLAGS, 2, flags);
	virt(c, p + PCI_MSI_ADDRESS_LO, 4, ~3u);
	if (is64)
		virt(c, p + PCI_MSI_ADDRESS_HI, 4, ~0u);
	virt(c, data, 2, 0xffff);
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		virt(c, data + 4, 4, nvec == 32 ? ~0u : (1u << nvec) - 1);
	c->msi = (u16)p;
}

static void setup_msix(struct vcfg *c, const struct msix_reloc_result *r,
		       u32 p)
{
	u16 ctrl = (u16)le_get(c->real + p + PCI_MSIX_FLAGS, 2);

	virt(c, p + PCI_MSIX_FLAGS, 2,
	     PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	le_put(c->dev->cfg + p + PCI_MSIX_FLAGS, 2,
	       ctrl & PCI_MSIX_FLAGS_QSIZE);
	if (r && r->relocate) {
		le_put(c->dev->cfg + p + PCI_MSIX_TABLE, 4,
		       ((u32)r->table_offset & PCI_MSIX_TABLE_OFFSET) |
		       (r->table_bir & PCI_MSIX_TABLE_BIR));
		le_put(c->dev->cfg + p + PCI_MSIX_PBA, 4,
		       ((u32)r->pba_offset & PCI_MSIX_PBA_OFFSET) |
		       (r->pba_bir & PCI_MSIX_PBA_BIR));
	}
	c->msix = (u16)p;
}

static void zero_if_inside(struct vcfg *c, u32 p, u32 size, u32 reg,
			   u32 len)
{
	if (reg + len <= size)
		memset(c->dev->cfg + p + reg, 0, len);
}

static void setup_exp(struct vcfg *c, u32 p, u32 size)
{
	u16 flags = (u16)le_get(c->real + p + PCI_EXP_FLAGS, 2);
	u32 type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;

	if (PCI_EXP_DEVCTL + 4 <= size)
		set_policy(c, p + PCI_EXP_DEVCTL, 4, VCFG_PASSTHROUGH);
	if (PCI_EXP_DEVCTL2 + 2 <= size) {
		c->dev->wmask[p + PCI_EXP_DEVCTL2] = 0xff;
		c->dev->wmask[p + PCI_EXP_DEVCTL2 + 1] = 0xff;
	}
	c->exp = (u16)p;
	if (type != PCI_EXP_TYPE_ENDPOINT)
		return;
	/* no root port upstream: show an RCiEP without a link */
	flags = (flags & ~PCI_EXP_FLAGS_TYPE) | (PCI_EXP_TYPE_RC_END << 4);
	le_put(c->dev->cfg + p + PCI_EXP_FLAGS, 2, flags);
	zero_if_inside(c, p, size, PCI_EXP_LNKCAP, 8);
	zero_if_inside(c, p, size, PCI_EXP_LNKCAP2, 8);
}

static void setup_aer(struct vcfg *c, u32 p, u32 size)
{
	set_policy(c, p + 4, size - 4, VCFG_PASSTHROUGH);
	c->aer = (u16)p;
}

static void setup_cap(struct vcfg *c, const struct vcfg_input *in,
		      const struct vcfg_cap *cap)
{
	if (!cap->exposed) {
		emulate(c, cap->off, cap->size, false);
		return;
	}
	emulate(c, cap->off, cap->size, true);
	if (is_vendor_cap(cap)) {
		/* id/next (and the extended version) stay the image's */
		set_policy(c, cap->off + (cap->ext ? 4 : 2),
			   cap->size - (cap->ext ? 4 : 2), VCFG_PASSTHROUGH);
		return;
	}
	if (cap->ext) {
		if (cap->id == PCI_EXT_CAP_ID_ERR)
			setup_aer(c, cap->off, cap->size);
		else
			c->dsn = cap->off;
		return;
	}
	switch (cap->id) {
	case PCI_CAP_ID_PM:
		setup_pm(c, cap->off);
		break;
	case PCI_CAP_ID_MSI:
		setup_msi(c, cap->off);
		break;
	case PCI_CAP_ID_MSIX:
		setup_msix(c, in->reloc, cap->off);
		break;
	case PCI_CAP_ID_EXP:
		setup_exp(c, cap->off, cap->size);
		break;
	}
}

/* Writes only next pointers: 0x34 and byte 1 of exposed capabilities. */
static void relink(struct vcfg *c)
{
	u32 prev = PCI_CAPABILITY_LIST;
	u32 i;

	for (i = 0; i < c->nr_caps; i++) {
		if (c->caps[i].ext || !c->caps[i].exposed)
			continue;
		c->dev->cfg[prev] = (u8)c->caps[i].off;
		prev = c->caps[i].off + PCI_CAP_LIST_NEXT;
	}
	c->dev->cfg[prev] = 0;
	if (prev != PCI_CAPABILITY_LIST)
		c->dev->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
}

/* Extended headers keep id and version; only next changes. */
static void relink_ext(struct vcfg *c)
{
	u32 prev = 0, hdr, i;

	if (c->size < VCFG_SIZE_EXP)
		return;
	for (i = 0; i < c->nr_caps; i++) {
		if (!c->caps[i].ext || !c->caps[i].exposed)
			continue;
		if (!prev && c->caps[i].off != VCFG_SIZE) {
			/* null header at 0x100 leading to the first one */
			emulate(c, VCFG_SIZE, 4, false);
			prev = VCFG_SIZE;
		}
		if (prev) {
			hdr = (u32)le_get(c->dev->cfg + prev, 4) & 0xfffff;
			le_put(c->dev->cfg + prev, 4, hdr | (c->caps[i].off << 20));
		}
		prev = c->caps[i].off;
		hdr = (u32)le_get(c->real + prev, 4) & 0xfffff;
		le_put(c->dev->cfg + prev, 4, hdr);
	}
	if (!prev)
		emulate(c, VCFG_SIZE, 4, false);
}

static int setup_caps(struct vcfg *c, const struct vcfg_input *in)
{
	u32 i;

	pci_cap_walk(pci_cfg_rd_bytes, c->real, c->size, false, add_std, c);
	pci_cap_walk(pci_cfg_rd_bytes, c->real, c->size, true, add_ext, c);
	size_caps(c);
	for (i = 0; i < c->nr_caps; i++)
		setup_cap(c, in, &c->caps[i]);
	relink(c);
	relink_ext(c);
	return 0;
}

/* Bytes past a short config region (mdevs have 255): what the image says
 * (zero unless a rebuilt capability put something there), writes dropped. */
static void clip_dev(struct vcfg *c)
{
	u32 o;

	for (o = c->dev_size; o < c->size; o++) {
		if (c->policy[o] == VCFG_PASSTHROUGH)
			emulate(c, o, 1, false);
		c->emu[o] = 0xff;
		c->fwd[o] = 0;
	}
}

int vcfg_build(struct vcfg *c, struct pci_dev *dev,
	       const struct vcfg_input *in, char *err, size_t errlen)
{
	if (!in->cfg || (in->cfg_size != VCFG_SIZE &&
			 in->cfg_size != VCFG_SIZE_EXP))
		return set_err(err, errlen, "config space of %u bytes",
			       in->cfg_size);
	if ((in->cfg[PCI_HEADER_TYPE] & 0x7f) != PCI_HEADER_TYPE_NORMAL)
		return set_err(err, errlen, "header type %#x: only type 0 "
			       "functions can be assigned",
			       in->cfg[PCI_HEADER_TYPE]);
	memset(c, 0, sizeof(*c));
	pci_dev_init(dev, dev->name, 0, 0, 0, 0,
		     in->cfg_size == VCFG_SIZE_EXP);
	c->dev = dev;
	c->size = in->cfg_size;
	c->dev_size = in->dev_size ? MIN(in->dev_size, c->size) : c->size;
	memcpy(c->real, in->cfg, in->cfg_size);
	/* default: bytes beyond the header that belong to no capability */
	set_policy(c, PCI_STD_HEADER_SIZEOF,
		   c->size - PCI_STD_HEADER_SIZEOF, VCFG_PASSTHROUGH);
	emulate(c, 0, PCI_STD_HEADER_SIZEOF, false);
	if (setup_bars(c, in, err, errlen) < 0)
		return -1;
	setup_header(c);
	if (setup_caps(c, in))
		return -1;
	clip_dev(c);
	memcpy(c->init, dev->cfg, c->size);
	return 0;
}

/* ---- Guest accesses ---- */

static bool in_range(const struct vcfg *c, u32 off, u32 len)
{
	return len && off < c->size && len <= c->size - off;
}

bool vcfg_read_needs_dev(const struct vcfg *c, u32 off, u32 len)
{
	u32 i;

	if (!in_range(c, off, len))
		return false;
	for (i = off; i < off + len; i++)
		if (c->emu[i] != 0xff)
			return true;
	return false;
}

void vcfg_read(const struct vcfg *c, u32 off, u32 len, const u8 *dev,
	       u8 *out)
{
	u32 i, o;
	u8 d;

	for (i = 0; i < len; i++) {
		o = off + i;
		if (o < off || o >= c->size) {
			out[i] = 0xff;
			continue;
		}
		d = dev ? dev[i] : 0xff;
		out[i] = (c->dev->cfg[o] & c->emu[o]) | (d & ~c->emu[o]);
	}
}

/* Register values whose changes are events. */
struct vcfg_snap {
	struct vcfg_msi msi;
	bool msix_en, msix_mask;
};

static void snap(const struct vcfg *c, struct vcfg_snap *s)
{
	vcfg_msi_get(c, &s->msi);
	vcfg_msix_get(c, &s->msix_en, &s->msix_mask);
}

static u32 diff(const struct vcfg_snap *a, const struct vcfg_snap *b)
{
	u32 ev = 0;

	if (a->msi.enabled != b->msi.enabled ||
	    a->msi.nr_vectors != b->msi.nr_vectors)
		ev |= VCFG_EV_MSI_CTRL;
	if (a->msi.addr != b->msi.addr || a->msi.data != b->msi.data)
		ev |= VCFG_EV_MSI_MSG;
	if (a->msi.mask != b->msi.mask)
		ev |= VCFG_EV_MSI_MASK;
	if (a->msix_en != b->msix_en || a->msix_mask != b->msix_mask)
		ev |= VCFG_EV_MSIX_CTRL;
	return ev;
}

static void add_fwd(struct vcfg_write_res *res, u32 off, u8 v)
{
	struct vcfg_fwd *f = res->nr_fwd ? &res->fwd[res->nr_fwd - 1] : NULL;

	if (!f || f->off + f->len != off) {
		f = &res->fwd[res->nr_fwd++];
		f->off = off;
		f->len = 0;
	}
	f->data[f->len++] = v;
}

/* Initiate FLR (Device Control bit 15) of a function with FLR: emulated
 * by the caller, never forwarded (the kernel would reset the device under
 * lkvm's emulated state). */
static u8 take_flr(const struct vcfg *c, u32 o, u8 v,
		   struct vcfg_write_res *res)
{
	const u8 bit = PCI_EXP_DEVCTL_BCR_FLR >> 8;

	if (!c->exp || o != c->exp + PCI_EXP_DEVCTL + 1u || !(v & bit))
		return v;
	if (!(le_get(c->real + c->exp + PCI_EXP_DEVCAP, 4) &
	      PCI_EXP_DEVCAP_FLR))
		return v;
	res->events |= VCFG_EV_FLR;
	return v & ~bit;
}

static void write_byte(struct vcfg *c, u32 o, u8 v,
		       struct vcfg_write_res *res)
{
	if (c->policy[o] == VCFG_PASSTHROUGH) {
		add_fwd(res, o, take_flr(c, o, v, res));
		return;
	}
	pci_cfg_store(c->dev, o, &v, 1);
	if (c->fwd[o])
		add_fwd(res, o, (c->dev->cfg[o] & c->fwd[o]) |
				(c->real[o] & ~c->fwd[o]));
}

int vcfg_write(struct vcfg *c, u32 off, u32 len, const u8 *data,
	       struct vcfg_write_res *res)
{
	struct vcfg_snap before, after;
	u32 i;

	memset(res, 0, sizeof(*res));
	if (!in_range(c, off, len) || len > 4)
		return -1;
	snap(c, &before);
	for (i = 0; i < len; i++)
		write_byte(c, off + i, data[i], res);
	snap(c, &after);
	res->events |= diff(&before, &after);
	return 0;
}

void vcfg_flr(struct vcfg *c, struct vcfg_write_res *res)
{
	u8 *img = c->dev->cfg;
	u32 o;
	u8 m;

	memset(res, 0, sizeof(*res));
	for (o = 0; o < c->size; o++) {
		if (c->policy[o] == VCFG_PASSTHROUGH ||
		    o == PCI_INTERRUPT_LINE)
			continue;
		m = c->dev->wmask[o] | c->dev->w1cmask[o];
		img[o] = (img[o] & ~m) | (c->init[o] & m);
	}
	vcfg_msi_set_pending(c, 0);
	for (o = PCI_COMMAND; o < PCI_COMMAND + 2; o++)
		if (c->fwd[o])
			add_fwd(res, o, (img[o] & c->fwd[o]) |
					(c->real[o] & ~c->fwd[o]));
}

/* ---- Register views ---- */

bool vcfg_msi_get(const struct vcfg *c, struct vcfg_msi *m)
{
	u32 p = c->msi, data;
	u16 flags;

	memset(m, 0, sizeof(*m));
	if (!p)
		return false;
	flags = (u16)le_get(c->dev->cfg + p + PCI_MSI_FLAGS, 2);
	m->enabled = flags & PCI_MSI_FLAGS_ENABLE;
	m->max_vectors = 1u << MIN((u32)(flags & PCI_MSI_FLAGS_QMASK) >> 1, 5u);
	/* more than the capable count is a guest bug: clamp it */
	m->nr_vectors = 1u << MIN((u32)(flags & PCI_MSI_FLAGS_QSIZE) >> 4, 5u);
	m->nr_vectors = MIN(m->nr_vectors, m->max_vectors);
	m->is_64 = flags & PCI_MSI_FLAGS_64BIT;
	m->maskable = flags & PCI_MSI_FLAGS_MASKBIT;
	m->addr = (u32)le_get(c->dev->cfg + p + PCI_MSI_ADDRESS_LO, 4);
	data = p + PCI_MSI_DATA_32;
	if (m->is_64) {
		m->addr |= le_get(c->dev->cfg + p + PCI_MSI_ADDRESS_HI, 4) << 32;
		data = p + PCI_MSI_DATA_64;
	}
	m->data = (u16)le_get(c->dev->cfg + data, 2);
	if (m->maskable)
		m->mask = (u32)le_get(c->dev->cfg + data + 4, 4);
	return true;
}

void vcfg_msi_set_pending(struct vcfg *c, u32 pending)
{
	u32 p = c->msi;
	u16 flags;

	if (!p)
		return;
	flags = (u16)le_get(c->dev->cfg + p + PCI_MSI_FLAGS, 2);
	if (!(flags & PCI_MSI_FLAGS_MASKBIT))
		return;
	p += (flags & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_PENDING_64 :
					     PCI_MSI_PENDING_32;
	le_put(c->dev->cfg + p, 4, pending);
}

bool vcfg_msix_get(const struct vcfg *c, bool *enabled, bool *masked)
{
	u16 ctrl;

	*enabled = *masked = false;
	if (!c->msix)
		return false;
	ctrl = (u16)le_get(c->dev->cfg + c->msix + PCI_MSIX_FLAGS, 2);
	*enabled = ctrl & PCI_MSIX_FLAGS_ENABLE;
	*masked = ctrl & PCI_MSIX_FLAGS_MASKALL;
	return true;
}

u32 vcfg_msix_vectors(const struct vcfg *c)
{
	if (!c->msix)
		return 0;
	return ((u32)le_get(c->dev->cfg + c->msix + PCI_MSIX_FLAGS, 2) &
		PCI_MSIX_FLAGS_QSIZE) + 1;
}
