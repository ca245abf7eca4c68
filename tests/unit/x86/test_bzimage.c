/* Unit tests for x86/bzimage.c: kernel file classification and refusals,
 * the e820 map, initrd placement and the zero page, using synthetic
 * bzImages built byte by byte at the boot protocol's offsets. */
#include <stdio.h>
#include <stdlib.h>
#include "../unit.h"
#include "x86/bzimage.h"

/* Setup header offsets from Documentation/arch/x86/boot.rst */
#define O_SETUP_SECTS	0x1f1
#define O_SYSSIZE	0x1f4
#define O_VID_MODE	0x1fa
#define O_BOOT_FLAG	0x1fe
#define O_JUMP		0x200
#define O_HEADER	0x202
#define O_VERSION	0x206
#define O_LOADFLAGS	0x211
#define O_INITRD_MAX	0x22c
#define O_KALIGN	0x230
#define O_RELOC		0x234
#define O_CMDLINE_SIZE	0x238
#define O_PAYLOAD_OFF	0x248
#define O_PAYLOAD_LEN	0x24c
#define O_INIT_SIZE	0x260

static void put16(unsigned char *p, size_t off, unsigned int v)
{
	p[off] = v & 0xff;
	p[off + 1] = (v >> 8) & 0xff;
}

static void put32(unsigned char *p, size_t off, unsigned int v)
{
	put16(p, off, v & 0xffff);
	put16(p, off + 2, v >> 16);
}

struct fake_kernel {
	unsigned char *img;
	size_t len;
};

/* A plausible modern bzImage: protocol `version`, `sects` setup sectors,
 * `pm` bytes of protected-mode code, header ending at 0x268. */
static struct fake_kernel make_bz(unsigned int version, unsigned int sects,
				  size_t pm)
{
	unsigned int real_sects = sects ? sects : 4;
	size_t setup = (real_sects + 1) * 512;
	struct fake_kernel k = { calloc(1, setup + pm), setup + pm };
	size_t i;

	for (i = 0; i < O_SETUP_SECTS; i++)
		k.img[i] = 0xcc;	/* boot sector junk: must not be copied */
	k.img[O_SETUP_SECTS] = sects;
	put32(k.img, O_SYSSIZE, (pm + 15) / 16);
	put16(k.img, O_VID_MODE, 0xffff);
	put16(k.img, O_BOOT_FLAG, 0xaa55);
	k.img[O_JUMP] = 0xeb;
	k.img[O_JUMP + 1] = 0x268 - 0x202;
	memcpy(k.img + O_HEADER, "HdrS", 4);
	put16(k.img, O_VERSION, version);
	k.img[O_LOADFLAGS] = LOADED_HIGH;
	put32(k.img, O_INITRD_MAX, 0x7fffffff);
	put32(k.img, O_KALIGN, 0x200000);
	k.img[O_RELOC] = 1;
	put32(k.img, O_CMDLINE_SIZE, 2047);
	put32(k.img, O_PAYLOAD_OFF, 0x3c0);
	put32(k.img, O_PAYLOAD_LEN, pm - 0x3c0 - 4);
	put32(k.img, O_INIT_SIZE, 0x2000000);
	for (i = 0x268; i < setup; i++)
		k.img[i] = 0x5a;	/* setup code: must not be copied */
	return k;
}

static int identify(struct fake_kernel *k, struct bzimage_info *info,
		    char *err, size_t errlen)
{
	return x86_kernel_identify(k->img, k->len, false, info, err, errlen);
}

TEST(bzimage_identify_modern)
{
	struct fake_kernel k = make_bz(0x020f, 27, 0x10000);
	struct bzimage_info info;
	char err[256] = "";

	EXPECT_EQ(identify(&k, &info, err, sizeof(err)), X86_KERNEL_BZIMAGE);
	EXPECT_EQ(info.version, 0x020f);
	EXPECT_EQ(info.setup_size, 28 * 512);
	EXPECT_EQ(info.kernel_size, 0x10000);
	EXPECT_EQ(info.init_size, 0x2000000);
	EXPECT_EQ(info.initrd_addr_max, 0x7fffffff);
	EXPECT_EQ(info.cmdline_size, 2047);
	EXPECT_EQ(info.kernel_alignment, 0x200000);
	EXPECT(info.relocatable);
	free(k.img);
}

TEST(bzimage_setup_sects_zero_means_four)
{
	struct fake_kernel k = make_bz(0x020f, 0, 0x1000);
	struct bzimage_info info;

	EXPECT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	EXPECT_EQ(info.setup_size, 5 * 512);
	EXPECT_EQ(info.kernel_size, 0x1000);
	free(k.img);
}

