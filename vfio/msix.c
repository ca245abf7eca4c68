/* MSI-X table/PBA emulation and MSI with per-vector masking
 * (include/vfio/msix.h): register accesses, masking, pending latches and
 * the eventfd ranges the caller has to reprogram. */
#include <string.h>
#include "vfio/msix.h"

/* Writable bits of each entry dword. */
static const u32 entry_wmask[4] = { ~3u, ~0u, ~0u, MSIX_CTRL_MASKBIT };

static void set_bit64(u64 *map, u32 v)
{
	map[v / 64] |= 1ULL << (v % 64);
}

static void clear_bit64(u64 *map, u32 v)
{
	map[v / 64] &= ~(1ULL << (v % 64));
}

static bool test_bit64(const u64 *map, u32 v)
{
	return map[v / 64] & (1ULL << (v % 64));
}

void msix_init(struct msix_state *s, u32 nr)
{
	u32 v;

	memset(s, 0, sizeof(*s));
	s->nr = MIN(MAX(nr, 1u), (u32)MSIX_MAX_VECTORS);
	for (v = 0; v < s->nr; v++)
		s->tbl[v * 4 + 3] = MSIX_CTRL_MASKBIT;
}

bool msix_vec_masked(const struct msix_state *s, u32 v)
{
	return v < s->nr && (s->tbl[v * 4 + 3] & MSIX_CTRL_MASKBIT);
}

bool msix_pending(const struct msix_state *s, u32 v)
{
	return v < s->nr && test_bit64(s->pba, v);
}

/* Masked as far as delivery goes: disabled, function or vector mask. */
static bool eff_masked(const struct msix_state *s, u32 v)
{
	return !s->enabled || s->func_masked || msix_vec_masked(s, v);
}

static enum msix_vec_state state_as(const struct msix_state *s, bool en,
				    bool fm, u32 v)
{
	if (!en || v >= s->nr)
		return MSIX_VEC_OFF;
	if (fm || msix_vec_masked(s, v))
		return MSIX_VEC_MASKED;
	return MSIX_VEC_LIVE;
}

enum msix_vec_state msix_vec_state(const struct msix_state *s, u32 v)
{
	return state_as(s, s->enabled, s->func_masked, v);
}

void msix_vec_states(const struct msix_state *s, u8 *out)
{
	u32 v;

	for (v = 0; v < s->nr; v++)
		out[v] = (u8)msix_vec_state(s, v);
}

void msix_route(const struct msix_state *s, u32 v, u64 *addr, u32 *data)
{
	const u32 *e;

	*addr = 0;
	*data = 0;
	if (v >= s->nr)
		return;
	e = &s->tbl[v * 4];
	*addr = ((u64)e[1] << 32) | e[0];
	*data = e[2];
}

static bool access_ok(u64 off, u32 len, u64 limit)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	return !(off & (len - 1)) && off < limit && len <= limit - off;
}

static void read_bytes(const void *src, u64 off, u8 *data, u32 len)
{
	const u8 *p = src;
	u32 i;

	/* tbl and pba are little-endian words on a little-endian host */
	for (i = 0; i < len; i++)
		data[i] = p[off + i];
}

bool msix_table_read(const struct msix_state *s, u64 off, u8 *data, u32 len)
{
	if (!access_ok(off, len, msix_tbl_bytes(s))) {
		memset(data, 0, len);
		return false;
	}
	read_bytes(s->tbl, off, data, len);
	return true;
}

bool msix_pba_read(const struct msix_state *s, u64 off, u8 *data, u32 len)
{
	if (!access_ok(off, len, msix_pba_bytes(s))) {
		memset(data, 0, len);
		return false;
	}
	read_bytes(s->pba, off, data, len);
	return true;
}

static void deliver(struct msix_result *res, u32 v)
{
	set_bit64(res->deliver, v);
	res->nr_deliver++;
	res->flags |= MSIX_R_DELIVER;
}

/* Vector v stopped being masked: a latched message goes out once. */
static void flush_pending(struct msix_state *s, u32 v,
			  struct msix_result *res)
{
	if (eff_masked(s, v) || !test_bit64(s->pba, v))
		return;
	clear_bit64(s->pba, v);
	deliver(res, v);
}

static void write_entry_bytes(struct msix_state *s, u64 off, const u8 *data,
			      u32 len)
{
	u32 i, w, sh, m;

	for (i = 0; i < len; i++) {
		w = (u32)((off + i) / 4);
		sh = (u32)((off + i) % 4) * 8;
		m = entry_wmask[w % 4] & (0xffu << sh);
		s->tbl[w] = (s->tbl[w] & ~m) | (((u32)data[i] << sh) & m);
	}
}

