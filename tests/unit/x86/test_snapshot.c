/* x86/snapshot.c's pure part: the MSR choice and read-back, the vCPU and VM
 * payloads round-tripped, and every truncated, padded, unknown, repeated,
 * missing or wrong-size item refused with a message naming it; the owners'
 * registration, their checks before any ioctl, and the legacy ports' state. */
#include <stdio.h>
#include <stdlib.h>
#include "unit.h"
#include "kvm/snapshot.h"
#include "x86/arch.h"
#include "x86/snapshot.h"

#define TSC		0x10u
#define TSC_ADJUST	0x3bu
#define TSC_DEADLINE	0x6e0u
#define KVM_ASYNC_PF_EN	0x4b564d02u
#define KVM_ASYNC_PF_INT 0x4b564d06u

TEST(snapshot_msr_filter)
{
	static const u32 in[] = {
		TSC, 0x1b /* APIC base */, TSC_ADJUST, 0x174, 0x175, 0x176,
		0xc0000080 /* EFER */, 0xc0000081, 0xc0000082, 0xc0000083,
		0xc0000084, 0xc0000100 /* FS */, 0xc0000101 /* GS */,
		0xc0000102, 0x277, 0x1a0, 0x480 /* VMX_BASIC */,
		0x491 /* VMX_VMFUNC */, 0x40000000 /* Hyper-V */, 0x400000ff,
		0x4b564d00, 0x4b564d01, KVM_ASYNC_PF_EN, KVM_ASYNC_PF_INT,
		TSC_DEADLINE, 0x47f, 0x492, 0x4b564cff,
	};
	static const u32 want[] = {
		KVM_ASYNC_PF_INT, TSC, TSC_ADJUST, 0x174, 0x175, 0x176,
		0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102,
		0x277, 0x1a0, 0x4b564d00, 0x4b564d01, KVM_ASYNC_PF_EN,
		TSC_DEADLINE, 0x47f, 0x492, 0x4b564cff,
	};
	u32 out[ARRAY_SIZE(in)], n, i;

	n = x86_msr_filter(in, ARRAY_SIZE(in), out);
	ASSERT_EQ(n, ARRAY_SIZE(want));
	for (i = 0; i < n; i++)
		EXPECT_EQ(out[i], want[i]);
	EXPECT(x86_msr_late(TSC_DEADLINE));
	EXPECT(!x86_msr_late(TSC));
	EXPECT(!x86_msr_saveable(0x400000ff));
	EXPECT(x86_msr_saveable(0x40000100));
	EXPECT_EQ(x86_msr_filter(in, 0, out), 0);
}

/* A KVM_GET_MSRS that stops at the indices in bad[] (data: index * 3). */
struct fake_msrs {
	const u32 *bad;
	u32 nbad;
	int calls, fail_at_call;
};

static int fake_get(void *ctx, struct kvm_msr_entry *e, u32 n)
{
	struct fake_msrs *f = ctx;
	u32 i, k;

	if (++f->calls == f->fail_at_call)
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < f->nbad; k++)
			if (e[i].index == f->bad[k])
				return i;
		e[i].data = e[i].index * 3ull;
	}
	return n;
}

static int read_back(const u32 *idx, u32 n, struct fake_msrs *f,
		     struct kvm_msr_entry *e)
{
	u32 i;

	for (i = 0; i < n; i++)
		e[i] = (struct kvm_msr_entry){ .index = idx[i] };
	return x86_msr_read_back(e, n, fake_get, f);
}

