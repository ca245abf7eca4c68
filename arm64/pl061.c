/* The PL061 GPIO controller as a pure register model (include/arm64/pl061.h):
 * what Linux's gpio-pl061 uses (data with its address mask, direction,
 * edge/level interrupt sense, both-edge and event polarity, mask, raw and
 * masked status, clear, the PrimeCell ID registers) and its state
 * description "pl061" for snapshots. No I/O, no locking. */
#include "arm64/pl061.h"
#include "kvm/state.h"

STATE_DESC(pl061_state_desc, "pl061", struct pl061, 1,
	   STATE_FIELD(struct pl061, data, 1),
	   STATE_FIELD(struct pl061, dir, 1),
	   STATE_FIELD(struct pl061, is, 1),
	   STATE_FIELD(struct pl061, ibe, 1),
	   STATE_FIELD(struct pl061, iev, 1),
	   STATE_FIELD(struct pl061, ie, 1),
	   STATE_FIELD(struct pl061, ris, 1),
	   STATE_FIELD(struct pl061, afsel, 1),
	   STATE_FIELD(struct pl061, in, 1))

static const u8 pl061_id[8] = { 0x61, 0x10, 0x04, 0x00,
				0x0d, 0xf0, 0x05, 0xb1 };

/* Pin levels: outputs show the data register, inputs what drives them. */
static u8 levels(const struct pl061 *g)
{
	return (g->data & g->dir) | (g->in & ~g->dir);
}

/* Level-sensitive pins' status follows their level and polarity. */
static void update_level_status(struct pl061 *g)
{
	u8 lv = levels(g), hit = (lv & g->iev) | (~lv & ~g->iev);

	g->ris = (g->ris & ~g->is) | (hit & g->is);
}

/* Latches the edges from old to the current levels on edge pins. */
static void latch_edges(struct pl061 *g, u8 old)
{
	u8 now = levels(g), rise = ~old & now, fall = old & ~now;
	u8 edge = (g->ibe & (rise | fall)) |
		  (~g->ibe & ((g->iev & rise) | (~g->iev & fall)));

	g->ris |= edge & ~g->is;
	update_level_status(g);
}

u8 pl061_read(const struct pl061 *g, u64 off)
{
	if (off < PL061_DATA_END)
		return levels(g) & (off >> 2);
	if (off >= PL061_ID && off < PL061_ID + 32 && !(off & 3))
		return pl061_id[(off - PL061_ID) >> 2];
	switch (off) {
	case PL061_DIR:		return g->dir;
	case PL061_IS:		return g->is;
	case PL061_IBE:		return g->ibe;
	case PL061_IEV:		return g->iev;
	case PL061_IE:		return g->ie;
	case PL061_RIS:		return g->ris;
	case PL061_MIS:		return g->ris & g->ie;
	case PL061_AFSEL:	return g->afsel;
	}
	return 0;
}

void pl061_write(struct pl061 *g, u64 off, u8 v)
{
	u8 old = levels(g), mask = off >> 2;

	if (off < PL061_DATA_END)
		g->data = (g->data & ~mask) | (v & mask);
	else if (off == PL061_DIR)
		g->dir = v;
	else if (off == PL061_IS)
		g->is = v;
	else if (off == PL061_IBE)
		g->ibe = v;
	else if (off == PL061_IEV)
		g->iev = v;
	else if (off == PL061_IE)
		g->ie = v;
	else if (off == PL061_IC)
		g->ris &= ~(v & ~g->is);
	else if (off == PL061_AFSEL)
		g->afsel = v;
	latch_edges(g, old);
}

void pl061_set_input(struct pl061 *g, int pin, bool level)
{
	u8 old = levels(g);

	if (pin < 0 || pin > 7)
		return;
	g->in = level ? g->in | 1u << pin : g->in & ~(1u << pin);
	latch_edges(g, old);
}

bool pl061_irq(const struct pl061 *g)
{
	return g->ris & g->ie;
}
