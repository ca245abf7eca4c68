/* MSI-X relocation chooser (include/vfio/msix_reloc.h): parses the
 * msix-relocation= option, picks a free BAR slot or a BAR to enlarge for
 * the emulated table/PBA, and builds the guest-visible BAR plans. */
#include <stdio.h>
#include <string.h>
#include "vfio/msix_reloc.h"

/*
 * Rules:
 *  - six BAR slots; a 64-bit memory BAR owns its slot and the next one;
 *  - MSI-X lives in memory space only, never in an I/O BAR;
 *  - BAR sizes are powers of two, so enlarging one at least doubles it;
 *    the device's own range stays at the bottom and the table then the PBA
 *    (each starting on a host page) go in the added upper part;
 *  - a 32-bit memory BAR is at most 2 GiB;
 *  - a new BAR goes in an unused slot as a 32-bit non-prefetchable memory
 *    BAR, just big enough and at least one host page. An unused slot is
 *    preferred: it adds the least MMIO and leaves existing BARs untouched.
 */

int msix_reloc_parse(const char *s, struct msix_reloc_opt *opt, char *err,
		     size_t errlen)
{
	opt->bar = -1;
	if (!s || !strcmp(s, "off")) {
		opt->mode = MSIX_RELOC_OFF;
		return 0;
	}
	if (!strcmp(s, "auto")) {
		opt->mode = MSIX_RELOC_AUTO;
		return 0;
	}
	if (!strncmp(s, "bar", 3) && s[3] >= '0' && s[3] <= '5' && !s[4]) {
		opt->mode = MSIX_RELOC_BAR;
		opt->bar = s[3] - '0';
		return 0;
	}
	return set_err(err, errlen, "invalid msix-relocation '%s': use off, "
		       "auto or bar0..bar5", s);
}

static u64 pow2_roundup(u64 x)
{
	u64 p = 1;

	while (p < x && p)
		p <<= 1;
	return p;
}

static bool slot_is_upper(const struct pci_bar_layout *l, int i)
{
	const struct bar_region *lo = i > 0 ? &l->bar[i - 1] : NULL;

	return lo && lo->size && !lo->is_io && lo->is_64;
}

static bool slot_is_free(const struct pci_bar_layout *l, int i)
{
	return !l->bar[i].size && !slot_is_upper(l, i);
}

static u64 table_span(const struct pci_bar_layout *l, u64 page)
{
	return ALIGN_UP(msix_table_size(l->msix.vectors), page);
}

/* Bytes the emulated table + PBA need, each starting on a host page. */
static u64 msix_need(const struct pci_bar_layout *l, u64 page)
{
	return table_span(l, page) + ALIGN_UP(msix_pba_size(l->msix.vectors),
					      page);
}

static int check_layout(const struct pci_bar_layout *l, u64 page, char *err,
			size_t errlen)
{
	const struct msix_info *m = &l->msix;

	if (page < MSIX_BLOCK_SIZE || (page & (page - 1)))
		return set_err(err, errlen, "host page size 0x%llx is not a "
			       "power of two >= 4 KiB",
			       (unsigned long long)page);
	if (!l->has_msix)
		return set_err(err, errlen, "device has no MSI-X capability");
	if (!m->vectors || m->vectors > 2048)
		return set_err(err, errlen, "invalid MSI-X vector count %u",
			       m->vectors);
	if (m->table_bir >= PCI_NUM_BARS || m->pba_bir >= PCI_NUM_BARS)
		return set_err(err, errlen, "invalid MSI-X BIR (table %u, "
			       "PBA %u)", m->table_bir, m->pba_bir);
	return 0;
}

static void copy_vbars(const struct pci_bar_layout *l,
		       struct msix_reloc_result *res)
{
	int i;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		res->vbar_size[i] = l->bar[i].size;
		res->vbar_is_64[i] = l->bar[i].size && !l->bar[i].is_io &&
				     l->bar[i].is_64;
	}
}

static void place(const struct pci_bar_layout *l, int i, u64 base,
		  u64 vsize, u64 page, struct msix_reloc_result *res)
{
	res->relocate = true;
	res->target = i;
	res->created = !l->bar[i].size;
	res->target_old_size = l->bar[i].size;
	res->table_bir = (u8)i;
	res->table_offset = base;
	res->pba_bir = (u8)i;
	res->pba_offset = base + table_span(l, page);
	res->vbar_size[i] = vsize;
	if (res->created)
		res->vbar_is_64[i] = false;
	snprintf(res->reason, sizeof(res->reason), "MSI-X moved to %s BAR%d "
		 "(0x%llx bytes): table at 0x%llx, PBA at 0x%llx",
		 res->created ? "new" : "enlarged", i,
		 (unsigned long long)vsize, (unsigned long long)base,
		 (unsigned long long)res->pba_offset);
}

