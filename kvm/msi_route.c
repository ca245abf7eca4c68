/* A device vector's MSI message as a KVM GSI route plus irqfd
 * (include/kvm/msi_route.h), over the routing table of kvm/irq.c. */
#include "kvm/irq.h"
#include "kvm/msi_route.h"

int msi_route_set(struct vm *vm, int *gsi, const struct msi_msg *m,
		  bool *commit)
{
	int g;

	if (*gsi >= 0) {
		irq_msi_update(vm, *gsi, m->addr, m->data, m->devid, 0);
	} else {
		g = irq_msi_alloc(vm, m->addr, m->data, m->devid, 0);
		if (g < 0)
			return -1;
		*gsi = g;
	}
	*commit = true;
	return 0;
}

int msi_route_irqfd(struct vm *vm, int *gsi, int efd, const struct msi_msg *m)
{
	bool commit = false;

	if (msi_route_set(vm, gsi, m, &commit))
		return -1;
	if (!irq_commit(vm) && !irqfd_assign(vm, efd, *gsi, -1))
		return 0;
	irq_msi_free(vm, *gsi);
	*gsi = -1;
	return -1;
}

void msi_route_drop(struct vm *vm, int *gsi, int efd, bool *commit)
{
	if (*gsi < 0)
		return;
	if (efd >= 0)
		irqfd_deassign(vm, efd, *gsi);
	irq_msi_free(vm, *gsi);
	*gsi = -1;
	*commit = true;
}
