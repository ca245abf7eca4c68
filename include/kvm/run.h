/* `lkvm run`: builds the VM from a config, runs it until it stops, tears
 * everything down, and returns lkvm's exit status. */
#ifndef LKVM_KVM_RUN_H
#define LKVM_KVM_RUN_H

#include "kvm/config.h"

int lkvm_run(const struct lkvm_config *cfg);
/* `lkvm run ARGS...` (argv[0] is "run"): parse, --help, or run. Returns
 * the exit status (2 for a command-line error). adjust (may be NULL) may
 * change the parsed config before the run (the test VMM's seam). */
int lkvm_cmd_run(int argc, char **argv, void (*adjust)(struct lkvm_config *));

#endif
