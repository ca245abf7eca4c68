/* Unit tests for VFIO config-space virtualization (vfio/config.c): real
 * QEMU nvme/e1000e layouts, capability relinking in any order, BAR/ROM
 * sizing, MSI-X relocation, write masks, events and random-write safety. */
#include <stdlib.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "sim/vfio_layouts.h"
#include "vfio/config.h"

struct dev_cfg {
	u8 b[VCFG_SIZE_EXP];
	u32 size;
};

static void put(struct dev_cfg *d, u32 off, u32 len, u32 v)
{
	u32 i;

	for (i = 0; i < len; i++)
		d->b[off + i] = (u8)(v >> (8 * i));
}

static u32 get(const u8 *p, u32 off, u32 len)
{
	u32 v = 0, i;

	for (i = 0; i < len; i++)
		v |= (u32)p[off + i] << (8 * i);
	return v;
}

static void header(struct dev_cfg *d, u16 ven, u16 dev, u32 class,
		   u32 size)
{
	memset(d, 0, sizeof(*d));
	d->size = size;
	put(d, PCI_VENDOR_ID, 2, ven);
	put(d, PCI_DEVICE_ID, 2, dev);
	put(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INVALIDATE);
	put(d, PCI_STATUS, 2, PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
	put(d, PCI_CLASS_REVISION, 4, class << 8 | 0x02);
	put(d, PCI_HEADER_TYPE, 1, 0x80);	/* multi-function bit */
	put(d, PCI_BIST, 1, 0x80);		/* BIST capable */
	put(d, PCI_SUBSYSTEM_VENDOR_ID, 2, 0x1af4);
	put(d, PCI_SUBSYSTEM_ID, 2, 0x1100);
	put(d, PCI_INTERRUPT_PIN, 1, 1);
}

static void cap(struct dev_cfg *d, u32 off, u8 id, u8 next)
{
	put(d, off, 1, id);
	put(d, off + 1, 1, next);
}

static void ext_cap(struct dev_cfg *d, u32 off, u16 id, u8 ver, u32 next)
{
	put(d, off, 4, id | (u32)ver << 16 | next << 20);
}

static void msix_body(struct dev_cfg *d, u32 off, u32 nvec, u8 tbir,
		      u32 toff, u8 pbir, u32 poff)
{
	put(d, off + PCI_MSIX_FLAGS, 2, nvec - 1);
	put(d, off + PCI_MSIX_TABLE, 4, toff | tbir);
	put(d, off + PCI_MSIX_PBA, 4, poff | pbir);
}

/* QEMU nvme: MSI-X 0x40, PM 0x60, PCIe v2 RCiEP 0x80, no extended caps. */
static void nvme_cfg(struct dev_cfg *d)
{
	header(d, 0x1b36, 0x0010, 0x010802, VCFG_SIZE_EXP);
	put(d, PCI_BASE_ADDRESS_0, 4, 0xfebf0004);	/* host address */
	put(d, PCI_BASE_ADDRESS_1, 4, 0);
	put(d, PCI_CAPABILITY_LIST, 1, 0x40);
	cap(d, 0x40, PCI_CAP_ID_MSIX, 0x60);
	msix_body(d, 0x40, 65, 0, 0x2000, 0, 0x3000);
	cap(d, 0x60, PCI_CAP_ID_PM, 0x80);
	put(d, 0x62, 2, 0xc803);			/* PME from D0,D3hot */
	put(d, 0x64, 2, PCI_PM_CTRL_NO_SOFT_RESET);
	cap(d, 0x80, PCI_CAP_ID_EXP, 0);
	put(d, 0x82, 2, 0x0092);			/* v2, RCiEP */
	put(d, 0x84, 4, PCI_EXP_DEVCAP_FLR);
	put(d, 0x88, 2, 0x2810);
}

static const struct pci_bar_layout nvme_bars = {
	.bar = { [0] = MEM64(16 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 65, .table_bir = 0, .table_offset = 0x2000,
		  .pba_bir = 0, .pba_offset = 0x3000 },
};

/* QEMU e1000e: PM 0xc8 -> MSI 0xd0 -> PCIe v1 0xe0 -> MSI-X 0xa0;
 * AER 0x100 -> DSN 0x140. */
static void e1000e_cfg(struct dev_cfg *d)
{
	header(d, 0x8086, 0x10d3, 0x020000, VCFG_SIZE_EXP);
	put(d, PCI_BASE_ADDRESS_0, 4, 0xfebc0000);
	put(d, PCI_BASE_ADDRESS_1, 4, 0xfeba0000);
	put(d, PCI_BASE_ADDRESS_2, 4, 0xc001);
	put(d, PCI_BASE_ADDRESS_3, 4, 0xfebd0000);
	put(d, PCI_ROM_ADDRESS, 4, 0xfeb80000);
	put(d, PCI_CAPABILITY_LIST, 1, 0xc8);
	cap(d, 0xc8, PCI_CAP_ID_PM, 0xd0);
	put(d, 0xca, 2, 0xc823);
	cap(d, 0xd0, PCI_CAP_ID_MSI, 0xe0);
	put(d, 0xd2, 2, PCI_MSI_FLAGS_64BIT);
	put(d, 0xd4, 4, 0xfee00000);			/* host's message */
	put(d, 0xdc, 2, 0x4021);
	cap(d, 0xe0, PCI_CAP_ID_EXP, 0xa0);
	put(d, 0xe2, 2, 0x0001);			/* v1, endpoint */
	put(d, 0xe4, 4, 0x00008cc1);
	put(d, 0xe8, 2, 0x2810);
	put(d, 0xec, 4, 0x00037c11);			/* link cap */
	put(d, 0xf2, 2, 0x1011);			/* link status */
	cap(d, 0xa0, PCI_CAP_ID_MSIX, 0);
	msix_body(d, 0xa0, 5, 3, 0, 3, 0x2000);
	ext_cap(d, 0x100, PCI_EXT_CAP_ID_ERR, 2, 0x140);
	put(d, 0x108, 4, 0x00400000);			/* uncor mask */
	ext_cap(d, 0x140, PCI_EXT_CAP_ID_DSN, 1, 0);
	put(d, 0x144, 4, 0x12345678);
	put(d, 0x148, 4, 0x9abcdef0);
}

static const struct pci_bar_layout e1000e_bars = {
	.bar = { [0] = MEM32(128 * SZ_1K), [1] = MEM32(128 * SZ_1K),
		 [2] = IOBAR(32), [3] = MEM32(16 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 5, .table_bir = 3, .table_offset = 0,
		  .pba_bir = 3, .pba_offset = 0x2000 },
};

static bool build(struct vcfg *c, const struct dev_cfg *d,
		  const struct pci_bar_layout *l, u64 rom,
		  const struct msix_reloc_result *r)
{
	struct vcfg_input in = { d->b, d->size, l, rom, r };
	char err[200] = "";

	if (!vcfg_build(c, c->dev, &in, err, sizeof(err)))
		return true;
	fprintf(stderr, "vcfg_build: %s\n", err);
	return false;
}

/* A vcfg and the bus function whose image it rules; free(c) frees both. */
struct vcfg_fn {
	struct vcfg c;
	struct pci_dev dev;
};

static struct vcfg *new_vcfg(void)
{
	struct vcfg_fn *f = calloc(1, sizeof(*f));

	f->c.dev = &f->dev;
	f->dev.name = "test";
	return &f->c;
}

/* Capability ids along the image's chain, 0-terminated; -1 on a loop. */
static int chain(const struct vcfg *c, u8 *ids, u8 *offs, int max)
{
	u32 p = c->dev->cfg[PCI_CAPABILITY_LIST];
	int n = 0;

	while (p && n < max) {
		offs[n] = (u8)p;
		ids[n++] = c->dev->cfg[p];
		p = c->dev->cfg[p + 1];
	}
	return p ? -1 : n;
}

static int ext_chain(const struct vcfg *c, u16 *ids, u16 *offs, int max)
{
	u32 p = VCFG_SIZE, h;
	int n = 0;

	while (p && n < max) {
		h = get(c->dev->cfg, p, 4);
		if (!h)
			break;
		offs[n] = (u16)p;
		ids[n++] = PCI_EXT_CAP_ID(h);
		p = PCI_EXT_CAP_NEXT(h);
	}
	return n < max ? n : -1;
}

static u32 rd(struct vcfg *c, u32 off, u32 len, const struct dev_cfg *d)
{
	u8 out[4];

	vcfg_read(c, off, len, d->b + off, out);
	return get(out, 0, len);
}

static void wr(struct vcfg *c, u32 off, u32 len, u32 v,
	       struct vcfg_write_res *res)
{
	u8 b[4];
	u32 i;

	for (i = 0; i < len; i++)
		b[i] = (u8)(v >> (8 * i));
	EXPECT_EQ(vcfg_write(c, off, len, b, res), 0);
}

static u32 bar_size_probe(struct vcfg *c, u32 off, const struct dev_cfg *d)
{
	struct vcfg_write_res res;
	u32 old = rd(c, off, 4, d), v;

	wr(c, off, 4, ~0u, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	v = rd(c, off, 4, d);
	wr(c, off, 4, old, &res);
	return v;
}

TEST(vcfg_nvme_layout)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u8 ids[16], offs[16];

	nvme_cfg(&d);
	ASSERT(build(c, &d, &nvme_bars, 0, NULL));
	EXPECT_EQ(rd(c, PCI_VENDOR_ID, 4, &d), 0x00101b36);
	EXPECT_EQ(rd(c, PCI_CLASS_REVISION, 4, &d), 0x01080202);
	EXPECT_EQ(rd(c, PCI_HEADER_TYPE, 1, &d), 0);	/* single function */
	EXPECT_EQ(rd(c, PCI_BIST, 1, &d), 0);
	EXPECT_EQ(rd(c, PCI_SUBSYSTEM_VENDOR_ID, 4, &d), 0x11001af4);
	EXPECT_EQ(rd(c, PCI_COMMAND, 2, &d), 0);	/* reset state */
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_0, 4, &d), 0x4);
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_1, 4, &d), 0);
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_2, 4, &d), 0);
	EXPECT_EQ(rd(c, PCI_ROM_ADDRESS, 4, &d), 0);
	EXPECT(rd(c, PCI_STATUS, 2, &d) & PCI_STATUS_CAP_LIST);
	EXPECT_EQ(chain(c, ids, offs, 16), 3);
	EXPECT_EQ(offs[0], 0x40);
	EXPECT_EQ(ids[0], PCI_CAP_ID_MSIX);
	EXPECT_EQ(offs[1], 0x60);
	EXPECT_EQ(offs[2], 0x80);
	EXPECT_EQ(c->msix, 0x40);
	EXPECT_EQ(c->pm, 0x60);
	EXPECT_EQ(c->exp, 0x80);
	EXPECT_EQ(c->msi, 0);
	/* MSI-X: vectors and unrelocated locations, enable/mask clear */
	EXPECT_EQ(vcfg_msix_vectors(c), 65);
	EXPECT_EQ(rd(c, 0x42, 2, &d), 64);
	EXPECT_EQ(rd(c, 0x44, 4, &d), 0x2000);
	EXPECT_EQ(rd(c, 0x48, 4, &d), 0x3000);
	/* PM: no PME advertised, D0, no-soft-reset kept */
	EXPECT_EQ(rd(c, 0x62, 2, &d), 0x0003);
	EXPECT_EQ(rd(c, 0x64, 2, &d), PCI_PM_CTRL_NO_SOFT_RESET);
	/* PCIe RCiEP stays as is; device control passes through */
	EXPECT_EQ(rd(c, 0x82, 2, &d), 0x0092);
	EXPECT_EQ(rd(c, 0x84, 4, &d), PCI_EXP_DEVCAP_FLR);
	EXPECT_EQ(c->policy[0x88], VCFG_PASSTHROUGH);
	EXPECT_EQ(c->policy[0x8a], VCFG_PASSTHROUGH);
	/* extended space: no capabilities, valid terminator */
	EXPECT_EQ(rd(c, 0x100, 4, &d), 0);
	EXPECT_EQ(c->policy[0x100], VCFG_EMULATED);
	free(c);
}

