/* MSI with per-vector masking for an assigned device, on the MSI-X model's
 * result types (pci/msix.h), and the VFIO_DEVICE_SET_IRQS ranges for a
 * change of vector states. Pure. */
#ifndef LKVM_VFIO_MSIX_H
#define LKVM_VFIO_MSIX_H

#include "pci/msix.h"

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

struct msix_range {
	u32 start;
	u32 count;
};

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

#endif