static int try_new_bar(const struct pci_bar_layout *l, int i, u64 page,
		       struct msix_reloc_result *res, char *why, size_t len)
{
	u64 vsize = pow2_roundup(MAX(msix_need(l, page), page));

	if (vsize > MSIX_RELOC_MAX_BAR32)
		return set_err(why, len, "a new 32-bit BAR%d of 0x%llx bytes "
			       "would exceed 2 GiB", i,
			       (unsigned long long)vsize);
	place(l, i, 0, vsize, page, res);
	return 0;
}

static int try_extend(const struct pci_bar_layout *l, int i, u64 page,
		      struct msix_reloc_result *res, char *why, size_t len)
{
	const struct bar_region *b = &l->bar[i];
	u64 base = ALIGN_UP(b->size, page);
	u64 vsize = pow2_roundup(base + msix_need(l, page));
	u64 limit = b->is_64 ? MSIX_RELOC_MAX_BAR64 : MSIX_RELOC_MAX_BAR32;

	if (!vsize || vsize > limit)
		return set_err(why, len, "enlarging %s BAR%d from 0x%llx to "
			       "0x%llx bytes would exceed %s", b->is_64 ?
			       "64-bit" : "32-bit", i,
			       (unsigned long long)b->size,
			       (unsigned long long)vsize, b->is_64 ?
			       "the 64-bit BAR limit" :
			       "2 GiB, the limit of a 32-bit BAR");
	place(l, i, base, vsize, page, res);
	return 0;
}

/* Relocates into slot @i (new or enlarged BAR) or says why not. */
static int try_target(const struct pci_bar_layout *l, int i, u64 page,
		      struct msix_reloc_result *res, char *why, size_t len)
{
	if (i < 0 || i >= PCI_NUM_BARS)
		return set_err(why, len, "there is no BAR%d", i);
	if (slot_is_upper(l, i))
		return set_err(why, len, "BAR%d is the upper half of 64-bit "
			       "BAR%d", i, i - 1);
	if (slot_is_free(l, i))
		return try_new_bar(l, i, page, res, why, len);
	if (l->bar[i].is_io)
		return set_err(why, len, "BAR%d is an I/O BAR; MSI-X must live "
			       "in memory space", i);
	return try_extend(l, i, page, res, why, len);
}

/* Bytes FORWARDed in @a that are MAPped in @b. */
static u64 forward_to_map(const struct bar_plan *a, const struct bar_plan *b)
{
	u64 sum = 0;
	u32 i, j;

	for (i = 0; i < a->nr; i++) {
		const struct bar_range *f = &a->r[i];

		if (f->kind != BAR_RANGE_FORWARD)
			continue;
		for (j = 0; j < b->nr; j++) {
			const struct bar_range *m = &b->r[j];
			u64 lo = MAX(f->offset, m->offset);
			u64 hi = MIN(f->offset + f->size, m->offset + m->size);

			if (m->kind == BAR_RANGE_MAP && lo < hi)
				sum += hi - lo;
		}
	}
	return sum;
}

struct msix_need_info {
	u64 shared;	/* FORWARD bytes sharing pages with table/PBA */
	u64 gain;	/* of those (or others) that relocation would map */
};

static int assess_bar(const struct pci_bar_layout *l, int bir, u64 page,
		      struct msix_need_info *n, char *err, size_t errlen)
{
	struct bar_plan now, moved;

	if (bar_plan_build_layout(l, bir, false, page, &now, err, errlen) ||
	    bar_plan_build_layout(l, bir, true, page, &moved, err, errlen))
		return -1;
	n->shared += now.msix_shared_bytes;
	n->gain += forward_to_map(&now, &moved);
	return 0;
}

static int assess(const struct pci_bar_layout *l, u64 page,
		  struct msix_need_info *n, char *err, size_t errlen)
{
	memset(n, 0, sizeof(*n));
	if (assess_bar(l, l->msix.table_bir, page, n, err, errlen))
		return -1;
	if (l->msix.pba_bir == l->msix.table_bir)
		return 0;
	return assess_bar(l, l->msix.pba_bir, page, n, err, errlen);
}

