/* Unit tests for --vfio value parsing (vfio/spec.c): addresses with and
 * without a domain, msix-relocation options, and the error messages for
 * malformed addresses, unknown options and a device given twice. */
#include "unit.h"
#include "vfio/vfio.h"

static char err[VFIO_ERR_LEN];

static bool bad_spec(const char *arg)
{
	struct vfio_spec s;

	err[0] = 0;
	return vfio_spec_parse(arg, &s, err, sizeof(err)) == -1;
}

TEST(vfio_spec_bdf_forms)
{
	struct vfio_spec s;

	ASSERT_EQ(vfio_spec_parse("01:00.0", &s, err, sizeof(err)), 0);
	EXPECT_STR(s.name, "0000:01:00.0");
	EXPECT_EQ(s.msix_reloc.mode, MSIX_RELOC_AUTO);
	ASSERT_EQ(vfio_spec_parse("0000:3b:1f.7", &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.bus, 0x3b);
	EXPECT_EQ(s.dev, 0x1f);
	EXPECT_EQ(s.fn, 7);
	EXPECT_STR(s.name, "0000:3b:1f.7");
	ASSERT_EQ(vfio_spec_parse("10000:A1:0.1", &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.domain, 0x10000);
	EXPECT_STR(s.name, "10000:a1:00.1");
}

TEST(vfio_spec_options)
{
	struct vfio_spec s;

	ASSERT_EQ(vfio_spec_parse("01:00.0,msix-relocation=bar2", &s, err,
				  sizeof(err)), 0);
	EXPECT_EQ(s.msix_reloc.mode, MSIX_RELOC_BAR);
	EXPECT_EQ(s.msix_reloc.bar, 2);
	ASSERT_EQ(vfio_spec_parse("0000:01:00.0,msix-relocation=off", &s, err,
				  sizeof(err)), 0);
	EXPECT_EQ(s.msix_reloc.mode, MSIX_RELOC_OFF);
}

TEST(vfio_spec_bad_bdf)
{
	static const char *const bad[] = {
		"", "01:00", "0:1:2:3.0", "01:20.0", "01:00.8", "zz:00.0",
		"01:00.0x", "001:00.0", "01-00.0", ":01:00.0", "01:00.",
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!EXPECT(bad_spec(bad[i])))
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		EXPECT_CONTAINS(err, "0000:01:00.0 or 01:00.0");
	}
	EXPECT(bad_spec("01:00.0x"));
	EXPECT_CONTAINS(err, "invalid PCI address");
}

TEST(vfio_spec_bad_options)
{
	EXPECT(bad_spec("01:00.0,foo=1"));
	EXPECT_CONTAINS(err, "unknown option 'foo=1'");
	EXPECT_CONTAINS(err, "msix-relocation=off|auto|bar<N>");
	EXPECT(bad_spec("01:00.0,msix-relocation=bar7"));
	EXPECT_CONTAINS(err, "bar0..bar5");
	EXPECT(bad_spec("01:00.0,msix-relocation="));
	EXPECT_CONTAINS(err, "unknown option");
	EXPECT(bad_spec("01:00.0,"));
	EXPECT_CONTAINS(err, "empty option");
	/* given twice: refused, not last-wins */
	EXPECT(bad_spec("01:00.0,msix-relocation=off,msix-relocation=bar2"));
	EXPECT_CONTAINS(err, "'msix-relocation' given twice");
	EXPECT(bad_spec("01:00.0,msix-relocation=auto,msix-relocation=auto"));
	EXPECT_CONTAINS(err, "given twice");
}

TEST(vfio_specs_twice)
{
	struct vfio_spec specs[VFIO_MAX_DEVICES];
	struct dev_args a = { { "01:00.0", "02:00.0" }, 2 };

	EXPECT_EQ(vfio_specs_parse(&a, specs, err, sizeof(err)), 2);
	a.v[1] = "0000:01:00.0,msix-relocation=off";
	EXPECT_EQ(vfio_specs_parse(&a, specs, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "0000:01:00.0 given twice");
	a.v[1] = "01:00.0,bogus";
	EXPECT_EQ(vfio_specs_parse(&a, specs, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "unknown option 'bogus'");
}

TEST(vfio_spec_relocation_default_left_to_page_size)
{
	struct vfio_spec s;
	char err[VFIO_ERR_LEN];

	ASSERT_EQ(vfio_spec_parse("01:00.0", &s, err, sizeof(err)), 0);
	EXPECT(!s.msix_reloc_given);
	ASSERT_EQ(vfio_spec_parse("01:00.0,msix-relocation=off", &s, err,
				  sizeof(err)), 0);
	EXPECT(s.msix_reloc_given);
	EXPECT_EQ(s.msix_reloc.mode, MSIX_RELOC_OFF);
}
