/* x86 platform setup: in-kernel irqchip (PIC, IOAPIC, LAPIC) and PIT, the
 * TSS and identity-map pages KVM needs, and guest RAM split around the
 * 32-bit PCI hole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "x86/arch.h"

const struct vm_cap arch_required_caps[] = {
	VM_CAP(KVM_CAP_EXT_CPUID), VM_CAP(KVM_CAP_SET_TSS_ADDR),
	VM_CAP(KVM_CAP_SET_IDENTITY_MAP_ADDR), VM_CAP(KVM_CAP_PIT2), { 0 }
};
const char *const *const arch_irqchips;	/* --irqchip is arm64's */

/* ioctl req on the VM fd; an error is printed under the request's name. */
#define VM_IOCTL(vm, req, arg)	vm_ioctl(vm, req, (unsigned long)(arg), #req)
static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg,
		    const char *name)
{
	if (ioctl(vm->vm_fd, req, arg) >= 0)
		return 0;
	pr_err("%s: %s", name, strerror(errno));
	return -1;
}

static int x86_platform_init(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	u64 idmap = X86_IDENTITY_MAP;

	vm->arch = calloc(1, sizeof(struct x86_vm));
	if (!vm->arch || VM_IOCTL(vm, KVM_SET_TSS_ADDR, X86_TSS_ADDR) ||
	    VM_IOCTL(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) ||
	    VM_IOCTL(vm, KVM_CREATE_IRQCHIP, 0) ||
	    VM_IOCTL(vm, KVM_CREATE_PIT2, &pit))
		return -1;
	return 0;
}

static void x86_platform_exit(struct vm *vm)
{
	struct x86_vm *x = vm->arch;

	if (x)
		free(x->cpuid);
	free(x);
	vm->arch = NULL;
}

LKVM_INIT(INIT_ARCH, x86_platform_init, x86_platform_exit)

static int x86_memory_init(struct vm *vm)
{
	struct x86_mem_layout *l = &x86_vm(vm)->layout;

	x86_mem_layout(vm->cfg->ram_mib * SZ_1M, l);
	if (vm->cfg->ram_mib < 8) {
		pr_err("-m %llu is too small: give at least 8 MiB",
		       (unsigned long long)vm->cfg->ram_mib);
		return -1;
	}
	if (vm_alloc_ram(vm, l->ram_size))
		return -1;
	if (vm_add_ram(vm, 0, l->low_size, 0))
		return -1;
	if (l->high_size && vm_add_ram(vm, SZ_4G, l->high_size, l->low_size))
		return -1;
	pr_debug("RAM: 0x0-0x%llx, high 0x%llx bytes at 4 GiB",
		 (unsigned long long)l->low_size,
		 (unsigned long long)l->high_size);
	return 0;
}

LKVM_INIT(INIT_MEMORY, x86_memory_init, NULL)