TEST(vcfg_e1000e_layout)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u8 ids[16], offs[16];
	u16 eids[8], eoffs[8];
	struct vcfg_msi msi;

	e1000e_cfg(&d);
	ASSERT(build(c, &d, &e1000e_bars, 256 * SZ_1K, NULL));
	EXPECT_EQ(rd(c, PCI_VENDOR_ID, 4, &d), 0x10d38086);
	EXPECT_EQ(chain(c, ids, offs, 16), 4);
	EXPECT_EQ(offs[0], 0xc8);
	EXPECT_EQ(offs[1], 0xd0);
	EXPECT_EQ(offs[2], 0xe0);
	EXPECT_EQ(offs[3], 0xa0);
	EXPECT_EQ(ids[3], PCI_CAP_ID_MSIX);
	/* BARs: flags only until programmed */
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_0, 4, &d), 0);
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_2, 4, &d), PCI_BASE_ADDRESS_SPACE_IO);
	/* MSI: host's message hidden, 64-bit, one vector, no masking */
	ASSERT(vcfg_msi_get(c, &msi));
	EXPECT(!msi.enabled);
	EXPECT(msi.is_64);
	EXPECT(!msi.maskable);
	EXPECT_EQ(msi.max_vectors, 1);
	EXPECT_EQ(msi.addr, 0);
	EXPECT_EQ(msi.data, 0);
	/* PCIe endpoint shown as an RCiEP without link registers */
	EXPECT_EQ(rd(c, 0xe2, 2, &d), 0x0091);
	EXPECT_EQ(rd(c, 0xe4, 4, &d), 0x8cc1);
	EXPECT_EQ(rd(c, 0xec, 4, &d), 0);
	EXPECT_EQ(rd(c, 0xf2, 2, &d), 0);
	/* MSI-X in BAR3 */
	EXPECT_EQ(vcfg_msix_vectors(c), 5);
	EXPECT_EQ(rd(c, 0xa4, 4, &d), 3);
	EXPECT_EQ(rd(c, 0xa8, 4, &d), 0x2003);
	/* extended: AER -> DSN kept, AER body from the device */
	EXPECT_EQ(ext_chain(c, eids, eoffs, 8), 2);
	EXPECT_EQ(eids[0], PCI_EXT_CAP_ID_ERR);
	EXPECT_EQ(eoffs[1], 0x140);
	EXPECT_EQ(eids[1], PCI_EXT_CAP_ID_DSN);
	EXPECT_EQ(rd(c, 0x100, 4, &d), get(d.b, 0x100, 4));
	EXPECT_EQ(c->aer, 0x100);
	EXPECT_EQ(c->dsn, 0x140);
	EXPECT_EQ(c->policy[0x108], VCFG_PASSTHROUGH);
	EXPECT_EQ(c->policy[0x144], VCFG_EMULATED);
	EXPECT_EQ(rd(c, 0x144, 4, &d), 0x12345678);
	EXPECT(!vcfg_read_needs_dev(c, 0x140, 12));
	EXPECT(vcfg_read_needs_dev(c, 0x104, 4));
	free(c);
}

