/* The vGICv3 (and ITS) snapshot state through the seam of
 * include/arm64/snapshot.h: the plan of device attributes in restore order
 * (Documentation/virt/kvm/devices/arm-vgic-v3.rst, arm-vgic-its.rst), saving
 * them after the ITS and LPI pending tables went to RAM, the codec, the check
 * against this VM's plan, and the restore with ITS_RESTORE_TABLES. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arm64/snapshot.h"

#define DIST		KVM_DEV_ARM_VGIC_GRP_DIST_REGS
#define REDIST		KVM_DEV_ARM_VGIC_GRP_REDIST_REGS
#define SYSREG		KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS
#define LEVEL		KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO
#define ITS		KVM_DEV_ARM_VGIC_GRP_ITS_REGS
#define CTRL		KVM_DEV_ARM_VGIC_GRP_CTRL
#define GICD_TYPER	0x0004
#define GICR_SGI	0x10000		/* the SGI/PPI frame */
#define GITS_CTLR	0x0000
#define A64_GIC_MAX	8192		/* attributes of the largest plan */
#define SR(op1, crn, crm, op2)	(3u << 14 | (op1) << 11 | (crn) << 7 | \
				 (crm) << 3 | (op2))

/* A register block: base offset, bytes per register, how many. */
struct block {
	const char *name;
	u32 base, stride;
};

static const struct block dist_blocks[] = {
	{ "GICD_CTLR", 0x0000, 4 }, { "GICD_TYPER", 0x0004, 4 },
	{ "GICD_IIDR", 0x0008, 4 }, { "GICD_IGROUPR", 0x0080, 4 },
	{ "GICD_ISENABLER", 0x0100, 4 }, { "GICD_ISPENDR", 0x0200, 4 },
	{ "GICD_ISACTIVER", 0x0300, 4 }, { "GICD_IPRIORITYR", 0x0400, 4 },
	{ "GICD_ICFGR", 0x0c00, 4 }, { "GICD_IROUTER", 0x6000, 8 },
};

static const struct block redist_blocks[] = {
	{ "GICR_CTLR", 0x0000, 4 }, { "GICR_PROPBASER", 0x0070, 8 },
	{ "GICR_PENDBASER", 0x0078, 8 },
	{ "GICR_IGROUPR0", GICR_SGI + 0x0080, 4 },
	{ "GICR_ISENABLER0", GICR_SGI + 0x0100, 4 },
	{ "GICR_ISPENDR0", GICR_SGI + 0x0200, 4 },
	{ "GICR_ISACTIVER0", GICR_SGI + 0x0300, 4 },
	{ "GICR_IPRIORITYR", GICR_SGI + 0x0400, 4 },
	{ "GICR_ICFGR", GICR_SGI + 0x0c00, 4 },
};

static const struct block its_blocks[] = {
	{ "GITS_CTLR", 0x0000, 8 }, { "GITS_IIDR", 0x0004, 8 },
	{ "GITS_CBASER", 0x0080, 8 }, { "GITS_CWRITER", 0x0088, 8 },
	{ "GITS_CREADR", 0x0090, 8 }, { "GITS_BASER", 0x0100, 8 },
};

/* ICC_* in the order they are restored: SRE and CTLR first. */
static const struct { const char *name; u32 enc; } icc_regs[] = {
	{ "ICC_SRE_EL1", SR(0, 12, 12, 5) }, { "ICC_CTLR_EL1", SR(0, 12, 12, 4) },
	{ "ICC_IGRPEN0_EL1", SR(0, 12, 12, 6) },
	{ "ICC_IGRPEN1_EL1", SR(0, 12, 12, 7) },
	{ "ICC_PMR_EL1", SR(0, 4, 6, 0) }, { "ICC_BPR0_EL1", SR(0, 12, 8, 3) },
	{ "ICC_BPR1_EL1", SR(0, 12, 12, 3) },
};
#define ICC_AP0R(n)	SR(0, 12, 8, 4 + (n))
#define ICC_AP1R(n)	SR(0, 12, 9, (n))

