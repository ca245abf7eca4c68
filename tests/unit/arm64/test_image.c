/* Unit tests of the arm64 Image header checks and boot placement
 * (arm64/image.c): good images, corrupt ones, and where kernel, initrd and
 * DTB land for 4 KiB, 16 KiB and 64 KiB host pages. */
#include <stdlib.h>
#include "arm64/image.h"
#include "../unit.h"

static void put64(u8 *p, u64 v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* An Image of len bytes with the given header fields. */
static u8 *mk(size_t len, u64 text_offset, u64 image_size, u64 flags)
{
	u8 *p = calloc(1, len);

	put64(p + 8, text_offset);
	put64(p + 16, image_size);
	put64(p + 24, flags);
	memcpy(p + 0x38, "ARM\x64", 4);
	return p;
}

TEST(image_good_header)
{
	struct arm64_image im;
	char err[128];
	u8 *p = mk(0x10000, 0, 0x2000000, 0xa);	/* LE, 4K, anywhere */

	ASSERT_EQ(arm64_image_parse(p, 0x10000, &im, err, sizeof(err)), 0);
	EXPECT_EQ(im.text_offset, 0);
	EXPECT_EQ(im.image_size, 0x2000000);
	EXPECT_EQ(im.page_size, 4096);
	EXPECT(im.anywhere);
	free(p);

	p = mk(0x10000, 0x80000, 0x100000, 0x4);	/* 16K, not anywhere */
	ASSERT_EQ(arm64_image_parse(p, 0x10000, &im, err, sizeof(err)), 0);
	EXPECT_EQ(im.text_offset, 0x80000);
	EXPECT_EQ(im.page_size, 16384);
	EXPECT(!im.anywhere);
	free(p);
}

TEST(image_old_kernel_without_size)
{
	struct arm64_image im;
	char err[128];
	u8 *p = mk(0x12345, 0x1234, 0, 0x1);	/* fields meaningless */

	ASSERT_EQ(arm64_image_parse(p, 0x12345, &im, err, sizeof(err)), 0);
	EXPECT_EQ(im.text_offset, 0x80000);
	EXPECT_EQ(im.image_size, 0x13000);
	EXPECT_EQ(im.flags, 0);
	free(p);
}

TEST(image_corrupt_headers)
{
	static const u8 gz[4] = { 0x1f, 0x8b, 8, 0 };
	struct arm64_image im;
	char err[128];
	u8 *p;

	p = mk(0x1000, 0, 0x2000, 0);
	p[0x38] = 'X';
	EXPECT_EQ(arm64_image_parse(p, 0x1000, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "magic at offset 0x38");
	free(p);

	EXPECT_EQ(arm64_image_parse(gz, 4, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "gzip-compressed (Image.gz)");
	EXPECT_CONTAINS(err, "gunzip it");

	p = mk(0x1000, 0, 0x2000, 0);
	memcpy(p + 4, "zimg", 4);
	EXPECT_EQ(arm64_image_parse(p, 0x1000, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "zboot");
	free(p);

	p = mk(0x1000, 0, 0x2000, 0);
	EXPECT_EQ(arm64_image_parse(p, 63, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "too short");
	free(p);

	p = mk(0x1000, 0, 0x2000, 0x1);		/* big-endian */
	EXPECT_EQ(arm64_image_parse(p, 0x1000, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "big-endian");
	free(p);

	p = mk(0x1000, 0x200000, 0x2000, 0);	/* offset beyond 2 MiB */
	EXPECT_EQ(arm64_image_parse(p, 0x1000, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "text_offset");
	free(p);

	p = mk(0x1000, 0x80010, 0x2000, 0);	/* unaligned offset */
	EXPECT_EQ(arm64_image_parse(p, 0x1000, &im, err, sizeof(err)), -1);
	free(p);

	p = mk(0x3000, 0, 0x2000, 0);		/* file larger than image */
	EXPECT_EQ(arm64_image_parse(p, 0x3000, &im, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "corrupt");
	free(p);
}

TEST(image_placement)
{
	struct arm64_image im = { .text_offset = 0, .image_size = 0x2345000 };
	struct arm64_boot_layout l;
	const u64 base = 0x80000000ULL, ram = 512 * SZ_1M;
	static const u64 pages[] = { 4096, 16384, 65536 };
	char err[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		ASSERT_EQ(arm64_boot_place(base, ram, &im, 0x123457, pages[i], &l,
					   err, sizeof(err)), 0);
		EXPECT_EQ(l.kernel, base);
		EXPECT_EQ(l.kernel_end, base + 0x2345000);
		EXPECT_EQ(l.dtb, base + ram - 2 * SZ_1M);
		EXPECT(IS_ALIGNED(l.dtb, 2 * SZ_1M));
		EXPECT(IS_ALIGNED(l.initrd, pages[i]));
		EXPECT_EQ(l.initrd_end, l.initrd + 0x123457);
		EXPECT(l.initrd_end <= l.dtb);
		EXPECT(l.initrd >= l.kernel_end);
	}
	im.text_offset = 0x80000;
	ASSERT_EQ(arm64_boot_place(base, ram, &im, 0, 4096, &l, err,
				   sizeof(err)), 0);
	EXPECT_EQ(l.kernel, base + 0x80000);
	EXPECT_EQ(l.initrd, 0);
	EXPECT_EQ(l.initrd_end, 0);
}

TEST(image_placement_needs_room)
{
	struct arm64_image im = { .text_offset = 0, .image_size = 30 * SZ_1M };
	struct arm64_boot_layout l;
	char err[128];

	EXPECT_EQ(arm64_boot_place(0x80000000ULL, 32 * SZ_1M, &im, 4 * SZ_1M,
				   4096, &l, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "need 36 MiB of RAM; raise -m");
	/* exactly enough: kernel to 30 MiB, DTB block at 30-32 MiB */
	EXPECT_EQ(arm64_boot_place(0x80000000ULL, 32 * SZ_1M, &im, 0, 4096, &l,
				   err, sizeof(err)), 0);
	EXPECT_EQ(l.dtb, 0x80000000ULL + 30 * SZ_1M);
	/* an odd RAM size: the DTB block is still 2 MiB aligned */
	EXPECT_EQ(arm64_boot_place(0x80000000ULL, 33 * SZ_1M, &im, 0, 4096, &l,
				   err, sizeof(err)), 0);
	EXPECT_EQ(l.dtb, 0x80000000ULL + 30 * SZ_1M);
}
