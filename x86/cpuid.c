/* Per-vCPU CPUID from KVM_GET_SUPPORTED_CPUID: own APIC id, one package of
 * nr_cpus single-thread cores, the hypervisor bit, and no features the VMM
 * does not back (MONITOR/MWAIT, debug store, thermal, PMU). */
#include <string.h>
#include "lkvm/util.h"
#include "x86/cpuid.h"

/* leaf 1 */
#define L1_ECX_DTES64		(1u << 2)
#define L1_ECX_MONITOR		(1u << 3)
#define L1_ECX_DS_CPL		(1u << 4)
#define L1_ECX_EST		(1u << 7)
#define L1_ECX_TM2		(1u << 8)
#define L1_ECX_PDCM		(1u << 15)
#define L1_ECX_OSXSAVE		(1u << 27)
#define L1_ECX_HYPERVISOR	(1u << 31)
#define L1_EDX_DS		(1u << 21)
#define L1_EDX_ACPI		(1u << 22)
#define L1_EDX_HTT		(1u << 28)
#define L1_EDX_TM		(1u << 29)
#define L1_EDX_PBE		(1u << 31)

/* leaf 0xB / 0x1F level types */
#define TOPO_LEVEL_SMT		1
#define TOPO_LEVEL_CORE		2

/* AMD */
#define AMD_EXT1_ECX_CMP_LEGACY	(1u << 1)
#define AMD_EXT1_ECX_PERFCTR_CORE (1u << 23)

struct topo {
	int cpu;
	int nr_cpus;
	unsigned int core_shift;	/* ceil(log2(nr_cpus)) */
	bool amd;
};

static unsigned int count_order(unsigned int n)
{
	unsigned int shift = 0;

	while ((1u << shift) < n)
		shift++;
	return shift;
}

static bool vendor_is_amd(const struct kvm_cpuid_entry2 *e, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (e[i].function != 0)
			continue;
		/* vendor string order: EBX, EDX, ECX */
		return (e[i].ebx == 0x68747541 && e[i].edx == 0x69746e65 &&
			e[i].ecx == 0x444d4163) ||	/* AuthenticAMD */
		       (e[i].ebx == 0x6f677948 && e[i].edx == 0x6e65476e &&
			e[i].ecx == 0x656e6975);	/* HygonGenuine */
	}
	return false;
}

/*
 * Leaf 1. Masked out, beyond what KVM already hides:
 *  - MONITOR/MWAIT: lkvm does not disable MWAIT exits, so a guest mwait
 *    would just trap and be emulated as a nop; idle=halt is the right
 *    behaviour and is what a guest picks without the bit.
 *  - DTES64, DS-CPL, DS, PDCM: debug store and perf capabilities belong
 *    to the PMU, which is hidden (leaf 0xA).
 *  - EST, TM, TM2, ACPI (thermal MSRs), PBE: power/thermal control that a
 *    vCPU does not have.
 *  - OSXSAVE mirrors the guest's CR4.OSXSAVE; KVM recomputes it at run
 *    time, and at reset CR4 is 0.
 * APIC id and logical count follow the topology; HTT says the count is
 * valid, which only matters for more than one vCPU. VMX/SVM are left as
 * KVM reports them: KVM only offers them when nested virt is enabled.
 */
static void fix_leaf1(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	unsigned int logical = MIN(1u << t->core_shift, 0xffu);

	e->ecx &= ~(L1_ECX_DTES64 | L1_ECX_MONITOR | L1_ECX_DS_CPL |
		    L1_ECX_EST | L1_ECX_TM2 | L1_ECX_PDCM | L1_ECX_OSXSAVE);
	e->ecx |= L1_ECX_HYPERVISOR;
	e->edx &= ~(L1_EDX_DS | L1_EDX_ACPI | L1_EDX_TM | L1_EDX_PBE |
		    L1_EDX_HTT);
	e->ebx &= 0x0000ffff;
	e->ebx |= (u32)(t->cpu & 0xff) << 24;
	if (t->nr_cpus > 1) {
		e->ebx |= logical << 16;
		e->edx |= L1_EDX_HTT;
	} else {
		e->ebx |= 1u << 16;
	}
}

/*
 * Leaf 4 (Intel deterministic cache parameters), one entry per cache.
 * EAX[31:26] = addressable core ids in the package - 1 (6 bits); EAX[25:14]
 * = addressable thread ids sharing the cache - 1: with one thread per core
 * L1/L2 are private (0), L3 and beyond are shared by the whole package.
 */
static void fix_leaf4(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	u32 ids = 1u << t->core_shift;
	u32 level = (e->eax >> 5) & 0x7;
	u32 sharing = level >= 3 ? ids - 1 : 0;

	if (!(e->eax & 0x1f))	/* type 0: no more caches */
		return;
	e->eax &= 0x00003fff;
	e->eax |= MIN(ids - 1, 0x3fu) << 26;
	e->eax |= MIN(sharing, 0xfffu) << 14;
}

