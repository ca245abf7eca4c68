/* `lkvm run` command-line parsing into struct lkvm_config. Pure: no I/O
 * beyond the caller's error buffer, so it is unit-tested directly. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/config.h"
#include "kvm/seccomp.h"
#include "virtio/vsock.h"

const char config_run_usage[] =
"usage: lkvm run [options] [-k] <kernel>\n"
"\n"
"  -k, --kernel <file>    kernel: bzImage (x86_64) or Image (arm64); a pipe\n"
"                         or <(...) works too\n"
"      --raw              x86_64: -k is a flat binary of real-mode code,\n"
"                         loaded at 0x10000 (tiny test guests)\n"
"  -i, --initrd <file>    initial ramdisk\n"
"  -p, --params <string>  extra kernel command line\n"
"  -m, --mem <MiB>        guest RAM in MiB: digits, then optionally M or G\n"
"                         (default 512)\n"
"  -c, --cpus <n>         number of vCPUs: digits (default 1)\n"
"      --name <name>      VM name (default guest-<pid>)\n"
"      --console <type>   console: serial (16550 ttyS0, default) or\n"
"                         virtio (hvc0)\n"
"  -d, --disk <file>[,ro] virtio-blk disk: raw image or block device\n"
"                         (repeatable); port=N: behind hotplug root port N\n"
"                         (lkvm disk add|remove: on a running VM)\n"
"  -n, --network <spec>   virtio-net: mode=tap[,tapif=<name>][,guest_mac=<mac>]\n"
"                         or mode=none (repeatable)\n"
"      --rng              virtio-rng entropy device\n"
"      --9p <dir>,<tag>[,ro] share host directory dir over virtio-9p\n"
"                         (9P2000.L; the guest mounts it by tag; ro:\n"
"                         read-only) (repeatable)\n"
"      --vsock <cid>      virtio-vsock with guest CID cid (3..4294967295)\n"
"                         over the host's vhost-vsock (modprobe vhost_vsock)\n"
"      --pci-testdev      PCI test device 1b36:0005 (QEMU's pci-testdev\n"
"                         layout), for testing the PCI bus from a guest\n"
"      --debug-exit       a byte V written to I/O port 0x501 (x86_64, as\n"
"                         QEMU's isa-debug-exit) or to the device tree's\n"
"                         lkvm,debug-exit register (arm64) ends lkvm with\n"
"                         status (V << 1) | 1; without it they are inert\n"
"      --vfio <BDF>[,opt] assign host PCI device BDF (e.g. 0000:01:00.0)\n"
"                         through VFIO (repeatable; alias --vfio-pci);\n"
"                         opt: msix-relocation=off|auto|bar<N>: move the\n"
"                         MSI-X table/PBA to another BAR so registers that\n"
"                         share its host page are mapped, not trapped\n"
"                         (default: auto on hosts with pages larger than\n"
"                         4 KiB, off otherwise)\n"
"                         port=N: behind hotplug root port N (0-based;\n"
"                         see --hotplug-slots)\n"
"      --hotplug-slots <n> PCIe root ports with native hotplug on bus 0\n"
"                         (0..16, default 0: the flat bus 0), in its\n"
"                         last n slots; their buses are 1..n\n"
"      --hotplug-mem <MiB> 32-bit memory window per root port: a power of\n"
"                         two, at least 1 (default 16)\n"
"      --hotplug-pref <MiB> 64-bit prefetchable window per root port: a\n"
"                         power of two, or 0 for none (default 256)\n"
"      --irqchip <type>   arm64 only: interrupt controller: auto (default),\n"
"                         gicv3-its, gicv3, gicv2m or gicv2\n"
"      --dump-dtb <file>  arm64 only: write the guest's device tree to file\n"
"      --seccomp <mode>   what a thread's syscall outside its allowlist does:\n"
"                         trap (default: names it, stops the VM, exit\n"
"                         status 1), kill (the kernel kills lkvm), log\n"
"                         (allowed, logged by the kernel) or off\n"
"      --user <uid>[:<gid>]  run as this user (numbers or names) once\n"
"                         /dev/kvm, devices, disks and taps are open\n"
"                         (lkvm started as root)\n"
"      --restore <dir>    run the VM `lkvm snapshot` saved in dir: its options\n"
"                         come from the snapshot; --vfio, --disk, --network\n"
"                         given again replace the snapshot's n-th device of\n"
"                         that kind (another host resource), and --name,\n"
"                         --seccomp, --user, --debug may be given\n"
"      --incoming <addr>  wait on unix:PATH or tcp:HOST:PORT for one VM that\n"
"                         `lkvm migrate` sends: its options come from the\n"
"                         source; --vfio, --disk, --network given again\n"
"                         replace host resources as for --restore; -m and\n"
"                         -c, if given, must match the source's\n"
"      --debug            print diagnostics on stderr\n"
"  kvmtool's names work too where they mean the same: --loglevel debug is\n"
"  --debug (error, warning, info: the default); --nodefaults and --nocompat\n"
"  are accepted (lkvm adds no implicit devices and prints no compat notes)\n"
"  -h, --help             this text\n";

enum { OPT_NAME = 256, OPT_CONSOLE, OPT_DEBUG, OPT_RNG, OPT_VFIO, OPT_IRQCHIP,
       OPT_DUMP_DTB, OPT_PCI_TESTDEV, OPT_RAW, OPT_DEBUG_EXIT, OPT_NOOP,
       OPT_LOGLEVEL, OPT_SECCOMP, OPT_USER, OPT_9P, OPT_VSOCK,
       OPT_HP_SLOTS, OPT_HP_MEM, OPT_HP_PREF };

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "initrd", required_argument, NULL, 'i' },
	{ "params", required_argument, NULL, 'p' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "disk", required_argument, NULL, 'd' },
	{ "network", required_argument, NULL, 'n' },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "9p", required_argument, NULL, OPT_9P },
	{ "vsock", required_argument, NULL, OPT_VSOCK },
	{ "pci-testdev", no_argument, NULL, OPT_PCI_TESTDEV },
	{ "debug-exit", no_argument, NULL, OPT_DEBUG_EXIT },
	{ "nodefaults", no_argument, NULL, OPT_NOOP },	/* kvmtool's */
	{ "nocompat", no_argument, NULL, OPT_NOOP },	/* kvmtool's */
	{ "loglevel", required_argument, NULL, OPT_LOGLEVEL },	/* kvmtool's */
	{ "vfio", required_argument, NULL, OPT_VFIO },
	{ "vfio-pci", required_argument, NULL, OPT_VFIO },
	{ "hotplug-slots", required_argument, NULL, OPT_HP_SLOTS },
	{ "hotplug-mem", required_argument, NULL, OPT_HP_MEM },
	{ "hotplug-pref", required_argument, NULL, OPT_HP_PREF },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "user", required_argument, NULL, OPT_USER },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* Digits only: no sign, no space, no base prefix (strtoull takes all of
 * them). Returns 0 with *end after the number, or -1. */
