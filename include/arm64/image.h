/* The arm64 Linux Image header (Documentation/arch/arm64/booting.rst) and
 * where the kernel, initrd and device tree go in guest RAM. Pure functions,
 * unit-tested without KVM. */
#ifndef LKVM_ARM64_IMAGE_H
#define LKVM_ARM64_IMAGE_H

#include "lkvm/util.h"

#define ARM64_IMAGE_MAGIC	0x644d5241u	/* "ARM\x64" little-endian */
#define ARM64_IMAGE_MAGIC_OFF	0x38
#define ARM64_IMAGE_HDR_SIZE	64
#define ARM64_TEXT_OFFSET_OLD	0x80000ULL	/* image_size 0: pre-3.17 kernel */
#define ARM64_KERNEL_ALIGN	0x200000ULL	/* 2 MiB aligned base */
#define ARM64_DTB_MAX		0x200000ULL	/* booting.rst: at most 2 MiB */

#define ARM64_IMAGE_FLAG_BE		(1ULL << 0)
#define ARM64_IMAGE_FLAG_PAGE_SHIFT	1
#define ARM64_IMAGE_FLAG_PAGE_MASK	3ULL
#define ARM64_IMAGE_FLAG_ANYWHERE	(1ULL << 3)

struct arm64_image {
	u64 text_offset;	/* load offset from a 2 MiB aligned base */
	u64 image_size;		/* bytes the kernel occupies (bss included) */
	u64 flags;
	u32 page_size;		/* kernel's page size; 0: not stated */
	bool anywhere;		/* may sit anywhere in RAM (flag bit 3) */
};

/* Validates an Image in memory. Returns 0, or -1 with a message in err
 * naming what is wrong (compressed file, wrong magic, big-endian...). */
int arm64_image_parse(const void *img, size_t len, struct arm64_image *im,
		      char *err, size_t errlen);

struct arm64_boot_layout {
	u64 kernel;		/* load address (base + text_offset) */
	u64 kernel_end;		/* kernel + image_size */
	u64 initrd;		/* 0 without initrd */
	u64 initrd_end;
	u64 dtb;		/* 2 MiB aligned, in the last 2 MiB block */
};

/*
 * Places the kernel at the first 2 MiB aligned base of RAM plus text_offset,
 * the DTB in RAM's last 2 MiB block, and the initrd page-aligned right below
 * the DTB. page_size is the host's (getpagesize()). Returns 0, or -1 with
 * a message saying how much RAM would be needed.
 */
int arm64_boot_place(u64 ram_base, u64 ram_size, const struct arm64_image *im,
		     u64 initrd_size, u64 page_size,
		     struct arm64_boot_layout *l, char *err, size_t errlen);

#endif
