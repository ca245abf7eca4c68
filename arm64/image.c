/* arm64 Image header validation and boot placement (include/arm64/image.h):
 * the 64-byte header's little-endian fields, and kernel/initrd/DTB placed
 * so that none overlaps and each sits where booting.rst requires. */
#include <string.h>
#include "arm64/image.h"

int arm64_image_parse(const void *img, size_t len, struct arm64_image *im,
		      char *err, size_t errlen)
{
	const u8 *p = img;
	u32 pg;

	memset(im, 0, sizeof(*im));
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return set_err(err, errlen, "gzip-compressed (Image.gz) and lkvm "
			       "has no decompressor; gunzip it and give the "
			       "raw Image (zcat Image.gz > Image)");
	if (len >= 8 && !memcmp(p + 4, "zimg", 4))
		return set_err(err, errlen, "an EFI zboot image; give the raw "
			       "Image (arch/arm64/boot/Image)");
	if (len < ARM64_IMAGE_HDR_SIZE)
		return set_err(err, errlen, "%zu bytes is too short for an arm64 "
			       "Image header (%d bytes)", len, ARM64_IMAGE_HDR_SIZE);
	if (le_get(p + ARM64_IMAGE_MAGIC_OFF, 4) != ARM64_IMAGE_MAGIC)
		return set_err(err, errlen, "not an arm64 Image: no \"ARM\\x64\" "
			       "magic at offset 0x38");
	im->text_offset = le_get(p + 8, 8);
	im->image_size = le_get(p + 16, 8);
	im->flags = le_get(p + 24, 8);
	if (!im->image_size) {
		/* pre-3.17: text_offset of unknown endianness, 0x80000 */
		im->text_offset = ARM64_TEXT_OFFSET_OLD;
		im->image_size = ALIGN_UP(len, 4096);
		im->flags = 0;
	}
	if (im->flags & ARM64_IMAGE_FLAG_BE)
		return set_err(err, errlen, "a big-endian kernel; lkvm boots "
			       "little-endian kernels only");
	if (im->text_offset >= ARM64_KERNEL_ALIGN ||
	    !IS_ALIGNED(im->text_offset, 4096))
		return set_err(err, errlen, "bad text_offset 0x%llx in the Image "
			       "header", (unsigned long long)im->text_offset);
	if (im->image_size < len)
		return set_err(err, errlen, "header image_size 0x%llx is smaller "
			       "than the file (0x%zx bytes): corrupt Image",
			       (unsigned long long)im->image_size, len);
	if (im->image_size > 1ULL << 32)
		return set_err(err, errlen, "header image_size 0x%llx is absurd: "
			       "corrupt Image", (unsigned long long)im->image_size);
	pg = (im->flags >> ARM64_IMAGE_FLAG_PAGE_SHIFT) & ARM64_IMAGE_FLAG_PAGE_MASK;
	im->page_size = pg == 1 ? 4096 : pg == 2 ? 16384 : pg == 3 ? 65536 : 0;
	im->anywhere = im->flags & ARM64_IMAGE_FLAG_ANYWHERE;
	return 0;
}

int arm64_boot_place(u64 ram_base, u64 ram_size, const struct arm64_image *im,
		     u64 initrd_size, u64 page_size,
		     struct arm64_boot_layout *l, char *err, size_t errlen)
{
	u64 base = ALIGN_UP(ram_base, ARM64_KERNEL_ALIGN);
	u64 ram_end = ram_base + ram_size;
	u64 low, need;

	memset(l, 0, sizeof(*l));
	l->kernel = base + im->text_offset;
	l->kernel_end = l->kernel + im->image_size;
	low = ALIGN_UP(l->kernel_end, page_size);
	/* kernel, initrd, a free 2 MiB block for the DTB */
	need = ALIGN_UP(low + ALIGN_UP(initrd_size, page_size), ARM64_KERNEL_ALIGN) +
	       ARM64_DTB_MAX;
	if (need > ram_end)
		return set_err(err, errlen, "kernel (0x%llx bytes)%s and device "
			       "tree need %llu MiB of RAM; raise -m",
			       (unsigned long long)im->image_size,
			       initrd_size ? ", initrd" : "",
			       (unsigned long long)((need - ram_base + SZ_1M - 1) / SZ_1M));
	l->dtb = ALIGN_DOWN(ram_end - ARM64_DTB_MAX, ARM64_KERNEL_ALIGN);
	if (initrd_size) {
		l->initrd = ALIGN_DOWN(l->dtb - initrd_size, page_size);
		l->initrd_end = l->initrd + initrd_size;
	}
	return 0;
}
