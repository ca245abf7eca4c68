/* arm64/snap_vcpu.c and arm64/snap_gic.c against a simulated KVM (the seam of
 * include/arm64/snapshot.h): vCPU registers, MP state and events round-tripped,
 * a host whose register list differs refused by register id before any write,
 * the vGIC/ITS plan's order, save/restore with the ITS and pending tables, a
 * vGIC of another shape refused, GICv2 refused, and the owners' registration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include "arm64/arch.h"
#include "arm64/snapshot.h"

#define CORE(off, sz)	(KVM_REG_ARM64 | (sz) | KVM_REG_ARM_CORE | (off))
#define MPIDR		ARM64_SYS_REG(3, 0, 0, 0, 5)
#define NREGS		8
#define NLOG		4096

static const u64 ids[NREGS] = {
	CORE(0, KVM_REG_SIZE_U64),		/* x0 */
	CORE(64, KVM_REG_SIZE_U64),		/* pc */
	CORE(84, KVM_REG_SIZE_U128),		/* a vreg */
	CORE(212, KVM_REG_SIZE_U32),		/* fpsr */
	KVM_REG_ARM_FW_REG(0),			/* PSCI version */
	KVM_REG_ARM_TIMER_CNT,
	KVM_REG_ARM_TIMER_CVAL,
	MPIDR,
};

struct op {
	char kind;		/* r: set reg, m: mp, e: events, s: attr set, c: ctrl, g: attr get */
	int cpu, dev;
	u32 group;
	u64 attr, val;
};

/* A simulated KVM: 2 vCPUs with the registers of ids[] (minus drop), a vGIC
 * whose attributes read as a function of (group, attr, seed). */
struct fake {
	u8 regs[2][NREGS][16];
	u32 mp[2];
	struct kvm_vcpu_events ev[2];
	int drop;		/* index of ids[] this host lacks, or -1 */
	u64 extra;		/* an id only this host lists, or 0 */
	int refuse;		/* index whose KVM_SET_ONE_REG fails, or -1 */
	u32 seed, typer, nr_apr;
	struct op log[NLOG];
	int nlog;
};

static int idx(u64 id)
{
	int i;

	for (i = 0; i < NREGS; i++)
		if (ids[i] == id)
			return i;
	return -1;
}

static void logop(struct fake *f, struct op o)
{
	if (f->nlog < NLOG)
		f->log[f->nlog++] = o;
}

static int f_list(void *ctx, int cpu, u64 *out, u32 *n)
{
	struct fake *f = ctx;
	u32 k = 0, i, cap = *n;

	for (i = 0; i < NREGS; i++)
		if ((int)i != f->drop && k++ < cap)
			out[k - 1] = ids[i];
	if (f->extra && k++ < cap)
		out[k - 1] = f->extra;
	*n = k;
	return k > cap ? -E2BIG : 0;
}

static int f_get(void *ctx, int cpu, u64 id, void *val)
{
	struct fake *f = ctx;
	int i = idx(id);

	if (i < 0 || i == f->drop)
		return -ENOENT;
	memcpy(val, f->regs[cpu][i], a64_reg_size(id));
	return 0;
}

static int f_set(void *ctx, int cpu, u64 id, const void *val)
{
	struct fake *f = ctx;
	int i = idx(id);

	if (i < 0 || i == f->drop)
		return -ENOENT;
	if (i == f->refuse)
		return -EINVAL;
	logop(f, (struct op){ 'r', cpu, 0, 0, id, 0 });
	memcpy(f->regs[cpu][i], val, a64_reg_size(id));
	return 0;
}

static int f_get_mp(void *ctx, int cpu, u32 *mp)
{
	*mp = ((struct fake *)ctx)->mp[cpu];
	return 0;
}

static int f_set_mp(void *ctx, int cpu, u32 mp)
{
	struct fake *f = ctx;

	logop(f, (struct op){ 'm', cpu, 0, 0, 0, mp });
	f->mp[cpu] = mp;
	return 0;
}

static int f_get_ev(void *ctx, int cpu, struct kvm_vcpu_events *ev)
{
	*ev = ((struct fake *)ctx)->ev[cpu];
	return 0;
}

