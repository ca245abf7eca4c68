/* COM1: the console UART (kvm/serial.c) at port 0x3f8 on ISA IRQ 4. */
#include "kvm/serial.h"
#include "kvm/vm.h"

#define COM1_PORT	0x3f8
#define COM1_IRQ	4

static int com1_init(struct vm *vm)
{
	return serial_console_init(vm, &vm->pio, COM1_PORT, 8, COM1_IRQ);
}

LKVM_INIT(INIT_DEVICE, com1_init, serial_console_exit)
