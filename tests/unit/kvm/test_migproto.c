/* kvm/migproto.c: records round-trip and refuse what is corrupt; RAM goes
 * as zero runs and data batches and lands back equal; the stop-and-copy
 * decision; migration addresses. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include "unit.h"
#include "kvm/migrate.h"

#define PG	4096

/* Walks the records of b into a copy of RAM; returns the record count,
 * or -1 on the first error. */
static int replay(const struct sbuf *b, u8 *ram, u64 size, char *err)
{
	struct mig_hdr h;
	size_t off = 0;
	int n = 0;

	while (off < b->len) {
		if (mig_hdr_parse(b->p + off, &h, MIG_MAX_REC, err, 128) ||
		    mig_payload_check(&h, b->p + off + MIG_HDR_LEN, err, 128) ||
		    mig_apply_ram(ram, size, PG, h.type, b->p + off + MIG_HDR_LEN,
				  h.len, err, 128))
			return -1;
		off += MIG_HDR_LEN + h.len;
		n++;
	}
	return n;
}

TEST(migproto_ram_roundtrip)
{
	u64 pages = 600, size = pages * PG, data;
	u8 *src = calloc(1, size), *dst = malloc(size);
	struct sbuf b = { 0 };
	char err[128];

	ASSERT(src && dst);
	memset(dst, 0x5a, size);	/* zero pages must be written too */
	memset(src + 3 * PG, 1, 300 * PG);	/* a run longer than a batch */
	src[500 * PG + 17] = 9;
	data = mig_put_ram(&b, src, PG, 0, pages);
	EXPECT_EQ(data, 301 * PG);
	/* zeros, pages 256, pages 44, zeros, pages 1, zeros */
	EXPECT_EQ(replay(&b, dst, size, err), 6);
	EXPECT(!memcmp(src, dst, size));
	sb_free(&b);
	free(src);
	free(dst);
}

TEST(migproto_ram_refuses_outside)
{
	u8 ram[4 * PG] = { 0 }, p[12 + PG] = { 0 };
	char err[128];

	le_put(p, 8, 4 * PG);
	le_put(p + 8, 4, 1);
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_PAGES, p, sizeof(p),
				err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "outside");
	le_put(p, 8, 3 * PG);
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_PAGES, p, sizeof(p),
				err, sizeof(err)), 0);
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_PAGES, p, 12 + 5,
				err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "holds 5 bytes");
	le_put(p, 8, 1);	/* not page aligned */
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_ZEROS, p, 12, err,
				sizeof(err)), -1);
	le_put(p, 8, 0);
	le_put(p + 8, 4, 0xffffffff);	/* count * page_size overflows RAM */
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_ZEROS, p, 12, err,
				sizeof(err)), -1);
	EXPECT_EQ(mig_apply_ram(ram, sizeof(ram), PG, MIG_ZEROS, p, 5, err,
				sizeof(err)), -1);
}

