/* What `lkvm run` was asked to do, and the pure parser that fills it from
 * the command line (kvmtool's option names). */
#ifndef LKVM_KVM_CONFIG_H
#define LKVM_KVM_CONFIG_H

#include "lkvm/util.h"

struct vfio_seam_ops;

enum console_type {
	CONSOLE_SERIAL,
	CONSOLE_VIRTIO,
};

#define DEFAULT_RAM_MIB		512
#define MAX_CMDLINE_PARAMS	4096
#define MAX_DEV_ARGS		16	/* per repeatable device option */
#define MAX_HOTPLUG_SLOTS	16	/* = PCI_MAX_PORTS */
#define DEFAULT_HOTPLUG_MEM_MIB	16	/* = RP_DEF_MEM */
#define DEFAULT_HOTPLUG_PREF_MIB 256	/* = RP_DEF_PREF */

/* Raw values of a repeatable option (--vfio, --disk, --network); each
 * subsystem parses and validates its own syntax. */
struct dev_args {
	const char *v[MAX_DEV_ARGS];
	int nr;
};

struct lkvm_config {
	const char *kernel;
	bool raw;		/* --raw (x86_64): -k is a flat binary */
	const char *initrd;
	const char *params;	/* extra kernel command line */
	const char *name;
	u64 ram_mib;
	int nr_cpus;
	enum console_type console;
	bool debug;
	bool rng;		/* --rng: virtio-rng */
	u64 vsock_cid;		/* --vsock CID: virtio-vsock; 0: none */
	bool pci_testdev;	/* --pci-testdev: pci/testdev.c */
	bool debug_exit;	/* --debug-exit: a byte V written to the debug
				 * exit register ends lkvm with (V << 1) | 1 */
	struct dev_args vfio;	/* --vfio / --vfio-pci <BDF>[,opt...] */
	struct dev_args disks;	/* -d/--disk <file>[,ro] */
	struct dev_args nets;	/* -n/--network mode=... */
	struct dev_args shares;	/* --9p HOSTDIR,TAG[,ro] */
	u32 hotplug_slots;	/* --hotplug-slots: root ports (pci/ports.c) */
	u64 hotplug_mem_mib;	/* --hotplug-mem: 32-bit window per port */
	u64 hotplug_pref_mib;	/* --hotplug-pref: prefetchable, 0: none */
	const char *irqchip;	/* --irqchip: one of arch_irqchips or auto
				 * (NULL) */
	const char *dump_dtb;	/* --dump-dtb <file> (arm64 only): write the
				 * DTB */
	int seccomp;		/* --seccomp: enum sc_mode (kvm/seccomp.h) */
	const char *user;	/* --user UID[:GID] (kvm/privdrop.c) */
	bool help;		/* --help given: print usage, run nothing */
	int argc;		/* the arguments parsed (argv[0] "run"), */
	char **argv;		/* recorded in snapshots */
	const char *restore;	/* --restore DIR: not parsed here (kvm/run.c) */
	const char *incoming;	/* --incoming ADDR: kvm/incoming.c */
	int incoming_fd;	/* its accepted connection (when incoming) */
	const void *incoming_hello;	/* the source's hello, checked */
	size_t incoming_hello_len;	/* against the built VM */
	/* Not options: what the VFIO test VMM (tests/kvm/main.c) swaps in. */
	const struct vfio_seam_ops *vfio_seam;	/* NULL: the kernel */
	u64 vfio_page;		/* page size the BAR plans assume; 0: host's */
};

/* Parses `lkvm run` arguments (argv[0] is "run"). Returns 0, or -1 with a
 * message in err that says what is wrong and what is valid. */
int config_parse_run(struct lkvm_config *cfg, int argc, char **argv,
		     char *err, size_t errlen);

/* Parses a memory size in MiB: "512", "512M", "2G" (digits, then an
 * optional M or G: no sign or space). Returns 0 or -1. */
int parse_mem_mib(const char *s, u64 *mib);

/* Arch: the interrupt controllers --irqchip names (NULL-terminated), or
 * NULL: the option is refused. */
extern const char *const *const arch_irqchips;

/* Usage text of `lkvm run`. */
extern const char config_run_usage[];

#endif
