/* x86_64 snapshot state owners: "x86-vm" (PIC, IOAPIC, PIT, kvmclock),
 * "x86-vcpu" (one section per vCPU: registers, FPU/XSAVE, XCRs, MSRs, LAPIC,
 * events, MP state, debug registers) and "x86-legacy" (CMOS, ACPI PM1).
 * The payload codec and the MSR choice are pure; the ioctls sit at the edge. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "kvm/state.h"
#include "x86/arch.h"
#include "x86/snapshot.h"

#define X86_SNAP_VERSION	1
#define BIT(k)			(1u << (k))

/* ---- the payload: (u32 kind, blob) items (pure) ---- */

static const char *const item_names[X86_SNAP_ITEMS] = {
	[X86_SNAP_REGS] = "regs", [X86_SNAP_SREGS] = "sregs",
	[X86_SNAP_XSAVE] = "xsave", [X86_SNAP_FPU] = "fpu",
	[X86_SNAP_XCRS] = "xcrs", [X86_SNAP_MSRS] = "msrs",
	[X86_SNAP_LAPIC] = "lapic", [X86_SNAP_EVENTS] = "events",
	[X86_SNAP_MP_STATE] = "mp_state", [X86_SNAP_DEBUGREGS] = "debugregs",
	[X86_SNAP_PIC_MASTER] = "pic-master",
	[X86_SNAP_PIC_SLAVE] = "pic-slave",
	[X86_SNAP_IOAPIC] = "ioapic", [X86_SNAP_PIT] = "pit",
	[X86_SNAP_CLOCK] = "clock",
};

const char *x86_snap_item_name(u32 kind, char *buf, size_t len)
{
	if (kind < X86_SNAP_ITEMS && item_names[kind])
		return item_names[kind];
	snprintf(buf, len, "item %u", kind);
	return buf;
}

/* A fixed-size item at off in its state struct; size 0: variable. */
struct item {
	u32 kind;
	size_t off;
	u32 size;
};

#define VCPU_ITEM(k, m) \
	{ k, offsetof(struct x86_vcpu_state, m), \
	  sizeof(((struct x86_vcpu_state *)0)->m) }
#define VM_ITEM(k, m) \
	{ k, offsetof(struct x86_vm_state, m), \
	  sizeof(((struct x86_vm_state *)0)->m) }

static const struct item vcpu_items[] = {
	VCPU_ITEM(X86_SNAP_REGS, regs), VCPU_ITEM(X86_SNAP_SREGS, sregs),
	{ X86_SNAP_XSAVE, 0, 0 }, VCPU_ITEM(X86_SNAP_FPU, fpu),
	VCPU_ITEM(X86_SNAP_XCRS, xcrs), { X86_SNAP_MSRS, 0, 0 },
	VCPU_ITEM(X86_SNAP_LAPIC, lapic), VCPU_ITEM(X86_SNAP_EVENTS, events),
	VCPU_ITEM(X86_SNAP_MP_STATE, mp),
	VCPU_ITEM(X86_SNAP_DEBUGREGS, dbg),
};

static const struct item vm_items[] = {
	VM_ITEM(X86_SNAP_PIC_MASTER, chip[0]),
	VM_ITEM(X86_SNAP_PIC_SLAVE, chip[1]),
	VM_ITEM(X86_SNAP_IOAPIC, chip[2]),
	VM_ITEM(X86_SNAP_PIT, pit), VM_ITEM(X86_SNAP_CLOCK, clock),
};

#define VCPU_REQUIRED	(BIT(X86_SNAP_REGS) | BIT(X86_SNAP_SREGS) | \
			 BIT(X86_SNAP_LAPIC) | BIT(X86_SNAP_EVENTS) | \
			 BIT(X86_SNAP_MP_STATE))
#define VM_REQUIRED	(BIT(X86_SNAP_PIC_MASTER) | BIT(X86_SNAP_PIC_SLAVE) | \
			 BIT(X86_SNAP_IOAPIC) | BIT(X86_SNAP_CLOCK))

static const struct item *item_find(const struct item *tab, size_t n, u32 kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].kind == kind)
			return &tab[i];
	return NULL;
}

