/* ACPI tables for x86 guests: RSDP, XSDT, FADT (+FACS), DSDT with _S5 and
 * the PCI root bridge (and its _OSC), MADT (one LAPIC per vCPU, IOAPIC, interrupt source overrides), MCFG.
 * Pure: builds into a caller's buffer that will sit at base_gpa. */
#ifndef LKVM_X86_ACPI_H
#define LKVM_X86_ACPI_H

#include "lkvm/util.h"

struct acpi_config {
	int nr_cpus;		/* LAPIC ids 0..nr_cpus-1 */
	u64 lapic_addr;
	u64 ioapic_addr;
	u8 ioapic_id;		/* = nr_cpus, so it never clashes */
	u16 pm1a_evt_port;
	u16 pm1a_cnt_port;
	u16 reset_port;		/* FADT RESET_REG, value 0x06 */
	u8 sci_irq;
	u8 s5_slp_typ;
	u64 ecam_base;		/* 0: no MCFG */
	u8 ecam_bus_end;
	/* PCI root bridge \_SB.PCI0 in the DSDT (bus 0), when pci_root */
	bool pci_root;
	u64 pci_mem32_base, pci_mem32_size;
	u64 pci_mem64_base, pci_mem64_size;	/* size 0: no 64-bit window */
	u8 pci_gsi_base;	/* _PRT: slot s pin p -> base + (s + p) % nr */
	u8 pci_nr_gsi;
	u8 pci_bus_end;		/* _CRS bus range 0..pci_bus_end */
	bool pci_native_hp;	/* _OSC granting native PCIe hotplug et al. */
};

/* Lays out all tables in buf (RSDP first, at base_gpa). Returns the number
 * of bytes used, or 0 if buflen is too small. Every checksum is valid. */
size_t acpi_build(void *buf, size_t buflen, u64 base_gpa,
		  const struct acpi_config *cfg);

u8 acpi_checksum(const void *p, size_t len);

#endif
