/* BAR mapping planner: splits one passed-through BAR into host-page aligned
 * ranges that are mmap'ed into a KVM memslot (MAP) or trapped, and tags the
 * trapped ranges (MSI-X table, PBA, forwarded registers). Pure, no ioctls. */
#ifndef LKVM_VFIO_BAR_PLAN_H
#define LKVM_VFIO_BAR_PLAN_H

#include <stdio.h>
#include "lkvm/util.h"
#include "pci/msix.h"

#define PCI_NUM_BARS		6
#define BAR_PLAN_MAX_SPARSE	16
#define BAR_PLAN_MAX_RANGES	64
/* PCI: no other registers in a 4 KiB block holding MSI-X table or PBA */
#define MSIX_BLOCK_SIZE		4096ULL

/* A byte range inside a BAR; size 0 means "absent". */
struct bar_area {
	u64 offset;
	u64 size;
};

/*
 * One BAR as the host PCI core and VFIO describe it: the first four fields
 * come from config space, the rest from VFIO_DEVICE_GET_REGION_INFO (flag
 * MMAP, capabilities MSIX_MAPPABLE and SPARSE_MMAP).
 */
struct bar_region {
	u64 size;		/* 0: BAR not implemented */
	bool is_io;
	bool is_64;		/* 64-bit memory BAR: also owns the next slot */
	bool prefetch;
	bool mmap;		/* VFIO_REGION_INFO_FLAG_MMAP */
	bool msix_mappable;	/* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE */
	bool has_sparse;	/* VFIO_REGION_INFO_CAP_SPARSE_MMAP present */
	u32 nr_sparse;		/* may be 0 with has_sparse: nothing mappable */
	struct bar_area sparse[BAR_PLAN_MAX_SPARSE];
};

/* MSI-X capability contents (physical location on the host device). */
struct msix_info {
	u32 vectors;		/* table size field + 1 */
	u8 table_bir;
	u64 table_offset;
	u8 pba_bir;
	u64 pba_offset;
};

/* Decodes the capability's Message Control, Table and PBA registers into
 * m. Returns 0, or -1 when a BIR names no BAR (6 or 7). */
int msix_info_decode(u16 ctrl, u32 table, u32 pba, struct msix_info *m);

/* Everything the planners need to know about one device. */
struct pci_bar_layout {
	struct bar_region bar[PCI_NUM_BARS];
	bool has_msix;
	struct msix_info msix;
};

/* What the MSI-X structures look like from one BAR's point of view. */
struct bar_msix {
	struct bar_area table;	/* size 0: not in this BAR */
	struct bar_area pba;	/* size 0: not in this BAR */
	/*
	 * The guest sees MSI-X elsewhere (relocated): table/PBA bytes here
	 * are plain device bytes, only the host kernel's mmap rules still
	 * apply to them.
	 */
	bool relocated;
};

enum bar_range_kind {
	BAR_RANGE_NONE = 0,	/* offset outside the plan */
	BAR_RANGE_MAP,		/* mmap + KVM memslot */
	BAR_RANGE_FORWARD,	/* trap, pread/pwrite the device region */
	/*
	 * Trap, emulated MSI-X table / PBA. The range also covers the spare
	 * bytes of the structure's 4 KiB blocks (read 0, writes ignored), so
	 * handlers must bounds-check against the vector count.
	 */
	BAR_RANGE_MSIX_TABLE,
	BAR_RANGE_MSIX_PBA,
	BAR_RANGE_PAD,		/* trap, virtual only: reads 0, writes dropped */
};

struct bar_range {
	u64 offset;
	u64 size;
	enum bar_range_kind kind;
};

/* Ordered, gap-free ranges covering [0, size). */
struct bar_plan {
	u64 size;
	u64 page_size;
	u32 nr;
	struct bar_range r[BAR_PLAN_MAX_RANGES];
	/*
	 * FORWARD bytes inside host pages that also hold the table or PBA:
	 * registers that trap only because of MSI-X (0 with 4 KiB pages).
	 */
	u64 msix_shared_bytes;
};

/*
 * Builds the plan for one physical BAR. @msix may be NULL (no MSI-X here).
 * Returns 0, or -1 with a reason in @err (bad page size, table/PBA outside
 * the BAR, too many ranges).
 */
int bar_plan_build(const struct bar_region *bar, const struct bar_msix *msix,
		   u64 page_size, struct bar_plan *plan, char *err,
		   size_t errlen);

/* Fills @msix with the parts of the layout's MSI-X that live in BAR @bir. */
void bar_plan_msix_for_bar(const struct pci_bar_layout *l, int bir,
			   bool relocated, struct bar_msix *msix);

/* bar_plan_build() for BAR @bir of a layout. */
int bar_plan_build_layout(const struct pci_bar_layout *l, int bir,
			  bool relocated, u64 page_size, struct bar_plan *plan,
			  char *err, size_t errlen);

/* The range containing @offset, or NULL when outside the BAR. */
const struct bar_range *bar_plan_lookup(const struct bar_plan *plan,
					u64 offset);

/* Kind of the range at @offset (BAR_RANGE_NONE outside); for trap handlers. */
enum bar_range_kind bar_plan_kind_at(const struct bar_plan *plan, u64 offset);

/* Appends one range, merging with the last one when kinds match. */
int bar_plan_append(struct bar_plan *plan, u64 offset, u64 size,
		    enum bar_range_kind kind);

const char *bar_range_kind_name(enum bar_range_kind kind);

/* "MAP     0x0-0x2000 (0x2000)"-style line, no newline. */
int bar_range_format(const struct bar_range *r, char *buf, size_t len);

/* pr_debug() one line per range, prefixed with @name ("01:00.0 BAR3"). */
void bar_plan_print(const struct bar_plan *plan, const char *name);

#endif