/*
 * Vendor-specific capabilities, several of them as on a modern virtio
 * function (1af4:1041), stay linked and pass through (virtio's driver finds
 * its structures through them and writes its config window); VPD vanishes
 * from the chain and reads 0.
 */
TEST(vcfg_vendor_caps_pass_through)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u8 ids[16], offs[16];
	struct vcfg_write_res res;
	u32 i;

	header(&d, 0x1af4, 0x1041, 0x020000, VCFG_SIZE);
	put(&d, PCI_CAPABILITY_LIST, 1, 0x40);
	cap(&d, 0x40, PCI_CAP_ID_PM, 0x50);
	cap(&d, 0x50, PCI_CAP_ID_VNDR, 0x68);
	put(&d, 0x52, 1, 0x14);
	put(&d, 0x54, 4, 0xdeadbeef);
	cap(&d, 0x68, PCI_CAP_ID_VPD, 0x70);
	cap(&d, 0x70, PCI_CAP_ID_MSI, 0x84);
	put(&d, 0x72, 2, PCI_MSI_FLAGS_MASKBIT | 0x4);	/* 4 vectors */
	cap(&d, 0x84, PCI_CAP_ID_VNDR, 0);
	put(&d, 0x86, 1, 0x10);
	put(&d, 0x88, 4, 0x01020304);
	put(&d, 0x98, 4, 0x55aa55aa);			/* vendor register */
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	ASSERT_EQ(chain(c, ids, offs, 16), 4);
	EXPECT_EQ(offs[0], 0x40);
	EXPECT_EQ(offs[1], 0x50);
	EXPECT_EQ(ids[1], PCI_CAP_ID_VNDR);
	EXPECT_EQ(offs[2], 0x70);
	EXPECT_EQ(ids[2], PCI_CAP_ID_MSI);
	EXPECT_EQ(offs[3], 0x84);
	EXPECT_EQ(ids[3], PCI_CAP_ID_VNDR);
	/* id and next are the image's; length and body are the device's */
	EXPECT_EQ(c->policy[0x50], VCFG_EMULATED);
	EXPECT_EQ(c->policy[0x51], VCFG_EMULATED);
	EXPECT_EQ(c->dev->cfg[0x51], 0x70);		/* relinked past VPD */
	for (i = 0x52; i < 0x64; i++)
		EXPECT_EQ(c->policy[i], VCFG_PASSTHROUGH);
	EXPECT_EQ(rd(c, 0x52, 1, &d), 0x14);
	EXPECT_EQ(rd(c, 0x54, 4, &d), 0xdeadbeef);
	EXPECT_EQ(rd(c, 0x88, 4, &d), 0x01020304);
	wr(c, 0x54, 4, 0x11111111, &res);
	ASSERT_EQ(res.nr_fwd, 1);
	EXPECT_EQ(res.fwd[0].off, 0x54);
	EXPECT_EQ(res.fwd[0].len, 4);
	/* a write to the header is not forwarded */
	wr(c, 0x50, 2, 0xffff, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, 0x50, 2, &d), 0x7009);
	/* VPD: 8 bytes emulated as 0 and unlinked */
	for (i = 0x68; i < 0x70; i++) {
		EXPECT_EQ(c->policy[i], VCFG_EMULATED);
		EXPECT_EQ(c->dev->cfg[i], 0);
	}
	/* bytes belonging to no capability pass through */
	EXPECT_EQ(c->policy[0x98], VCFG_PASSTHROUGH);
	EXPECT_EQ(rd(c, 0x98, 4, &d), 0x55aa55aa);
	/* ids and class untouched by the relinking */
	EXPECT_EQ(rd(c, 0, 4, &d), 0x10411af4);
	free(c);
}