/* How many of tab's kinds have holds: the payload's first u32. */
static u32 items_count(const struct item *tab, size_t n, u32 have)
{
	u32 c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += !!(have & BIT(tab[i].kind));
	return c;
}

void x86_vcpu_state_put(struct sbuf *b, const struct x86_vcpu_state *st)
{
	const struct item *it;
	size_t i;

	sb_u32(b, items_count(vcpu_items, ARRAY_SIZE(vcpu_items), st->have));
	for (i = 0; i < ARRAY_SIZE(vcpu_items); i++) {
		it = &vcpu_items[i];
		if (!(st->have & BIT(it->kind)))
			continue;
		sb_u32(b, it->kind);
		if (it->kind == X86_SNAP_XSAVE)
			sb_blob(b, st->xsave, st->xsave_len);
		else if (it->kind == X86_SNAP_MSRS)
			sb_blob(b, st->msrs, st->nmsrs * sizeof(st->msrs[0]));
		else
			sb_blob(b, (const u8 *)st + it->off, it->size);
	}
}

void x86_vm_state_put(struct sbuf *b, const struct x86_vm_state *st)
{
	size_t i;

	sb_u32(b, items_count(vm_items, ARRAY_SIZE(vm_items), st->have));
	for (i = 0; i < ARRAY_SIZE(vm_items); i++) {
		if (!(st->have & BIT(vm_items[i].kind)))
			continue;
		sb_u32(b, vm_items[i].kind);
		sb_blob(b, (const u8 *)st + vm_items[i].off, vm_items[i].size);
	}
}

/* Decoding context: who ("vcpu1", "vm") for the messages. */
struct dec {
	const char *who;
	char *err;
	size_t errlen;
};

