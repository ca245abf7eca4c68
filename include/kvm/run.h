/* `lkvm run`: builds the VM from a config, runs it until it stops, tears
 * everything down, and returns lkvm's exit status. */
#ifndef LKVM_KVM_RUN_H
#define LKVM_KVM_RUN_H

#include "kvm/config.h"

int lkvm_run(const struct lkvm_config *cfg);

#endif
