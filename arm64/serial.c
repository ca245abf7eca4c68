/* The console UART on arm64: the 16550A (kvm/serial.c) on an MMIO page at
 * ARM64_UART with byte-wide registers, raising GIC SPI ARM64_UART_SPI; the
 * device tree names it in stdout-path, so earlycon finds it. */
#include "arm64/layout.h"
#include "kvm/serial.h"
#include "kvm/vm.h"

static int uart0_init(struct vm *vm)
{
	return serial_console_init(vm, &vm->mmio, ARM64_UART, ARM64_UART_SIZE,
				   ARM64_UART_SPI);
}

LKVM_INIT(INIT_DEVICE, uart0_init, serial_console_exit)
