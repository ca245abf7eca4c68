/* A PCIe root port with a native-hotplug slot (pure: no KVM): the type-1
 * image, the slot state machine (presence, power, link, attention button,
 * command completed) and the interrupt rules of PCIe r5.0 6.7.3.4. */
#include "pci/rootport.h"

#define EXP_FLAGS	(2 | PCI_EXP_TYPE_ROOT_PORT << 4 | PCI_EXP_FLAGS_SLOT)
#define LNK_X1_GEN1	(PCI_EXP_LNKSTA_CLS_2_5GB | 1 << PCI_EXP_LNKSTA_NLW_SHIFT)
#define SLTCAP_HP	(PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |	\
			 PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |	\
			 PCI_EXP_SLTCAP_HPC)
#define SLTCTL_WMASK	(PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PFDE |	\
			 PCI_EXP_SLTCTL_MRLSCE | PCI_EXP_SLTCTL_PDCE |	\
			 PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE |	\
			 PCI_EXP_SLTCTL_AIC | PCI_EXP_SLTCTL_PIC |	\
			 PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_DLLSCE)
/* the event bits: Slot Control enables 0-4 sit on the same bits as their
 * Slot Status events; DLL State Changed's enable is bit 12, its event 8 */
#define SLTSTA_EVENTS	(PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD |	\
			 PCI_EXP_SLTSTA_MRLSC | PCI_EXP_SLTSTA_PDC |	\
			 PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC)
#define LNKCTL_WMASK	(PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB |	\
			 PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_CCC |	\
			 PCI_EXP_LNKCTL_ES)
#define BRCTL_WMASK	(PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |	\
			 PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_BUS_RESET)
#define SEC_STATUS_W1C	0xf900	/* parity, aborts, SERR, parity error */
#define ROOTSTA_PME	0x00010000

static u16 exp16(const struct rootport *rp, u32 reg)
{
	return pci_cfg_get16(&rp->dev, rp->exp + reg);
}

static void exp_set16(struct rootport *rp, u32 reg, u16 v)
{
	pci_cfg_set16(&rp->dev, rp->exp + reg, v);
}

static void exp_bits(struct rootport *rp, u32 reg, u16 bits, bool on)
{
	u16 v = exp16(rp, reg);

	exp_set16(rp, reg, on ? v | bits : v & ~bits);
}

