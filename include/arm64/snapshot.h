/* arm64 snapshots: the KVM seam the owners go through (vCPU registers, MP
 * state and events, vGIC/ITS device attributes), the vCPU state codec and
 * register-list checks (arm64/snap_vcpu.c) and the vGICv3/ITS register plan
 * with its save and restore order (arm64/snap_gic.c); owners in snapshot.c. */
#ifndef LKVM_ARM64_SNAPSHOT_H
#define LKVM_ARM64_SNAPSHOT_H

#include <linux/kvm.h>
#include "arm64/gic.h"
#include "arm64/layout.h"
#include "kvm/snapshot.h"

#define A64_SNAP_VERSION	1
#define A64_MAX_REGS		2048	/* KVM_GET_REG_LIST entries kept */
#define A64_MAX_REG_BYTES	256	/* largest register (SVE Z: 2048 bits) */

enum a64_attr_op { A64_ATTR_GET, A64_ATTR_SET };
enum a64_dev { A64_DEV_GIC, A64_DEV_ITS };

/*
 * The ioctls, one vCPU or device at a time: 0 or -errno. reg_list fills
 * ids[*n] and sets *n to the count (-E2BIG, *n the count, when ids is too
 * small). attr: KVM_{GET,SET}_DEVICE_ATTR on the vGIC or ITS fd, val
 * the u32 or u64 the group takes.
 */
struct a64_io {
	void *ctx;
	int (*reg_list)(void *ctx, int cpu, u64 *ids, u32 *n);
	int (*get_reg)(void *ctx, int cpu, u64 id, void *val);
	int (*set_reg)(void *ctx, int cpu, u64 id, const void *val);
	int (*get_mp)(void *ctx, int cpu, u32 *mp_state);
	int (*set_mp)(void *ctx, int cpu, u32 mp_state);
	int (*get_events)(void *ctx, int cpu, struct kvm_vcpu_events *ev);
	int (*set_events)(void *ctx, int cpu,
			  const struct kvm_vcpu_events *ev);
	int (*attr)(void *ctx, enum a64_attr_op op, enum a64_dev dev,
		    u32 group, u64 attr, void *val);
};

/* ---- vCPUs (arm64/snap_vcpu.c) ---- */

struct a64_vcpu_state {
	u32 mp_state;
	struct kvm_vcpu_events events;
	u32 nregs;
	u64 *ids;		/* KVM_GET_REG_LIST order */
	u8 *vals;		/* each register's bytes, one after another */
	size_t vals_len;
};

/* A register's size in bytes from its id (KVM_REG_SIZE). */
u32 a64_reg_size(u64 id);
/* "x0", "pc", "S3_0_C1_C0_0 (sysreg)", "fw 0x1"...: for messages. */
const char *a64_reg_name(u64 id, char *buf, size_t len);
/* The vCPU's registers (every one KVM_GET_REG_LIST names), MP state and
 * events into st (free with a64_vcpu_state_free). 0 or -1 with err. */
int a64_vcpu_read(const struct a64_io *io, int cpu,
		  struct a64_vcpu_state *st, char *err, size_t errlen);
/* The section payload: mp_state, events, count, then (id, bytes)... */
void a64_vcpu_put(struct sbuf *b, const struct a64_vcpu_state *st);
/* Decodes a payload (sizes from the ids, nothing left over). */
int a64_vcpu_get(const u8 *data, size_t len, int cpu,
		 struct a64_vcpu_state *st, char *err, size_t errlen);
/* 0 when this host's list host[nhost] holds exactly st's registers; -1
 * with err: "vcpuN: the snapshot has N registers, this host's vCPU lists
 * M; missing on this host: NAME" (or "not in the snapshot: NAME"). */
int a64_vcpu_check_list(const struct a64_vcpu_state *st, int cpu,
			const u64 *host, u32 nhost, char *err, size_t errlen);
/* Checks the list against the vCPU's, then writes every register, the
 * events and last the MP state. A register KVM refuses to set is accepted
 * if it reads back as saved. 0 or -1 with err naming the register. */
int a64_vcpu_write(const struct a64_io *io, int cpu,
		   const struct a64_vcpu_state *st, char *err, size_t errlen);
void a64_vcpu_state_free(struct a64_vcpu_state *st);
/* The MPIDR_EL1 affinity of a vCPU as the vGIC's attributes take it
 * (Aff3..Aff0 in bits 31..0); -errno on failure. */
int a64_vcpu_mpidr(const struct a64_io *io, int cpu, u32 *aff);

/* ---- the vGICv3 and its ITS (arm64/snap_gic.c) ---- */

/* One device attribute: group, attr; its value is 32 or 64 bits. */
struct a64_gic_reg {
	u32 group;
	u64 attr;
	u64 val;
};

struct a64_gic_state {
	u32 n;
	struct a64_gic_reg *regs;	/* in restore order */
};

/* The vGIC layout the plan is built for. */
struct a64_gic_shape {
	enum gic_type type;
	u32 nr_irqs;		/* GICD_TYPER's count, a multiple of 32 */
	int nr_cpus;
	u32 aff[ARM64_GICV3_MAX_CPUS];	/* each vCPU's affinity */
	u32 nr_apr;		/* ICC_AP{0,1}R<n> that exist (1, 2 or 4) */
};

/* The attributes to save, in restore order. Returns the count, or -1 if
 * out (of max) is too small. */
int a64_gic_plan(const struct a64_gic_shape *sh, struct a64_gic_reg *out,
		 u32 max);
/* 0 for a GICv3 (with or without ITS); -1 with err for GICv2(m), which
 * lkvm does not snapshot. */
int a64_gic_check_type(enum gic_type t, char *err, size_t errlen);
/* The shape of this VM's vGIC through io (GICD_TYPER, APRs, MPIDRs). */
int a64_gic_shape(const struct a64_io *io, enum gic_type type, int nr_cpus,
		  struct a64_gic_shape *sh, char *err, size_t errlen);
/* Saves: ITS tables and LPI pending bits into guest RAM first, then every
 * attribute of the plan. 0 or -1 with err. */
int a64_gic_read(const struct a64_io *io, const struct a64_gic_shape *sh,
		 struct a64_gic_state *st, char *err, size_t errlen);
void a64_gic_put(struct sbuf *b, const struct a64_gic_state *st);
/* Decodes and checks the saved attributes against sh's plan (same
 * registers in the same order). 0 or -1 with err naming the first. */
int a64_gic_get(const u8 *data, size_t len, const struct a64_gic_shape *sh,
		struct a64_gic_state *st, char *err, size_t errlen);
/* Writes st in order; ITS_RESTORE_TABLES just before GITS_CTLR. */
int a64_gic_write(const struct a64_io *io, const struct a64_gic_state *st,
		  char *err, size_t errlen);
void a64_gic_state_free(struct a64_gic_state *st);
/* "GICD_ISENABLER+0x4", "GICR_CTLR (mpidr 0x1)", ... for messages. */
const char *a64_gic_reg_name(const struct a64_gic_reg *r, char *buf,
			     size_t len);

/* The real seam over the VM's vCPU and device fds (arm64/snapshot.c). */
struct vm;
void a64_io_kvm(struct vm *vm, struct a64_io *io);

#endif
