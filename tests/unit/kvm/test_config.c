/* Unit tests of `lkvm run` option parsing (kvm/config.c). */
#include "kvm/config.h"
#include "unit.h"

static int parse(struct lkvm_config *c, char *err, const char **args)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = "run";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return config_parse_run(c, argc, argv, err, 256);
}

#define ARGS(...) ((const char *[]){ __VA_ARGS__, NULL })

TEST(config_defaults)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-k", "bz")), 0);
	EXPECT_STR(c.kernel, "bz");
	EXPECT_EQ(c.ram_mib, DEFAULT_RAM_MIB);
	EXPECT_EQ(c.nr_cpus, 1);
	EXPECT_EQ(c.console, CONSOLE_SERIAL);
	EXPECT(!c.debug);
	EXPECT(c.initrd == NULL);
}

TEST(config_all_long_options)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("--kernel", "k", "--initrd", "i",
				      "--params", "quiet", "--mem", "2G",
				      "--cpus", "4", "--name", "vm1",
				      "--console", "serial", "--debug")), 0);
	EXPECT_STR(c.kernel, "k");
	EXPECT_STR(c.initrd, "i");
	EXPECT_STR(c.params, "quiet");
	EXPECT_EQ(c.ram_mib, 2048);
	EXPECT_EQ(c.nr_cpus, 4);
	EXPECT_STR(c.name, "vm1");
	EXPECT(c.debug);
}

TEST(config_short_options_and_positional_kernel)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-m", "128", "-c", "2", "-p", "x=1",
				      "bzImage", "-i", "rd")), 0);
	EXPECT_STR(c.kernel, "bzImage");
	EXPECT_STR(c.initrd, "rd");
	EXPECT_EQ(c.ram_mib, 128);
	EXPECT_EQ(c.nr_cpus, 2);
	/* --opt=value form */
	ASSERT_EQ(parse(&c, err, ARGS("--mem=64", "--kernel=k")), 0);
	EXPECT_EQ(c.ram_mib, 64);
}

TEST(config_rejects_bad_input)
{
	struct lkvm_config c;
	char err[256];

	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--frobnicate")), -1);
	EXPECT_CONTAINS(err, "unknown option '--frobnicate'");
	EXPECT_CONTAINS(err, "--kernel");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-x")), -1);
	EXPECT_CONTAINS(err, "unknown option '-x'");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-m", "0")), -1);
	EXPECT_CONTAINS(err, "invalid --mem '0'");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-m", "12x")), -1);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-m", "-5")), -1);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-c", "0")), -1);
	EXPECT_CONTAINS(err, "invalid --cpus '0'");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-c", "two")), -1);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--console", "vga")), -1);
	EXPECT_CONTAINS(err, "unknown console type 'vga'");
	EXPECT_EQ(parse(&c, err, ARGS("-k")), -1);
	EXPECT_CONTAINS(err, "needs a value");
	EXPECT_EQ(parse(&c, err, ARGS("-m", "64")), -1);
	EXPECT_CONTAINS(err, "no kernel given");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "a", "b")), -1);
	EXPECT_CONTAINS(err, "unexpected argument 'b'");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "a", "--name", "x/y")), -1);
}

/* kvmtool's names that mean the same in lkvm, and --debug-exit. */
TEST(config_kvmtool_names)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--nodefaults", "--nocompat",
				      "--loglevel", "info")), 0);
	EXPECT(!c.debug);
	EXPECT(!c.debug_exit);
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--loglevel", "debug",
				      "--debug-exit")), 0);
	EXPECT(c.debug);
	EXPECT(c.debug_exit);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--loglevel", "loud")), -1);
	EXPECT_CONTAINS(err, "unknown --loglevel 'loud'; valid: error, warning, "
			"info, debug");
}

TEST(config_help_needs_no_kernel)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("--help")), 0);
	EXPECT(c.help);
}

TEST(config_mem_suffixes)
{
	u64 m;

	EXPECT_EQ(parse_mem_mib("512", &m), 0);
	EXPECT_EQ(m, 512);
	EXPECT_EQ(parse_mem_mib("3g", &m), 0);
	EXPECT_EQ(m, 3072);
	EXPECT_EQ(parse_mem_mib("100M", &m), 0);
	EXPECT_EQ(m, 100);
	EXPECT_EQ(parse_mem_mib("", &m), -1);
	EXPECT_EQ(parse_mem_mib("1T", &m), -1);
	EXPECT_EQ(parse_mem_mib("99999999999999999999", &m), -1);
}

