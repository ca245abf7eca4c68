/* kvm/migdirty.c: the dirty-log mode from KVM's answer, bitmaps merged
 * with the pages counted, and KVM_CLEAR_DIRTY_LOG requests covering
 * exactly the non-zero words, 64-aligned, clamped at the slot's end and
 * split at the largest request. */
#include "unit.h"
#include "kvm/migrate.h"

TEST(migdirty_manual_arg)
{
	EXPECT_EQ(mig_manual_protect_arg(0), 0);	/* no such cap */
	EXPECT_EQ(mig_manual_protect_arg(-1), 0);
	EXPECT_EQ(mig_manual_protect_arg(KVM_DIRTY_LOG_INITIALLY_SET), 0);
	EXPECT_EQ(mig_manual_protect_arg(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
					 KVM_DIRTY_LOG_INITIALLY_SET),
		  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);	/* never INITIALLY_SET */
	EXPECT_EQ(mig_manual_protect_arg(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE),
		  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
}

TEST(migdirty_merge)
{
	u64 acc[3] = { 0x1, 0, 0x8000000000000000ull };
	u64 bits[3] = { 0x3, 0xf0, 0x8000000000000000ull };

	EXPECT_EQ(mig_merge_dirty(acc, bits, 3), 2 + 4 + 1);
	EXPECT_EQ(acc[0], 0x3);
	EXPECT_EQ(acc[1], 0xf0);
	EXPECT_EQ(acc[2], 0x8000000000000000ull);
	EXPECT_EQ(mig_merge_dirty(acc, bits, 0), 0);
}

TEST(migdirty_clear_runs)
{
	/* 300 pages: words 0..4, the last one holds pages 256..299 */
	u64 bits[5] = { 0x1, 0x2, 0, 0, 0x800000000ull };
	struct kvm_clear_dirty_log c = { .slot = 7 };
	u64 next = 0;

	ASSERT(mig_clear_next(bits, 300, MIG_CLEAR_MAX_PAGES, &next, &c));
	EXPECT_EQ(c.slot, 7);
	EXPECT_EQ(c.first_page, 0);
	EXPECT_EQ(c.num_pages, 128);
	EXPECT(c.dirty_bitmap == (void *)&bits[0]);
	EXPECT_EQ(next, 128);
	ASSERT(mig_clear_next(bits, 300, MIG_CLEAR_MAX_PAGES, &next, &c));
	EXPECT_EQ(c.first_page, 256);
	EXPECT_EQ(c.num_pages, 44);		/* ends the slot */
	EXPECT(c.dirty_bitmap == (void *)&bits[4]);
	EXPECT_EQ(next, 300);
	EXPECT(!mig_clear_next(bits, 300, MIG_CLEAR_MAX_PAGES, &next, &c));
	EXPECT_EQ(next, 300);
	EXPECT(!mig_clear_next(bits, 300, MIG_CLEAR_MAX_PAGES, &next, &c));
}

TEST(migdirty_clear_none_and_split)
{
	u64 zero[2] = { 0, 0 }, all[4] = { ~0ull, ~0ull, ~0ull, ~0ull };
	struct kvm_clear_dirty_log c = { 0 };
	u64 next = 0, pages = 0;
	int n = 0;

	EXPECT(!mig_clear_next(zero, 128, MIG_CLEAR_MAX_PAGES, &next, &c));
	next = 0;
	while (mig_clear_next(all, 256, 128, &next, &c)) {	/* 2 words each */
		EXPECT_EQ(c.first_page, pages);
		EXPECT_EQ(c.first_page % 64, 0);
		EXPECT_EQ(c.num_pages, 128);
		pages += c.num_pages;
		n++;
	}
	EXPECT_EQ(n, 2);
	EXPECT_EQ(pages, 256);
	next = 0;
	EXPECT(mig_clear_next(all, 256, 10, &next, &c));	/* one word at least */
	EXPECT_EQ(c.num_pages, 64);
}
