/* CPUID for each vCPU, derived from KVM_GET_SUPPORTED_CPUID: APIC ids,
 * topology (one thread per core, nr_cpus cores in one package), the
 * hypervisor bit, and features the VMM does not provide masked. Pure. */
#ifndef LKVM_X86_CPUID_H
#define LKVM_X86_CPUID_H

#include <linux/kvm.h>

/* Rewrites entries[0..n) in place for vCPU `cpu` of `nr_cpus`. */
void cpuid_filter(struct kvm_cpuid_entry2 *entries, int n, int cpu, int nr_cpus);

#endif