static int dec_fail(struct dec *d, const char *item, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dec_fail(struct dec *d, const char *item, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(d->err, d->errlen, "%s%s%s: ", d->who, item ? " " : "",
		     item ? item : "");
	if (n < 0 || (size_t)n >= d->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(d->err + n, d->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int size_check(struct dec *d, const char *name, u32 len, u32 want)
{
	if (len == want)
		return 0;
	return dec_fail(d, name, "%u bytes, this host's KVM wants %u", len,
			want);
}

/* XSAVE and MSRs: the items of variable size. */
static int vcpu_var_item(struct dec *d, struct x86_vcpu_state *st, u32 kind,
			 const u8 *p, u32 len)
{
	const char *name = item_names[kind];
	u32 n = len / sizeof(st->msrs[0]);

	if (kind == X86_SNAP_XSAVE) {
		if (!st->xsave_len)
			return dec_fail(d, name, "this host's KVM has no XSAVE (KVM_CAP_XSAVE)");
		if (size_check(d, name, len, st->xsave_len))
			return -1;
		st->xsave = malloc(len);
		if (!st->xsave)
			return dec_fail(d, name, "out of memory");
		memcpy(st->xsave, p, len);
		return 0;
	}
	if (len % sizeof(st->msrs[0]))
		return dec_fail(d, name, "%u bytes, not a whole number of %zu-byte entries",
				len, sizeof(st->msrs[0]));
	if (n > X86_SNAP_MAX_MSRS)
		return dec_fail(d, name, "%u entries, at most %u", n,
				X86_SNAP_MAX_MSRS);
	st->msrs = calloc(n ? n : 1, sizeof(st->msrs[0]));
	if (!st->msrs)
		return dec_fail(d, name, "out of memory");
	memcpy(st->msrs, p, len);
	st->nmsrs = n;
	return 0;
}

/* One item: kind, blob into st (tab: the fixed-size ones; var, when set,
 * takes those of size 0). *last names it for the next message. */
static int item_get(struct dec *d, struct sreader *r, const struct item *tab,
		    size_t n, void *st, u32 *have, struct x86_vcpu_state *var,
		    const char **last, char *buf, size_t buflen)
{
	const struct item *it;
	const u8 *p;
	u32 kind, blen;

	kind = sr_u32(r);
	p = sr_blob(r, &blen);
	if (r->bad)
		return dec_fail(d, NULL, "payload truncated after %s", *last);
	*last = x86_snap_item_name(kind, buf, buflen);
	it = item_find(tab, n, kind);
	if (!it && kind < X86_SNAP_ITEMS && item_names[kind])
		return dec_fail(d, *last, "does not belong in this section");
	if (!it)
		return dec_fail(d, NULL, "unknown %s (saved by a newer lkvm?)",
				*last);
	if (*have & BIT(kind))
		return dec_fail(d, *last, "saved twice");
	*have |= BIT(kind);
	if (!it->size)
		return vcpu_var_item(d, var, kind, p, blen);
	if (size_check(d, *last, blen, it->size))
		return -1;
	memcpy((u8 *)st + it->off, p, it->size);
	return 0;
}

/* The payload: a u32 item count, then the items, then nothing. */
static int items_get(struct dec *d, const u8 *data, size_t len,
		     const struct item *tab, size_t n, void *st, u32 *have,
		     struct x86_vcpu_state *var)
{
	const char *last = "the item count";
	struct sreader r;
	char buf[24];
	u32 i, count;

	sr_init(&r, data, len);
	count = sr_u32(&r);
	if (r.bad)
		return dec_fail(d, NULL, "payload truncated: %zu bytes, no item count",
				len);
	if (count > n)
		return dec_fail(d, NULL, "%u items, at most %zu", count, n);
	for (i = 0; i < count; i++)
		if (item_get(d, &r, tab, n, st, have, var, &last, buf,
			     sizeof(buf)))
			return -1;
	if (r.off != r.len)
		return dec_fail(d, NULL, "%zu bytes after the last item (%s)",
				r.len - r.off, last);
	return 0;
}

static int required(struct dec *d, u32 have, u32 want)
{
	u32 k;

	for (k = 1; k < X86_SNAP_ITEMS; k++)
		if ((want & BIT(k)) && !(have & BIT(k)))
			return dec_fail(d, NULL, "no %s saved", item_names[k]);
	return 0;
}

int x86_vcpu_state_get(const u8 *data, size_t len, int id, u32 xsave_len,
		       struct x86_vcpu_state *st, char *err, size_t errlen)
{
	char who[16];
	struct dec d = { who, err, errlen };
	u32 have = 0;
	int ret;

	snprintf(who, sizeof(who), "vcpu%d", id);
	memset(st, 0, sizeof(*st));
	st->xsave_len = xsave_len;
	ret = items_get(&d, data, len, vcpu_items, ARRAY_SIZE(vcpu_items), st,
			&have, st);
	if (!ret)
		ret = required(&d, have, VCPU_REQUIRED);
	if (!ret && !(have & (BIT(X86_SNAP_XSAVE) | BIT(X86_SNAP_FPU))))
		ret = dec_fail(&d, NULL, "no %s saved",
			       xsave_len ? "xsave" : "fpu");
	st->have = have;
	if (ret)
		x86_vcpu_state_free(st);
	return ret;
}

void x86_vcpu_state_free(struct x86_vcpu_state *st)
{
	free(st->xsave);
	free(st->msrs);
	st->xsave = NULL;
	st->msrs = NULL;
	st->nmsrs = 0;
	st->have = 0;
}

int x86_vm_state_get(const u8 *data, size_t len, struct x86_vm_state *st,
		     char *err, size_t errlen)
{
	struct dec d = { "vm", err, errlen };
	u32 have = 0, i;

	memset(st, 0, sizeof(*st));
	if (items_get(&d, data, len, vm_items, ARRAY_SIZE(vm_items), st,
		      &have, NULL) || required(&d, have, VM_REQUIRED))
		return -1;
	for (i = 0; i < 3; i++)
		if (st->chip[i].chip_id != i)
			return dec_fail(&d, item_names[X86_SNAP_PIC_MASTER + i],
					"chip_id %u, expected %u",
					st->chip[i].chip_id, i);
	st->have = have;
	return 0;
}

/* ---- which MSRs (pure) ---- */

#define MSR_IA32_APICBASE	0x0000001bu
#define MSR_IA32_TSC_DEADLINE	0x000006e0u
#define MSR_VMX_FIRST		0x00000480u	/* IA32_VMX_BASIC */
#define MSR_VMX_LAST		0x00000491u	/* IA32_VMX_VMFUNC */
#define MSR_HYPERV_FIRST	0x40000000u
#define MSR_HYPERV_LAST		0x400000ffu
#define MSR_EFER		0xc0000080u
#define MSR_FS_BASE		0xc0000100u
#define MSR_GS_BASE		0xc0000101u
#define MSR_KVM_ASYNC_PF_INT	0x4b564d06u

bool x86_msr_saveable(u32 index)
{
	switch (index) {
	case MSR_IA32_APICBASE:	/* sregs.apic_base */
	case MSR_EFER:		/* sregs.efer */
	case MSR_FS_BASE:	/* sregs.fs.base */
	case MSR_GS_BASE:	/* sregs.gs.base */
		return false;
	}
	if (index >= MSR_VMX_FIRST && index <= MSR_VMX_LAST)
		return false;
	return index < MSR_HYPERV_FIRST || index > MSR_HYPERV_LAST;
}

bool x86_msr_late(u32 index)
{
	return index == MSR_IA32_TSC_DEADLINE;
}

u32 x86_msr_filter(const u32 *in, u32 n, u32 *out)
{
	u32 i, k = 0;

	for (i = 0; i < n; i++)	/* read first: ASYNC_PF_EN checks it */
		if (in[i] == MSR_KVM_ASYNC_PF_INT)
			out[k++] = in[i];
	for (i = 0; i < n; i++)
		if (in[i] != MSR_KVM_ASYNC_PF_INT && x86_msr_saveable(in[i]))
			out[k++] = in[i];
	return k;
}

int x86_msr_read_back(struct kvm_msr_entry *e, u32 n, x86_msr_get_fn get,
		      void *ctx)
{
	u32 done = 0;
	int r;

	while (done < n) {
		r = get(ctx, e + done, n - done);
		if (r < 0 || (u32)r > n - done)
			return -1;
		done += r;
		if (done == n)
			break;
		/* e[done] did not read: drop it, read on after it */
		memmove(&e[done], &e[done + 1], (n - done - 1) * sizeof(*e));
		n--;
	}
	return n;
}

void x86_events_for_set(struct kvm_vcpu_events *ev, u32 mp_state)
{
	ev->flags |= KVM_VCPUEVENT_VALID_NMI_PENDING;
	if (mp_state == KVM_MP_STATE_SIPI_RECEIVED)
		ev->flags |= KVM_VCPUEVENT_VALID_SIPI_VECTOR;
}

/* ---- the KVM edge ---- */

/* What this host's KVM offers for a vCPU's FPU state. */
struct host_caps {
	u32 xsave_len;		/* 0: no XSAVE, KVM_GET_FPU */
	bool xsave2;		/* KVM_GET_XSAVE2 of xsave_len bytes */
	bool xcrs;
};

static void host_caps(struct vm *vm, struct host_caps *c)
{
	int n = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);

	c->xsave2 = n > 0;
	if (n > 0)
		c->xsave_len = n > (int)sizeof(struct kvm_xsave) ? (u32)n :
			       sizeof(struct kvm_xsave);
	else
		c->xsave_len = vm_check_cap(vm, KVM_CAP_XSAVE) ?
			       sizeof(struct kvm_xsave) : 0;
	c->xcrs = vm_check_cap(vm, KVM_CAP_XCRS);
}

/* ioctl req on fd; on failure err reads "<who>: <REQ>: <strerror>". */
static int call(int fd, unsigned long req, void *arg, const char *who,
		const char *name, char *err, size_t errlen)
{
	if (ioctl(fd, req, arg) >= 0)
		return 0;
	snprintf(err, errlen, "%s: %s: %s", who, name, strerror(errno));
	return -1;
}

#define VCPU_CALL(v, who, req, arg) \
	call((v)->fd, req, arg, who, #req, err, errlen)
#define VM_CALL(vm, who, req, arg) \
	call((vm)->vm_fd, req, arg, who, #req, err, errlen)

/* KVM_GET_MSR_INDEX_LIST filtered by x86_msr_filter into *idx. */
static int msr_index_list(struct vm *vm, u32 **idx, u32 *n, char *err,
			  size_t errlen)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;
	int ret = -1;

	if (ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 &&
	    errno != E2BIG)
		goto fail;
	l = calloc(1, sizeof(*l) + (probe.nmsrs + 1) * sizeof(u32));
	*idx = calloc(probe.nmsrs + 1, sizeof(u32));
	if (!l || !*idx) {
		snprintf(err, errlen, "MSR list: out of memory");
		goto out;
	}
	l->nmsrs = probe.nmsrs;
	if (ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, l) < 0)
		goto out_errno;
	*n = x86_msr_filter(l->indices, l->nmsrs, *idx);
	if (*n > X86_SNAP_MAX_MSRS)
		*n = X86_SNAP_MAX_MSRS;
	ret = 0;
	goto out;
out_errno:
	snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
out:
	free(l);
	if (ret) {
		free(*idx);
		*idx = NULL;
	}
	return ret;
fail:
	snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
	return -1;
}

/* x86_msr_get_fn over KVM_GET_MSRS: copies through a struct kvm_msrs. */
struct msr_io {
	int fd;
	struct kvm_msrs *m;	/* room for every entry */
};

static int kvm_get_msrs(void *ctx, struct kvm_msr_entry *e, u32 n)
{
	struct msr_io *io = ctx;
	int r;

	io->m->nmsrs = n;
	memcpy(io->m->entries, e, n * sizeof(*e));
	r = ioctl(io->fd, KVM_GET_MSRS, io->m);
	if (r > 0)
		memcpy(e, io->m->entries, r * sizeof(*e));
	return r;
}

static int read_msrs(struct vcpu *v, const char *who, const u32 *idx, u32 n,
		     struct x86_vcpu_state *st, char *err, size_t errlen)
{
	struct msr_io io = { v->fd, NULL };
	u32 i;
	int r;

	st->msrs = calloc(n + 1, sizeof(st->msrs[0]));
	io.m = calloc(1, sizeof(*io.m) + (n + 1) * sizeof(st->msrs[0]));
	if (!st->msrs || !io.m) {
		free(io.m);
		snprintf(err, errlen, "%s: MSRs: out of memory", who);
		return -1;
	}
	for (i = 0; i < n; i++)
		st->msrs[i].index = idx[i];
	r = x86_msr_read_back(st->msrs, n, kvm_get_msrs, &io);
	free(io.m);
	if (r < 0) {
		snprintf(err, errlen, "%s: KVM_GET_MSRS: %s", who,
			 strerror(errno));
		return -1;
	}
	st->nmsrs = r;
	st->have |= BIT(X86_SNAP_MSRS);
	return 0;
}

static int read_fpu(struct vcpu *v, const char *who,
		    const struct host_caps *c, struct x86_vcpu_state *st,
		    char *err, size_t errlen)
{
	if (!c->xsave_len) {
		st->have |= BIT(X86_SNAP_FPU);
		return VCPU_CALL(v, who, KVM_GET_FPU, &st->fpu);
	}
	st->xsave = calloc(1, c->xsave_len);
	st->xsave_len = c->xsave_len;
	if (!st->xsave) {
		snprintf(err, errlen, "%s: xsave: out of memory", who);
		return -1;
	}
	st->have |= BIT(X86_SNAP_XSAVE);
	if (c->xsave2)
		return VCPU_CALL(v, who, KVM_GET_XSAVE2, st->xsave);
	return VCPU_CALL(v, who, KVM_GET_XSAVE, st->xsave);
}

/* In QEMU's order: events and MP state first (reading the MP state may
 * deliver a pending INIT/SIPI, which changes CS and RIP). */
static int vcpu_read(struct vcpu *v, const struct host_caps *c,
		     const u32 *idx, u32 nidx, struct x86_vcpu_state *st,
		     char *err, size_t errlen)
{
	char who[16];

	snprintf(who, sizeof(who), "vcpu%d", v->id);
	if (VCPU_CALL(v, who, KVM_GET_VCPU_EVENTS, &st->events) ||
	    VCPU_CALL(v, who, KVM_GET_MP_STATE, &st->mp) ||
	    VCPU_CALL(v, who, KVM_GET_REGS, &st->regs) ||
	    read_fpu(v, who, c, st, err, errlen) ||
	    (c->xcrs && VCPU_CALL(v, who, KVM_GET_XCRS, &st->xcrs)) ||
	    VCPU_CALL(v, who, KVM_GET_SREGS, &st->sregs) ||
	    read_msrs(v, who, idx, nidx, st, err, errlen) ||
	    VCPU_CALL(v, who, KVM_GET_LAPIC, &st->lapic) ||
	    VCPU_CALL(v, who, KVM_GET_DEBUGREGS, &st->dbg))
		return -1;
	st->have |= VCPU_REQUIRED | BIT(X86_SNAP_DEBUGREGS) |
		    (c->xcrs ? BIT(X86_SNAP_XCRS) : 0);
	return 0;
}

/* The MSRs of st with x86_msr_late() == late, through KVM_SET_MSRS. */
static int write_msrs(struct vcpu *v, const char *who,
		      const struct x86_vcpu_state *st, bool late, char *err,
		      size_t errlen)
{
	struct kvm_msrs *m;
	bool ok;
	u32 i;
	int r;

	m = calloc(1, sizeof(*m) + (st->nmsrs + 1) * sizeof(m->entries[0]));
	if (!m) {
		snprintf(err, errlen, "%s msrs: out of memory", who);
		return -1;
	}
	for (i = 0; i < st->nmsrs; i++)
		if (x86_msr_late(st->msrs[i].index) == late)
			m->entries[m->nmsrs++] = st->msrs[i];
	r = m->nmsrs ? ioctl(v->fd, KVM_SET_MSRS, m) : 0;
	if (r < 0)
		snprintf(err, errlen, "%s msrs: KVM_SET_MSRS: %s", who,
			 strerror(errno));
	else if ((u32)r < m->nmsrs)
		snprintf(err, errlen,
			 "%s msr 0x%x: KVM_SET_MSRS refused the value 0x%llx",
			 who, m->entries[r].index,
			 (unsigned long long)m->entries[r].data);
	ok = r >= 0 && (u32)r == m->nmsrs;
	free(m);
	return ok ? 0 : -1;
}

#define TSC_SLACK_MS	10	/* a TSC this far from the saved one was not set */

/* The vCPU's TSC (MSR 0x10) as the guest reads it now, or -1. */
static int read_tsc(struct vcpu *v, u64 *tsc)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = 0x10 };

	if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
		return -1;
	*tsc = m.e.data;
	return 0;
}

/*
 * KVM takes a host write of the TSC within a second of what it expects (a
 * VM restored from a snapshot taken less than a second after boot) as an
 * attempt to synchronise vCPUs and keeps its own value: the guest's clock
 * would run back. Where the TSC is not the saved one, move the vCPU's TSC
 * offset (KVM_VCPU_TSC_OFFSET, Linux >= 5.16) by the difference.
 */
static void tsc_fix(struct vcpu *v, const char *who,
		    const struct x86_vcpu_state *st)
{
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL,
				     .attr = KVM_VCPU_TSC_OFFSET };
	u64 want = 0, now, off;
	s64 diff, slack;
	u32 i;
	int khz;

	for (i = 0; i < st->nmsrs && st->msrs[i].index != 0x10; i++)
		;
	khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
	if (i == st->nmsrs || khz <= 0 || read_tsc(v, &now))
		return;
	want = st->msrs[i].data;
	diff = (s64)(want - now);
	slack = (s64)khz * TSC_SLACK_MS;
	if (diff < slack && diff > -slack)
		return;
	a.addr = (u64)(uintptr_t)&off;
	if (ioctl(v->fd, KVM_GET_DEVICE_ATTR, &a) ||
	    (off += diff, ioctl(v->fd, KVM_SET_DEVICE_ATTR, &a)))
		pr_warn("%s: the guest's TSC restarts at %llu, not %llu (KVM "
			"kept its own; KVM_VCPU_TSC_OFFSET: %s)", who,
			(unsigned long long)now, (unsigned long long)want,
			strerror(errno));
}