TEST(vcfg_reverse_order_chain)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u8 ids[16], offs[16];

	header(&d, 0x8086, 0x1533, 0x020000, VCFG_SIZE_EXP);
	put(&d, PCI_CAPABILITY_LIST, 1, 0xb0);
	cap(&d, 0xb0, PCI_CAP_ID_EXP, 0xa0);
	put(&d, 0xb2, 2, 0x0002);
	cap(&d, 0xa0, PCI_CAP_ID_VNDR, 0x70);
	put(&d, 0xa2, 1, 8);
	cap(&d, 0x70, PCI_CAP_ID_MSIX, 0x50);
	msix_body(&d, 0x70, 10, 3, 0, 3, 0x2000);
	cap(&d, 0x50, PCI_CAP_ID_MSI, 0x40);
	put(&d, 0x52, 2, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	cap(&d, 0x40, PCI_CAP_ID_PM, 0);
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	EXPECT_EQ(chain(c, ids, offs, 16), 5);
	EXPECT_EQ(offs[0], 0xb0);
	EXPECT_EQ(offs[1], 0xa0);
	EXPECT_EQ(offs[2], 0x70);
	EXPECT_EQ(offs[3], 0x50);
	EXPECT_EQ(offs[4], 0x40);
	EXPECT_EQ(rd(c, 0, 4, &d), 0x15338086);
	EXPECT_EQ(rd(c, PCI_CLASS_REVISION, 4, &d), 0x02000002);
	free(c);
}

/* Every order of five capabilities (one hidden): the header never changes
 * and the exposed ones stay linked in their original order. */
TEST(vcfg_header_intact_any_order)
{
	static const u8 cap_ids[5] = { PCI_CAP_ID_PM, PCI_CAP_ID_MSI,
		PCI_CAP_ID_VPD, PCI_CAP_ID_MSIX, PCI_CAP_ID_EXP };
	static const u8 cap_off[5] = { 0x40, 0x50, 0x70, 0x80, 0x90 };
	struct vcfg *c = new_vcfg();
	int perm[5], i, j, k, n, runs = 0, bad = 0;
	u8 ids[16], offs[16];
	struct dev_cfg d;

	for (k = 0; k < 120; k++) {
		int avail[5] = { 0, 1, 2, 3, 4 }, left = 5, r = k;

		for (i = 0; i < 5; i++) {
			j = r % left;
			r /= left;
			perm[i] = avail[j];
			avail[j] = avail[--left];
		}
		header(&d, 0xabcd, 0x1234, 0x020000, VCFG_SIZE_EXP);
		put(&d, PCI_CAPABILITY_LIST, 1, cap_off[perm[0]]);
		for (i = 0; i < 5; i++) {
			u8 o = cap_off[perm[i]];
			u8 next = i < 4 ? cap_off[perm[i + 1]] : 0;

			cap(&d, o, cap_ids[perm[i]], next);
		}
		put(&d, 0x72, 1, 8);
		msix_body(&d, 0x80, 10, 3, 0, 3, 0x2000);
		put(&d, 0x92, 2, 0x0002);
		if (!build(c, &d, &layout_i350, 0, NULL)) {
			bad++;
			continue;
		}
		runs++;
		EXPECT_EQ(get(c->dev->cfg, 0, 4), 0x1234abcd);
		EXPECT_EQ(c->dev->cfg[PCI_HEADER_TYPE], 0);
		EXPECT_EQ(get(c->dev->cfg, PCI_CLASS_REVISION, 4), 0x02000002);
		EXPECT_EQ(get(c->dev->cfg, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		n = chain(c, ids, offs, 16);
		EXPECT_EQ(n, 4);
		for (i = 0, j = 0; i < 5 && j < n; i++) {
			if (cap_ids[perm[i]] == PCI_CAP_ID_VPD)
				continue;
			EXPECT_EQ(offs[j], cap_off[perm[i]]);
			EXPECT_EQ(ids[j], cap_ids[perm[i]]);
			j++;
		}
	}
	EXPECT_EQ(runs, 120);
	EXPECT_EQ(bad, 0);
	free(c);
}

/* Vendor-specific extended capabilities (VSEC) stay linked, however many,
 * with their header emulated and their body passing through. */
TEST(vcfg_ext_vendor_caps_pass_through)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	struct dev_cfg d;
	u16 eids[8], eoffs[8];
	u32 i;

	e1000e_cfg(&d);
	ext_cap(&d, 0x140, PCI_EXT_CAP_ID_VNDR, 1, 0x160);
	put(&d, 0x144, 4, 0x01812345);		/* VSEC id 0x2345, rev 1, 0x18 bytes */
	put(&d, 0x150, 4, 0xa5a5a5a5);
	ext_cap(&d, 0x160, PCI_EXT_CAP_ID_ATS, 1, 0x170);
	ext_cap(&d, 0x170, PCI_EXT_CAP_ID_VNDR, 1, 0);
	put(&d, 0x174, 4, 0x01000002);		/* 0x10 bytes */
	ASSERT(build(c, &d, &e1000e_bars, 0, NULL));
	ASSERT_EQ(ext_chain(c, eids, eoffs, 8), 3);
	EXPECT_EQ(eoffs[1], 0x140);
	EXPECT_EQ(eids[1], PCI_EXT_CAP_ID_VNDR);
	EXPECT_EQ(eoffs[2], 0x170);		/* ATS unlinked */
	EXPECT_EQ(eids[2], PCI_EXT_CAP_ID_VNDR);
	EXPECT_EQ(rd(c, 0x140, 4, &d), 0x17010000 | PCI_EXT_CAP_ID_VNDR);
	for (i = 0x140; i < 0x144; i++)
		EXPECT_EQ(c->policy[i], VCFG_EMULATED);
	for (i = 0x144; i < 0x158; i++)
		EXPECT_EQ(c->policy[i], VCFG_PASSTHROUGH);
	EXPECT_EQ(rd(c, 0x144, 4, &d), 0x01812345);
	EXPECT_EQ(rd(c, 0x150, 4, &d), 0xa5a5a5a5);
	EXPECT_EQ(rd(c, 0x164, 4, &d), 0);	/* ATS reads 0 */
	wr(c, 0x150, 4, 0x5a5a5a5a, &res);
	ASSERT_EQ(res.nr_fwd, 1);
	EXPECT_EQ(res.fwd[0].off, 0x150);
	wr(c, 0x140, 4, 0xffffffff, &res);	/* the header is not the guest's */
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, 0x140, 4, &d), 0x17010000 | PCI_EXT_CAP_ID_VNDR);
	free(c);
}