/*
 * Leaves 0xB and 0x1F (extended topology), one entry per level. Subleaf 0
 * is the SMT level (one thread, shift 0), subleaf 1 the core level (all
 * vCPUs, shift ceil(log2(nr_cpus))), and anything further reports an
 * invalid level (so module/die levels of the host disappear). EDX is
 * always the vCPU's x2APIC id.
 */
static void fix_ext_topology(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	u32 idx = e->index;

	e->edx = (u32)t->cpu;
	e->ecx = idx & 0xff;
	if (idx == 0) {
		e->eax = 0;
		e->ebx = 1;
		e->ecx |= TOPO_LEVEL_SMT << 8;
	} else if (idx == 1) {
		e->eax = t->core_shift;
		e->ebx = (u32)t->nr_cpus;
		e->ecx |= TOPO_LEVEL_CORE << 8;
	} else {
		e->eax = 0;
		e->ebx = 0;
	}
}

/*
 * AMD 0x80000001 ECX: CmpLegacy says the leaf 1 logical count is a core
 * count (no SMT); PerfCtrExtCore advertises the extended core counters of
 * the PMU, hidden like leaf 0xA.
 */
static void fix_amd_ext1(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	e->ecx &= ~(AMD_EXT1_ECX_CMP_LEGACY | AMD_EXT1_ECX_PERFCTR_CORE);
	if (t->nr_cpus > 1)
		e->ecx |= AMD_EXT1_ECX_CMP_LEGACY;
}

/* AMD 0x80000008 ECX: NC[7:0] = cores - 1, ApicIdSize[15:12] = bits of
 * the APIC id that number the core; PerfTscSize and the rest are kept. */
static void fix_amd_size(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	e->ecx &= ~0xf0ffu;
	e->ecx |= (u32)MIN(t->nr_cpus - 1, 0xff);
	e->ecx |= (t->core_shift & 0xf) << 12;
}

/* AMD 0x8000001E: extended APIC id, core id (= vCPU, one thread per
 * core), one node. */
static void fix_amd_ext_apic(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	e->eax = (u32)t->cpu;
	e->ebx = (u32)t->cpu & 0xff;	/* ThreadsPerComputeUnit - 1 = 0 */
	e->ecx = 0;			/* node 0, NodesPerProcessor - 1 = 0 */
	e->edx = 0;
}

static void zero_regs(struct kvm_cpuid_entry2 *e)
{
	e->eax = e->ebx = e->ecx = e->edx = 0;
}

static void fix_entry(struct kvm_cpuid_entry2 *e, const struct topo *t)
{
	switch (e->function) {
	case 0x1:
		fix_leaf1(e, t);
		break;
	case 0x4:
		fix_leaf4(e, t);
		break;
	case 0x5:	/* MONITOR/MWAIT parameters: the feature is hidden */
	case 0xa:	/* architectural PMU: none (version 0) */
		zero_regs(e);
		break;
	case 0xb:
	case 0x1f:
		fix_ext_topology(e, t);
		break;
	case 0x80000001:
		if (t->amd)
			fix_amd_ext1(e, t);
		break;
	case 0x80000008:
		if (t->amd)
			fix_amd_size(e, t);
		break;
	case 0x8000001e:
		if (t->amd)
			fix_amd_ext_apic(e, t);
		break;
	case 0x80000022:	/* AMD PerfMonV2: PMU hidden */
		if (t->amd)
			zero_regs(e);
		break;
	}
}

void cpuid_filter(struct kvm_cpuid_entry2 *entries, int n, int cpu, int nr_cpus)
{
	struct topo t = {
		.cpu = cpu,
		.nr_cpus = nr_cpus > 0 ? nr_cpus : 1,
	};
	int i;

	t.core_shift = count_order((unsigned int)t.nr_cpus);
	t.amd = vendor_is_amd(entries, n);
	for (i = 0; i < n; i++)
		fix_entry(&entries[i], &t);
}

bool cpuid_amd_gart_family(u32 ebx, u32 ecx, u32 edx, u32 leaf1_eax)
{
	u32 family = (leaf1_eax >> 8) & 0xf;
	u32 model = (leaf1_eax >> 4) & 0xf;

	if (ebx != 0x68747541 || edx != 0x69746e65 || ecx != 0x444d4163)
		return false;	/* not AuthenticAMD */
	if (family == 0xf) {
		family += (leaf1_eax >> 20) & 0xff;
		model |= ((leaf1_eax >> 16) & 0xf) << 4;
	}
	return family == 0xf || family == 0x10 ||
	       (family == 0x15 && model < 0x10);
}