static int parse_digits(const char *s, unsigned long long *v, char **end)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno ? -1 : 0;
}

int parse_mem_mib(const char *s, u64 *mib)
{
	unsigned long long v;
	char *end;

	if (parse_digits(s, &v, &end))
		return -1;
	if (*end == 'G' || *end == 'g') {
		if (v > (1ULL << 40))
			return -1;
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		end++;
	}
	if (*end)
		return -1;
	*mib = v;
	return 0;
}

static int parse_cpus(const char *s, int *n)
{
	unsigned long long v;
	char *end;

	if (parse_digits(s, &v, &end) || *end || v > INT_MAX)
		return -1;
	*n = (int)v;
	return 0;
}

static int bad_option(char *err, size_t errlen, const char *opt)
{
	return set_err(err, errlen,
		       "unknown option '%s'; valid options: -k/--kernel, "
		       "--raw, -i/--initrd, -p/--params, -m/--mem, -c/--cpus, --name, "
		       "--console, -d/--disk, -n/--network, --rng, --9p, --vsock, --pci-testdev, "
		       "--vfio, --hotplug-slots, --hotplug-mem, --hotplug-pref, "
		       "--irqchip, --dump-dtb, --seccomp, --user, "
		       "--debug, -h/--help (see 'lkvm run --help')", opt);
}

#ifdef __aarch64__
#define ARCH_ARM64	true
#else
#define ARCH_ARM64	false
#endif

/* An option of the other architecture: a usage error, not silently
 * ignored. */
static int wrong_arch(char *err, size_t errlen, const char *opt)
{
	if (ARCH_ARM64)
		return set_err(err, errlen, "%s is x86_64 only: on arm64, -k "
			       "takes an Image (see 'lkvm run --help')", opt);
	return set_err(err, errlen, "%s is arm64 only: this lkvm runs x86_64 "
		       "guests (see 'lkvm run --help')", opt);
}