static int write_fpu(struct vcpu *v, const char *who,
		     struct x86_vcpu_state *st, char *err, size_t errlen)
{
	if (st->have & BIT(X86_SNAP_XSAVE))
		return VCPU_CALL(v, who, KVM_SET_XSAVE, st->xsave);
	return VCPU_CALL(v, who, KVM_SET_FPU, &st->fpu);
}

/* On a vCPU that has not run, in QEMU's kvm_arch_put_registers order:
 * sregs first (EFER, CR4: what the rest is checked against; the APIC base
 * the LAPIC state needs), MSRs (TSC) before the events, the TSC deadline
 * once the LAPIC's timer mode is back. */
static int vcpu_write(struct vcpu *v, struct x86_vcpu_state *st, char *err,
		      size_t errlen)
{
	char who[16];

	snprintf(who, sizeof(who), "vcpu%d", v->id);
	x86_events_for_set(&st->events, st->mp.mp_state);
	if (VCPU_CALL(v, who, KVM_SET_SREGS, &st->sregs) ||
	    VCPU_CALL(v, who, KVM_SET_REGS, &st->regs) ||
	    write_fpu(v, who, st, err, errlen) ||
	    ((st->have & BIT(X86_SNAP_XCRS)) &&
	     VCPU_CALL(v, who, KVM_SET_XCRS, &st->xcrs)) ||
	    write_msrs(v, who, st, false, err, errlen) ||
	    (tsc_fix(v, who, st), 0) ||
	    VCPU_CALL(v, who, KVM_SET_LAPIC, &st->lapic) ||
	    write_msrs(v, who, st, true, err, errlen) ||
	    VCPU_CALL(v, who, KVM_SET_VCPU_EVENTS, &st->events) ||
	    VCPU_CALL(v, who, KVM_SET_MP_STATE, &st->mp) ||
	    ((st->have & BIT(X86_SNAP_DEBUGREGS)) &&
	     VCPU_CALL(v, who, KVM_SET_DEBUGREGS, &st->dbg)))
		return -1;
	return 0;
}

