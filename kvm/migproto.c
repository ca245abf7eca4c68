/* Live migration's stream and pre-copy policy (include/kvm/migrate.h),
 * pure: the preamble, the framing of records with their CRC, RAM records
 * (zero pages as runs) and their application, status records, the
 * stop-and-copy decision and the address parser. Little-endian. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include "kvm/migrate.h"

static const char *const rec_names[MIG_REC_MAX] = {
	[MIG_HELLO] = "hello", [MIG_ANSWER] = "answer",
	[MIG_PAGES] = "pages", [MIG_ZEROS] = "zeros",
	[MIG_STATE] = "state", [MIG_END] = "end", [MIG_ACK] = "ack",
	[MIG_DEVDATA] = "devdata",
};

const char *mig_rec_name(enum mig_rec type)
{
	if (type <= 0 || type >= MIG_REC_MAX)
		return "unknown";
	return rec_names[type];
}

void mig_preamble(u8 out[MIG_PREAMBLE_LEN])
{
	memcpy(out, MIG_MAGIC, 8);
	le_put(out + 8, 4, MIG_PROTO);
	le_put(out + 12, 4, 0);
}

int mig_preamble_check(const u8 in[MIG_PREAMBLE_LEN], char *err,
		       size_t errlen)
{
	u32 v = le_get(in + 8, 4);

	if (memcmp(in, MIG_MAGIC, 8))
		return set_err(err, errlen, "the peer does not speak lkvm's "
			       "migration stream");
	if (v != MIG_PROTO)
		return set_err(err, errlen, "migration stream version %u; this "
			       "lkvm speaks version %u", v, MIG_PROTO);
	return 0;
}

/* ---- records ---- */

size_t mig_rec_begin(struct sbuf *b, enum mig_rec type)
{
	size_t h = b->len;

	sb_u16(b, type);
	sb_u16(b, 0);
	sb_u32(b, 0);		/* CRC and length: mig_rec_end */
	sb_u64(b, 0);
	return h;
}

void mig_rec_end(struct sbuf *b, size_t h)
{
	u64 len;

	if (b->oom || h + MIG_HDR_LEN > b->len)
		return;
	len = b->len - h - MIG_HDR_LEN;
	le_put(b->p + h + 4, 4, snap_crc32(b->p + h + MIG_HDR_LEN, len));
	le_put(b->p + h + 8, 8, len);
}

void mig_put_status(struct sbuf *b, enum mig_rec type, enum mig_status st,
		    const char *reason)
{
	size_t h = mig_rec_begin(b, type);

	sb_u32(b, st);
	sb_str(b, reason ? reason : "");
	mig_rec_end(b, h);
}

int mig_hdr_parse(const u8 in[MIG_HDR_LEN], struct mig_hdr *h, u64 max,
		  char *err, size_t errlen)
{
	u32 type = le_get(in, 2);

	h->type = type;
	h->crc = le_get(in + 4, 4);
	h->len = le_get(in + 8, 8);
	if (!type || type >= MIG_REC_MAX)
		return set_err(err, errlen, "corrupt stream: record type %u",
			       type);
	if (h->len > max)
		return set_err(err, errlen, "corrupt stream: a %s record of %llu "
			       "bytes (at most %llu)", mig_rec_name(type),
			       (unsigned long long)h->len,
			       (unsigned long long)max);
	return 0;
}

int mig_payload_check(const struct mig_hdr *h, const void *p, char *err,
		      size_t errlen)
{
	if (snap_crc32(p, h->len) != h->crc)
		return set_err(err, errlen, "corrupt stream: a %s record fails "
			       "its CRC", mig_rec_name(h->type));
	return 0;
}

int mig_get_status(const void *p, size_t n, enum mig_status *st,
		   char *reason, size_t len)
{
	struct sreader r;

	sr_init(&r, p, n);
	*st = sr_u32(&r);
	sr_str(&r, reason, len);
	return sr_done(&r) ? 0 : -1;
}

/* ---- RAM ---- */

static void put_run(struct sbuf *b, bool zero, const u8 *ram, u64 page_size,
		    u64 first, u64 count)
{
	size_t h = mig_rec_begin(b, zero ? MIG_ZEROS : MIG_PAGES);

	sb_u64(b, first * page_size);
	sb_u32(b, count);
	if (!zero)
		sb_put(b, ram + first * page_size, count * page_size);
	mig_rec_end(b, h);
}

