/* x86_64 snapshot payloads (x86/snapshot.c): the KVM structs of the VM
 * ("x86-vm": PIC, IOAPIC, PIT, kvmclock) and of each vCPU ("x86-vcpu"), each
 * written as a kind and a blob, and the MSR choice. Pure: the ioctls stay in
 * x86/snapshot.c. */
#ifndef LKVM_X86_SNAPSHOT_H
#define LKVM_X86_SNAPSHOT_H

#include <linux/kvm.h>
#include "kvm/snapshot.h"

/* Item kinds: a u32 before each blob. Never renumber. */
enum x86_snap_item {
	X86_SNAP_REGS = 1,
	X86_SNAP_SREGS,
	X86_SNAP_XSAVE,		/* KVM_GET_XSAVE(2): the host's size */
	X86_SNAP_FPU,		/* hosts without KVM_CAP_XSAVE */
	X86_SNAP_XCRS,
	X86_SNAP_MSRS,		/* struct kvm_msr_entry[] */
	X86_SNAP_LAPIC,
	X86_SNAP_EVENTS,
	X86_SNAP_MP_STATE,
	X86_SNAP_DEBUGREGS,
	X86_SNAP_PIC_MASTER,	/* struct kvm_irqchip, chip_id 0 */
	X86_SNAP_PIC_SLAVE,	/* chip_id 1 */
	X86_SNAP_IOAPIC,	/* chip_id 2 */
	X86_SNAP_PIT,		/* struct kvm_pit_state2 */
	X86_SNAP_CLOCK,		/* struct kvm_clock_data */
	X86_SNAP_ITEMS,
};

#define X86_SNAP_MAX_MSRS	1024
/* kvm-clock and the other KVM paravirtual MSRs */
#define X86_MSR_KVM_FIRST	0x4b564d00u
#define X86_MSR_KVM_LAST	0x4b564dffu

/* "sregs", "ioapic", ...; "item N" for an unknown kind. */
const char *x86_snap_item_name(u32 kind, char *buf, size_t len);

struct x86_vcpu_state {
	u32 have;		/* bit (1 << kind) per item held */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	u8 *xsave;		/* malloc'ed, xsave_len bytes */
	u32 xsave_len;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_msr_entry *msrs;	/* malloc'ed, nmsrs */
	u32 nmsrs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	struct kvm_debugregs dbg;
};

struct x86_vm_state {
	u32 have;
	struct kvm_irqchip chip[3];	/* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

/* Writes the items st->have holds (the section's payload). */
void x86_vcpu_state_put(struct sbuf *b, const struct x86_vcpu_state *st);
/* Decodes a payload into st (zeroed first). xsave_len: the size this
 * host's KVM takes (0: no XSAVE, FPU wanted). Returns 0, or -1 with err
 * starting "vcpu<id>" and naming the item: unknown, twice, of the wrong
 * size, truncated, or a required one missing. */
int x86_vcpu_state_get(const u8 *data, size_t len, int id, u32 xsave_len,
		       struct x86_vcpu_state *st, char *err, size_t errlen);
void x86_vcpu_state_free(struct x86_vcpu_state *st);

void x86_vm_state_put(struct sbuf *b, const struct x86_vm_state *st);
/* As x86_vcpu_state_get, for the VM ("vm ioapic: ..."); the PIT is
 * optional, the irqchips and the clock are required. */
int x86_vm_state_get(const u8 *data, size_t len, struct x86_vm_state *st,
		     char *err, size_t errlen);

/* True for MSRs a snapshot writes back: not those sregs holds (EFER, FS/GS
 * base, APIC base), the VMX capability MSRs (fixed by CPUID and the host)
 * nor Hyper-V's (lkvm offers no Hyper-V interface). */
bool x86_msr_saveable(u32 index);
/* True for MSRs written after the LAPIC (the TSC deadline: KVM ignores it
 * until the LVT timer is in TSC-deadline mode). */
bool x86_msr_late(u32 index);
/* The saveable MSRs of in[n] into out (room for n), in write order
 * (MSR_KVM_ASYNC_PF_INT before MSR_KVM_ASYNC_PF_EN, which checks it);
 * returns how many. */
u32 x86_msr_filter(const u32 *in, u32 n, u32 *out);

/* Reads e[0..n) through get, which returns how many entries from the first
 * it read (KVM_GET_MSRS) or -1; an entry it stops at is dropped and the
 * rest read on. Returns the number kept (e compacted), or -1. */
typedef int (*x86_msr_get_fn)(void *ctx, struct kvm_msr_entry *e, u32 n);
int x86_msr_read_back(struct kvm_msr_entry *e, u32 n, x86_msr_get_fn get,
		      void *ctx);

/* The vCPU events as KVM_SET_VCPU_EVENTS takes them on restore: the NMI
 * pending state (and the SIPI vector of mp_state SIPI_RECEIVED) marked
 * valid, which KVM_GET_VCPU_EVENTS leaves unmarked. */
void x86_events_for_set(struct kvm_vcpu_events *ev, u32 mp_state);

#endif
