/* MSI-X relocation chooser for msix-relocation=off|auto|bar<N>: decides
 * whether to move the guest-visible MSI-X table and PBA into a new or
 * enlarged BAR, and where. Pure computation over a struct pci_bar_layout. */
#ifndef LKVM_VFIO_MSIX_RELOC_H
#define LKVM_VFIO_MSIX_RELOC_H

#include "vfio/bar_plan.h"

#define MSIX_RELOC_MAX_BAR32	(2 * SZ_1G)	/* largest 32-bit memory BAR */
#define MSIX_RELOC_MAX_BAR64	(1ULL << 62)	/* sanity cap for 64-bit BARs */

enum msix_reloc_mode {
	MSIX_RELOC_OFF,
	MSIX_RELOC_AUTO,
	MSIX_RELOC_BAR,		/* explicit target: msix_reloc_opt.bar */
};

struct msix_reloc_opt {
	enum msix_reloc_mode mode;
	int bar;
};

struct msix_reloc_result {
	bool relocate;		/* false: MSI-X stays in place and traps */
	char reason[256];	/* why not relocated / what was done */
	/* Register bytes that share a host page with the table or PBA and so
	 * trap as the result stands (0 once relocated), and whether moving
	 * MSI-X would let them be mapped (what msix-relocation=auto looks at). */
	u64 trapped_bytes;
	bool relocation_helps;

	/* Valid when relocate: the guest-visible MSI-X capability. */
	u8 table_bir;
	u64 table_offset;
	u8 pba_bir;
	u64 pba_offset;
	int target;		/* == table_bir == pba_bir */
	bool created;		/* target was an unused slot, now 32-bit mem */
	u64 target_old_size;	/* physical size (0 when created) */

	/* Guest-visible BARs after relocation (copies when not relocating). */
	u64 vbar_size[PCI_NUM_BARS];
	bool vbar_is_64[PCI_NUM_BARS];
};

/* Parses "off", "auto" or "bar0".."bar5". Returns 0 or -1 with @err. */
int msix_reloc_parse(const char *s, struct msix_reloc_opt *opt, char *err,
		     size_t errlen);

/*
 * Chooses a relocation for @l at host page size @page.
 *  off:     never relocates.
 *  auto:    relocates only when the table or PBA shares a host page with
 *           other device bytes AND relocating lets more of the BAR be
 *           mapped; otherwise returns 0 with relocate = false and a reason.
 *  bar<N>:  relocates into BAR N or fails.
 * Returns 0, or -1 with @err when an explicit bar<N> is impossible or the
 * input is invalid (no MSI-X, bad page size...).
 */
int msix_reloc_choose(const struct pci_bar_layout *l,
		      const struct msix_reloc_opt *opt, u64 page,
		      struct msix_reloc_result *res, char *err, size_t errlen);

/*
 * Plan of guest-visible BAR @bir after @res: the physical part maps or
 * forwards (MSI-X no longer trapped there when relocated), the added part
 * holds the emulated table/PBA and PAD. Without relocation this equals
 * bar_plan_build_layout(). Returns 0 or -1 with @err.
 */
int msix_reloc_bar_plan(const struct pci_bar_layout *l,
			const struct msix_reloc_result *res, int bir,
			u64 page, struct bar_plan *plan, char *err,
			size_t errlen);

#endif
