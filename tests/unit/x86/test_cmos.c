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
