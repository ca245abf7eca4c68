/* Unit tests of I/O range dispatch (kvm/iobus.c): ranges routed by
 * address, overlaps refused, accesses straddling a range's end unclaimed. */
#include "kvm/iobus.h"
#include "unit.h"

static u64 last_off;
static int calls;

static void h(void *o, u64 off, u8 *d, u32 len, bool wr)
{
	last_off = off;
	calls++;
	if (!wr)
		d[0] = (u8)(unsigned long)o;
}

TEST(iobus_routes_by_range)
{
	struct iobus b;
	u8 d[4];

	iobus_init(&b, "t");
	EXPECT_EQ(iobus_register(&b, 0x100, 8, h, (void *)1), 0);
	EXPECT_EQ(iobus_register(&b, 0x10, 4, h, (void *)2), 0);
	EXPECT_EQ(iobus_register(&b, 0x104, 8, h, NULL), -1);	/* overlap */
	EXPECT_EQ(iobus_register(&b, 0xf0, 0x11, h, NULL), -1);	/* overlap */
	EXPECT_EQ(iobus_register(&b, 0x0, 0, h, NULL), -1);
	EXPECT(iobus_dispatch(&b, 0x105, d, 1, false));
	EXPECT_EQ(d[0], 1);
	EXPECT_EQ(last_off, 5);
	EXPECT(iobus_dispatch(&b, 0x12, d, 2, false));
	EXPECT_EQ(d[0], 2);
	/* straddling the end of a range is not claimed */
	EXPECT(!iobus_dispatch(&b, 0x107, d, 2, false));
	EXPECT_EQ(d[0], 0xff);
	EXPECT(!iobus_dispatch(&b, 0x50, d, 4, false));
	EXPECT_EQ(b.unhandled, 2);
	EXPECT_EQ(iobus_unregister(&b, 0x100), 0);
	EXPECT_EQ(iobus_unregister(&b, 0x100), -1);
	EXPECT(!iobus_dispatch(&b, 0x105, d, 1, true));
	EXPECT_EQ(iobus_register(&b, 0x104, 8, h, NULL), 0);
	iobus_destroy(&b);
}

TEST(iobus_many_ranges_stay_sorted)
{
	struct iobus b;
	u8 d[1];
	int i;

	iobus_init(&b, "t");
	for (i = 99; i >= 0; i--)
		ASSERT_EQ(iobus_register(&b, i * 0x10, 0x10, h,
					 (void *)(unsigned long)i), 0);
	for (i = 0; i < 100; i++) {
		ASSERT(iobus_dispatch(&b, i * 0x10 + 3, d, 1, false));
		EXPECT_EQ(d[0], i);
	}
	iobus_destroy(&b);
}
