/* libFuzzer target for vfio/msix.c: random guest table/PBA accesses,
 * control words, device interrupts and MSI register updates against the
 * MSI-X and MSI emulation, checking what they hand back to the caller. */
#include "fuzz.h"
#include "pci/msix.h"

/* fuzz-sources: pci/msix.c kvm/util.c
 * fuzz-runs: 120000
 * fuzz-max-len: 2048 */

enum {
	OP_TBL_WRITE, OP_TBL_READ, OP_PBA_READ, OP_CTRL, OP_FIRE,
	OP_MSI_UPDATE, OP_MSI_FIRE, OP_QUERY, NR_OPS
};

static const u32 lens[8] = { 1, 2, 4, 8, 4, 3, 0, 16 };

static u32 popcount_map(const u64 *map, u32 words)
{
	u32 n = 0, i;

	for (i = 0; i < words; i++)
		n += (u32)__builtin_popcountll(map[i]);
	return n;
}

/* Bits of @map at or above @nr are clear. */
static bool map_below(const u64 *map, u32 words, u32 nr)
{
	u32 w;

	for (w = nr / 64; w < words; w++)
		if (map[w] & (w == nr / 64 ? ~0ULL << (nr % 64) : ~0ULL))
			return false;
	return true;
}

static void check_res(const struct msix_result *r, u32 nr)
{
	FUZZ_ASSERT(r->nr_deliver == popcount_map(r->deliver,
						  ARRAY_SIZE(r->deliver)));
	FUZZ_ASSERT(map_below(r->deliver, ARRAY_SIZE(r->deliver), nr));
	FUZZ_ASSERT(!!(r->flags & MSIX_R_DELIVER) == !!r->nr_deliver);
	if (r->flags & MSIX_R_ROUTE)
		FUZZ_ASSERT(r->route_count && r->route_first < nr &&
			    r->route_count <= nr - r->route_first);
	FUZZ_ASSERT(!((r->flags & MSIX_R_ENABLE) &&
		      (r->flags & MSIX_R_DISABLE)));
}

static void check_msix(const struct msix_state *s)
{
	FUZZ_ASSERT(s->nr >= 1 && s->nr <= MSIX_MAX_VECTORS);
	FUZZ_ASSERT(map_below(s->pba, msix_pba_size(s->nr) / 8, s->nr));
}

/* msix_changed_ranges() covers every differing vector, in order. */
static void check_ranges(const u8 *old, const u8 *new, u32 nr, u32 max)
{
	struct msix_range rg[8];
	u32 n = msix_changed_ranges(old, new, nr, rg, max), i, v, last = 0;
	bool covered;

	FUZZ_ASSERT(n <= max);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(rg[i].count && rg[i].start < nr &&
			    rg[i].count <= nr - rg[i].start);
		FUZZ_ASSERT(!i || rg[i].start >= last);
		FUZZ_ASSERT(old[rg[i].start] != new[rg[i].start]);
		last = rg[i].start + rg[i].count;
	}
	for (v = 0, i = 0; v < nr; v++) {
		if (old[v] == new[v])
			continue;
		while (i < n && v >= rg[i].start + rg[i].count)
			i++;
		covered = i < n && v >= rg[i].start;
		FUZZ_ASSERT(covered);
	}
}

/* Delivery follows the vector's state: LIVE delivers, MASKED latches. */
static void fire_one(struct msix_state *s, u32 v)
{
	enum msix_vec_state st = msix_vec_state(s, v);
	enum msix_fire_res r = msix_fire(s, v);

	FUZZ_ASSERT((st == MSIX_VEC_OFF) == (r == MSIX_DROPPED));
	FUZZ_ASSERT((st == MSIX_VEC_LIVE) == (r == MSIX_DELIVER));
	if (r == MSIX_LATCHED)
		FUZZ_ASSERT(msix_pending(s, v));
}