static bool wide(u32 group)
{
	return group == SYSREG || group == ITS;
}

/* ---- the plan (pure) ---- */

struct plan {
	struct a64_gic_reg *out;
	u32 n, max;
};

static void add(struct plan *p, u32 group, u64 attr)
{
	if (p->n < p->max)
		p->out[p->n] = (struct a64_gic_reg){ group, attr, 0 };
	p->n++;
}

/* count registers of stride bytes from base + first * 4; 8-byte ones
 * as two 32-bit halves (DIST, REDIST) */
static void add_run(struct plan *p, u32 group, u64 hi, u32 base, u32 first,
		    u32 count)
{
	u32 i;

	for (i = first; i < first + count; i++)
		add(p, group, hi | (base + i * 4));
}

static void plan_dist(struct plan *p, u32 nr)
{
	u32 w = nr / 32;	/* 32-bit words of one bit per INTID */

	add(p, DIST, 0x0008);	/* GICD_IIDR first (arm-vgic-v3.rst) */
	add(p, DIST, 0x0000);	/* GICD_CTLR */
	/* INTIDs 0-31 live in each redistributor (ARE) */
	add_run(p, DIST, 0, 0x0080, 1, w - 1);
	add_run(p, DIST, 0, 0x0400, 8, nr / 4 - 8);
	add_run(p, DIST, 0, 0x0c00, 2, nr / 16 - 2);
	add_run(p, DIST, 0, 0x6000, 64, (nr - 32) * 2);
	add_run(p, DIST, 0, 0x0100, 1, w - 1);
	add_run(p, DIST, 0, 0x0200, 1, w - 1);
	add_run(p, DIST, 0, 0x0300, 1, w - 1);
}

/* PROPBASER and PENDBASER before CTLR (EnableLPIs reads them). */
static void plan_redist(struct plan *p, u64 hi, bool lpis)
{
	if (lpis)
		add_run(p, REDIST, hi, 0x0070, 0, 4);
	add(p, REDIST, hi | 0x0000);
	add(p, REDIST, hi | (GICR_SGI + 0x0080));
	add_run(p, REDIST, hi, GICR_SGI + 0x0400, 0, 8);
	add_run(p, REDIST, hi, GICR_SGI + 0x0c00, 0, 2);
	add(p, REDIST, hi | (GICR_SGI + 0x0100));
	add(p, REDIST, hi | (GICR_SGI + 0x0200));
	add(p, REDIST, hi | (GICR_SGI + 0x0300));
}

static void plan_icc(struct plan *p, u64 hi, u32 nr_apr)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(icc_regs); i++)
		add(p, SYSREG, hi | icc_regs[i].enc);
	for (i = 0; i < nr_apr; i++)	/* AP0Rn before AP1Rn */
		add(p, SYSREG, hi | ICC_AP0R(i));
	for (i = 0; i < nr_apr; i++)
		add(p, SYSREG, hi | ICC_AP1R(i));
}

/* Restore order: IIDR, CBASER (resets CREADR), CREADR, CWRITER, BASERs,
 * then (ITS_RESTORE_TABLES) CTLR last. */
static void plan_its(struct plan *p)
{
	u32 i;

	add(p, ITS, 0x0004);
	add(p, ITS, 0x0080);
	add(p, ITS, 0x0090);
	add(p, ITS, 0x0088);
	for (i = 0; i < 8; i++)
		add(p, ITS, 0x0100 + 8 * i);
	add(p, ITS, GITS_CTLR);
}

