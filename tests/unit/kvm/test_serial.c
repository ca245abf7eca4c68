/* Unit tests of the console serial port (kvm/serial.c) on a VM without KVM:
 * guest THR writes reach stdout a line (or a pause) at a time, host input
 * reaches RBR only when the serial port is the console, registers beyond
 * the 8 read as zero, exit unplugs. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "kvm/config.h"
#include "kvm/serial.h"
#include "kvm/term.h"
#include "fake_vm.h"
#include "unit.h"

#define BASE	0x3f8
#define LSR	5
#define LSR_DR	0x01
#define LSR_THRE 0x20

static u8 rd(struct iobus *b, u64 addr)
{
	u8 v = 0xaa;

	EXPECT(iobus_dispatch(b, addr, &v, 1, false));
	return v;
}

static void wr(struct iobus *b, u64 addr, u8 v)
{
	EXPECT(iobus_dispatch(b, addr, &v, 1, true));
}

/* Feeds s to lkvm's stdin reader as if typed on the host. */
static void host_types(const char *s)
{
	int p[2], in;

	if (pipe(p))
		return;
	in = dup(STDIN_FILENO);
	dup2(p[0], STDIN_FILENO);
	EXPECT_EQ(write(p[1], s, strlen(s)), (ssize_t)strlen(s));
	EXPECT_EQ(term_read_input(), 0);
	dup2(in, STDIN_FILENO);
	close(in);
	close(p[0]);
	close(p[1]);
}

/* stdout into a pipe whose read end does not block: what the guest's
 * output has reached the terminal so far. */
struct capture {
	int rd, saved;
};

static void capture_start(struct capture *c)
{
	int p[2];

	c->rd = c->saved = -1;
	if (pipe(p))
		return;
	fflush(stdout);
	c->saved = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	c->rd = p[0];
}

/* Bytes written so far (NUL-terminated), 0 when none. */
static ssize_t captured(struct capture *c, char *buf, size_t len)
{
	ssize_t n = read(c->rd, buf, len - 1);

	if (n < 0)
		n = 0;
	buf[n] = 0;
	return n;
}

static void capture_end(struct capture *c)
{
	dup2(c->saved, STDOUT_FILENO);
	close(c->saved);
	close(c->rd);
}

/* The 8250 console's way: an LSR read before each THR write. */
static void guest_prints(struct iobus *b, const char *s)
{
	while (*s) {
		EXPECT(rd(b, BASE + LSR) & LSR_THRE);
		wr(b, BASE, (u8)*s++);
	}
}

TEST(serial_output_reaches_stdout_a_line_at_a_time)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL };
	struct capture c;
	struct vm vm;
	char back[64];

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(serial_console_init(&vm, &vm.pio, BASE, 8, 4), 0);
	capture_start(&c);
	guest_prints(&vm.pio, "ok");
	EXPECT_EQ(captured(&c, back, sizeof(back)), 0);	/* held */
	guest_prints(&vm.pio, " line\nnext");
	EXPECT_EQ(captured(&c, back, sizeof(back)), 8);
	EXPECT_STR(back, "ok line\n");
	/* the final LSR wait, then the console's IER restore: a pause */
	EXPECT(rd(&vm.pio, BASE + LSR) & LSR_THRE);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 0);
	wr(&vm.pio, BASE + 1, 0);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 4);
	EXPECT_STR(back, "next");
	/* a guest polling LSR for input shows its prompt */
	guest_prints(&vm.pio, "login: ");
	EXPECT(!(rd(&vm.pio, BASE + LSR) & LSR_DR));
	EXPECT_EQ(captured(&c, back, sizeof(back)), 0);
	EXPECT(!(rd(&vm.pio, BASE + LSR) & LSR_DR));
	EXPECT_EQ(captured(&c, back, sizeof(back)), 7);
	EXPECT_STR(back, "login: ");
	/* what is held when the VM ends is written */
	wr(&vm.pio, BASE, '!');
	serial_console_exit(&vm);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 1);
	EXPECT_STR(back, "!");
	capture_end(&c);
	EXPECT(!iobus_dispatch(&vm.pio, BASE, (u8[1]){ 0 }, 1, false));
	fake_vm_fini(&vm);
}

TEST(serial_output_burst_without_newline_goes_out_when_buffer_fills)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL };
	struct capture c;
	struct vm vm;
	char back[1024];
	int i;

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(serial_console_init(&vm, &vm.pio, BASE, 8, 4), 0);
	capture_start(&c);
	/* THR writes in a row, as the tty's interrupt handler sends them */
	for (i = 0; i < 511; i++)
		wr(&vm.pio, BASE, 'a' + i % 26);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 0);
	wr(&vm.pio, BASE, 'z');
	EXPECT_EQ(captured(&c, back, sizeof(back)), 512);
	EXPECT_EQ(back[0], 'a');
	EXPECT_EQ(back[511], 'z');
	/* divisor latch writes are not output, and flush what is held */
	wr(&vm.pio, BASE, 'x');
	wr(&vm.pio, BASE + 3, 0x83);
	wr(&vm.pio, BASE, 0x01);
	wr(&vm.pio, BASE + 3, 0x03);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 1);
	EXPECT_STR(back, "x");
	serial_console_exit(&vm);
	EXPECT_EQ(captured(&c, back, sizeof(back)), 0);
	capture_end(&c);
	fake_vm_fini(&vm);
}

TEST(serial_input_reaches_rbr)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL };
	struct vm vm;

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(serial_console_init(&vm, &vm.pio, BASE, 8, 4), 0);
	EXPECT(!(rd(&vm.pio, BASE + LSR) & LSR_DR));
	host_types("hi");
	EXPECT(rd(&vm.pio, BASE + LSR) & LSR_DR);
	EXPECT_EQ(rd(&vm.pio, BASE), 'h');
	EXPECT_EQ(rd(&vm.pio, BASE), 'i');
	EXPECT(!(rd(&vm.pio, BASE + LSR) & LSR_DR));
	serial_console_exit(&vm);
	/* after exit, host input goes nowhere (and does not crash) */
	host_types("x");
	fake_vm_fini(&vm);
}

TEST(serial_not_the_console_gets_no_input)
{
	struct lkvm_config cfg = { .console = CONSOLE_VIRTIO };
	struct vm vm;

	fake_vm_init(&vm, &cfg, false);
	term_set_input(NULL, NULL);
	ASSERT_EQ(serial_console_init(&vm, &vm.pio, BASE, 8, 4), 0);
	host_types("no");
	EXPECT(!(rd(&vm.pio, BASE + LSR) & LSR_DR));
	serial_console_exit(&vm);
	fake_vm_fini(&vm);
}

TEST(serial_mmio_page_beyond_registers_reads_zero)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL };
	struct vm vm;
	u8 d[4];

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(serial_console_init(&vm, &vm.mmio, 0x9000000, 0x1000, 1), 0);
	EXPECT_EQ(rd(&vm.mmio, 0x9000000 + 0x100), 0);
	memset(d, 0xaa, sizeof(d));
	ASSERT(iobus_dispatch(&vm.mmio, 0x9000000 + 5, d, 4, false));
	EXPECT(d[0] & LSR_THRE);	/* LSR */
	EXPECT_EQ(d[3], 0);		/* offset 8: no register */
	/* a second range over the same page is refused */
	EXPECT_EQ(serial_console_init(&vm, &vm.mmio, 0x9000000, 0x1000, 1), -1);
	serial_console_exit(&vm);
	fake_vm_fini(&vm);
}