TEST(bzimage_old_fields_get_defaults)
{
	/* 2.09: no init_size field yet; zero fields fall back to defaults */
	struct fake_kernel k = make_bz(0x0209, 4, 0x3000);
	struct bzimage_info info;

	put32(k.img, O_INITRD_MAX, 0);
	put32(k.img, O_CMDLINE_SIZE, 0);
	ASSERT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	EXPECT_EQ(info.initrd_addr_max, 0x37ffffff);
	EXPECT_EQ(info.cmdline_size, 255);
	/* estimated, not the bogus 0x2000000 past the 2.09 header */
	EXPECT(info.init_size >= info.kernel_size);
	EXPECT(info.init_size != 0x2000000);
	EXPECT_EQ(info.init_size % 4096, 0);
	free(k.img);
}

TEST(bzimage_refuses_old_protocol)
{
	struct fake_kernel k = make_bz(0x0205, 4, 0x1000);
	char err[256] = "";

	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "2.05");
	EXPECT_CONTAINS(err, "2.06");
	free(k.img);
}

TEST(bzimage_refuses_zimage)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x1000);
	char err[256] = "";

	k.img[O_LOADFLAGS] = 0;
	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "zImage");
	EXPECT_CONTAINS(err, "bzImage");
	free(k.img);
}

TEST(bzimage_refuses_truncated)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x4000);
	char err[256] = "";

	k.len -= 100;	/* shorter than syssize says */
	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "truncated");

	k.len = 5 * 512;	/* setup only */
	err[0] = 0;
	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "truncated");

	k.len = 0x300;	/* not even the setup sectors */
	err[0] = 0;
	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "truncated");
	free(k.img);
}

TEST(bzimage_refuses_payload_past_end)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x4000);
	char err[256] = "";

	put32(k.img, O_PAYLOAD_LEN, 0x4000);	/* + offset 0x3c0 > 0x4000 */
	EXPECT_EQ(identify(&k, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "truncated");
	free(k.img);
}

TEST(bzimage_refuses_empty)
{
	char err[256] = "";
	char c = 0;

	EXPECT_EQ(x86_kernel_identify(&c, 0, false, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "empty");
	err[0] = 0;
	EXPECT_EQ(x86_kernel_identify(&c, 0, true, NULL, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "empty");
}

static void expect_refused(const void *img, size_t len, const char *what,
			   const char *instead)
{
	char err[256] = "";

	EXPECT_EQ(x86_kernel_identify(img, len, false, NULL, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, what);
	EXPECT_CONTAINS(err, instead);
}

TEST(bzimage_refuses_foreign_formats)
{
	unsigned char buf[0x1000] = { 0 };

	memcpy(buf, "\x7f" "ELF\x02\x01\x01", 7);
	/* recognised by magic alone; x86/pvh.c checks the rest */
	EXPECT_EQ(x86_kernel_identify(buf, 4, false, NULL, NULL, 0),
		  X86_KERNEL_ELF);

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\x1f\x8b\x08", 3);
	expect_refused(buf, sizeof(buf), "gzip compressed", "bzImage");

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\xfd" "7zXZ", 6);
	expect_refused(buf, sizeof(buf), "xz compressed", "bzImage");

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\x28\xb5\x2f\xfd", 4);
	expect_refused(buf, sizeof(buf), "zstd compressed", "bzImage");

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "MZ", 2);
	expect_refused(buf, sizeof(buf), "PE/MZ", "bzImage");

	/* arm64 Image with an EFI stub also starts with MZ */
	memcpy(buf + 0x38, "ARM\x64", 4);
	expect_refused(buf, sizeof(buf), "arm64 Image", "x86 bzImage");

	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x202, "HdrS", 4);	/* no 0xAA55 */
	expect_refused(buf, sizeof(buf), "boot flag", "bzImage");
}

TEST(bzimage_flat_binary_limits)
{
	size_t big = X86_FLAT_MAX + 1;
	unsigned char *buf = calloc(1, big);
	char err[256] = "", num[32];

	ASSERT(buf);
	buf[0] = 0xfa;	/* cli */
	EXPECT_EQ(x86_kernel_identify(buf, 1, true, NULL, err, sizeof(err)),
		  X86_KERNEL_FLAT);
	EXPECT_EQ(x86_kernel_identify(buf, X86_FLAT_MAX, true, NULL, err,
				      sizeof(err)), X86_KERNEL_FLAT);
	EXPECT_EQ(x86_kernel_identify(buf, big, true, NULL, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "too large");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)X86_FLAT_MAX);
	EXPECT_CONTAINS(err, num);
	EXPECT_CONTAINS(err, "--raw");
	/* a NULL error buffer is fine */
	EXPECT_EQ(x86_kernel_identify(buf, big, true, NULL, NULL, 0), -1);
	free(buf);
}

