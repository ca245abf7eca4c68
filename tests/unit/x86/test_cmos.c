/* Unit tests of the RTC/CMOS model (x86/cmos.c). */
#include "x86/cmos.h"
#include "../unit.h"

static u8 rd(struct cmos *c, u8 idx, const struct tm *t)
{
	cmos_write_index(c, idx);
	return cmos_read(c, t);
}

TEST(cmos_bcd_time)
{
	struct tm t = { .tm_sec = 59, .tm_min = 7, .tm_hour = 23,
			.tm_mday = 25, .tm_mon = 10, .tm_year = 126,
			.tm_wday = 3 };
	struct cmos c;

	cmos_reset(&c);
	EXPECT_EQ(rd(&c, 0x00, &t), 0x59);
	EXPECT_EQ(rd(&c, 0x02, &t), 0x07);
	EXPECT_EQ(rd(&c, 0x04, &t), 0x23);
	EXPECT_EQ(rd(&c, 0x07, &t), 0x25);
	EXPECT_EQ(rd(&c, 0x08, &t), 0x11);
	EXPECT_EQ(rd(&c, 0x09, &t), 0x26);
	EXPECT_EQ(rd(&c, 0x32, &t), 0x20);
	EXPECT_EQ(rd(&c, 0x0a, &t) & 0x80, 0);	/* no update in progress */
	EXPECT_EQ(rd(&c, 0x0d, &t), 0x80);
}

/* cmos_utc against libc's gmtime_r: the epoch, leap days of 2000 (a leap
 * century) and 2100 (not one), 2038's 32-bit rollover, the last second of a
 * year, and a day-stepped sweep over 1970..2200 with an odd second count. */
TEST(cmos_utc_matches_gmtime)
{
	static const long long fixed[] = {
		0, 59, 86399, 86400, 951782400, 951868799, 951868800,
		4107542400LL, 4107628800LL, 2147483647LL, 2147483648LL,
		1798761599LL, 1798761600LL,
	};
	long long t;
	struct tm a, b;
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(fixed) + 84000; i++) {
		t = i < ARRAY_SIZE(fixed) ? fixed[i] :
		    (long long)(i - ARRAY_SIZE(fixed)) * 86400 + 3661 * (i % 24);
		time_t tt = t;

		cmos_utc(tt, &a);
		gmtime_r(&tt, &b);
		bad += a.tm_sec != b.tm_sec || a.tm_min != b.tm_min ||
		       a.tm_hour != b.tm_hour || a.tm_mday != b.tm_mday ||
		       a.tm_mon != b.tm_mon || a.tm_year != b.tm_year ||
		       a.tm_wday != b.tm_wday;
	}
	EXPECT_EQ(bad, 0);
}

TEST(cmos_binary_and_12h_modes)
{
	struct tm t = { .tm_hour = 13, .tm_min = 45 };
	struct cmos c;

	cmos_reset(&c);
	cmos_write_index(&c, 0x0b);
	cmos_write_data(&c, 0x04);	/* binary, 12h */
	EXPECT_EQ(rd(&c, 0x02, &t), 45);
	EXPECT_EQ(rd(&c, 0x04, &t), 0x80 | 1);
}

TEST(cmos_ram_and_nmi_bit)
{
	struct tm t = { 0 };
	struct cmos c;

	cmos_reset(&c);
	cmos_write_index(&c, 0x80 | 0x40);	/* NMI mask bit set */
	cmos_write_data(&c, 0xab);
	EXPECT_EQ(rd(&c, 0x40, &t), 0xab);
	cmos_write_index(&c, 0x00);
	cmos_write_data(&c, 0x12);		/* time writes ignored */
	EXPECT_EQ(rd(&c, 0x00, &t), 0x00);
}
