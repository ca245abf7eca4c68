/* Loads what `-k`, `-i` and `-p` name into guest RAM: a bzImage with its
 * zero page, an ELF vmlinux with its PVH start info, their command line and
 * initrd, or a --raw real-mode binary; and the GDT the 32-bit entries need. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/boot.h"
#include "x86/arch.h"
#include "x86/pvh.h"

static const u64 boot_gdt[4] = {
	0, 0,
	0x00cf9b000000ffffULL,	/* 0x10: 4 GiB flat code */
	0x00cf93000000ffffULL,	/* 0x18: 4 GiB flat data */
};

static int load_flat(struct vm *vm, const void *img, size_t len)
{
	if (vm->cfg->initrd)
		pr_warn("a raw binary kernel gets no initrd; ignoring -i");
	memcpy(guest_ptr(&vm->mem, X86_FLAT_LOAD, len), img, len);
	x86_vm(vm)->flat = true;
	return 0;
}

static int load_initrd(struct vm *vm, const struct bzimage_info *info,
		       u64 kernel_end, struct x86_boot_args *a)
{
	char err[256];
	void *buf;
	size_t len;

	if (!vm->cfg->initrd)
		return 0;
	if (boot_load_file("initrd", vm->cfg->initrd, vm->ram_size, &buf,
			   &len))
		return -1;
	if (x86_initrd_place(info, &x86_vm(vm)->layout, kernel_end, len,
			     &a->initrd_addr, err, sizeof(err))) {
		pr_err("initrd '%s': %s", vm->cfg->initrd, err);
		free(buf);
		return -1;
	}
	memcpy(guest_ptr(&vm->mem, a->initrd_addr, len), buf, len);
	a->initrd_size = len;
	free(buf);
	pr_debug("initrd at 0x%llx, %zu bytes",
		 (unsigned long long)a->initrd_addr, len);
	return 0;
}

/* Writes the command line and the boot GDT; returns the line (to free). */
static char *put_cmdline(struct vm *vm, struct x86_boot_args *a)
{
	char *cmdline = boot_cmdline(vm->cfg);

	if (!cmdline)
		return NULL;
	a->cmdline_len = strlen(cmdline);
	if (a->cmdline_len >= X86_CMDLINE_MAX) {
		pr_err("kernel command line too long");
		free(cmdline);
		return NULL;
	}
	memcpy(guest_ptr(&vm->mem, X86_CMDLINE, a->cmdline_len + 1), cmdline,
	       a->cmdline_len + 1);
	memcpy(guest_ptr(&vm->mem, X86_BOOT_GDT, sizeof(boot_gdt)), boot_gdt,
	       sizeof(boot_gdt));
	return cmdline;
}

static int load_bzimage(struct vm *vm, const void *img, size_t len,
			const struct bzimage_info *info)
{
	struct x86_mem_layout *l = &x86_vm(vm)->layout;
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .rsdp_addr = X86_ACPI_BASE };
	u64 kernel_end = X86_HIGH_KERNEL + MAX(info->init_size, info->kernel_size);
	char err[256], *cmdline;
	int ret = -1;

	if (kernel_end > l->low_size) {
		pr_err("kernel '%s' needs %llu MiB of RAM just to unpack; raise -m",
		       vm->cfg->kernel, (unsigned long long)(kernel_end / SZ_1M + 1));
		return -1;
	}
	memcpy(guest_ptr(&vm->mem, X86_HIGH_KERNEL, info->kernel_size),
	       (const u8 *)img + info->setup_size, info->kernel_size);
	if (load_initrd(vm, info, kernel_end, &a) ||
	    !(cmdline = put_cmdline(vm, &a)))
		return -1;
	if (x86_boot_params_build(guest_ptr(&vm->mem, X86_ZERO_PAGE,
					    sizeof(struct boot_params)),
				  img, len, info, l, &a, err, sizeof(err))) {
		pr_err("kernel '%s': %s", vm->cfg->kernel, err);
		goto out;
	}
	x86_vm(vm)->entry = X86_HIGH_KERNEL;
	pr_debug("bzImage protocol %x.%02x, cmdline \"%s\"", info->version >> 8,
		 info->version & 0xff, cmdline);
	ret = 0;
out:
	free(cmdline);
	return ret;
}

/* Guest RAM is fresh anonymous memory: the segments' bss is already zero. */
static int load_elf(struct vm *vm, const void *img, size_t len)
{
	struct x86_vm *x = x86_vm(vm);
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .rsdp_addr = X86_ACPI_BASE };
	struct pvh_kernel k;
	char err[256], *cmdline;
	int i;

	if (pvh_elf_parse(img, len, &x->layout, &k, err, sizeof(err))) {
		pr_err("kernel '%s': %s", vm->cfg->kernel, err);
		return -1;
	}
	for (i = 0; i < k.nseg; i++)
		memcpy(guest_ptr(&vm->mem, k.seg[i].paddr, k.seg[i].filesz),
		       (const u8 *)img + k.seg[i].offset, k.seg[i].filesz);
	if (load_initrd(vm, NULL, k.end, &a) || !(cmdline = put_cmdline(vm, &a)))
		return -1;
	pvh_start_info_build(guest_ptr(&vm->mem, X86_PVH_INFO,
				       sizeof(struct pvh_boot_page)),
			     X86_PVH_INFO, &x->layout, &a);
	x->pvh = true;
	x->entry = k.entry;
	pr_debug("PVH entry 0x%x, %d segments, cmdline \"%s\"", k.entry,
		 k.nseg, cmdline);
	free(cmdline);
	return 0;
}

static int x86_boot_init(struct vm *vm)
{
	struct bzimage_info info;
	char err[256];
	void *img;
	size_t len;
	int kind, ret;

	if (boot_load_file("kernel", vm->cfg->kernel, vm->ram_size, &img,
			   &len))
		return -1;
	kind = x86_kernel_identify(img, len, vm->cfg->raw, &info, err,
				   sizeof(err));
	if (kind < 0) {
		pr_err("kernel '%s': %s", vm->cfg->kernel, err);
		free(img);
		return -1;
	}
	if (kind == X86_KERNEL_FLAT)
		ret = load_flat(vm, img, len);
	else if (kind == X86_KERNEL_ELF)
		ret = load_elf(vm, img, len);
	else
		ret = load_bzimage(vm, img, len, &info);
	free(img);
	return ret;
}

LKVM_INIT(INIT_BOOT, x86_boot_init, NULL)
