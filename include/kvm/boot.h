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

/* For a file that can go straight to its place in guest RAM, with no copy
 * on lkvm's heap: 1 with *fd open and *len its size when PATH is a regular
 * file of 1..max bytes; 0 (nothing open) for anything else, which
 * boot_load_file() then reads or explains; -errno after an error naming
 * WHAT and PATH (cannot open, larger than max). */
int boot_open_sized(const char *what, const char *path, u64 max, int *fd,
		    size_t *len);

/* Reads len bytes at off of fd (from boot_open_sized) into dst. 0, or
 * -errno after an error naming WHAT and PATH (-ESTALE: the file got
 * shorter meanwhile; -EINTR: a signal). */
int boot_read_into(const char *what, const char *path, u64 max, int fd,
		   u64 off, void *dst, size_t len);

/* The guest command line, malloc'ed: "console=ttyS0" for the serial
 * console, then the architecture's own options (arch: NULL or ""
 * for none), then -p. NULL when out of memory. */
char *boot_cmdline(const struct lkvm_config *cfg, const char *arch);

#endif
