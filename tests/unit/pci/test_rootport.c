/* Unit tests for the hotplug root port model (pci/rootport.c): the type-1
 * image and its masks, the slot state machine through pciehp's sequences
 * (enable notification, insert and power on, attention button and power
 * off, surprise removal), and the interrupt rules (enables, MSI edges,
 * INTx level), link disable and secondary bus reset. */
#include <stdlib.h>
#include "unit.h"
#include "pci/rootport.h"

static const struct rp_window win = {
	0xd0000000ULL, 16 * SZ_1M, 0x8000000000ULL, 256 * SZ_1M
};

static u32 w16(struct rootport *rp, u32 off, u16 v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	return rootport_cfg_write(rp, off, b, 2);
}

static u32 w32(struct rootport *rp, u32 off, u32 v)
{
	u8 b[4] = { (u8)v, (u8)(v >> 8), (u8)(v >> 16), (u8)(v >> 24) };

	return rootport_cfg_write(rp, off, b, 4);
}

static u16 sta(const struct rootport *rp)
{
	return pci_cfg_get16(&rp->dev, rp->exp + PCI_EXP_SLTSTA);
}

static u16 lnksta(const struct rootport *rp)
{
	return pci_cfg_get16(&rp->dev, rp->exp + PCI_EXP_LNKSTA);
}

static u32 sltctl(struct rootport *rp, u16 v)
{
	return w16(rp, rp->exp + PCI_EXP_SLTCTL, v);
}

/* pciehp's enables: presence, button, command completed, DLL changes */
#define HP_ENABLES	(PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_ABPE |	\
			 PCI_EXP_SLTCTL_CCIE | PCI_EXP_SLTCTL_HPIE |	\
			 PCI_EXP_SLTCTL_DLLSCE)

static struct rootport *new_port(bool present, bool msi)
{
	struct rootport *rp = calloc(1, sizeof(*rp));