static void msi_fire_one(struct msi_state *m, u32 v)
{
	enum msix_vec_state st = msi_vec_state(m, v);
	enum msix_fire_res r = msi_fire(m, v);
	u64 addr;
	u32 data;

	FUZZ_ASSERT((st == MSIX_VEC_OFF) == (r == MSIX_DROPPED));
	FUZZ_ASSERT((st == MSIX_VEC_LIVE) == (r == MSIX_DELIVER));
	if (r == MSIX_DROPPED)
		return;
	msi_route(m, v, &addr, &data);
	FUZZ_ASSERT(addr == m->addr);
	FUZZ_ASSERT((data & (m->nr - 1)) == (v & (m->nr - 1)));
}

static void tbl_access(struct msix_state *s, struct fin *in, int op)
{
	u32 len = lens[fin_u8(in) % 8];
	u64 off = fin_u16(in) % (msix_table_size(s->nr) + 32);
	u8 buf[16], data[16];
	struct msix_result res;
	u64 addr;
	u32 d;

	if (fin_u8(in) == 0xff)
		off = fin_u64(in);	/* absurd offsets */
	if (op == OP_TBL_WRITE) {
		fin_bytes(in, data, sizeof(data));
		if (!msix_table_write(s, off, data, len, &res)) {
			FUZZ_ASSERT(!res.flags && !res.nr_deliver);
			return;
		}
		FUZZ_ASSERT(res.vector == off / MSIX_ENTRY_SIZE);
		check_res(&res, s->nr);
		return;
	}
	memset(buf, 0xa5, sizeof(buf));
	if (op == OP_PBA_READ) {
		if (msix_pba_read(s, off, buf, len) && len == 1)
			FUZZ_ASSERT(!!(buf[0] & (1u << 0)) ==
				    msix_pending(s, (u32)off * 8));
	} else if (msix_table_read(s, off, buf, len) && len == 4 &&
		   off % 16 == 8) {
		msix_route(s, (u32)(off / 16), &addr, &d);
		FUZZ_ASSERT(!memcmp(buf, &d, 4));
	}
	FUZZ_ASSERT(len >= sizeof(buf) || buf[len] == 0xa5);
}

/* Any vector number, far past the table (msix_route once formed a
 * pointer outside it before checking v; fixed, see test_vfio_msix.c). */
#define QUERY_V_LIMIT	0x10000u

static void query(struct msix_state *s, struct fin *in, u8 *prev)
{
	u8 now[MSIX_MAX_VECTORS];
	u32 v = fin_u16(in) % QUERY_V_LIMIT;
	u64 addr;
	u32 data;

	msix_route(s, v, &addr, &data);
	if (v >= s->nr)
		FUZZ_ASSERT(!addr && !data);
	FUZZ_ASSERT(msix_vec_masked(s, v) == (v < s->nr &&
		    (s->tbl[v * 4 + 3] & MSIX_CTRL_MASKBIT)));
	msix_vec_states(s, now);
	check_ranges(prev, now, s->nr, 1 + fin_u8(in) % 8);
	memcpy(prev, now, s->nr);
}

