/* What the arch kernel loaders share: reading the -k/-i files with one
 * error message, and the kernel command line from --console and -p. */
#ifndef LKVM_KVM_BOOT_H
#define LKVM_KVM_BOOT_H

#include <stddef.h>
#include "lkvm/util.h"

struct lkvm_config;

/* Reads path to its end (a pipe or <(...) works) into a malloc'ed *buf;
 * max is the guest RAM size, which no kernel or initrd can exceed.
 * Returns 0, or -errno after an error naming WHAT and PATH (unreadable,
 * larger than max, empty, or -EINTR: a signal interrupted the read), with
 * nothing allocated. */
int boot_load_file(const char *what, const char *path, u64 max, void **buf,
		   size_t *len);

/* The guest command line, malloc'ed: "console=ttyS0" for the serial
 * console, then -p. NULL when out of memory. */
char *boot_cmdline(const struct lkvm_config *cfg);

#endif
