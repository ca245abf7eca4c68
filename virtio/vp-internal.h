/* Between the virtio-pci register side (pci.c) and its KVM side (io.c):
 * ioeventfds, MSI-X routes and irqfds, INTx, and the I/O thread kick. */
#ifndef LKVM_VIRTIO_VP_INTERNAL_H
#define LKVM_VIRTIO_VP_INTERNAL_H

#include "virtio/pci.h"

/* Device lock held. */
void vp_ioeventfd_set(struct virtio_dev *v, unsigned int q, bool on);
void vp_msix_deliver(struct virtio_dev *v, u16 vec);
void vp_msix_update(struct virtio_dev *v, u16 vec);
void vp_msix_release(struct virtio_dev *v);
void vp_kick(struct virtio_dev *v, unsigned int q);

/* Bus lock held (pci_dev_ops). */
int vp_bar_map(struct pci_dev *dev, int bar, u64 gpa);
void vp_bar_unmap(struct pci_dev *dev, int bar, u64 gpa);

#endif