TEST(snapshot_msr_read_back_drops_unreadable)
{
	static const u32 idx[] = { 1, 2, 3, 4, 5, 6 };
	static const u32 bad[] = { 1, 4, 6 };
	struct fake_msrs f = { bad, ARRAY_SIZE(bad), 0, 0 };
	struct kvm_msr_entry e[6];
	int n;

	n = read_back(idx, 6, &f, e);
	ASSERT_EQ(n, 3);
	EXPECT_EQ(e[0].index, 2);
	EXPECT_EQ(e[1].index, 3);
	EXPECT_EQ(e[2].index, 5);
	EXPECT_EQ(e[0].data, 6);
	EXPECT_EQ(e[1].data, 9);
	EXPECT_EQ(e[2].data, 15);
	EXPECT_EQ(f.calls, 3);	/* each stops at one; the last drop ends it */

	f = (struct fake_msrs){ idx, 6, 0, 0 };	/* none reads */
	EXPECT_EQ(read_back(idx, 6, &f, e), 0);
	f = (struct fake_msrs){ NULL, 0, 0, 0 };
	EXPECT_EQ(read_back(idx, 6, &f, e), 6);
	EXPECT_EQ(f.calls, 1);
	EXPECT_EQ(read_back(idx, 0, &f, e), 0);
	f = (struct fake_msrs){ bad, 1, 0, 2 };	/* the ioctl fails */
	EXPECT_EQ(read_back(idx, 6, &f, e), -1);
}

static void fill(void *p, size_t len, u8 seed)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (u8)(seed + i * 7);
}

/* Every item, xsave of xlen bytes (FPU when 0), 3 MSRs. */
static void vcpu_state(struct x86_vcpu_state *st, u32 xlen)
{
	memset(st, 0, sizeof(*st));
	fill(&st->regs, sizeof(st->regs), 1);
	fill(&st->sregs, sizeof(st->sregs), 2);
	fill(&st->xcrs, sizeof(st->xcrs), 3);
	fill(&st->lapic, sizeof(st->lapic), 4);
	fill(&st->events, sizeof(st->events), 5);
	fill(&st->mp, sizeof(st->mp), 6);
	fill(&st->dbg, sizeof(st->dbg), 7);
	st->msrs = calloc(3, sizeof(st->msrs[0]));
	st->nmsrs = 3;
	st->msrs[0] = (struct kvm_msr_entry){ .index = TSC, .data = 1234 };
	st->msrs[1] = (struct kvm_msr_entry){ .index = 0x277, .data = 7 };
	st->msrs[2] = (struct kvm_msr_entry){ .index = TSC_DEADLINE,
					      .data = 9 };
	st->have = (1u << X86_SNAP_REGS) | (1u << X86_SNAP_SREGS) |
		   (1u << X86_SNAP_XCRS) | (1u << X86_SNAP_MSRS) |
		   (1u << X86_SNAP_LAPIC) | (1u << X86_SNAP_EVENTS) |
		   (1u << X86_SNAP_MP_STATE) | (1u << X86_SNAP_DEBUGREGS);
	if (!xlen) {
		fill(&st->fpu, sizeof(st->fpu), 8);
		st->have |= 1u << X86_SNAP_FPU;
		return;
	}
	st->xsave = malloc(xlen);
	st->xsave_len = xlen;
	fill(st->xsave, xlen, 9);
	st->have |= 1u << X86_SNAP_XSAVE;
}

#define SAME(a, b, m)	EXPECT(!memcmp(&(a)->m, &(b)->m, sizeof((a)->m)))

static void vcpu_same(const struct x86_vcpu_state *a,
		      const struct x86_vcpu_state *b)
{
	EXPECT_EQ(a->have, b->have);
	SAME(a, b, regs);
	SAME(a, b, sregs);
	SAME(a, b, fpu);
	SAME(a, b, xcrs);
	SAME(a, b, lapic);
	SAME(a, b, events);
	SAME(a, b, mp);
	SAME(a, b, dbg);
	EXPECT_EQ(a->xsave_len, b->xsave_len);
	if (a->xsave && b->xsave)
		EXPECT(!memcmp(a->xsave, b->xsave, a->xsave_len));
	EXPECT(!a->xsave == !b->xsave);
	ASSERT_EQ(a->nmsrs, b->nmsrs);
	EXPECT(!memcmp(a->msrs, b->msrs, a->nmsrs * sizeof(a->msrs[0])));
}

