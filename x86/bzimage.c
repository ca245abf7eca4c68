/* x86 Linux boot protocol (Documentation/arch/x86/boot.rst): recognises a
 * bzImage or an ELF vmlinux (x86/pvh.c loads it), or checks a --raw binary
 * (refusing anything else with a reason), builds the e820 map, places the
 * initrd and fills the zero page. */
#include <stdio.h>
#include <string.h>
#include "x86/bzimage.h"

#define HDR_OFF		0x1f1	/* setup header inside the image / zero page */
#define HDR_BOOT_FLAG	0x1fe
#define HDR_JUMP_LEN	0x201	/* second byte of the short jump at 0x200 */
#define HDR_MAGIC_OFF	0x202
#define HDR_MIN_LEN	0x206	/* up to and including "HdrS" */
#define BOOT_FLAG	0xaa55
#define HDR_MAGIC	"HdrS"
#define ARM64_MAGIC_OFF	0x38
#define ARM64_MAGIC	"ARM\x64"
#define PAGE_SIZE_4K	0x1000ULL
#define EBDA_END	X86_EBDA_START	/* first byte not usable in low RAM */
#define LOW_MEM_END	0x100000ULL	/* end of the legacy 1 MiB area */

static bool has_at(const u8 *img, size_t len, size_t off, const void *m,
		   size_t mlen)
{
	return len >= off + mlen && !memcmp(img + off, m, mlen);
}

/* Offset (from the image start) one past the last setup header byte. */
static size_t setup_header_end(const u8 *img, size_t len)
{
	size_t end = HDR_MAGIC_OFF + img[HDR_JUMP_LEN];

	end = MIN(end, HDR_OFF + sizeof(struct setup_header));
	return MIN(end, len);
}

/* Copies the image's setup header into h, zero-filling what it lacks. */
static void read_setup_header(const u8 *img, size_t len,
			      struct setup_header *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h, img + HDR_OFF, setup_header_end(img, len) - HDR_OFF);
}

static bool is_bzimage_sig(const u8 *img, size_t len)
{
	return len >= HDR_MIN_LEN && (u16)le_get(img + HDR_BOOT_FLAG, 2) == BOOT_FLAG &&
	       has_at(img, len, HDR_MAGIC_OFF, HDR_MAGIC, 4);
}

