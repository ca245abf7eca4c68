/* arm64 platform setup: the vGIC of the chosen flavour (--irqchip, else the
 * best the host's KVM offers) and guest RAM as one block at 2 GiB, its size
 * a multiple of the host page size (getpagesize()). */
#include <stdlib.h>
#include <unistd.h>
#include "arm64/arch.h"
#include "kvm/irq.h"

const struct vm_cap arch_required_caps[] = { { 0 } };

static int arm64_platform_init(struct vm *vm)
{
	struct arm64_vm *a;
	char err[256];
	int t;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->gic.fd = a->gic.its_fd = -1;
	vm->arch = a;
	t = gic_choose(vm->cfg->irqchip, gic_probe(vm), vm->nr_cpus, err,
		       sizeof(err));
	if (t < 0) {
		pr_err("%s", err);
		return -1;
	}
	return gic_create(&a->gic, vm, t);
}

static void arm64_platform_exit(struct vm *vm)
{
	if (!vm->arch)
		return;
	gic_destroy(&arm64_vm(vm)->gic, vm);
	free(vm->arch);
	vm->arch = NULL;
}

LKVM_INIT(INIT_ARCH, arm64_platform_init, arm64_platform_exit)

int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *e)
{
	return gic_msi_route(arm64_vm(vm)->gic.type, gsi, addr, data,
			     (u16)devid, e);
}

int arch_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid)
{
	return gic_signal_msi(&arm64_vm(vm)->gic, vm, addr, data, devid);
}

static int arm64_memory_init(struct vm *vm)
{
	u64 page = getpagesize();
	u64 size = vm->cfg->ram_mib * SZ_1M;

	if (vm->cfg->ram_mib < 32) {
		pr_err("-m %llu is too small: give at least 32 MiB",
		       (unsigned long long)vm->cfg->ram_mib);
		return -1;
	}
	if (size > ARM64_RAM_MAX) {
		pr_err("-m %llu MiB is more than the %llu MiB of RAM the arm64 "
		       "memory map has room for", (unsigned long long)vm->cfg->ram_mib,
		       (unsigned long long)(ARM64_RAM_MAX / SZ_1M));
		return -1;
	}
	if (!IS_ALIGNED(size, page)) {
		pr_err("-m %llu MiB is not a multiple of the %llu KiB host page",
		       (unsigned long long)vm->cfg->ram_mib,
		       (unsigned long long)(page / 1024));
		return -1;
	}
	if (vm_alloc_ram(vm, size) || vm_add_ram(vm, ARM64_RAM_BASE, size, 0))
		return -1;
	pr_debug("RAM: 0x%llx-0x%llx, host page %llu KiB",
		 (unsigned long long)ARM64_RAM_BASE,
		 (unsigned long long)(ARM64_RAM_BASE + size),
		 (unsigned long long)(page / 1024));
	return 0;
}

LKVM_INIT(INIT_MEMORY, arm64_memory_init, NULL)