TEST(vcfg_ext_first_hidden_gets_null_header)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u16 eids[8], eoffs[8];

	header(&d, 0x15b3, 0x1017, 0x020000, VCFG_SIZE_EXP);
	put(&d, PCI_STATUS, 2, 0);			/* no capabilities */
	ext_cap(&d, 0x100, PCI_EXT_CAP_ID_SRIOV, 1, 0x180);
	put(&d, 0x104, 4, 0xffffffff);
	ext_cap(&d, 0x180, PCI_EXT_CAP_ID_DSN, 1, 0x1a0);
	put(&d, 0x184, 4, 0xcafe);
	ext_cap(&d, 0x1a0, PCI_EXT_CAP_ID_ATS, 1, 0);
	ASSERT(build(c, &d, &layout_nic, 0, NULL));
	EXPECT(!(c->dev->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST));
	EXPECT_EQ(c->dev->cfg[PCI_CAPABILITY_LIST], 0);
	EXPECT_EQ(get(c->dev->cfg, 0x100, 4), 0x180u << 20);
	EXPECT_EQ(get(c->dev->cfg, 0x104, 4), 0);		/* SR-IOV body hidden */
	EXPECT_EQ(ext_chain(c, eids, eoffs, 8), 2);
	EXPECT_EQ(eids[0], 0);
	EXPECT_EQ(eids[1], PCI_EXT_CAP_ID_DSN);
	EXPECT_EQ(get(c->dev->cfg, 0x180, 4), PCI_EXT_CAP_ID_DSN | 1u << 16);
	EXPECT_EQ(get(c->dev->cfg, 0x1a0, 4), 0);
	EXPECT_EQ(get(c->dev->cfg, 0, 4), 0x101715b3);

	/* everything hidden: 0x100 reads 0, a terminator */
	ext_cap(&d, 0x180, PCI_EXT_CAP_ID_ACS, 1, 0x1a0);
	ASSERT(build(c, &d, &layout_nic, 0, NULL));
	EXPECT_EQ(get(c->dev->cfg, 0x100, 4), 0);
	EXPECT_EQ(c->policy[0x100], VCFG_EMULATED);
	EXPECT_EQ(ext_chain(c, eids, eoffs, 8), 0);
	free(c);
}

TEST(vcfg_bar_sizing)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	struct dev_cfg d;
	static const struct pci_bar_layout big = {
		.bar = { [0] = MEM64P(8 * SZ_1G), [2] = IOBAR(256),
			 [3] = MEM32(SZ_1M), [4] = MEM64(SZ_1M) },
	};

	e1000e_cfg(&d);
	ASSERT(build(c, &d, &e1000e_bars, 256 * SZ_1K, NULL));
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_0, &d), 0xfffe0000);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_1, &d), 0xfffe0000);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_2, &d), 0x0000ffe1);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_3, &d), 0xffffc000);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_4, &d), 0);
	EXPECT_EQ(bar_size_probe(c, PCI_ROM_ADDRESS, &d), 0xfffc0001);
	/* command: both decode bits writable with an I/O BAR */
	wr(c, PCI_COMMAND, 2, 0xffff, &res);
	EXPECT_EQ(rd(c, PCI_COMMAND, 2, &d) & 3, 3);

	/* programming moves the BAR (the bus maps it): nothing forwarded */
	wr(c, PCI_BASE_ADDRESS_3, 4, 0xc0004000, &res);
	EXPECT_EQ(res.events, 0);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(pci_bar_addr(c->dev, 3), 0xc0004000);
	wr(c, PCI_BASE_ADDRESS_3, 4, 0xc0004000, &res);
	EXPECT_EQ(res.events, 0);
	wr(c, PCI_ROM_ADDRESS, 4, 0xc0040001, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT(c->dev->cfg[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE);
	EXPECT_EQ(pci_bar_addr(c->dev, PCI_ROM_SLOT), 0xc0040000);
	wr(c, PCI_ROM_ADDRESS, 1, 0, &res);		/* disable only */
	EXPECT_EQ(pci_bar_addr(c->dev, PCI_ROM_SLOT), 0xc0040000);
	EXPECT(!(c->dev->cfg[PCI_ROM_ADDRESS] & PCI_ROM_ADDRESS_ENABLE));

	/* 64-bit pairs: nvme 16 KiB, then an 8 GiB prefetchable one */
	nvme_cfg(&d);
	ASSERT(build(c, &d, &nvme_bars, 0, NULL));
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_0, &d), 0xffffc004);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_1, &d), 0xffffffff);
	EXPECT_EQ(bar_size_probe(c, PCI_ROM_ADDRESS, &d), 0);
	wr(c, PCI_COMMAND, 2, 0xffff, &res);
	EXPECT_EQ(rd(c, PCI_COMMAND, 2, &d) & 3, PCI_COMMAND_MEMORY);
	pci_bar_set_addr(c->dev, 0, 0x812345c000ULL);
	EXPECT_EQ(pci_bar_addr(c->dev, 0), 0x812345c000ULL);
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_0, 4, &d), 0x2345c004);
	wr(c, PCI_BASE_ADDRESS_1, 4, 0x90, &res);
	EXPECT_EQ(pci_bar_addr(c->dev, 0), 0x902345c000ULL);

	ASSERT(build(c, &d, &big, 0, NULL));
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_0, &d), 0x0000000c);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_1, &d), 0xfffffffe);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_2, &d), 0x0000ff01);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_3, &d), 0xfff00000);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_4, &d), 0xfff00004);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_5, &d), 0xffffffff);
	free(c);
}