/* ---- the owners ---- */

static int x86_vcpu_save(struct vm *vm, struct sbuf *b, char *err,
			 size_t errlen)
{
	struct x86_vcpu_state st;
	struct host_caps c;
	u32 *idx, nidx;
	size_t h;
	int i, ret = 0;

	host_caps(vm, &c);
	if (msr_index_list(vm, &idx, &nidx, err, errlen))
		return -1;
	for (i = 0; i < vm->nr_cpus && !ret; i++) {
		memset(&st, 0, sizeof(st));
		ret = vcpu_read(&vm->vcpus[i], &c, idx, nidx, &st, err, errlen);
		if (!ret) {
			h = snap_sec_begin(b, "x86-vcpu", vm->vcpus[i].id,
					   X86_SNAP_VERSION);
			x86_vcpu_state_put(b, &st);
			snap_sec_end(b, h);
		}
		x86_vcpu_state_free(&st);
	}
	free(idx);
	return ret;
}

static int x86_vcpu_load(struct vm *vm, const struct snap_sec *s, char *err,
			 size_t errlen)
{
	struct x86_vcpu_state st;
	struct host_caps c;
	int ret;

	if (s->ver > X86_SNAP_VERSION) {
		snprintf(err, errlen, "vcpu%u: section version %u, this lkvm reads up to %u",
			 s->inst, s->ver, X86_SNAP_VERSION);
		return -1;
	}
	if (s->inst >= (u32)vm->nr_cpus) {
		snprintf(err, errlen, "vcpu%u: saved, but this VM has %d vCPUs (restore with the saved --cpus)",
			 s->inst, vm->nr_cpus);
		return -1;
	}
	host_caps(vm, &c);
	if (x86_vcpu_state_get(s->data, s->len, s->inst, c.xsave_len, &st, err,
			       errlen))
		return -1;
	ret = vcpu_write(&vm->vcpus[s->inst], &st, err, errlen);
	x86_vcpu_state_free(&st);
	return ret;
}

