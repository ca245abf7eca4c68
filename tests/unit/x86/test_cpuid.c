/* Unit tests for x86/cpuid.c: per-vCPU APIC ids and topology on
 * hand-made Intel-like and AMD-like KVM_GET_SUPPORTED_CPUID arrays. */
#include "../unit.h"
#include "lkvm/util.h"
#include "x86/cpuid.h"

#define IDX	KVM_CPUID_FLAG_SIGNIFCANT_INDEX

/* "GenuineIntel" / "AuthenticAMD" / "HygonGenuine" as EBX, EDX, ECX */
#define INTEL_EBX 0x756e6547
#define INTEL_EDX 0x49656e69
#define INTEL_ECX 0x6c65746e
#define AMD_EBX 0x68747541
#define AMD_EDX 0x69746e65
#define AMD_ECX 0x444d4163
#define HYGON_EBX 0x6f677948
#define HYGON_EDX 0x6e65476e
#define HYGON_ECX 0x656e6975

/* leaf 1 as a 16-thread host would report it for APIC id 0x12 */
#define HOST_L1_EBX	(0x12u << 24 | 0x10u << 16 | 0x08u << 8 | 0x00)
#define HOST_L1_ECX	(1u << 0 | 1u << 3 | 1u << 5 | 1u << 15 | 1u << 21 | \
			 1u << 27)	/* SSE3 MONITOR VMX PDCM X2APIC OSXSAVE */
#define HOST_L1_EDX	(1u << 0 | 1u << 21 | 1u << 28)	/* FPU DS HTT */

#define E(f, i, fl, a, b, c, d) { .function = f, .index = i, .flags = fl, \
				  .eax = a, .ebx = b, .ecx = c, .edx = d }

enum {
	I_L0, I_L1, I_L4_0, I_L4_1, I_L4_2, I_L4_3, I_L4_4, I_L5, I_LA,
	I_LB_0, I_LB_1, I_LB_2, I_L1F_0, I_L1F_1, I_L1F_2, I_L1F_3,
	I_X1, I_X8, I_NR
};

static void intel_host(struct kvm_cpuid_entry2 *e)
{
	const struct kvm_cpuid_entry2 tmpl[I_NR] = {
		[I_L0] = E(0, 0, 0, 0x1f, INTEL_EBX, INTEL_ECX, INTEL_EDX),
		[I_L1] = E(1, 0, 0, 0x000906a3, HOST_L1_EBX, HOST_L1_ECX,
			   HOST_L1_EDX),
		/* type|level|self-init, host sharing/cores fields set */
		[I_L4_0] = E(4, 0, IDX, 0x1c004121, 0x2c0003f, 0x3f, 0),
		[I_L4_1] = E(4, 1, IDX, 0x1c004122, 0x1c0003f, 0x3f, 0),
		[I_L4_2] = E(4, 2, IDX, 0x1c01c143, 0x1c0003f, 0x3ff, 0),
		[I_L4_3] = E(4, 3, IDX, 0x1c3fc163, 0x2c0003f, 0x7fff, 4),
		[I_L4_4] = E(4, 4, IDX, 0, 0, 0, 0),
		[I_L5] = E(5, 0, 0, 0x40, 0x40, 3, 0x11142120),
		[I_LA] = E(0xa, 0, 0, 0x07300805, 0, 0, 0x8603),
		[I_LB_0] = E(0xb, 0, IDX, 1, 2, 0x100, 0x12),
		[I_LB_1] = E(0xb, 1, IDX, 5, 16, 0x201, 0x12),
		[I_LB_2] = E(0xb, 2, IDX, 0, 0, 2, 0x12),
		[I_L1F_0] = E(0x1f, 0, IDX, 1, 2, 0x100, 0x12),
		[I_L1F_1] = E(0x1f, 1, IDX, 4, 8, 0x201, 0x12),
		[I_L1F_2] = E(0x1f, 2, IDX, 6, 16, 0x502, 0x12),	/* die */
		[I_L1F_3] = E(0x1f, 3, IDX, 0, 0, 3, 0x12),
		[I_X1] = E(0x80000001, 0, 0, 0, 0, 0x121, 0x2c100800),
		[I_X8] = E(0x80000008, 0, 0, 0x3027, 0, 0, 0),
	};

	memcpy(e, tmpl, sizeof(tmpl));
}