bool msix_table_write(struct msix_state *s, u64 off, const u8 *data,
		      u32 len, struct msix_result *res)
{
	u32 v = (u32)(off / MSIX_ENTRY_BYTES), old_d, new_d;
	enum msix_vec_state old_st;
	bool old_m, new_m;
	u64 old_a, new_a;

	memset(res, 0, sizeof(*res));
	if (!access_ok(off, len, msix_tbl_bytes(s)))
		return false;
	msix_route(s, v, &old_a, &old_d);
	old_m = msix_vec_masked(s, v);
	old_st = msix_vec_state(s, v);
	write_entry_bytes(s, off, data, len);
	msix_route(s, v, &new_a, &new_d);
	new_m = msix_vec_masked(s, v);
	res->vector = v;
	if (old_a != new_a || old_d != new_d) {
		res->flags |= MSIX_R_ROUTE;
		res->route_first = v;
		res->route_count = 1;
	}
	if (old_m != new_m)
		res->flags |= new_m ? MSIX_R_VEC_MASK : MSIX_R_VEC_UNMASK;
	if (old_st != msix_vec_state(s, v))
		res->flags |= MSIX_R_STATE;
	flush_pending(s, v, res);
	return true;
}

void msix_set_ctrl(struct msix_state *s, bool enable, bool func_mask,
		   struct msix_result *res)
{
	bool was_en = s->enabled, was_fm = s->func_masked;
	u32 v;

	memset(res, 0, sizeof(*res));
	if (was_en == enable && was_fm == func_mask)
		return;
	s->enabled = enable;
	s->func_masked = func_mask;
	if (was_en != enable)
		res->flags |= enable ? MSIX_R_ENABLE : MSIX_R_DISABLE;
	if (was_fm != func_mask)
		res->flags |= func_mask ? MSIX_R_FUNC_MASK : MSIX_R_FUNC_UNMASK;
	for (v = 0; v < s->nr; v++) {
		if (state_as(s, was_en, was_fm, v) != msix_vec_state(s, v))
			res->flags |= MSIX_R_STATE;
		flush_pending(s, v, res);
	}
}

enum msix_fire_res msix_fire(struct msix_state *s, u32 v)
{
	if (v >= s->nr || !s->enabled)
		return MSIX_DROPPED;
	if (eff_masked(s, v)) {
		set_bit64(s->pba, v);
		return MSIX_LATCHED;
	}
	return MSIX_DELIVER;
}

u32 msix_changed_ranges(const u8 *old, const u8 *new, u32 nr,
			struct msix_range *out, u32 max)
{
	u32 n = 0, v;
	bool in_run = false;

	if (!max)
		return 0;
	for (v = 0; v < nr; v++) {
		if (old[v] == new[v]) {
			in_run = false;
			continue;
		}
		if (in_run || n == max) {
			out[n - 1].count = v - out[n - 1].start + 1;
			in_run = true;
			continue;
		}
		out[n].start = v;
		out[n].count = 1;
		n++;
		in_run = true;
	}
	return n;
}

/* ---- MSI ---- */

void msi_init(struct msi_state *s, bool maskable)
{
	memset(s, 0, sizeof(*s));
	s->maskable = maskable;
	s->nr = 1;
}

static bool msi_masked(const struct msi_state *s, u32 v)
{
	return !s->enabled || v >= s->nr || (s->mask & (1u << v));
}

enum msix_vec_state msi_vec_state(const struct msi_state *s, u32 v)
{
	if (!s->enabled || v >= s->nr)
		return MSIX_VEC_OFF;
	return (s->mask & (1u << v)) ? MSIX_VEC_MASKED : MSIX_VEC_LIVE;
}

static u32 msi_clamp_nr(u32 nr)
{
	u32 p = 1;

	while (p < nr && p < MSI_MAX_VECTORS)
		p <<= 1;
	return p;
}

void msi_update(struct msi_state *s, bool enabled, u32 nr, u64 addr,
		u16 data, u32 mask, struct msix_result *res)
{
	struct msi_state old = *s;
	u32 v;

	memset(res, 0, sizeof(*res));
	s->enabled = enabled;
	s->nr = msi_clamp_nr(nr);
	s->addr = addr;
	s->data = data;
	s->mask = s->maskable ? mask : 0;
	if (old.enabled != enabled)
		res->flags |= enabled ? MSIX_R_ENABLE : MSIX_R_DISABLE;
	if (enabled && (!old.enabled || old.addr != addr ||
			old.data != data || old.nr != s->nr)) {
		res->flags |= MSIX_R_ROUTE;
		res->route_first = 0;
		res->route_count = s->nr;
	}
	for (v = 0; v < MSI_MAX_VECTORS; v++) {
		if (msi_vec_state(&old, v) != msi_vec_state(s, v))
			res->flags |= MSIX_R_STATE;
		if (msi_masked(s, v) || !(s->pending & (1u << v)))
			continue;
		s->pending &= ~(1u << v);
		deliver(res, v);
	}
}

enum msix_fire_res msi_fire(struct msi_state *s, u32 v)
{
	if (!s->enabled || v >= s->nr)
		return MSIX_DROPPED;
	if (s->mask & (1u << v)) {
		s->pending |= 1u << v;
		return MSIX_LATCHED;
	}
	return MSIX_DELIVER;
}

void msi_route(const struct msi_state *s, u32 v, u64 *addr, u32 *data)
{
	*addr = s->addr;
	*data = (s->data & ~(s->nr - 1)) | (v & (s->nr - 1));
}