	rootport_init(rp, 2, 3, &win, present);
	if (msi) {
		w32(rp, rp->msi + PCI_MSI_ADDRESS_LO, 0xfee01000);
		w16(rp, rp->msi + PCI_MSI_DATA_64, 0x4041);
		w16(rp, rp->msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	}
	return rp;
}

TEST(rootport_image)
{
	struct rootport *rp = new_port(false, false);
	struct pci_dev *d = &rp->dev;
	u8 sec, sub;

	EXPECT_EQ(pci_cfg_get16(d, PCI_VENDOR_ID), RP_VENDOR);
	EXPECT_EQ(pci_cfg_get8(d, PCI_HEADER_TYPE), PCI_HEADER_TYPE_BRIDGE);
	EXPECT_EQ(pci_cfg_get16(d, PCI_CLASS_DEVICE), 0x0604);
	EXPECT_EQ(d->cfg_size, PCI_CFG_SIZE_EXP);
	rootport_buses(rp, &sec, &sub);
	EXPECT_EQ(sec, 3);
	EXPECT_EQ(sub, 3);
	EXPECT_EQ(pci_cfg_get8(d, PCI_PRIMARY_BUS), 0);
	EXPECT_EQ(pci_cfg_get16(d, PCI_MEMORY_BASE), 0xd000);
	EXPECT_EQ(pci_cfg_get16(d, PCI_MEMORY_LIMIT), 0xd0f0);
	EXPECT_EQ(pci_cfg_get16(d, PCI_PREF_MEMORY_BASE), 0x0001);
	EXPECT_EQ(pci_cfg_get16(d, PCI_PREF_MEMORY_LIMIT), 0x0ff1);
	EXPECT_EQ(pci_cfg_get32(d, PCI_PREF_BASE_UPPER32), 0x80);
	EXPECT_EQ(pci_cfg_get32(d, PCI_PREF_LIMIT_UPPER32), 0x80);
	ASSERT(rp->exp && pci_find_cap(d, PCI_CAP_ID_EXP) == rp->exp);
	ASSERT(rp->msi && pci_find_cap(d, PCI_CAP_ID_MSI) == rp->msi);
	EXPECT_EQ(pci_cfg_get16(d, rp->exp + PCI_EXP_FLAGS), 0x0142);
	EXPECT_EQ(pci_cfg_get32(d, rp->exp + PCI_EXP_SLTCAP),
		  0x5b | 3u << 19);	/* ABP PCP AIP PIP HPC, slot 3 */
	EXPECT(pci_cfg_get32(d, rp->exp + PCI_EXP_LNKCAP) &
	       PCI_EXP_LNKCAP_DLLLARC);
	EXPECT_EQ(pci_cfg_get32(d, rp->exp + PCI_EXP_LNKCAP) >> 24, 3);
	EXPECT_EQ(pci_cfg_get16(d, rp->msi + PCI_MSI_FLAGS),
		  PCI_MSI_FLAGS_64BIT);
	/* empty: no presence, powered off, link down */
	EXPECT(!(sta(rp) & PCI_EXP_SLTSTA_PDS));
	EXPECT(!rootport_powered(rp));
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	EXPECT_EQ(lnksta(rp) & 0x3ff, 0x11);	/* x1, 2.5 GT/s */
	free(rp);
}

TEST(rootport_masks)
{
	struct rootport *rp = new_port(false, false);
	struct pci_dev *d = &rp->dev;

	/* no I/O window: Linux's probe write reads back 0 */
	w16(rp, PCI_IO_BASE, 0xe0f0);
	EXPECT_EQ(pci_cfg_get16(d, PCI_IO_BASE), 0);
	w32(rp, PCI_MEMORY_BASE, 0xffffffff);
	EXPECT_EQ(pci_cfg_get32(d, PCI_MEMORY_BASE), 0xfff0fff0);
	w32(rp, PCI_PREF_MEMORY_BASE, 0);
	EXPECT_EQ(pci_cfg_get32(d, PCI_PREF_MEMORY_BASE), 0x00010001);
	w32(rp, PCI_PRIMARY_BUS, 0x00050400);
	EXPECT_EQ(pci_cfg_get8(d, PCI_SECONDARY_BUS), 4);
	EXPECT_EQ(pci_cfg_get8(d, PCI_SUBORDINATE_BUS), 5);
	w32(rp, PCI_PREF_BASE_UPPER32, 0x1234);
	w32(rp, PCI_PREF_LIMIT_UPPER32, 0x5678);
	EXPECT_EQ(pci_cfg_get32(d, PCI_PREF_BASE_UPPER32), 0x1234);
	EXPECT_EQ(pci_cfg_get32(d, PCI_PREF_LIMIT_UPPER32), 0x5678);
	/* read-only: presence state, capabilities, the link status */
	w16(rp, rp->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
	EXPECT(!(sta(rp) & PCI_EXP_SLTSTA_PDS));
	w32(rp, rp->exp + PCI_EXP_SLTCAP, 0);
	EXPECT(pci_cfg_get32(d, rp->exp + PCI_EXP_SLTCAP) & PCI_EXP_SLTCAP_HPC);
	w16(rp, rp->exp + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA);
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	/* no electromechanical interlock */
	sltctl(rp, PCI_EXP_SLTCTL_EIC);
	EXPECT(!(pci_cfg_get16(d, rp->exp + PCI_EXP_SLTCTL) &
		 PCI_EXP_SLTCTL_EIC));
	free(rp);
}

TEST(rootport_cold_plugged)
{
	struct rootport *rp = new_port(true, false);

	EXPECT(sta(rp) & PCI_EXP_SLTSTA_PDS);
	EXPECT(!(sta(rp) & (PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC)));
	EXPECT(rootport_powered(rp));
	EXPECT(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA);
	EXPECT_EQ(rootport_insert(rp), 0);	/* already there */
	free(rp);
}

/* The hot-add pciehp sees: presence, then its power-on command brings
 * the link up. */
TEST(rootport_hot_add)
{
	struct rootport *rp = new_port(false, true);
	u16 off = PCI_EXP_SLTCTL_PWR_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF |
		  PCI_EXP_SLTCTL_ATTN_IND_OFF;
	u32 ev;

	/* enabling notification is a command: Command Completed, one MSI */
	EXPECT_EQ(sltctl(rp, off | HP_ENABLES), RP_EV_MSI);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_CC);
	EXPECT_EQ(w16(rp, rp->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC), 0);
	EXPECT_EQ(sta(rp), 0);

	EXPECT_EQ(rootport_insert(rp), RP_EV_MSI);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC);
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));	/* not powered */
	w16(rp, rp->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC);

	ev = sltctl(rp, HP_ENABLES | PCI_EXP_SLTCTL_PWR_IND_ON |
		    PCI_EXP_SLTCTL_ATTN_IND_OFF);
	EXPECT_EQ(ev, RP_EV_POWER_ON | RP_EV_MSI);
	EXPECT(rootport_powered(rp));
	EXPECT(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_CC |
		  PCI_EXP_SLTSTA_DLLSC);
	free(rp);
}

/* The orderly removal: button, the guest powers the slot off, the VMM
 * takes the adapter away. */
TEST(rootport_button_remove)
{
	struct rootport *rp = new_port(true, true);
	u16 on = HP_ENABLES | PCI_EXP_SLTCTL_PWR_IND_ON |
		 PCI_EXP_SLTCTL_ATTN_IND_OFF;

	sltctl(rp, on);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	EXPECT_EQ(rootport_button(rp), RP_EV_MSI);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_ABP);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_ABP);
	/* blinking is a command but not a power change */
	EXPECT_EQ(sltctl(rp, HP_ENABLES | PCI_EXP_SLTCTL_PWR_IND_BLINK |
			 PCI_EXP_SLTCTL_ATTN_IND_OFF), RP_EV_MSI);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	EXPECT_EQ(sltctl(rp, HP_ENABLES | PCI_EXP_SLTCTL_PWR_OFF |
			 PCI_EXP_SLTCTL_PWR_IND_OFF |
			 PCI_EXP_SLTCTL_ATTN_IND_OFF),
		  RP_EV_POWER_OFF | RP_EV_MSI);
	EXPECT(!rootport_powered(rp));
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	EXPECT(sta(rp) & PCI_EXP_SLTSTA_DLLSC);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	EXPECT_EQ(rootport_remove(rp), RP_EV_MSI);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDC);	/* link was down already */
	EXPECT_EQ(rootport_remove(rp), 0);
	free(rp);
}

