/* Loads what `-k`, `-i` and `-p` name into guest RAM: a bzImage with its
 * zero page, an ELF vmlinux with its PVH start info, their command line and
 * initrd, or a --raw real-mode binary; and the GDT the 32-bit entries need.
 * Regular files go from the file to guest RAM, not through lkvm's heap. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kvm/boot.h"
#include "x86/arch.h"
#include "x86/cpuid.h"
#include "x86/pvh.h"

static const u64 boot_gdt[4] = {
	0, 0,
	0x00cf9b000000ffffULL,	/* 0x10: 4 GiB flat code */
	0x00cf93000000ffffULL,	/* 0x18: 4 GiB flat data */
};

/* The -k file. A regular file is a sparse image: anonymous memory of its
 * size with only what the parsers read filled in (the first KFILE_HEAD
 * bytes: a bzImage's setup, an ELF header; an ELF's program headers and
 * notes), while what loads goes from the file straight to guest RAM. A
 * pipe or a --raw binary is read whole into img. */
#define KFILE_HEAD	(128 * 1024)	/* 256 setup sectors at most */

struct kfile {
	u8 *img;
	size_t len;
	int fd;		/* -1: img holds the whole file */
};

static int kfile_read(struct vm *vm, struct kfile *f, u64 off, void *dst,
		      size_t n)
{
	return boot_read_into("kernel", vm->cfg->kernel, vm->ram_size, f->fd,
			      off, dst, n);
}

/* A guess at an ELF's layout only to fill the sparse image: anything odd
 * is left for pvh_elf_parse() to explain. */
static int kfile_elf_parts(struct vm *vm, struct kfile *f)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	u64 end;
	int i;

	if (f->len < sizeof(eh) || memcmp(f->img, ELFMAG, SELFMAG))
		return 0;
	memcpy(&eh, f->img, sizeof(eh));
	end = eh.e_phoff + (u64)eh.e_phnum * sizeof(ph);
	if (eh.e_phentsize != sizeof(ph) || end < eh.e_phoff || end > f->len)
		return 0;
	if (end > KFILE_HEAD &&
	    kfile_read(vm, f, eh.e_phoff, f->img + eh.e_phoff, end - eh.e_phoff))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, f->img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > f->len ||
		    ph.p_filesz > f->len - ph.p_offset)
			continue;
		if (kfile_read(vm, f, ph.p_offset, f->img + ph.p_offset,
			       ph.p_filesz))
			return -1;
	}
	return 0;
}

static void kfile_close(struct kfile *f)
{
	if (f->fd < 0) {
		free(f->img);
		return;
	}
	munmap(f->img, f->len);
	close(f->fd);
}

static int kfile_open(struct vm *vm, struct kfile *f)
{
	const char *path = vm->cfg->kernel;
	int r = 0;

	if (!vm->cfg->raw)
		r = boot_open_sized("kernel", path, vm->ram_size, &f->fd,
				    &f->len);
	if (r < 0)
		return -1;
	if (!r) {
		f->fd = -1;
		return boot_load_file("kernel", path, vm->ram_size,
				      (void **)&f->img, &f->len) ? -1 : 0;
	}
	f->img = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		      MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->img == MAP_FAILED) {
		pr_err("kernel '%s': no address space for its %zu bytes: %s",
		       path, f->len, strerror(errno));
		close(f->fd);
		return -1;
	}
	if (kfile_read(vm, f, 0, f->img, MIN(f->len, (size_t)KFILE_HEAD)) ||
	    kfile_elf_parts(vm, f)) {
		kfile_close(f);
		return -1;
	}
	return 0;
}

/* n bytes at off of the kernel file to gpa. */
static int kfile_load(struct vm *vm, struct kfile *f, u64 gpa, u64 off,
		      size_t n)
{
	void *dst = guest_ptr(&vm->mem, gpa, n);

	if (f->fd >= 0)
		return kfile_read(vm, f, off, dst, n) ? -1 : 0;
	memcpy(dst, f->img + off, n);
	return 0;
}

static int load_flat(struct vm *vm, const void *img, size_t len)
{
	if (vm->cfg->initrd)
		pr_warn("a raw binary kernel gets no initrd; ignoring -i");
	memcpy(guest_ptr(&vm->mem, X86_FLAT_LOAD, len), img, len);
	x86_vm(vm)->flat = true;
	return 0;
}