TEST(vcfg_msix_relocation)
{
	struct vcfg *c = new_vcfg();
	struct msix_reloc_result r;
	struct msix_reloc_opt opt;
	struct dev_cfg d, orig;
	char err[200];

	nvme_cfg(&d);
	orig = d;
	ASSERT_EQ(msix_reloc_parse("auto", &opt, err, sizeof(err)), 0);
	ASSERT_EQ(msix_reloc_choose(&nvme_bars, &opt, SZ_16K, &r, err,
				    sizeof(err)), 0);
	ASSERT(r.relocate);
	ASSERT(build(c, &d, &nvme_bars, 0, &r));
	EXPECT_EQ(rd(c, 0x44, 4, &d), (u32)r.table_offset | 2);
	EXPECT_EQ(rd(c, 0x48, 4, &d), (u32)r.pba_offset | 2);
	EXPECT_EQ(rd(c, 0x48, 4, &d), 0x4002);
	EXPECT_EQ(rd(c, 0x42, 2, &d), 64);		/* same vector count */
	/* the new BAR2: 32-bit, non-prefetchable, 32 KiB */
	EXPECT_EQ(rd(c, PCI_BASE_ADDRESS_2, 4, &d), 0);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_2, &d), 0xffff8000);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_0, &d), 0xffffc004);
	EXPECT_EQ(c->dev->bar[2].size, 0x8000);
	/* the device's bytes are never touched */
	EXPECT(!memcmp(d.b, orig.b, sizeof(d.b)));
	EXPECT(!memcmp(c->real, orig.b, VCFG_SIZE_EXP));

	/* e1000e: BAR3 enlarged in place */
	e1000e_cfg(&d);
	ASSERT_EQ(msix_reloc_parse("bar3", &opt, err, sizeof(err)), 0);
	ASSERT_EQ(msix_reloc_choose(&e1000e_bars, &opt, SZ_4K, &r, err,
				    sizeof(err)), 0);
	ASSERT(r.relocate);
	ASSERT(build(c, &d, &e1000e_bars, 0, &r));
	EXPECT_EQ(c->dev->bar[3].size, r.vbar_size[3]);
	EXPECT(r.vbar_size[3] > 16 * SZ_1K);
	EXPECT_EQ(bar_size_probe(c, PCI_BASE_ADDRESS_3, &d),
		  (u32)~(r.vbar_size[3] - 1));
	EXPECT_EQ(rd(c, 0xa4, 4, &d), (u32)r.table_offset | 3);
	EXPECT_EQ(rd(c, 0xa8, 4, &d), (u32)r.pba_offset | 3);
	EXPECT(r.table_offset >= 16 * SZ_1K);

	/* without relocation the result is a copy and changes nothing */
	ASSERT_EQ(msix_reloc_parse("off", &opt, err, sizeof(err)), 0);
	ASSERT_EQ(msix_reloc_choose(&e1000e_bars, &opt, SZ_4K, &r, err,
				    sizeof(err)), 0);
	ASSERT(build(c, &d, &e1000e_bars, 0, &r));
	EXPECT_EQ(rd(c, 0xa8, 4, &d), 0x2003);
	EXPECT_EQ(c->dev->bar[3].size, 16 * SZ_1K);
	free(c);
}

TEST(vcfg_command_and_status)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	struct dev_cfg d;

	e1000e_cfg(&d);
	ASSERT(build(c, &d, &e1000e_bars, 0, NULL));
	EXPECT_EQ(vcfg_get(c, PCI_COMMAND, 2), 0);
	wr(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, &res);
	EXPECT_EQ(res.events, 0);	/* decode is the bus's (pci/) */
	EXPECT_EQ(vcfg_get(c, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	ASSERT_EQ(res.nr_fwd, 1);
	EXPECT_EQ(res.fwd[0].off, PCI_COMMAND);
	EXPECT_EQ(res.fwd[0].len, 2);
	/* forwarded bits from the guest, the rest (MWI) as the host had it */
	EXPECT_EQ(get(res.fwd[0].data, 0, 2), PCI_COMMAND_MEMORY |
		  PCI_COMMAND_MASTER | PCI_COMMAND_INVALIDATE);

	wr(c, PCI_COMMAND + 1, 1, PCI_COMMAND_INTX_DISABLE >> 8, &res);
	EXPECT_EQ(res.events, 0);
	EXPECT(vcfg_get(c, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE);

	/* dword write over command+status: status byte 0 stays virtual */
	wr(c, PCI_COMMAND, 4, 0xf9000007, &res);
	EXPECT_EQ(res.events, 0);
	EXPECT_EQ(vcfg_get(c, PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		  PCI_COMMAND_MASTER);
	ASSERT_EQ(res.nr_fwd, 2);
	EXPECT_EQ(res.fwd[0].off, PCI_COMMAND);
	EXPECT_EQ(res.fwd[1].off, PCI_STATUS + 1);
	EXPECT_EQ(res.fwd[1].len, 1);
	EXPECT_EQ(res.fwd[1].data[0], 0xf9);
	EXPECT_EQ(c->policy[PCI_COMMAND], VCFG_VIRTUAL);
	EXPECT_EQ(c->policy[PCI_STATUS], VCFG_VIRTUAL);
	EXPECT_EQ(c->policy[PCI_STATUS + 1], VCFG_PASSTHROUGH);

	/* status: INTx pending from the device, capability bit emulated */
	d.b[PCI_STATUS] = PCI_STATUS_INTERRUPT;
	EXPECT_EQ(rd(c, PCI_STATUS, 1, &d),
		  PCI_STATUS_INTERRUPT | PCI_STATUS_CAP_LIST);
	d.b[PCI_STATUS] = 0;
	EXPECT_EQ(rd(c, PCI_STATUS, 1, &d), PCI_STATUS_CAP_LIST);
	free(c);
}

TEST(vcfg_write_masks)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	struct dev_cfg d;
	u8 out[4];

	nvme_cfg(&d);
	ASSERT(build(c, &d, &nvme_bars, 0, NULL));
	wr(c, PCI_VENDOR_ID, 4, 0, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, PCI_VENDOR_ID, 4, &d), 0x00101b36);
	wr(c, PCI_CACHE_LINE_SIZE, 4, 0xffffffff, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, PCI_CACHE_LINE_SIZE, 4, &d), 0x0000ffff);
	wr(c, PCI_INTERRUPT_LINE, 4, 0xffffffff, &res);
	EXPECT_EQ(rd(c, PCI_INTERRUPT_LINE, 4, &d), 0x000001ff);
	wr(c, PCI_CAPABILITY_LIST, 1, 0x60, &res);
	EXPECT_EQ(rd(c, PCI_CAPABILITY_LIST, 1, &d), 0x40);
	/* capability next pointers and ids are read-only */
	wr(c, 0x40, 2, 0, &res);
	EXPECT_EQ(rd(c, 0x40, 2, &d), 0x6011);
	/* MSI-X: only enable and function mask */
	wr(c, 0x42, 2, 0xffff, &res);
	EXPECT_EQ(rd(c, 0x42, 2, &d), 0xc000 | 64);
	EXPECT_EQ(res.events, VCFG_EV_MSIX_CTRL);
	EXPECT_EQ(res.nr_fwd, 0);
	wr(c, 0x44, 4, 0, &res);
	EXPECT_EQ(rd(c, 0x44, 4, &d), 0x2000);
	/* PM: power state virtual */
	wr(c, 0x64, 2, 0xffff, &res);
	EXPECT_EQ(res.events, 0);		/* D-states stay virtual */
	EXPECT_EQ(rd(c, 0x64, 2, &d), 3 | PCI_PM_CTRL_NO_SOFT_RESET);
	EXPECT_EQ(res.nr_fwd, 0);
	/* PCIe: device control passes through but Initiate FLR of this
	 * FLR-capable function (an event, never forwarded); flags do not */
	EXPECT(get(c->real + 0x84, 0, 4) & PCI_EXP_DEVCAP_FLR);
	wr(c, 0x88, 2, 0x8010, &res);
	ASSERT_EQ(res.nr_fwd, 1);
	EXPECT_EQ(res.fwd[0].off, 0x88);
	EXPECT_EQ(get(res.fwd[0].data, 0, 2), 0x0010);
	EXPECT_EQ(res.events, VCFG_EV_FLR);
	wr(c, 0x82, 2, 0, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, 0x82, 2, &d), 0x0092);
	/* out of range */
	EXPECT(vcfg_write(c, 0xffe, 4, out, &res) < 0);
	EXPECT(vcfg_write(c, 0x40, 0, out, &res) < 0);
	vcfg_read(c, 0xffe, 4, NULL, out);
	EXPECT_EQ(out[2], 0xff);
	EXPECT_EQ(out[3], 0xff);
	free(c);
}

