/* The snapshot stream (include/kvm/snapshot.h), pure: the byte codec, the
 * section framing with its CRC, the manifest, and the owners' registry.
 * Every multi-byte value is little-endian. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/snapshot.h"
#include "kvm/state.h"

#define HDR_LEN		16	/* magic, format, reserved */
#define SEC_LEN		48	/* type, inst, ver, rsvd, len, crc, rsvd */
#define END_TYPE	"end"
#define MANIFEST_TYPE	"manifest"

/* ---- writing ---- */

static bool sb_grow(struct sbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	u8 *p;

	if (b->oom)
		return false;
	if (b->len + more <= b->cap)
		return true;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void sb_put(struct sbuf *b, const void *data, size_t len)
{
	if (!len || !sb_grow(b, len))
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void sb_le(struct sbuf *b, u64 v, unsigned int len)
{
	u8 tmp[8];

	le_put(tmp, len, v);
	sb_put(b, tmp, len);
}

void sb_u8(struct sbuf *b, u8 v) { sb_le(b, v, 1); }
void sb_u16(struct sbuf *b, u16 v) { sb_le(b, v, 2); }
void sb_u32(struct sbuf *b, u32 v) { sb_le(b, v, 4); }
void sb_u64(struct sbuf *b, u64 v) { sb_le(b, v, 8); }

void sb_blob(struct sbuf *b, const void *data, u32 len)
{
	sb_u32(b, len);
	sb_put(b, data, len);
}

void sb_str(struct sbuf *b, const char *s)
{
	sb_blob(b, s, strlen(s));
}

void sb_state(struct sbuf *b, const struct state_desc *d, const void *obj)
{
	size_t n = state_size(d, obj, d->version);

	sb_str(b, d->name);
	sb_u16(b, d->version);
	sb_u32(b, n);
	if (!n || !sb_grow(b, n))
		return;
	state_save(d, obj, b->p + b->len);
	b->len += n;
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* CRC-32 (IEEE 802.3, reflected), a nibble at a time. */
u32 snap_crc32(const u8 *p, size_t len)
{
	static const u32 t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	u32 c = ~0u;

	while (len--) {
		c ^= *p++;
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return ~c;
}

bool snap_zero(const void *p, size_t len)
{
	const u64 *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	return true;
}

void snap_begin(struct sbuf *b)
{
	sb_put(b, SNAP_MAGIC, 8);
	sb_u32(b, SNAP_FORMAT);
	sb_u32(b, 0);
}

size_t snap_sec_begin(struct sbuf *b, const char *type, u32 inst, u16 ver)
{
	char name[SNAP_TYPE_LEN] = { 0 };
	size_t h = b->len;

	memcpy(name, type, strnlen(type, SNAP_TYPE_LEN));
	sb_put(b, name, SNAP_TYPE_LEN);
	sb_u32(b, inst);
	sb_u16(b, ver);
	sb_u16(b, 0);
	sb_u64(b, 0);		/* length and CRC: snap_sec_end */
	sb_u32(b, 0);
	sb_u32(b, 0);
	return h;
}

void snap_sec_end(struct sbuf *b, size_t h)
{
	u64 len;

	if (b->oom || h + SEC_LEN > b->len)
		return;
	len = b->len - h - SEC_LEN;
	le_put(b->p + h + 32, 8, len);
	le_put(b->p + h + 40, 4, snap_crc32(b->p + h + SEC_LEN, len));
}

void snap_end(struct sbuf *b)
{
	snap_sec_end(b, snap_sec_begin(b, END_TYPE, 0, 1));
}

/* ---- reading ---- */

void sr_init(struct sreader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

void sr_get(struct sreader *r, void *out, size_t len)
{
	if (r->bad || len > r->len - r->off) {
		r->bad = true;
		memset(out, 0, len);
		return;
	}
	memcpy(out, r->p + r->off, len);
	r->off += len;
}

static u64 sr_le(struct sreader *r, unsigned int len)
{
	u8 tmp[8];

	sr_get(r, tmp, len);
	return le_get(tmp, len);
}

u8 sr_u8(struct sreader *r) { return sr_le(r, 1); }
u16 sr_u16(struct sreader *r) { return sr_le(r, 2); }
u32 sr_u32(struct sreader *r) { return sr_le(r, 4); }
u64 sr_u64(struct sreader *r) { return sr_le(r, 8); }

const u8 *sr_blob(struct sreader *r, u32 *len)
{
	u32 n = sr_u32(r);
	const u8 *p;

	*len = 0;
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	*len = n;
	return p;
}

void sr_str(struct sreader *r, char *out, size_t len)
{
	u32 n;
	const u8 *p = sr_blob(r, &n);

	out[0] = 0;
	if (r->bad)
		return;
	if (n >= len || memchr(p, 0, n)) {
		r->bad = true;
		return;
	}
	memcpy(out, p, n);
	out[n] = 0;
}

int sr_state(struct sreader *r, const struct state_desc *d, void *obj,
	     char *err, size_t errlen)
{
	char name[64];
	const u8 *p;
	u16 ver;
	u32 n;

	sr_str(r, name, sizeof(name));
	ver = sr_u16(r);
	p = sr_blob(r, &n);
	if (r->bad)
		return set_err(err, errlen, "%s: the record is truncated", d->name);
	if (strcmp(name, d->name))
		return set_err(err, errlen, "expected a %s record, found '%s'",
			       d->name, name);
	if (ver > d->version)
		return set_err(err, errlen, "%s: record version %u is newer than "
			       "this lkvm's %u", d->name, ver, d->version);
	if (state_load(d, obj, ver, p, n))
		return set_err(err, errlen, "%s: %u bytes do not fit this device "
			       "(%zu expected)", d->name, n,
			       state_size(d, obj, ver));
	return 0;
}

bool sr_done(const struct sreader *r)
{
	return !r->bad && r->off == r->len;
}

int snap_open(struct sreader *r, const void *buf, size_t len, char *err,
	      size_t errlen)
{
	u32 fmt;

	sr_init(r, buf, len);
	if (len < HDR_LEN || memcmp(buf, SNAP_MAGIC, 8))
		return set_err(err, errlen, "not an lkvm snapshot (no %s header)",
			       SNAP_MAGIC);
	r->off = 8;
	fmt = sr_u32(r);
	sr_u32(r);
	if (fmt != SNAP_FORMAT)
		return set_err(err, errlen, "snapshot format %u; this lkvm reads "
			       "format %u", fmt, SNAP_FORMAT);
	return 0;
}

int snap_next(struct sreader *r, struct snap_sec *s, char *err, size_t errlen)
{
	u32 crc;

	memset(s, 0, sizeof(*s));
	if (r->len - r->off < SEC_LEN)
		return set_err(err, errlen, "truncated: %s", r->off == r->len ?
			       "the \"end\" section is missing" :
			       "a section header is cut short");
	sr_get(r, s->type, SNAP_TYPE_LEN);
	s->inst = sr_u32(r);
	s->ver = sr_u16(r);
	sr_u16(r);
	s->len = sr_u64(r);
	crc = sr_u32(r);
	sr_u32(r);
	if (memchr(s->type, 0, SNAP_TYPE_LEN) == s->type)
		return set_err(err, errlen, "corrupt: a section without a type");
	if (s->len > r->len - r->off)
		return set_err(err, errlen, "truncated: section %s is cut short "
			       "(%llu bytes, %zu left)", s->type,
			       (unsigned long long)s->len, r->len - r->off);
	s->data = r->p + r->off;
	r->off += s->len;
	if (snap_crc32(s->data, s->len) != crc)
		return set_err(err, errlen, "corrupt: section %s (instance %u) "
			       "fails its CRC", s->type, s->inst);
	if (strcmp(s->type, END_TYPE))
		return 1;
	if (r->off != r->len)
		return set_err(err, errlen, "corrupt: %zu bytes after the end",
			       r->len - r->off);
	return 0;
}
