/* Kernel image identification and boot_params/e820 construction for the
 * x86 Linux boot protocol (Documentation/arch/x86/boot.rst). Pure functions. */
#ifndef LKVM_X86_BZIMAGE_H
#define LKVM_X86_BZIMAGE_H

#include <asm/bootparam.h>
#include "lkvm/util.h"
#include "x86/layout.h"

/* e820 entry types (ACPI address range types) */
#define X86_E820_RAM		1
#define X86_E820_RESERVED	2

/* Defaults for boot protocols that predate the fields */
#define X86_INITRD_ADDR_MAX_DEFAULT	0x37ffffffU	/* before 2.03 */
#define X86_CMDLINE_SIZE_DEFAULT	255U		/* before 2.06 */

enum x86_kernel_kind {
	X86_KERNEL_BZIMAGE = 1,
	X86_KERNEL_FLAT,
	X86_KERNEL_ELF,		/* by its magic only: pvh_elf_parse() checks it */
};

struct bzimage_info {
	u16 version;		/* boot protocol, e.g. 0x020f */
	u32 setup_size;		/* bytes before the protected-mode kernel */
	u32 kernel_size;	/* bytes of protected-mode kernel in the file */
	u32 init_size;		/* memory the kernel needs from its load address */
	u32 initrd_addr_max;	/* highest byte address an initrd may occupy */
	u32 cmdline_size;	/* max command line length, without NUL */
	u32 kernel_alignment;
	bool relocatable;
};

/* Classifies a kernel file. Without raw: returns X86_KERNEL_BZIMAGE (info
 * filled), X86_KERNEL_ELF, or -1 with a reason in err naming what is wrong
 * (compressed blob, too old a protocol, truncated, empty, unrecognised:
 * pass --raw...). With raw (--raw): returns X86_KERNEL_FLAT for 1 to
 * X86_FLAT_MAX bytes of anything, or -1 with a reason. */
int x86_kernel_identify(const void *img, size_t len, bool raw,
			struct bzimage_info *info, char *err, size_t errlen);

/* Fills the e820 table for the layout. Returns the entry count. */
int x86_e820_build(const struct x86_mem_layout *l, struct boot_e820_entry *tbl,
		   int max);

/* Chooses the initrd address: page aligned, as high as possible, wholly
 * below min(initrd_addr_max + 1, low RAM end) and above kernel_end.
 * Returns 0 or -1 with a reason (does not fit, and by how much). An
 * initrd_size of 0 always succeeds with *addr = 0. */
int x86_initrd_place(const struct bzimage_info *info,
		     const struct x86_mem_layout *l, u64 kernel_end,
		     u64 initrd_size, u64 *addr, char *err, size_t errlen);

struct x86_boot_args {
	u64 cmdline_addr;
	u32 cmdline_len;	/* without NUL */
	u64 initrd_addr;
	u64 initrd_size;	/* 0: none */
	u64 rsdp_addr;
};

/* Builds the zero page: copies the image's setup header, sets loader type,
 * heap, command line, initrd (including ext_ fields above 4G), RSDP and the
 * e820 map. Returns 0 or -1 with a reason (command line too long...). */
int x86_boot_params_build(struct boot_params *bp, const void *img, size_t len,
			  const struct bzimage_info *info,
			  const struct x86_mem_layout *l,
			  const struct x86_boot_args *a, char *err, size_t errlen);

#endif
