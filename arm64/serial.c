/* The console UART on arm64: the 16550A (kvm/serial.c) on an MMIO page at
 * ARM64_UART with byte-wide registers, raising GIC SPI ARM64_UART_SPI (the
 * device tree's stdout-path, for earlycon); and the --debug-exit page. */
#include "arm64/layout.h"
#include "kvm/serial.h"
#include "kvm/vm.h"

static int uart0_init(struct vm *vm)
{
	if (vm->cfg->debug_exit &&
	    iobus_register(&vm->mmio, ARM64_DEBUG_EXIT, ARM64_DEBUG_EXIT_SIZE,
			   vm_debug_exit_io, vm))
		return -1;
	return serial_console_init(vm, &vm->mmio, ARM64_UART, ARM64_UART_SIZE,
				   ARM64_UART_SPI);
}

LKVM_INIT(INIT_DEVICE, uart0_init, serial_console_exit)
