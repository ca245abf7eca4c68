/* RTC/CMOS register semantics (include/x86/cmos.h). Time registers always
 * reflect the host clock; guest writes to them are ignored. cmos_utc splits
 * that clock into fields without libc's gmtime_r, which reads the time zone
 * file on first use. */
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

/* Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year
 * eras of 146097 days from 0000-03-01 so that leap days end each year. */
void cmos_utc(time_t t, struct tm *tm)
{
	long long days = t / 86400, secs = t % 86400, z, era, doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	memset(tm, 0, sizeof(*tm));
	tm->tm_sec = secs % 60;
	tm->tm_min = secs / 60 % 60;
	tm->tm_hour = secs / 3600;
	tm->tm_wday = ((days + 4) % 7 + 7) % 7;	/* 1970-01-01: Thursday */
	z = days + 719468;			/* days since 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;		/* March = 0 */
	tm->tm_mday = doy - (153 * mp + 2) / 5 + 1;
	tm->tm_mon = mp < 10 ? mp + 2 : mp - 10;
	tm->tm_year = yoe + era * 400 + (mp >= 10) - 1900;
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
