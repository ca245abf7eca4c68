/* What `lkvm run` was asked to do, and the pure parser that fills it from
 * the command line (kvmtool's option names). */
#ifndef LKVM_KVM_CONFIG_H
#define LKVM_KVM_CONFIG_H

#include "lkvm/util.h"

enum console_type {
	CONSOLE_SERIAL,
	CONSOLE_VIRTIO,
};

#define DEFAULT_RAM_MIB		512
#define MAX_CMDLINE_PARAMS	4096

struct lkvm_config {
	const char *kernel;
	const char *initrd;
	const char *params;	/* extra kernel command line */
	const char *name;
	u64 ram_mib;
	int nr_cpus;
	enum console_type console;
	bool debug;
	bool help;		/* --help given: print usage, run nothing */
};

/* Parses `lkvm run` arguments (argv[0] is "run"). Returns 0, or -1 with a
 * message in err that says what is wrong and what is valid. */
int config_parse_run(struct lkvm_config *cfg, int argc, char **argv,
		     char *err, size_t errlen);

/* Parses a memory size in MiB: "512", "512M", "2G". Returns 0 or -1. */
int parse_mem_mib(const char *s, u64 *mib);

/* Usage text of `lkvm run`. */
extern const char config_run_usage[];

#endif
