/* The one MSI-X model (virtio-pci and VFIO alike): vector table, PBA, entry
 * and function masks, latching while masked, delivery on unmask; and MSI
 * with per-vector masking. Pure: the device front-end delivers/reroutes. */
#ifndef LKVM_PCI_MSIX_H
#define LKVM_PCI_MSIX_H

#include "lkvm/util.h"

#define MSIX_MAX_VECTORS	2048
#define MSIX_ENTRY_SIZE		16
#define MSIX_ENTRY_LO		0	/* message address low */
#define MSIX_ENTRY_HI		4	/* message address high */
#define MSIX_ENTRY_DATA		8
#define MSIX_ENTRY_CTRL		12	/* bit 0: vector masked */
#define MSIX_CTRL_MASKBIT	1u

static inline u64 msix_table_size(u32 vectors)
{
	return (u64)vectors * MSIX_ENTRY_SIZE;
}

static inline u64 msix_pba_size(u32 vectors)
{
	return ((u64)vectors + 63) / 64 * 8;
}

/* u64 words of storage a table of nr vectors and its PBA need. */
#define MSIX_STORE_WORDS(nr)	((nr) * 2 + ((nr) + 63) / 64)

struct msix_state {
	u32 nr;				/* vectors, 1..MSIX_MAX_VECTORS */
	bool enabled;			/* control: MSI-X enable */
	bool func_masked;		/* control: function mask */
	u32 *tbl;			/* nr entries as four little dwords */
	u64 *pba;
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
	/* pending bits the model already cleared: deliver each exactly once */
	u64 deliver[MSIX_MAX_VECTORS / 64];
};

enum msix_fire_res {
	MSIX_DROPPED,			/* vector out of range or disabled */
	MSIX_DELIVER,			/* deliver now */
	MSIX_LATCHED,			/* masked: pending bit set */
};

/* Where a vector's interrupt goes: OFF (nowhere), MASKED (to the VMM,
 * which latches it with msix_fire()), LIVE (straight to the guest). */
enum msix_vec_state {
	MSIX_VEC_OFF,
	MSIX_VEC_MASKED,
	MSIX_VEC_LIVE,
};

/* Reset state over store (MSIX_STORE_WORDS(nr) words): nr vectors
 * (clamped to 1..MSIX_MAX_VECTORS), disabled, every entry masked. */
void msix_init(struct msix_state *s, u32 nr, u64 *store);
/* The state and its storage in one allocation (free() it); NULL: ENOMEM. */
struct msix_state *msix_new(u32 nr);
void msix_clear_pending(struct msix_state *s);

/*
 * Access rule, table and PBA alike (@off relative to the structure): the
 * PCI spec's aligned DWORD and QWORD accesses, plus naturally aligned byte
 * and word ones (allowed by PCI for the table); all inside the structure.
 * Linux, Windows and firmware use DWORDs (QWORDs on some 64-bit drivers).
 * Anything else reads 0 and ignores writes (returns false). Message
 * address bits 1:0 and control bits 31:1 are read-only 0; the PBA is
 * read-only. msix_table_write() fills @res.
 */
bool msix_table_read(const struct msix_state *s, u64 off, u8 *data, u32 len);
bool msix_table_write(struct msix_state *s, u64 off, const u8 *data,
		      u32 len, struct msix_result *res);
bool msix_pba_read(const struct msix_state *s, u64 off, u8 *data, u32 len);

/* Capability control word change: enable and function mask. */
void msix_set_ctrl(struct msix_state *s, bool enable, bool func_mask,
		   struct msix_result *res);

/* The device raised vector @v. */
enum msix_fire_res msix_fire(struct msix_state *s, u32 v);

bool msix_vec_masked(const struct msix_state *s, u32 v);	/* entry bit */
bool msix_pending(const struct msix_state *s, u32 v);
/* Message of vector @v as the guest programmed it (0, 0 past the table). */
void msix_route(const struct msix_state *s, u32 v, u64 *addr, u32 *data);
enum msix_vec_state msix_vec_state(const struct msix_state *s, u32 v);
/* msix_vec_state() of every vector into @out[0..nr). */
void msix_vec_states(const struct msix_state *s, u8 *out);

struct msix_range {
	u32 start;
	u32 count;
};

/* Fewest contiguous ranges (at most @max; the last one is stretched past
 * that) covering the vectors whose u8 states differ between @old and @new
 * (@nr each): one VFIO_DEVICE_SET_IRQS per range. Returns the count. */
u32 msix_changed_ranges(const u8 *old, const u8 *new, u32 nr,
			struct msix_range *out, u32 max);

/* Bit v of a vector bitmap (PBA, msix_result.deliver). */
static inline bool msix_bit(const u64 *map, u32 v)
{
	return map[v / 64] & (1ULL << (v % 64));
}

static inline void msix_bit_set(u64 *map, u32 v, bool on)
{
	u64 b = 1ULL << (v % 64);

	map[v / 64] = on ? map[v / 64] | b : map[v / 64] & ~b;
}

static inline bool msix_result_delivers(const struct msix_result *r, u32 v)
{
	return msix_bit(r->deliver, v);
}

static inline void msix_result_add(struct msix_result *r, u32 v)
{
	msix_bit_set(r->deliver, v, true);
	r->nr_deliver++;
	r->flags |= MSIX_R_DELIVER;
}

/* ---- MSI with per-vector masking (same result types) ---- */

#define MSI_MAX_VECTORS		32

struct msi_state {
	bool enabled;
	bool maskable;			/* per-vector masking capable */
	u32 nr;				/* enabled vectors (1 << MME) */
	u64 addr;
	u16 data;
	u32 mask;
	u32 pending;
};

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

#endif
