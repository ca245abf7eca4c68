/* 9P2000.L wire format: bounded little-endian field readers and writers over
 * one message buffer, the header and Rlerror. Pure: a field that does not
 * fit sets the error flag, never reads or writes past the buffer. */
#include <errno.h>
#include <string.h>
#include "virtio/9p_proto.h"

/* n bytes at the reader's position, or NULL (and err) if short. */
static const u8 *take(struct p9_in *in, u32 n)
{
	const u8 *p;

	if (in->err || n > in->len - in->pos) {
		in->err = true;
		return NULL;
	}
	p = in->d + in->pos;
	in->pos += n;
	return p;
}

static u64 get_le(struct p9_in *in, u32 n)
{
	const u8 *p = take(in, n);
	u64 v = 0;

	while (p && n--)
		v = v << 8 | p[n];
	return v;
}

u8 p9_get8(struct p9_in *in)
{
	return get_le(in, 1);
}

u16 p9_get16(struct p9_in *in)
{
	return get_le(in, 2);
}

u32 p9_get32(struct p9_in *in)
{
	return get_le(in, 4);
}

u64 p9_get64(struct p9_in *in)
{
	return get_le(in, 8);
}

const u8 *p9_get_bytes(struct p9_in *in, u32 n)
{
	return take(in, n);
}

int p9_get_str(struct p9_in *in, char *buf, size_t max)
{
	u16 n = p9_get16(in);
	const u8 *p = take(in, n);

	buf[0] = 0;
	if (!p)
		return -EINVAL;
	if (n > max)
		return -ENAMETOOLONG;
	if (memchr(p, 0, n))
		return -EINVAL;
	memcpy(buf, p, n);
	buf[n] = 0;
	return 0;
}

u8 *p9_put_space(struct p9_out *o, u32 n)
{
	u8 *p;

	if (o->err || n > o->cap - o->pos) {
		o->err = true;
		return NULL;
	}
	p = o->d + o->pos;
	o->pos += n;
	return p;
}

static void put_le(struct p9_out *o, u64 v, u32 n)
{
	u8 *p = p9_put_space(o, n);
	u32 i;

	for (i = 0; p && i < n; i++, v >>= 8)
		p[i] = (u8)v;
}

void p9_put8(struct p9_out *o, u8 v)
{
	put_le(o, v, 1);
}

void p9_put16(struct p9_out *o, u16 v)
{
	put_le(o, v, 2);
}

void p9_put32(struct p9_out *o, u32 v)
{
	put_le(o, v, 4);
}

void p9_put64(struct p9_out *o, u64 v)
{
	put_le(o, v, 8);
}

void p9_put_str(struct p9_out *o, const char *s)
{
	size_t n = strlen(s);
	u8 *p;

	if (n > 0xffff) {
		o->err = true;
		return;
	}
	p9_put16(o, n);
	p = p9_put_space(o, n);
	if (p)
		memcpy(p, s, n);
}

void p9_put_qid(struct p9_out *o, const struct p9_qid *q)
{
	p9_put8(o, q->type);
	p9_put32(o, q->version);
	p9_put64(o, q->path);
}

int p9_parse_hdr(struct p9_in *in, const u8 *d, u32 len, u8 *type,
		 u16 *tag)
{
	u32 size;

	*in = (struct p9_in){ .d = d, .len = len };
	size = p9_get32(in);
	*type = p9_get8(in);
	*tag = p9_get16(in);
	if (in->err || size < P9_HDR || size > len) {
		in->err = true;
		return -EINVAL;
	}
	in->len = size;
	return 0;
}

void p9_start(struct p9_out *o, u8 *d, u32 cap, u8 type, u16 tag)
{
	*o = (struct p9_out){ .d = d, .cap = cap };
	p9_put32(o, 0);
	p9_put8(o, type);
	p9_put16(o, tag);
}

u32 p9_finish(struct p9_out *o)
{
	u32 n = o->pos;

	if (o->err)
		return 0;
	o->pos = 0;
	p9_put32(o, n);
	o->pos = n;
	return n;
}

u32 p9_lerror(u8 *d, u32 cap, u16 tag, u32 err)
{
	struct p9_out o;

	p9_start(&o, d, cap, P9_RLERROR, tag);
	p9_put32(&o, err);
	return p9_finish(&o);
}