TEST(vcfg_msi_events)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	struct vcfg_msi m;
	struct dev_cfg d;

	header(&d, 0x1234, 0x5678, 0x020000, VCFG_SIZE);
	put(&d, PCI_CAPABILITY_LIST, 1, 0x50);
	cap(&d, 0x50, PCI_CAP_ID_MSI, 0);
	put(&d, 0x52, 2, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT | 0x6);
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	wr(c, 0x54, 4, 0xfee01003, &res);
	EXPECT_EQ(res.events, VCFG_EV_MSI_MSG);
	wr(c, 0x58, 4, 0x1, &res);
	EXPECT_EQ(res.events, VCFG_EV_MSI_MSG);
	wr(c, 0x5c, 4, 0x12345, &res);
	EXPECT_EQ(res.events, VCFG_EV_MSI_MSG);
	wr(c, 0x60, 4, 0xffffffff, &res);
	EXPECT_EQ(res.events, VCFG_EV_MSI_MASK);
	wr(c, 0x52, 2, 0x31, &res);			/* enable, 8 vectors */
	EXPECT_EQ(res.events, VCFG_EV_MSI_CTRL);
	EXPECT_EQ(res.nr_fwd, 0);
	ASSERT(vcfg_msi_get(c, &m));
	EXPECT(m.enabled);
	EXPECT_EQ(m.nr_vectors, 8);
	EXPECT_EQ(m.max_vectors, 8);
	EXPECT_EQ(m.addr, 0x1fee01000ULL);
	EXPECT_EQ(m.data, 0x2345);
	EXPECT_EQ(m.mask, 0xff);
	wr(c, 0x52, 2, 0x71, &res);			/* 128 > 8 capable */
	ASSERT(vcfg_msi_get(c, &m));
	EXPECT_EQ(m.nr_vectors, 8);
	wr(c, 0x64, 4, 0xffffffff, &res);		/* pending: read-only */
	EXPECT_EQ(get(c->dev->cfg, 0x64, 4), 0);
	vcfg_msi_set_pending(c, 0x5);
	EXPECT_EQ(rd(c, 0x64, 4, &d), 5);
	free(c);
}