static int place_initrd(struct vm *vm, const struct bzimage_info *info,
			u64 kernel_end, size_t len, struct x86_boot_args *a)
{
	char err[256];

	if (x86_initrd_place(info, &x86_vm(vm)->layout, kernel_end, len,
			     &a->initrd_addr, err, sizeof(err))) {
		pr_err("initrd '%s': %s", vm->cfg->initrd, err);
		return -1;
	}
	a->initrd_size = len;
	pr_debug("initrd at 0x%llx, %zu bytes",
		 (unsigned long long)a->initrd_addr, len);
	return 0;
}

/* A regular file is read straight into guest RAM; a pipe first whole. */
static int load_initrd(struct vm *vm, const struct bzimage_info *info,
		       u64 kernel_end, struct x86_boot_args *a)
{
	const char *path = vm->cfg->initrd;
	void *buf;
	size_t len;
	int fd, r;

	if (!path)
		return 0;
	r = boot_open_sized("initrd", path, vm->ram_size, &fd, &len);
	if (r < 0)
		return -1;
	if (r > 0) {
		if (place_initrd(vm, info, kernel_end, len, a)) {
			close(fd);
			return -1;
		}
		r = boot_read_into("initrd", path, vm->ram_size, fd, 0,
				   guest_ptr(&vm->mem, a->initrd_addr, len),
				   len);
		close(fd);
		return r ? -1 : 0;
	}
	if (boot_load_file("initrd", path, vm->ram_size, &buf, &len))
		return -1;
	r = place_initrd(vm, info, kernel_end, len, a);
	if (!r)
		memcpy(guest_ptr(&vm->mem, a->initrd_addr, len), buf, len);
	free(buf);
	return r;
}

/* The guest sees the host's vendor and family (KVM passes them on). */
static bool host_amd_gart_family(void)
{
	u32 vendor[4], sig[4];

	x86_host_cpuid(0, vendor);
	x86_host_cpuid(1, sig);
	return cpuid_amd_gart_family(vendor[1], vendor[2], vendor[3], sig[0]);
}

/* The VMM's own options. On a GART-family CPU, Linux scans 256 PCI buses
 * for an AGP bridge twice (early_gart_iommu_check, gart_iommu_hole_init),
 * 32768 exits, seconds of a nested boot. The VM has no GART, AGP bridge
 * or chipset an early PCI quirk is for: pci=noearly skips them. */
static const char *x86_cmdline_options(void)
{
	return host_amd_gart_family() ? "pci=noearly" : NULL;
}

/* Writes the command line and the boot GDT; returns the line (to free). */
static char *put_cmdline(struct vm *vm, struct x86_boot_args *a)
{
	char *cmdline = boot_cmdline(vm->cfg, x86_cmdline_options());

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

static int load_bzimage(struct vm *vm, struct kfile *f,
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
	if (kfile_load(vm, f, X86_HIGH_KERNEL, info->setup_size,
		       info->kernel_size) ||
	    load_initrd(vm, info, kernel_end, &a) ||
	    !(cmdline = put_cmdline(vm, &a)))
		return -1;
	if (x86_boot_params_build(guest_ptr(&vm->mem, X86_ZERO_PAGE,
					    sizeof(struct boot_params)),
				  f->img, f->len, info, l, &a, err, sizeof(err))) {
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
static int load_elf(struct vm *vm, struct kfile *f)
{
	struct x86_vm *x = x86_vm(vm);
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .rsdp_addr = X86_ACPI_BASE };
	struct pvh_kernel k;
	char err[256], *cmdline;
	int i;

	if (pvh_elf_parse(f->img, f->len, &x->layout, &k, err, sizeof(err))) {
		pr_err("kernel '%s': %s", vm->cfg->kernel, err);
		return -1;
	}
	for (i = 0; i < k.nseg; i++)
		if (kfile_load(vm, f, k.seg[i].paddr, k.seg[i].offset,
			       k.seg[i].filesz))
			return -1;
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
	struct kfile f;
	char err[256];
	int kind, ret;

	if (vm->restored)	/* guest RAM comes from the snapshot */
		return 0;
	if (kfile_open(vm, &f))
		return -1;
	kind = x86_kernel_identify(f.img, f.len, vm->cfg->raw, &info, err,
				   sizeof(err));
	if (kind < 0) {
		pr_err("kernel '%s': %s", vm->cfg->kernel, err);
		kfile_close(&f);
		return -1;
	}
	if (kind == X86_KERNEL_FLAT)
		ret = load_flat(vm, f.img, f.len);
	else if (kind == X86_KERNEL_ELF)
		ret = load_elf(vm, &f);
	else
		ret = load_bzimage(vm, &f, &info);
	kfile_close(&f);
	return ret;
}

LKVM_INIT(INIT_BOOT, x86_boot_init, NULL)
