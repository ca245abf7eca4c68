/* CPUID for each vCPU, derived from KVM_GET_SUPPORTED_CPUID: APIC ids,
 * topology (one thread per core, nr_cpus cores in one package), the
 * hypervisor bit, and features the VMM does not provide masked (pure);
 * and the host's CPUID instruction for the VMM's own choices. */
#ifndef LKVM_X86_CPUID_H
#define LKVM_X86_CPUID_H

#include <linux/kvm.h>
#include "lkvm/util.h"

/* Rewrites entries[0..n) in place for vCPU `cpu` of `nr_cpus`. */
void cpuid_filter(struct kvm_cpuid_entry2 *entries, int n, int cpu, int nr_cpus);

/* Whether a guest with this CPU (leaf 0's vendor EBX, ECX, EDX; leaf 1's
 * EAX) is one Linux takes for an AMD K8-era part with a GART: family 0xf,
 * 0x10, or 0x15 below model 0x10. Such a guest scans all 256 PCI buses
 * twice at boot for an AGP bridge, 16384 port accesses (exits) each. */
bool cpuid_amd_gart_family(u32 ebx, u32 ecx, u32 edx, u32 leaf1_eax);

/* The host's CPUID leaf (subleaf 0) into r: eax, ebx, ecx, edx. */
static inline void x86_host_cpuid(u32 leaf, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]),
			 "=d"(r[3]) : "a"(leaf), "c"(0));
}

#endif
