/* An arm64 vCPU's snapshot state through the seam of include/arm64/snapshot.h:
 * every register KVM_GET_REG_LIST names (core, FP/SIMD, firmware, timers,
 * system registers), MP state (PSCI power) and events; the payload codec and
 * the check that this host lists exactly the saved registers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arm64/snapshot.h"

#define MPIDR_EL1	ARM64_SYS_REG(3, 0, 0, 0, 5)
#define CORE_PC		(offsetof(struct kvm_regs, regs.pc) / sizeof(u32))
#define CORE_PSTATE	(offsetof(struct kvm_regs, regs.pstate) / sizeof(u32))
#define CORE_SP		(offsetof(struct kvm_regs, regs.sp) / sizeof(u32))

u32 a64_reg_size(u64 id)
{
	return 1u << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

static const char *timer_name(u64 id)
{
	switch (id) {
	case KVM_REG_ARM_TIMER_CTL: return "CNTV_CTL";
	case KVM_REG_ARM_TIMER_CNT: return "CNTVCT";
	case KVM_REG_ARM_TIMER_CVAL: return "CNTV_CVAL";
	case KVM_REG_ARM_PTIMER_CTL: return "CNTP_CTL";
	case KVM_REG_ARM_PTIMER_CNT: return "CNTPCT";
	case KVM_REG_ARM_PTIMER_CVAL: return "CNTP_CVAL";
	}
	return NULL;
}

static const char *core_name(u64 off, char *buf, size_t len)
{
	if (off < CORE_SP && !(off & 1))
		snprintf(buf, len, "x%u", (unsigned)(off / 2));
	else if (off == CORE_SP)
		snprintf(buf, len, "sp");
	else if (off == CORE_PC)
		snprintf(buf, len, "pc");
	else if (off == CORE_PSTATE)
		snprintf(buf, len, "pstate");
	else
		snprintf(buf, len, "core+0x%x", (unsigned)(off * 4));
	return buf;
}

const char *a64_reg_name(u64 id, char *buf, size_t len)
{
	u64 c = id & KVM_REG_ARM_COPROC_MASK;
	const char *t = timer_name(id);

	if (t) {
		snprintf(buf, len, "%s", t);
	} else if (c == KVM_REG_ARM_CORE) {
		core_name(id & 0xffff, buf, len);
	} else if (c == KVM_REG_ARM64_SYSREG) {
		snprintf(buf, len, "S%u_%u_C%u_C%u_%u",
			 (unsigned)(id >> 14) & 3, (unsigned)(id >> 11) & 7,
			 (unsigned)(id >> 7) & 15, (unsigned)(id >> 3) & 15,
			 (unsigned)id & 7);
	} else if (c == KVM_REG_ARM_FW || c == KVM_REG_ARM_FW_FEAT_BMAP) {
		snprintf(buf, len, "firmware 0x%x", (unsigned)(id & 0xffff));
	} else if (c == KVM_REG_ARM_DEMUX) {
		snprintf(buf, len, "demux 0x%x", (unsigned)(id & 0xffff));
	} else if (c == KVM_REG_ARM64_SVE) {
		snprintf(buf, len, "sve 0x%x", (unsigned)(id & 0xffff));
	} else {
		snprintf(buf, len, "coproc 0x%x",
			 (unsigned)(c >> KVM_REG_ARM_COPROC_SHIFT));
	}
	return buf;
}

/* "vcpuN register 0xID (NAME): " + fmt */
static int reg_err(char *err, size_t errlen, int cpu, u64 id, const char *what,
		   int e)
{
	char name[48];

	return set_err(err, errlen, "vcpu%d register 0x%016llx (%s): %s%s%s",
		       cpu, (unsigned long long)id,
		       a64_reg_name(id, name, sizeof(name)), what,
		       e ? ": " : "", e ? strerror(e) : "");
}

void a64_vcpu_state_free(struct a64_vcpu_state *st)
{
	free(st->ids);
	free(st->vals);
	st->ids = NULL;
	st->vals = NULL;
	st->nregs = 0;
	st->vals_len = 0;
}

/* KVM_GET_REG_LIST into a malloc'ed *ids. */
static int reg_list(const struct a64_io *io, int cpu, u64 **ids, u32 *n,
		    char *err, size_t errlen)
{
	u32 want = 0;
	int r;

	*ids = NULL;
	r = io->reg_list(io->ctx, cpu, NULL, &want);
	if (r && r != -E2BIG)
		return set_err(err, errlen, "vcpu%d: KVM_GET_REG_LIST: %s",
			       cpu, strerror(-r));
	if (want > A64_MAX_REGS)
		return set_err(err, errlen, "vcpu%d: KVM_GET_REG_LIST names %u "
			       "registers, lkvm saves at most %u", cpu, want,
			       A64_MAX_REGS);
	*ids = calloc(want + 1, sizeof(u64));
	if (!*ids)
		return set_err(err, errlen, "vcpu%d: out of memory", cpu);
	*n = want;
	r = io->reg_list(io->ctx, cpu, *ids, n);
	if (!r && *n <= want)
		return 0;
	free(*ids);
	*ids = NULL;
	return set_err(err, errlen, "vcpu%d: KVM_GET_REG_LIST: %s", cpu,
		       strerror(r ? -r : E2BIG));
}

