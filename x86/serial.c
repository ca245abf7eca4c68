/* COM1: the 16550A model at port 0x3f8 on ISA IRQ 4, its output to the
 * host's stdout and host keystrokes into its receive FIFO. */
#include <pthread.h>
#include <string.h>
#include "kvm/term.h"
#include "kvm/vm.h"
#include "kvm/uart.h"

#define COM1_PORT	0x3f8
#define COM1_IRQ	4

struct serial_dev {
	struct uart uart;
	struct vm *vm;
	pthread_mutex_t lock;
	bool line;
};

static struct serial_dev com1;

/* Called with the lock held after every state change. */
static void update_irq(struct serial_dev *s)
{
	bool level = uart_irq_level(&s->uart);

	if (level == s->line)
		return;
	s->line = level;
	vm_irq_line(s->vm, COM1_IRQ, level);
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
	for (i = 0; i < len && off + i < 8; i++) {
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
	struct serial_dev *s = &com1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->vm = vm;
	uart_reset(&s->uart);
	s->uart.tx = serial_tx;
	s->uart.opaque = s;
	if (iobus_register(&vm->pio, COM1_PORT, 8, serial_io, s))
		return -1;
	if (vm->cfg->console == CONSOLE_SERIAL)
		term_set_input(serial_input, s);
	return 0;
}

static void serial_exit(struct vm *vm)
{
	term_set_input(NULL, NULL);
	iobus_unregister(&vm->pio, COM1_PORT);
}

LKVM_INIT(INIT_DEVICE, serial_init, serial_exit)