TEST(config_repeatable_device_options)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--vfio", "0000:01:00.0",
				      "--vfio-pci", "02:00.0,msix-relocation=off",
				      "-d", "a.img", "--disk", "b.img,ro",
				      "-n", "mode=none", "--rng",
				      "--9p", "/srv,a", "--9p", "/ro,b,ro",
				      "--console", "virtio")), 0);
	EXPECT_EQ(c.vfio.nr, 2);
	EXPECT_STR(c.vfio.v[0], "0000:01:00.0");
	EXPECT_STR(c.vfio.v[1], "02:00.0,msix-relocation=off");
	EXPECT_EQ(c.disks.nr, 2);
	EXPECT_STR(c.disks.v[1], "b.img,ro");
	EXPECT_EQ(c.nets.nr, 1);
	EXPECT_EQ(c.shares.nr, 2);
	EXPECT_STR(c.shares.v[1], "/ro,b,ro");
	EXPECT(c.rng);
	EXPECT_EQ(c.console, CONSOLE_VIRTIO);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--vfio", "")), -1);
	EXPECT_CONTAINS(err, "--vfio needs a value");
}

TEST(config_too_many_devices)
{
	const char *args[2 * MAX_DEV_ARGS + 6];
	struct lkvm_config c;
	char err[256];
	int i, n = 0;

	args[n++] = "-k";
	args[n++] = "k";
	for (i = 0; i <= MAX_DEV_ARGS; i++) {
		args[n++] = "-d";
		args[n++] = "x.img";
	}
	args[n] = NULL;
	EXPECT_EQ(parse(&c, err, args), -1);
	EXPECT_CONTAINS(err, "too many --disk options");
}

/* Numbers are digits (then -m's M/G suffix): strtoull alone would take a
 * leading space and a sign, so " -1" wrapped to a huge size. */
TEST(config_numbers_are_digits_only)
{
	static const char *const bad[] = { " -1", "-1", "+5", " 5", "5 ",
					   "\t5", "0x10", "5 M", "", "M" };
	struct lkvm_config c;
	char err[256];
	unsigned int i;
	u64 m;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(parse_mem_mib(bad[i], &m), -1);
		EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-m", bad[i])), -1);
		EXPECT_CONTAINS(err, "invalid --mem");
		EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-c", bad[i])), -1);
		EXPECT_CONTAINS(err, "invalid --cpus");
	}
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "-m", "1g", "-c", "08")), 0);
	EXPECT_EQ(c.ram_mib, 1024);
	EXPECT_EQ(c.nr_cpus, 8);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "-c", "2147483648")), -1);
}

/* --raw is x86_64's; --irqchip and --dump-dtb are arm64's: the other
 * architecture refuses them as usage errors instead of ignoring them. */
TEST(config_arch_specific_options)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-k", "k")), 0);
	EXPECT(!c.raw);
#ifdef __aarch64__
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--raw")), -1);
	EXPECT_CONTAINS(err, "--raw is x86_64 only");
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--irqchip", "gicv3",
				      "--dump-dtb", "f")), 0);
	EXPECT_STR(c.irqchip, "gicv3");
	EXPECT_STR(c.dump_dtb, "f");
#else
	ASSERT_EQ(parse(&c, err, ARGS("--raw", "-k", "k")), 0);
	EXPECT(c.raw);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--irqchip", "gicv3")), -1);
	EXPECT_CONTAINS(err, "--irqchip is arm64 only");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--irqchip=auto")), -1);
	EXPECT_CONTAINS(err, "arm64 only");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--dump-dtb", "f")), -1);
	EXPECT_CONTAINS(err, "--dump-dtb is arm64 only");
#endif
	EXPECT_CONTAINS(config_run_usage, "--raw");
}

TEST(config_hotplug_options)
{
	struct lkvm_config c;
	char err[256];

	ASSERT_EQ(parse(&c, err, ARGS("-k", "k")), 0);
	EXPECT_EQ(c.hotplug_slots, 0);
	EXPECT_EQ(c.hotplug_mem_mib, DEFAULT_HOTPLUG_MEM_MIB);
	EXPECT_EQ(c.hotplug_pref_mib, DEFAULT_HOTPLUG_PREF_MIB);
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-mem", "64",
				      "--hotplug-pref", "0")), 0);
	EXPECT_EQ(c.hotplug_mem_mib, 64);
	EXPECT_EQ(c.hotplug_pref_mib, 0);
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-pref", "1G")), 0);
	EXPECT_EQ(c.hotplug_pref_mib, 1024);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-mem", "0")), -1);
	EXPECT_CONTAINS(err, "invalid --hotplug-mem '0'");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-mem", "24")), -1);
	EXPECT_CONTAINS(err, "power of two");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-pref", "-1")), -1);
	EXPECT_CONTAINS(err, "--hotplug-pref");
	ASSERT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-slots", "16")), 0);
	EXPECT_EQ(c.hotplug_slots, 16);
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-slots", "17")), -1);
	EXPECT_CONTAINS(err, "0..16");
	EXPECT_EQ(parse(&c, err, ARGS("-k", "k", "--hotplug-slots", "+2")), -1);
	EXPECT_CONTAINS(config_run_usage, "--hotplug-slots");
}
