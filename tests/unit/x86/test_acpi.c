/* Unit tests for x86/acpi.c: walks the tables from the RSDP the way an OS
 * does, reading fields at the ACPI spec's byte offsets (independent of
 * the builder's structs), and decodes the DSDT's _S5 AML by hand. */
#include <stdlib.h>
#include "../unit.h"
#include "x86/acpi.h"
#include "x86/layout.h"

#define BUF_SIZE	0x20000
#define BASE		0xe0000ULL

static u64 rd(const u8 *p, int bytes)
{
	u64 v = 0;
	int i;

	for (i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static struct acpi_config default_cfg(int nr_cpus)
{
	struct acpi_config c = {
		.nr_cpus = nr_cpus,
		.lapic_addr = X86_LAPIC_BASE,
		.ioapic_addr = X86_IOAPIC_BASE,
		.ioapic_id = (u8)nr_cpus,
		.pm1a_evt_port = X86_PORT_PM1A_EVT,
		.pm1a_cnt_port = X86_PORT_PM1A_CNT,
		.reset_port = X86_PORT_RESET,
		.sci_irq = X86_SCI_IRQ,
		.s5_slp_typ = X86_S5_SLP_TYP,
		.ecam_base = X86_PCI_ECAM,
		.ecam_bus_end = 255,
	};

	return c;
}

struct tables {
	u8 *buf;
	size_t used;
	const u8 *rsdp, *xsdt, *fadt, *madt, *mcfg, *dsdt, *facs;
	int nr_xsdt;
};

/* GPA -> pointer into the buffer, or NULL if outside what was built. */
static const u8 *at(const struct tables *t, u64 gpa, size_t len)
{
	if (gpa < BASE || gpa - BASE > t->used || len > t->used - (gpa - BASE))
		return NULL;
	return t->buf + (gpa - BASE);
}

static bool table_ok(const struct tables *t, const u8 *h)
{
	u32 len = h ? (u32)rd(h + 4, 4) : 0;

	if (!h || len < 36 || !at(t, BASE + (h - t->buf), len))
		return false;
	return acpi_checksum(h, len) == 0 && !memcmp(h + 10, "LKVM  ", 6);
}

static void find_tables(struct tables *t)
{
	int i;

	t->rsdp = t->buf;
	t->xsdt = at(t, rd(t->rsdp + 24, 8), 36);
	if (!t->xsdt)
		return;
	t->nr_xsdt = (int)((rd(t->xsdt + 4, 4) - 36) / 8);
	for (i = 0; i < t->nr_xsdt; i++) {
		const u8 *h = at(t, rd(t->xsdt + 36 + 8 * i, 8), 36);

		if (!h)
			continue;
		if (!memcmp(h, "FACP", 4))
			t->fadt = h;
		else if (!memcmp(h, "APIC", 4))
			t->madt = h;
		else if (!memcmp(h, "MCFG", 4))
			t->mcfg = h;
	}
	if (!t->fadt)
		return;
	t->dsdt = at(t, rd(t->fadt + 140, 8), 36);
	t->facs = at(t, rd(t->fadt + 36, 4), 64);
}

static bool build(struct tables *t, const struct acpi_config *c)
{
	memset(t, 0, sizeof(*t));
	t->buf = malloc(BUF_SIZE);
	if (!t->buf)
		return false;
	t->used = acpi_build(t->buf, BUF_SIZE, BASE, c);
	if (!t->used)
		return false;
	find_tables(t);
	return true;
}

TEST(acpi_rsdp_and_checksums)
{
	struct acpi_config c = default_cfg(4);
	struct tables t;

	ASSERT(build(&t, &c));
	EXPECT(!memcmp(t.rsdp, "RSD PTR ", 8));
	EXPECT_EQ(acpi_checksum(t.rsdp, 20), 0);
	EXPECT_EQ(acpi_checksum(t.rsdp, 36), 0);
	EXPECT(!memcmp(t.rsdp + 9, "LKVM  ", 6));
	EXPECT_EQ(t.rsdp[15], 2);		/* revision */
	EXPECT_EQ(rd(t.rsdp + 20, 4), 36);	/* length */
	ASSERT(t.xsdt);
	EXPECT(!memcmp(t.xsdt, "XSDT", 4));
	EXPECT(table_ok(&t, t.xsdt));
	EXPECT(table_ok(&t, t.fadt));
	EXPECT(table_ok(&t, t.madt));
	EXPECT(table_ok(&t, t.mcfg));
	EXPECT(table_ok(&t, t.dsdt));
	EXPECT_EQ(t.nr_xsdt, 3);
	ASSERT(t.facs);
	EXPECT(!memcmp(t.facs, "FACS", 4));
	EXPECT_EQ(rd(t.facs + 4, 4), 64);
	EXPECT_EQ((BASE + (t.facs - t.buf)) % 64, 0);
	free(t.buf);
}

TEST(acpi_base_gpa_is_honoured)
{
	struct acpi_config c = default_cfg(1);
	u8 *a = malloc(BUF_SIZE), *b = malloc(BUF_SIZE);
	size_t la, lb;

	ASSERT(a && b);
	la = acpi_build(a, BUF_SIZE, 0xe0000, &c);
	lb = acpi_build(b, BUF_SIZE, 0x7ff00000, &c);
	EXPECT(la && la == lb);
	EXPECT_EQ(rd(b + 24, 8) - 0x7ff00000, rd(a + 24, 8) - 0xe0000);
	EXPECT_EQ(acpi_checksum(b, 36), 0);
	free(a);
	free(b);
}

TEST(acpi_fadt_fields)
{
	struct acpi_config c = default_cfg(2);
	struct tables t;
	const u8 *f;

	ASSERT(build(&t, &c));
	ASSERT(t.fadt && t.dsdt && t.facs);
	f = t.fadt;
	EXPECT(f[8] == 6 || f[8] == 5);
	EXPECT_EQ(rd(f + 4, 4), f[8] == 6 ? 276 : 268);
	EXPECT_EQ(rd(f + 40, 4), rd(f + 140, 8));	/* DSDT == X_DSDT */
	EXPECT_EQ(rd(f + 46, 2), X86_SCI_IRQ);		/* SCI_INT */
	EXPECT_EQ(rd(f + 48, 4), 0);			/* SMI_CMD */
	EXPECT_EQ(rd(f + 56, 4), X86_PORT_PM1A_EVT);
	EXPECT_EQ(rd(f + 64, 4), X86_PORT_PM1A_CNT);
	EXPECT_EQ(rd(f + 76, 4), 0);			/* PM_TMR_BLK */
	EXPECT_EQ(f[88], 4);				/* PM1_EVT_LEN */
	EXPECT_EQ(f[89], 2);				/* PM1_CNT_LEN */
	EXPECT_EQ(f[91], 0);				/* PM_TMR_LEN */
	EXPECT(rd(f + 109, 2) & 1);			/* LEGACY_DEVICES */
	EXPECT(!(rd(f + 109, 2) & 2));			/* no 8042 */
	EXPECT(rd(f + 109, 2) & 4);			/* VGA not present */
	EXPECT(rd(f + 112, 4) & (1u << 10));		/* RESET_REG_SUP */
	EXPECT(!(rd(f + 112, 4) & (1u << 20)));		/* not HW-reduced */
	EXPECT_EQ(f[116], 1);				/* RESET_REG: I/O */
	EXPECT_EQ(f[117], 8);
	EXPECT_EQ(rd(f + 120, 8), X86_PORT_RESET);
	EXPECT_EQ(f[128], 0x06);			/* RESET_VALUE */
	EXPECT_EQ(f[148], 1);				/* X_PM1a_EVT_BLK */
	EXPECT_EQ(f[149], 32);
	EXPECT_EQ(rd(f + 152, 8), X86_PORT_PM1A_EVT);
	EXPECT_EQ(f[172], 1);				/* X_PM1a_CNT_BLK */
	EXPECT_EQ(f[173], 16);
	EXPECT_EQ(rd(f + 176, 8), X86_PORT_PM1A_CNT);
	EXPECT_EQ(rd(f + 208 + 4, 8), 0);		/* X_PM_TMR_BLK */
	free(t.buf);
}

/* Decodes one AML integer (ZeroOp, OneOp, Byte/Word/DWord prefix). */
static bool aml_int(const u8 **p, const u8 *end, u64 *v)
{
	static const int sizes[] = { [0x0a] = 1, [0x0b] = 2, [0x0c] = 4 };
	u8 op;

	if (*p >= end)
		return false;
	op = *(*p)++;
	if (op == 0x00 || op == 0x01) {
		*v = op;
		return true;
	}
	if (op < 0x0a || op > 0x0c || end - *p < sizes[op])
		return false;
	*v = rd(*p, sizes[op]);
	*p += sizes[op];
	return true;
}

/* Finds Name(_S5_, Package(4) {a, b, c, d}) and returns its elements. */
static bool find_s5(const u8 *dsdt, u64 v[4])
{
	const u8 *aml = dsdt + 36, *end = dsdt + rd(dsdt + 4, 4);
	const u8 *p, *pkg_end;
	int i;

	for (p = aml; p + 8 <= end; p++)
		if (p[0] == 0x08 && !memcmp(p + 1, "_S5_", 4))
			break;
	if (p + 8 > end || p[5] != 0x12)
		return false;
	p += 6;
	if (*p & 0xc0)
		return false;	/* a 4-element package fits one byte */
	pkg_end = p + *p;
	if (pkg_end > end || p[1] != 4)
		return false;
	p += 2;
	for (i = 0; i < 4; i++)
		if (!aml_int(&p, pkg_end, &v[i]))
			return false;
	return p == pkg_end;
}

TEST(acpi_dsdt_s5)
{
	static const u8 typs[] = { 5, 0, 1, 7, 0x80 };
	struct acpi_config c = default_cfg(1);
	unsigned int i;
	struct tables t;
	u64 v[4];

	for (i = 0; i < ARRAY_SIZE(typs); i++) {
		c.s5_slp_typ = typs[i];
		ASSERT(build(&t, &c));
		ASSERT(t.dsdt);
		EXPECT(!memcmp(t.dsdt, "DSDT", 4));
		EXPECT(t.dsdt[8] >= 2);		/* 64-bit integers */
		EXPECT(table_ok(&t, t.dsdt));
		if (EXPECT(find_s5(t.dsdt, v))) {
			EXPECT_EQ(v[0], typs[i]);
			EXPECT_EQ(v[1], typs[i]);
			EXPECT_EQ(v[2], 0);
			EXPECT_EQ(v[3], 0);
		}
		free(t.buf);
	}
}

struct madt_count {
	int lapic, ioapic, iso, nmi, other;
	bool ids_ok, lengths_ok;
};

static struct madt_count walk_madt(const u8 *m, const struct acpi_config *c)
{
	struct madt_count n = { .ids_ok = true };
	u32 len = (u32)rd(m + 4, 4), off = 44;

	while (off + 2 <= len && m[off + 1] >= 2 && off + m[off + 1] <= len) {
		const u8 *e = m + off;

		switch (e[0]) {
		case 0:
			if (e[1] != 8 || e[2] != n.lapic || e[3] != n.lapic ||
			    !(rd(e + 4, 4) & 1))
				n.ids_ok = false;
			n.lapic++;
			break;
		case 1: n.ioapic++; break;
		case 2: n.iso++; break;
		case 4: n.nmi++; break;
		default: n.other++; break;
		}
		off += e[1];
	}
	n.lengths_ok = off == len;
	return n;
}

TEST(acpi_madt_lapics_per_cpu_count)
{
	static const int cpus[] = { 1, 2, 3, 8, 64, 254, 255 };
	unsigned int i;
	struct tables t;

	for (i = 0; i < ARRAY_SIZE(cpus); i++) {
		struct acpi_config c = default_cfg(cpus[i]);
		struct madt_count n;

		ASSERT(build(&t, &c));
		ASSERT(t.madt);
		EXPECT(table_ok(&t, t.madt));
		n = walk_madt(t.madt, &c);
		EXPECT_EQ(n.lapic, cpus[i]);
		EXPECT(n.ids_ok);
		EXPECT(n.lengths_ok);
		EXPECT_EQ(n.ioapic, 1);
		EXPECT_EQ(n.iso, 1);
		EXPECT_EQ(n.nmi, 1);
		EXPECT_EQ(n.other, 0);
		free(t.buf);
	}
}

static const u8 *madt_entry(const u8 *m, u8 type, int nth)
{
	u32 len = (u32)rd(m + 4, 4), off = 44;

	for (; off + 2 <= len && m[off + 1] >= 2; off += m[off + 1])
		if (m[off] == type && nth-- == 0)
			return m + off;
	return NULL;
}

TEST(acpi_madt_ioapic_and_overrides)
{
	struct acpi_config c = default_cfg(4);
	const u8 *e, *m;
	struct tables t;

	ASSERT(build(&t, &c));
	ASSERT(t.madt);
	m = t.madt;
	EXPECT_EQ(rd(m + 36, 4), X86_LAPIC_BASE);
	EXPECT_EQ(rd(m + 40, 4) & 1, 1);		/* PCAT_COMPAT */
	e = madt_entry(m, 1, 0);
	ASSERT(e);
	EXPECT_EQ(e[1], 12);
	EXPECT_EQ(e[2], 4);				/* ioapic_id */
	EXPECT_EQ(rd(e + 4, 4), X86_IOAPIC_BASE);
	EXPECT_EQ(rd(e + 8, 4), 0);			/* GSI base */
	/* Only the SCI is overridden: KVM's PIT raises GSI 0 = pin 0. */
	e = madt_entry(m, 2, 0);
	ASSERT(e);
	EXPECT_EQ(e[1], 10);
	EXPECT_EQ(e[2], 0);				/* ISA bus */
	EXPECT_EQ(e[3], X86_SCI_IRQ);
	EXPECT_EQ(rd(e + 4, 4), X86_SCI_IRQ);
	EXPECT_EQ((rd(e + 8, 2) >> 2) & 3, 3);		/* level */
	EXPECT_EQ(rd(e + 8, 2) & 3, 1);			/* active high */
	EXPECT(madt_entry(m, 2, 1) == NULL);
	e = madt_entry(m, 4, 0);
	ASSERT(e);
	EXPECT_EQ(e[1], 6);
	EXPECT_EQ(e[2], 0xff);				/* all processors */
	EXPECT_EQ(e[5], 1);				/* LINT1 */
	free(t.buf);
}

TEST(acpi_mcfg_present_and_absent)
{
	struct acpi_config c = default_cfg(1);
	struct tables t;

	c.ecam_bus_end = 15;
	ASSERT(build(&t, &c));
	ASSERT(t.mcfg);
	EXPECT_EQ(rd(t.mcfg + 4, 4), 60);
	EXPECT_EQ(rd(t.mcfg + 44, 8), X86_PCI_ECAM);
	EXPECT_EQ(rd(t.mcfg + 52, 2), 0);		/* segment */
	EXPECT_EQ(t.mcfg[54], 0);			/* start bus */
	EXPECT_EQ(t.mcfg[55], 15);			/* end bus */
	free(t.buf);

	c.ecam_base = 0;
	ASSERT(build(&t, &c));
	EXPECT(!t.mcfg);
	EXPECT_EQ(t.nr_xsdt, 2);
	EXPECT(table_ok(&t, t.xsdt));
	EXPECT(t.fadt && t.madt);
	free(t.buf);
}

TEST(acpi_buffer_too_small)
{
	struct acpi_config c = default_cfg(8);
	u8 *buf = malloc(BUF_SIZE);
	size_t need, len;

	ASSERT(buf);
	need = acpi_build(buf, BUF_SIZE, BASE, &c);
	ASSERT(need > 0 && need < BUF_SIZE);
	EXPECT_EQ(acpi_build(buf, need, BASE, &c), need);
	for (len = 0; len < need; len += 7)
		EXPECT_EQ(acpi_build(buf, len, BASE, &c), 0);
	EXPECT_EQ(acpi_build(buf, need - 1, BASE, &c), 0);
	free(buf);
}

TEST(acpi_tables_within_used_and_disjoint)
{
	struct acpi_config c = default_cfg(16);
	const u8 *list[6];
	struct tables t;
	int i, j;

	ASSERT(build(&t, &c));
	list[0] = t.xsdt; list[1] = t.fadt; list[2] = t.madt;
	list[3] = t.mcfg; list[4] = t.dsdt; list[5] = t.facs;
	for (i = 0; i < 6; i++) {
		ASSERT(list[i]);
		EXPECT(list[i] >= t.buf + 36);		/* after the RSDP */
		EXPECT(list[i] + rd(list[i] + 4, 4) <= t.buf + t.used);
		for (j = 0; j < i; j++)
			EXPECT(list[i] + rd(list[i] + 4, 4) <= list[j] ||
			       list[j] + rd(list[j] + 4, 4) <= list[i]);
	}
	free(t.buf);
}

TEST(acpi_madt_x2apic_beyond_xapic_ids)
{
	struct acpi_config c = default_cfg(300);
	struct madt_count n;
	struct tables t;
	const u8 *e;

	c.ioapic_id = 0;
	ASSERT(build(&t, &c));
	ASSERT(t.madt);
	EXPECT(table_ok(&t, t.madt));
	n = walk_madt(t.madt, &c);
	EXPECT_EQ(n.lapic, 255);	/* ids 0..254; 255 is broadcast */
	EXPECT_EQ(n.other, 300 - 255);
	EXPECT(n.lengths_ok);
	e = madt_entry(t.madt, 9, 0);
	ASSERT(e);
	EXPECT_EQ(e[1], 16);
	EXPECT_EQ(rd(e + 4, 4), 255);			/* x2APIC id */
	EXPECT_EQ(rd(e + 8, 4) & 1, 1);			/* enabled */
	EXPECT_EQ(rd(e + 12, 4), 255);			/* UID */
	free(t.buf);
}

/* The root bridge's bus range (a Word Address descriptor of type bus,
 * 0..pci_bus_end) and its _OSC, present only with hotplug root ports. */
static const u8 *dsdt_find(const u8 *dsdt, const void *pat, size_t n)
{
	return memmem(dsdt + 36, rd(dsdt + 4, 4) - 36, pat, n);
}

TEST(acpi_pci_bus_range_and_osc)
{
	static const u8 osc[] = { 0x14, 0x08, '_', 'O', 'S', 'C', 4, 0xa4,
				  0x6b };
	/* tag, length 13, type bus, flags, tflags, gran, min 0, max, tra, len */
	u8 bus[16] = { 0x88, 13, 0, 2, 0x0c };
	struct acpi_config c = default_cfg(1);
	struct tables t;

	c.pci_root = true;
	c.pci_gsi_base = 16;
	c.pci_nr_gsi = 8;
	c.pci_mem32_base = 0xc0000000ULL;
	c.pci_mem32_size = 0x20000000ULL;
	ASSERT(build(&t, &c));
	ASSERT(t.dsdt);
	bus[14] = 1;				/* length 1: bus 0 only */
	EXPECT(dsdt_find(t.dsdt, bus, sizeof(bus)));
	EXPECT(!dsdt_find(t.dsdt, "_OSC", 4));
	free(t.buf);

	c.pci_bus_end = 2;
	c.pci_native_hp = true;
	ASSERT(build(&t, &c));
	ASSERT(t.dsdt);
	EXPECT(table_ok(&t, t.dsdt));
	bus[10] = 2;				/* max 2 */
	bus[14] = 3;				/* length 3 */
	EXPECT(dsdt_find(t.dsdt, bus, sizeof(bus)));
	EXPECT(dsdt_find(t.dsdt, osc, sizeof(osc)));
	free(t.buf);
}
