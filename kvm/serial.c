/* The console serial port (include/kvm/serial.h): one 16550A behind a lock,
 * its interrupt line driven on every state change, its output written to
 * the terminal a line (or a pause in the guest's writing) at a time. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "kvm/guest_log.h"
#include "kvm/serial.h"
#include "kvm/snapshot.h"
#include "kvm/state.h"
#include "kvm/term.h"
#include "kvm/uart.h"
#include "kvm/vm.h"

/* A guest writes its console a byte per exit (an LSR read, a THR write);
 * one write(2) per byte cost a syscall and woke the reader of a pipe each
 * time. Output waits here until a newline, a full buffer or a pause. */
#define TX_BATCH	512
#define REG_THR		0
#define REG_LSR		5
#define LCR_DLAB	0x80

struct serial_dev {
	struct uart uart;
	u8 tx[TX_BATCH];
	u32 tx_len;
	bool lsr_polled;	/* LSR read since the last THR write */
	struct vm *vm;
	struct iobus *bus;
	u64 base;
	u32 irq;
	pthread_mutex_t lock;
	bool line;
};

/* Called with the lock held after every state change. */
static void update_irq(struct serial_dev *s)
{
	bool level = uart_irq_level(&s->uart);

	if (level == s->line)
		return;
	s->line = level;
	vm_irq_line(s->vm, s->irq, level);
}

static void tx_flush(struct serial_dev *s)
{
	if (!s->tx_len)
		return;
	term_write(s->tx, s->tx_len);
	s->tx_len = 0;
}

static void serial_tx(void *opaque, u8 byte)
{
	struct serial_dev *s = opaque;

	s->tx[s->tx_len++] = byte;
	if (byte == '\n' || s->tx_len == sizeof(s->tx))
		tx_flush(s);
}

/* Output in progress is an LSR read before each THR write (8250 console,
 * earlycon) or THR writes in a row (an interrupt-driven burst). Anything
 * else is a pause, held output goes out: a second LSR read in a row (a
 * wait for input, the final wait for TEMT), IER (the console's restore,
 * the tty's stop_tx), IIR, any other register. */
static void tx_note_access(struct serial_dev *s, u64 reg, bool wr)
{
	if (wr && reg == REG_THR && !(s->uart.lcr & LCR_DLAB)) {
		s->lsr_polled = false;
		return;
	}
	if (!wr && reg == REG_LSR && !s->lsr_polled) {
		s->lsr_polled = true;
		return;
	}
	tx_flush(s);
}

/* Registers are bytes 0-7; wider ranges (an MMIO page) read as zero. */
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
		tx_note_access(s, off + i, wr);
		if (wr)
			uart_write(&s->uart, off + i, data[i]);
		else
			data[i] = uart_read(&s->uart, off + i);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

/* The main loop delivers keystrokes; it must never wait long on a port a
 * vCPU holds (blocked writing to a stalled terminal), or it could not
 * take a stop request. Input that cannot be delivered soon is dropped. */
#define INPUT_WAIT_MS	100

static void serial_input(void *opaque, const u8 *buf, size_t len)
{
	struct serial_dev *s = opaque;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += INPUT_WAIT_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_mutex_timedlock(&s->lock, &ts)) {
		pr_guest(s->vm, "serial: the guest's port is busy; %zu bytes "
			 "of input dropped", len);
		return;
	}
	uart_receive(&s->uart, buf, len);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

int serial_console_sysrq(struct vm *vm, char key, char *err, size_t errlen)
{
	struct serial_dev *s = vm->serial;
	int r;

	struct timespec ts;

	if (!s)
		return set_err(err, errlen, "this VM has no console UART");
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec++;
	if (pthread_mutex_timedlock(&s->lock, &ts))
		return set_err(err, errlen, "the console UART is busy (a vCPU "
			       "holds it for over a second); try again");
	r = uart_receive_break(&s->uart, (u8)key);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	if (r)
		return set_err(err, errlen, "the console UART's input FIFO is "
			       "full (the guest does not read it); try again");
	return 0;
}

int serial_console_init(struct vm *vm, struct iobus *bus, u64 base, u64 size,
			u32 irq)
{
	struct serial_dev *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	s->vm = vm;
	s->bus = bus;
	s->base = base;
	s->irq = irq;
	uart_reset(&s->uart);
	s->uart.tx = serial_tx;
	s->uart.opaque = s;
	if (iobus_register(bus, base, size, serial_io, s)) {
		free(s);
		return -1;
	}
	vm->serial = s;
	if (vm->cfg->console == CONSOLE_SERIAL)
		term_set_input(serial_input, s);
	return 0;
}

void serial_console_exit(struct vm *vm)
{
	struct serial_dev *s = vm->serial;

	term_set_input(NULL, NULL);
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	tx_flush(s);
	pthread_mutex_unlock(&s->lock);
	iobus_unregister(s->bus, s->base);
	free(s);
	vm->serial = NULL;
}

/* ---- snapshots: the UART registers and FIFO, and the line level ---- */

extern struct state_desc uart_state_desc;

static int serial_snap_save(struct vm *vm, struct sbuf *b, char *err,
			    size_t errlen)
{
	struct serial_dev *s = vm->serial;
	size_t h;

	if (!s)
		return 0;
	h = snap_sec_begin(b, "serial", 0, 1);
	pthread_mutex_lock(&s->lock);
	sb_state(b, &uart_state_desc, &s->uart);
	sb_u8(b, s->line);
	pthread_mutex_unlock(&s->lock);
	snap_sec_end(b, h);
	return 0;
}

static int serial_snap_load(struct vm *vm, const struct snap_sec *sec,
			    char *err, size_t errlen)
{
	struct serial_dev *s = vm->serial;
	struct sreader r;
	char why[160];
	int ret = -1;

	if (!s)
		return set_err(err, errlen, "serial: the snapshot has a console "
			       "port, this VM none");
	sr_init(&r, sec->data, sec->len);
	pthread_mutex_lock(&s->lock);
	if (sr_state(&r, &uart_state_desc, &s->uart, why, sizeof(why))) {
		set_err(err, errlen, "serial: %s", why);
		goto out;
	}
	sr_u8(&r);	/* the line follows the registers: driven below */
	s->line = !uart_irq_level(&s->uart);
	if (!sr_done(&r)) {
		set_err(err, errlen, "serial: the record has the wrong length");
		goto out;
	}
	update_irq(s);
	ret = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return ret;
}

SNAP_OWNER(serial_snap_owner, .type = "serial", .order = SNAP_ORDER_DEVICE,
	   .version = 1, .save = serial_snap_save, .load = serial_snap_load)
