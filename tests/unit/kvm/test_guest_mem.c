/* Unit tests of guest RAM bounds checks (kvm/guest_mem.c): slots may not
 * overlap, guest_ptr() only returns spans wholly inside one slot; the write
 * log of migrations. */
#include "kvm/guest_mem.h"
#include "unit.h"

TEST(guest_mem_bounds)
{
	static u8 lo[0x1000], hi[0x1000];
	struct guest_mem m = { 0 };

	EXPECT_EQ(guest_mem_add(&m, 0, sizeof(lo), lo), 0);
	EXPECT_EQ(guest_mem_add(&m, 0x100000000ULL, sizeof(hi), hi), 0);
	EXPECT_EQ(guest_mem_add(&m, 0x800, 0x1000, hi), -1);
	EXPECT(guest_ptr(&m, 0, 0x1000) == lo);
	EXPECT(guest_ptr(&m, 0xfff, 1) == lo + 0xfff);
	EXPECT(guest_ptr(&m, 0xfff, 2) == NULL);
	EXPECT(guest_ptr(&m, 0x1000, 1) == NULL);
	EXPECT(guest_ptr(&m, 0x100000010ULL, 16) == hi + 16);
	EXPECT(guest_ptr(&m, ~0ULL, 2) == NULL);
	EXPECT(guest_ptr(&m, 0x10, ~0ULL) == NULL);
}

/* The write log of migrations: marks land on the pages of the region the
 * pointer is in (a span crossing pages marks each, clipped at the region's
 * end), pointers outside guest RAM and marks while logging is off are
 * ignored, and take ORs the marks out and clears them. */
TEST(guest_mem_write_log)
{
	static u8 a[8 * 4096], b[4 * 4096], other[64];
	struct guest_mem m = { 0 };
	u64 bits[2] = { 0 };

	EXPECT_EQ(guest_mem_add(&m, 0, sizeof(a), a), 0);
	EXPECT_EQ(guest_mem_add(&m, 0x100000, sizeof(b), b), 0);
	guest_mem_mark(&m, a + 4096, 8);		/* no log yet */
	ASSERT_EQ(guest_mem_log_start(&m, 4096), 0);
	EXPECT_EQ(guest_mem_log_take(&m, 0, bits, 1), 0);
	guest_mem_mark(&m, a + 4095, 2);		/* pages 0 and 1 */
	guest_mem_mark(&m, a + 6 * 4096 + 10, 4096);	/* 6 and 7 */
	guest_mem_mark(&m, b + 3 * 4096, 3 * 4096);	/* 3, clipped */
	guest_mem_mark(&m, other, sizeof(other));	/* not guest RAM */
	guest_mem_mark(&m, a, 0);			/* nothing */
	EXPECT_EQ(guest_mem_log_take(&m, 0, bits, 1), 4);
	EXPECT_EQ(bits[0], 0xc3);
	EXPECT_EQ(guest_mem_log_take(&m, 1, &bits[1], 1), 1);
	EXPECT_EQ(bits[1], 0x8);
	EXPECT_EQ(guest_mem_log_take(&m, 0, bits, 1), 0);	/* cleared */
	guest_mem_log_stop(&m);
	guest_mem_mark(&m, a, 1);
	bits[0] = 0;
	EXPECT_EQ(guest_mem_log_take(&m, 0, bits, 1), 0);
	EXPECT_EQ(guest_mem_log_start(&m, 4096), 0);	/* again: clean */
	EXPECT_EQ(guest_mem_log_take(&m, 0, bits, 1), 0);
	guest_mem_log_free(&m);
	EXPECT(!m.ulog[0] && !m.ulog[1] && !m.logging);
}
