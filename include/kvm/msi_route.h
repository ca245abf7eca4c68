/* A device vector's KVM side, for virtio-pci and VFIO alike: its MSI
 * message as a GSI route in the VM's routing table (kvm/irq.c), and the
 * irqfd that lets an eventfd raise it. */
#ifndef LKVM_KVM_MSI_ROUTE_H
#define LKVM_KVM_MSI_ROUTE_H

#include "lkvm/util.h"

struct vm;

struct msi_msg {
	u64 addr;
	u32 data;
	u32 devid;		/* requester id (PCI BDF) */
};

/* Points *gsi at m: allocates a GSI when *gsi < 0, else rewrites its
 * route; sets *commit (the caller runs irq_commit() once). 0 or -1. */
int msi_route_set(struct vm *vm, int *gsi, const struct msi_msg *m,
		  bool *commit);
/* msi_route_set(), irq_commit() and an irqfd efd -> GSI; on failure the
 * GSI is freed again (*gsi = -1). Returns 0 or -1. */
int msi_route_irqfd(struct vm *vm, int *gsi, int efd, const struct msi_msg *m);
/* Drops the irqfd from efd (if >= 0) and the GSI (*gsi = -1, *commit). */
void msi_route_drop(struct vm *vm, int *gsi, int efd, bool *commit);

#endif