static int f_set_ev(void *ctx, int cpu, const struct kvm_vcpu_events *ev)
{
	struct fake *f = ctx;

	logop(f, (struct op){ 'e', cpu, 0, 0, 0, 0 });
	f->ev[cpu] = *ev;
	return 0;
}

static u64 attr_val(const struct fake *f, u32 group, u64 attr)
{
	u64 v = (attr * 0x9e3779b97f4a7c15ull) ^ ((u64)group << 40) ^ f->seed;

	return group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS ||
	       group == KVM_DEV_ARM_VGIC_GRP_ITS_REGS ? v : (u32)v;
}

static bool wide(u32 group)
{
	return group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS ||
	       group == KVM_DEV_ARM_VGIC_GRP_ITS_REGS;
}

static int f_attr(void *ctx, enum a64_attr_op op, enum a64_dev dev, u32 group,
		  u64 attr, void *val)
{
	struct fake *f = ctx;
	u64 v;
	u32 n;

	n = ((u32)attr & 0xffff) - ((3u << 14) | (12 << 7) | (8 << 3) | 4);
	if (group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS && n < 4 &&
	    n >= f->nr_apr)	/* KVM: an APnR the priority bits lack */
		return -EINVAL;
	if (group == KVM_DEV_ARM_VGIC_GRP_CTRL) {
		logop(f, (struct op){ 'c', 0, dev, group, attr, 0 });
		return 0;
	}
	if (op == A64_ATTR_SET) {
		v = wide(group) ? *(u64 *)val : *(u32 *)val;
		logop(f, (struct op){ 's', 0, dev, group, attr, v });
		return 0;
	}
	logop(f, (struct op){ 'g', 0, dev, group, attr, 0 });
	v = group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS && attr == 4 ? f->typer :
	    attr_val(f, group, attr);
	if (wide(group))
		*(u64 *)val = v;
	else
		*(u32 *)val = (u32)v;
	return 0;
}

static void fake_init(struct fake *f, struct a64_io *io, u8 seed)
{
	int c, i, k;

	memset(f, 0, sizeof(*f));
	f->drop = f->refuse = -1;
	f->seed = seed;
	f->typer = 7;		/* 256 INTIDs */
	f->nr_apr = 1;
	for (c = 0; c < 2; c++)
		for (i = 0; i < NREGS; i++)
			for (k = 0; k < 16; k++)
				f->regs[c][i][k] = seed ? (u8)(seed + c * 7 +
							  i * 13 + k) : 0;
	if (seed) {		/* MPIDR: what KVM gives vCPU c */
		for (c = 0; c < 2; c++) {
			u64 m = 0x80000000ull | c;

			memcpy(f->regs[c][7], &m, 8);
		}
		f->mp[1] = KVM_MP_STATE_STOPPED;
		f->ev[0].exception.serror_pending = 1;
	}
	*io = (struct a64_io){ f, f_list, f_get, f_set, f_get_mp, f_set_mp,
			       f_get_ev, f_set_ev, f_attr };
}

/* vCPU cpu of a saved into a payload. */
static int save_vcpu(struct a64_io *io, int cpu, struct sbuf *b)
{
	struct a64_vcpu_state st;
	char err[160];

	memset(b, 0, sizeof(*b));
	if (a64_vcpu_read(io, cpu, &st, err, sizeof(err)))
		return -1;
	a64_vcpu_put(b, &st);
	a64_vcpu_state_free(&st);
	return 0;
}

static int load_vcpu(struct a64_io *io, int cpu, const struct sbuf *b,
		     char *err, size_t errlen)
{
	struct a64_vcpu_state st;
	int r;

	if (a64_vcpu_get(b->p, b->len, cpu, &st, err, errlen))
		return -1;
	r = a64_vcpu_write(io, cpu, &st, err, errlen);
	a64_vcpu_state_free(&st);
	return r;
}

