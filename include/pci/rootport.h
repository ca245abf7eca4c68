/* A PCIe root port with a native-hotplug slot, as a pure model: its type-1
 * config image (PCIe and MSI capabilities), the slot state machine the
 * guest's pciehp drives, and the per-port bus numbers and windows. No KVM:
 * callers deliver the interrupts and act on the events it returns. */
#ifndef LKVM_PCI_ROOTPORT_H
#define LKVM_PCI_ROOTPORT_H

#include "pci/pci.h"

#define RP_VENDOR		0x1b36	/* Red Hat's id for virtual hardware */
#define RP_DEVICE		0x000c	/* its generic PCIe root port */
#define RP_CLASS		0x060400	/* bridge, PCI-to-PCI */
#define RP_EXP_SIZE		0x3c	/* PCIe capability, version 2 */
#define RP_MSI_SIZE		0x0e	/* MSI, 64-bit address, no masking */
#define RP_WIN_ALIGN		SZ_1M	/* bridge memory window granularity */
#define RP_DEF_MEM		(16 * SZ_1M)	/* default 32-bit window per port */
#define RP_DEF_PREF		(256 * SZ_1M)	/* default prefetchable window */

/* The windows one port forwards (0 size: none). Bases are aligned to their
 * power-of-two size, so any BAR up to the size fits at the base. */
struct rp_window {
	u64 mem_base, mem_size;		/* 32-bit, non-prefetchable */
	u64 pref_base, pref_size;	/* 64-bit prefetchable */
};

struct rootport {
	struct pci_dev dev;		/* the port's function on bus 0 */
	u8 index;			/* 0-based; physical slot index + 1 */
	u8 sec_bus;			/* the bus behind it, as firmware set it */
	u16 exp;			/* PCIe capability offset */
	u16 msi;			/* MSI capability offset */
	bool present;			/* an adapter is in the slot */
	bool link;			/* Data Link Layer Link Active */
	bool notify;			/* the interrupt condition, last evaluated */
	bool sbr;			/* secondary bus reset, last seen */
};

/* What a change asks of the caller (ORed). */
#define RP_EV_MSI		(1u << 0)	/* send the port's MSI now */
#define RP_EV_INTX		(1u << 1)	/* rootport_intx() changed */
#define RP_EV_POWER_ON		(1u << 2)	/* the guest powered the slot on */
#define RP_EV_POWER_OFF		(1u << 3)	/* ... off: the adapter may go */
#define RP_EV_RESET		(1u << 4)	/* secondary bus reset asserted */

/*
 * Builds port index's image: Red Hat 1b36:000c, header type 1, primary
 * bus 0, secondary and subordinate sec_bus, the windows of win programmed
 * (I/O: none), a PCIe v2 root-port capability with a hotplug slot
 * (attention button and indicator, power controller and indicator,
 * presence detect, command completed, DLL active reporting; physical slot
 * index + 1) and a 64-bit single-vector MSI. present: an adapter sits in
 * the slot from the start, powered and linked (cold plug); otherwise the
 * slot starts empty and powered off.
 */
void rootport_init(struct rootport *rp, u8 index, u8 sec_bus,
		   const struct rp_window *win, bool present);

/* Cold plug before the guest runs: an adapter in the slot, powered, the
 * link up, nothing latched, no event. */
void rootport_cold_insert(struct rootport *rp);
/* Re-derives the model's state (presence, link, interrupt condition,
 * reset) from the config image, after a snapshot put it back. */
void rootport_sync(struct rootport *rp);

/* A guest config write through the port's masks; then the slot's reaction
 * to it: a Slot Control write is a command (Command Completed), power
 * and link follow the power controller and Link Disable. Returns RP_EV_*.
 * The caller still owes the generic effects (pci_cfg_written). */
u32 rootport_cfg_write(struct rootport *rp, u32 off, const u8 *data, u32 len);

/* VMM-side slot events, each returning RP_EV_*. insert: an adapter appears
 * (Presence Detect Changed; the link comes up if the slot is powered).
 * remove: it goes (surprise removal when still powered). button: the
 * Attention Button is pressed (the guest's orderly removal or insertion
 * request). */
u32 rootport_insert(struct rootport *rp);
u32 rootport_remove(struct rootport *rp);
u32 rootport_button(struct rootport *rp);

/* Slot power as the guest's power controller command set it. */
bool rootport_powered(const struct rootport *rp);
/* The level of the port's INTx line: the interrupt condition while MSI is
 * off and INTx is not disabled. */
bool rootport_intx(const struct rootport *rp);
/* The port's MSI message (valid when RP_EV_MSI was returned). */
void rootport_msi_msg(const struct rootport *rp, u64 *addr, u32 *data);
/* The bus range [sec, sub] behind the port as the guest programmed it. */
void rootport_buses(const struct rootport *rp, u8 *sec, u8 *sub);

/* A root port on the VM's bus (pci/ports.c): the model, its windows and
 * their bump allocators, the function behind it. Under the bus lock. */
struct pci_port {
	struct rootport rp;
	struct rp_window win;
	u64 next[3];			/* I/O (none), mem, prefetchable */
	struct pci_dev *child;		/* device 0 function 0 behind it */
	pthread_cond_t power_cond;	/* broadcast on slot power changes */
	u32 nr_msi;			/* interrupts sent (for tests) */
};

/*
 * Carves nports windows of mem_size (32-bit) and pref_size (64-bit
 * prefetchable) bytes from the tops of w's windows, each aligned to its
 * size (powers of two, >= 1 MiB, or 0 for none); shrinks w's windows to
 * what is left for bus 0. Returns 0, or -1 with err naming the window
 * that is too small and the option to change.
 */
int rootport_plan(struct pci_windows *w, u32 nports, u64 mem_size,
		  u64 pref_size, struct rp_window *out, char *err,
		  size_t errlen);

#endif