/* Without --raw, a small file of no known format is refused, not run. */
TEST(bzimage_unrecognised_needs_raw)
{
	unsigned char buf[64] = { 0xfa, 0xf4 };	/* cli; hlt */
	char err[512] = "";

	EXPECT_EQ(x86_kernel_identify(buf, sizeof(buf), false, NULL, err,
				      sizeof(err)), -1);
	EXPECT_CONTAINS(err, "not a bzImage");
	EXPECT_CONTAINS(err, "pass --raw to boot a flat binary");
	EXPECT_EQ(x86_kernel_identify(buf, 1, false, NULL, err, sizeof(err)),
		  -1);
	/* --raw takes the bytes as they are, even an ELF header */
	memcpy(buf, "\x7f" "ELF", 4);
	EXPECT_EQ(x86_kernel_identify(buf, sizeof(buf), true, NULL, err,
				      sizeof(err)), X86_KERNEL_FLAT);
}

/* Generic e820 sanity: sorted, non-empty, non-overlapping entries. */
static void expect_e820_sane(const struct boot_e820_entry *t, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		EXPECT(t[i].size > 0);
		EXPECT(t[i].type == X86_E820_RAM || t[i].type == X86_E820_RESERVED);
		if (i)
			EXPECT(t[i - 1].addr + t[i - 1].size <= t[i].addr);
	}
}

static u64 e820_ram(const struct boot_e820_entry *t, int n)
{
	u64 sum = 0;
	int i;

	for (i = 0; i < n; i++)
		if (t[i].type == X86_E820_RAM)
			sum += t[i].size;
	return sum;
}

static void expect_entry(const struct boot_e820_entry *e, u64 addr, u64 size,
			 u32 type)
{
	EXPECT_EQ(e->addr, addr);
	EXPECT_EQ(e->size, size);
	EXPECT_EQ(e->type, type);
}

TEST(e820_low_only)
{
	struct boot_e820_entry t[8];
	struct x86_mem_layout l;
	int n;

	x86_mem_layout(SZ_1G, &l);
	n = x86_e820_build(&l, t, 8);
	ASSERT_EQ(n, 4);
	expect_entry(&t[0], 0, 0x9fc00, X86_E820_RAM);
	expect_entry(&t[1], 0x9fc00, 0x100000 - 0x9fc00, X86_E820_RESERVED);
	expect_entry(&t[2], 0x100000, SZ_1G - 0x100000, X86_E820_RAM);
	expect_entry(&t[3], X86_PCI_ECAM, X86_PCI_ECAM_SIZE, X86_E820_RESERVED);
}

TEST(e820_with_high_ram)
{
	struct boot_e820_entry t[8];
	struct x86_mem_layout l;
	int n;

	x86_mem_layout(6 * SZ_1G, &l);
	n = x86_e820_build(&l, t, 8);
	ASSERT_EQ(n, 5);
	expect_entry(&t[2], 0x100000, X86_HOLE_START - 0x100000, X86_E820_RAM);
	expect_entry(&t[4], SZ_4G, 3 * SZ_1G, X86_E820_RAM);
	expect_e820_sane(t, n);
}

TEST(e820_tiny_ram)
{
	static const u64 sizes[] = { 0, 4096, 0x9f000, 0x9fc00, 0xa0000,
				     0x100000, 0x101000, 2 * SZ_1M };
	struct boot_e820_entry t[8];
	struct x86_mem_layout l;
	unsigned int i;
	int n;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		x86_mem_layout(sizes[i], &l);
		n = x86_e820_build(&l, t, 8);
		expect_e820_sane(t, n);
		/* RAM in [0x9fc00, 1M) is given up to the legacy hole */
		EXPECT_EQ(e820_ram(t, n), sizes[i] - (MIN(sizes[i], SZ_1M) -
						     MIN(sizes[i], 0x9fc00)));
	}
	x86_mem_layout(0x80000, &l);
	n = x86_e820_build(&l, t, 8);
	ASSERT_EQ(n, 3);
	expect_entry(&t[0], 0, 0x80000, X86_E820_RAM);
	EXPECT_EQ(t[1].type, X86_E820_RESERVED);
}

