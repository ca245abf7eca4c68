/* The guest's device tree on arm64, built from the VM's shape: memory, CPUs
 * (PSCI), timer, GIC (+ITS or v2m), the 16550 UART with stdout-path, the
 * chosen node and the ECAM PCI host bridge. Pure: unit-tested with dtc. */
#ifndef LKVM_ARM64_DT_H
#define LKVM_ARM64_DT_H

#include "arm64/gic.h"
#include "pci/pci.h"

struct arm64_dt_config {
	int nr_cpus;
	u64 ram_base, ram_size;
	enum gic_type gic;
	const char *bootargs;		/* NULL: none */
	u64 initrd_start, initrd_end;	/* equal: no initrd */
	const struct pci_windows *pci;	/* NULL: no PCI host bridge */
	u64 pci_io_cpu;			/* CPU address of PCI port 0 */
	u8 pci_last_bus;		/* buses 0..this (root ports' behind) */
	bool debug_exit;		/* a lkvm,debug-exit node */
};

/* MPIDR affinity KVM gives vCPU id (Aff0: 4 bits, then Aff1, Aff2). */
u64 arm64_vcpu_mpidr(int id);

/* Builds the DTB into a malloc'ed blob. Returns 0 or -1. */
int arm64_dt_build(const struct arm64_dt_config *c, void **blob,
		   size_t *size);

#endif
