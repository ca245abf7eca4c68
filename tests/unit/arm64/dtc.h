/* Test helpers for device-tree blobs: decompiling with the host's dtc (an
 * independent parser) and walking the structure block directly. */
#ifndef LKVM_TESTS_ARM64_DTC_H
#define LKVM_TESTS_ARM64_DTC_H

#include <stddef.h>

/* dtc -I dtb -O dts of blob: stdout and stderr in one malloc'ed string, or
 * NULL if dtc could not run. */
char *dtc_decompile(const void *blob, size_t len);

#endif
