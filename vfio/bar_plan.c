/* BAR mapping planner (include/vfio/bar_plan.h): decides which host pages
 * of a passed-through BAR are mmap'ed into the guest and which trap, and
 * formats the plan for --debug. Pure computation, no KVM or VFIO calls. */
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "vfio/bar_plan.h"

int msix_info_decode(u16 ctrl, u32 table, u32 pba, struct msix_info *m)
{
	m->vectors = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	m->table_bir = table & PCI_MSIX_TABLE_BIR;
	m->table_offset = table & PCI_MSIX_TABLE_OFFSET;
	m->pba_bir = pba & PCI_MSIX_PBA_BIR;
	m->pba_offset = pba & PCI_MSIX_PBA_OFFSET;
	return m->table_bir < PCI_NUM_BARS && m->pba_bir < PCI_NUM_BARS ?
	       0 : -1;
}

/*
 * What we assume about the host kernel (drivers/vfio/pci/vfio_pci_core.c):
 *
 *  - Since Linux 4.16 the MSI-X BAR reports VFIO_REGION_INFO_CAP_MSIX_MAPPABLE
 *    and the whole BAR may be mmap'ed; trapping the table is our own choice.
 *  - Older kernels instead reported SPARSE_MMAP areas for the MSI-X BAR and
 *    refused mmap of anything overlapping the table, rounded out to host
 *    pages: [ALIGN_DOWN(table, PAGE), PAGE_ALIGN(table + vectors * 16)).
 *    Only the table is excluded, never the PBA. When the region has neither
 *    capability we apply that same rule ourselves.
 *  - Sparse areas, when given, are obeyed exactly (shrunk inward to host
 *    pages, which the kernel always gives anyway).
 *  - pread/pwrite of the table bytes are dropped/read as ~0 by the kernel,
 *    so they are never FORWARDed: they are emulated.
 *
 * The PCI spec (MSI-X, "Table and PBA") forbids other registers in any
 * naturally aligned 4 KiB block holding part of the table or PBA. So the
 * table and PBA tags cover their whole 4 KiB blocks (a block holding both
 * is split at the start of the later one), and FORWARD bytes in a trapped
 * host page are registers only when the host page is larger than 4 KiB.
 */

#define MAX_POINTS	(8 + 2 * 2 + 2 * BAR_PLAN_MAX_SPARSE)

struct plan_ctx {
	const struct bar_region *bar;
	struct bar_area table;
	struct bar_area pba;
	struct bar_area table_span;	/* table + rest of its 4K blocks */
	struct bar_area pba_span;
	bool relocated;
	bool mappable;		/* region can be mmap'ed at all */
	u64 page;
	u64 map_end;		/* last whole host page end */
	struct bar_area table_pages;
	struct bar_area pba_pages;
	u64 pts[MAX_POINTS];
	u32 nr_pts;
};

static bool area_has(const struct bar_area *a, u64 off)
{
	return a->size && off >= a->offset && off - a->offset < a->size;
}

static struct bar_area pages_of(const struct bar_area *a, u64 page, u64 lim)
{
	struct bar_area p = { 0, 0 };
	u64 start, end;

	if (!a->size)
		return p;
	start = ALIGN_DOWN(a->offset, page);
	end = MIN(ALIGN_UP(a->offset + a->size, page), lim);
	p.offset = start;
	p.size = end - start;
	return p;
}

static u64 area_end(const struct bar_area *a)
{
	return a->offset + a->size;
}

static void set_end(struct bar_area *a, u64 end)
{
	a->size = end > a->offset ? end - a->offset : 0;
}

/*
 * Tag spans: each structure widened to its 4 KiB blocks; when the table and
 * PBA share a block, the later structure starts its span at its own offset.
 * Overlapping structures (a spec violation) are not cut: the table wins.
 */
static void msix_spans(struct plan_ctx *c)
{
	struct bar_area *t = &c->table_span, *p = &c->pba_span;

	*t = pages_of(&c->table, MSIX_BLOCK_SIZE, c->bar->size);
	*p = pages_of(&c->pba, MSIX_BLOCK_SIZE, c->bar->size);
	if (!t->size || !p->size)
		return;
	if (area_end(&c->table) <= c->pba.offset && area_end(t) > p->offset) {
		u64 end = area_end(p);

		set_end(t, c->pba.offset);
		p->offset = c->pba.offset;
		set_end(p, end);
	} else if (area_end(&c->pba) <= c->table.offset &&
		   area_end(p) > t->offset) {
		u64 end = area_end(t);

		set_end(p, c->table.offset);
		t->offset = c->table.offset;
		set_end(t, end);
	}
}