TEST(migproto_records_and_status)
{
	struct sbuf b = { 0 };
	struct mig_hdr h;
	enum mig_status st;
	char err[128], why[64];

	mig_put_status(&b, MIG_ANSWER, MIG_REFUSED, "RAM 64 MiB, here 128");
	ASSERT(!b.oom);
	ASSERT_EQ(mig_hdr_parse(b.p, &h, MIG_MAX_REC, err, sizeof(err)), 0);
	EXPECT_EQ(h.type, MIG_ANSWER);
	EXPECT_EQ(h.len, b.len - MIG_HDR_LEN);
	EXPECT_EQ(mig_payload_check(&h, b.p + MIG_HDR_LEN, err, sizeof(err)), 0);
	ASSERT_EQ(mig_get_status(b.p + MIG_HDR_LEN, h.len, &st, why,
				 sizeof(why)), 0);
	EXPECT_EQ(st, MIG_REFUSED);
	EXPECT_STR(why, "RAM 64 MiB, here 128");
	EXPECT_EQ(mig_get_status(b.p + MIG_HDR_LEN, h.len - 1, &st, why,
				 sizeof(why)), -1);
	b.p[MIG_HDR_LEN + 6] ^= 1;
	EXPECT_EQ(mig_payload_check(&h, b.p + MIG_HDR_LEN, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "answer record fails its CRC");
	EXPECT_EQ(mig_hdr_parse(b.p, &h, 4, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "at most 4");
	b.p[0] = MIG_REC_MAX;
	EXPECT_EQ(mig_hdr_parse(b.p, &h, MIG_MAX_REC, err, sizeof(err)), -1);
	b.p[0] = 0;
	EXPECT_EQ(mig_hdr_parse(b.p, &h, MIG_MAX_REC, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "record type 0");
	sb_free(&b);
}

TEST(migproto_preamble)
{
	u8 p[MIG_PREAMBLE_LEN];
	char err[128];

	mig_preamble(p);
	EXPECT_EQ(mig_preamble_check(p, err, sizeof(err)), 0);
	p[8] = 1;	/* an lkvm before the devdata record */
	EXPECT_EQ(mig_preamble_check(p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "version 1; this lkvm speaks version 2");
	memcpy(p, "GET / HT", 8);
	EXPECT_EQ(mig_preamble_check(p, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "does not speak");
}

TEST(migproto_policy)
{
	struct mig_policy p = { .max_downtime_ms = 300, .max_passes = 5 };
	struct mig_pass s = { .pass = 1, .remaining = 100 << 20,
			      .measured = 100 << 20 };

	/* 100 MiB at 100 MiB/s: 1000 ms, more than the budget */
	EXPECT_EQ(mig_expected_downtime(&p, &s), 1000);
	EXPECT(!mig_should_stop(&p, &s));
	s.remaining = 29 << 20;
	s.state_bytes = 1 << 20;
	EXPECT_EQ(mig_expected_downtime(&p, &s), 300);
	EXPECT(mig_should_stop(&p, &s));
	/* the bandwidth cap wins over a faster link */
	p.bandwidth = 10 << 20;
	EXPECT_EQ(mig_expected_downtime(&p, &s), 3000);
	EXPECT(!mig_should_stop(&p, &s));
	/* ...and stands in for an unmeasured one */
	s.measured = 0;
	EXPECT_EQ(mig_expected_downtime(&p, &s), 3000);
	p.bandwidth = 0;
	EXPECT_EQ(mig_expected_downtime(&p, &s), UINT64_MAX);
	EXPECT(!mig_should_stop(&p, &s));
	/* a stall: from the third pass, less than a tenth less each pass */
	s.pass = 3;
	s.remaining = 100 << 20;
	s.prev_remaining = 105 << 20;
	EXPECT(mig_should_stop(&p, &s));
	s.prev_remaining = 112 << 20;
	EXPECT(!mig_should_stop(&p, &s));
	s.pass = 2;
	s.prev_remaining = 100 << 20;
	EXPECT(!mig_should_stop(&p, &s));
	/* bounded passes; nothing left */
	s.pass = 5;
	EXPECT(mig_should_stop(&p, &s));
	s.pass = 2;
	s.remaining = 0;
	EXPECT(mig_should_stop(&p, &s));
}

TEST(migproto_addr)
{
	struct mig_addr a;
	char err[128];

	ASSERT_EQ(mig_addr_parse("unix:/tmp/m.sock", &a, err, sizeof(err)), 0);
	EXPECT(!a.tcp);
	EXPECT_STR(a.path, "/tmp/m.sock");
	ASSERT_EQ(mig_addr_parse("tcp:127.0.0.1:4444", &a, err, sizeof(err)), 0);
	EXPECT(a.tcp);
	EXPECT_STR(a.host, "127.0.0.1");
	EXPECT_STR(a.port, "4444");
	ASSERT_EQ(mig_addr_parse("tcp:[::1]:80", &a, err, sizeof(err)), 0);
	EXPECT_STR(a.host, "::1");
	EXPECT_EQ(mig_addr_parse("tcp:host:0", &a, err, sizeof(err)), -1);
	EXPECT_EQ(mig_addr_parse("tcp:host:99999", &a, err, sizeof(err)), -1);
	EXPECT_EQ(mig_addr_parse("tcp::80", &a, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "missing");
	EXPECT_EQ(mig_addr_parse("tcp:host", &a, err, sizeof(err)), -1);
	/* no name resolution in a static binary: literals and localhost */
	EXPECT_EQ(mig_addr_parse("tcp:example.org:80", &a, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "resolves no names");
	ASSERT_EQ(mig_addr_parse("tcp:localhost:4444", &a, err, sizeof(err)),
		  0);
	EXPECT_EQ(a.sa.ss_family, AF_INET);
	EXPECT_EQ(ntohs(((struct sockaddr_in *)&a.sa)->sin_port), 4444);
	EXPECT_EQ(ntohl(((struct sockaddr_in *)&a.sa)->sin_addr.s_addr),
		  0x7f000001u);
	ASSERT_EQ(mig_addr_parse("tcp:[::1]:80", &a, err, sizeof(err)), 0);
	EXPECT_EQ(a.sa.ss_family, AF_INET6);
	EXPECT_EQ((int)a.salen, (int)sizeof(struct sockaddr_in6));
	EXPECT_EQ(mig_addr_parse("unix:", &a, err, sizeof(err)), -1);
	EXPECT_EQ(mig_addr_parse("/tmp/x", &a, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "give unix:PATH or tcp:HOST:PORT");
}
