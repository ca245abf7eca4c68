/* The arm64 side of the PCI bus: ECAM at ARM64_PCI_ECAM, 32- and 64-bit
 * memory windows, the hotplug root ports (--hotplug-slots), and PCI I/O space as an MMIO window at ARM64_PCI_IO
 * whose accesses are forwarded to the port-I/O bus (port = offset). */
#include <string.h>
#include "arm64/arch.h"
#include "kvm/config.h"
#include "kvm/vm.h"
#include "pci/pci.h"

void arm64_pci_windows(struct pci_windows *w)
{
	memset(w, 0, sizeof(*w));
	w->io_base = ARM64_PCI_IO_FIRST;
	w->io_size = ARM64_PCI_IO_SIZE - ARM64_PCI_IO_FIRST;
	w->mem32_base = ARM64_PCI_MMIO32;
	w->mem32_size = ARM64_PCI_MMIO32_SIZE;
	w->mem64_base = ARM64_PCI_MMIO64;
	w->mem64_size = ARM64_PCI_MMIO64_SIZE;
	w->ecam_base = ARM64_PCI_ECAM;
}

static void pci_io_window(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct vm *vm = opaque;

	if (!iobus_dispatch(&vm->pio, off, data, len, wr) && !wr)
		memset(data, 0xff, len);
}

static int arm64_pci_init(struct vm *vm)
{
	struct pci_windows w;

	arm64_pci_windows(&w);
	if (pci_bus_init(vm, &w))
		return -1;
	if (pci_ports_init(vm, vm->cfg->hotplug_slots,
			   vm->cfg->hotplug_mem_mib * SZ_1M,
			   vm->cfg->hotplug_pref_mib * SZ_1M)) {
		pci_bus_exit(vm);
		return -1;
	}
	if (iobus_register(&vm->mmio, ARM64_PCI_IO, ARM64_PCI_IO_SIZE,
			   pci_io_window, vm)) {
		pr_err("pci: the I/O window at 0x%llx is taken",
		       (unsigned long long)ARM64_PCI_IO);
		pci_bus_exit(vm);
		return -1;
	}
	return 0;
}

static void arm64_pci_exit(struct vm *vm)
{
	iobus_unregister(&vm->mmio, ARM64_PCI_IO);
	pci_bus_exit(vm);
}

LKVM_INIT(INIT_BUS, arm64_pci_init, arm64_pci_exit)
