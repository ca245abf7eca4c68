/* The PC platform ports of x86/legacy.c that other code forwards to: the
 * 0xcf9 reset register shares its dword with the PCI conf1 address port. */
#ifndef LKVM_X86_LEGACY_H
#define LKVM_X86_LEGACY_H

#include "kvm/vm.h"

/* A one-byte access to port 0xcf9 (X86_PORT_RESET): reads 0, a write with
 * RST_CPU (bit 2) set reboots the VM. */
void x86_reset_port_io(struct vm *vm, u8 *data, bool is_write);

#endif