/* Memory BARs sorted by size (then index) into @order; returns count. */
static int extend_order(const struct pci_bar_layout *l, int *order)
{
	int i, j, n = 0;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		const struct bar_region *b = &l->bar[i];

		if (!b->size || b->is_io || slot_is_upper(l, i))
			continue;
		for (j = n; j > 0 && l->bar[order[j - 1]].size > b->size; j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	return n;
}

static void choose_auto_target(const struct pci_bar_layout *l, u64 page,
			       struct msix_reloc_result *res)
{
	char why[128] = "no memory BAR to enlarge";
	int order[PCI_NUM_BARS];
	int i, n;

	for (i = 0; i < PCI_NUM_BARS; i++)
		if (slot_is_free(l, i) &&
		    !try_new_bar(l, i, page, res, why, sizeof(why)))
			return;
	n = extend_order(l, order);
	for (i = 0; i < n; i++)
		if (!try_extend(l, order[i], page, res, why, sizeof(why)))
			return;
	snprintf(res->reason, sizeof(res->reason), "no free BAR slot and no "
		 "memory BAR can be enlarged (%s); MSI-X traps in place", why);
}

/* What MSI-X in place costs, as the result stands, and whether moving it
 * would map those registers. */
static void note_cost(struct msix_reloc_result *res,
		      const struct msix_need_info *n)
{
	res->trapped_bytes = res->relocate ? 0 : n->shared;
	res->relocation_helps = n->gain > 0;
}

static int choose_auto(const struct pci_bar_layout *l, u64 page,
		       struct msix_reloc_result *res, char *err, size_t errlen)
{
	struct msix_need_info n;

	if (assess(l, page, &n, err, errlen))
		return -1;
	if (!n.shared)
		snprintf(res->reason, sizeof(res->reason), "MSI-X table and "
			 "PBA share no host page (0x%llx) with other "
			 "registers", (unsigned long long)page);
	else if (!n.gain)
		snprintf(res->reason, sizeof(res->reason), "MSI-X shares a "
			 "host page with registers, but relocating would not "
			 "let them be mapped (BAR below a host page, not "
			 "mmap-able, or the kernel forbids it)");
	else
		choose_auto_target(l, page, res);
	note_cost(res, &n);
	return 0;
}

/* off: MSI-X stays, but say what it costs. */
static int choose_off(const struct pci_bar_layout *l, u64 page,
		      struct msix_reloc_result *res, char *err, size_t errlen)
{
	struct msix_need_info n;

	if (assess(l, page, &n, err, errlen))
		memset(&n, 0, sizeof(n));	/* the cost is unknown; off still holds */
	snprintf(res->reason, sizeof(res->reason), "msix-relocation=off%s",
		 n.gain ? " (auto would map them)" : "");
	note_cost(res, &n);
	return 0;
}

int msix_reloc_choose(const struct pci_bar_layout *l,
		      const struct msix_reloc_opt *opt, u64 page,
		      struct msix_reloc_result *res, char *err, size_t errlen)
{
	char why[128];

	memset(res, 0, sizeof(*res));
	res->target = -1;
	copy_vbars(l, res);
	if (check_layout(l, page, err, errlen))
		return -1;
	res->table_bir = l->msix.table_bir;
	res->table_offset = l->msix.table_offset;
	res->pba_bir = l->msix.pba_bir;
	res->pba_offset = l->msix.pba_offset;
	switch (opt->mode) {
	case MSIX_RELOC_OFF:
		return choose_off(l, page, res, err, errlen);
	case MSIX_RELOC_AUTO:
		return choose_auto(l, page, res, err, errlen);
	case MSIX_RELOC_BAR:
		if (!try_target(l, opt->bar, page, res, why, sizeof(why)))
			return 0;
		return set_err(err, errlen, "msix-relocation=bar%d: %s",
			       opt->bar, why);
	}
	return set_err(err, errlen, "invalid msix-relocation mode %d",
		       (int)opt->mode);
}

/* Emulated part: table and PBA spans (4 KiB blocks, as in bar_plan.c). */
static int append_emulated(const struct pci_bar_layout *l,
			   const struct msix_reloc_result *res,
			   struct bar_plan *plan)
{
	u64 tend = res->table_offset +
		   ALIGN_UP(msix_table_size(l->msix.vectors), MSIX_BLOCK_SIZE);
	u64 pend = res->pba_offset +
		   ALIGN_UP(msix_pba_size(l->msix.vectors), MSIX_BLOCK_SIZE);
	u64 end = res->vbar_size[res->target];
	int ret = 0;

	ret |= bar_plan_append(plan, plan->size, res->table_offset -
			       plan->size, BAR_RANGE_PAD);
	ret |= bar_plan_append(plan, res->table_offset,
			       tend - res->table_offset, BAR_RANGE_MSIX_TABLE);
	ret |= bar_plan_append(plan, tend, res->pba_offset - tend,
			       BAR_RANGE_PAD);
	ret |= bar_plan_append(plan, res->pba_offset, pend - res->pba_offset,
			       BAR_RANGE_MSIX_PBA);
	ret |= bar_plan_append(plan, pend, end - pend, BAR_RANGE_PAD);
	plan->size = end;
	return ret;
}

int msix_reloc_bar_plan(const struct pci_bar_layout *l,
			const struct msix_reloc_result *res, int bir,
			u64 page, struct bar_plan *plan, char *err,
			size_t errlen)
{
	if (bar_plan_build_layout(l, bir, res->relocate, page, plan, err,
				  errlen))
		return -1;
	if (!res->relocate || bir != res->target)
		return 0;
	if (append_emulated(l, res, plan))
		return set_err(err, errlen, "BAR plan needs more than %d "
			       "ranges", BAR_PLAN_MAX_RANGES);
	return 0;
}
