/* Emulated MSI-X table and PBA, and MSI with per-vector masking, for an
 * assigned device: guest accesses and interrupts in, actions for the
 * caller (KVM routes, injections, VFIO_DEVICE_SET_IRQS ranges) out. Pure. */
#ifndef LKVM_VFIO_MSIX_H
#define LKVM_VFIO_MSIX_H

#include "lkvm/util.h"

#define MSIX_MAX_VECTORS	2048
#define MSIX_ENTRY_BYTES	16
#define MSIX_ENTRY_LO		0	/* message address low */
#define MSIX_ENTRY_HI		4	/* message address high */
#define MSIX_ENTRY_DATA		8
#define MSIX_ENTRY_CTRL		12	/* bit 0: vector masked */
#define MSIX_CTRL_MASKBIT	1u
#define MSI_MAX_VECTORS		32

struct msix_state {
	u32 nr;				/* vectors, 1..MSIX_MAX_VECTORS */
	bool enabled;			/* control: MSI-X enable */
	bool func_masked;		/* control: function mask */
	u32 tbl[MSIX_MAX_VECTORS * 4];	/* entries as four little dwords */
	u64 pba[MSIX_MAX_VECTORS / 64];
};

struct msi_state {
	bool enabled;
	bool maskable;			/* per-vector masking capable */
	u32 nr;				/* enabled vectors (1 << MME) */
	u64 addr;
	u16 data;
	u32 mask;
	u32 pending;
};

/* What a guest register access asks of the caller (msix_result.flags). */
#define MSIX_R_ROUTE		(1u << 0)	/* routes of [route_first, +count) changed */
#define MSIX_R_VEC_MASK		(1u << 1)	/* .vector became masked */
#define MSIX_R_VEC_UNMASK	(1u << 2)	/* .vector became unmasked */
#define MSIX_R_ENABLE		(1u << 3)	/* enable host MSI-X/MSI (even if all masked) */
#define MSIX_R_DISABLE		(1u << 4)	/* disable host MSI-X/MSI */
#define MSIX_R_FUNC_MASK	(1u << 5)	/* function mask set */
#define MSIX_R_FUNC_UNMASK	(1u << 6)	/* function mask cleared */
#define MSIX_R_DELIVER		(1u << 7)	/* inject every vector in .deliver once */
#define MSIX_R_STATE		(1u << 8)	/* some vector's msix_vec_state changed */

struct msix_result {
	u32 flags;
	u32 vector;			/* VEC_MASK/VEC_UNMASK */
	u32 route_first, route_count;
	u32 nr_deliver;
	/* pending bits the module already cleared: inject each exactly once */
	u64 deliver[MSIX_MAX_VECTORS / 64];
};

enum msix_fire_res {
	MSIX_DROPPED,			/* vector out of range or disabled */
	MSIX_DELIVER,			/* inject now */
	MSIX_LATCHED,			/* masked: pending bit set */
};

/*
 * Where a vector's host interrupt should go, for the caller's eventfd
 * bookkeeping: OFF (no trigger), MASKED (to the VMM, which latches it with
 * msix_fire()), LIVE (straight to the guest via an irqfd).
 */
enum msix_vec_state {
	MSIX_VEC_OFF,
	MSIX_VEC_MASKED,
	MSIX_VEC_LIVE,
};

struct msix_range {
	u32 start;
	u32 count;
};

/* Reset state: nr vectors (clamped to 1..MSIX_MAX_VECTORS), all masked. */
void msix_init(struct msix_state *s, u32 nr);

static inline u64 msix_tbl_bytes(const struct msix_state *s)
{
	return (u64)s->nr * MSIX_ENTRY_BYTES;
}

static inline u64 msix_pba_bytes(const struct msix_state *s)
{
	return ((u64)s->nr + 63) / 64 * 8;
}

/*
 * Table and PBA accesses at @off (relative to the table / PBA start), len
 * 1, 2, 4 or 8 and naturally aligned, inside the structure's bounds.
 * Anything else reads 0 and ignores writes (returns false). PBA writes
 * are ignored (read-only). msix_table_write() fills @res.
 */
bool msix_table_read(const struct msix_state *s, u64 off, u8 *data, u32 len);
bool msix_table_write(struct msix_state *s, u64 off, const u8 *data,
		      u32 len, struct msix_result *res);
bool msix_pba_read(const struct msix_state *s, u64 off, u8 *data, u32 len);

/* Capability control word change (vcfg_msix_get()). */
void msix_set_ctrl(struct msix_state *s, bool enable, bool func_mask,
		   struct msix_result *res);

/* The device raised vector @v. */
enum msix_fire_res msix_fire(struct msix_state *s, u32 v);

bool msix_vec_masked(const struct msix_state *s, u32 v);	/* entry bit */
bool msix_pending(const struct msix_state *s, u32 v);
/* Message of vector @v as the guest programmed it. */
void msix_route(const struct msix_state *s, u32 v, u64 *addr, u32 *data);
enum msix_vec_state msix_vec_state(const struct msix_state *s, u32 v);
/* msix_vec_state() of every vector into @out[0..nr). */
void msix_vec_states(const struct msix_state *s, u8 *out);

/*
 * Fewest contiguous ranges covering exactly the vectors where @old and
 * @new (u8 states, @nr each) differ: one VFIO_DEVICE_SET_IRQS per range.
 * Fills at most @max ranges; past that, the last range is stretched to the
 * last differing vector (it then also covers unchanged ones). Returns the
 * number of ranges filled.
 */
u32 msix_changed_ranges(const u8 *old, const u8 *new, u32 nr,
			struct msix_range *out, u32 max);

/* ---- MSI ---- */

void msi_init(struct msi_state *s, bool maskable);
/*
 * New MSI registers from config space (vcfg_msi_get() values): enable,
 * vectors, message, mask. Fills @res: ENABLE/DISABLE, ROUTE over all
 * enabled vectors when the message or vector count changed, DELIVER for
 * pending vectors that became unmasked (their pending bits cleared).
 */
void msi_update(struct msi_state *s, bool enabled, u32 nr, u64 addr,
		u16 data, u32 mask, struct msix_result *res);
enum msix_fire_res msi_fire(struct msi_state *s, u32 v);
/* Vector v's message: data with its low log2(nr) bits replaced by v. */
void msi_route(const struct msi_state *s, u32 v, u64 *addr, u32 *data);
enum msix_vec_state msi_vec_state(const struct msi_state *s, u32 v);

static inline bool msix_result_delivers(const struct msix_result *r, u32 v)
{
	return r->deliver[v / 64] & (1ULL << (v % 64));
}

#endif