SNAP_OWNER(x86_vcpu_owner, .type = "x86-vcpu", .order = SNAP_ORDER_VCPU,
	   .version = X86_SNAP_VERSION, .save = x86_vcpu_save,
	   .load = x86_vcpu_load)

static const char *const vm_who[3] = {
	"vm pic-master", "vm pic-slave", "vm ioapic"
};

static int vm_read(struct vm *vm, struct x86_vm_state *st, char *err,
		   size_t errlen)
{
	u32 i;

	for (i = 0; i < 3; i++) {
		st->chip[i].chip_id = i;
		if (VM_CALL(vm, vm_who[i], KVM_GET_IRQCHIP, &st->chip[i]))
			return -1;
	}
	/* x86_platform_init always creates the PIT (KVM_CREATE_PIT2) */
	if (VM_CALL(vm, "vm pit", KVM_GET_PIT2, &st->pit) ||
	    VM_CALL(vm, "vm clock", KVM_GET_CLOCK, &st->clock))
		return -1;
	st->have = VM_REQUIRED | BIT(X86_SNAP_PIT);
	return 0;
}

static int x86_vm_save(struct vm *vm, struct sbuf *b, char *err,
		       size_t errlen)
{
	struct x86_vm_state st;
	size_t h;

	memset(&st, 0, sizeof(st));
	if (vm_read(vm, &st, err, errlen))
		return -1;
	h = snap_sec_begin(b, "x86-vm", 0, X86_SNAP_VERSION);
	x86_vm_state_put(b, &st);
	snap_sec_end(b, h);
	return 0;
}

