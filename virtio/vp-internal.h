/* Between the virtio-pci register side (pci.c) and its KVM side (io.c):
 * pci.c reaches ioeventfds, MSI-X routes and irqfds and INTx only through
 * v->kvm, set by io.c; io.c calls into pci.c, never the reverse. */
#ifndef LKVM_VIRTIO_VP_INTERNAL_H
#define LKVM_VIRTIO_VP_INTERNAL_H

#include "virtio/pci.h"

/* Device lock held, except irq_flush. msix: see vp_msix() in io.c. */
struct vp_kvm_ops {
	void (*ioeventfd_set)(struct virtio_dev *v, unsigned int q, bool on);
	void (*msix)(struct virtio_dev *v, u16 vec, bool send);
	void (*msix_release)(struct virtio_dev *v);
	void (*irq_flush)(struct virtio_dev *v);
	int (*vector_fd)(struct virtio_dev *v, u16 vec);
};

/* pci.c, for io.c: device reset and the PCI config hooks. */
void vp_reset(struct virtio_dev *v);
bool vp_cfg_read(struct pci_dev *dev, u32 off, u8 *data, u32 len);
bool vp_cfg_write(struct pci_dev *dev, u32 off, const u8 *data, u32 len);

/* snapshot.c, for io.c's pci_dev_ops: the device's snapshot hooks. */
int vp_snap_check(struct pci_dev *dev, char *err, size_t errlen);
int vp_snap_save(struct pci_dev *dev, struct sbuf *b, char *err,
		 size_t errlen);
int vp_snap_load(struct pci_dev *dev, struct sreader *r, char *err,
		 size_t errlen);

#endif
