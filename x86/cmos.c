/* RTC/CMOS register semantics (include/x86/cmos.h). Time registers always
 * reflect the host clock; guest writes to them are ignored. */
#include <string.h>
#include "x86/cmos.h"

#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MON		0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32
#define REG_B_24H	0x02
#define REG_B_BINARY	0x04

void cmos_reset(struct cmos *c)
{
	memset(c, 0, sizeof(*c));
	c->ram[RTC_REG_A] = 0x26;	/* 32.768 kHz, 1024 Hz, UIP clear */
	c->ram[RTC_REG_B] = REG_B_24H;
	c->ram[RTC_REG_D] = 0x80;	/* valid RAM and time */
}

static u8 encode(const struct cmos *c, int v)
{
	if (c->ram[RTC_REG_B] & REG_B_BINARY)
		return v;
	return ((v / 10) << 4) | (v % 10);
}

static u8 hour(const struct cmos *c, int h)
{
	u8 pm = 0;

	if (c->ram[RTC_REG_B] & REG_B_24H)
		return encode(c, h);
	if (h >= 12)
		pm = 0x80;
	h %= 12;
	return encode(c, h ? h : 12) | pm;
}

u8 cmos_read(struct cmos *c, const struct tm *t)
{
	switch (c->index) {
	case RTC_SEC:
		return encode(c, t->tm_sec > 59 ? 59 : t->tm_sec);
	case RTC_MIN:
		return encode(c, t->tm_min);
	case RTC_HOUR:
		return hour(c, t->tm_hour);
	case RTC_WDAY:
		return encode(c, t->tm_wday + 1);
	case RTC_MDAY:
		return encode(c, t->tm_mday);
	case RTC_MON:
		return encode(c, t->tm_mon + 1);
	case RTC_YEAR:
		return encode(c, t->tm_year % 100);
	case RTC_CENTURY:
		return encode(c, (t->tm_year + 1900) / 100);
	case RTC_REG_C:
		return 0;	/* no pending RTC interrupts */
	default:
		return c->ram[c->index];
	}
}

void cmos_write_index(struct cmos *c, u8 val)
{
	c->index = val & 0x7f;	/* bit 7 is the NMI mask */
}

void cmos_write_data(struct cmos *c, u8 val)
{
	switch (c->index) {
	case RTC_SEC: case RTC_MIN: case RTC_HOUR: case RTC_WDAY:
	case RTC_MDAY: case RTC_MON: case RTC_YEAR: case RTC_CENTURY:
	case RTC_REG_C: case RTC_REG_D:
		return;
	case RTC_REG_A:
		c->ram[RTC_REG_A] = val & 0x7f;	/* UIP is read-only */
		return;
	default:
		c->ram[c->index] = val;
	}
}