TEST(cpuid_intel_leaf1)
{
	struct kvm_cpuid_entry2 e[I_NR];
	const struct kvm_cpuid_entry2 *l1 = &e[I_L1];

	intel_host(e);
	cpuid_filter(e, I_NR, 3, 4);
	EXPECT_EQ(l1->eax, 0x000906a3);			/* signature kept */
	EXPECT_EQ(l1->ebx >> 24, 3);			/* initial APIC id */
	EXPECT_EQ((l1->ebx >> 16) & 0xff, 4);		/* logical count */
	EXPECT_EQ(l1->ebx & 0xffff, 0x0800);		/* CLFLUSH size kept */
	EXPECT(l1->ecx & (1u << 31));			/* hypervisor */
	EXPECT(!(l1->ecx & (1u << 3)));			/* MONITOR */
	EXPECT(!(l1->ecx & (1u << 15)));		/* PDCM */
	EXPECT(!(l1->ecx & (1u << 27)));		/* OSXSAVE */
	EXPECT(l1->ecx & (1u << 0));			/* SSE3 kept */
	EXPECT(l1->ecx & (1u << 5));			/* VMX kept */
	EXPECT(l1->ecx & (1u << 21));			/* x2APIC kept */
	EXPECT(l1->edx & (1u << 28));			/* HTT */
	EXPECT(l1->edx & (1u << 0));			/* FPU kept */
	EXPECT(!(l1->edx & (1u << 21)));		/* DS */
}

TEST(cpuid_leaf1_counts)
{
	static const struct { int nr, count; } c[] = {
		{ 2, 2 }, { 3, 4 }, { 6, 8 }, { 64, 64 }, { 65, 128 },
		{ 255, 255 },
	};
	struct kvm_cpuid_entry2 e[I_NR];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		intel_host(e);
		cpuid_filter(e, I_NR, c[i].nr - 1, c[i].nr);
		EXPECT_EQ((e[I_L1].ebx >> 16) & 0xff, c[i].count);
		EXPECT_EQ(e[I_L1].ebx >> 24, (unsigned int)(c[i].nr - 1));
		EXPECT(e[I_L1].edx & (1u << 28));
	}
	intel_host(e);
	cpuid_filter(e, I_NR, 0, 1);
	EXPECT_EQ(e[I_L1].ebx >> 24, 0);
	EXPECT_EQ((e[I_L1].ebx >> 16) & 0xff, 1);
	EXPECT(!(e[I_L1].edx & (1u << 28)));		/* no HTT for 1 vCPU */
}

TEST(cpuid_leaf4_cache_topology)
{
	struct kvm_cpuid_entry2 e[I_NR];

	intel_host(e);
	cpuid_filter(e, I_NR, 0, 4);
	/* cores per package - 1 in [31:26] on every cache */
	EXPECT_EQ(e[I_L4_0].eax >> 26, 3);
	EXPECT_EQ(e[I_L4_3].eax >> 26, 3);
	/* L1d/L1i/L2 private: sharing - 1 = 0; L3 shared by all 4 */
	EXPECT_EQ((e[I_L4_0].eax >> 14) & 0xfff, 0);
	EXPECT_EQ((e[I_L4_1].eax >> 14) & 0xfff, 0);
	EXPECT_EQ((e[I_L4_2].eax >> 14) & 0xfff, 0);
	EXPECT_EQ((e[I_L4_3].eax >> 14) & 0xfff, 3);
	/* cache type/level/flags and the geometry registers are kept */
	EXPECT_EQ(e[I_L4_3].eax & 0x3fff, 0x0163);
	EXPECT_EQ(e[I_L4_3].ecx, 0x7fff);
	EXPECT_EQ(e[I_L4_3].edx, 4);
	/* the terminating null entry stays null */
	EXPECT_EQ(e[I_L4_4].eax, 0);

	intel_host(e);
	cpuid_filter(e, I_NR, 0, 100);
	EXPECT_EQ(e[I_L4_0].eax >> 26, 63);		/* 6-bit field capped */
	EXPECT_EQ((e[I_L4_3].eax >> 14) & 0xfff, 127);

	intel_host(e);
	cpuid_filter(e, I_NR, 0, 1);
	EXPECT_EQ(e[I_L4_3].eax >> 26, 0);
	EXPECT_EQ((e[I_L4_3].eax >> 14) & 0xfff, 0);
}