TEST(vcfg_rejects)
{
	struct vcfg *c = new_vcfg();
	struct vcfg_input in = { 0 };
	struct dev_cfg d;
	char err[200];
	static const struct pci_bar_layout odd = {
		.bar = { [0] = MEM32(0x3000) },
	};
	static const struct pci_bar_layout last64 = {
		.bar = { [5] = MEM64(SZ_1M) },
	};

	nvme_cfg(&d);
	in.cfg = d.b;
	in.cfg_size = 512;
	EXPECT(vcfg_build(c, c->dev, &in, err, sizeof(err)) < 0);
	put(&d, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_BRIDGE);
	in.cfg_size = VCFG_SIZE;
	EXPECT(vcfg_build(c, c->dev, &in, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "type 0");
	nvme_cfg(&d);
	in.bars = &odd;
	EXPECT(vcfg_build(c, c->dev, &in, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "BAR0");
	in.bars = &last64;
	EXPECT(vcfg_build(c, c->dev, &in, err, sizeof(err)) < 0);
	in.bars = &nvme_bars;
	in.rom_size = 1000;
	EXPECT(vcfg_build(c, c->dev, &in, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "ROM");
	free(c);
}

/* Loops and bad pointers end the walk instead of hanging. */
TEST(vcfg_malformed_chains)
{
	struct vcfg *c = new_vcfg();
	struct dev_cfg d;
	u8 ids[64], offs[64];

	header(&d, 0x1234, 0x5678, 0x020000, VCFG_SIZE_EXP);
	put(&d, PCI_CAPABILITY_LIST, 1, 0x40);
	cap(&d, 0x40, PCI_CAP_ID_PM, 0x50);
	cap(&d, 0x50, PCI_CAP_ID_MSIX, 0x40);		/* loop */
	msix_body(&d, 0x50, 4, 0, 0, 0, 0x800);
	ext_cap(&d, 0x100, PCI_EXT_CAP_ID_ERR, 1, 0x100);	/* self loop */
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	EXPECT_EQ(chain(c, ids, offs, 64), 2);
	EXPECT_EQ(get(c->dev->cfg, 0x100, 4) >> 20, 0);

	cap(&d, 0x50, PCI_CAP_ID_MSIX, 0x20);		/* into the header */
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	EXPECT_EQ(chain(c, ids, offs, 64), 2);
	EXPECT_EQ(rd(c, 0, 4, &d), 0x56781234);

	/* an MSI cut short by the next capability is hidden */
	cap(&d, 0x50, PCI_CAP_ID_MSI, 0x54);
	put(&d, 0x52, 2, PCI_MSI_FLAGS_64BIT);
	cap(&d, 0x54, PCI_CAP_ID_MSIX, 0);
	ASSERT(build(c, &d, &layout_i350, 0, NULL));
	EXPECT_EQ(c->msi, 0);
	EXPECT_EQ(c->msix, 0x54);
	EXPECT_EQ(chain(c, ids, offs, 64), 2);
	EXPECT_EQ(offs[1], 0x54);
	free(c);
}

static u32 lcg(u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)(*s >> 33);
}

/* Random writes anywhere: identity never changes and no write reaches the
 * device through an emulated byte or a non-forwarded bit. */
static void random_writes(const struct dev_cfg *d,
			  const struct pci_bar_layout *l, u64 rom, u64 seed)
{
	static const u32 lens[] = { 1, 2, 4 };
	struct vcfg *c = new_vcfg();
	struct vcfg_write_res res;
	u8 ids0[32], offs0[32], ids[32], offs[32], data[4];
	u32 i, j, k, len, off, o;
	int n0;

	ASSERT(build(c, d, l, rom, NULL));
	n0 = chain(c, ids0, offs0, 32);
	for (i = 0; i < 20000; i++) {
		len = lens[lcg(&seed) % 3];
		off = lcg(&seed) % c->size;
		if (lcg(&seed) & 1)
			off &= ~(len - 1);
		off = MIN(off, c->size - len);
		for (j = 0; j < 4; j++)
			data[j] = (u8)lcg(&seed);
		if (!EXPECT_EQ(vcfg_write(c, off, len, data, &res), 0))
			break;
		for (j = 0; j < res.nr_fwd; j++) {
			for (k = 0; k < res.fwd[j].len; k++) {
				o = res.fwd[j].off + k;
				EXPECT(o >= off && o < off + len);
				EXPECT(c->policy[o] != VCFG_EMULATED);
				EXPECT(c->fwd[o]);
				if (c->policy[o] == VCFG_VIRTUAL)
					EXPECT_EQ((res.fwd[j].data[k] ^
						   c->real[o]) & ~c->fwd[o], 0);
			}
		}
	}
	EXPECT(!memcmp(c->dev->cfg, d->b, 4));
	EXPECT_EQ(c->dev->cfg[PCI_HEADER_TYPE], d->b[PCI_HEADER_TYPE] & 0x7f);
	EXPECT(!memcmp(c->dev->cfg + PCI_CLASS_REVISION, d->b + PCI_CLASS_REVISION,
		       4));
	EXPECT_EQ(chain(c, ids, offs, 32), n0);
	EXPECT(!memcmp(offs, offs0, n0 > 0 ? n0 : 0));
	EXPECT(!memcmp(ids, ids0, n0 > 0 ? n0 : 0));
	free(c);
}

TEST(vcfg_random_writes_keep_identity)
{
	struct dev_cfg d;

	nvme_cfg(&d);
	random_writes(&d, &nvme_bars, 0, 1);
	e1000e_cfg(&d);
	random_writes(&d, &e1000e_bars, 256 * SZ_1K, 2);
	header(&d, 0x1af4, 0x1041, 0x020000, VCFG_SIZE);
	put(&d, PCI_CAPABILITY_LIST, 1, 0x40);
	cap(&d, 0x40, PCI_CAP_ID_PM, 0x50);
	cap(&d, 0x50, PCI_CAP_ID_VNDR, 0x70);
	put(&d, 0x52, 1, 0x14);
	cap(&d, 0x70, PCI_CAP_ID_MSI, 0);
	put(&d, 0x72, 2, PCI_MSI_FLAGS_MASKBIT | 0xa);
	random_writes(&d, &layout_i350, 0, 3);
}

/* A 255-byte config region (mtty mdevs): the missing byte reads as zero
 * whatever the padding holds, writes to it are dropped, never forwarded. */
TEST(vcfg_short_region)
{
	static const struct pci_bar_layout io8 = { .bar = { [0] = IOBAR(8) } };
	struct vcfg *c = new_vcfg();
	struct vcfg_input in = { .bars = &io8, .dev_size = 0xff };
	struct vcfg_write_res res;
	struct dev_cfg d;
	char err[200] = "";

	header(&d, 0x4348, 0x3253, 0x070002, VCFG_SIZE);
	put(&d, PCI_STATUS, 2, 0);
	put(&d, PCI_BASE_ADDRESS_0, 4, 0xc001);
	put(&d, 0xfc, 4, 0x77aaaaaa);		/* 0xff: not the device's */
	in.cfg = d.b;
	in.cfg_size = d.size;
	ASSERT_EQ(vcfg_build(c, c->dev, &in, err, sizeof(err)), 0);
	EXPECT_EQ(c->dev_size, 0xff);
	EXPECT(vcfg_read_needs_dev(c, 0xfc, 4));
	EXPECT(!vcfg_read_needs_dev(c, 0xff, 1));
	EXPECT_EQ(rd(c, 0xfc, 4, &d), 0x00aaaaaa);
	EXPECT_EQ(rd(c, PCI_VENDOR_ID, 4, &d), 0x32534348);
	wr(c, 0xfc, 4, 0x11223344, &res);
	ASSERT_EQ(res.nr_fwd, 1);
	EXPECT_EQ(res.fwd[0].off, 0xfc);
	EXPECT_EQ(res.fwd[0].len, 3);
	EXPECT_EQ(get(res.fwd[0].data, 0, 3), 0x223344);
	wr(c, 0xff, 1, 0x55, &res);
	EXPECT_EQ(res.nr_fwd, 0);
	EXPECT_EQ(rd(c, 0xfc, 4, &d), 0x00aaaaaa);
	/* dev_size 0 (every caller before mdevs): the whole space is real */
	in.dev_size = 0;
	ASSERT_EQ(vcfg_build(c, c->dev, &in, err, sizeof(err)), 0);
	EXPECT_EQ(rd(c, 0xfc, 4, &d), 0x77aaaaaa);
	free(c);
}
