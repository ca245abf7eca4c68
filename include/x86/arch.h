/* x86_64 machine state kept beside struct vm: memory layout, how the boot
 * vCPU starts (bzImage or PVH 32-bit entry, real-mode flat binary) and the CPUID
 * table KVM supports. */
#ifndef LKVM_X86_ARCH_H
#define LKVM_X86_ARCH_H

#include <linux/kvm.h>
#include "kvm/vm.h"
#include "x86/layout.h"
#include "x86/legacy.h"

struct x86_vm {
	struct x86_mem_layout layout;
	bool flat;		/* raw binary: real mode at 0x1000:0 */
	bool pvh;		/* ELF vmlinux: PVH entry, EBX = X86_PVH_INFO */
	u64 entry;		/* bzImage/PVH: protected-mode entry */
	struct kvm_cpuid2 *cpuid;
	u32 conf1_addr;		/* PCI CONFIG_ADDRESS (x86/pci.c) */
	struct legacy legacy;	/* PC platform ports (x86/legacy.c) */
};

static inline struct x86_vm *x86_vm(struct vm *vm)
{
	return vm->arch;
}

#endif
