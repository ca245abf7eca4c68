/* x86 vCPU setup: per-vCPU CPUID, LAPIC LINT pins, FPU state, and the boot
 * vCPU's registers for a bzImage or PVH vmlinux (32-bit protected mode
 * entry: the PVH ABI leaves the selectors free, both use 0x10/0x18) or a raw
 * binary (real mode at 0x1000:0); the register dump on fatal exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "x86/arch.h"
#include "x86/cpuid.h"

#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_MODE_NMI	0x4
#define APIC_MODE_EXTINT 0x7

/* KVM fills at most this many entries today (KVM_MAX_CPUID_ENTRIES): one
 * call, not an E2BIG one first, as each call runs CPUID on the host for
 * every leaf (0.6 ms on a nested host). */
#define CPUID_NENT_FIRST	256

static struct kvm_cpuid2 *get_supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *c;
	int n;

	for (n = CPUID_NENT_FIRST; n <= 4096; n *= 2) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			break;
	}
	pr_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return NULL;
}

static int setup_cpuid(struct vcpu *v)
{
	struct x86_vm *x = x86_vm(v->vm);
	struct kvm_cpuid2 *c;
	size_t sz;
	int ret;

	if (!x->cpuid && !(x->cpuid = get_supported_cpuid(v->vm)))
		return -1;
	sz = sizeof(*c) + x->cpuid->nent * sizeof(c->entries[0]);
	c = malloc(sz);
	if (!c)
		return -1;
	memcpy(c, x->cpuid, sz);
	cpuid_filter(c->entries, c->nent, v->id, v->vm->nr_cpus);
	ret = ioctl(v->fd, KVM_SET_CPUID2, c);
	if (ret < 0)
		pr_err("vcpu%d: KVM_SET_CPUID2: %s", v->id, strerror(errno));
	free(c);
	return ret;
}

static void set_lvt(struct kvm_lapic_state *s, int reg, u32 mode)
{
	u32 *p = (u32 *)&s->regs[reg];

	*p = (*p & ~0x700u) | (mode << 8);
}

static int setup_lapic(struct vcpu *v)
{
	struct kvm_lapic_state s;

	if (ioctl(v->fd, KVM_GET_LAPIC, &s) < 0)
		goto fail;
	set_lvt(&s, APIC_LVT0, APIC_MODE_EXTINT);
	set_lvt(&s, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(v->fd, KVM_SET_LAPIC, &s) < 0)
		goto fail;
	return 0;
fail:
	pr_err("vcpu%d: LAPIC setup: %s", v->id, strerror(errno));
	return -1;
}

static int setup_fpu(struct vcpu *v)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		pr_err("vcpu%d: KVM_SET_FPU: %s", v->id, strerror(errno));
		return -1;
	}
	return 0;
}

static void real_seg(struct kvm_segment *s, u16 sel)
{
	s->selector = sel;
	s->base = (u64)sel << 4;
	s->limit = 0xffff;
}

static void flat_seg(struct kvm_segment *s, u16 sel, u8 type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
}

static void boot_sregs(struct x86_vm *x, struct kvm_sregs *s)
{
	u16 sel = X86_FLAT_LOAD >> 4;

	if (x->flat) {
		real_seg(&s->cs, sel);
		real_seg(&s->ds, sel);
		real_seg(&s->es, sel);
		real_seg(&s->fs, sel);
		real_seg(&s->gs, sel);
		real_seg(&s->ss, sel);
		return;
	}
	flat_seg(&s->cs, 0x10, 0xb);	/* execute/read, accessed */
	flat_seg(&s->ds, 0x18, 0x3);	/* read/write, accessed */
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = X86_BOOT_GDT;
	s->gdt.limit = 4 * 8 - 1;
	s->cr0 |= 1;			/* PE, paging off */
}

static int setup_boot_regs(struct vcpu *v)
{
	struct x86_vm *x = x86_vm(v->vm);
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 0x2 };

	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		goto fail;
	boot_sregs(x, &s);
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		goto fail;
	if (x->pvh)
		r.rbx = X86_PVH_INFO;
	else if (!x->flat)
		r.rsi = X86_ZERO_PAGE;
	r.rip = x->entry;	/* 0 for flat */
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		goto fail;
	return 0;
fail:
	pr_err("vcpu%d: register setup: %s", v->id, strerror(errno));
	return -1;
}

int arch_vcpu_init(struct vcpu *v)
{
	if (setup_cpuid(v) || setup_lapic(v) || setup_fpu(v))
		return -1;
	/* APs stay in wait-for-SIPI; the guest starts them. */
	if (v->id == 0)
		return setup_boot_regs(v);
	return 0;
}

bool arch_handle_exit(struct vcpu *v)
{
	return v->run->exit_reason == KVM_EXIT_HLT;
}

static void dump_seg(const char *n, const struct kvm_segment *s)
{
	fprintf(stderr, "  %-3s sel=%04x base=%016llx limit=%08x type=%x\n", n,
		s->selector, (unsigned long long)s->base, s->limit, s->type);
}

void arch_vcpu_dump(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "lkvm: vcpu%d: cannot read registers: %s\n",
			v->id, strerror(errno));
		return;
	}
	fprintf(stderr, "lkvm: vcpu%d registers:\n"
		"  RIP=%016llx RSP=%016llx RFLAGS=%016llx\n"
		"  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
		"  RSI=%016llx RDI=%016llx RBP=%016llx\n"
		"  R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
		"  R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
		"  CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx EFER=%016llx\n",
		v->id, r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx,
		r.rsi, r.rdi, r.rbp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13,
		r.r14, r.r15, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	dump_seg("CS", &s.cs);
	dump_seg("SS", &s.ss);
	dump_seg("DS", &s.ds);
	fprintf(stderr, "  GDT base=%016llx limit=%04x IDT base=%016llx limit=%04x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
}
