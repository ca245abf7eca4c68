/* Unit tests of the console serial port (kvm/serial.c) on a VM without KVM:
 * guest THR writes reach stdout, host input reaches RBR only when the serial
 * port is the console, registers beyond the 8 read as zero, exit unplugs. */
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

TEST(serial_output_reaches_stdout)
{
	struct lkvm_config cfg = { .console = CONSOLE_SERIAL };
	struct vm vm;
	char back[8] = { 0 };
	int p[2], out;

	fake_vm_init(&vm, &cfg, false);
	ASSERT_EQ(serial_console_init(&vm, &vm.pio, BASE, 8, 4), 0);
	EXPECT(rd(&vm.pio, BASE + LSR) & LSR_THRE);
	ASSERT_EQ(pipe(p), 0);
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	wr(&vm.pio, BASE, 'o');
	wr(&vm.pio, BASE, 'k');
	dup2(out, STDOUT_FILENO);
	close(out);
	close(p[1]);
	EXPECT_EQ(read(p[0], back, sizeof(back)), 2);
	EXPECT_STR(back, "ok");
	close(p[0]);
	serial_console_exit(&vm);
	EXPECT(!iobus_dispatch(&vm.pio, BASE, (u8[1]){ 0 }, 1, false));
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