static const char *compression_name(const u8 *img, size_t len)
{
	if (has_at(img, len, 0, "\x1f\x8b", 2))
		return "gzip";
	if (has_at(img, len, 0, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (has_at(img, len, 0, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (has_at(img, len, 0, "\x04\x22\x4d\x18", 4))
		return "lz4";
	if (has_at(img, len, 0, "BZh", 3) && len > 3 &&
	    img[3] >= '1' && img[3] <= '9')
		return "bzip2";
	return NULL;
}

/* Everything that is recognisably not something we can boot. */
static int refuse_foreign(const u8 *img, size_t len, char *err, size_t errlen)
{
	const char *comp = compression_name(img, len);

	if (comp)
		return set_err(err, errlen, "kernel is a %s compressed file, "
			       "not a bootable image; pass the bzImage "
			       "(arch/x86/boot/bzImage)", comp);
	if (has_at(img, len, ARM64_MAGIC_OFF, ARM64_MAGIC, 4))
		return set_err(err, errlen, "kernel is an arm64 Image; this "
			       "lkvm runs x86_64 guests: pass an x86 bzImage");
	if (has_at(img, len, 0, "MZ", 2))
		return set_err(err, errlen, "kernel is a PE/MZ executable "
			       "without a Linux setup header (\"HdrS\"); pass "
			       "the bzImage (arch/x86/boot/bzImage)");
	return 0;
}

/* Checks the protected-mode part the header describes is all there. */
static int check_bzimage_size(const struct setup_header *h, size_t len,
			      u32 setup_size, char *err, size_t errlen)
{
	u64 pm_size, need;

	if (len <= setup_size)
		return set_err(err, errlen, "bzImage is truncated: %zu bytes, "
			       "but its setup code alone is %u bytes",
			       len, setup_size);
	pm_size = len - setup_size;
	need = (u64)h->syssize * 16;
	if (h->version >= 0x0208)
		need = MAX(need, (u64)h->payload_offset + h->payload_length);
	if (pm_size < need)
		return set_err(err, errlen, "bzImage is truncated: header "
			       "says %llu bytes, file has %zu; copy the "
			       "whole arch/x86/boot/bzImage",
			       (unsigned long long)(setup_size + need), len);
	return 0;
}

/* Memory the kernel needs from its load address. Protocols before 2.10
 * do not say; assume the decompressor needs 4x the compressed size. */
static u32 bzimage_init_size(const struct setup_header *h, u32 kernel_size)
{
	if (h->version >= 0x020a && h->init_size)
		return h->init_size;
	return (u32)MIN(ALIGN_UP((u64)kernel_size * 4, PAGE_SIZE_4K),
			(u64)UINT32_MAX & ~(PAGE_SIZE_4K - 1));
}

static void fill_info(const struct setup_header *h, size_t len,
		      u32 setup_size, struct bzimage_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = h->version;
	info->setup_size = setup_size;
	info->kernel_size = len - setup_size;
	info->init_size = bzimage_init_size(h, info->kernel_size);
	info->initrd_addr_max = X86_INITRD_ADDR_MAX_DEFAULT;
	if (h->version >= 0x0203 && h->initrd_addr_max)
		info->initrd_addr_max = h->initrd_addr_max;
	info->cmdline_size = X86_CMDLINE_SIZE_DEFAULT;
	if (h->version >= 0x0206 && h->cmdline_size)
		info->cmdline_size = h->cmdline_size;
	if (h->version >= 0x0205) {
		info->kernel_alignment = h->kernel_alignment;
		info->relocatable = h->relocatable_kernel != 0;
	}
}

static int identify_bzimage(const u8 *img, size_t len,
			    struct bzimage_info *info, char *err, size_t errlen)
{
	struct setup_header h;
	u32 sects, setup_size;

	read_setup_header(img, len, &h);
	if (h.version < 0x0206)
		return set_err(err, errlen, "bzImage uses boot protocol "
			       "%u.%02u; lkvm needs 2.06 or later (Linux "
			       "2.6.22+): pass a newer kernel",
			       h.version >> 8, h.version & 0xff);
	if (!(h.loadflags & LOADED_HIGH))
		return set_err(err, errlen, "kernel is a zImage (loaded low at "
			       "0x10000), which is not supported; pass a "
			       "bzImage (make bzImage)");
	sects = h.setup_sects ? h.setup_sects : 4;
	setup_size = (sects + 1) * 512;
	if (check_bzimage_size(&h, len, setup_size, err, errlen))
		return -1;
	if (info)
		fill_info(&h, len, setup_size, info);
	return X86_KERNEL_BZIMAGE;
}

/* --raw: whatever the bytes are, they are real-mode code at 0x10000. */
static int identify_flat(size_t len, char *err, size_t errlen)
{
	if (!len)
		return set_err(err, errlen, "kernel file is empty; --raw needs "
			       "a flat binary of real-mode code");
	if (len > X86_FLAT_MAX)
		return set_err(err, errlen, "at %zu bytes, kernel is too large "
			       "for a --raw flat binary (at most %llu bytes, "
			       "loaded at 0x%llx); drop --raw to boot a "
			       "bzImage", len,
			       (unsigned long long)X86_FLAT_MAX,
			       (unsigned long long)X86_FLAT_LOAD);
	return X86_KERNEL_FLAT;
}

int x86_kernel_identify(const void *img, size_t len, bool raw,
			struct bzimage_info *info, char *err, size_t errlen)
{
	const u8 *p = img;

	if (raw)
		return identify_flat(len, err, errlen);
	if (!len)
		return set_err(err, errlen, "kernel file is empty; pass a "
			       "bzImage (arch/x86/boot/bzImage)");
	if (is_bzimage_sig(p, len))
		return identify_bzimage(p, len, info, err, errlen);
	if (has_at(p, len, 0, "\x7f" "ELF", 4))
		return X86_KERNEL_ELF;
	if (refuse_foreign(p, len, err, errlen))
		return -1;
	if (has_at(p, len, HDR_MAGIC_OFF, HDR_MAGIC, 4))
		return set_err(err, errlen, "kernel has a Linux setup header "
			       "but no 0xAA55 boot flag at 0x1fe (corrupt "
			       "bzImage?); pass arch/x86/boot/bzImage");
	return set_err(err, errlen, "kernel is not a bzImage (no \"HdrS\" "
		       "setup header at 0x202) nor an ELF, compressed or PE "
		       "file: pass arch/x86/boot/bzImage, or pass --raw to "
		       "boot a flat binary of real-mode code (loaded at "
		       "0x%llx, at most %llu bytes)",
		       (unsigned long long)X86_FLAT_LOAD,
		       (unsigned long long)X86_FLAT_MAX);
}

static int e820_add(struct boot_e820_entry *tbl, int n, int max, u64 start,
		    u64 end, u32 type)
{
	if (end <= start || n >= max)
		return n;
	tbl[n].addr = start;
	tbl[n].size = end - start;
	tbl[n].type = type;
	return n + 1;
}

int x86_e820_build(const struct x86_mem_layout *l, struct boot_e820_entry *tbl,
		   int max)
{
	u64 low = MIN(l->low_size, X86_HOLE_START);
	int n = 0;

	n = e820_add(tbl, n, max, 0, MIN(low, EBDA_END), X86_E820_RAM);
	n = e820_add(tbl, n, max, EBDA_END, LOW_MEM_END, X86_E820_RESERVED);
	n = e820_add(tbl, n, max, LOW_MEM_END, low, X86_E820_RAM);
	n = e820_add(tbl, n, max, X86_PCI_ECAM, X86_PCI_ECAM + X86_PCI_ECAM_SIZE,
		     X86_E820_RESERVED);
	n = e820_add(tbl, n, max, SZ_4G, SZ_4G + l->high_size, X86_E820_RAM);
	return n;
}

int x86_initrd_place(const struct bzimage_info *info,
		     const struct x86_mem_layout *l, u64 kernel_end,
		     u64 initrd_size, u64 *addr, char *err, size_t errlen)
{
	u64 max = info ? info->initrd_addr_max : X86_INITRD_ADDR_MAX_DEFAULT;
	u64 top = MIN(max + 1, l->low_size);
	u64 bottom = ALIGN_UP(kernel_end, PAGE_SIZE_4K);
	u64 space = top > bottom ? ALIGN_DOWN(top, PAGE_SIZE_4K) - bottom : 0;

	if (!initrd_size) {
		*addr = 0;
		return 0;
	}
	if (top <= bottom || initrd_size > space)
		return set_err(err, errlen, "initrd of %llu KiB does not fit "
			       "between the kernel end (0x%llx) and 0x%llx: "
			       "%llu KiB short; give the guest more memory or "
			       "use a smaller initrd",
			       (unsigned long long)(initrd_size >> 10),
			       (unsigned long long)bottom,
			       (unsigned long long)top,
			       (unsigned long long)((ALIGN_UP(initrd_size,
				PAGE_SIZE_4K) - space + 1023) >> 10));
	*addr = ALIGN_DOWN(top - initrd_size, PAGE_SIZE_4K);
	return 0;
}

static void set_cmdline(struct boot_params *bp, u64 addr)
{
	bp->hdr.cmd_line_ptr = (u32)addr;
	bp->ext_cmd_line_ptr = (u32)(addr >> 32);
}

static void set_initrd(struct boot_params *bp, u64 addr, u64 size)
{
	bp->hdr.ramdisk_image = (u32)addr;
	bp->ext_ramdisk_image = (u32)(addr >> 32);
	bp->hdr.ramdisk_size = (u32)size;
	bp->ext_ramdisk_size = (u32)(size >> 32);
}

int x86_boot_params_build(struct boot_params *bp, const void *img, size_t len,
			  const struct bzimage_info *info,
			  const struct x86_mem_layout *l,
			  const struct x86_boot_args *a, char *err, size_t errlen)
{
	const u8 *p = img;

	if (!is_bzimage_sig(p, len))
		return set_err(err, errlen, "kernel has no bzImage setup header");
	if (a->cmdline_len > info->cmdline_size)
		return set_err(err, errlen, "kernel command line is %u bytes; "
			       "this kernel accepts at most %u",
			       a->cmdline_len, info->cmdline_size);

	memset(bp, 0, sizeof(*bp));
	read_setup_header(p, len, &bp->hdr);
	bp->hdr.type_of_loader = 0xff;	/* undefined loader */
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	set_cmdline(bp, a->cmdline_addr);
	if (a->initrd_size)
		set_initrd(bp, a->initrd_addr, a->initrd_size);
	bp->acpi_rsdp_addr = a->rsdp_addr;
	bp->e820_entries = x86_e820_build(l, bp->e820_table,
					  E820_MAX_ENTRIES_ZEROPAGE);
	return 0;
}
