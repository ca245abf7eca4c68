/* Unit tests for the MSI-X/MSI model (pci/msix.c): table and PBA access
 * rules, mask/unmask/pending/function-mask sequences delivering exactly
 * once, enable transitions, eventfd range minimisation, MSI masking,
 * storage sized by the vector count, the bitmap helpers. */
#include <stdlib.h>
#include "unit.h"
#include "pci/msix.h"

static struct msix_state *new_msix(u32 nr)
{
	return msix_new(nr);
}

static bool tw32(struct msix_state *s, u32 v, u32 reg, u32 val,
		 struct msix_result *res)
{
	u8 b[4] = { (u8)val, (u8)(val >> 8), (u8)(val >> 16),
		    (u8)(val >> 24) };

	return msix_table_write(s, v * 16 + reg, b, 4, res);
}

static u32 tr32(const struct msix_state *s, u64 off)
{
	u8 b[4];

	msix_table_read(s, off, b, 4);
	return b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
}

static void mask(struct msix_state *s, u32 v, bool m, struct msix_result *r)
{
	tw32(s, v, MSIX_ENTRY_CTRL, m, r);
}

TEST(msix_init_and_table_access)
{
	struct msix_state *s = new_msix(5);
	struct msix_result r;
	u8 b[8], q[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	u64 addr;
	u32 data, v;

	EXPECT_EQ(msix_table_size(s->nr), 80);
	EXPECT_EQ(msix_pba_size(s->nr), 8);
	for (v = 0; v < 5; v++) {
		EXPECT(msix_vec_masked(s, v));
		EXPECT_EQ(tr32(s, v * 16 + 12), 1);
		EXPECT_EQ(msix_vec_state(s, v), MSIX_VEC_OFF);
	}
	EXPECT(tw32(s, 2, MSIX_ENTRY_LO, 0xfee0100f, &r));
	EXPECT_EQ(r.flags, MSIX_R_ROUTE);
	EXPECT_EQ(r.route_first, 2);
	EXPECT_EQ(r.route_count, 1);
	EXPECT_EQ(tr32(s, 2 * 16), 0xfee0100c);	/* bits 1:0 read-only */
	EXPECT(tw32(s, 2, MSIX_ENTRY_LO, 0xfee0100c, &r));
	EXPECT_EQ(r.flags, 0);				/* unchanged */
	EXPECT(tw32(s, 2, MSIX_ENTRY_CTRL, 0xfffffffe, &r));
	EXPECT_EQ(tr32(s, 2 * 16 + 12), 0);		/* reserved bits */
	EXPECT(r.flags & MSIX_R_VEC_UNMASK);
	EXPECT_EQ(r.vector, 2);

	/* 8-byte write of data + control; byte and word writes */
	EXPECT(msix_table_write(s, 3 * 16 + 8, q, 8, &r));
	EXPECT_EQ(r.flags, MSIX_R_ROUTE);	/* ctrl byte 0x05: stays masked */
	msix_route(s, 3, &addr, &data);
	EXPECT_EQ(data, 0x04030201);		/* data + control */
	EXPECT_EQ(addr, 0);
	EXPECT(msix_vec_masked(s, 3));
	EXPECT_EQ(tr32(s, 3 * 16 + 12), 1);
	EXPECT(msix_table_write(s, 4 * 16 + 4, q, 2, &r));
	msix_route(s, 4, &addr, &data);
	EXPECT_EQ(addr, 0x0201ULL << 32);
	EXPECT(msix_table_write(s, 4 * 16 + 9, q + 7, 1, &r));
	msix_route(s, 4, &addr, &data);
	EXPECT_EQ(data, 0x0800);
	/* vectors past the table route nowhere, without forming a pointer
	 * outside it (found by tests/fuzz/fuzz_msix.c; UBSan caught it) */
	msix_route(s, 53199, &addr, &data);
	EXPECT(!addr && !data);
	msix_route(s, 0xffffffffu, &addr, &data);
	EXPECT(!addr && !data);

	/* misaligned / odd sizes / out of bounds: ignored, read 0 */
	memset(b, 0xaa, sizeof(b));
	EXPECT(!msix_table_write(s, 4 * 16 + 2, q, 4, &r));
	EXPECT_EQ(r.flags, 0);
	EXPECT(!msix_table_write(s, 4 * 16 + 1, q, 3, &r));
	EXPECT(!msix_table_write(s, 80, q, 4, &r));
	EXPECT(!msix_table_write(s, 76, q, 8, &r));
	EXPECT(!msix_table_read(s, 2 * 16 + 2, b, 4));
	EXPECT_EQ(b[0] | b[1] | b[2] | b[3], 0);
	memset(b, 0xaa, sizeof(b));
	EXPECT(!msix_table_read(s, 80, b, 4));
	EXPECT_EQ(b[0] | b[3], 0);
	EXPECT(!msix_table_read(s, ~0ULL - 3, b, 4));
	EXPECT(!msix_pba_read(s, 8, b, 8));
	EXPECT_EQ(b[0] | b[7], 0);
	EXPECT(msix_pba_read(s, 0, b, 8));
	EXPECT(msix_table_read(s, 2 * 16, b, 8));
	EXPECT_EQ(b[0], 0x0c);
	free(s);
}

/* Masked then unmasked: the latched message goes out exactly once. */
TEST(msix_mask_unmask_pending_once)
{
	struct msix_state *s = new_msix(8);
	struct msix_result r;
	u8 pba[8];

	msix_set_ctrl(s, true, false, &r);
	EXPECT_EQ(r.flags, MSIX_R_ENABLE | MSIX_R_STATE); /* OFF -> MASKED */
	mask(s, 1, false, &r);
	EXPECT(r.flags & MSIX_R_STATE);
	EXPECT_EQ(msix_vec_state(s, 1), MSIX_VEC_LIVE);
	EXPECT_EQ(msix_fire(s, 1), MSIX_DELIVER);
	mask(s, 1, true, &r);
	EXPECT_EQ(r.flags, MSIX_R_VEC_MASK | MSIX_R_STATE);
	EXPECT_EQ(msix_fire(s, 1), MSIX_LATCHED);
	EXPECT_EQ(msix_fire(s, 1), MSIX_LATCHED);	/* coalesces */
	EXPECT(msix_pending(s, 1));
	EXPECT(msix_pba_read(s, 0, pba, 8));
	EXPECT_EQ(pba[0], 0x02);
	mask(s, 1, false, &r);
	EXPECT(r.flags & MSIX_R_DELIVER);
	EXPECT_EQ(r.nr_deliver, 1);
	EXPECT(msix_result_delivers(&r, 1));
	EXPECT(!msix_pending(s, 1));
	mask(s, 1, false, &r);				/* again: nothing */
	EXPECT_EQ(r.flags, 0);
	EXPECT_EQ(r.nr_deliver, 0);
	/* a masked vector never fired stays quiet when unmasked */
	mask(s, 2, false, &r);
	EXPECT(!(r.flags & MSIX_R_DELIVER));
	/* out of range */
	EXPECT_EQ(msix_fire(s, 8), MSIX_DROPPED);
	free(s);
}

TEST(msix_function_mask_once)
{
	struct msix_state *s = new_msix(130);
	struct msix_result r;
	u32 v;

	msix_set_ctrl(s, true, false, &r);
	for (v = 0; v < 130; v++)
		mask(s, v, false, &r);
	msix_set_ctrl(s, true, true, &r);
	EXPECT_EQ(r.flags, MSIX_R_FUNC_MASK | MSIX_R_STATE);
	EXPECT_EQ(msix_vec_state(s, 5), MSIX_VEC_MASKED);
	EXPECT_EQ(msix_fire(s, 1), MSIX_LATCHED);
	EXPECT_EQ(msix_fire(s, 3), MSIX_LATCHED);
	EXPECT_EQ(msix_fire(s, 129), MSIX_LATCHED);
	/* vector mask on top of the function mask: stays latched */
	mask(s, 3, true, &r);
	EXPECT(!(r.flags & MSIX_R_STATE));		/* still MASKED */
	msix_set_ctrl(s, true, false, &r);
	EXPECT(r.flags & MSIX_R_FUNC_UNMASK);
	EXPECT(r.flags & MSIX_R_DELIVER);
	EXPECT_EQ(r.nr_deliver, 2);
	EXPECT(msix_result_delivers(&r, 1));
	EXPECT(msix_result_delivers(&r, 129));
	EXPECT(!msix_result_delivers(&r, 3));
	EXPECT(msix_pending(s, 3));
	msix_set_ctrl(s, true, false, &r);
	EXPECT_EQ(r.flags, 0);
	mask(s, 3, false, &r);
	EXPECT_EQ(r.nr_deliver, 1);
	EXPECT(msix_result_delivers(&r, 3));
	free(s);
}

TEST(msix_enable_transitions)
{
	struct msix_state *s = new_msix(4);
	struct msix_result r;

	EXPECT_EQ(msix_fire(s, 0), MSIX_DROPPED);	/* disabled */
	EXPECT(!msix_pending(s, 0));
	/* enable with the function masked and every vector masked */
	msix_set_ctrl(s, true, true, &r);
	EXPECT(r.flags & MSIX_R_ENABLE);
	EXPECT(r.flags & MSIX_R_FUNC_MASK);
	EXPECT(r.flags & MSIX_R_STATE);
	EXPECT_EQ(msix_vec_state(s, 0), MSIX_VEC_MASKED);
	EXPECT_EQ(msix_fire(s, 2), MSIX_LATCHED);
	msix_set_ctrl(s, false, false, &r);
	EXPECT(r.flags & MSIX_R_DISABLE);
	EXPECT(r.flags & MSIX_R_FUNC_UNMASK);
	EXPECT(!(r.flags & MSIX_R_DELIVER));
	EXPECT_EQ(msix_vec_state(s, 2), MSIX_VEC_OFF);
	mask(s, 2, false, &r);
	EXPECT(!(r.flags & MSIX_R_DELIVER));		/* still disabled */
	EXPECT(!(r.flags & MSIX_R_STATE));
	msix_set_ctrl(s, true, false, &r);
	EXPECT(r.flags & MSIX_R_DELIVER);
	EXPECT(msix_result_delivers(&r, 2));
	EXPECT_EQ(r.nr_deliver, 1);
	free(s);
}

TEST(msix_changed_ranges_minimal)
{
	u8 a[16] = { 0 }, b[16] = { 0 };
	struct msix_range r[8];
	u32 n;

	EXPECT_EQ(msix_changed_ranges(a, b, 16, r, 8), 0);
	b[0] = b[1] = b[2] = 1;
	b[5] = 2;
	b[7] = 1;
	b[8] = 2;
	b[9] = 1;
	b[15] = 1;
	n = msix_changed_ranges(a, b, 16, r, 8);
	ASSERT_EQ(n, 4);
	EXPECT_EQ(r[0].start, 0);
	EXPECT_EQ(r[0].count, 3);
	EXPECT_EQ(r[1].start, 5);
	EXPECT_EQ(r[1].count, 1);
	EXPECT_EQ(r[2].start, 7);
	EXPECT_EQ(r[2].count, 3);
	EXPECT_EQ(r[3].start, 15);
	EXPECT_EQ(r[3].count, 1);
	/* capacity 2: the second range stretches to the last change */
	n = msix_changed_ranges(a, b, 16, r, 2);
	ASSERT_EQ(n, 2);
	EXPECT_EQ(r[1].start, 5);
	EXPECT_EQ(r[1].count, 11);
	EXPECT_EQ(msix_changed_ranges(a, b, 16, r, 0), 0);
	memset(b, 2, sizeof(b));
	n = msix_changed_ranges(a, b, 16, r, 8);
	EXPECT_EQ(n, 1);
	EXPECT_EQ(r[0].count, 16);
}

/* The caller's loop: desired states vs applied, one range per change. */
TEST(msix_states_drive_ranges)
{
	struct msix_state *s = new_msix(65);
	u8 applied[65], want[65];
	struct msix_range r[65];
	struct msix_result res;
	u32 n, v;

	msix_vec_states(s, applied);
	msix_set_ctrl(s, true, false, &res);
	msix_vec_states(s, want);
	n = msix_changed_ranges(applied, want, 65, r, 65);
	ASSERT_EQ(n, 1);				/* OFF -> MASKED, all */
	EXPECT_EQ(r[0].count, 65);
	memcpy(applied, want, sizeof(want));
	for (v = 10; v < 20; v++)
		mask(s, v, false, &res);
	mask(s, 40, false, &res);
	msix_vec_states(s, want);
	n = msix_changed_ranges(applied, want, 65, r, 65);
	ASSERT_EQ(n, 2);
	EXPECT_EQ(r[0].start, 10);
	EXPECT_EQ(r[0].count, 10);
	EXPECT_EQ(r[1].start, 40);
	memcpy(applied, want, sizeof(want));
	msix_vec_states(s, want);
	EXPECT_EQ(msix_changed_ranges(applied, want, 65, r, 65), 0);
	free(s);
}

static u32 lcg(u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (u32)(*s >> 33);
}

/*
 * Random fire/mask/unmask/function-mask/enable sequences against a model:
 * every fire is delivered at once or latched, and a latch is delivered
 * exactly once when the vector becomes deliverable.
 */
TEST(msix_random_model)
{
	enum { NV = 70 };
	struct msix_state *s = new_msix(NV);
	bool en = false, fm = false, vm[NV], pend[NV];
	u32 i, v, op, fired_now = 0, delivered_late = 0, latched = 0;
	struct msix_result r;
	u64 seed = 7;

	for (v = 0; v < NV; v++) {
		vm[v] = true;
		pend[v] = false;
	}
	for (i = 0; i < 50000; i++) {
		op = lcg(&seed) % 10;
		v = lcg(&seed) % NV;
		memset(&r, 0, sizeof(r));
		if (op < 5) {
			enum msix_fire_res f = msix_fire(s, v);

			if (!en)
				EXPECT_EQ(f, MSIX_DROPPED);
			else if (fm || vm[v]) {
				EXPECT_EQ(f, MSIX_LATCHED);
				latched += !pend[v];
				pend[v] = true;
			} else {
				EXPECT_EQ(f, MSIX_DELIVER);
				fired_now++;
			}
			continue;
		}
		if (op < 8) {
			vm[v] = !vm[v];
			mask(s, v, vm[v], &r);
		} else if (op < 9) {
			fm = !fm;
			msix_set_ctrl(s, en, fm, &r);
		} else if (!(lcg(&seed) % 8)) {
			en = !en;
			msix_set_ctrl(s, en, fm, &r);
		}
		for (v = 0; v < NV; v++) {
			bool should = en && !fm && !vm[v] && pend[v];

			EXPECT_EQ(msix_result_delivers(&r, v), should);
			if (should)
				pend[v] = false;
			delivered_late += should;
			EXPECT_EQ(msix_pending(s, v), pend[v]);
		}
	}
	EXPECT(fired_now > 0);
	EXPECT(delivered_late > 0);
	EXPECT(delivered_late <= latched);
	free(s);
}

TEST(msi_masking_and_routes)
{
	struct msi_state s;
	struct msix_result r;
	u64 addr;
	u32 data;

	msi_init(&s, true);
	EXPECT_EQ(msi_fire(&s, 0), MSIX_DROPPED);
	msi_update(&s, true, 4, 0xfee00000, 0x4020, 0, &r);
	EXPECT(r.flags & MSIX_R_ENABLE);
	EXPECT(r.flags & MSIX_R_ROUTE);
	EXPECT(r.flags & MSIX_R_STATE);
	EXPECT_EQ(r.route_count, 4);
	msi_route(&s, 3, &addr, &data);
	EXPECT_EQ(addr, 0xfee00000);
	EXPECT_EQ(data, 0x4023);
	EXPECT_EQ(msi_vec_state(&s, 3), MSIX_VEC_LIVE);
	EXPECT_EQ(msi_vec_state(&s, 4), MSIX_VEC_OFF);
	EXPECT_EQ(msi_fire(&s, 2), MSIX_DELIVER);
	EXPECT_EQ(msi_fire(&s, 4), MSIX_DROPPED);

	msi_update(&s, true, 4, 0xfee00000, 0x4020, 0x4, &r);
	EXPECT_EQ(r.flags, MSIX_R_STATE);
	EXPECT_EQ(msi_fire(&s, 2), MSIX_LATCHED);
	EXPECT_EQ(msi_fire(&s, 2), MSIX_LATCHED);
	EXPECT_EQ(s.pending, 0x4);
	msi_update(&s, true, 4, 0xfee00000, 0x4020, 0x4, &r);
	EXPECT_EQ(r.flags, 0);
	msi_update(&s, true, 4, 0xfee00000, 0x4020, 0, &r);
	EXPECT(r.flags & MSIX_R_DELIVER);
	EXPECT_EQ(r.nr_deliver, 1);
	EXPECT(msix_result_delivers(&r, 2));
	EXPECT_EQ(s.pending, 0);
	msi_update(&s, true, 4, 0xfee00000, 0x4020, 0, &r);
	EXPECT_EQ(r.nr_deliver, 0);

	/* message change re-routes every enabled vector */
	msi_update(&s, true, 4, 0xfee01000, 0x4020, 0, &r);
	EXPECT_EQ(r.flags, MSIX_R_ROUTE);
	msi_update(&s, false, 4, 0xfee01000, 0x4020, 0, &r);
	EXPECT(r.flags & MSIX_R_DISABLE);
	EXPECT(!(r.flags & MSIX_R_ROUTE));

	/* a function without per-vector masking ignores mask bits */
	msi_init(&s, false);
	msi_update(&s, true, 1, 0xfee00000, 0x30, ~0u, &r);
	EXPECT_EQ(msi_fire(&s, 0), MSIX_DELIVER);
	EXPECT_EQ(msi_vec_state(&s, 0), MSIX_VEC_LIVE);
}

/* The access rule, for every length and alignment inside one entry:
 * naturally aligned 1/2/4/8 bytes work, anything else reads 0 and
 * leaves the table alone. */
TEST(msix_access_rule_matrix)
{
	static const u32 lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 16 };
	struct msix_state *s = new_msix(2);
	struct msix_result r;
	u8 ff[16], b[16];
	u32 i, off;
	bool ok;
	u64 a;
	u32 d;

	memset(ff, 0xff, sizeof(ff));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (off = 16; off < 32; off++) {
			ok = (lens[i] == 1 || lens[i] == 2 || lens[i] == 4 ||
			      lens[i] == 8) && off % lens[i] == 0;
			memset(b, 0x5a, sizeof(b));
			EXPECT_EQ(msix_table_read(s, off, b, lens[i]), ok);
			if (!ok && lens[i])
				EXPECT_EQ(b[0] | b[lens[i] - 1], 0);
			EXPECT_EQ(msix_table_write(s, off, ff, lens[i], &r), ok);
			if (!ok) {
				EXPECT_EQ(r.flags, 0);
				EXPECT_EQ(tr32(s, 16) | tr32(s, 24), 0);
				EXPECT_EQ(tr32(s, 28), 1);
			}
			msix_init(s, 2, (u64 *)s->tbl);	/* reset */
		}
	}
	/* a QWORD at 0 is the whole address; address bits 1:0 stay 0 */
	EXPECT(msix_table_write(s, 16, ff, 8, &r));
	msix_route(s, 1, &a, &d);
	EXPECT_EQ(a, ~3ULL);
	EXPECT_EQ(d, 0);
	EXPECT_EQ(r.flags, MSIX_R_ROUTE);
	EXPECT_EQ(r.route_first, 1);
	/* vector 0 untouched */
	msix_route(s, 0, &a, &d);
	EXPECT(!a && !d);
	EXPECT(msix_vec_masked(s, 0));
	free(s);
}

