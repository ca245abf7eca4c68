/* Guest physical address map on x86_64: where the boot structures, the
 * firmware tables, the 32-bit PCI hole and the high RAM live. */
#ifndef LKVM_X86_LAYOUT_H
#define LKVM_X86_LAYOUT_H

#include "lkvm/util.h"

#define X86_BOOT_GDT		0x00000500ULL	/* boot GDT (selectors 0x10/0x18) */
#define X86_ZERO_PAGE		0x00007000ULL	/* struct boot_params */
#define X86_FLAT_LOAD		0x00010000ULL	/* raw binary: CS=0x1000 IP=0 */
#define X86_FLAT_MAX		(X86_EBDA_START - X86_FLAT_LOAD)
#define X86_CMDLINE		0x00020000ULL
#define X86_CMDLINE_MAX		0x00010000ULL	/* bytes, with NUL */
#define X86_EBDA_START		0x0009fc00ULL
#define X86_BIOS_START		0x000a0000ULL	/* VGA + BIOS area, reserved */
#define X86_ACPI_BASE		0x000e0000ULL	/* RSDP first, then tables */
#define X86_ACPI_SIZE		0x00020000ULL
#define X86_HIGH_KERNEL		0x00100000ULL	/* protected-mode kernel */

#define X86_HOLE_START		0xc0000000ULL	/* first byte not RAM below 4G */
#define X86_PCI_MMIO32		0xc0000000ULL	/* 32-bit PCI window */
#define X86_PCI_MMIO32_SIZE	0x20000000ULL
#define X86_PCI_IO_BASE		0xc000ULL	/* PCI I/O BAR window */
#define X86_PCI_IO_SIZE		0x4000ULL
#define X86_PCI_ECAM		0xe0000000ULL	/* MMCONFIG, bus 0..255 */
#define X86_PCI_ECAM_SIZE	0x10000000ULL
#define X86_IOAPIC_BASE		0xfec00000ULL
#define X86_LAPIC_BASE		0xfee00000ULL
#define X86_IDENTITY_MAP	0xfeffc000ULL	/* KVM_SET_IDENTITY_MAP_ADDR, 1 page */
#define X86_TSS_ADDR		0xfeffd000ULL	/* KVM_SET_TSS_ADDR, 3 pages */

/* I/O ports of the emulated platform (ACPI FADT describes the PM ones). */
#define X86_PORT_PM1A_EVT	0x600	/* 4 bytes: status, enable */
#define X86_PORT_PM1A_CNT	0x604	/* 2 bytes: SCI_EN, SLP_TYP, SLP_EN */
#define X86_PORT_RESET		0xcf9	/* write 0x06 or 0x0e: reset */
#define X86_PORT_DEBUG_EXIT	0x501	/* --debug-exit, as isa-debug-exit */
#define X86_SCI_IRQ		9
#define X86_S5_SLP_TYP		5	/* value the DSDT's _S5 gives */

/* How guest RAM of ram_size bytes is split around the 32-bit hole. */
struct x86_mem_layout {
	u64 ram_size;	/* total bytes of RAM */
	u64 low_size;	/* RAM at [0, low_size), low_size <= X86_HOLE_START */
	u64 high_size;	/* RAM at [4 GiB, 4 GiB + high_size) */
};

void x86_mem_layout(u64 ram_size, struct x86_mem_layout *l);

struct pci_windows;
/* PCI windows of the layout (x86/pci.c): the 64-bit one starts at the
 * first 1 GiB boundary above max(4 GiB, end of high RAM) and stays below
 * 2^phys_bits. */
void x86_pci_windows(const struct x86_mem_layout *l, unsigned int phys_bits,
		     struct pci_windows *w);

#endif
