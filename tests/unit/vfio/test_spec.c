/* Unit tests for --vfio value parsing (vfio/spec.c): addresses with and
 * without a domain, msix-relocation options, and the error messages for
 * malformed addresses, unknown options and a device given twice; mediated
 * devices by UUID or sysfs path; a value moved behind a root port. */
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
	EXPECT_EQ(s.port, 0);
	ASSERT_EQ(vfio_spec_parse("01:00.0,port=3", &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.port, 4);
	ASSERT_EQ(vfio_spec_parse("01:00.0,port=0", &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.port, 1);
}

/* A hot-added device's value as snapshots record it: behind its port,
 * any port= of its own left out, the other options kept in order. */
TEST(vfio_spec_moved_behind_a_port)
{
	struct vfio_spec s;
	char out[64];

	ASSERT_EQ(vfio_spec_at_port("01:00.0", 1, out, sizeof(out)), 0);
	EXPECT_STR(out, "01:00.0,port=1");
	ASSERT_EQ(vfio_spec_at_port("01:00.0,port=3,rombar=off,port=2,"
				    "iommu=legacy", 0, out, sizeof(out)), 0);
	EXPECT_STR(out, "01:00.0,rombar=off,iommu=legacy,port=0");
	ASSERT_EQ(vfio_spec_parse(out, &s, err, sizeof(err)), 0);
	EXPECT_EQ(s.port, 1);
	EXPECT(s.rombar_off);
	ASSERT_EQ(vfio_spec_at_port("/sys/bus/pci/devices/0000:01:00.0,port=1",
				    7, out, sizeof(out)), 0);
	EXPECT_STR(out, "/sys/bus/pci/devices/0000:01:00.0,port=7");
	/* what does not fit is refused, never cut */
	EXPECT_EQ(vfio_spec_at_port("01:00.0,rombar=off", 1, out, 20), -1);
	EXPECT_EQ(vfio_spec_at_port("01:00.0,rombar=off", 1, out, 26), 0);
	EXPECT_EQ(vfio_spec_at_port("0123456789", 1, out, 10), -1);
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
	EXPECT(bad_spec("01:00.0,port=16"));
	EXPECT_CONTAINS(err, "root port number 0..15");
	EXPECT(bad_spec("01:00.0,port="));
	EXPECT(bad_spec("01:00.0,port=-1"));
	EXPECT(bad_spec("01:00.0,port=1x"));
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

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

TEST(vfio_spec_mdev_forms)
{
	struct vfio_spec s;

	ASSERT_EQ(vfio_spec_parse(UUID, &s, err, sizeof(err)), 0);
	EXPECT(s.mdev);
	EXPECT_STR(s.name, UUID);
	EXPECT_STR(s.path, "");
	/* upper case as some tools print it; sysfs spells it lower case */
	ASSERT_EQ(vfio_spec_parse("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001,"
				  "msix-relocation=off", &s, err,
				  sizeof(err)), 0);
	EXPECT_STR(s.name, UUID);
	EXPECT_EQ(s.msix_reloc.mode, MSIX_RELOC_OFF);
	ASSERT_EQ(vfio_spec_parse("/sys/bus/mdev/devices/" UUID "/", &s, err,
				  sizeof(err)), 0);
	EXPECT(s.mdev);
	EXPECT_STR(s.name, UUID);
	EXPECT_STR(s.path, "/sys/bus/mdev/devices/" UUID "/");
	/* a PCI function by its sysfs path */
	ASSERT_EQ(vfio_spec_parse("/sys/bus/pci/devices/0000:3b:00.1,"
				  "msix-relocation=bar2", &s, err,
				  sizeof(err)), 0);
	EXPECT(!s.mdev);
	EXPECT_STR(s.name, "0000:3b:00.1");
	EXPECT_STR(s.path, "/sys/bus/pci/devices/0000:3b:00.1");
	EXPECT_EQ(s.msix_reloc.bar, 2);
}

TEST(vfio_spec_bad_mdev)
{
	static const char *const bad[] = {
		"83b8f4f2-509f-382f-3c1e-e6bfe0fa100",	/* short */
		"83b8f4f2-509f-382f-3c1e-e6bfe0fa10011",	/* long */
		"83b8f4f2x509f-382f-3c1e-e6bfe0fa1001",	/* no dash */
		"83b8f4f2-509g-382f-3c1e-e6bfe0fa1001",	/* not hex */
		"/sys/bus/mdev/devices/", "/", "/sys/devices/virtual/mtty",
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!EXPECT(bad_spec(bad[i])))
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
		EXPECT_CONTAINS(err, "mediated device's UUID");
	}
}

TEST(vfio_spec_mdev_twice)
{
	struct dev_args a = { .nr = 2, .v = { UUID, "/sys/bus/mdev/devices/"
						      UUID } };
	struct vfio_spec specs[VFIO_MAX_DEVICES];

	EXPECT_EQ(vfio_specs_parse(&a, specs, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, UUID " given twice");
}
