/* libFuzzer target for the hotplug root port model (pci/rootport.c): any
 * sequence of guest config writes (aligned, 1/2/4 bytes, anywhere in the
 * 4 KiB space) and VMM slot events (insert, remove, button), checked after
 * each step against a reference of the interrupt, link and power rules and
 * the read-only identity. Input: [op u8][off u16][value u32]... */
#include "fuzz.h"
#include "pci/rootport.h"

/* fuzz-sources: pci/rootport.c pci/rootport_plan.c pci/config.c kvm/util.c
 * fuzz-runs: 200000
 * fuzz-max-len: 1024 */

enum { OP_WRITE, OP_INSERT, OP_REMOVE, OP_BUTTON, NR_OPS };

static const struct rp_window win = {
	0xd0000000ULL, 16 * SZ_1M, 0x8000000000ULL, 256 * SZ_1M
};

static u16 e16(const struct rootport *rp, u32 reg)
{
	return pci_cfg_get16(&rp->dev, rp->exp + reg);
}

/* The interrupt condition, recomputed from the image. */
static bool pending(const struct rootport *rp)
{
	u16 ctl = e16(rp, PCI_EXP_SLTCTL), sta = e16(rp, PCI_EXP_SLTSTA);
	u16 en = ctl & 0x1f;

	if (ctl & PCI_EXP_SLTCTL_DLLSCE)
		en |= PCI_EXP_SLTSTA_DLLSC;
	return (ctl & PCI_EXP_SLTCTL_HPIE) && (sta & en);
}

static bool msi_on(const struct rootport *rp)
{
	return pci_cfg_get16(&rp->dev, rp->msi + PCI_MSI_FLAGS) & 1;
}

static void check(const struct rootport *rp, u32 ev, bool was_msi,
		  bool was_intx, bool was_powered)
{
	bool now = pending(rp) && msi_on(rp), pw = rootport_powered(rp);
	bool up = rp->present && pw &&
		  !(e16(rp, PCI_EXP_LNKCTL) & PCI_EXP_LNKCTL_LD);

	FUZZ_ASSERT(!!(ev & RP_EV_MSI) == (now && !was_msi));
	FUZZ_ASSERT(!!(ev & RP_EV_INTX) == (rootport_intx(rp) != was_intx));
	FUZZ_ASSERT(!(rootport_intx(rp) && msi_on(rp)));
	FUZZ_ASSERT(!!(ev & RP_EV_POWER_OFF) == (was_powered && !pw));
	FUZZ_ASSERT(!!(ev & RP_EV_POWER_ON) == (!was_powered && pw));
	FUZZ_ASSERT(rp->link == up);
	FUZZ_ASSERT(!!(e16(rp, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA) == up);
	FUZZ_ASSERT(!!(e16(rp, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS) ==
		    rp->present);
	FUZZ_ASSERT(pci_cfg_get32(&rp->dev, 0) == 0x000c1b36);
	FUZZ_ASSERT(pci_cfg_get8(&rp->dev, PCI_HEADER_TYPE) == 1);
	FUZZ_ASSERT(pci_find_cap(&rp->dev, PCI_CAP_ID_EXP) == rp->exp);
	FUZZ_ASSERT(pci_cfg_get32(&rp->dev, rp->exp + PCI_EXP_SLTCAP) ==
		    (0x5bu | 1u << 19));
	FUZZ_ASSERT(!(pci_cfg_get16(&rp->dev, PCI_IO_BASE)));
}

static u32 step(struct rootport *rp, struct fin *in)
{
	u8 op = fin_u8(in);
	u32 off = fin_u16(in) % (PCI_CFG_SIZE_EXP + 8), v = fin_u32(in);
	u32 len = 1u << ((op >> 2) % 3);
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	switch (op % NR_OPS) {
	case OP_INSERT:
		return rootport_insert(rp);
	case OP_REMOVE:
		return rootport_remove(rp);
	case OP_BUTTON:
		return rootport_button(rp);
	}
	return rootport_cfg_write(rp, off & ~(len - 1), b, len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	static struct rootport rp;
	struct fin in = { data, len };
	bool msi, intx, pw;
	u32 ev;

	rootport_init(&rp, 0, 1, &win, fin_u8(&in) & 1);
	while (in.n) {
		msi = pending(&rp) && msi_on(&rp);
		intx = rootport_intx(&rp);
		pw = rootport_powered(&rp);
		ev = step(&rp, &in);
		check(&rp, ev, msi, intx, pw);
	}
	return 0;
}

static void w(struct fseed *s, u32 off, u32 len, u32 v)
{
	fs_u8(s, (u8)(OP_WRITE | (len == 4 ? 8 : len == 2 ? 4 : 0)));
	fs_u16(s, (u16)off);
	fs_u32(s, v);
}

static void ev(struct fseed *s, u8 op)
{
	fs_u8(s, op);
	fs_u16(s, 0);
	fs_u32(s, 0);
}

/* pciehp's hot add and orderly removal on an empty slot (capabilities at
 * 0x40 and 0x7c, as rootport_init lays them out). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fseed s = { .n = 0 };

	if (!fuzz_seeding())
		return 0;
	fs_u8(&s, 0);
	w(&s, 0x7c + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	w(&s, 0x7c + PCI_MSI_FLAGS, 2, 1);
	w(&s, 0x40 + PCI_EXP_SLTCTL, 2, 0x17f9);
	ev(&s, OP_INSERT);
	w(&s, 0x40 + PCI_EXP_SLTSTA, 2, 0xffff);
	w(&s, 0x40 + PCI_EXP_SLTCTL, 2, 0x13f9);
	ev(&s, OP_BUTTON);
	w(&s, 0x40 + PCI_EXP_SLTCTL, 2, 0x17f9);
	ev(&s, OP_REMOVE);
	w(&s, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	fuzz_seed("pciehp", &s);
	exit(0);
}
