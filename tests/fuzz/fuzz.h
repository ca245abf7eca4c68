/* Shared helpers of the libFuzzer targets in tests/fuzz: a cursor that
 * reads the fuzzer's bytes (zeros once they run out), invariant checks
 * that abort, and writing the built-in seed inputs (LKVM_FUZZ_SEEDS). */
#ifndef LKVM_TESTS_FUZZ_H
#define LKVM_TESTS_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lkvm/util.h"

/* An invariant of the code under test: a violation is a finding. */
#define FUZZ_ASSERT(c)	do {					\
	if (!(c)) {						\
		fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", \
			#c, __FILE__, __LINE__);		\
		abort();					\
	}							\
} while (0)

struct fin {
	const u8 *p;
	size_t n;
};

static inline u8 fin_u8(struct fin *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline u16 fin_u16(struct fin *f)
{
	u16 lo = fin_u8(f);

	return lo | (u16)fin_u8(f) << 8;
}

static inline u32 fin_u32(struct fin *f)
{
	u32 lo = fin_u16(f);

	return lo | (u32)fin_u16(f) << 16;
}

static inline u64 fin_u64(struct fin *f)
{
	u64 lo = fin_u32(f);

	return lo | (u64)fin_u32(f) << 32;
}

/* Copies up to @len input bytes into @dst, zero-fills the rest. */
static inline void fin_bytes(struct fin *f, void *dst, size_t len)
{
	size_t n = MIN(len, f->n);

	memcpy(dst, f->p, n);
	memset((u8 *)dst + n, 0, len - n);
	f->p += n;
	f->n -= n;
}

/* ---- seeds: LKVM_FUZZ_SEEDS=DIR ./fuzz_x writes its seeds and exits ---- */

/* A seed input under construction. */
struct fseed {
	u8 b[16384];
	size_t n;
};

static inline void fs_u8(struct fseed *s, u8 v)
{
	if (s->n < sizeof(s->b))
		s->b[s->n++] = v;
}

static inline void fs_u16(struct fseed *s, u16 v)
{
	fs_u8(s, (u8)v);
	fs_u8(s, (u8)(v >> 8));
}

static inline void fs_u32(struct fseed *s, u32 v)
{
	fs_u16(s, (u16)v);
	fs_u16(s, (u16)(v >> 16));
}

static inline void fs_u64(struct fseed *s, u64 v)
{
	fs_u32(s, (u32)v);
	fs_u32(s, (u32)(v >> 32));
}

static inline void fs_bytes(struct fseed *s, const void *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fs_u8(s, ((const u8 *)p)[i]);
}

/* Writes seed @name into $LKVM_FUZZ_SEEDS; exits on an I/O error. */
static inline void fuzz_seed(const char *name, const struct fseed *s)
{
	const char *dir = getenv("LKVM_FUZZ_SEEDS");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Target hook: LLVMFuzzerInitialize calls it before any fuzzing. */
static inline bool fuzz_seeding(void)
{
	return getenv("LKVM_FUZZ_SEEDS") != NULL;
}

#endif