int a64_gic_plan(const struct a64_gic_shape *sh, struct a64_gic_reg *out,
		 u32 max)
{
	struct plan p = { out, 0, max };
	bool its = sh->type == GIC_V3_ITS;
	u64 hi;
	u32 i;
	int c;

	if (sh->nr_irqs < 64 || sh->nr_irqs > 1024 || sh->nr_irqs % 32 ||
	    sh->nr_cpus < 1 || sh->nr_cpus > (int)ARM64_GICV3_MAX_CPUS)
		return -1;
	plan_dist(&p, sh->nr_irqs);
	for (c = 0; c < sh->nr_cpus; c++)
		plan_redist(&p, (u64)sh->aff[c] << 32, its);
	for (c = 0; c < sh->nr_cpus; c++)
		plan_icc(&p, (u64)sh->aff[c] << 32, sh->nr_apr);
	hi = (u64)sh->aff[0] << 32;	/* any vCPU: SPIs are shared */
	for (i = 32; i < sh->nr_irqs; i += 32)
		add(&p, LEVEL, hi | (u64)VGIC_LEVEL_INFO_LINE_LEVEL <<
		    KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT | i);
	if (its)
		plan_its(&p);
	return p.n <= max ? (int)p.n : -1;
}

/* ---- names ---- */

static const char *block_name(const struct block *b, size_t n, u32 off,
			      char *buf, size_t len)
{
	const struct block *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].base <= off && (!best || b[i].base > best->base))
			best = &b[i];
	if (!best)
		snprintf(buf, len, "0x%x", off);
	else if (off == best->base)
		snprintf(buf, len, "%s", best->name);
	else
		snprintf(buf, len, "%s+0x%x", best->name, off - best->base);
	return buf;
}

static const char *icc_name(u32 enc, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(icc_regs); i++)
		if (icc_regs[i].enc == enc)
			return icc_regs[i].name;
	for (i = 0; i < 4; i++)
		if (enc == ICC_AP0R(i) || enc == ICC_AP1R(i))
			snprintf(buf, len, "ICC_AP%dR%zu_EL1",
				 enc == ICC_AP1R(i), i);
	if (!*buf)
		snprintf(buf, len, "sysreg 0x%x", enc);
	return buf;
}

const char *a64_gic_reg_name(const struct a64_gic_reg *r, char *buf,
			     size_t len)
{
	char n[40] = "";
	u32 off = (u32)r->attr, aff = (u32)(r->attr >> 32);

	switch (r->group) {
	case DIST:
		return block_name(dist_blocks, ARRAY_SIZE(dist_blocks), off,
				  buf, len);
	case REDIST:
		block_name(redist_blocks, ARRAY_SIZE(redist_blocks), off, n,
			   sizeof(n));
		break;
	case SYSREG:
		snprintf(buf, len, "%s", icc_name(off & 0xffff, n, sizeof(n)));
		snprintf(n, sizeof(n), "%.39s", buf);
		break;
	case LEVEL:
		snprintf(buf, len, "line levels of INTID %u-%u", off & 0x3ff,
			 (off & 0x3ff) + 31);
		return buf;
	case ITS:
		return block_name(its_blocks, ARRAY_SIZE(its_blocks), off, buf,
				  len);
	default:
		snprintf(buf, len, "group %u attr 0x%llx", r->group,
			 (unsigned long long)r->attr);
		return buf;
	}
	snprintf(buf, len, "%s (mpidr 0x%x)", n, aff);
	return buf;
}

/* ---- the KVM side through the seam ---- */

static int attr_err(char *err, size_t errlen, const struct a64_gic_reg *r,
		    const char *what, int e)
{
	char name[64];

	return set_err(err, errlen, "vGIC %s: %s: %s",
		       a64_gic_reg_name(r, name, sizeof(name)), what,
		       strerror(e));
}

static enum a64_dev dev_of(u32 group)
{
	return group == ITS ? A64_DEV_ITS : A64_DEV_GIC;
}

int a64_gic_check_type(enum gic_type t, char *err, size_t errlen)
{
	if (gic_is_v3(t))
		return 0;
	return set_err(err, errlen, "snapshots of a VM with the %s interrupt "
		       "controller are not supported on arm64; run it with "
		       "--irqchip=gicv3-its or gicv3", gic_type_names[t]);
}

int a64_gic_shape(const struct a64_io *io, enum gic_type type, int nr_cpus,
		  struct a64_gic_shape *sh, char *err, size_t errlen)
{
	u32 typer = 0;
	u64 apr;
	int c, r;

