/* Shared unit-test fixtures: BAR and MSI-X layouts of real (and a few
 * synthetic) PCI devices as the host and a modern VFIO kernel report them,
 * plus a helper that mimics pre-4.16 kernels' sparse mmap areas. */
#ifndef LKVM_TESTS_VFIO_LAYOUTS_H
#define LKVM_TESTS_VFIO_LAYOUTS_H

#include <stdio.h>
#include "vfio/bar_plan.h"

#ifndef SZ_4K
#define SZ_4K	0x1000ULL
#endif
#ifndef SZ_16K
#define SZ_16K	0x4000ULL
#endif
#ifndef SZ_64K
#define SZ_64K	0x10000ULL
#endif

static const u64 host_pages[] = { SZ_4K, SZ_16K, SZ_64K };

/* A memory BAR as a modern (>= 4.16) kernel reports it. */
#define MEM32(sz)	{ .size = (sz), .mmap = true, .msix_mappable = true }
#define MEM64(sz)	{ .size = (sz), .is_64 = true, .mmap = true,	\
			  .msix_mappable = true }
#define MEM64P(sz)	{ .size = (sz), .is_64 = true, .prefetch = true, \
			  .mmap = true, .msix_mappable = true }
#define IOBAR(sz)	{ .size = (sz), .is_io = true }

/* Intel I350 port: MSI-X alone in BAR3, 10 vectors. */
static const struct pci_bar_layout layout_i350 = {
	.bar = { [0] = MEM32(128 * SZ_1K), [2] = IOBAR(32),
		 [3] = MEM32(16 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 10, .table_bir = 3, .table_offset = 0,
		  .pba_bir = 3, .pba_offset = 0x2000 },
};

/* SAS HBA: table and PBA at the top of the 64 KiB register BAR1. */
static const struct pci_bar_layout layout_sas = {
	.bar = { [0] = IOBAR(256), [1] = MEM64(64 * SZ_1K),
		 [3] = MEM64(256 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 16, .table_bir = 1, .table_offset = 0xe000,
		  .pba_bir = 1, .pba_offset = 0xf000 },
};

/* 100G NIC (ConnectX-like): 32 MiB 64-bit BAR0, table at 0x2000. */
static const struct pci_bar_layout layout_nic = {
	.bar = { [0] = MEM64P(32 * SZ_1M) },
	.has_msix = true,
	.msix = { .vectors = 64, .table_bir = 0, .table_offset = 0x2000,
		  .pba_bir = 0, .pba_offset = 0x3000 },
};

/* QEMU nvme: 16 KiB 64-bit BAR0, 65 vectors, nothing else. */
static const struct pci_bar_layout layout_nvme = {
	.bar = { [0] = MEM64(16 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 65, .table_bir = 0, .table_offset = 0x2000,
		  .pba_bir = 0, .pba_offset = 0x3000 },
};

/* QEMU e1000e: MSI-X alone in BAR3, 5 vectors. */
static const struct pci_bar_layout layout_e1000e = {
	.bar = { [0] = MEM32(128 * SZ_1K), [1] = MEM32(128 * SZ_1K),
		 [2] = IOBAR(32), [3] = MEM32(16 * SZ_1K) },
	.has_msix = true,
	.msix = { .vectors = 5, .table_bir = 3, .table_offset = 0,
		  .pba_bir = 3, .pba_offset = 0x2000 },
};

/* GPU: every slot used; MSI-X in the 16 MiB 32-bit register BAR0. */
static const struct pci_bar_layout layout_gpu = {
	.bar = { [0] = MEM32(16 * SZ_1M), [1] = MEM64P(256 * SZ_1M),
		 [3] = MEM64P(32 * SZ_1M), [5] = IOBAR(128) },
	.has_msix = true,
	.msix = { .vectors = 6, .table_bir = 0, .table_offset = 0xb90000,
		  .pba_bir = 0, .pba_offset = 0xba0000 },
};

/* Synthetic: six slots used, every memory BAR already at the 2 GiB cap. */
static const struct pci_bar_layout layout_full = {
	.bar = { [0] = MEM32(2 * SZ_1G), [1] = IOBAR(256),
		 [2] = MEM32(2 * SZ_1G), [3] = IOBAR(32), [4] = IOBAR(64),
		 [5] = MEM32(2 * SZ_1G) },
	.has_msix = true,
	.msix = { .vectors = 8, .table_bir = 0, .table_offset = 0x2000,
		  .pba_bir = 0, .pba_offset = 0x3000 },
};

/*
 * Turns the table BAR into what a pre-4.16 kernel reported: no
 * MSIX_MAPPABLE, SPARSE_MMAP areas around the page-aligned table only.
 */
static inline void layout_old_kernel(struct pci_bar_layout *l, u64 page)
{
	struct bar_region *b = &l->bar[l->msix.table_bir];
	u64 start = ALIGN_DOWN(l->msix.table_offset, page);
	u64 end = ALIGN_UP(l->msix.table_offset +
			   msix_table_size(l->msix.vectors), page);

	b->msix_mappable = false;
	b->has_sparse = true;
	b->nr_sparse = 0;
	if (start) {
		b->sparse[b->nr_sparse].offset = 0;
		b->sparse[b->nr_sparse++].size = start;
	}
	if (end < b->size) {
		b->sparse[b->nr_sparse].offset = end;
		b->sparse[b->nr_sparse++].size = b->size - end;
	}
}

/* Expected range, short names for tables of expectations. */
#define R_MAP(a, b)	{ (a), (b) - (a), BAR_RANGE_MAP }
#define R_FWD(a, b)	{ (a), (b) - (a), BAR_RANGE_FORWARD }
#define R_TBL(a, b)	{ (a), (b) - (a), BAR_RANGE_MSIX_TABLE }
#define R_PBA(a, b)	{ (a), (b) - (a), BAR_RANGE_MSIX_PBA }
#define R_PAD(a, b)	{ (a), (b) - (a), BAR_RANGE_PAD }

/* True when @p is exactly @exp; prints both plans otherwise. */
static inline bool plan_is(const struct bar_plan *p,
			   const struct bar_range *exp, u32 n)
{
	bool same = p->nr == n;
	char buf[4096];
	u32 i;

	for (i = 0; same && i < n; i++)
		same = p->r[i].offset == exp[i].offset &&
		       p->r[i].size == exp[i].size &&
		       p->r[i].kind == exp[i].kind;
	if (same)
		return true;
	fprintf(stderr, "plan mismatch, got:\n");
	for (i = 0; i < p->nr; i++) {
		bar_range_format(&p->r[i], buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
	fprintf(stderr, "expected:\n");
	for (i = 0; i < n; i++) {
		bar_range_format(&exp[i], buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
	return false;
}

#define PLAN_IS(p, ...)	({						\
	static const struct bar_range exp_[] = { __VA_ARGS__ };		\
	plan_is((p), exp_, ARRAY_SIZE(exp_));				\
})

#endif
