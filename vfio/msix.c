/* MSI with per-vector masking for an assigned device, and the eventfd
 * ranges the caller has to reprogram (include/vfio/msix.h); MSI-X itself
 * is pci/msix.c. */
#include <string.h>
#include "vfio/msix.h"

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
