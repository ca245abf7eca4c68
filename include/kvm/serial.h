/* The console serial port: the 16550A model (kvm/uart.c) on a port-I/O or
 * MMIO range with an interrupt line, its output on the host's stdout and
 * host keystrokes into its receive FIFO. Each architecture places it. */
#ifndef LKVM_KVM_SERIAL_H
#define LKVM_KVM_SERIAL_H

#include "kvm/iobus.h"

struct vm;

/* Registers the console UART at [base, base + size) on bus, raising irq
 * (a GSI for vm_irq_line). Returns 0 or -1. */
int serial_console_init(struct vm *vm, struct iobus *bus, u64 base, u64 size,
			u32 irq);
void serial_console_exit(struct vm *vm);
/* A break and then key into the console UART (Linux's serial SysRq). 0,
 * or -1 with the reason in err: no console UART, its FIFO is full. */
int serial_console_sysrq(struct vm *vm, char key, char *err, size_t errlen);

#endif
