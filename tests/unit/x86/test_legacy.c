/* Unit tests of x86/legacy.c's state description: the CMOS and the ACPI
 * PM1 registers a snapshot keeps, saved and loaded back. */
#include <string.h>
#include "kvm/state.h"
#include "x86/legacy.h"
#include "unit.h"

TEST(legacy_state_round_trip)
{
	const struct state_desc *d = state_find("x86-legacy");
	struct legacy a = { 0 }, b = { 0 };
	u8 buf[sizeof(a)];
	char err[96];

	ASSERT(d);
	EXPECT_EQ(state_check(d, err, sizeof(err)), 0);
	memset(&a.cmos, 0x5a, sizeof(a.cmos));
	a.pm1_en = 0x0100;
	a.pm1_cnt = 0x2001;
	ASSERT(state_size(d, &a, 1) <= sizeof(buf));
	state_save(d, &a, buf);
	EXPECT_EQ(state_load(d, &b, 1, buf, state_size(d, &a, 1)), 0);
	EXPECT(!memcmp(&a.cmos, &b.cmos, sizeof(a.cmos)));
	EXPECT_EQ(b.pm1_en, 0x0100);
	EXPECT_EQ(b.pm1_cnt, 0x2001);
	EXPECT(!b.vm);	/* pointers are not state */
}