static int add_dev_arg(struct dev_args *a, const char *opt, const char *arg,
		       char *err, size_t errlen)
{
	if (!*arg)
		return set_err(err, errlen, "%s needs a value (see 'lkvm run "
			       "--help')", opt);
	if (a->nr == MAX_DEV_ARGS)
		return set_err(err, errlen, "too many %s options (at most %d)",
			       opt, MAX_DEV_ARGS);
	a->v[a->nr++] = arg;
	return 0;
}

/* --hotplug-slots n; --hotplug-mem / --hotplug-pref MiB per port, powers
 * of two. */
static int parse_hotplug(struct lkvm_config *cfg, int c, const char *arg,
			 char *err, size_t errlen)
{
	unsigned long long v;
	char *end;
	u64 mib;

	if (c == OPT_HP_SLOTS) {
		if (parse_digits(arg, &v, &end) || *end || v > MAX_HOTPLUG_SLOTS)
			return set_err(err, errlen, "invalid --hotplug-slots "
				       "'%s': a number of root ports, 0..%d",
				       arg, MAX_HOTPLUG_SLOTS);
		cfg->hotplug_slots = (u32)v;
		return 0;
	}
	if (parse_mem_mib(arg, &mib) || (mib & (mib - 1)) ||
	    (!mib && c == OPT_HP_MEM) || mib > 65536)
		return set_err(err, errlen, "invalid %s '%s': MiB, a power of "
			       "two%s up to 64G", c == OPT_HP_MEM ?
			       "--hotplug-mem" : "--hotplug-pref", arg,
			       c == OPT_HP_MEM ? "" : " or 0");
	if (c == OPT_HP_MEM)
		cfg->hotplug_mem_mib = mib;
	else
		cfg->hotplug_pref_mib = mib;
	return 0;
}

/* --irqchip: auto or one of arch_irqchips. */
static int parse_irqchip(struct lkvm_config *cfg, const char *arg, char *err,
			 size_t errlen)
{
	const char *const *n = arch_irqchips;
	char valid[128] = "auto";

	if (!n)
		return wrong_arch(err, errlen, "--irqchip");
	cfg->irqchip = strcmp(arg, "auto") ? arg : NULL;
	for (; cfg->irqchip && *n && strcmp(arg, *n); n++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid),
			 ", %s", *n);
	if (!cfg->irqchip || *n)
		return 0;
	return set_err(err, errlen, "unknown --irqchip '%s'; valid: %s", arg,
		       valid);
}

/* Options of one architecture: refused on the other. */
static int handle_arch_opt(struct lkvm_config *cfg, int c, const char *arg,
			   char *err, size_t errlen)
{
	switch (c) {
	case OPT_RAW:
		if (ARCH_ARM64)
			return wrong_arch(err, errlen, "--raw");
		cfg->raw = true;
		return 0;
	case OPT_IRQCHIP:
		return parse_irqchip(cfg, arg, err, errlen);
	case OPT_DUMP_DTB:
		if (!ARCH_ARM64)
			return wrong_arch(err, errlen, "--dump-dtb");
		if (!*arg)
			return set_err(err, errlen, "--dump-dtb needs a file name");
		cfg->dump_dtb = arg;
		return 0;
	}
	return -1;
}

/* kvmtool's --loglevel: debug is --debug, the others lkvm's default. */
static int parse_loglevel(struct lkvm_config *cfg, const char *arg, char *err,
			  size_t errlen)
{
	if (strcmp(arg, "error") && strcmp(arg, "warning") &&
	    strcmp(arg, "info") && strcmp(arg, "debug"))
		return set_err(err, errlen, "unknown --loglevel '%s'; valid: "
			       "error, warning, info, debug", arg);
	cfg->debug |= !strcmp(arg, "debug");
	return 0;
}

static int parse_console(struct lkvm_config *cfg, const char *arg, char *err,
			 size_t errlen)
{
	if (!strcmp(arg, "serial"))
		cfg->console = CONSOLE_SERIAL;
	else if (!strcmp(arg, "virtio"))
		cfg->console = CONSOLE_VIRTIO;
	else
		return set_err(err, errlen, "unknown console type '%s'; valid: "
			       "serial, virtio", arg);
	return 0;
}

