/* Unit tests of guest RAM bounds checks (kvm/guest_mem.c): slots may not
 * overlap, guest_ptr() only returns spans wholly inside one slot. */
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
