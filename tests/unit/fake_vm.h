/* A VM without KVM for the device set-up tests: port/MMIO buses and,
 * optionally, a PCI bus (vm_fd -1, no RAM); and the count of this
 * process's open fds, to show a failed set-up leaves none behind. */
#ifndef LKVM_TESTS_FAKE_VM_H
#define LKVM_TESTS_FAKE_VM_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/vm.h"
#include "pci/pci.h"
#ifdef __aarch64__
#include "arm64/arch.h"
#endif

static inline void fake_vm_init(struct vm *vm, const struct lkvm_config *cfg,
				bool pci_bus)
{
	struct pci_windows w = {
		.io_base = 0xc000, .io_size = 0x4000,
		.mem32_base = 0xc0000000ULL, .mem32_size = 0x10000000ULL,
	};

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->name = "fake";
	vm->sys_fd = -1;
	vm->vm_fd = -1;
	vm->exit_efd = -1;
	iobus_init(&vm->pio, "pio");
	iobus_init(&vm->mmio, "mmio");
#ifdef __aarch64__
	/* a GICv3 with ITS and no KVM device: MSI routes as on a host */
	vm->arch = calloc(1, sizeof(struct arm64_vm));
	if (vm->arch)
		arm64_vm(vm)->gic.fd = arm64_vm(vm)->gic.its_fd = -1;
#endif
	if (pci_bus)
		pci_bus_init(vm, &w);
}

static inline void fake_vm_fini(struct vm *vm)
{
	pci_bus_exit(vm);
	iobus_destroy(&vm->pio);
	iobus_destroy(&vm->mmio);
	free(vm->arch);
	vm->arch = NULL;
	snap_args_free(&vm->args);
}

/* Open fds of this process (the directory's own fd excluded). */
static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

#endif
