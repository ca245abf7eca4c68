/* Direct boot of an ELF vmlinux through its PVH entry (x86/pvh.c): the
 * PT_LOAD/PT_NOTE parsing and the hvm_start_info page, both pure, with the
 * structures of the PVH boot ABI (Xen's hvm/start_info.h, version 1). */
#ifndef LKVM_X86_PVH_H
#define LKVM_X86_PVH_H

#include "x86/bzimage.h"

#define PVH_START_MAGIC		0x336ec578	/* "xEn3", 0x80 set in "E" */
#define PVH_ELFNOTE_ENTRY	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
#define PVH_MAX_SEGS		16
#define PVH_MEMMAP_MAX		8

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;	/* version 1 */
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;		/* e820 types */
	u32 reserved;
};

/* What lkvm writes at X86_PVH_INFO: the start info, then what it points to. */
struct pvh_boot_page {
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;	/* the initrd */
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
};

struct pvh_segment {
	u64 paddr, offset, filesz, memsz;
};

struct pvh_kernel {
	u32 entry;		/* XEN_ELFNOTE_PHYS32_ENTRY */
	u64 end;		/* highest segment end (paddr + memsz) */
	int nseg;
	struct pvh_segment seg[PVH_MAX_SEGS];
};

/* Parses an ELF64 x86_64 vmlinux: its PVH entry note and PT_LOAD segments,
 * which must lie in low RAM of l, above 1 MiB, below the MMIO hole, without
 * overlapping. Returns 0, or -1 with a reason and the fix in err. */
int pvh_elf_parse(const void *img, size_t len, const struct x86_mem_layout *l,
		  struct pvh_kernel *k, char *err, size_t errlen);

/* Fills the page at guest address base: hvm_start_info with a's command
 * line, RSDP and initrd (one module, none when initrd_size is 0) and the
 * memory map of l (the e820 plan). */
void pvh_start_info_build(struct pvh_boot_page *p, u64 base,
			  const struct x86_mem_layout *l,
			  const struct x86_boot_args *a);

#endif
