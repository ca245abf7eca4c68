/* Unit tests of kvm/guest_log.c: the burst, the tally at powers of ten
 * and the quiet counting in between. */
#include "kvm/guest_log.h"
#include "unit.h"

TEST(guest_log_burst_then_powers_of_ten)
{
	u64 c = 0, printed = 0, i;
	enum guest_log_verdict v;

	for (i = 1; i <= 100000; i++) {
		v = guest_log_count(&c);
		if (i < GUEST_LOG_BURST)
			EXPECT_EQ(v, GUEST_LOG_PRINT);
		else if (i == GUEST_LOG_BURST)
			EXPECT_EQ(v, GUEST_LOG_LAST);
		if (v != GUEST_LOG_QUIET)
			printed++;
	}
	EXPECT_EQ(c, 100000);
	/* 20 of the burst, then 100, 1000, 10000, 100000 */
	EXPECT_EQ(printed, GUEST_LOG_BURST + 4);
	c = 999;
	EXPECT_EQ(guest_log_count(&c), GUEST_LOG_TALLY);
	EXPECT_EQ(guest_log_count(&c), GUEST_LOG_QUIET);
}
