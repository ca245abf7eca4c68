/* kvm/state.c: descriptions are checked, saved and loaded by version; every
 * device type registered in the binary has a well-formed description. */
#include "unit.h"
#include "kvm/state.h"

struct demo {
	u32 a;
	u8 pad[4];
	u64 b;
	u16 c[3];
	u32 nr;
	u32 *tbl;		/* nr entries */
};

static u32 demo_tbl_len(const void *obj)
{
	return ((const struct demo *)obj)->nr * 4;
}

STATE_DESC(demo_desc, "test-demo", struct demo, 2,
	   STATE_FIELD(struct demo, a, 1),
	   STATE_FIELD(struct demo, b, 1),
	   STATE_FIELD(struct demo, c, 2),
	   STATE_TABLE(struct demo, tbl, demo_tbl_len, 2))

TEST(state_roundtrip_current_version)
{
	u32 t_in[2] = { 0xaabbccdd, 5 }, t_out[2] = { 0 };
	struct demo in = { .a = 7, .b = 1ULL << 40, .c = { 1, 2, 3 }, .nr = 2,
			   .tbl = t_in };
	struct demo out = { .nr = 2, .tbl = t_out };
	u8 buf[64];

	ASSERT_EQ(state_size(&demo_desc, &in, 2), 4 + 8 + 6 + 8);
	state_save(&demo_desc, &in, buf);
	ASSERT_EQ(state_load(&demo_desc, &out, 2, buf, 26), 0);
	EXPECT_EQ(out.a, 7);
	EXPECT_EQ(out.b, 1ULL << 40);
	EXPECT_EQ(out.c[2], 3);
	EXPECT_EQ(t_out[0], 0xaabbccdd);
	EXPECT_EQ(t_out[1], 5);
	EXPECT(out.tbl == t_out);
}

TEST(state_load_refuses_a_table_sized_differently)
{
	u32 t_in[2] = { 1, 2 }, t_out[3] = { 0 };
	struct demo in = { .nr = 2, .tbl = t_in }, out = { .nr = 3, .tbl = t_out };
	u8 buf[64];

	state_save(&demo_desc, &in, buf);
	EXPECT_EQ(state_load(&demo_desc, &out, 2, buf, 26), -1);
	EXPECT_EQ(t_out[0], 0);
}

TEST(state_load_older_version_keeps_new_fields)
{
	struct demo out = { .c = { 9, 9, 9 } };
	u8 buf[12] = { 5, 0, 0, 0, 6 };

	ASSERT_EQ(state_size(&demo_desc, &out, 1), 12);
	ASSERT_EQ(state_load(&demo_desc, &out, 1, buf, 12), 0);
	EXPECT_EQ(out.a, 5);
	EXPECT_EQ(out.b, 6);
	EXPECT_EQ(out.c[0], 9);
}

TEST(state_load_refuses_wrong_length_or_future_version)
{
	struct demo out = { .a = 1 };
	u8 buf[32] = { 0 };

	EXPECT_EQ(state_load(&demo_desc, &out, 2, buf, 17), -1);
	EXPECT_EQ(state_load(&demo_desc, &out, 3, buf, 18), -1);
	EXPECT_EQ(out.a, 1);
	EXPECT_EQ(state_load(&demo_desc, &out, 2, buf, 18), 0);	/* nr 0: no table */
	EXPECT_EQ(out.a, 0);
}

static const char *check_fields(const struct state_field *f, u32 nr, u16 ver)
{
	static char err[128];
	struct state_desc d = { "bad", ver, sizeof(struct demo), f, nr, NULL };

	err[0] = 0;
	return state_check(&d, err, sizeof(err)) ? err : NULL;
}

TEST(state_check_finds_defects)
{
	const struct state_field overlap[] = { { "a", 0, 8, 1, NULL }, { "b", 4, 4, 1, NULL } };
	const struct state_field outside[] = { { "a", 40, 8, 1, NULL } };
	const struct state_field twice[] = { { "a", 0, 4, 1, NULL }, { "a", 8, 8, 1, NULL } };
	const struct state_field future[] = { { "a", 0, 4, 3, NULL } };
	const struct state_field good[] = { { "a", 0, 4, 1, NULL }, { "b", 8, 8, 2, NULL } };

	EXPECT_CONTAINS(check_fields(overlap, 2, 1), "bad.b: overlaps");
	EXPECT_CONTAINS(check_fields(outside, 1, 1), "bad.a: overlaps or outside");
	EXPECT_CONTAINS(check_fields(twice, 2, 1), "bad.a: twice");
	EXPECT_CONTAINS(check_fields(future, 1, 2), "since 3, version 2");
	EXPECT_CONTAINS(check_fields(good, 1, 0), "no name or version");
	EXPECT(!check_fields(good, 0, 1));	/* nothing beyond a shared part */
	EXPECT(!check_fields(good, 2, 2));
}

TEST(state_every_registered_description_is_well_formed)
{
	const struct state_desc *d, *e;
	char err[128];

	for (d = state_first(); d; d = d->next) {
		if (!EXPECT_EQ(state_check(d, err, sizeof(err)), 0))
			EXPECT_STR(err, "");
		for (e = d->next; e; e = e->next)
			EXPECT(strcmp(d->name, e->name));
	}
	EXPECT(state_find("test-demo") == &demo_desc);
	EXPECT(!state_find("no-such-device"));
}

/* Every device type that holds guest-visible state describes it. */
TEST(state_every_device_type_has_a_description)
{
	static const char *const want[] = {
		"pci-config", "msix", "msi", "uart-16550a", "virtio-pci",
		"vfio-pci-config", "virtio-blk", "virtio-net", "virtio-console",
		"virtio-rng", "pci-testdev",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		if (!EXPECT(state_find(want[i])))
			EXPECT_STR(want[i], "(described)");
}

struct counted {
	u32 nr;
	u32 *tbl;		/* nr entries */
};

static u32 counted_len(const void *obj)
{
	return ((const struct counted *)obj)->nr * 4;
}

STATE_DESC(counted_desc, "test-counted", struct counted, 1,
	   STATE_FIELD(struct counted, nr, 1),
	   STATE_TABLE(struct counted, tbl, counted_len, 1))

/* The table's length comes from the count being loaded: a record whose
 * count says more (or fewer) entries than the device has is refused, and
 * nothing is read past the record or written past the table. */
TEST(state_load_count_in_the_record_must_match_the_table)
{
	u32 t[2] = { 0 }, big[101] = { 100 };
	struct counted c = { .nr = 2, .tbl = t };
	u8 rec[12] = { 100 };	/* nr 100, then room for two entries only */

	EXPECT_EQ(state_load(&counted_desc, &c, 1, rec, sizeof(rec)), -1);
	EXPECT_EQ(c.nr, 2);
	EXPECT_EQ(state_load(&counted_desc, &c, 1, (const u8 *)big,
			     sizeof(big)), -1);	/* consistent, but 100 != 2 */
	EXPECT_EQ(t[0], 0);
	rec[0] = 2;
	rec[4] = 7;
	EXPECT_EQ(state_load(&counted_desc, &c, 1, rec, sizeof(rec)), 0);
	EXPECT_EQ(t[0], 7);
}
