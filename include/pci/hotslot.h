/* A hot add or removal behind a root port as the main thread runs it
 * (pci/hotslot.c), shared by `lkvm vfio` and `lkvm disk`: the vCPUs parked
 * for the change, and the guest's orderly removal with a bounded wait. */
#ifndef LKVM_PCI_HOTSLOT_H
#define LKVM_PCI_HOTSLOT_H

#include <stddef.h>
#include "lkvm/util.h"

struct vm;

#define HOT_ADD_SECS		30	/* a client's wait for an add's answer */
#define HOT_REMOVE_DEF_S	10	/* the guest's time to power off */
#define HOT_REMOVE_MAX_S	600

/* A removal's --timeout S: 1..HOT_REMOVE_MAX_S into *s; -1 otherwise. */
int hot_parse_timeout(const char *arg, long *s);

/* Parks the vCPUs unless `lkvm pause` holds them (*held); false when they
 * did not park (err set, nothing changed). */
bool hot_hold_vcpus(struct vm *vm, bool *held, char *err, size_t errlen);
void hot_release_vcpus(struct vm *vm, bool held);
/* Before taking what is behind port away: *how is "slot-off" (the slot
 * is off: never powered, or no longer), "surprise" (force) or "ejected"
 * (the attention button pressed, and the guest powered the slot off
 * within ms; 0: HOT_REMOVE_DEF_S). 0, or -1 with err naming what and the
 * fix. */
int hot_eject(struct vm *vm, int port, bool force, u32 ms, const char *what,
	      const char **how, char *err, size_t errlen);

#endif