TEST(rootport_surprise_remove)
{
	struct rootport *rp = new_port(true, true);

	sltctl(rp, HP_ENABLES | PCI_EXP_SLTCTL_PWR_IND_ON |
	       PCI_EXP_SLTCTL_ATTN_IND_OFF);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	EXPECT_EQ(rootport_remove(rp), RP_EV_MSI);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	EXPECT(rootport_powered(rp));	/* the guest's command is still on */
	free(rp);
}

/* MSI: one message per false-to-true edge of (event & enable, HPIE, MSI
 * enabled); a pending event masks later ones until all are cleared. */
TEST(rootport_msi_edges)
{
	struct rootport *rp = new_port(false, true);
	u64 addr;
	u32 data;

	/* HPIE off: events latch, no interrupt (power on, empty: no link) */
	EXPECT_EQ(sltctl(rp, HP_ENABLES & ~PCI_EXP_SLTCTL_HPIE),
		  RP_EV_POWER_ON);
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	EXPECT_EQ(rootport_insert(rp), 0);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC |
		  PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC);
	/* setting HPIE with events pending sends one */
	EXPECT_EQ(sltctl(rp, HP_ENABLES), RP_EV_MSI);
	EXPECT_EQ(rootport_button(rp), 0);	/* still pending: no edge */
	w16(rp, rp->exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDC);
	EXPECT_EQ(rootport_button(rp), 0);	/* CC, DLLSC, ABP remain */
	EXPECT_EQ(w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff), 0);
	EXPECT_EQ(rootport_button(rp), RP_EV_MSI);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	/* an event whose enable is off does not count */
	EXPECT_EQ(sltctl(rp, PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_CCIE),
		  RP_EV_MSI);
	w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff);
	EXPECT_EQ(rootport_remove(rp), 0);
	EXPECT_EQ(sta(rp), PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
	/* DLLSCE is bit 12 of control for bit 8 of status */
	EXPECT_EQ(sltctl(rp, PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_DLLSCE),
		  RP_EV_MSI);
	/* disabling MSI then enabling it with an event pending: a message */
	EXPECT_EQ(w16(rp, rp->msi + PCI_MSI_FLAGS, 0), RP_EV_INTX);
	EXPECT(rootport_intx(rp));
	EXPECT_EQ(w16(rp, rp->msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE),
		  RP_EV_MSI | RP_EV_INTX);
	EXPECT(!rootport_intx(rp));
	rootport_msi_msg(rp, &addr, &data);
	EXPECT_EQ(addr, 0xfee01000);
	EXPECT_EQ(data, 0x4041);
	free(rp);
}

TEST(rootport_intx_level)
{
	struct rootport *rp = new_port(false, false);

	EXPECT_EQ(sltctl(rp, HP_ENABLES), RP_EV_INTX | RP_EV_POWER_ON);
	EXPECT(rootport_intx(rp));		/* CC */
	EXPECT_EQ(rootport_insert(rp), 0);	/* level already high */
	EXPECT_EQ(w16(rp, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE), RP_EV_INTX);
	EXPECT(!rootport_intx(rp));
	EXPECT_EQ(w16(rp, PCI_COMMAND, 0), RP_EV_INTX);
	EXPECT_EQ(w16(rp, rp->exp + PCI_EXP_SLTSTA, 0xffff), RP_EV_INTX);
	EXPECT(!rootport_intx(rp));
	free(rp);
}

TEST(rootport_link_disable_and_reset)
{
	struct rootport *rp = new_port(true, false);

	w16(rp, rp->exp + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD);
	EXPECT(!(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA));
	EXPECT(sta(rp) & PCI_EXP_SLTSTA_DLLSC);
	w16(rp, rp->exp + PCI_EXP_LNKCTL, 0);
	EXPECT(lnksta(rp) & PCI_EXP_LNKSTA_DLLLA);
	EXPECT_EQ(w16(rp, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET),
		  RP_EV_RESET);
	EXPECT_EQ(w16(rp, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET), 0);
	EXPECT_EQ(w16(rp, PCI_BRIDGE_CONTROL, 0), 0);
	EXPECT_EQ(w16(rp, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET),
		  RP_EV_RESET);
	/* outside the space: nothing */
	EXPECT_EQ(w32(rp, PCI_CFG_SIZE_EXP, 0xffffffff), 0);
	free(rp);
}