	memset(sh, 0, sizeof(*sh));
	sh->type = type;
	sh->nr_cpus = nr_cpus;
	if (a64_gic_check_type(type, err, errlen))
		return -1;
	if (nr_cpus < 1 || nr_cpus > (int)ARM64_GICV3_MAX_CPUS)
		return set_err(err, errlen, "vGIC: %d vCPUs", nr_cpus);
	for (c = 0; c < nr_cpus; c++) {
		r = a64_vcpu_mpidr(io, c, &sh->aff[c]);
		if (r)
			return set_err(err, errlen, "vcpu%d: reading MPIDR_EL1:"
				       " %s", c, strerror(-r));
	}
	r = io->attr(io->ctx, A64_ATTR_GET, A64_DEV_GIC, DIST, GICD_TYPER,
		     &typer);
	if (r)
		return set_err(err, errlen, "vGIC GICD_TYPER: %s", strerror(-r));
	sh->nr_irqs = MIN(32 * ((typer & 0x1f) + 1), 1024u);
	/* KVM lists all four APnRs but reads only those the priority bits
	 * give: AP0R3 reads with 7 bits (4 of them), AP0R1 with 6 (2) */
	sh->nr_apr = 1;
	for (c = 3; c > 0; c -= 2)
		if (!io->attr(io->ctx, A64_ATTR_GET, A64_DEV_GIC, SYSREG,
			      (u64)sh->aff[0] << 32 | ICC_AP0R(c), &apr)) {
			sh->nr_apr = c + 1;
			break;
		}
	return 0;
}

void a64_gic_state_free(struct a64_gic_state *st)
{
	free(st->regs);
	st->regs = NULL;
	st->n = 0;
}

static int plan_alloc(const struct a64_gic_shape *sh,
		      struct a64_gic_state *st, char *err, size_t errlen)
{
	int n;

	st->regs = calloc(A64_GIC_MAX, sizeof(*st->regs));
	if (!st->regs)
		return set_err(err, errlen, "vGIC: out of memory");
	n = a64_gic_plan(sh, st->regs, A64_GIC_MAX);
	if (n < 0) {
		a64_gic_state_free(st);
		return set_err(err, errlen, "vGIC: %u interrupts and %d vCPUs "
			       "do not fit a snapshot", sh->nr_irqs,
			       sh->nr_cpus);
	}
	st->n = n;
	return 0;
}

static int ctrl(const struct a64_io *io, enum a64_dev dev, u64 attr,
		const char *name, char *err, size_t errlen)
{
	int r = io->attr(io->ctx, A64_ATTR_SET, dev, CTRL, attr, NULL);

	if (r)
		return set_err(err, errlen, "vGIC %s: %s", name, strerror(-r));
	return 0;
}

static int get_one(const struct a64_io *io, struct a64_gic_reg *g)
{
	u32 v32 = 0;
	int r;

	if (wide(g->group))
		return io->attr(io->ctx, A64_ATTR_GET, dev_of(g->group),
				g->group, g->attr, &g->val);
	r = io->attr(io->ctx, A64_ATTR_GET, dev_of(g->group), g->group,
		     g->attr, &v32);
	g->val = v32;
	return r;
}

int a64_gic_read(const struct a64_io *io, const struct a64_gic_shape *sh,
		 struct a64_gic_state *st, char *err, size_t errlen)
{
	u32 i;
	int r;

	memset(st, 0, sizeof(*st));
	if (sh->type == GIC_V3_ITS &&
	    (ctrl(io, A64_DEV_ITS, KVM_DEV_ARM_ITS_SAVE_TABLES,
		  "ITS_SAVE_TABLES", err, errlen) ||
	     ctrl(io, A64_DEV_GIC, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES,
		  "SAVE_PENDING_TABLES", err, errlen)))
		return -1;
	if (plan_alloc(sh, st, err, errlen))
		return -1;
	for (i = 0; i < st->n; i++) {
		r = get_one(io, &st->regs[i]);
		if (r) {
			attr_err(err, errlen, &st->regs[i],
				 "KVM_GET_DEVICE_ATTR", -r);
			a64_gic_state_free(st);
			return -1;
		}
	}
	return 0;
}

