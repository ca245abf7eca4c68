/* acpi-dump: builds lkvm's x86 ACPI tables (x86/acpi.c) for N vCPUs and
 * writes each one to OUTDIR/<signature>.dat, so that an independent tool
 * (iasl -d) can disassemble them. Usage: acpi-dump OUTDIR NR_CPUS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x86/acpi.h"
#include "x86/layout.h"

static u8 tables[X86_ACPI_SIZE];

static u64 rd(const u8 *p, int bytes)
{
	u64 v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static const u8 *at(u64 gpa, size_t used)
{
	if (gpa < X86_ACPI_BASE || gpa - X86_ACPI_BASE >= used)
		return NULL;
	return tables + (gpa - X86_ACPI_BASE);
}

static int dump(const char *dir, const char *name, const u8 *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

static int dump_table(const char *dir, const u8 *h)
{
	char sig[5] = { 0 };

	if (!h)
		return -1;
	memcpy(sig, h, 4);
	return dump(dir, sig, h, rd(h + 4, 4));
}

int main(int argc, char **argv)
{
	struct acpi_config cfg = {
		.lapic_addr = X86_LAPIC_BASE,
		.ioapic_addr = X86_IOAPIC_BASE,
		.pm1a_evt_port = X86_PORT_PM1A_EVT,
		.pm1a_cnt_port = X86_PORT_PM1A_CNT,
		.reset_port = X86_PORT_RESET,
		.sci_irq = X86_SCI_IRQ,
		.s5_slp_typ = X86_S5_SLP_TYP,
		.ecam_base = X86_PCI_ECAM,
		.ecam_bus_end = 0,
		.pci_root = true,
		.pci_mem32_base = X86_PCI_MMIO32,
		.pci_mem32_size = X86_PCI_MMIO32_SIZE,
		.pci_mem64_base = 0x140000000ULL,
		.pci_mem64_size = 0x1000000000ULL,
		.pci_gsi_base = 16,
		.pci_nr_gsi = 8,
	};
	const u8 *xsdt, *fadt = NULL;
	size_t used;
	int i, n, ret = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OUTDIR NR_CPUS\n", argv[0]);
		return 2;
	}
	cfg.nr_cpus = atoi(argv[2]);
	cfg.ioapic_id = (u8)cfg.nr_cpus;
	used = acpi_build(tables, sizeof(tables), X86_ACPI_BASE, &cfg);
	if (!used) {
		fprintf(stderr, "acpi_build failed\n");
		return 1;
	}
	ret |= dump(argv[1], "RSDP", tables, 36);
	xsdt = at(rd(tables + 24, 8), used);
	ret |= dump_table(argv[1], xsdt);
	n = xsdt ? (int)((rd(xsdt + 4, 4) - 36) / 8) : 0;
	for (i = 0; i < n; i++) {
		const u8 *h = at(rd(xsdt + 36 + 8 * i, 8), used);

		if (h && !memcmp(h, "FACP", 4))
			fadt = h;
		ret |= dump_table(argv[1], h);
	}
	if (!fadt)
		return 1;
	ret |= dump_table(argv[1], at(rd(fadt + 140, 8), used));
	ret |= dump_table(argv[1], at(rd(fadt + 36, 4), used));
	return ret ? 1 : 0;
}
