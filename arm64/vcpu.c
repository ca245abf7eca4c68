/* arm64 vCPU setup: KVM_ARM_VCPU_INIT with the preferred target and PSCI
 * 0.2 (secondaries start powered off, the guest brings them up with
 * CPU_ON), the boot vCPU's PC/X0, the vGIC's late init, register dumps. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "arm64/arch.h"

#define CORE_REG(name)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, name) / sizeof(u32)))
#define PSR_D		(1u << 9)
#define PSR_A		(1u << 8)
#define PSR_I		(1u << 7)
#define PSR_F		(1u << 6)
#define PSR_EL1H	0x5u

static int set_reg(struct vcpu *v, u64 id, u64 val)
{
	struct kvm_one_reg r = { .id = id, .addr = (u64)(unsigned long)&val };

	return ioctl(v->fd, KVM_SET_ONE_REG, &r);
}

static int get_reg(struct vcpu *v, u64 id, u64 *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (u64)(unsigned long)val };

	return ioctl(v->fd, KVM_GET_ONE_REG, &r);
}

static int vcpu_init(struct vcpu *v)
{
	struct kvm_vcpu_init init;

	if (ioctl(v->vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		pr_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (v->id)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (vm_check_cap(v->vm, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
	    vm_check_cap(v->vm, KVM_CAP_ARM_PTRAUTH_GENERIC))
		init.features[0] |= 1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS |
				    1u << KVM_ARM_VCPU_PTRAUTH_GENERIC;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		pr_err("vcpu%d: KVM_ARM_VCPU_INIT (target %u): %s", v->id,
		       init.target, strerror(errno));
		return -1;
	}
	return 0;
}

/* booting.rst: MMU off, interrupts masked, X0 = DTB, X1-X3 = 0, EL1. */
static int setup_boot_regs(struct vcpu *v)
{
	struct arm64_vm *a = arm64_vm(v->vm);
	int i;

	if (set_reg(v, CORE_REG(regs.pstate),
		    PSR_D | PSR_A | PSR_I | PSR_F | PSR_EL1H) ||
	    set_reg(v, CORE_REG(regs.pc), a->entry) ||
	    set_reg(v, CORE_REG(regs.regs[0]), a->dtb))
		goto fail;
	for (i = 1; i < 4; i++)
		if (set_reg(v, CORE_REG(regs.regs[i]), 0))
			goto fail;
	return 0;
fail:
	pr_err("vcpu%d: register setup: %s", v->id, strerror(errno));
	return -1;
}

int arch_vcpu_init(struct vcpu *v)
{
	if (vcpu_init(v))
		return -1;
	if (v->id == 0 && !v->vm->restored && setup_boot_regs(v))
		return -1;
	/* every vCPU exists once the last one is set up */
	if (v->id == v->vm->nr_cpus - 1)
		return gic_finalize(&arm64_vm(v->vm)->gic, v->vm);
	return 0;
}

bool arch_handle_exit(struct vcpu *v)
{
	return false;
}

void arch_vcpu_dump(struct vcpu *v)
{
	u64 x[31], pc, pstate, sp, sp_el1, elr;
	int i;

	if (get_reg(v, CORE_REG(regs.pc), &pc) ||
	    get_reg(v, CORE_REG(regs.pstate), &pstate) ||
	    get_reg(v, CORE_REG(regs.sp), &sp) ||
	    get_reg(v, CORE_REG(sp_el1), &sp_el1) ||
	    get_reg(v, CORE_REG(elr_el1), &elr)) {
		fprintf(stderr, "lkvm: vcpu%d: cannot read registers: %s\n",
			v->id, strerror(errno));
		return;
	}
	for (i = 0; i < 31; i++)
		if (get_reg(v, CORE_REG(regs.regs[i]), &x[i]))
			x[i] = 0;
	fprintf(stderr, "lkvm: vcpu%d registers:\n"
		"  PC=%016llx PSTATE=%08llx SP_EL0=%016llx SP_EL1=%016llx "
		"ELR_EL1=%016llx\n", v->id, (unsigned long long)pc,
		(unsigned long long)pstate, (unsigned long long)sp,
		(unsigned long long)sp_el1, (unsigned long long)elr);
	for (i = 0; i < 31; i++)
		fprintf(stderr, "  X%-2d=%016llx%s", i, (unsigned long long)x[i],
			i % 4 == 3 || i == 30 ? "\n" : "");
}