static void expect_level(const struct kvm_cpuid_entry2 *e, unsigned int idx,
			 unsigned int shift, unsigned int count,
			 unsigned int type, unsigned int apic_id)
{
	EXPECT_EQ(e->eax, shift);
	EXPECT_EQ(e->ebx, count);
	EXPECT_EQ(e->ecx, type << 8 | idx);
	EXPECT_EQ(e->edx, apic_id);
}

TEST(cpuid_ext_topology_leaves)
{
	struct kvm_cpuid_entry2 e[I_NR];

	intel_host(e);
	cpuid_filter(e, I_NR, 5, 6);
	expect_level(&e[I_LB_0], 0, 0, 1, 1, 5);	/* SMT: 1 thread */
	expect_level(&e[I_LB_1], 1, 3, 6, 2, 5);	/* core: 6, shift 3 */
	expect_level(&e[I_LB_2], 2, 0, 0, 0, 5);	/* invalid */
	expect_level(&e[I_L1F_0], 0, 0, 1, 1, 5);
	expect_level(&e[I_L1F_1], 1, 3, 6, 2, 5);
	expect_level(&e[I_L1F_2], 2, 0, 0, 0, 5);	/* host die level gone */
	expect_level(&e[I_L1F_3], 3, 0, 0, 0, 5);
}

TEST(cpuid_core_shift_is_ceil_log2)
{
	static const struct { int nr; unsigned int shift; } c[] = {
		{ 1, 0 }, { 2, 1 }, { 3, 2 }, { 4, 2 }, { 5, 3 }, { 8, 3 },
		{ 9, 4 }, { 128, 7 }, { 255, 8 }, { 288, 9 },
	};
	struct kvm_cpuid_entry2 e[I_NR];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		intel_host(e);
		cpuid_filter(e, I_NR, c[i].nr - 1, c[i].nr);
		expect_level(&e[I_LB_1], 1, c[i].shift, c[i].nr, 2,
			     c[i].nr - 1);
		EXPECT_EQ(e[I_L1F_1].eax, c[i].shift);
	}
}

TEST(cpuid_pmu_and_mwait_hidden)
{
	struct kvm_cpuid_entry2 e[I_NR];

	intel_host(e);
	cpuid_filter(e, I_NR, 0, 2);
	EXPECT_EQ(e[I_LA].eax | e[I_LA].ebx | e[I_LA].ecx | e[I_LA].edx, 0);
	EXPECT_EQ(e[I_L5].eax | e[I_L5].ebx | e[I_L5].ecx | e[I_L5].edx, 0);
}

TEST(cpuid_intel_leaves_amd_fields_untouched)
{
	struct kvm_cpuid_entry2 e[I_NR], orig[I_NR];

	intel_host(orig);
	intel_host(e);
	cpuid_filter(e, I_NR, 1, 4);
	EXPECT(!memcmp(&e[I_X1], &orig[I_X1], sizeof(e[0])));
	EXPECT(!memcmp(&e[I_X8], &orig[I_X8], sizeof(e[0])));
	EXPECT(!memcmp(&e[I_L0], &orig[I_L0], sizeof(e[0])));
}

enum { A_L0, A_L1, A_X0, A_X1, A_X8, A_X1E, A_X22, A_NR };

static void amd_host(struct kvm_cpuid_entry2 *e, bool hygon)
{
	const struct kvm_cpuid_entry2 tmpl[A_NR] = {
		[A_L0] = E(0, 0, 0, 0x10, AMD_EBX, AMD_ECX, AMD_EDX),
		[A_L1] = E(1, 0, 0, 0x00a20f12, 0x0a200800, 0x7ed8320b,
			   0x178bfbff),
		[A_X0] = E(0x80000000, 0, 0, 0x80000022, AMD_EBX, AMD_ECX,
			   AMD_EDX),
		/* CmpLegacy clear on the host, PerfCtrExtCore and TOPOEXT set */
		[A_X1] = E(0x80000001, 0, 0, 0x00a20f12, 0, 0x75c237fd,
			   0x2fd3fbff),
		/* PerfTscSize [17:16]=3, ApicIdSize 7, NC 15 */
		[A_X8] = E(0x80000008, 0, 0, 0x3030, 0x111ef657, 0x3700f, 0),
		[A_X1E] = E(0x8000001e, 0, 0, 0x14, 0x10a, 0, 0),
		[A_X22] = E(0x80000022, 0, 0, 7, 0x1a06, 0, 0),
	};

	memcpy(e, tmpl, sizeof(tmpl));
	if (hygon) {
		e[A_L0].ebx = HYGON_EBX;
		e[A_L0].edx = HYGON_EDX;
		e[A_L0].ecx = HYGON_ECX;
	}
}

