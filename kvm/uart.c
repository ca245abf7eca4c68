/* 16550A register model (include/kvm/uart.h): FIFO control, divisor
 * latch, loopback, and the RX-data / THR-empty interrupt sources as Linux's
 * 8250 driver expects them. */
#include <string.h>
#include "kvm/state.h"
#include "kvm/uart.h"

STATE_DESC(uart_state_desc, "uart-16550a", struct uart, 1,
	   STATE_FIELD(struct uart, ier, 1), STATE_FIELD(struct uart, fcr, 1),
	   STATE_FIELD(struct uart, lcr, 1), STATE_FIELD(struct uart, mcr, 1),
	   STATE_FIELD(struct uart, scr, 1), STATE_FIELD(struct uart, dll, 1),
	   STATE_FIELD(struct uart, dlm, 1),
	   STATE_FIELD(struct uart, thre_pending, 1),
	   STATE_FIELD(struct uart, rx, 1), STATE_FIELD(struct uart, rx_head, 1),
	   STATE_FIELD(struct uart, rx_count, 1))

#define REG_DATA	0
#define REG_IER		1
#define REG_IIR_FCR	2
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define MCR_OUT2	0x08
#define LSR_DR		0x01
#define LSR_BI		0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

void uart_reset(struct uart *u)
{
	u->ier = u->fcr = u->lcr = u->mcr = u->scr = 0;
	u->dll = 12;	/* 9600 baud */
	u->dlm = 0;
	u->thre_pending = false;
	u->rx_head = u->rx_count = 0;
	u->rx_break = false;
}

static void rx_push(struct uart *u, u8 b)
{
	if (u->rx_count == UART_RX_BUF)
		return;
	u->rx[(u->rx_head + u->rx_count) % UART_RX_BUF] = b;
	u->rx_count++;
}

static u8 rx_pop(struct uart *u)
{
	u8 b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	if (u->rx_break && !u->rx_break_at--)
		u->rx_break = false;
	u->rx_head = (u->rx_head + 1) % UART_RX_BUF;
	u->rx_count--;
	return b;
}

static u8 iir(const struct uart *u)
{
	u8 fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

bool uart_irq_level(const struct uart *u)
{
	return (u->mcr & MCR_OUT2) && !(iir(u) & IIR_NO_INT);
}

static u8 msr(const struct uart *u)
{
	u8 m = u->mcr;

	if (!(u->mcr & MCR_LOOP))
		return 0xb0;	/* DCD, DSR, CTS */
	/* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
	return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) |
	       ((m & 0x08) << 4);
}

u8 uart_read(struct uart *u, u8 reg)
{
	u8 v;

	switch (reg) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_pop(u);
	case REG_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thre_pending = false;	/* reading IIR acks THRE */
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) |
		       (u->rx_break && !u->rx_break_at ? LSR_BI : 0);
	case REG_MSR:
		return msr(u);
	default:
		return u->scr;
	}
}

static void write_data(struct uart *u, u8 val)
{
	if (u->lcr & LCR_DLAB) {
		u->dll = val;
		return;
	}
	if (u->mcr & MCR_LOOP)
		rx_push(u, val);
	else if (u->tx)
		u->tx(u->opaque, val);
	u->thre_pending = true;	/* sent at once: THR is empty again */
}

void uart_write(struct uart *u, u8 reg, u8 val)
{
	switch (reg) {
	case REG_DATA:
		write_data(u, val);
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		break;
	case REG_IIR_FCR:
		if (val & FCR_CLEAR_RX) {
			u->rx_head = u->rx_count = 0;
			u->rx_break = false;
		}
		u->fcr = val & 0xc9;
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_SCR:
		u->scr = val;
		break;
	default:
		break;	/* LSR and MSR are read-only */
	}
}

size_t uart_receive(struct uart *u, const u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && u->rx_count < UART_RX_BUF; i++)
		rx_push(u, buf[i]);
	return i;
}

int uart_receive_break(struct uart *u, u8 key)
{
	if (u->rx_break || u->rx_count + 2 > UART_RX_BUF)
		return -1;
	u->rx_break = true;
	u->rx_break_at = u->rx_count;
	rx_push(u, 0);
	rx_push(u, key);
	return 0;
}
