/* Guest physical address map on arm64: the GIC, the UART and the PCI host
 * bridge below 1 GiB, RAM from 2 GiB up, and a 64-bit PCI window far above
 * it (inside the default 40-bit IPA space). */
#ifndef LKVM_ARM64_LAYOUT_H
#define LKVM_ARM64_LAYOUT_H

#include "lkvm/util.h"

#define ARM64_GIC_DIST		0x08000000ULL	/* 64 KiB */
#define ARM64_GIC_DIST_SIZE	0x00010000ULL
#define ARM64_GICV2_CPU		0x08010000ULL	/* GICv2 CPU interface */
#define ARM64_GICV2_CPU_SIZE	0x00002000ULL
#define ARM64_GICV2M		0x08020000ULL	/* GICv2m MSI frame */
#define ARM64_GICV2M_SIZE	0x00001000ULL
#define ARM64_GIC_ITS		0x08080000ULL	/* GICv3 ITS, 128 KiB */
#define ARM64_GIC_ITS_SIZE	0x00020000ULL
#define ARM64_GIC_REDIST	0x080a0000ULL	/* 128 KiB per vCPU */
#define ARM64_GIC_REDIST_STRIDE	0x00020000ULL
#define ARM64_GIC_REDIST_END	0x09000000ULL	/* room for 123 vCPUs */
#define ARM64_GICV3_MAX_CPUS	\
	((ARM64_GIC_REDIST_END - ARM64_GIC_REDIST) / ARM64_GIC_REDIST_STRIDE)
#define ARM64_GICV2_MAX_CPUS	8

#define ARM64_UART		0x09000000ULL	/* 16550A, byte registers */
#define ARM64_UART_SIZE		0x00001000ULL
#define ARM64_DEBUG_EXIT	0x09001000ULL	/* --debug-exit register */
#define ARM64_DEBUG_EXIT_SIZE	0x00001000ULL
#define ARM64_GPIO		0x09002000ULL	/* PL061: the power key */
#define ARM64_GPIO_SIZE		0x00001000ULL

#define ARM64_PCI_MMIO32	0x10000000ULL	/* 32-bit PCI memory window */
#define ARM64_PCI_MMIO32_SIZE	0x20000000ULL
#define ARM64_PCI_ECAM		0x30000000ULL	/* bus 0, then the root ports' */
#define ARM64_PCI_ECAM_SIZE	0x00100000ULL	/* per bus */
#define ARM64_PCI_IO		0x3eff0000ULL	/* CPU address of PCI port 0 */
#define ARM64_PCI_IO_SIZE	0x00010000ULL
#define ARM64_PCI_IO_FIRST	0x1000ULL	/* ports handed to BARs */

#define ARM64_RAM_BASE		0x80000000ULL
#define ARM64_PCI_MMIO64	0x4000000000ULL	/* 256 GiB */
#define ARM64_PCI_MMIO64_SIZE	0x4000000000ULL
#define ARM64_RAM_MAX		(ARM64_PCI_MMIO64 - ARM64_RAM_BASE)

/* Interrupts: GSI n is SPI n (INTID 32 + n). PCI INTx uses GSIs 16-23
 * (include/pci/pci.h); GICv2m MSIs take SPIs from ARM64_V2M_SPI_BASE. */
#define ARM64_UART_SPI		1
#define ARM64_GPIO_SPI		2
#define ARM64_FIXED_GSIS	32	/* GSIs routed to the GIC pin of the same number */
#define ARM64_V2M_SPI_BASE	64
#define ARM64_V2M_NR_SPIS	128
#define ARM64_GIC_NR_IRQS	256	/* INTIDs the vGIC implements (SGI+PPI+SPI) */

/* Arch timer PPIs (INTIDs 16 + n in DT "PPI n" numbering). */
#define ARM64_PPI_TIMER_SEC	13
#define ARM64_PPI_TIMER_PHYS	14
#define ARM64_PPI_TIMER_VIRT	11
#define ARM64_PPI_TIMER_HYP	10
#define ARM64_PPI_GIC_MAINT	9

#endif
