/* Unit tests of subscriber events (kvm/ctl_events.c): the ring keeps the
 * newest CTL_EV_RING events and counts the lost, a long line is cut and
 * still ends its line, and a subscriber's buffer refuses what would put it
 * over its bound (it is then dropped), keeping what it had. */
#include <stdio.h>
#include <stdlib.h>
#include "kvm/ctl_events.h"
#include "unit.h"

TEST(ctl_events_ring)
{
	static struct ctl_events e;
	char line[CTL_EV_LINE], big[CTL_EV_LINE * 2];
	int i;

	ASSERT(!ctl_events_init(&e));
	EXPECT_EQ(ctl_events_take(&e, line), 0);
	for (i = 0; i < CTL_EV_RING + 3; i++) {
		snprintf(line, sizeof(line), "{\"n\": %d}\n", i);
		ctl_events_post(&e, line);
	}
	EXPECT_EQ(e.lost, 3);
	for (i = 3; i < CTL_EV_RING + 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "{\"n\": %d}\n", i);
		EXPECT(ctl_events_take(&e, line) == strlen(want));
		EXPECT_STR(line, want);
	}
	EXPECT_EQ(ctl_events_take(&e, line), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ctl_events_post(&e, big);
	EXPECT_EQ(ctl_events_take(&e, line), CTL_EV_LINE - 1);
	EXPECT_EQ(line[CTL_EV_LINE - 2], '\n');
	ctl_events_destroy(&e);
}

TEST(ctl_buf_bound)
{
	struct ctl_buf b = { 0 };

	EXPECT(!ctl_buf_append(&b, "abcdef", 6, 10));
	EXPECT(ctl_buf_append(&b, "12345", 5, 10));	/* 11 > 10 */
	EXPECT_EQ(b.len, 6);
	b.off = 4;		/* 4 bytes were sent */
	EXPECT(!ctl_buf_append(&b, "12345", 5, 10));
	EXPECT_EQ(b.off, 0);
	EXPECT_STR(b.p, "ef12345");
	ctl_buf_free(&b);
	EXPECT(!b.p && !b.len);
}
