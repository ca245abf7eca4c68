/* The PC side of the PCI bus: its address windows (I/O 0xc000-0xffff, the
 * 32-bit hole, a 64-bit window above RAM), the hotplug root ports
 * (--hotplug-slots), ECAM at X86_PCI_ECAM and the
 * conf1 ports 0xcf8/0xcfc, which share a dword with the 0xcf9 reset port. */
#include <string.h>
#include "kvm/config.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "x86/arch.h"
#include "x86/cpuid.h"
#include "x86/legacy.h"

#define CONF1_ADDR_PORT		0xcf8
#define CONF1_DATA_PORT		0xcfc
#define CONF1_ADDR_MASK		0x80fffffcu
#define DEFAULT_PHYS_BITS	36
#define MEM64_MAX_SIZE		(1024 * SZ_1G)

static unsigned int host_phys_bits(void)
{
	u32 r[4];

	x86_host_cpuid(0x80000000u, r);
	if (r[0] < 0x80000008u)
		return DEFAULT_PHYS_BITS;
	x86_host_cpuid(0x80000008u, r);
	return (r[0] & 0xff) ? (r[0] & 0xff) : DEFAULT_PHYS_BITS;
}

void x86_pci_windows(const struct x86_mem_layout *l, unsigned int phys_bits,
		     struct pci_windows *w)
{
	u64 base = ALIGN_UP(MAX(SZ_4G, SZ_4G + l->high_size), SZ_1G);
	u64 limit = phys_bits >= 64 ? UINT64_MAX : 1ULL << phys_bits;

	memset(w, 0, sizeof(*w));
	w->io_base = X86_PCI_IO_BASE;
	w->io_size = X86_PCI_IO_SIZE;
	w->mem32_base = X86_PCI_MMIO32;
	w->mem32_size = X86_PCI_MMIO32_SIZE;
	w->ecam_base = X86_PCI_ECAM;
	if (base < limit) {
		w->mem64_base = base;
		w->mem64_size = MIN(limit - base, MEM64_MAX_SIZE);
	}
}

/* 0xcf8: the dword CONFIG_ADDRESS; a byte at 0xcf9 is the reset register;
 * other widths reach nothing (as on a PIIX). */
static void conf1_addr_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct vm *vm = opaque;
	u32 *addr = &x86_vm(vm)->conf1_addr, v;

	if (off == X86_PORT_RESET - CONF1_ADDR_PORT && len == 1) {
		x86_reset_port_io(vm, data, wr);
		return;
	}
	if (off || len != 4) {
		if (!wr)
			memset(data, 0xff, len);
		return;
	}
	if (wr) {
		memcpy(&v, data, 4);
		__atomic_store_n(addr, v & CONF1_ADDR_MASK, __ATOMIC_RELAXED);
		return;
	}
	v = __atomic_load_n(addr, __ATOMIC_RELAXED);
	memcpy(data, &v, 4);
}

static void conf1_data_io(void *opaque, u64 off, u8 *data, u32 len, bool wr)
{
	struct vm *vm = opaque;
	u32 addr = __atomic_load_n(&x86_vm(vm)->conf1_addr, __ATOMIC_RELAXED);
	u16 bdf;
	u32 reg;

	if (!pci_conf1_decode(addr, &bdf, &reg)) {
		if (!wr)
			memset(data, 0xff, len);
		return;
	}
	pci_config_access(vm, bdf, reg + (u32)off, data, len, wr);
}

static int x86_pci_init(struct vm *vm)
{
	struct pci_windows w;

	x86_pci_windows(&x86_vm(vm)->layout, host_phys_bits(), &w);
	if (pci_bus_init(vm, &w))
		return -1;
	if (pci_ports_init(vm, vm->cfg->hotplug_slots,
			   vm->cfg->hotplug_mem_mib * SZ_1M,
			   vm->cfg->hotplug_pref_mib * SZ_1M)) {
		pci_bus_exit(vm);
		return -1;
	}
	if (iobus_register(&vm->pio, CONF1_ADDR_PORT, 4, conf1_addr_io, vm) ||
	    iobus_register(&vm->pio, CONF1_DATA_PORT, 4, conf1_data_io, vm)) {
		pr_err("pci: conf1 ports 0xcf8-0xcff are taken");
		pci_bus_exit(vm);
		return -1;
	}
	pr_debug("pci: 64-bit window 0x%llx, 0x%llx bytes",
		 (unsigned long long)w.mem64_base,
		 (unsigned long long)w.mem64_size);
	return 0;
}

static void x86_pci_exit(struct vm *vm)
{
	iobus_unregister(&vm->pio, CONF1_ADDR_PORT);
	iobus_unregister(&vm->pio, CONF1_DATA_PORT);
	pci_bus_exit(vm);
}

LKVM_INIT(INIT_BUS, x86_pci_init, x86_pci_exit)