TEST(snapshot_vcpu_round_trip)
{
	static const u32 xlens[] = { 4096, 2688, 0 };
	struct x86_vcpu_state a, b;
	struct sbuf buf;
	char err[128] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xlens); i++) {
		vcpu_state(&a, xlens[i]);
		memset(&buf, 0, sizeof(buf));
		x86_vcpu_state_put(&buf, &a);
		ASSERT(!buf.oom);
		EXPECT_EQ(x86_vcpu_state_get(buf.p, buf.len, 3, xlens[i], &b,
					     err, sizeof(err)), 0);
		EXPECT_STR(err, "");
		vcpu_same(&a, &b);
		x86_vcpu_state_free(&a);
		x86_vcpu_state_free(&b);
		sb_free(&buf);
	}
}

/* A host with XSAVE still takes a payload saved with the FPU only. */
TEST(snapshot_vcpu_fpu_on_xsave_host)
{
	struct x86_vcpu_state a, b;
	struct sbuf buf = { 0 };
	char err[128];

	vcpu_state(&a, 0);
	x86_vcpu_state_put(&buf, &a);
	EXPECT_EQ(x86_vcpu_state_get(buf.p, buf.len, 0, 4096, &b, err,
				     sizeof(err)), 0);
	EXPECT(b.have & (1u << X86_SNAP_FPU));
	x86_vcpu_state_free(&a);
	x86_vcpu_state_free(&b);
	sb_free(&buf);
}

/* Decodes buf for vcpu1 on a host of xlen and expects -1 with msg. */
static void vcpu_refused(const struct sbuf *buf, u32 xlen, const char *msg)
{
	struct x86_vcpu_state st;
	char err[160] = "";

	EXPECT_EQ(x86_vcpu_state_get(buf->p, buf->len, 1, xlen, &st, err,
				     sizeof(err)), -1);
	EXPECT_STR(err, msg);
	EXPECT(!st.xsave && !st.msrs && !st.have);
}

TEST(snapshot_vcpu_xsave_size)
{
	struct x86_vcpu_state a;
	struct sbuf buf = { 0 };

	vcpu_state(&a, 4096);
	x86_vcpu_state_put(&buf, &a);
	vcpu_refused(&buf, 2688, "vcpu1 xsave: 4096 bytes, this host's KVM wants 2688");
	vcpu_refused(&buf, 0, "vcpu1 xsave: this host's KVM has no XSAVE (KVM_CAP_XSAVE)");
	x86_vcpu_state_free(&a);
	sb_free(&buf);
}

/* A hand-made payload: count, then (kind, len) items of zeros. */
static void payload(struct sbuf *b, u32 count, const u32 *kinds,
		    const u32 *lens, u32 n)
{
	static const u8 zero[(X86_SNAP_MAX_MSRS + 1) * 16];
	u32 i;

	memset(b, 0, sizeof(*b));
	sb_u32(b, count);
	for (i = 0; i < n; i++) {
		sb_u32(b, kinds[i]);
		sb_blob(b, zero, lens[i]);
	}
}

#define VCPU_KINDS	X86_SNAP_REGS, X86_SNAP_SREGS, X86_SNAP_LAPIC, \
			X86_SNAP_EVENTS, X86_SNAP_MP_STATE, X86_SNAP_XSAVE
#define VCPU_LENS	sizeof(struct kvm_regs), sizeof(struct kvm_sregs), \
			sizeof(struct kvm_lapic_state), \
			sizeof(struct kvm_vcpu_events), \
			sizeof(struct kvm_mp_state), 4096