static void set_windows(struct pci_dev *d, const struct rp_window *w)
{
	u64 mlim = w->mem_base + w->mem_size - 1;
	u64 plim = w->pref_base + w->pref_size - 1;

	pci_cfg_set16(d, PCI_MEMORY_BASE, 0xfff0);	/* closed: base > limit */
	pci_cfg_set16(d, PCI_PREF_MEMORY_BASE, 0xfff0 | PCI_PREF_RANGE_TYPE_64);
	pci_cfg_set16(d, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	if (w->mem_size) {
		pci_cfg_set16(d, PCI_MEMORY_BASE, (u16)(w->mem_base >> 16) & 0xfff0);
		pci_cfg_set16(d, PCI_MEMORY_LIMIT, (u16)(mlim >> 16) & 0xfff0);
	}
	if (w->pref_size) {
		pci_cfg_set16(d, PCI_PREF_MEMORY_BASE,
			      ((u16)(w->pref_base >> 16) & 0xfff0) | 1);
		pci_cfg_set16(d, PCI_PREF_MEMORY_LIMIT,
			      ((u16)(plim >> 16) & 0xfff0) | 1);
		pci_cfg_set32(d, PCI_PREF_BASE_UPPER32, (u32)(w->pref_base >> 32));
		pci_cfg_set32(d, PCI_PREF_LIMIT_UPPER32, (u32)(plim >> 32));
	}
}

static void bridge_header(struct rootport *rp, u8 sec_bus,
			  const struct rp_window *win)
{
	struct pci_dev *d = &rp->dev;

	pci_dev_init(d, "root-port", RP_VENDOR, RP_DEVICE, RP_CLASS, 0, true);
	pci_cfg_set8(d, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE);
	pci_cfg_set8(d, PCI_SECONDARY_BUS, sec_bus);
	pci_cfg_set8(d, PCI_SUBORDINATE_BUS, sec_bus);
	pci_set_wmask(d, PCI_PRIMARY_BUS, 4, 0xffffffff);	/* + sec latency */
	pci_set_w1c(d, PCI_SEC_STATUS, 2, SEC_STATUS_W1C);
	set_windows(d, win);
	pci_set_wmask(d, PCI_MEMORY_BASE, 4, 0xfff0fff0);
	pci_set_wmask(d, PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0);
	pci_set_wmask(d, PCI_PREF_BASE_UPPER32, 4, 0xffffffff);
	pci_set_wmask(d, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff);
	pci_set_wmask(d, PCI_BRIDGE_CONTROL, 2, BRCTL_WMASK);
	rp->sec_bus = sec_bus;
}

static void exp_cap(struct rootport *rp)
{
	struct pci_dev *d = &rp->dev;
	u16 e = pci_add_cap(d, PCI_CAP_ID_EXP, RP_EXP_SIZE);

	rp->exp = e;
	pci_cfg_set16(d, e + PCI_EXP_FLAGS, EXP_FLAGS);
	pci_cfg_set32(d, e + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
	pci_set_wmask(d, e + PCI_EXP_DEVCTL, 2, 0x7fff);
	pci_set_w1c(d, e + PCI_EXP_DEVSTA, 2, 0x000f);
	pci_cfg_set32(d, e + PCI_EXP_LNKCAP, LNK_X1_GEN1 |
		      PCI_EXP_LNKCAP_DLLLARC | (u32)(rp->index + 1) << 24);
	pci_set_wmask(d, e + PCI_EXP_LNKCTL, 2, LNKCTL_WMASK);
	pci_cfg_set16(d, e + PCI_EXP_LNKSTA, LNK_X1_GEN1);
	pci_cfg_set32(d, e + PCI_EXP_SLTCAP, SLTCAP_HP |
		      (u32)(rp->index + 1) << 19);
	pci_set_wmask(d, e + PCI_EXP_SLTCTL, 2, SLTCTL_WMASK);
	pci_set_w1c(d, e + PCI_EXP_SLTSTA, 2, SLTSTA_EVENTS);
	pci_set_wmask(d, e + PCI_EXP_RTCTL, 2, 0x000f);
	pci_set_w1c(d, e + PCI_EXP_RTSTA, 4, ROOTSTA_PME);
	pci_cfg_set32(d, e + PCI_EXP_LNKCAP2, PCI_EXP_LNKCAP2_SLS_2_5GB);
	pci_cfg_set16(d, e + PCI_EXP_LNKCTL2, PCI_EXP_LNKCTL2_TLS_2_5GT);
}

static void msi_cap(struct rootport *rp)
{
	struct pci_dev *d = &rp->dev;
	u16 m = pci_add_cap(d, PCI_CAP_ID_MSI, RP_MSI_SIZE);

	rp->msi = m;
	pci_cfg_set16(d, m + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	pci_set_wmask(d, m + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	pci_set_wmask(d, m + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
	pci_set_wmask(d, m + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
	pci_set_wmask(d, m + PCI_MSI_DATA_64, 2, 0xffff);
}

void rootport_init(struct rootport *rp, u8 index, u8 sec_bus,
		   const struct rp_window *win, bool present)
{
	rp->index = index;
	bridge_header(rp, sec_bus, win);
	exp_cap(rp);
	msi_cap(rp);
	rp->notify = false;
	rp->sbr = false;
	exp_set16(rp, PCI_EXP_SLTCTL, PCI_EXP_SLTCTL_ATTN_IND_OFF |
		  PCI_EXP_SLTCTL_PWR_IND_OFF | PCI_EXP_SLTCTL_PWR_OFF);
	rp->present = rp->link = false;
	if (present)
		rootport_cold_insert(rp);
}

void rootport_cold_insert(struct rootport *rp)
{
	exp_set16(rp, PCI_EXP_SLTCTL, PCI_EXP_SLTCTL_ATTN_IND_OFF |
		  PCI_EXP_SLTCTL_PWR_IND_ON);
	exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS, true);
	exp_bits(rp, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA, true);
	rp->present = rp->link = true;
}

/* ---- the slot ---- */

bool rootport_powered(const struct rootport *rp)
{
	return !(exp16(rp, PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PCC);
}

static bool msi_on(const struct rootport *rp)
{
	return pci_cfg_get16(&rp->dev, rp->msi + PCI_MSI_FLAGS) &
	       PCI_MSI_FLAGS_ENABLE;
}

/* Hotplug events both latched in Slot Status and enabled in Slot Control,
 * with Hot-Plug Interrupt Enable set: the interrupt condition. */
static bool hp_pending(const struct rootport *rp)
{
	u16 ctl = exp16(rp, PCI_EXP_SLTCTL), sta = exp16(rp, PCI_EXP_SLTSTA);
	u16 en = ctl & (SLTSTA_EVENTS & ~PCI_EXP_SLTSTA_DLLSC);

	if (!(ctl & PCI_EXP_SLTCTL_HPIE))
		return false;
	if (ctl & PCI_EXP_SLTCTL_DLLSCE)
		en |= PCI_EXP_SLTSTA_DLLSC;
	return sta & en;
}

bool rootport_intx(const struct rootport *rp)
{
	u16 cmd = pci_cfg_get16(&rp->dev, PCI_COMMAND);

	return hp_pending(rp) && !msi_on(rp) &&
	       !(cmd & PCI_COMMAND_INTX_DISABLE);
}

/* MSI is edge-triggered: one message each time the condition (with MSI
 * enabled) goes from false to true; the guest must clear every event bit
 * before another is sent. INTx follows the level. */
static u32 update_irq(struct rootport *rp, bool intx_was)
{
	bool now = hp_pending(rp) && msi_on(rp);
	u32 ev = 0;

	if (now && !rp->notify)
		ev |= RP_EV_MSI;
	rp->notify = now;
	if (rootport_intx(rp) != intx_was)
		ev |= RP_EV_INTX;
	return ev;
}

/* The link is up while an adapter is present, powered and not disabled;
 * each change latches Data Link Layer State Changed. */
static void update_link(struct rootport *rp)
{
	bool up = rp->present && rootport_powered(rp) &&
		  !(exp16(rp, PCI_EXP_LNKCTL) & PCI_EXP_LNKCTL_LD);

	if (up == rp->link)
		return;
	rp->link = up;
	exp_bits(rp, PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA, up);
	exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_DLLSC, true);
}

void rootport_sync(struct rootport *rp)
{
	rp->present = exp16(rp, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS;
	rp->link = exp16(rp, PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA;
	rp->notify = hp_pending(rp) && msi_on(rp);
	rp->sbr = pci_cfg_get16(&rp->dev, PCI_BRIDGE_CONTROL) &
		  PCI_BRIDGE_CTL_BUS_RESET;
}

static bool touches(u32 off, u32 len, u32 reg, u32 rlen)
{
	return off < reg + rlen && off + len > reg;
}

static u32 bridge_reset(struct rootport *rp)
{
	bool sbr = pci_cfg_get16(&rp->dev, PCI_BRIDGE_CONTROL) &
		   PCI_BRIDGE_CTL_BUS_RESET;
	bool rising = sbr && !rp->sbr;

	rp->sbr = sbr;
	return rising ? RP_EV_RESET : 0;
}

u32 rootport_cfg_write(struct rootport *rp, u32 off, const u8 *data, u32 len)
{
	bool intx_was = rootport_intx(rp), pwr_was = rootport_powered(rp);
	u32 ev = 0;

	if (!pci_cfg_store(&rp->dev, off, data, len))
		return 0;
	if (touches(off, len, rp->exp + PCI_EXP_SLTCTL, 2)) {
		/* every Slot Control write is a command, done at once */
		exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC, true);
		if (rootport_powered(rp) != pwr_was)
			ev |= pwr_was ? RP_EV_POWER_OFF : RP_EV_POWER_ON;
	}
	if (touches(off, len, PCI_BRIDGE_CONTROL, 2))
		ev |= bridge_reset(rp);
	update_link(rp);
	return ev | update_irq(rp, intx_was);
}

static u32 set_present(struct rootport *rp, bool present)
{
	bool intx_was = rootport_intx(rp);

	if (rp->present == present)
		return 0;
	rp->present = present;
	exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS, present);
	exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC, true);
	update_link(rp);
	return update_irq(rp, intx_was);
}

u32 rootport_insert(struct rootport *rp)
{
	return set_present(rp, true);
}

u32 rootport_remove(struct rootport *rp)
{
	return set_present(rp, false);
}

u32 rootport_button(struct rootport *rp)
{
	bool intx_was = rootport_intx(rp);

	exp_bits(rp, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP, true);
	return update_irq(rp, intx_was);
}

void rootport_msi_msg(const struct rootport *rp, u64 *addr, u32 *data)
{
	const struct pci_dev *d = &rp->dev;

	*addr = pci_cfg_get32(d, rp->msi + PCI_MSI_ADDRESS_LO) |
		(u64)pci_cfg_get32(d, rp->msi + PCI_MSI_ADDRESS_HI) << 32;
	*data = pci_cfg_get16(d, rp->msi + PCI_MSI_DATA_64);
}

void rootport_buses(const struct rootport *rp, u8 *sec, u8 *sub)
{
	*sec = pci_cfg_get8(&rp->dev, PCI_SECONDARY_BUS);
	*sub = pci_cfg_get8(&rp->dev, PCI_SUBORDINATE_BUS);
}