TEST(a64_snap_vcpu_round_trip)
{
	struct fake a, b;
	struct a64_io ia, ib;
	struct sbuf buf;
	char err[200] = "";
	int c;

	fake_init(&a, &ia, 40);
	fake_init(&b, &ib, 0);
	b.mp[1] = KVM_MP_STATE_STOPPED;
	for (c = 0; c < 2; c++) {
		ASSERT_EQ(save_vcpu(&ia, c, &buf), 0);
		EXPECT_EQ(load_vcpu(&ib, c, &buf, err, sizeof(err)), 0);
		EXPECT_STR(err, "");
		sb_free(&buf);
	}
	for (c = 0; c < 2 * NREGS; c++)	/* each register's bytes */
		EXPECT(!memcmp(a.regs[c / NREGS][c % NREGS],
			       b.regs[c / NREGS][c % NREGS],
			       a64_reg_size(ids[c % NREGS])));
	EXPECT_EQ(b.mp[0], KVM_MP_STATE_RUNNABLE);
	EXPECT_EQ(b.mp[1], KVM_MP_STATE_STOPPED);	/* a powered-off secondary */
	EXPECT_EQ(b.ev[0].exception.serror_pending, 1);
	/* every register, then the events, the MP state last */
	ASSERT_EQ(b.nlog, 2 * (NREGS + 2));
	EXPECT_EQ(b.log[NREGS].kind, 'e');
	EXPECT_EQ(b.log[NREGS + 1].kind, 'm');
	EXPECT_EQ(b.log[0].attr, ids[0]);
}

