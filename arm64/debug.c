/* `lkvm debug` and `lkvm stop` on arm64 (include/kvm/vm.h's arch hooks):
 * a parked vCPU's PC, SP, PSTATE and the guest's ESR_EL1/FAR_EL1 (its last
 * exception) as JSON members; no NMI (the power key: arm64/power_key.c). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include "kvm/vm.h"

#define CORE(name)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 (offsetof(struct kvm_regs, name) / sizeof(u32)))
#define ESR_EL1		ARM64_SYS_REG(3, 0, 5, 2, 0)
#define FAR_EL1		ARM64_SYS_REG(3, 0, 6, 0, 0)

static int get(struct vcpu *v, u64 id, u64 *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (u64)(unsigned long)val };

	return ioctl(v->fd, KVM_GET_ONE_REG, &r) < 0 ? -errno : 0;
}

int arch_vcpu_regs_json(struct vcpu *v, FILE *out)
{
	static const struct { const char *name; u64 id; } regs[] = {
		{ "pc", CORE(regs.pc) }, { "sp_el0", CORE(regs.sp) },
		{ "sp_el1", CORE(sp_el1) }, { "pstate", CORE(regs.pstate) },
		{ "elr_el1", CORE(elr_el1) }, { "esr_el1", ESR_EL1 },
		{ "far_el1", FAR_EL1 },
	};
	size_t i;
	u64 val;
	int r;

	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		r = get(v, regs[i].id, &val);
		if (r)
			return r;
		fprintf(out, ", \"%s\": \"0x%llx\"", regs[i].name,
			(unsigned long long)val);
	}
	return 0;
}

int arch_vcpu_nmi(struct vcpu *v)
{
	return -ENOTSUP;
}
