/* The host terminal behind the guest console: raw mode while the VM runs
 * (restored on every exit path), stdin fed to the console device, and the
 * Ctrl-A x escape that quits. */
#ifndef LKVM_KVM_TERM_H
#define LKVM_KVM_TERM_H

#include "lkvm/util.h"

typedef void (*term_input_fn)(void *opaque, const u8 *buf, size_t len);

/* The console device that receives what the user types. */
void term_set_input(term_input_fn fn, void *opaque);
/* Puts stdin in raw mode if it is a terminal. */
void term_init(void);
void term_restore(void);
/* Reads what stdin has; returns -1 at EOF/error (stop polling), 1 if the
 * user asked to quit with Ctrl-A x, 0 otherwise. */
int term_read_input(void);
/* Writes guest console output to stdout. */
void term_write(const u8 *buf, size_t len);

#endif
