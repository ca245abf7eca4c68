/* `lkvm debug` on x86 (include/kvm/vm.h's arch hooks): a parked vCPU's
 * registers as JSON members (RIP, RSP, RFLAGS, CR0/2/3/4, EFER, segment
 * bases) and NMI injection. */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include "kvm/vm.h"

static void put_hex(FILE *out, const char *key, unsigned long long v)
{
	fprintf(out, ", \"%s\": \"0x%llx\"", key, v);
}

int arch_vcpu_regs_json(struct vcpu *v, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	put_hex(out, "rip", r.rip);
	put_hex(out, "rsp", r.rsp);
	put_hex(out, "rflags", r.rflags);
	put_hex(out, "cr0", s.cr0);
	put_hex(out, "cr2", s.cr2);
	put_hex(out, "cr3", s.cr3);
	put_hex(out, "cr4", s.cr4);
	put_hex(out, "efer", s.efer);
	put_hex(out, "cs_base", s.cs.base);
	put_hex(out, "ds_base", s.ds.base);
	put_hex(out, "es_base", s.es.base);
	put_hex(out, "ss_base", s.ss.base);
	put_hex(out, "fs_base", s.fs.base);
	put_hex(out, "gs_base", s.gs.base);
	put_hex(out, "cs", s.cs.selector);
	return 0;
}

int arch_vcpu_nmi(struct vcpu *v)
{
	return ioctl(v->fd, KVM_NMI) < 0 ? -errno : 0;
}