TEST(snapshot_vcpu_item_sizes)
{
	static const u32 k[] = { VCPU_KINDS };
	static const u32 base[] = { VCPU_LENS };
	u32 lens[ARRAY_SIZE(k)];
	char msg[160], buf[24];
	struct sbuf b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(k); i++) {
		memcpy(lens, base, sizeof(lens));
		lens[i] = base[i] + 8;
		payload(&b, ARRAY_SIZE(k), k, lens, ARRAY_SIZE(k));
		snprintf(msg, sizeof(msg), "vcpu1 %s: %u bytes, this host's KVM wants %u",
			 x86_snap_item_name(k[i], buf, sizeof(buf)), lens[i],
			 base[i]);
		vcpu_refused(&b, 4096, msg);
		sb_free(&b);
	}
	payload(&b, ARRAY_SIZE(k), k, base, ARRAY_SIZE(k));
	{
		struct x86_vcpu_state st;
		char err[128];

		EXPECT_EQ(x86_vcpu_state_get(b.p, b.len, 1, 4096, &st, err,
					     sizeof(err)), 0);
		x86_vcpu_state_free(&st);
	}
	sb_free(&b);
}

TEST(snapshot_vcpu_msrs_refused)
{
	u32 k[] = { VCPU_KINDS, X86_SNAP_MSRS };
	u32 lens[] = { VCPU_LENS, 100 };
	struct sbuf b;

	payload(&b, ARRAY_SIZE(k), k, lens, ARRAY_SIZE(k));
	vcpu_refused(&b, 4096, "vcpu1 msrs: 100 bytes, not a whole number of 16-byte entries");
	sb_free(&b);
	lens[ARRAY_SIZE(k) - 1] = (X86_SNAP_MAX_MSRS + 1) * 16;
	payload(&b, ARRAY_SIZE(k), k, lens, ARRAY_SIZE(k));
	vcpu_refused(&b, 4096, "vcpu1 msrs: 1025 entries, at most 1024");
	sb_free(&b);
}

TEST(snapshot_vcpu_items_refused)
{
	u32 k[] = { VCPU_KINDS, 0 };
	u32 lens[] = { VCPU_LENS, sizeof(struct kvm_sregs) };
	static const u32 no_mp[] = { X86_SNAP_REGS, X86_SNAP_SREGS,
				     X86_SNAP_LAPIC, X86_SNAP_EVENTS,
				     X86_SNAP_XSAVE };
	static const u32 no_mp_lens[] = { sizeof(struct kvm_regs),
		sizeof(struct kvm_sregs), sizeof(struct kvm_lapic_state),
		sizeof(struct kvm_vcpu_events), 4096 };
	struct sbuf b;

	k[6] = 99;
	payload(&b, 7, k, lens, 7);
	vcpu_refused(&b, 4096, "vcpu1: unknown item 99 (saved by a newer lkvm?)");
	sb_free(&b);
	k[6] = X86_SNAP_PIT;
	payload(&b, 7, k, lens, 7);
	vcpu_refused(&b, 4096, "vcpu1 pit: does not belong in this section");
	sb_free(&b);
	k[6] = X86_SNAP_SREGS;
	payload(&b, 7, k, lens, 7);
	vcpu_refused(&b, 4096, "vcpu1 sregs: saved twice");
	sb_free(&b);
	payload(&b, 5, no_mp, no_mp_lens, 5);
	vcpu_refused(&b, 4096, "vcpu1: no mp_state saved");
	sb_free(&b);
	payload(&b, 5, k, lens, 5);	/* regs .. mp_state */
	vcpu_refused(&b, 4096, "vcpu1: no xsave saved");
	vcpu_refused(&b, 0, "vcpu1: no fpu saved");
	sb_u8(&b, 0);
	vcpu_refused(&b, 4096, "vcpu1: 1 bytes after the last item (mp_state)");
	sb_free(&b);
	payload(&b, 6, k, lens, 5);	/* announces 6 */
	vcpu_refused(&b, 4096, "vcpu1: payload truncated after mp_state");
	sb_free(&b);
	payload(&b, 40, k, lens, 0);
	vcpu_refused(&b, 4096, "vcpu1: 40 items, at most 10");
	sb_free(&b);
}

