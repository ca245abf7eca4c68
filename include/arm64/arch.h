/* arm64 machine state kept beside struct vm: the GIC flavour and its KVM
 * devices, where the boot vCPU starts (kernel entry, DTB address), and the
 * power key. */
#ifndef LKVM_ARM64_ARCH_H
#define LKVM_ARM64_ARCH_H

#include "arm64/gic.h"
#include "arm64/layout.h"
#include "arm64/pl061.h"
#include "kvm/vm.h"

struct arm64_vm {
	struct gic gic;
	u64 entry;		/* PC of the boot vCPU */
	u64 dtb;		/* X0 of the boot vCPU */
	struct power_key key;	/* arm64/power_key.c */
};

struct pci_windows;
/* The PCI windows of the memory map (arm64/pci.c). */
void arm64_pci_windows(struct pci_windows *w);

static inline struct arm64_vm *arm64_vm(struct vm *vm)
{
	return vm->arch;
}

#endif
