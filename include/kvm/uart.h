/* 16550A UART model: register semantics and interrupt state, independent of
 * KVM so it can be unit-tested; x86/serial.c wires it to port 0x3f8 and
 * arm64/serial.c to an MMIO window. */
#ifndef LKVM_KVM_UART_H
#define LKVM_KVM_UART_H

#include "lkvm/util.h"

#define UART_RX_BUF	4096

struct uart {
	u8 ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thre_pending;	/* THR-empty interrupt not yet acknowledged */
	u8 rx[UART_RX_BUF];
	u32 rx_head, rx_count;
	bool rx_break;		/* a break is in the FIFO, rx_break_at bytes */
	u32 rx_break_at;	/* from its head (not saved: transient) */
	/* output sink and interrupt line, set by the owner */
	void (*tx)(void *opaque, u8 byte);
	void *opaque;
};

void uart_reset(struct uart *u);
u8 uart_read(struct uart *u, u8 reg);
void uart_write(struct uart *u, u8 reg, u8 val);
/* Queues host input; returns how many bytes fit. */
size_t uart_receive(struct uart *u, const u8 *buf, size_t len);
/* Queues a break condition (its NUL byte, with LSR BI while it is at
 * the head of the FIFO) and then key: Linux's serial SysRq. 0, or -1 if
 * the FIFO has no room for both or a break is queued already. */
int uart_receive_break(struct uart *u, u8 key);
/* Level the interrupt line should have now (gated by MCR OUT2). */
bool uart_irq_level(const struct uart *u);

#endif
