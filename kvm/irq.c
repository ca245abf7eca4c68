/* GSI routing table, irqfds and MSI injection (include/kvm/irq.h). The
 * table is kept in full here because KVM_SET_GSI_ROUTING replaces it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "kvm/irq.h"
#include "kvm/vm.h"

int irq_routing_init(struct vm *vm)
{
	struct irq_routing *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	pthread_mutex_init(&r->lock, NULL);
	r->nr = arch_irq_routing_base(r->e, IRQ_MAX_ROUTES, &r->next_gsi);
	r->first_msi_gsi = r->next_gsi;
	r->dirty = true;
	vm->irq = r;
	return irq_commit(vm);
}

void irq_routing_exit(struct vm *vm)
{
	struct irq_routing *r = vm->irq;

	if (!r)
		return;
	free(r->pending);
	pthread_mutex_destroy(&r->lock);
	free(r);
	vm->irq = NULL;
}

static int set_msi(struct vm *vm, struct kvm_irq_routing_entry *e, u32 gsi,
		   u64 addr, u32 data, u32 devid, u32 flags)
{
	struct kvm_irq_routing_entry n;

	if (arch_msi_route(vm, gsi, addr, data, devid, &n))
		return -1;
	n.flags |= flags;
	*e = n;
	return 0;
}

/* MSI routes may be irqchip routes on arm64 (GICv2m): tell them apart
 * from the fixed pins by GSI. */
static bool is_msi_gsi(struct irq_routing *r, u32 gsi)
{
	return gsi >= r->first_msi_gsi;
}

static struct kvm_irq_routing_entry *find_msi(struct irq_routing *r, u32 gsi)
{
	int i;

	if (!is_msi_gsi(r, gsi))
		return NULL;
	for (i = 0; i < r->nr; i++)
		if (r->e[i].gsi == gsi)
			return &r->e[i];
	return NULL;
}

/* Lowest GSI at or above next_gsi's floor not used by any route. */
static u32 free_gsi(struct irq_routing *r, u32 floor)
{
	u32 gsi;
	int i;

	for (gsi = floor;; gsi++) {
		for (i = 0; i < r->nr && r->e[i].gsi != gsi; i++)
			;
		if (i == r->nr)
			return gsi;
	}
}

int irq_msi_alloc(struct vm *vm, u64 addr, u32 data, u32 devid, u32 flags)
{
	struct irq_routing *r = vm->irq;
	u32 gsi;
	int ret = -1;

	pthread_mutex_lock(&r->lock);
	if (r->nr < IRQ_MAX_ROUTES) {
		gsi = free_gsi(r, r->next_gsi);
		if (!set_msi(vm, &r->e[r->nr], gsi, addr, data, devid, flags)) {
			r->nr++;
			r->dirty = true;
			ret = gsi;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_msi_update(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   u32 flags)
{
	struct irq_routing *r = vm->irq;
	struct kvm_irq_routing_entry *e;
	int ret = -1;

	pthread_mutex_lock(&r->lock);
	e = find_msi(r, gsi);
	if (e && !set_msi(vm, e, gsi, addr, data, devid, flags)) {
		r->dirty = true;
		ret = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void irq_msi_free(struct vm *vm, u32 gsi)
{
	struct irq_routing *r = vm->irq;
	struct kvm_irq_routing_entry *e;

	pthread_mutex_lock(&r->lock);
	e = find_msi(r, gsi);
	if (e) {
		*e = r->e[--r->nr];
		r->dirty = true;
	}
	pthread_mutex_unlock(&r->lock);
}

int irq_commit(struct vm *vm)
{
	struct irq_routing *r = vm->irq;
	struct kvm_irq_routing *t;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (!r->dirty)
		goto out;
	t = malloc(sizeof(*t) + r->nr * sizeof(t->entries[0]));
	if (!t) {
		ret = -1;
		goto out;
	}
	t->nr = r->nr;
	t->flags = 0;
	memcpy(t->entries, r->e, r->nr * sizeof(t->entries[0]));
	ret = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, t);
	if (ret < 0)
		pr_err("KVM_SET_GSI_ROUTING (%d routes): %s", r->nr,
		       strerror(errno));
	else
		r->dirty = false;
	free(t);
out:
	pthread_mutex_unlock(&r->lock);
	return ret < 0 ? -1 : 0;
}

/* arm64: KVM refuses irqfds with EAGAIN until the vGIC is initialized, which
 * happens once every vCPU exists, after the devices' init. */
int irqfd_defer(struct vm *vm, const struct kvm_irqfd *f)
{
	struct irq_routing *r = vm->irq;
	struct kvm_irqfd *p;

	pthread_mutex_lock(&r->lock);
	p = realloc(r->pending, (r->nr_pending + 1) * sizeof(*p));
	if (p) {
		pr_debug("KVM_IRQFD gsi %u: irqchip not ready, deferred", f->gsi);
		r->pending = p;
		p[r->nr_pending++] = *f;
	}
	pthread_mutex_unlock(&r->lock);
	return p ? 0 : -1;
}

int irqfd_assign(struct vm *vm, int efd, u32 gsi, int resample_fd)
{
	struct kvm_irqfd f = { .fd = efd, .gsi = gsi };

	if (resample_fd >= 0) {
		f.flags = KVM_IRQFD_FLAG_RESAMPLE;
		f.resamplefd = resample_fd;
	}
	if (!ioctl(vm->vm_fd, KVM_IRQFD, &f) ||
	    (errno == EAGAIN && !irqfd_defer(vm, &f)))
		return 0;
	pr_err("KVM_IRQFD gsi %u: %s", gsi, strerror(errno));
	return -1;
}

int irqfd_flush_pending(struct vm *vm)
{
	struct irq_routing *r = vm->irq;
	int i, ret = 0;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->nr_pending; i++) {
		if (ioctl(vm->vm_fd, KVM_IRQFD, &r->pending[i]) < 0) {
			pr_err("KVM_IRQFD gsi %u (deferred): %s",
			       r->pending[i].gsi, strerror(errno));
			ret = -1;
		}
	}
	r->nr_pending = 0;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irqfd_deassign(struct vm *vm, int efd, u32 gsi)
{
	struct kvm_irqfd f = { .fd = efd, .gsi = gsi,
			       .flags = KVM_IRQFD_FLAG_DEASSIGN };
	struct irq_routing *r = vm->irq;
	int i;

	pthread_mutex_lock(&r->lock);
	for (i = r->nr_pending - 1; i >= 0; i--)
		if (r->pending[i].fd == (u32)efd && r->pending[i].gsi == gsi)
			break;
	if (i >= 0)
		r->pending[i] = r->pending[--r->nr_pending];
	pthread_mutex_unlock(&r->lock);
	return i < 0 && ioctl(vm->vm_fd, KVM_IRQFD, &f) < 0 ? -1 : 0;
}

int irq_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid, u32 flags)
{
	return arch_signal_msi(vm, addr, data, devid);
}

LKVM_INIT(INIT_BUS, irq_routing_init, irq_routing_exit)
