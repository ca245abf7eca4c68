/* Confinement (kvm/seccomp.c): per-thread-kind seccomp-BPF allowlists, the
 * pure program builder, and installing a filter in the calling thread. */
#ifndef LKVM_KVM_SECCOMP_H
#define LKVM_KVM_SECCOMP_H

#include <linux/filter.h>
#include "lkvm/util.h"

struct vm;

/* What a forbidden syscall does (--seccomp); SC_TRAP is the default (0). */
enum sc_mode { SC_TRAP = 0, SC_KILL, SC_LOG, SC_OFF };

/* Thread kinds, each with its own allowlist. */
enum sc_kind { SC_MAIN, SC_VCPU, SC_IO, SC_VFIO, SC_CONTROL, SC_WATCH,
	       SC_9P, SC_KINDS };

/* One allowlist row: a syscall (or an ioctl request) and the kinds that
 * may use it (bit 1 << kind; 0: known only by name). nr < 0: not on this
 * architecture. */
struct sc_rule {
	long nr;
	const char *name;
	u32 kinds;
};

#define SC_MAX_INSNS	512

/* Builds the filter of kind into out[SC_MAX_INSNS]: audit arch first, then
 * the syscall number, ioctl's request (low 32 bits) for SYS_ioctl; anything
 * else gets the mode's action. One instruction per allowed syscall or
 * request. Pure. Returns the instruction count, or -1 if it does not fit. */
int sc_build(const struct sc_rule *sys, size_t nsys, const struct sc_rule *ioc,
	     size_t nioc, enum sc_kind kind, u32 arch, long ioctl_nr,
	     enum sc_mode mode, struct sock_filter *out);

/* The product's tables, for the tests. */
extern const struct sc_rule sc_syscalls[], sc_ioctls[];
extern const size_t sc_nr_syscalls, sc_nr_ioctls;
extern const u32 sc_audit_arch;

/* "--seccomp" value -> mode; -1 if unknown. */
int sc_parse_mode(const char *s);
/* Name of syscall nr from sc_syscalls, or NULL. */
const char *sc_syscall_name(long nr);

/* Makes vm the one whose threads sc_enter confines (under
 * vm->cfg->seccomp) and installs the SIGSYS handler. Returns 0 or -1. */
int sc_setup(struct vm *vm);
/* Confines the calling thread as kind (NO_NEW_PRIVS, SIGSYS unblocked, the
 * filter); nothing before sc_setup (unit tests). On failure the VM is asked
 * to stop (VM_ERROR) after a message; returns 0 or -1. */
int sc_enter(enum sc_kind kind);

#endif
