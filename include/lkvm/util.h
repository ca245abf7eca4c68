/* Small helpers shared by every subsystem: fixed-width types, alignment,
 * logging with the "lkvm:" prefix, and whole-file reading. */
#ifndef LKVM_UTIL_H
#define LKVM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		(((x) + ((a) - 1)) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((u64)(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((u64)(a) - 1)) == 0)
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define SZ_1K			0x400ULL
#define SZ_1M			0x100000ULL
#define SZ_2M			0x200000ULL
#define SZ_1G			0x40000000ULL
#define SZ_4G			0x100000000ULL

/* Little-endian values of 1-8 bytes at p (the hosts: x86_64, arm64). */
static inline u64 le_get(const void *p, unsigned int len)
{
	u64 v = 0;

	memcpy(&v, p, len);
	return v;
}

static inline void le_put(void *p, unsigned int len, u64 v)
{
	memcpy(p, &v, len);
}

extern bool lkvm_debug;
extern u64 lkvm_start_ns;	/* CLOCK_MONOTONIC when main() began */

u64 now_ns(void);

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a file to its end into a malloc'ed buffer: regular files, and
 * pipes, <(...) and devices that have no size. Returns 0, or -errno with
 * nothing allocated: -EISDIR, -EFBIG for more than max bytes, -EINTR when
 * a signal interrupted open() or read() (not retried). */
int read_whole_file(const char *path, size_t max, void **buf, size_t *len);

/* snprintf into an error buffer that may be NULL; always returns -1. */
int set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