TEST(a64_snap_vcpu_list_differs)
{
	struct fake a, b;
	struct a64_io ia, ib;
	struct sbuf buf;
	char err[200] = "";

	fake_init(&a, &ia, 40);
	fake_init(&b, &ib, 0);
	ASSERT_EQ(save_vcpu(&ia, 0, &buf), 0);
	b.drop = 6;		/* this host has no CNTV_CVAL */
	EXPECT_EQ(load_vcpu(&ib, 0, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vcpu0: the snapshot has 8 registers, this "
			"host's vCPU lists 7; missing on this host: ");
	{
		char want[64];

		snprintf(want, sizeof(want), "0x%016llx (CNTV_CVAL)",
			 (unsigned long long)KVM_REG_ARM_TIMER_CVAL);
		EXPECT_CONTAINS(err, want);
	}
	EXPECT_EQ(b.nlog, 0);	/* nothing written */
	b.drop = -1;
	b.extra = ARM64_SYS_REG(3, 0, 1, 0, 0);	/* SCTLR_EL1 */
	EXPECT_EQ(load_vcpu(&ib, 0, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "lists 9; not in the snapshot: ");
	EXPECT_CONTAINS(err, "(S3_0_C1_C0_0)");
	EXPECT_EQ(b.nlog, 0);
	sb_free(&buf);
}

TEST(a64_snap_vcpu_refused_write)
{
	struct fake a, b;
	struct a64_io ia, ib;
	struct sbuf buf;
	char err[200] = "";

	fake_init(&a, &ia, 40);
	fake_init(&b, &ib, 40);
	ASSERT_EQ(save_vcpu(&ia, 0, &buf), 0);
	b.refuse = 4;		/* reads back as saved: accepted */
	EXPECT_EQ(load_vcpu(&ib, 0, &buf, err, sizeof(err)), 0);
	b.regs[0][4][0] ^= 1;	/* now it differs */
	EXPECT_EQ(load_vcpu(&ib, 0, &buf, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vcpu0 register 0x6030000000140000 (firmware "
			"0x0): KVM_SET_ONE_REG: ");
	sb_free(&buf);
}

TEST(a64_snap_vcpu_payload_refused)
{
	struct a64_vcpu_state st;
	struct fake a;
	struct a64_io ia;
	struct sbuf buf, bad = { 0 };
	char err[200];
	size_t n;

	fake_init(&a, &ia, 40);
	ASSERT_EQ(save_vcpu(&ia, 0, &buf), 0);
	for (n = 0; n < buf.len; n++) {	/* every truncation */
		err[0] = 0;
		EXPECT_EQ(a64_vcpu_get(buf.p, n, 0, &st, err, sizeof(err)), -1);
		EXPECT_CONTAINS(err, "vcpu0");
	}
	sb_put(&buf, "x", 1);
	EXPECT_EQ(a64_vcpu_get(buf.p, buf.len, 0, &st, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "1 bytes after the last register");
	/* a register twice */
	sb_u32(&bad, 0);
	sb_blob(&bad, &a.ev[0], sizeof(a.ev[0]));
	sb_u32(&bad, 2);
	sb_u64(&bad, ids[0]);
	sb_u64(&bad, 1);
	sb_u64(&bad, ids[0]);
	sb_u64(&bad, 2);
	EXPECT_EQ(a64_vcpu_get(bad.p, bad.len, 3, &st, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vcpu3 register 0x6030000000100000 (x0): saved twice");
	sb_free(&bad);
	/* events of another size */
	sb_u32(&bad, 0);
	sb_blob(&bad, &a.ev[0], 8);
	sb_u32(&bad, 0);
	EXPECT_EQ(a64_vcpu_get(bad.p, bad.len, 0, &st, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "events: 8 bytes");
	sb_free(&bad);
	sb_free(&buf);
}

TEST(a64_snap_reg_names)
{
	char b[48];

	EXPECT_STR(a64_reg_name(ids[0], b, sizeof(b)), "x0");
	EXPECT_STR(a64_reg_name(CORE(60, KVM_REG_SIZE_U64), b, sizeof(b)), "x30");
	EXPECT_STR(a64_reg_name(ids[1], b, sizeof(b)), "pc");
	EXPECT_STR(a64_reg_name(KVM_REG_ARM_TIMER_CNT, b, sizeof(b)), "CNTVCT");
	EXPECT_STR(a64_reg_name(MPIDR, b, sizeof(b)), "S3_0_C0_C0_5");
	EXPECT_EQ(a64_reg_size(ids[2]), 16);
	EXPECT_EQ(a64_reg_size(ids[3]), 4);
}

/* ---- the vGIC ---- */

static void shape(struct a64_gic_shape *sh, enum gic_type t, int cpus,
		  u32 apr)
{
	int c;

	memset(sh, 0, sizeof(*sh));
	sh->type = t;
	sh->nr_irqs = 256;
	sh->nr_cpus = cpus;
	sh->nr_apr = apr;
	for (c = 0; c < cpus; c++)
		sh->aff[c] = c;
}

static int find(const struct a64_gic_reg *r, int n, u32 group, u64 attr)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i].group == group && r[i].attr == attr)
			return i;
	return -1;
}

#define GRP_D	KVM_DEV_ARM_VGIC_GRP_DIST_REGS
#define GRP_R	KVM_DEV_ARM_VGIC_GRP_REDIST_REGS
#define GRP_C	KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS
#define GRP_I	KVM_DEV_ARM_VGIC_GRP_ITS_REGS
#define ICC(crm, op2)	((3u << 14) | (12 << 7) | ((crm) << 3) | (op2))

TEST(a64_snap_gic_plan_order)
{
	static struct a64_gic_reg r[8192];
	struct a64_gic_shape sh;
	int n, i, k, irouter = 0;
	u64 hi = 1ull << 32;

	shape(&sh, GIC_V3_ITS, 2, 2);
	n = a64_gic_plan(&sh, r, ARRAY_SIZE(r));
	ASSERT(n > 0);
	EXPECT_EQ(a64_gic_plan(&sh, r, n - 1), -1);
	for (i = 0; i < n; i++)		/* no attribute twice */
		for (k = i + 1; k < n; k++)
			if (r[i].group == r[k].group && r[i].attr == r[k].attr)
				EXPECT(!"an attribute twice");
	EXPECT(r[0].group == GRP_D && r[0].attr == 0x8);	/* GICD_IIDR first */
	for (i = 0; i < n; i++)
		irouter += r[i].group == GRP_D && r[i].attr >= 0x6000;
	EXPECT_EQ(irouter, 2 * (256 - 32));	/* each SPI's, in halves */
	/* LPIs: PROPBASER and PENDBASER before GICR_CTLR */
	EXPECT(find(r, n, GRP_R, hi | 0x78) < find(r, n, GRP_R, hi | 0));
	EXPECT(find(r, n, GRP_R, hi | 0x74) >= 0);
	/* ICC: SRE, CTLR first; AP0R1 before AP1R0; no AP0R2 */
	EXPECT(find(r, n, GRP_C, hi | ICC(12, 5)) < find(r, n, GRP_C, hi | ICC(12, 4)));
	EXPECT(find(r, n, GRP_C, hi | ICC(12, 4)) < find(r, n, GRP_C, hi | ICC(12, 6)));
	EXPECT(find(r, n, GRP_C, hi | ICC(8, 5)) < find(r, n, GRP_C, hi | ICC(9, 0)));
	EXPECT_EQ(find(r, n, GRP_C, hi | ICC(8, 6)), -1);
	/* redistributors before the ITS; ITS: IIDR, CBASER, CREADR,
	 * CWRITER, BASERs, CTLR last */
	EXPECT(find(r, n, GRP_R, hi) < find(r, n, GRP_I, 0x4));
	EXPECT(find(r, n, GRP_I, 0x4) < find(r, n, GRP_I, 0x80));
	EXPECT(find(r, n, GRP_I, 0x80) < find(r, n, GRP_I, 0x90));
	EXPECT(find(r, n, GRP_I, 0x90) < find(r, n, GRP_I, 0x88));
	EXPECT(find(r, n, GRP_I, 0x88) < find(r, n, GRP_I, 0x100));
	EXPECT(find(r, n, GRP_I, 0x138) >= 0);
	EXPECT_EQ(find(r, n, GRP_I, 0), n - 1);
	/* without an ITS: no ITS registers, no LPI tables */
	shape(&sh, GIC_V3, 2, 2);
	n = a64_gic_plan(&sh, r, ARRAY_SIZE(r));
	ASSERT(n > 0);
	EXPECT_EQ(find(r, n, GRP_I, 0), -1);
	EXPECT_EQ(find(r, n, GRP_R, hi | 0x70), -1);
	sh.nr_irqs = 48;
	EXPECT_EQ(a64_gic_plan(&sh, r, ARRAY_SIZE(r)), -1);
}

TEST(a64_snap_gic_shape)
{
	struct a64_gic_shape sh;
	struct fake f;
	struct a64_io io;
	char err[200] = "";

	fake_init(&f, &io, 40);
	f.nr_apr = 4;
	ASSERT_EQ(a64_gic_shape(&io, GIC_V3_ITS, 2, &sh, err, sizeof(err)), 0);
	EXPECT_EQ(sh.nr_irqs, 256);
	EXPECT_EQ(sh.nr_apr, 4);
	EXPECT_EQ(sh.aff[1], 1);
	f.nr_apr = 2;
	f.typer = 3;
	ASSERT_EQ(a64_gic_shape(&io, GIC_V3, 2, &sh, err, sizeof(err)), 0);
	EXPECT_EQ(sh.nr_apr, 2);
	EXPECT_EQ(sh.nr_irqs, 128);
	f.nr_apr = 1;
	ASSERT_EQ(a64_gic_shape(&io, GIC_V3, 1, &sh, err, sizeof(err)), 0);
	EXPECT_EQ(sh.nr_apr, 1);
	EXPECT_EQ(a64_gic_shape(&io, GIC_V2M, 1, &sh, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "the gicv2m interrupt controller are not supported"
			" on arm64; run it with --irqchip=gicv3-its or gicv3");
}

static int op_at(const struct fake *f, char kind, u32 group, u64 attr)
{
	int i;

	for (i = 0; i < f->nlog; i++)
		if (f->log[i].kind == kind && f->log[i].group == group &&
		    f->log[i].attr == attr)
			return i;
	return -1;
}

TEST(a64_snap_gic_round_trip)
{
	struct a64_gic_shape sh;
	struct a64_gic_state st, back;
	struct fake a, b;
	struct a64_io ia, ib;
	struct sbuf buf = { 0 };
	char err[200] = "";
	u32 i;
	int at, ctl, rt;

	fake_init(&a, &ia, 40);
	fake_init(&b, &ib, 0);
	shape(&sh, GIC_V3_ITS, 2, 1);
	ASSERT_EQ(a64_gic_read(&ia, &sh, &st, err, sizeof(err)), 0);
	/* ITS tables, then the LPI pending bits, before any register */
	EXPECT(a.log[0].kind == 'c' && a.log[0].dev == A64_DEV_ITS &&
	       a.log[0].attr == KVM_DEV_ARM_ITS_SAVE_TABLES);
	EXPECT(a.log[1].kind == 'c' && a.log[1].dev == A64_DEV_GIC &&
	       a.log[1].attr == KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES);
	a64_gic_put(&buf, &st);
	ASSERT_EQ(a64_gic_get(buf.p, buf.len, &sh, &back, err, sizeof(err)), 0);
	ASSERT_EQ(a64_gic_write(&ib, &back, err, sizeof(err)), 0);
	for (i = 0; i < st.n; i++) {
		at = op_at(&b, 's', st.regs[i].group, st.regs[i].attr);
		ASSERT(at >= 0);
		EXPECT_EQ(b.log[at].val, attr_val(&a, st.regs[i].group,
						   st.regs[i].attr));
		EXPECT_EQ(b.log[at].dev, st.regs[i].group == GRP_I);
	}
	rt = op_at(&b, 'c', KVM_DEV_ARM_VGIC_GRP_CTRL,
		   KVM_DEV_ARM_ITS_RESTORE_TABLES);
	ctl = op_at(&b, 's', GRP_I, 0);
	EXPECT(rt > op_at(&b, 's', GRP_I, 0x138));
	EXPECT_EQ(ctl, rt + 1);
	EXPECT_EQ(ctl, b.nlog - 1);
	a64_gic_state_free(&back);
	/* every truncation refused */
	for (i = 0; i < buf.len; i += 7) {
		EXPECT_EQ(a64_gic_get(buf.p, i, &sh, &back, err, sizeof(err)), -1);
		EXPECT_CONTAINS(err, "vGIC");
	}
	a64_gic_state_free(&st);
	sb_free(&buf);
}

TEST(a64_snap_gic_other_shape)
{
	struct a64_gic_shape sh;
	struct a64_gic_state st, back;
	struct fake a;
	struct a64_io ia;
	struct sbuf buf = { 0 };
	char err[300] = "";

	fake_init(&a, &ia, 40);
	shape(&sh, GIC_V3_ITS, 2, 1);
	ASSERT_EQ(a64_gic_read(&ia, &sh, &st, err, sizeof(err)), 0);
	a64_gic_put(&buf, &st);
	shape(&sh, GIC_V3_ITS, 2, 2);	/* this host has AP0R1 */
	EXPECT_EQ(a64_gic_get(buf.p, buf.len, &sh, &back, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "this VM's vGIC");
	EXPECT_CONTAINS(err, "missing: ");
	shape(&sh, GIC_V3_ITS, 2, 1);
	sh.aff[1] = 0x100;		/* another MPIDR for vCPU 1 */
	EXPECT_EQ(a64_gic_get(buf.p, buf.len, &sh, &back, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "the snapshot has GICR_PROPBASER (mpidr 0x1), this"
			" VM's vGIC GICR_PROPBASER (mpidr 0x100)");
	a64_gic_state_free(&st);
	sb_free(&buf);
}

TEST(a64_snap_owners)
{
	const struct snap_owner *gic = snap_owner_find("arm64-gic");
	const struct snap_owner *cpu = snap_owner_find("arm64-vcpu");
	struct arm64_vm a = { .gic = { .type = GIC_V2, .fd = -1, .its_fd = -1 } };
	struct vm vm = { .arch = &a, .nr_cpus = 1, .vm_fd = -1 };
	char err[200] = "";

	ASSERT(gic && cpu);
	EXPECT_EQ(gic->order, SNAP_ORDER_VM);
	EXPECT_EQ(cpu->order, SNAP_ORDER_VCPU);
	ASSERT(gic->check);
	EXPECT_EQ(gic->check(&vm, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "gicv2 interrupt controller");
	a.gic.type = GIC_V3_ITS;
	EXPECT_EQ(gic->check(&vm, err, sizeof(err)), 0);
}
