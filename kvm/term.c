/* Host terminal handling for the guest console (include/kvm/term.h). */
#include <errno.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include "kvm/term.h"

#define ESCAPE_CHAR 0x01	/* Ctrl-A */

static struct termios saved;
static bool raw_active;
static bool escape_pending;
static term_input_fn input_fn;
static void *input_opaque;

void term_set_input(term_input_fn fn, void *opaque)
{
	input_fn = fn;
	input_opaque = opaque;
}

void term_restore(void)
{
	if (!raw_active)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	raw_active = false;
}

void term_init(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	t = saved;
	cfmakeraw(&t);
	t.c_oflag |= OPOST | ONLCR;	/* keep host-side newline handling */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return;
	raw_active = true;
	atexit(term_restore);
}

/* Filters the Ctrl-A escape out of buf in place; returns new length or
 * -1 when the user typed Ctrl-A x. */
static ssize_t filter_escape(u8 *buf, size_t len)
{
	size_t i, out = 0;

	for (i = 0; i < len; i++) {
		if (escape_pending) {
			escape_pending = false;
			if (buf[i] == 'x')
				return -1;
			if (buf[i] != ESCAPE_CHAR)
				buf[out++] = ESCAPE_CHAR;
			buf[out++] = buf[i];
			continue;
		}
		if (raw_active && buf[i] == ESCAPE_CHAR) {
			escape_pending = true;
			continue;
		}
		buf[out++] = buf[i];
	}
	return out;
}

int term_read_input(void)
{
	u8 buf[256];
	ssize_t n;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	n = filter_escape(buf, n);
	if (n < 0)
		return 1;
	if (n && input_fn)
		input_fn(input_opaque, buf, n);
	return 0;
}

void term_write(const u8 *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}
