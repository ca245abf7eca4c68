/* Guest interrupt plumbing shared by devices: the KVM GSI routing table
 * (irqchip pins plus MSI routes, committed with KVM_SET_GSI_ROUTING),
 * irqfds with optional resamplefds, and direct MSI injection. */
#ifndef LKVM_KVM_IRQ_H
#define LKVM_KVM_IRQ_H

#include <pthread.h>
#include <linux/kvm.h>
#include "lkvm/util.h"

struct vm;

#define IRQ_MAX_ROUTES	4096

struct irq_routing {
	pthread_mutex_t lock;	/* also of pending */
	struct kvm_irq_routing_entry e[IRQ_MAX_ROUTES];
	int nr;
	u32 next_gsi;		/* first GSI never used for MSI yet */
	u32 first_msi_gsi;	/* GSIs below are the fixed irqchip pins */
	bool dirty;
	struct kvm_irqfd *pending;	/* irqfd_defer'ed, nr_pending of them */
	int nr_pending;
};

/* Arch: fills the fixed irqchip routes (what KVM's default table had);
 * returns their count and the first free GSI in *first_free. */
int arch_irq_routing_base(struct kvm_irq_routing_entry *e, int max,
			  u32 *first_free);

/* Arch: the route for an MSI (addr, data) from requester id devid — a
 * plain MSI on x86, an ITS MSI with the device id or a GICv2m SPI on arm64.
 * Returns 0, or -1 if this VM cannot route that MSI. */
int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *e);
/* Arch: inject one MSI now (KVM_SIGNAL_MSI or its equivalent). */
int arch_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid);

int irq_routing_init(struct vm *vm);
void irq_routing_exit(struct vm *vm);
/* Allocates a GSI routed as an MSI from requester id devid (the PCI BDF;
 * arm64's ITS needs it). flags are ORed into the route's flags. Returns the
 * GSI or -1. The change is applied by irq_commit(). */
int irq_msi_alloc(struct vm *vm, u64 addr, u32 data, u32 devid, u32 flags);
int irq_msi_update(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   u32 flags);
void irq_msi_free(struct vm *vm, u32 gsi);
/* Pushes the table to KVM if it changed. Returns 0 or -1. */
int irq_commit(struct vm *vm);

/* KVM_IRQFD: eventfd efd raises gsi; with resample_fd >= 0 the line is
 * level-triggered and resample_fd fires on guest EOI. */
int irqfd_assign(struct vm *vm, int efd, u32 gsi, int resample_fd);
int irqfd_deassign(struct vm *vm, int efd, u32 gsi);
/* Keeps f for irqfd_flush_pending (irqfd_assign on EAGAIN). */
int irqfd_defer(struct vm *vm, const struct kvm_irqfd *f);
/* Assigns the irqfds KVM refused with EAGAIN (arm64: vGIC not yet
 * initialized); the arch calls it once its irqchip is ready. */
int irqfd_flush_pending(struct vm *vm);
/* One-off MSI from the VMM itself (arch_signal_msi); flags unused. */
int irq_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid, u32 flags);

#endif