/* Caller storage (how virtio-pci embeds it): exactly MSIX_STORE_WORDS,
 * nothing written past it, reset masks every vector again. */
TEST(msix_store_sized_by_vectors)
{
	u64 store[MSIX_STORE_WORDS(9) + 1];
	struct msix_state s, *one, *big;
	struct msix_result r;
	u8 zero[4] = { 0 }, b[8];
	u32 v;

	EXPECT_EQ(MSIX_STORE_WORDS(9), 9 * 2 + 1);
	EXPECT_EQ(MSIX_STORE_WORDS(64), 64 * 2 + 1);
	EXPECT_EQ(MSIX_STORE_WORDS(65), 65 * 2 + 2);
	EXPECT_EQ(msix_table_size(2048), 32768);
	EXPECT_EQ(msix_pba_size(65), 16);
	store[MSIX_STORE_WORDS(9)] = 0x1234;
	msix_init(&s, 9, store);
	EXPECT_EQ(s.nr, 9);
	EXPECT_EQ(store[MSIX_STORE_WORDS(9)], 0x1234);
	for (v = 0; v < 9; v++)
		EXPECT(msix_vec_masked(&s, v));
	/* last entry's control is the last table dword; past it: nothing */
	EXPECT(msix_table_write(&s, 8 * 16 + 12, zero, 4, &r));
	EXPECT(r.flags & MSIX_R_VEC_UNMASK);
	EXPECT(!msix_table_write(&s, 9 * 16, zero, 4, &r));
	EXPECT(!msix_table_read(&s, 9 * 16, b, 4));
	msix_set_ctrl(&s, true, false, &r);
	EXPECT_EQ(msix_fire(&s, 0), MSIX_LATCHED);
	EXPECT_EQ(msix_fire(&s, 9), MSIX_DROPPED);
	EXPECT(msix_pba_read(&s, 0, b, 8));
	EXPECT_EQ(b[0], 1);
	EXPECT(!msix_pba_read(&s, 8, b, 8));	/* PBA is 8 bytes */
	msix_clear_pending(&s);
	EXPECT(!msix_pending(&s, 0));
	EXPECT_EQ(store[MSIX_STORE_WORDS(9)], 0x1234);

	/* nr 0 means one vector; past the maximum is clamped */
	one = msix_new(0);
	big = msix_new(5000);
	ASSERT(one && big);
	EXPECT_EQ(one->nr, 1);
	EXPECT_EQ(big->nr, MSIX_MAX_VECTORS);
	EXPECT(msix_table_write(big, msix_table_size(2048) - 4, zero, 4, &r));
	EXPECT(!msix_vec_masked(big, 2047));
	free(one);
	free(big);
}