/* Every strict prefix of a good payload is refused as truncated. */
TEST(snapshot_vcpu_truncated)
{
	struct x86_vcpu_state a, st;
	struct sbuf buf = { 0 };
	char err[160];
	size_t len;
	int bad = 0;

	vcpu_state(&a, 512);
	x86_vcpu_state_put(&buf, &a);
	for (len = 0; len < buf.len; len++) {
		err[0] = 0;
		if (x86_vcpu_state_get(buf.p, len, 2, 512, &st, err,
				       sizeof(err)) != -1 ||
		    strncmp(err, "vcpu2: payload truncated", 24))
			bad++;
		x86_vcpu_state_free(&st);
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(x86_vcpu_state_get(buf.p, 3, 2, 512, &st, err, sizeof(err)),
		  -1);
	EXPECT_STR(err, "vcpu2: payload truncated: 3 bytes, no item count");
	EXPECT_EQ(x86_vcpu_state_get(buf.p, 10, 2, 512, &st, err, sizeof(err)),
		  -1);
	EXPECT_STR(err, "vcpu2: payload truncated after the item count");
	x86_vcpu_state_free(&a);
	sb_free(&buf);
}

static void vm_state(struct x86_vm_state *st)
{
	u32 i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < 3; i++) {
		fill(&st->chip[i], sizeof(st->chip[i]), 20 + i);
		st->chip[i].chip_id = i;
	}
	fill(&st->pit, sizeof(st->pit), 30);
	fill(&st->clock, sizeof(st->clock), 40);
	st->have = (1u << X86_SNAP_PIC_MASTER) | (1u << X86_SNAP_PIC_SLAVE) |
		   (1u << X86_SNAP_IOAPIC) | (1u << X86_SNAP_PIT) |
		   (1u << X86_SNAP_CLOCK);
}

static void vm_refused(const struct sbuf *b, const char *msg)
{
	struct x86_vm_state st;
	char err[160] = "";

	EXPECT_EQ(x86_vm_state_get(b->p, b->len, &st, err, sizeof(err)), -1);
	EXPECT_STR(err, msg);
}

TEST(snapshot_vm_round_trip)
{
	struct x86_vm_state a, b;
	struct sbuf buf = { 0 };
	char err[128] = "";
	size_t len;
	int bad = 0;

	vm_state(&a);
	x86_vm_state_put(&buf, &a);
	ASSERT_EQ(x86_vm_state_get(buf.p, buf.len, &b, err, sizeof(err)), 0);
	EXPECT(!memcmp(&a, &b, sizeof(a)));
	for (len = 0; len < buf.len; len++)
		bad += x86_vm_state_get(buf.p, len, &b, err,
					sizeof(err)) != -1 ||
		       strncmp(err, "vm: payload truncated", 21);
	EXPECT_EQ(bad, 0);
	sb_free(&buf);
	a.have &= ~(1u << X86_SNAP_PIT);	/* the PIT is optional */
	x86_vm_state_put(&buf, &a);
	EXPECT_EQ(x86_vm_state_get(buf.p, buf.len, &b, err, sizeof(err)), 0);
	EXPECT_EQ(b.have, a.have);
	sb_free(&buf);
	a.have &= ~(1u << X86_SNAP_CLOCK);
	x86_vm_state_put(&buf, &a);
	vm_refused(&buf, "vm: no clock saved");
	sb_free(&buf);
	vm_state(&a);
	a.chip[1].chip_id = 2;
	x86_vm_state_put(&buf, &a);
	vm_refused(&buf, "vm pic-slave: chip_id 2, expected 1");
	sb_free(&buf);
}

TEST(snapshot_vm_items_refused)
{
	u32 k[] = { X86_SNAP_PIC_MASTER, X86_SNAP_PIC_SLAVE, X86_SNAP_IOAPIC,
		    X86_SNAP_CLOCK };
	u32 lens[] = { 520, 520, 512, sizeof(struct kvm_clock_data) };
	struct sbuf b;

	payload(&b, 4, k, lens, 4);
	vm_refused(&b, "vm ioapic: 512 bytes, this host's KVM wants 520");
	sb_free(&b);
	k[2] = X86_SNAP_REGS;
	payload(&b, 4, k, lens, 4);
	vm_refused(&b, "vm regs: does not belong in this section");
	sb_free(&b);
}