static void add_point(struct plan_ctx *c, u64 p)
{
	u64 size = c->bar->size;
	u32 i;

	if (p > size)
		p = size;
	for (i = 0; i < c->nr_pts; i++)
		if (c->pts[i] == p)
			return;
	if (c->nr_pts < MAX_POINTS)
		c->pts[c->nr_pts++] = p;
}

static void add_area_points(struct plan_ctx *c, const struct bar_area *a)
{
	if (!a->size)
		return;
	add_point(c, a->offset);
	add_point(c, a->offset + a->size);
}

static void sort_points(struct plan_ctx *c)
{
	u32 i, j;

	for (i = 1; i < c->nr_pts; i++) {
		u64 v = c->pts[i];

		for (j = i; j > 0 && c->pts[j - 1] > v; j--)
			c->pts[j] = c->pts[j - 1];
		c->pts[j] = v;
	}
}

/* A sparse area shrunk inward to whole host pages (may become empty). */
static struct bar_area sparse_pages(const struct plan_ctx *c, u32 i)
{
	const struct bar_area *s = &c->bar->sparse[i];
	struct bar_area p = { 0, 0 };
	u64 start = ALIGN_UP(s->offset, c->page);
	u64 end = ALIGN_DOWN(MIN(s->offset + s->size, c->map_end), c->page);

	if (s->offset >= c->map_end || start >= end)
		return p;
	p.offset = start;
	p.size = end - start;
	return p;
}

/* Does the host kernel let us mmap the page at @off? */
static bool host_allows(const struct plan_ctx *c, u64 off)
{
	u32 i;

	if (off >= c->map_end)
		return false;
	if (c->bar->has_sparse) {
		for (i = 0; i < c->bar->nr_sparse; i++) {
			struct bar_area a = sparse_pages(c, i);

			if (area_has(&a, off))
				return true;
		}
		return false;
	}
	if (!c->bar->msix_mappable && area_has(&c->table_pages, off))
		return false;
	return true;
}

static bool in_trap_pages(const struct plan_ctx *c, u64 off)
{
	if (c->relocated)
		return false;
	return area_has(&c->table_pages, off) || area_has(&c->pba_pages, off);
}

static enum bar_range_kind classify(const struct plan_ctx *c, u64 off)
{
	if (!c->relocated && area_has(&c->table_span, off))
		return BAR_RANGE_MSIX_TABLE;
	if (!c->relocated && area_has(&c->pba_span, off))
		return BAR_RANGE_MSIX_PBA;
	if (c->mappable && host_allows(c, off) && !in_trap_pages(c, off))
		return BAR_RANGE_MAP;
	return BAR_RANGE_FORWARD;
}

static int check_area(const struct bar_area *a, u64 size, const char *what,
		      char *err, size_t errlen)
{
	if (!a->size)
		return 0;
	if (a->offset >= size || a->size > size - a->offset)
		return set_err(err, errlen, "MSI-X %s [0x%llx-0x%llx) lies "
			       "outside the 0x%llx-byte BAR", what,
			       (unsigned long long)a->offset,
			       (unsigned long long)(a->offset + a->size),
			       (unsigned long long)size);
	return 0;
}

static int init_ctx(struct plan_ctx *c, const struct bar_region *bar,
		    const struct bar_msix *msix, u64 page, char *err,
		    size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->bar = bar;
	c->page = page;
	if (!page || (page & (page - 1)))
		return set_err(err, errlen, "host page size 0x%llx is not a "
			       "power of two", (unsigned long long)page);
	if (bar->nr_sparse > BAR_PLAN_MAX_SPARSE)
		return set_err(err, errlen, "%u sparse mmap areas, at most %d "
			       "supported", bar->nr_sparse,
			       BAR_PLAN_MAX_SPARSE);
	if (msix) {
		c->table = msix->table;
		c->pba = msix->pba;
		c->relocated = msix->relocated;
	}
	if (check_area(&c->table, bar->size, "table", err, errlen) ||
	    check_area(&c->pba, bar->size, "PBA", err, errlen))
		return -1;
	c->mappable = !bar->is_io && bar->mmap && bar->size >= page;
	c->map_end = ALIGN_DOWN(bar->size, page);
	c->table_pages = pages_of(&c->table, page, bar->size);
	c->pba_pages = pages_of(&c->pba, page, bar->size);
	msix_spans(c);
	return 0;
}

static void collect_points(struct plan_ctx *c)
{
	u32 i;

	add_point(c, 0);
	add_point(c, c->bar->size);
	add_point(c, c->map_end);
	add_area_points(c, &c->table_span);
	add_area_points(c, &c->pba_span);
	add_area_points(c, &c->table_pages);
	add_area_points(c, &c->pba_pages);
	for (i = 0; c->bar->has_sparse && i < c->bar->nr_sparse; i++) {
		struct bar_area a = sparse_pages(c, i);

		add_area_points(c, &a);
	}
	sort_points(c);
}

