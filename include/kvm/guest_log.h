/* Rate-limited warnings for what a guest triggers (kvm/guest_log.c): the
 * first GUEST_LOG_BURST are printed, then one at each power of ten. */
#ifndef LKVM_KVM_GUEST_LOG_H
#define LKVM_KVM_GUEST_LOG_H

#include "lkvm/util.h"

struct vm;

#define GUEST_LOG_BURST	20

enum guest_log_verdict {
	GUEST_LOG_PRINT,	/* within the burst */
	GUEST_LOG_LAST,		/* the last of the burst: say what follows */
	GUEST_LOG_TALLY,	/* a power of ten: print with the count */
	GUEST_LOG_QUIET,	/* only counted */
};

/* Counts one message in *counter (atomically) and says what to print. */
enum guest_log_verdict guest_log_count(u64 *counter);
/* A warning caused by the guest, counted in vm->guest_msgs. */
void pr_guest(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