/* kvmclock goes back to the saved value with flags 0: without
 * KVM_CLOCK_REALTIME, KVM_SET_CLOCK does not add the time that passed
 * since the save (Documentation/virt/kvm/api.rst), so the guest's clock
 * continues where it stopped, as its TSC (MSR_IA32_TSC) does. */
static int x86_vm_load(struct vm *vm, const struct snap_sec *s, char *err,
		       size_t errlen)
{
	struct x86_vm_state st;
	u32 i;

	if (s->ver > X86_SNAP_VERSION) {
		snprintf(err, errlen, "vm: x86-vm section version %u, this lkvm reads up to %u",
			 s->ver, X86_SNAP_VERSION);
		return -1;
	}
	if (x86_vm_state_get(s->data, s->len, &st, err, errlen))
		return -1;
	for (i = 0; i < 3; i++)
		if (VM_CALL(vm, vm_who[i], KVM_SET_IRQCHIP, &st.chip[i]))
			return -1;
	if ((st.have & BIT(X86_SNAP_PIT)) &&
	    VM_CALL(vm, "vm pit", KVM_SET_PIT2, &st.pit))
		return -1;
	st.clock.flags = 0;
	return VM_CALL(vm, "vm clock", KVM_SET_CLOCK, &st.clock);
}

