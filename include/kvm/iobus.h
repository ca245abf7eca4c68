/* Port-I/O and MMIO dispatch: devices register [base, base+len) ranges with
 * a handler; vCPU exits are routed to the handler owning the address.
 * Thread-safe: ranges may be added, moved or removed while vCPUs run. */
#ifndef LKVM_KVM_IOBUS_H
#define LKVM_KVM_IOBUS_H

#include <pthread.h>
#include "lkvm/util.h"

/* offset is relative to the registered base; data holds len bytes
 * (little-endian), filled by the handler on reads. */
typedef void (*io_handler_fn)(void *opaque, u64 offset, u8 *data, u32 len,
			      bool is_write);

struct iobus_range {
	u64 base;
	u64 len;
	io_handler_fn fn;
	void *opaque;
};

struct iobus {
	const char *name;		/* "pio" or "mmio", for messages */
	pthread_rwlock_t lock;
	struct iobus_range *ranges;	/* sorted by base, never overlapping */
	int nr, cap;
	u64 unhandled;			/* accesses no range claimed */
};

void iobus_init(struct iobus *bus, const char *name);
void iobus_destroy(struct iobus *bus);
/* Returns 0, or -1 if [base, base+len) overlaps a registered range. */
int iobus_register(struct iobus *bus, u64 base, u64 len, io_handler_fn fn,
		   void *opaque);
/* Removes the range registered at exactly base; returns -1 if none. */
int iobus_unregister(struct iobus *bus, u64 base);
/* Routes an access. Returns false when nothing claims it: reads then see
 * all-ones, writes are dropped. */
bool iobus_dispatch(struct iobus *bus, u64 addr, u8 *data, u32 len,
		    bool is_write);

#endif
