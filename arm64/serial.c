/* The console UART on arm64: the 16550A model (kvm/uart.c) on an MMIO page
 * at ARM64_UART with byte-wide registers, raising GIC SPI ARM64_UART_SPI;
 * the device tree names it in stdout-path, so earlycon finds it. */
#include <pthread.h>
#include <string.h>
#include "arm64/layout.h"
#include "kvm/term.h"
#include "kvm/uart.h"
#include "kvm/vm.h"

struct serial_dev {
	struct uart uart;
	struct vm *vm;
	pthread_mutex_t lock;
	bool line;
};

static struct serial_dev uart0;

/* Called with the lock held after every state change. */
static void update_irq(struct serial_dev *s)
{
	bool level = uart_irq_level(&s->uart);

	if (level == s->line)
		return;
	s->line = level;
	vm_irq_line(s->vm, ARM64_UART_SPI, level);
}

static void serial_tx(void *opaque, u8 byte)
{
	term_write(&byte, 1);
}

static void serial_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct serial_dev *s = opaque;
	u32 i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < len; i++) {
		if (off + i >= 8) {
			if (!wr)
				data[i] = 0;
			continue;
		}
		if (wr)
			uart_write(&s->uart, off + i, data[i]);
		else
			data[i] = uart_read(&s->uart, off + i);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial_input(void *opaque, const u8 *buf, size_t len)
{
	struct serial_dev *s = opaque;

	pthread_mutex_lock(&s->lock);
	uart_receive(&s->uart, buf, len);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static int serial_init(struct vm *vm)
{
	struct serial_dev *s = &uart0;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->vm = vm;
	uart_reset(&s->uart);
	s->uart.tx = serial_tx;
	s->uart.opaque = s;
	if (iobus_register(&vm->mmio, ARM64_UART, ARM64_UART_SIZE, serial_io, s))
		return -1;
	if (vm->cfg->console == CONSOLE_SERIAL)
		term_set_input(serial_input, s);
	return 0;
}

static void serial_exit(struct vm *vm)
{
	term_set_input(NULL, NULL);
	iobus_unregister(&vm->mmio, ARM64_UART);
}

LKVM_INIT(INIT_DEVICE, serial_init, serial_exit)
