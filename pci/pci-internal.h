/* Functions shared by the files of pci/ and not part of the device API:
 * region (BAR/ROM) decode and mapping, INTx re-evaluation, allocation. */
#ifndef LKVM_PCI_INTERNAL_H
#define LKVM_PCI_INTERNAL_H

#include "pci/pci.h"

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
/* True when bar is the upper half of a 64-bit BAR. */
bool pci_bar_is_upper(const struct pci_dev *dev, int bar);
/* Config offset of region bar's register. */
u32 pci_bar_reg(int bar);

#endif