/* Offsets of each register's bytes in vals; -1 when a size is too big. */
static int vals_size(int cpu, const u64 *ids, u32 n, size_t *len, char *err,
		     size_t errlen)
{
	u32 i;

	*len = 0;
	for (i = 0; i < n; i++) {
		if (a64_reg_size(ids[i]) > A64_MAX_REG_BYTES)
			return reg_err(err, errlen, cpu, ids[i],
				       "larger than lkvm saves", 0);
		*len += a64_reg_size(ids[i]);
	}
	return 0;
}

static int read_regs(const struct a64_io *io, int cpu,
		     struct a64_vcpu_state *st, char *err, size_t errlen)
{
	size_t off = 0;
	u32 i;
	int r;

	if (vals_size(cpu, st->ids, st->nregs, &st->vals_len, err, errlen))
		return -1;
	st->vals = calloc(1, st->vals_len + 1);
	if (!st->vals)
		return set_err(err, errlen, "vcpu%d: out of memory", cpu);
	for (i = 0; i < st->nregs; i++) {
		r = io->get_reg(io->ctx, cpu, st->ids[i], st->vals + off);
		if (r)
			return reg_err(err, errlen, cpu, st->ids[i],
				       "KVM_GET_ONE_REG", -r);
		off += a64_reg_size(st->ids[i]);
	}
	return 0;
}

int a64_vcpu_read(const struct a64_io *io, int cpu,
		  struct a64_vcpu_state *st, char *err, size_t errlen)
{
	int r;

	memset(st, 0, sizeof(*st));
	r = io->get_mp(io->ctx, cpu, &st->mp_state);
	if (r)
		return set_err(err, errlen, "vcpu%d: KVM_GET_MP_STATE: %s",
			       cpu, strerror(-r));
	r = io->get_events(io->ctx, cpu, &st->events);
	if (r)
		return set_err(err, errlen, "vcpu%d: KVM_GET_VCPU_EVENTS: %s",
			       cpu, strerror(-r));
	if (reg_list(io, cpu, &st->ids, &st->nregs, err, errlen) ||
	    read_regs(io, cpu, st, err, errlen)) {
		a64_vcpu_state_free(st);
		return -1;
	}
	return 0;
}

void a64_vcpu_put(struct sbuf *b, const struct a64_vcpu_state *st)
{
	size_t off = 0;
	u32 i;

	sb_u32(b, st->mp_state);
	sb_blob(b, &st->events, sizeof(st->events));
	sb_u32(b, st->nregs);
	for (i = 0; i < st->nregs; i++) {
		sb_u64(b, st->ids[i]);
		sb_put(b, st->vals + off, a64_reg_size(st->ids[i]));
		off += a64_reg_size(st->ids[i]);
	}
}

/* The (id, bytes) entries of a payload into st. */
static int get_regs(struct sreader *r, int cpu, struct a64_vcpu_state *st,
		    char *err, size_t errlen)
{
	u32 i, k, sz;

	st->ids = calloc(st->nregs + 1, sizeof(u64));
	st->vals = calloc(st->nregs + 1, A64_MAX_REG_BYTES);
	if (!st->ids || !st->vals)
		return set_err(err, errlen, "vcpu%d: out of memory", cpu);
	for (i = 0; i < st->nregs; i++) {
		st->ids[i] = sr_u64(r);
		sz = a64_reg_size(st->ids[i]);
		if (r->bad)
			return set_err(err, errlen, "vcpu%d: truncated at "
				       "register %u of %u", cpu, i, st->nregs);
		if (sz > A64_MAX_REG_BYTES)
			return reg_err(err, errlen, cpu, st->ids[i],
				       "larger than lkvm saves", 0);
		for (k = 0; k < i; k++)
			if (st->ids[k] == st->ids[i])
				return reg_err(err, errlen, cpu, st->ids[i],
					       "saved twice", 0);
		sr_get(r, st->vals + st->vals_len, sz);
		st->vals_len += sz;
		if (r->bad)
			return reg_err(err, errlen, cpu, st->ids[i],
				       "truncated", 0);
	}
	return 0;
}

static int decode(const u8 *data, size_t len, int cpu,
		  struct a64_vcpu_state *st, char *err, size_t errlen)
{
	struct sreader r;
	const u8 *ev;
	u32 evlen;