static void msi_op(struct msi_state *m, struct fin *in)
{
	struct msix_result res;
	u8 f = fin_u8(in);
	u32 nr = fin_u8(in) % 40, mask = fin_u32(in);
	u64 addr = fin_u64(in);
	u16 data = fin_u16(in);

	msi_update(m, f & 1, nr, addr, data, mask, &res);
	check_res(&res, MSI_MAX_VECTORS);
	FUZZ_ASSERT(m->nr >= 1 && m->nr <= MSI_MAX_VECTORS &&
		    !(m->nr & (m->nr - 1)));
	FUZZ_ASSERT(map_below(res.deliver, ARRAY_SIZE(res.deliver), m->nr));
	if (!m->maskable)
		FUZZ_ASSERT(!m->mask);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct fin in = { data, len };
	struct msix_state *s;
	struct msi_state m;
	struct msix_result res;
	u8 *prev = calloc(MSIX_MAX_VECTORS, 1);
	u32 nr = fin_u16(&in) % (MSIX_MAX_VECTORS + 8), steps = 0;
	u8 op;

	s = msix_new(nr);
	FUZZ_ASSERT(s && prev);
	FUZZ_ASSERT(s->nr == MIN(MAX(nr, 1u), (u32)MSIX_MAX_VECTORS));
	msi_init(&m, fin_u8(&in) & 1);
	while (in.n && steps++ < 512) {
		op = fin_u8(&in) % NR_OPS;
		switch (op) {
		case OP_TBL_WRITE:
		case OP_TBL_READ:
		case OP_PBA_READ:
			tbl_access(s, &in, op);
			break;
		case OP_CTRL:
			op = fin_u8(&in);
			msix_set_ctrl(s, op & 1, op & 2, &res);
			check_res(&res, s->nr);
			FUZZ_ASSERT(s->enabled == (op & 1) &&
				    s->func_masked == !!(op & 2));
			break;
		case OP_FIRE:
			fire_one(s, fin_u16(&in) % (s->nr + 4));
			break;
		case OP_MSI_UPDATE:
			msi_op(&m, &in);
			break;
		case OP_MSI_FIRE:
			msi_fire_one(&m, fin_u8(&in) % 40);
			break;
		case OP_QUERY:
			query(s, &in, prev);
			break;
		}
		check_msix(s);
	}
	free(prev);
	free(s);
	return 0;
}

/* Enable, program and unmask vector 0, fire it, mask the function. */
static void seed_msix(void)
{
	struct fseed s = { .n = 0 };
	u32 v;

	fs_u16(&s, 65);
	fs_u8(&s, 1);
	for (v = 0; v < 3; v++) {
		fs_u8(&s, OP_TBL_WRITE);
		fs_u8(&s, 2);			/* len 4 */
		fs_u16(&s, v * 16 + 0);		/* addr lo */
		fs_u8(&s, 0);
		fs_u32(&s, 0xfee00000 | v << 12);
		fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
		fs_u8(&s, OP_TBL_WRITE);
		fs_u8(&s, 2);
		fs_u16(&s, v * 16 + 8);		/* data */
		fs_u8(&s, 0);
		fs_u32(&s, 0x4021 + v);
		fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	}
	fs_u8(&s, OP_CTRL);
	fs_u8(&s, 1);
	fs_u8(&s, OP_FIRE);
	fs_u16(&s, 0);				/* masked: latched */
	fs_u8(&s, OP_QUERY);
	fs_u16(&s, 0);
	fs_u8(&s, 3);
	fs_u8(&s, OP_TBL_WRITE);
	fs_u8(&s, 2);
	fs_u16(&s, 12);				/* vector 0 control */
	fs_u8(&s, 0);
	fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	fs_u8(&s, OP_PBA_READ);
	fs_u8(&s, 3);
	fs_u16(&s, 0);
	fs_u8(&s, 0);
	fs_u8(&s, OP_CTRL);
	fs_u8(&s, 3);
	fs_u8(&s, OP_QUERY);
	fs_u16(&s, 1);
	fs_u8(&s, 7);
	fuzz_seed("msix-enable", &s);
}

/* MSI with 4 of 8 vectors, vector 1 masked, fired and unmasked. */
static void seed_msi(void)
{
	struct fseed s = { .n = 0 };

	fs_u16(&s, 1);
	fs_u8(&s, 1);			/* maskable */
	fs_u8(&s, OP_MSI_UPDATE);
	fs_u8(&s, 1);
	fs_u8(&s, 4);
	fs_u32(&s, 2);
	fs_u64(&s, 0xfee00000);
	fs_u16(&s, 0x40);
	fs_u8(&s, OP_MSI_FIRE);
	fs_u8(&s, 1);
	fs_u8(&s, OP_MSI_UPDATE);
	fs_u8(&s, 1);
	fs_u8(&s, 4);
	fs_u32(&s, 0);
	fs_u64(&s, 0xfee00000);
	fs_u16(&s, 0x40);
	fuzz_seed("msi-mask", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!fuzz_seeding())
		return 0;
	seed_msix();
	seed_msi();
	exit(0);
}