/* Pending survives a masked unmask (function still masked), goes out once
 * when the last mask drops, and the bit helpers agree with the PBA. */
TEST(msix_pending_needs_every_mask_off)
{
	struct msix_state *s = new_msix(70);
	struct msix_result r;
	u64 map[2] = { 0, 0 };

	msix_set_ctrl(s, true, true, &r);
	EXPECT_EQ(msix_fire(s, 69), MSIX_LATCHED);
	EXPECT(msix_bit(s->pba, 69));
	mask(s, 69, false, &r);
	EXPECT_EQ(r.nr_deliver, 0);		/* function still masked */
	EXPECT(msix_pending(s, 69));
	msix_set_ctrl(s, false, false, &r);	/* disabled: still latched */
	EXPECT_EQ(r.nr_deliver, 0);
	EXPECT_EQ(msix_fire(s, 69), MSIX_DROPPED);
	msix_set_ctrl(s, true, false, &r);
	EXPECT_EQ(r.nr_deliver, 1);
	EXPECT(msix_result_delivers(&r, 69));
	EXPECT(!msix_pending(s, 69));
	EXPECT_EQ(msix_fire(s, 69), MSIX_DELIVER);

	msix_bit_set(map, 65, true);
	msix_bit_set(map, 3, true);
	msix_bit_set(map, 3, false);
	EXPECT_EQ(map[0], 0);
	EXPECT_EQ(map[1], 2);
	EXPECT(msix_bit(map, 65) && !msix_bit(map, 64));
	free(s);
}
