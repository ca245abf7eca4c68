/* Unit tests of the 16550A model (kvm/uart.c): what Linux's 8250 driver
 * relies on for probing, output and interrupts. */
#include "kvm/uart.h"
#include "unit.h"

static u8 sent[64];
static int nsent;

static void tx(void *o, u8 b)
{
	if (nsent < (int)sizeof(sent))
		sent[nsent++] = b;
}

static void setup(struct uart *u)
{
	uart_reset(u);
	u->tx = tx;
	nsent = 0;
}

TEST(uart_transmit_and_lsr)
{
	struct uart u;

	setup(&u);
	EXPECT_EQ(uart_read(&u, 5) & 0x60, 0x60);	/* THRE | TEMT */
	uart_write(&u, 0, 'h');
	uart_write(&u, 0, 'i');
	EXPECT_EQ(nsent, 2);
	EXPECT_EQ(sent[0], 'h');
	EXPECT_EQ(sent[1], 'i');
}

TEST(uart_divisor_latch_and_scratch)
{
	struct uart u;

	setup(&u);
	uart_write(&u, 3, 0x83);	/* DLAB, 8N1 */
	uart_write(&u, 0, 0x01);
	uart_write(&u, 1, 0x00);
	EXPECT_EQ(uart_read(&u, 0), 0x01);
	EXPECT_EQ(nsent, 0);		/* DLL write is not data */
	uart_write(&u, 3, 0x03);
	uart_write(&u, 7, 0x5a);
	EXPECT_EQ(uart_read(&u, 7), 0x5a);
}

TEST(uart_loopback_as_8250_probe_expects)
{
	struct uart u;

	setup(&u);
	uart_write(&u, 4, 0x10 | 0x0a);	/* LOOP | RTS | OUT2 */
	EXPECT_EQ(uart_read(&u, 6) & 0xf0, 0x90);	/* CTS | DCD */
	uart_write(&u, 4, 0x1f);
	EXPECT_EQ(uart_read(&u, 6) & 0xf0, 0xf0);
	uart_write(&u, 0, 'x');
	EXPECT_EQ(nsent, 0);
	EXPECT(uart_read(&u, 5) & 1);
	EXPECT_EQ(uart_read(&u, 0), 'x');
	EXPECT_EQ(uart_read(&u, 5) & 1, 0);
}

TEST(uart_fifo_identifies_as_16550a)
{
	struct uart u;

	setup(&u);
	EXPECT_EQ(uart_read(&u, 2) & 0xc0, 0);
	uart_write(&u, 2, 0x07);
	EXPECT_EQ(uart_read(&u, 2) & 0xc0, 0xc0);
}

TEST(uart_thre_interrupt_acked_by_iir_read)
{
	struct uart u;

	setup(&u);
	uart_write(&u, 4, 0x08);	/* OUT2 gates the line */
	EXPECT(!uart_irq_level(&u));
	uart_write(&u, 1, 0x02);	/* enable THRI while THR empty */
	EXPECT(uart_irq_level(&u));
	EXPECT_EQ(uart_read(&u, 2) & 0x0f, 0x02);
	EXPECT(!uart_irq_level(&u));
	EXPECT_EQ(uart_read(&u, 2) & 0x0f, 0x01);
	uart_write(&u, 0, 'a');		/* THR empties again: new interrupt */
	EXPECT(uart_irq_level(&u));
}

TEST(uart_rx_interrupt_and_out2_gate)
{
	struct uart u;

	setup(&u);
	uart_write(&u, 1, 0x01);
	EXPECT_EQ(uart_receive(&u, (const u8 *)"ab", 2), 2);
	EXPECT(!uart_irq_level(&u));	/* OUT2 clear: line held low */
	uart_write(&u, 4, 0x08);
	EXPECT(uart_irq_level(&u));
	EXPECT_EQ(uart_read(&u, 2) & 0x0f, 0x04);
	EXPECT_EQ(uart_read(&u, 0), 'a');
	EXPECT_EQ(uart_read(&u, 0), 'b');
	EXPECT(!uart_irq_level(&u));
	EXPECT_EQ(uart_read(&u, 0), 0);	/* empty FIFO reads 0, no crash */
}

TEST(uart_rx_overflow_is_bounded)
{
	static u8 big[UART_RX_BUF + 100];
	struct uart u;

	setup(&u);
	EXPECT_EQ(uart_receive(&u, big, sizeof(big)), UART_RX_BUF);
	EXPECT_EQ(uart_receive(&u, big, 1), 0);
	uart_write(&u, 2, 0x03);	/* FIFO clear */
	EXPECT_EQ(uart_read(&u, 5) & 1, 0);
}

/* SysRq on the serial console: LSR shows BI with the break's NUL byte at
 * the head of the FIFO (after the input already queued), not with the key
 * that follows; a second break waits for the first to be read. */
TEST(uart_break_then_key)
{
	struct uart u;

	setup(&u);
	uart_write(&u, 1, 0x01);	/* IER: RX data */
	uart_write(&u, 4, 0x08);	/* MCR: OUT2 */
	EXPECT_EQ(uart_receive(&u, (const u8 *)"a", 1), 1);
	EXPECT(!uart_receive_break(&u, 'h'));
	EXPECT_EQ(uart_receive_break(&u, 'x'), -1);
	EXPECT(uart_irq_level(&u));
	EXPECT_EQ(uart_read(&u, 5) & 0x11, 0x01);	/* DR, no BI */
	EXPECT_EQ(uart_read(&u, 0), 'a');
	EXPECT_EQ(uart_read(&u, 5) & 0x11, 0x11);	/* DR | BI */
	EXPECT_EQ(uart_read(&u, 0), 0);
	EXPECT_EQ(uart_read(&u, 5) & 0x11, 0x01);
	EXPECT_EQ(uart_read(&u, 0), 'h');
	EXPECT_EQ(uart_read(&u, 5) & 0x11, 0x00);
	EXPECT(!uart_receive_break(&u, 'x'));
	uart_write(&u, 2, 0x03);	/* FCR: clear RX drops the break too */
	EXPECT_EQ(uart_read(&u, 5) & 0x11, 0x00);
	EXPECT(!uart_receive_break(&u, 'y'));
}
