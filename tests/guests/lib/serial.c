/* Serial console of the test guests: polled 16550 at COM1 and a small
 * printf; a spinlock keeps each call's output whole across CPUs. */
#include "guest.h"

#define COM1		0x3f8
#define UART_LSR	5
#define LSR_THRE	0x20

static volatile int print_lock;

void serial_putc(char c)
{
	int spin;

	/* Bounded: a missing UART must not hang the guest. */
	for (spin = 0; spin < 100000; spin++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1, (u8)c);
}

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		while (print_lock)
			cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void puts(const char *s)
{
	lock();
	while (*s)
		serial_putc(*s++);
	serial_putc('\n');
	unlock();
}

static int put_num(u64 v, unsigned int base, int width, char pad, int neg)
{
	char buf[24];
	int n = 0, out = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0') {
		serial_putc('-');
		out++;
	}
	for (; width > n; width--, out++)
		serial_putc(pad);
	if (neg && pad != '0') {
		serial_putc('-');
		out++;
	}
	while (n--) {
		serial_putc(buf[n]);
		out++;
	}
	return out;
}

int vprintf(const char *fmt, va_list ap)
{
	int out = 0;

	lock();
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		u64 u;
		int64_t s;
		const char *str;

		if (*fmt != '%') {
			serial_putc(*fmt);
			out++;
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			serial_putc((char)va_arg(ap, int));
			out++;
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (; *str; str++, out++)
				serial_putc(*str);
			break;
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			out += put_num(s < 0 ? -(u64)s : (u64)s, 10, width,
				       pad, s < 0);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, u64) : va_arg(ap, unsigned int);
			out += put_num(u, *fmt == 'u' ? 10 : 16, width, pad, 0);
			break;
		case 'p':
			serial_putc('0');
			serial_putc('x');
			out += 2 + put_num((u64)va_arg(ap, void *), 16, width,
					   pad, 0);
			break;
		case '%':
			serial_putc('%');
			out++;
			break;
		case '\0':
			fmt--;
			break;
		default:
			serial_putc('%');
			serial_putc(*fmt);
			out += 2;
			break;
		}
	}
	unlock();
	return out;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
