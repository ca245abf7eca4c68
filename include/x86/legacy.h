/* The PC platform ports of x86/legacy.c: their per-VM state (in x86_vm) and
 * the 0xcf9 reset register, which shares its dword with the PCI conf1
 * address port. */
#ifndef LKVM_X86_LEGACY_H
#define LKVM_X86_LEGACY_H

#include "kvm/vm.h"
#include "x86/cmos.h"

struct legacy {
	struct vm *vm;
	pthread_mutex_t lock;
	struct cmos cmos;
	u16 pm1_sts, pm1_en, pm1_cnt;
	bool sci;		/* the SCI line's level */
};

/* A one-byte access to port 0xcf9 (X86_PORT_RESET): reads 0, a write with
 * RST_CPU (bit 2) set reboots the VM. */
void x86_reset_port_io(struct vm *vm, u8 *data, bool is_write);

#endif