int bar_plan_append(struct bar_plan *plan, u64 offset, u64 size,
		    enum bar_range_kind kind)
{
	struct bar_range *last = plan->nr ? &plan->r[plan->nr - 1] : NULL;

	if (!size)
		return 0;
	if (last && last->kind == kind && last->offset + last->size == offset) {
		last->size += size;
		return 0;
	}
	if (plan->nr >= BAR_PLAN_MAX_RANGES)
		return -1;
	plan->r[plan->nr].offset = offset;
	plan->r[plan->nr].size = size;
	plan->r[plan->nr].kind = kind;
	plan->nr++;
	return 0;
}

int bar_plan_build(const struct bar_region *bar, const struct bar_msix *msix,
		   u64 page_size, struct bar_plan *plan, char *err,
		   size_t errlen)
{
	struct plan_ctx c;
	u32 i;

	memset(plan, 0, sizeof(*plan));
	plan->page_size = page_size;
	if (init_ctx(&c, bar, msix, page_size, err, errlen))
		return -1;
	plan->size = bar->size;
	collect_points(&c);
	for (i = 0; i + 1 < c.nr_pts; i++) {
		u64 a = c.pts[i], len = c.pts[i + 1] - a;
		enum bar_range_kind k = classify(&c, a);

		if (k == BAR_RANGE_FORWARD && in_trap_pages(&c, a))
			plan->msix_shared_bytes += len;
		if (bar_plan_append(plan, a, len, k))
			return set_err(err, errlen, "BAR plan needs more than "
				       "%d ranges", BAR_PLAN_MAX_RANGES);
	}
	return 0;
}

void bar_plan_msix_for_bar(const struct pci_bar_layout *l, int bir,
			   bool relocated, struct bar_msix *msix)
{
	const struct msix_info *m = &l->msix;

	memset(msix, 0, sizeof(*msix));
	msix->relocated = relocated;
	if (!l->has_msix)
		return;
	if (m->table_bir == bir) {
		msix->table.offset = m->table_offset;
		msix->table.size = msix_table_size(m->vectors);
	}
	if (m->pba_bir == bir) {
		msix->pba.offset = m->pba_offset;
		msix->pba.size = msix_pba_size(m->vectors);
	}
}

int bar_plan_build_layout(const struct pci_bar_layout *l, int bir,
			  bool relocated, u64 page_size, struct bar_plan *plan,
			  char *err, size_t errlen)
{
	struct bar_msix msix;

	if (bir < 0 || bir >= PCI_NUM_BARS)
		return set_err(err, errlen, "BAR index %d out of range", bir);
	bar_plan_msix_for_bar(l, bir, relocated, &msix);
	return bar_plan_build(&l->bar[bir], &msix, page_size, plan, err,
			      errlen);
}

const struct bar_range *bar_plan_lookup(const struct bar_plan *plan,
					u64 offset)
{
	u32 lo = 0, hi = plan->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct bar_range *r = &plan->r[mid];

		if (offset < r->offset)
			hi = mid;
		else if (offset - r->offset >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

enum bar_range_kind bar_plan_kind_at(const struct bar_plan *plan, u64 offset)
{
	const struct bar_range *r = bar_plan_lookup(plan, offset);

	return r ? r->kind : BAR_RANGE_NONE;
}

const char *bar_range_kind_name(enum bar_range_kind kind)
{
	static const char *const names[] = {
		[BAR_RANGE_MAP] = "MAP", [BAR_RANGE_FORWARD] = "TRAP forward",
		[BAR_RANGE_MSIX_TABLE] = "TRAP msix-table",
		[BAR_RANGE_MSIX_PBA] = "TRAP msix-pba", [BAR_RANGE_PAD] = "TRAP pad",
	};

	return (unsigned int)kind < ARRAY_SIZE(names) && names[kind] ?
	       names[kind] : "NONE";
}

int bar_range_format(const struct bar_range *r, char *buf, size_t len)
{
	return snprintf(buf, len, "%-15s 0x%llx-0x%llx (0x%llx)",
			bar_range_kind_name(r->kind),
			(unsigned long long)r->offset,
			(unsigned long long)(r->offset + r->size),
			(unsigned long long)r->size);
}

void bar_plan_print(const struct bar_plan *plan, const char *name)
{
	char line[96];
	u32 i;

	pr_debug("%s: %u range(s), host page 0x%llx", name, plan->nr,
		 (unsigned long long)plan->page_size);
	for (i = 0; i < plan->nr; i++) {
		bar_range_format(&plan->r[i], line, sizeof(line));
		pr_debug("%s:   %s", name, line);
	}
}
