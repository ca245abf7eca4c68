/* Places the ACPI tables (built by x86/acpi.c from the VM's shape: CPUs,
 * platform ports, the PCI bus) in the BIOS area of guest RAM, where Linux
 * and the test guests find the RSDP. */
#include "pci/pci.h"
#include "x86/acpi.h"
#include "x86/arch.h"

/* MCFG and the DSDT's \\_SB.PCI0 describe bus 0, the buses behind the
 * root ports (with an _OSC granting native hotplug) and the windows. */
static void acpi_pci(struct vm *vm, struct acpi_config *c)
{
	struct pci_bus *bus = pci_bus(vm);

	if (!bus)
		return;
	c->ecam_base = bus->win.ecam_base;
	c->ecam_bus_end = pci_last_bus(vm);
	c->pci_bus_end = pci_last_bus(vm);
	c->pci_native_hp = bus->nr_ports > 0;
	c->pci_root = true;
	c->pci_mem32_base = bus->host_win.mem32_base;
	c->pci_mem32_size = bus->host_win.mem32_size;
	c->pci_mem64_base = bus->host_win.mem64_base;
	c->pci_mem64_size = bus->host_win.mem64_size;
	c->pci_gsi_base = PCI_GSI_BASE;
	c->pci_nr_gsi = PCI_NR_GSI;
}

static int x86_firmware_init(struct vm *vm)
{
	struct acpi_config c = {
		.nr_cpus = vm->nr_cpus,
		.lapic_addr = X86_LAPIC_BASE,
		.ioapic_addr = X86_IOAPIC_BASE,
		.ioapic_id = vm->nr_cpus,
		.pm1a_evt_port = X86_PORT_PM1A_EVT,
		.pm1a_cnt_port = X86_PORT_PM1A_CNT,
		.reset_port = X86_PORT_RESET,
		.sci_irq = X86_SCI_IRQ,
		.s5_slp_typ = X86_S5_SLP_TYP,
	};
	void *buf = guest_ptr(&vm->mem, X86_ACPI_BASE, X86_ACPI_SIZE);

	if (vm->restored)	/* guest RAM comes from the snapshot */
		return 0;
	acpi_pci(vm, &c);
	if (!buf || !acpi_build(buf, X86_ACPI_SIZE, X86_ACPI_BASE, &c)) {
		pr_err("ACPI tables do not fit in 0x%llx bytes",
		       (unsigned long long)X86_ACPI_SIZE);
		return -1;
	}
	return 0;
}

LKVM_INIT(INIT_FIRMWARE, x86_firmware_init, NULL)