	sr_init(&r, data, len);
	st->mp_state = sr_u32(&r);
	ev = sr_blob(&r, &evlen);
	st->nregs = sr_u32(&r);
	if (r.bad)
		return set_err(err, errlen, "vcpu%d: truncated before the "
			       "registers (%zu bytes)", cpu, len);
	if (evlen != sizeof(st->events))
		return set_err(err, errlen, "vcpu%d: events: %u bytes, this "
			       "build's struct kvm_vcpu_events has %zu", cpu,
			       evlen, sizeof(st->events));
	memcpy(&st->events, ev, evlen);
	if (st->nregs > A64_MAX_REGS)
		return set_err(err, errlen, "vcpu%d: %u registers, at most %u",
			       cpu, st->nregs, A64_MAX_REGS);
	if (get_regs(&r, cpu, st, err, errlen))
		return -1;
	if (!sr_done(&r))
		return set_err(err, errlen, "vcpu%d: %zu bytes after the last "
			       "register", cpu, r.len - r.off);
	return 0;
}

int a64_vcpu_get(const u8 *data, size_t len, int cpu,
		 struct a64_vcpu_state *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	if (!decode(data, len, cpu, st, err, errlen))
		return 0;
	a64_vcpu_state_free(st);
	return -1;
}

static bool has_id(const u64 *ids, u32 n, u64 id)
{
	while (n--)
		if (ids[n] == id)
			return true;
	return false;
}

int a64_vcpu_check_list(const struct a64_vcpu_state *st, int cpu,
			const u64 *host, u32 nhost, char *err, size_t errlen)
{
	char name[48];
	const char *side = NULL;
	u64 id = 0;
	u32 i;

	for (i = 0; i < st->nregs && !side; i++)
		if (!has_id(host, nhost, st->ids[i]))
			side = "missing on this host", id = st->ids[i];
	for (i = 0; i < nhost && !side; i++)
		if (!has_id(st->ids, st->nregs, host[i]))
			side = "not in the snapshot", id = host[i];
	if (!side)
		return 0;
	return set_err(err, errlen, "vcpu%d: the snapshot has %u registers, "
		       "this host's vCPU lists %u; %s: 0x%016llx (%s)", cpu,
		       st->nregs, nhost, side, (unsigned long long)id,
		       a64_reg_name(id, name, sizeof(name)));
}

/* KVM refuses some writes of a register that already holds the value (an
 * invariant ID register); what counts is that it reads back as saved. */
static int write_reg(const struct a64_io *io, int cpu, u64 id, const u8 *val,
		     char *err, size_t errlen)
{
	u8 now[A64_MAX_REG_BYTES];
	int r = io->set_reg(io->ctx, cpu, id, val);

	if (!r)
		return 0;
	if (!io->get_reg(io->ctx, cpu, id, now) &&
	    !memcmp(now, val, a64_reg_size(id)))
		return 0;
	return reg_err(err, errlen, cpu, id, "KVM_SET_ONE_REG", -r);
}

static int write_regs(const struct a64_io *io, int cpu,
		      const struct a64_vcpu_state *st, char *err,
		      size_t errlen)
{
	size_t off = 0;
	u32 i;

	for (i = 0; i < st->nregs; i++) {
		if (write_reg(io, cpu, st->ids[i], st->vals + off, err,
			      errlen))
			return -1;
		off += a64_reg_size(st->ids[i]);
	}
	return 0;
}

int a64_vcpu_write(const struct a64_io *io, int cpu,
		   const struct a64_vcpu_state *st, char *err, size_t errlen)
{
	u64 *host;
	u32 nhost;
	int r;

	if (reg_list(io, cpu, &host, &nhost, err, errlen))
		return -1;
	r = a64_vcpu_check_list(st, cpu, host, nhost, err, errlen);
	free(host);
	if (r || write_regs(io, cpu, st, err, errlen))
		return -1;
	r = io->set_events(io->ctx, cpu, &st->events);
	if (r)
		return set_err(err, errlen, "vcpu%d: KVM_SET_VCPU_EVENTS: %s",
			       cpu, strerror(-r));
	r = io->set_mp(io->ctx, cpu, st->mp_state);
	if (r)
		return set_err(err, errlen, "vcpu%d: KVM_SET_MP_STATE %u: %s",
			       cpu, st->mp_state, strerror(-r));
	return 0;
}

int a64_vcpu_mpidr(const struct a64_io *io, int cpu, u32 *aff)
{
	u64 m;
	int r = io->get_reg(io->ctx, cpu, MPIDR_EL1, &m);

	if (r)
		return r;
	*aff = (u32)(m & 0xffffff) | (u32)((m >> 32) & 0xff) << 24;
	return 0;
}
