/* Unit tests of the flattened device tree writer (arm64/fdt.c): header,
 * reservation map, structure tokens, strings deduplication, phandles and
 * misuse, checked both by walking the blob and through dtc. */
#include <stdlib.h>
#include "arm64/fdt.h"
#include "dtc.h"
#include "../unit.h"

static u32 rd32(const void *b, size_t off)
{
	u32 v;

	memcpy(&v, (const u8 *)b + off, 4);
	return fdt_be32(v);
}

static u64 rd64(const void *b, size_t off)
{
	u64 v;

	memcpy(&v, (const u8 *)b + off, 8);
	return fdt_be64(v);
}

TEST(fdt_header_and_blocks)
{
	struct fdt f;
	void *b;
	size_t n;

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_u32(&f, "#address-cells", 2);
	fdt_end_node(&f);
	ASSERT_EQ(fdt_finish(&f, 3, &b, &n), 0);
	EXPECT_EQ(rd32(b, 0), FDT_MAGIC);
	EXPECT_EQ(rd32(b, 4), n);
	EXPECT_EQ(rd32(b, 20), 17);		/* version */
	EXPECT_EQ(rd32(b, 24), 16);		/* last compatible */
	EXPECT_EQ(rd32(b, 28), 3);		/* boot cpuid */
	EXPECT_EQ(rd32(b, 16) % 8, 0);		/* rsvmap aligned */
	EXPECT_EQ(rd32(b, 8) % 4, 0);		/* struct aligned */
	EXPECT_EQ(rd32(b, 12), rd32(b, 8) + rd32(b, 36));	/* strings follow */
	EXPECT_EQ(rd32(b, 12) + rd32(b, 32), n);
	/* struct: BEGIN_NODE "" PROP ... END_NODE END */
	EXPECT_EQ(rd32(b, rd32(b, 8)), FDT_BEGIN_NODE);
	EXPECT_EQ(rd32(b, rd32(b, 8) + rd32(b, 36) - 4), FDT_END);
	EXPECT_EQ(rd32(b, rd32(b, 8) + rd32(b, 36) - 8), FDT_END_NODE);
	/* empty reservation map: just the terminator */
	EXPECT_EQ(rd64(b, rd32(b, 16)), 0);
	EXPECT_EQ(rd64(b, rd32(b, 16) + 8), 0);
	free(b);
	fdt_free(&f);
}

TEST(fdt_properties_through_dtc)
{
	static const char *const strs[] = { "vendor,a", "generic" };
	static const u32 cells[] = { 1, 0xdeadbeef, 0 };
	struct fdt f;
	u32 ph;
	size_t n;
	void *b;
	char *dts;

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_string(&f, "model", "test board");
	fdt_prop_u32(&f, "#address-cells", 1);
	fdt_prop_u32(&f, "#size-cells", 0);
	fdt_begin_nodef(&f, "dev@%x", 0x1000);
	ph = fdt_alloc_phandle(&f);
	EXPECT_EQ(ph, 1);
	fdt_prop_phandle(&f, ph);
	fdt_prop_u32(&f, "reg", 0x1000);
	fdt_prop_strings(&f, "compatible", strs, 2);
	fdt_prop_u64(&f, "big", 0x1122334455667788ULL);
	fdt_prop_cells(&f, "cells", cells, 3);
	fdt_prop_empty(&f, "flag");
	fdt_prop(&f, "bytes", "\x01\x02\x03", 3);
	fdt_end_node(&f);
	fdt_begin_node(&f, "user");
	fdt_prop_u32(&f, "ref", ph);
	EXPECT_EQ(fdt_alloc_phandle(&f), 2);
	fdt_end_node(&f);
	fdt_end_node(&f);
	ASSERT_EQ(fdt_finish(&f, 0, &b, &n), 0);
	dts = dtc_decompile(b, n);
	ASSERT(dts);
	EXPECT_CONTAINS(dts, "model = \"test board\";");
	EXPECT_CONTAINS(dts, "dev@1000 {");
	EXPECT_CONTAINS(dts, "phandle = <0x01>;");
	EXPECT_CONTAINS(dts, "compatible = \"vendor,a\\0generic\";");
	EXPECT_CONTAINS(dts, "big = <0x11223344 0x55667788>;");
	EXPECT_CONTAINS(dts, "cells = <0x01 0xdeadbeef 0x00>;");
	EXPECT_CONTAINS(dts, "flag;");
	EXPECT_CONTAINS(dts, "bytes = [01 02 03];");
	EXPECT_CONTAINS(dts, "ref = <0x01>;");
	EXPECT(!strstr(dts, "arning"));
	free(dts);
	free(b);
	fdt_free(&f);
}

TEST(fdt_strings_deduplicated)
{
	struct fdt f;
	size_t n;
	void *b;

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_begin_node(&f, "a");
	fdt_prop_u32(&f, "reg", 1);
	fdt_prop_string(&f, "status", "okay");
	fdt_end_node(&f);
	fdt_begin_node(&f, "b");
	fdt_prop_u32(&f, "reg", 2);
	fdt_prop_string(&f, "status", "okay");
	fdt_end_node(&f);
	fdt_end_node(&f);
	ASSERT_EQ(fdt_finish(&f, 0, &b, &n), 0);
	EXPECT_EQ(rd32(b, 32), sizeof("reg") + sizeof("status"));
	EXPECT(!memcmp((u8 *)b + rd32(b, 12), "reg\0status\0", 11));
	free(b);
	fdt_free(&f);
}

TEST(fdt_misuse_is_refused)
{
	struct fdt f;
	size_t n;
	void *b = NULL;

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_begin_node(&f, "open");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f, 0, &b, &n), -1);	/* root left open */
	EXPECT(!b);
	fdt_free(&f);

	fdt_init(&f);
	fdt_prop_u32(&f, "orphan", 1);			/* outside any node */
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	EXPECT_EQ(fdt_finish(&f, 0, &b, &n), -1);
	fdt_free(&f);

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_end_node(&f);
	fdt_end_node(&f);				/* one too many */
	EXPECT_EQ(fdt_finish(&f, 0, &b, &n), -1);
	fdt_free(&f);
}

TEST(fdt_finish_twice_gives_same_blob)
{
	struct fdt f;
	size_t n1, n2;
	void *b1, *b2;

	fdt_init(&f);
	fdt_begin_node(&f, "");
	fdt_prop_string(&f, "x", "y");
	fdt_end_node(&f);
	ASSERT_EQ(fdt_finish(&f, 0, &b1, &n1), 0);
	ASSERT_EQ(fdt_finish(&f, 0, &b2, &n2), 0);
	EXPECT_EQ(n1, n2);
	EXPECT(!memcmp(b1, b2, n1));
	free(b1);
	free(b2);
	fdt_free(&f);
}