TEST(cpuid_amd_topology)
{
	struct kvm_cpuid_entry2 e[A_NR];

	amd_host(e, false);
	cpuid_filter(e, A_NR, 2, 4);
	EXPECT_EQ(e[A_L1].ebx >> 24, 2);
	EXPECT_EQ((e[A_L1].ebx >> 16) & 0xff, 4);
	EXPECT(e[A_L1].ecx & (1u << 31));
	EXPECT_EQ(e[A_X8].ecx, 0x30000 | 2u << 12 | 3);	/* ApicIdSize 2, NC 3 */
	EXPECT_EQ(e[A_X8].eax, 0x3030);			/* address sizes kept */
	EXPECT_EQ(e[A_X1E].eax, 2);			/* extended APIC id */
	EXPECT_EQ(e[A_X1E].ebx, 2);			/* core 2, 1 thread */
	EXPECT_EQ(e[A_X1E].ecx, 0);			/* node 0 of 1 */
	EXPECT(e[A_X1].ecx & (1u << 1));		/* CmpLegacy */
	EXPECT(!(e[A_X1].ecx & (1u << 23)));		/* PerfCtrExtCore */
	EXPECT(e[A_X1].ecx & (1u << 22));		/* TOPOEXT kept */
	EXPECT_EQ(e[A_X22].eax | e[A_X22].ebx, 0);	/* PerfMonV2 */
}

TEST(cpuid_amd_single_and_many)
{
	struct kvm_cpuid_entry2 e[A_NR];

	amd_host(e, false);
	cpuid_filter(e, A_NR, 0, 1);
	EXPECT_EQ(e[A_X8].ecx, 0x30000);
	EXPECT(!(e[A_X1].ecx & (1u << 1)));		/* no CmpLegacy */
	EXPECT(!(e[A_L1].edx & (1u << 28)));

	amd_host(e, false);
	cpuid_filter(e, A_NR, 254, 255);
	EXPECT_EQ(e[A_X8].ecx, 0x30000 | 8u << 12 | 254);
	EXPECT_EQ(e[A_X1E].eax, 254);
}

TEST(cpuid_hygon_is_amd)
{
	struct kvm_cpuid_entry2 e[A_NR];

	amd_host(e, true);
	cpuid_filter(e, A_NR, 1, 2);
	EXPECT_EQ(e[A_X8].ecx, 0x30000 | 1u << 12 | 1);
	EXPECT_EQ(e[A_X1E].eax, 1);
}

/* leaf 1 EAX: stepping 1; family as base 0xf + extended when >= 0xf */
static u32 sig(u32 family, u32 model)
{
	u32 base = family < 0xf ? family : 0xf;
	u32 ext = family < 0xf ? 0 : family - 0xf;

	return ext << 20 | (model >> 4) << 16 | base << 8 | (model & 0xf) << 4 | 1;
}

TEST(cpuid_amd_gart_family_k8_to_early_bulldozer)
{
	/* QEMU's TCG "AMD Hammer" (family 0xf, model 0x6b): the lab's L1 */
	EXPECT(cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0xf, 0x6b)));
	EXPECT(cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x10, 0x2)));
	EXPECT(cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x15, 0x1)));
	EXPECT(cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x15, 0xf)));
	/* later Bulldozers, Zen, Hygon and Intel have no GART */
	EXPECT(!cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x15, 0x10)));
	EXPECT(!cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x17, 0x31)));
	EXPECT(!cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x19, 0x1)));
	EXPECT(!cpuid_amd_gart_family(AMD_EBX, AMD_ECX, AMD_EDX, sig(0x14, 0x1)));
	EXPECT(!cpuid_amd_gart_family(HYGON_EBX, HYGON_ECX, HYGON_EDX,
				      sig(0x18, 0x1)));
	EXPECT(!cpuid_amd_gart_family(INTEL_EBX, INTEL_ECX, INTEL_EDX,
				      sig(0xf, 0x6)));
	EXPECT(!cpuid_amd_gart_family(INTEL_EBX, INTEL_ECX, INTEL_EDX,
				      sig(0x6, 0x55)));
}