TEST(snapshot_events_for_set)
{
	struct kvm_vcpu_events ev = { .flags = KVM_VCPUEVENT_VALID_SHADOW };

	x86_events_for_set(&ev, KVM_MP_STATE_RUNNABLE);
	EXPECT_EQ(ev.flags, KVM_VCPUEVENT_VALID_SHADOW |
			    KVM_VCPUEVENT_VALID_NMI_PENDING);
	x86_events_for_set(&ev, KVM_MP_STATE_SIPI_RECEIVED);
	EXPECT(ev.flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR);
}

TEST(snapshot_x86_owners)
{
	const struct snap_owner *vm = snap_owner_find("x86-vm");
	const struct snap_owner *cpu = snap_owner_find("x86-vcpu");
	const struct snap_owner *leg = snap_owner_find("x86-legacy");

	ASSERT(vm && cpu && leg);
	EXPECT_EQ(vm->order, SNAP_ORDER_VM);
	EXPECT_EQ(cpu->order, SNAP_ORDER_VCPU);
	EXPECT_EQ(leg->order, SNAP_ORDER_DEVICE);
}

/* The vCPU owner's checks that come before any ioctl. */
TEST(snapshot_vcpu_load_checks)
{
	const struct snap_owner *o = snap_owner_find("x86-vcpu");
	struct snap_sec s = { "x86-vcpu", 0, 2, NULL, 0 };
	struct vm vm = { .nr_cpus = 2, .vm_fd = -1, .sys_fd = -1 };
	char err[160] = "";

	ASSERT(o);
	EXPECT_EQ(o->load(&vm, &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "vcpu0: section version 2, this lkvm reads up to 1");
	s.ver = 1;
	s.inst = 2;
	EXPECT_EQ(o->load(&vm, &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "vcpu2: saved, but this VM has 2 vCPUs (restore with the saved --cpus)");
}

/* Frames one owner's save as a stream and returns its first section. */
static int saved_section(const struct snap_owner *o, struct vm *vm,
			 struct sbuf *b, struct snap_sec *s)
{
	struct sreader r;
	char err[128];

	memset(b, 0, sizeof(*b));
	snap_begin(b);
	if (o->save(vm, b, err, sizeof(err)))
		return -1;
	snap_end(b);
	if (snap_open(&r, b->p, b->len, err, sizeof(err)))
		return -1;
	return snap_next(&r, s, err, sizeof(err)) == 1 ? 0 : -1;
}

TEST(snapshot_legacy_owner_round_trip)
{
	const struct snap_owner *o = snap_owner_find("x86-legacy");
	struct x86_vm xa = { 0 }, xb = { 0 };
	struct vm a = { .arch = &xa }, b = { .arch = &xb };
	struct snap_sec s;
	struct sbuf buf;
	char err[128] = "";

	ASSERT(o);
	pthread_mutex_init(&xa.legacy.lock, NULL);
	pthread_mutex_init(&xb.legacy.lock, NULL);
	fill(&xa.legacy.cmos, sizeof(xa.legacy.cmos), 50);
	xa.legacy.pm1_en = 0x0100;
	xa.legacy.pm1_cnt = 0x2001;
	ASSERT_EQ(saved_section(o, &a, &buf, &s), 0);
	EXPECT_STR(s.type, "x86-legacy");
	EXPECT_EQ(o->load(&b, &s, err, sizeof(err)), 0);
	EXPECT_STR(err, "");
	EXPECT(!memcmp(&xa.legacy.cmos, &xb.legacy.cmos,
		       sizeof(xa.legacy.cmos)));
	EXPECT_EQ(xb.legacy.pm1_en, 0x0100);
	EXPECT_EQ(xb.legacy.pm1_cnt, 0x2001);
	s.len--;
	EXPECT_EQ(o->load(&b, &s, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "x86-legacy");
	sb_free(&buf);
}