SNAP_OWNER(x86_vm_owner, .type = "x86-vm", .order = SNAP_ORDER_VM,
	   .version = X86_SNAP_VERSION, .save = x86_vm_save,
	   .load = x86_vm_load)

/* x86/legacy.c's ports, through their state description "x86-legacy". */
static int x86_legacy_save(struct vm *vm, struct sbuf *b, char *err,
			   size_t errlen)
{
	const struct state_desc *d = state_find("x86-legacy");
	struct legacy *l = &x86_vm(vm)->legacy;
	size_t h;

	if (!d) {
		snprintf(err, errlen, "x86-legacy: no state description (x86/legacy.c)");
		return -1;
	}
	h = snap_sec_begin(b, "x86-legacy", 0, 1);
	pthread_mutex_lock(&l->lock);
	sb_state(b, d, l);
	pthread_mutex_unlock(&l->lock);
	snap_sec_end(b, h);
	return 0;
}

static int x86_legacy_load(struct vm *vm, const struct snap_sec *s,
			   char *err, size_t errlen)
{
	const struct state_desc *d = state_find("x86-legacy");
	struct legacy *l = &x86_vm(vm)->legacy;
	struct sreader r;
	int ret;

	if (!d) {
		snprintf(err, errlen, "x86-legacy: no state description (x86/legacy.c)");
		return -1;
	}
	sr_init(&r, s->data, s->len);
	pthread_mutex_lock(&l->lock);
	ret = sr_state(&r, d, l, err, errlen);
	pthread_mutex_unlock(&l->lock);
	if (!ret && !sr_done(&r)) {
		snprintf(err, errlen, "x86-legacy: %zu bytes after the state record",
			 r.len - r.off);
		ret = -1;
	}
	return ret;
}

SNAP_OWNER(x86_legacy_owner, .type = "x86-legacy",
	   .order = SNAP_ORDER_DEVICE, .version = 1, .save = x86_legacy_save,
	   .load = x86_legacy_load)