void a64_gic_put(struct sbuf *b, const struct a64_gic_state *st)
{
	u32 i;

	sb_u32(b, st->n);
	for (i = 0; i < st->n; i++) {
		sb_u32(b, st->regs[i].group);
		sb_u64(b, st->regs[i].attr);
		sb_u64(b, st->regs[i].val);
	}
}

/* Saved entry i against the plan's. */
static int same_reg(const struct a64_gic_reg *saved,
		    const struct a64_gic_reg *want, u32 i, char *err,
		    size_t errlen)
{
	char a[64], b[64];

	if (saved->group == want->group && saved->attr == want->attr) {
		if (wide(saved->group) || saved->val <= 0xffffffffu)
			return 0;
		return set_err(err, errlen, "vGIC %s: value 0x%llx does not "
			       "fit 32 bits", a64_gic_reg_name(saved, a,
			       sizeof(a)), (unsigned long long)saved->val);
	}
	return set_err(err, errlen, "vGIC register %u: the snapshot has %s, "
		       "this VM's vGIC %s (restore with the saved --cpus and "
		       "--irqchip on a like host)", i,
		       a64_gic_reg_name(saved, a, sizeof(a)),
		       a64_gic_reg_name(want, b, sizeof(b)));
}

static int decode(struct sreader *r, struct a64_gic_state *st, u32 n,
		  char *err, size_t errlen)
{
	struct a64_gic_reg g;
	u32 i;

	for (i = 0; i < n; i++) {
		g.group = sr_u32(r);
		g.attr = sr_u64(r);
		g.val = sr_u64(r);
		if (r->bad)
			return set_err(err, errlen, "vGIC: truncated at register"
				       " %u of %u", i, n);
		if (i < st->n && same_reg(&g, &st->regs[i], i, err, errlen))
			return -1;
		if (i < st->n)
			st->regs[i].val = g.val;
	}
	if (!sr_done(r))
		return set_err(err, errlen, "vGIC: %zu bytes after the last "
			       "register", r->len - r->off);
	return 0;
}

int a64_gic_get(const u8 *data, size_t len, const struct a64_gic_shape *sh,
		struct a64_gic_state *st, char *err, size_t errlen)
{
	struct sreader r;
	char name[64];
	u32 n, plan;

	memset(st, 0, sizeof(*st));
	sr_init(&r, data, len);
	n = sr_u32(&r);
	if (r.bad)
		return set_err(err, errlen, "vGIC: no register count");
	if (plan_alloc(sh, st, err, errlen))
		return -1;
	plan = st->n;
	if (n != plan) {
		set_err(err, errlen, "vGIC: the snapshot has %u registers, this "
			"VM's vGIC %u%s%s (restore with the saved --cpus and "
			"--irqchip on a like host)", n, plan,
			n < plan ? "; missing: " : "", n < plan ?
			a64_gic_reg_name(&st->regs[n], name, sizeof(name)) : "");
		goto fail;
	}
	if (decode(&r, st, n, err, errlen))
		goto fail;
	return 0;
fail:
	a64_gic_state_free(st);
	return -1;
}

int a64_gic_write(const struct a64_io *io, const struct a64_gic_state *st,
		  char *err, size_t errlen)
{
	const struct a64_gic_reg *g;
	u32 i, v32;
	u64 v64;
	int r;

	for (i = 0; i < st->n; i++) {
		g = &st->regs[i];
		if (g->group == ITS && g->attr == GITS_CTLR &&
		    ctrl(io, A64_DEV_ITS, KVM_DEV_ARM_ITS_RESTORE_TABLES,
			 "ITS_RESTORE_TABLES", err, errlen))
			return -1;
		v32 = (u32)g->val;
		v64 = g->val;
		r = io->attr(io->ctx, A64_ATTR_SET, dev_of(g->group), g->group,
			     g->attr, wide(g->group) ? (void *)&v64 :
			     (void *)&v32);
		if (r)
			return attr_err(err, errlen, g, "KVM_SET_DEVICE_ATTR",
					-r);
	}
	return 0;
}
