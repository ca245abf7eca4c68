/* The MSI-X and MSI models (include/pci/msix.h): table and PBA accesses,
 * entry and function masks, pending latches, what the front-end delivers. */
#include <stdlib.h>
#include <string.h>
#include "kvm/state.h"
#include "pci/msix.h"

/* Writable bits of each entry dword. */
static const u32 entry_wmask[4] = { ~3u, ~0u, ~0u, MSIX_CTRL_MASKBIT };

static u32 tbl_len(const void *s)
{
	return (u32)msix_table_size(((const struct msix_state *)s)->nr);
}

static u32 pba_len(const void *s)
{
	return (u32)msix_pba_size(((const struct msix_state *)s)->nr);
}

/* The table and PBA are saved whatever the interrupt mode. */
STATE_DESC(msix_state_desc, "msix", struct msix_state, 1,
	   STATE_FIELD(struct msix_state, nr, 1),
	   STATE_FIELD(struct msix_state, enabled, 1),
	   STATE_FIELD(struct msix_state, func_masked, 1),
	   STATE_TABLE(struct msix_state, tbl, tbl_len, 1),
	   STATE_TABLE(struct msix_state, pba, pba_len, 1))

STATE_DESC(msi_state_desc, "msi", struct msi_state, 1,
	   STATE_FIELD(struct msi_state, enabled, 1),
	   STATE_FIELD(struct msi_state, maskable, 1),
	   STATE_FIELD(struct msi_state, nr, 1),
	   STATE_FIELD(struct msi_state, addr, 1),
	   STATE_FIELD(struct msi_state, data, 1),
	   STATE_FIELD(struct msi_state, mask, 1),
	   STATE_FIELD(struct msi_state, pending, 1))

static u32 clamp_nr(u32 nr)
{
	return MIN(MAX(nr, 1u), (u32)MSIX_MAX_VECTORS);
}

void msix_init(struct msix_state *s, u32 nr, u64 *store)
{
	u32 v;

	memset(s, 0, sizeof(*s));
	s->nr = clamp_nr(nr);
	memset(store, 0, MSIX_STORE_WORDS(s->nr) * sizeof(u64));
	s->tbl = (u32 *)store;
	s->pba = store + s->nr * 2;
	for (v = 0; v < s->nr; v++)
		s->tbl[v * 4 + 3] = MSIX_CTRL_MASKBIT;
}

struct msix_state *msix_new(u32 nr)
{
	struct msix_state *s;

	nr = clamp_nr(nr);
	s = malloc(sizeof(*s) + MSIX_STORE_WORDS(nr) * sizeof(u64));
	if (s)
		msix_init(s, nr, (u64 *)(s + 1));
	return s;
}

void msix_clear_pending(struct msix_state *s)
{
	memset(s->pba, 0, msix_pba_size(s->nr));
}

bool msix_vec_masked(const struct msix_state *s, u32 v)
{
	return v < s->nr && (s->tbl[v * 4 + 3] & MSIX_CTRL_MASKBIT);
}

bool msix_pending(const struct msix_state *s, u32 v)
{
	return v < s->nr && msix_bit(s->pba, v);
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
	bool in = v < s->nr;

	*addr = in ? ((u64)s->tbl[v * 4 + 1] << 32) | s->tbl[v * 4] : 0;
	*data = in ? s->tbl[v * 4 + 2] : 0;
}

static bool access_ok(u64 off, u32 len, u64 limit)
{
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	return !(off & (len - 1)) && off < limit && len <= limit - off;
}

bool msix_table_read(const struct msix_state *s, u64 off, u8 *data, u32 len)
{
	if (!access_ok(off, len, msix_table_size(s->nr))) {
		memset(data, 0, len);
		return false;
	}
	memcpy(data, (const u8 *)s->tbl + off, len);	/* LE host */
	return true;
}

bool msix_pba_read(const struct msix_state *s, u64 off, u8 *data, u32 len)
{
	if (!access_ok(off, len, msix_pba_size(s->nr))) {
		memset(data, 0, len);
		return false;
	}
	memcpy(data, (const u8 *)s->pba + off, len);
	return true;
}

/* Vector v stopped being masked: a latched message goes out once. */
static void flush_pending(struct msix_state *s, u32 v,
			  struct msix_result *res)
{
	if (msix_vec_state(s, v) != MSIX_VEC_LIVE || !msix_bit(s->pba, v))
		return;
	msix_bit_set(s->pba, v, false);
	msix_result_add(res, v);
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
	u32 v = (u32)(off / MSIX_ENTRY_SIZE), old_d, new_d;
	enum msix_vec_state old_st;
	bool old_m, new_m;
	u64 old_a, new_a;

	memset(res, 0, sizeof(*res));
	if (!access_ok(off, len, msix_table_size(s->nr)))
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
	if (msix_vec_state(s, v) != MSIX_VEC_LIVE) {
		msix_bit_set(s->pba, v, true);
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
		if (msi_vec_state(s, v) != MSIX_VEC_LIVE ||
		    !(s->pending & (1u << v)))
			continue;
		s->pending &= ~(1u << v);
		msix_result_add(res, v);
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