static int handle_opt(struct lkvm_config *cfg, int c, const char *arg,
		      char *err, size_t errlen)
{
	switch (c) {
	case 'k':
		cfg->kernel = arg;
		return 0;
	case 'i':
		cfg->initrd = arg;
		return 0;
	case 'p':
		if (strlen(arg) >= MAX_CMDLINE_PARAMS)
			return set_err(err, errlen, "--params is longer than %d bytes",
				       MAX_CMDLINE_PARAMS - 1);
		cfg->params = arg;
		return 0;
	case 'm':
		if (parse_mem_mib(arg, &cfg->ram_mib) || !cfg->ram_mib)
			return set_err(err, errlen, "invalid --mem '%s': give a "
				       "positive size in MiB, e.g. -m 512 or -m 2G", arg);
		return 0;
	case 'c':
		if (parse_cpus(arg, &cfg->nr_cpus) || cfg->nr_cpus < 1)
			return set_err(err, errlen, "invalid --cpus '%s': give a "
				       "number of vCPUs of at least 1", arg);
		return 0;
	case OPT_NAME:
		if (!*arg || strchr(arg, '/'))
			return set_err(err, errlen, "invalid --name '%s': use a "
				       "non-empty name without '/'", arg);
		cfg->name = arg;
		return 0;
	case OPT_CONSOLE:
		return parse_console(cfg, arg, err, errlen);
	case 'd':
		return add_dev_arg(&cfg->disks, "--disk", arg, err, errlen);
	case 'n':
		return add_dev_arg(&cfg->nets, "--network", arg, err, errlen);
	case OPT_VFIO:
		return add_dev_arg(&cfg->vfio, "--vfio", arg, err, errlen);
	case OPT_9P:
		return add_dev_arg(&cfg->shares, "--9p", arg, err, errlen);
	case OPT_HP_SLOTS:
	case OPT_HP_MEM:
	case OPT_HP_PREF:
		return parse_hotplug(cfg, c, arg, err, errlen);
	case OPT_RNG:
		cfg->rng = true;
		return 0;
	case OPT_VSOCK:
		return vsock_parse_cid(arg, &cfg->vsock_cid, err, errlen);
	case OPT_PCI_TESTDEV:
		cfg->pci_testdev = true;
		return 0;
	case OPT_DEBUG_EXIT:
		cfg->debug_exit = true;
		return 0;
	case OPT_LOGLEVEL:
		return parse_loglevel(cfg, arg, err, errlen);
	case OPT_NOOP:
		return 0;
	case OPT_DEBUG:
		cfg->debug = true;
		return 0;
	case OPT_USER:
		cfg->user = arg;
		return 0;
	case OPT_SECCOMP:
		cfg->seccomp = sc_parse_mode(arg);
		return cfg->seccomp < 0 ? set_err(err, errlen, "unknown --seccomp "
				"'%s'; valid: trap, kill, log, off", arg) : 0;
	case 'h':
		cfg->help = true;
		return 0;
	}
	return handle_arch_opt(cfg, c, arg, err, errlen);
}

int config_parse_run(struct lkvm_config *cfg, int argc, char **argv,
		     char *err, size_t errlen)
{
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_mib = DEFAULT_RAM_MIB;
	cfg->nr_cpus = 1;
	cfg->console = CONSOLE_SERIAL;
	cfg->hotplug_mem_mib = DEFAULT_HOTPLUG_MEM_MIB;
	cfg->hotplug_pref_mib = DEFAULT_HOTPLUG_PREF_MIB;
	cfg->argc = argc;
	cfg->argv = argv;

	optind = 0;	/* full reset: the parser may run several times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:d:n:h", run_options,
				NULL)) != -1) {
		const char *opt = argv[optind - 1];

		if (c == '?')
			return bad_option(err, errlen, optopt ?
					  (char[]){ '-', (char)optopt, 0 } : opt);
		if (c == ':')
			return set_err(err, errlen, "option '%s' needs a value "
				       "(see 'lkvm run --help')", opt);
		if (handle_opt(cfg, c, optarg, err, errlen))
			return -1;
	}
	if (optind < argc) {
		if (cfg->kernel || optind + 1 < argc)
			return set_err(err, errlen, "unexpected argument '%s' "
				       "(see 'lkvm run --help')", argv[optind]);
		cfg->kernel = argv[optind];
	}
	if (cfg->help)
		return 0;
	if (!cfg->kernel)
		return set_err(err, errlen, "no kernel given: pass -k <bzImage> "
			       "(see 'lkvm run --help')");
	return 0;
}
