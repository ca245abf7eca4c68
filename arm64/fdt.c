/* Flattened device tree writer (include/arm64/fdt.h): the structure,
 * strings and reservation blocks grow separately and fdt_finish() lays them
 * out after the 40-byte header, as the devicetree specification describes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arm64/fdt.h"

void fdt_init(struct fdt *f)
{
	memset(f, 0, sizeof(*f));
}

void fdt_free(struct fdt *f)
{
	free(f->dt.p);
	free(f->str.p);
	memset(f, 0, sizeof(*f));
}

/* Appends len bytes (NULL: zeroes) and pads the block to 4 bytes. */
static void *buf_put(struct fdt *f, struct fdt_buf *b, const void *data,
		     size_t len, bool pad)
{
	size_t need = b->len + (pad ? ALIGN_UP(len, 4) : len);
	void *dst;

	if (f->error)
		return NULL;
	if (need > b->cap) {
		size_t cap = MAX(need, b->cap * 2 + 256);
		u8 *p = realloc(b->p, cap);

		if (!p) {
			f->error = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	dst = b->p + b->len;
	memset(dst, 0, need - b->len);
	if (data)
		memcpy(dst, data, len);
	b->len = need;
	return dst;
}

static void put32(struct fdt *f, u32 v)
{
	v = fdt_be32(v);
	buf_put(f, &f->dt, &v, 4, false);
}

void fdt_begin_node(struct fdt *f, const char *name)
{
	put32(f, FDT_BEGIN_NODE);
	buf_put(f, &f->dt, name, strlen(name) + 1, true);
	f->depth++;
}

void fdt_begin_nodef(struct fdt *f, const char *fmt, ...)
{
	char name[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		f->error = true;
		return;
	}
	fdt_begin_node(f, name);
}

void fdt_end_node(struct fdt *f)
{
	if (f->depth <= 0) {
		f->error = true;
		return;
	}
	put32(f, FDT_END_NODE);
	f->depth--;
}

/* Offset of name in the strings block, adding it if it is not there. */
static u32 string_offset(struct fdt *f, const char *name)
{
	size_t n = strlen(name) + 1, off = 0;
	u8 *p;

	while (off < f->str.len) {
		size_t l = strlen((char *)f->str.p + off) + 1;

		if (l == n && !memcmp(f->str.p + off, name, n))
			return off;
		off += l;
	}
	p = buf_put(f, &f->str, name, n, false);
	return p ? (u32)(p - f->str.p) : 0;
}

void fdt_prop(struct fdt *f, const char *name, const void *val, u32 len)
{
	u32 nameoff;

	if (f->depth <= 0) {
		f->error = true;
		return;
	}
	nameoff = string_offset(f, name);
	put32(f, FDT_PROP);
	put32(f, len);
	put32(f, nameoff);
	buf_put(f, &f->dt, val, len, true);
}

void fdt_prop_empty(struct fdt *f, const char *name)
{
	fdt_prop(f, name, NULL, 0);
}

void fdt_prop_u32(struct fdt *f, const char *name, u32 v)
{
	v = fdt_be32(v);
	fdt_prop(f, name, &v, 4);
}

void fdt_prop_u64(struct fdt *f, const char *name, u64 v)
{
	v = fdt_be64(v);
	fdt_prop(f, name, &v, 8);
}

void fdt_prop_string(struct fdt *f, const char *name, const char *s)
{
	fdt_prop(f, name, s, strlen(s) + 1);
}

void fdt_prop_strings(struct fdt *f, const char *name, const char *const *s,
		      int n)
{
	char buf[512];
	size_t len = 0, l;
	int i;

	for (i = 0; i < n; i++) {
		l = strlen(s[i]) + 1;
		if (len + l > sizeof(buf)) {
			f->error = true;
			return;
		}
		memcpy(buf + len, s[i], l);
		len += l;
	}
	fdt_prop(f, name, buf, len);
}

void fdt_prop_cells(struct fdt *f, const char *name, const u32 *cells, int n)
{
	u32 *be = malloc(n ? n * 4 : 4);
	int i;

	if (!be) {
		f->error = true;
		return;
	}
	for (i = 0; i < n; i++)
		be[i] = fdt_be32(cells[i]);
	fdt_prop(f, name, be, n * 4);
	free(be);
}

u32 fdt_alloc_phandle(struct fdt *f)
{
	return ++f->last_phandle;
}

void fdt_prop_phandle(struct fdt *f, u32 phandle)
{
	fdt_prop_u32(f, "phandle", phandle);
}

int fdt_finish(struct fdt *f, u32 boot_cpuid, void **blob, size_t *size)
{
	size_t rsv_off = ALIGN_UP(FDT_HEADER_SIZE, 8);
	size_t dt_off = rsv_off + 16;	/* an empty map: its 0,0 terminator */
	size_t dt_len, str_off, total;
	u32 hdr[10];
	u8 *p;

	if (f->depth != 0)
		f->error = true;
	put32(f, FDT_END);
	if (f->error)
		return -1;
	dt_len = f->dt.len;
	str_off = dt_off + dt_len;
	total = str_off + f->str.len;
	p = calloc(1, ALIGN_UP(total, 8));
	if (!p)
		return -1;
	hdr[0] = fdt_be32(FDT_MAGIC);
	hdr[1] = fdt_be32(total);
	hdr[2] = fdt_be32(dt_off);
	hdr[3] = fdt_be32(str_off);
	hdr[4] = fdt_be32(rsv_off);
	hdr[5] = fdt_be32(FDT_VERSION);
	hdr[6] = fdt_be32(FDT_LAST_COMP_VERSION);
	hdr[7] = fdt_be32(boot_cpuid);
	hdr[8] = fdt_be32(f->str.len);
	hdr[9] = fdt_be32(dt_len);
	memcpy(p, hdr, sizeof(hdr));
	memcpy(p + dt_off, f->dt.p, dt_len);
	if (f->str.len)
		memcpy(p + str_off, f->str.p, f->str.len);
	/* leave the writer reusable for nothing but fdt_free */
	f->dt.len -= 4;
	*blob = p;
	*size = total;
	return 0;
}
