/* Functions shared by the files of pci/ and not part of the device API:
 * region (BAR/ROM) decode and mapping, INTx re-evaluation, allocation. */
#ifndef LKVM_PCI_INTERNAL_H
#define LKVM_PCI_INTERNAL_H

#include "pci/pci.h"

struct state_desc;
/* The bus's record of a device: config image and INTx (pci/pci.c). */
extern struct state_desc pci_state_desc;

/* Re-evaluates every region of dev against its BARs and the command
 * register, calling unmap/map where the live state changed. A region that
 * would overlap a live one waits (not live). True if a region went away. */
bool pci_update_regions(struct pci_dev *dev);
/* Retries the waiting regions of every device (after one went away). */
void pci_retry_regions(struct pci_bus *bus);
/* Unmaps every live region of dev (as if decode went off). */
void pci_regions_off(struct pci_dev *dev);
/* Re-drives the INTx line after a status/command change. */
void pci_update_intx(struct pci_dev *dev);
/* Assigns addresses to all BARs of dev from the bus windows. */
int pci_alloc_bars(struct pci_bus *bus, struct pci_dev *dev);
/* The same from windows w (io, mem32, mem64) with bump pointers next[3],
 * updated on success; pref_only: the 64-bit window is a bridge's
 * prefetchable one and takes the prefetchable BARs only (and I/O BARs
 * stay unassigned when there is no I/O window). */
int pci_alloc_bars_in(struct pci_dev *dev, const struct pci_windows *w,
		      u64 next[3], bool pref_only);
/* True when bar is the upper half of a 64-bit BAR. */
bool pci_bar_is_upper(const struct pci_dev *dev, int bar);
/* Config offset of region bar's register. */
u32 pci_bar_reg(int bar);

/* pci/ports.c: the device behind a root port by bdf: dev->bdf (guest
 * false), or device 0 of the port's secondary bus with the link up (guest
 * true: a config access). */
struct pci_dev *pci_port_find(struct pci_bus *bus, u16 bdf, bool guest);
/* Frees the ports (pci_bus_exit). */
void pci_ports_free(struct pci_bus *bus);
/* Drops dev from its port (regions already off). */
void pci_port_detach(struct pci_dev *dev);
/* The ECAM handler (pci/pci.c), for the ports to grow its range. */
void pci_ecam_io(void *opaque, u64 off, u8 *data, u32 len, bool wr);
#define PCI_ECAM_BUS_SIZE	(PCI_MAX_SLOTS * 8 * PCI_CFG_SIZE_EXP)

#endif