TEST(e820_respects_max)
{
	struct boot_e820_entry t[8];
	struct x86_mem_layout l;

	memset(t, 0xee, sizeof(t));
	x86_mem_layout(6 * SZ_1G, &l);
	EXPECT_EQ(x86_e820_build(&l, t, 2), 2);
	EXPECT_EQ(t[2].addr, 0xeeeeeeeeeeeeeeeeULL);
	EXPECT_EQ(x86_e820_build(&l, t, 0), 0);
}

static struct bzimage_info info_with_max(u32 max)
{
	struct bzimage_info info = { .initrd_addr_max = max };

	return info;
}

TEST(initrd_place_highest_page)
{
	struct bzimage_info info = info_with_max(0x7fffffff);
	struct x86_mem_layout l;
	u64 addr = 0, size = 10 * SZ_1M + 123;

	x86_mem_layout(SZ_1G, &l);
	ASSERT_EQ(x86_initrd_place(&info, &l, 0x3000000, size, &addr, NULL, 0), 0);
	EXPECT_EQ(addr, ALIGN_DOWN(SZ_1G - size, 4096));
	EXPECT(addr + size <= SZ_1G);

	/* 8 GiB: low RAM ends at 3G, but the kernel allows only < 2G */
	x86_mem_layout(8 * SZ_1G, &l);
	ASSERT_EQ(x86_initrd_place(&info, &l, 0x3000000, size, &addr, NULL, 0), 0);
	EXPECT_EQ(addr, ALIGN_DOWN(0x80000000ULL - size, 4096));
}

TEST(initrd_place_default_max_without_info)
{
	struct x86_mem_layout l;
	u64 addr = 0;

	x86_mem_layout(2 * SZ_1G, &l);
	ASSERT_EQ(x86_initrd_place(NULL, &l, 0x3000000, 4096, &addr, NULL, 0), 0);
	EXPECT_EQ(addr, 0x38000000ULL - 4096);
}

