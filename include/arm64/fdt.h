/* A flattened device tree (DTB, version 17) writer without libfdt: nodes and
 * properties are appended in order, property names are deduplicated in the
 * strings block, and reservations go to the memory reservation map. */
#ifndef LKVM_ARM64_FDT_H
#define LKVM_ARM64_FDT_H

#include "lkvm/util.h"

#define FDT_MAGIC		0xd00dfeedu
#define FDT_VERSION		17
#define FDT_LAST_COMP_VERSION	16
#define FDT_HEADER_SIZE		40

#define FDT_BEGIN_NODE		1
#define FDT_END_NODE		2
#define FDT_PROP		3
#define FDT_NOP			4
#define FDT_END			9

struct fdt_buf {
	u8 *p;
	size_t len, cap;
};

struct fdt {
	struct fdt_buf dt;	/* structure block */
	struct fdt_buf str;	/* strings block */
	int depth;
	u32 last_phandle;
	bool error;		/* sticky: allocation failure or misuse */
};

void fdt_init(struct fdt *f);
void fdt_free(struct fdt *f);

/* The root node's name is "". */
void fdt_begin_node(struct fdt *f, const char *name);
/* Same with a formatted name, e.g. fdt_begin_nodef(f, "cpu@%x", id). */
void fdt_begin_nodef(struct fdt *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fdt_end_node(struct fdt *f);

void fdt_prop(struct fdt *f, const char *name, const void *val, u32 len);
void fdt_prop_empty(struct fdt *f, const char *name);
void fdt_prop_u32(struct fdt *f, const char *name, u32 v);
void fdt_prop_u64(struct fdt *f, const char *name, u64 v);
void fdt_prop_string(struct fdt *f, const char *name, const char *s);
/* A string list: n NUL-terminated strings back to back. */
void fdt_prop_strings(struct fdt *f, const char *name, const char *const *s,
		      int n);
/* n cells, converted to big-endian. */
void fdt_prop_cells(struct fdt *f, const char *name, const u32 *cells, int n);

/* A new phandle (1, 2, ...); give it to a node with fdt_prop_phandle. */
u32 fdt_alloc_phandle(struct fdt *f);
void fdt_prop_phandle(struct fdt *f, u32 phandle);

/*
 * Lays out header, reservation map, structure and strings blocks into one
 * malloc'ed blob. Returns 0, or -1 (nothing allocated) when a node is left
 * open or an earlier call failed.
 */
int fdt_finish(struct fdt *f, u32 boot_cpuid, void **blob, size_t *size);

/* Big-endian helpers, shared with the tests. */
static inline u32 fdt_be32(u32 v)
{
	return __builtin_bswap32(v);
}

static inline u64 fdt_be64(u64 v)
{
	return __builtin_bswap64(v);
}

#endif
