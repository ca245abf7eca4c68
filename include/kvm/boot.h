/* What the arch kernel loaders share: reading the -k/-i files with one
 * error message, and the kernel command line from --console and -p. */
#ifndef LKVM_KVM_BOOT_H
#define LKVM_KVM_BOOT_H

#include <stddef.h>

struct lkvm_config;

/* Reads path whole into a malloc'ed *buf. Returns 0, or -1 after "cannot
 * read WHAT 'PATH': reason" with nothing allocated. */
int boot_load_file(const char *what, const char *path, void **buf,
		   size_t *len);

/* The guest command line, malloc'ed: "console=ttyS0" for the serial
 * console, then -p. NULL when out of memory. */
char *boot_cmdline(const struct lkvm_config *cfg);

#endif