TEST(initrd_place_exact_fit_and_overflow)
{
	struct bzimage_info info = info_with_max(0xffffffff);
	struct x86_mem_layout l;
	char err[256] = "";
	u64 addr = 0;

	x86_mem_layout(64 * SZ_1M, &l);
	/* kernel ends at 16M + 1: first usable page is 16M + 4K */
	ASSERT_EQ(x86_initrd_place(&info, &l, 16 * SZ_1M + 1,
				   48 * SZ_1M - 4096, &addr, err, sizeof(err)), 0);
	EXPECT_EQ(addr, 16 * SZ_1M + 4096);
	EXPECT_EQ(x86_initrd_place(&info, &l, 16 * SZ_1M + 1, 48 * SZ_1M,
				   &addr, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "does not fit");
	EXPECT_CONTAINS(err, "4 KiB short");
	/* kernel end beyond RAM */
	err[0] = 0;
	EXPECT_EQ(x86_initrd_place(&info, &l, 128 * SZ_1M, 4096, &addr, err,
				   sizeof(err)), -1);
	EXPECT_CONTAINS(err, "does not fit");
	/* nothing to place */
	EXPECT_EQ(x86_initrd_place(&info, &l, 128 * SZ_1M, 0, &addr, NULL, 0), 0);
	EXPECT_EQ(addr, 0);
}

static struct boot_params *dirty_zero_page(void)
{
	struct boot_params *bp = malloc(sizeof(*bp));

	if (bp)
		memset(bp, 0xaa, sizeof(*bp));
	return bp;
}

TEST(boot_params_build_fields)
{
	struct fake_kernel k = make_bz(0x020f, 27, 0x10000);
	struct boot_params *bp = dirty_zero_page();
	struct boot_e820_entry t[8];
	struct bzimage_info info;
	struct x86_mem_layout l;
	struct x86_boot_args a = {
		.cmdline_addr = X86_CMDLINE, .cmdline_len = 2047,
		.initrd_addr = 0x3f000000, .initrd_size = 0x123456,
		.rsdp_addr = X86_ACPI_BASE,
	};
	char err[256] = "";
	int n, i;

	ASSERT(bp);
	ASSERT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	x86_mem_layout(6 * SZ_1G, &l);
	ASSERT_EQ(x86_boot_params_build(bp, k.img, k.len, &info, &l, &a, err,
					sizeof(err)), 0);
	/* nothing outside the header comes from the image or old memory */
	EXPECT_EQ(bp->screen_info.orig_video_mode, 0);
	EXPECT_EQ(bp->sentinel, 0);
	EXPECT_EQ(bp->hdr.setup_sects, 27);
	EXPECT_EQ(bp->hdr.boot_flag, 0xaa55);
	EXPECT_EQ(bp->hdr.version, 0x020f);
	EXPECT_EQ(bp->hdr.vid_mode, 0xffff);
	EXPECT_EQ(bp->hdr.init_size, 0x2000000);
	EXPECT_EQ(bp->hdr.kernel_alignment, 0x200000);
	EXPECT_EQ(bp->hdr.handover_offset, 0);	/* past the header's end */
	EXPECT_EQ(bp->hdr.type_of_loader, 0xff);
	EXPECT_EQ(bp->hdr.loadflags, LOADED_HIGH | CAN_USE_HEAP);
	EXPECT_EQ(bp->hdr.heap_end_ptr, 0xfe00);
	EXPECT_EQ(bp->hdr.cmd_line_ptr, X86_CMDLINE);
	EXPECT_EQ(bp->ext_cmd_line_ptr, 0);
	EXPECT_EQ(bp->hdr.ramdisk_image, 0x3f000000);
	EXPECT_EQ(bp->hdr.ramdisk_size, 0x123456);
	EXPECT_EQ(bp->ext_ramdisk_image, 0);
	EXPECT_EQ(bp->ext_ramdisk_size, 0);
	EXPECT_EQ(bp->acpi_rsdp_addr, X86_ACPI_BASE);
	n = x86_e820_build(&l, t, 8);
	ASSERT_EQ(bp->e820_entries, n);
	for (i = 0; i < n; i++)
		expect_entry(&bp->e820_table[i], t[i].addr, t[i].size, t[i].type);
	free(bp);
	free(k.img);
}

TEST(boot_params_build_high_addresses)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x1000);
	struct boot_params *bp = dirty_zero_page();
	struct bzimage_info info;
	struct x86_mem_layout l;
	struct x86_boot_args a = {
		.cmdline_addr = 0x123456000ULL, .cmdline_len = 10,
		.initrd_addr = 0x200000000ULL, .initrd_size = 0x100000001ULL,
	};

	ASSERT(bp);
	ASSERT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	x86_mem_layout(16 * SZ_1G, &l);
	ASSERT_EQ(x86_boot_params_build(bp, k.img, k.len, &info, &l, &a, NULL, 0), 0);
	EXPECT_EQ(bp->hdr.cmd_line_ptr, 0x23456000);
	EXPECT_EQ(bp->ext_cmd_line_ptr, 1);
	EXPECT_EQ(bp->hdr.ramdisk_image, 0);
	EXPECT_EQ(bp->ext_ramdisk_image, 2);
	EXPECT_EQ(bp->hdr.ramdisk_size, 1);
	EXPECT_EQ(bp->ext_ramdisk_size, 1);
	free(bp);
	free(k.img);
}

TEST(boot_params_build_no_initrd)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x1000);
	struct boot_params *bp = dirty_zero_page();
	struct bzimage_info info;
	struct x86_mem_layout l;
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .initrd_addr = 0x1000000 };

	ASSERT(bp);
	ASSERT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	x86_mem_layout(SZ_1G, &l);
	ASSERT_EQ(x86_boot_params_build(bp, k.img, k.len, &info, &l, &a, NULL, 0), 0);
	EXPECT_EQ(bp->hdr.ramdisk_image, 0);
	EXPECT_EQ(bp->hdr.ramdisk_size, 0);
	free(bp);
	free(k.img);
}

TEST(boot_params_build_cmdline_too_long)
{
	struct fake_kernel k = make_bz(0x020f, 4, 0x1000);
	struct boot_params *bp = malloc(sizeof(*bp));
	struct bzimage_info info;
	struct x86_mem_layout l;
	struct x86_boot_args a = { .cmdline_addr = X86_CMDLINE,
				   .cmdline_len = 2048 };
	char err[256] = "";

	ASSERT(bp);
	ASSERT_EQ(identify(&k, &info, NULL, 0), X86_KERNEL_BZIMAGE);
	x86_mem_layout(SZ_1G, &l);
	EXPECT_EQ(x86_boot_params_build(bp, k.img, k.len, &info, &l, &a, err,
					sizeof(err)), -1);
	EXPECT_CONTAINS(err, "2048");
	EXPECT_CONTAINS(err, "2047");
	a.cmdline_len = 2047;
	EXPECT_EQ(x86_boot_params_build(bp, k.img, k.len, &info, &l, &a, err,
					sizeof(err)), 0);
	free(bp);
	free(k.img);
}