u64 mig_put_ram(struct sbuf *b, const u8 *ram, u64 page_size, u64 first,
		u64 count)
{
	u64 end = first + count, start, data = 0;
	bool zero;

	while (first < end) {
		start = first;
		zero = snap_zero(ram + first * page_size, page_size);
		while (++first < end && (zero || first - start < MIG_RAM_BATCH) &&
		       snap_zero(ram + first * page_size, page_size) == zero)
			;
		put_run(b, zero, ram, page_size, start, first - start);
		if (!zero)
			data += (first - start) * page_size;
	}
	return data;
}

int mig_apply_ram(u8 *ram, u64 ram_size, u64 page_size, enum mig_rec type,
		  const u8 *p, size_t n, char *err, size_t errlen)
{
	struct sreader r;
	u64 off, bytes;
	u32 count;

	sr_init(&r, p, n);
	off = sr_u64(&r);
	count = sr_u32(&r);
	bytes = (u64)count * page_size;
	if (r.bad || off % page_size || off > ram_size ||
	    bytes > ram_size - off)
		return set_err(err, errlen, "corrupt stream: %s record for "
			       "%u pages at 0x%llx outside the %llu MiB of RAM",
			       mig_rec_name(type), count,
			       (unsigned long long)off,
			       (unsigned long long)(ram_size >> 20));
	if (type == MIG_ZEROS) {
		if (n != r.off)
			return set_err(err, errlen, "corrupt stream: a zeros "
				       "record with data");
		memset(ram + off, 0, bytes);
		return 0;
	}
	if (n - r.off != bytes)
		return set_err(err, errlen, "corrupt stream: a pages record of "
			       "%u pages holds %zu bytes", count, n - r.off);
	memcpy(ram + off, p + r.off, bytes);
	return 0;
}

/* ---- the pre-copy policy ---- */

u64 mig_expected_downtime(const struct mig_policy *p, const struct mig_pass *s)
{
	u64 rate = s->measured;

	if (p->bandwidth && (!rate || rate > p->bandwidth))
		rate = p->bandwidth;
	if (!rate)
		return UINT64_MAX;
	return ((s->remaining + s->state_bytes) * 1000 + rate - 1) / rate;
}

bool mig_should_stop(const struct mig_policy *p, const struct mig_pass *s)
{
	if (s->pass >= p->max_passes)
		return true;
	if (!s->remaining)
		return true;
	if (s->pass >= MIG_STALL_PASSES &&
	    s->remaining * 10 > s->prev_remaining * 9)
		return true;
	return mig_expected_downtime(p, s) <= p->max_downtime_ms;
}

/* ---- addresses ---- */

/* a->host (a literal or localhost) and port into a->sa */
static int tcp_sockaddr(struct mig_addr *a, u16 port, char *err,
			size_t errlen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->sa;
	const char *h = strcmp(a->host, "localhost") ? a->host : "127.0.0.1";

	if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		a->salen = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		a->salen = sizeof(*v6);
		return 0;
	}
	return set_err(err, errlen, "tcp:%s:%s: give the host as an IPv4 or "
		       "IPv6 address or localhost (lkvm resolves no names)",
		       a->host, a->port);
}

static int parse_tcp(const char *s, struct mig_addr *a, char *err,
		     size_t errlen)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon)
		return set_err(err, errlen, "tcp:%s: give tcp:HOST:PORT", s);
	hl = colon - s;
	if (*s == '[' && hl >= 2 && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (!hl || hl >= sizeof(a->host))
		return set_err(err, errlen, "tcp:%s: the host is %s", s,
			       hl ? "too long" : "missing");
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || !port || port > 65535)
		return set_err(err, errlen, "tcp:%s: '%s' is not a port "
			       "(1-65535)", s, colon + 1);
	memcpy(a->host, s, hl);
	a->host[hl] = 0;
	snprintf(a->port, sizeof(a->port), "%lu", port);
	a->tcp = true;
	return tcp_sockaddr(a, (u16)port, err, errlen);
}

int mig_addr_parse(const char *s, struct mig_addr *a, char *err,
		   size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "tcp:", 4))
		return parse_tcp(s + 4, a, err, errlen);
	if (strncmp(s, "unix:", 5))
		return set_err(err, errlen, "'%s': give unix:PATH or "
			       "tcp:HOST:PORT", s);
	if (!s[5] || strlen(s + 5) >= sizeof(a->path))
		return set_err(err, errlen, "'%s': the socket path is %s", s,
			       s[5] ? "too long" : "missing");
	strcpy(a->path, s + 5);
	return 0;
}
