/* Unit tests of the host terminal (kvm/term.c): stdin reaches the console
 * device as read, EOF ends polling, raw mode on a terminal is restored, and
 * the Ctrl-A escape (x quits, Ctrl-A Ctrl-A sends one) only on a terminal. */
#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include "kvm/term.h"
#include "unit.h"

static u8 got[256];
static size_t got_len;

static void collect(void *opaque, const u8 *buf, size_t len)
{
	EXPECT(opaque == got);
	if (got_len + len <= sizeof(got)) {
		memcpy(got + got_len, buf, len);
		got_len += len;
	}
}

/* Puts fd on stdin (or stdout); returns the saved original. */
static int swap_fd(int fd, int target)
{
	int saved;

	fflush(stdout);
	saved = dup(target);
	dup2(fd, target);
	return saved;
}

static void unswap_fd(int saved, int target)
{
	dup2(saved, target);
	close(saved);
}

TEST(term_pipe_input_reaches_device_until_eof)
{
	int p[2], in;

	ASSERT_EQ(pipe(p), 0);
	in = swap_fd(p[0], STDIN_FILENO);
	term_set_input(collect, got);
	got_len = 0;
	/* not a terminal: Ctrl-A x is data, not the quit escape */
	EXPECT_EQ(write(p[1], "ab\001x", 4), 4);
	EXPECT_EQ(term_read_input(), 0);
	EXPECT_EQ(got_len, 4);
	EXPECT(!memcmp(got, "ab\001x", 4));
	close(p[1]);
	EXPECT_EQ(term_read_input(), -1);
	term_set_input(NULL, NULL);
	unswap_fd(in, STDIN_FILENO);
	close(p[0]);
}

TEST(term_input_without_device_is_dropped)
{
	int p[2], in;

	ASSERT_EQ(pipe(p), 0);
	in = swap_fd(p[0], STDIN_FILENO);
	term_set_input(NULL, NULL);
	got_len = 0;
	EXPECT_EQ(write(p[1], "zz", 2), 2);
	EXPECT_EQ(term_read_input(), 0);
	EXPECT_EQ(got_len, 0);
	unswap_fd(in, STDIN_FILENO);
	close(p[0]);
	close(p[1]);
}

TEST(term_write_reaches_stdout)
{
	u8 buf[3000], back[3000];
	size_t i, n = 0;
	ssize_t r;
	int p[2], out;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 13);
	ASSERT_EQ(pipe(p), 0);
	out = swap_fd(p[1], STDOUT_FILENO);
	term_write(buf, sizeof(buf));
	unswap_fd(out, STDOUT_FILENO);
	close(p[1]);
	while (n < sizeof(back) && (r = read(p[0], back + n, sizeof(back) - n)) > 0)
		n += r;
	close(p[0]);
	EXPECT_EQ(n, sizeof(buf));
	EXPECT(!memcmp(back, buf, sizeof(buf)));
}

/* Types s on the terminal's master side and reads it as lkvm does until
 * want bytes reached the device (at least one read; none waits over 2 s);
 * returns term_read_input()'s last result, -2 when nothing came. */
static int type(int master, const char *s, size_t want)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	int r = -2;

	got_len = 0;
	if (write(master, s, strlen(s)) != (ssize_t)strlen(s))
		return -2;
	do {
		if (poll(&p, 1, 2000) != 1)
			return -2;
		r = term_read_input();
	} while (!r && got_len < want);
	return r;
}

TEST(term_raw_mode_and_escape_on_a_terminal)
{
	struct termios t;
	int m, s, in;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT(m >= 0);
	ASSERT(!grantpt(m) && !unlockpt(m));
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	ASSERT(s >= 0);
	in = swap_fd(s, STDIN_FILENO);
	term_set_input(collect, got);
	term_init();
	ASSERT_EQ(tcgetattr(STDIN_FILENO, &t), 0);
	EXPECT(!(t.c_lflag & (ICANON | ECHO | ISIG)));
	EXPECT(t.c_oflag & OPOST);	/* output newlines still become CRLF */

	EXPECT_EQ(type(m, "hi", 2), 0);
	EXPECT_EQ(got_len, 2);
	EXPECT(!memcmp(got, "hi", 2));
	EXPECT_EQ(type(m, "\001\001", 1), 0);	/* Ctrl-A Ctrl-A: one Ctrl-A */
	EXPECT_EQ(got_len, 1);
	EXPECT_EQ(got[0], 1);
	EXPECT_EQ(type(m, "a\001b", 3), 0);	/* Ctrl-A other: both */
	EXPECT_EQ(got_len, 3);
	EXPECT(!memcmp(got, "a\001b", 3));
	EXPECT_EQ(type(m, "\001", 0), 0);	/* escape split across reads */
	EXPECT_EQ(got_len, 0);
	EXPECT_EQ(type(m, "x", 1), 1);		/* Ctrl-A x: quit */
	EXPECT_EQ(got_len, 0);

	term_restore();
	ASSERT_EQ(tcgetattr(STDIN_FILENO, &t), 0);
	EXPECT(t.c_lflag & ICANON);
	EXPECT(t.c_lflag & ECHO);
	term_set_input(NULL, NULL);
	unswap_fd(in, STDIN_FILENO);
	close(s);
	close(m);
}
