/* kvm/snapfmt.c: the codec round-trips, and the framing refuses what is
 * truncated, corrupt, of another format or not a snapshot at all, with a
 * message saying which. */
#include <stdlib.h>
#include "unit.h"
#include "kvm/snapshot.h"
#include "kvm/state.h"

struct rec {
	u32 a;
	u16 b;
};

STATE_DESC(rec_desc, "test-rec", struct rec, 1,
	   STATE_FIELD(struct rec, a, 1), STATE_FIELD(struct rec, b, 1))

/* A stream of two sections ("one" with the values, "two" empty). */
static void build(struct sbuf *b)
{
	struct rec r = { 0x11223344, 0x5566 };
	size_t h;

	memset(b, 0, sizeof(*b));
	snap_begin(b);
	h = snap_sec_begin(b, "one", 7, 3);
	sb_u8(b, 0xab);
	sb_u16(b, 0xbeef);
	sb_u32(b, 0xdeadbeef);
	sb_u64(b, 1ULL << 63);
	sb_str(b, "hello");
	sb_state(b, &rec_desc, &r);
	snap_sec_end(b, h);
	snap_sec_end(b, snap_sec_begin(b, "two", 0, 1));
	snap_end(b);
}

TEST(snapfmt_roundtrip)
{
	struct sreader r, in;
	struct snap_sec s;
	struct sbuf b;
	struct rec out = { 0 };
	char str[8], err[128];

	build(&b);
	ASSERT(!b.oom);
	ASSERT_EQ(snap_open(&r, b.p, b.len, err, sizeof(err)), 0);
	ASSERT_EQ(snap_next(&r, &s, err, sizeof(err)), 1);
	EXPECT_STR(s.type, "one");
	EXPECT_EQ(s.inst, 7);
	EXPECT_EQ(s.ver, 3);
	sr_init(&in, s.data, s.len);
	EXPECT_EQ(sr_u8(&in), 0xab);
	EXPECT_EQ(sr_u16(&in), 0xbeef);
	EXPECT_EQ(sr_u32(&in), 0xdeadbeef);
	EXPECT_EQ(sr_u64(&in), 1ULL << 63);
	sr_str(&in, str, sizeof(str));
	EXPECT_STR(str, "hello");
	EXPECT_EQ(sr_state(&in, &rec_desc, &out, err, sizeof(err)), 0);
	EXPECT_EQ(out.a, 0x11223344);
	EXPECT_EQ(out.b, 0x5566);
	EXPECT(sr_done(&in));
	ASSERT_EQ(snap_next(&r, &s, err, sizeof(err)), 1);
	EXPECT_STR(s.type, "two");
	EXPECT_EQ(s.len, 0);
	EXPECT_EQ(snap_next(&r, &s, err, sizeof(err)), 0);
	sb_free(&b);
}

/* Reads the whole stream; the last status and message. */
static int walk(const u8 *p, size_t len, char *err, size_t errlen)
{
	struct sreader r;
	struct snap_sec s;
	int rc;

	err[0] = 0;
	if (snap_open(&r, p, len, err, errlen))
		return -2;
	while ((rc = snap_next(&r, &s, err, errlen)) == 1)
		;
	return rc;
}

TEST(snapfmt_every_truncation_is_refused)
{
	struct sbuf b;
	char err[128];
	size_t n;

	build(&b);
	for (n = 0; n < b.len; n++) {
		int rc = walk(b.p, n, err, sizeof(err));

		if (!EXPECT(rc < 0))
			break;
		if (n < 16)
			EXPECT_CONTAINS(err, "not an lkvm snapshot");
		else
			EXPECT_CONTAINS(err, "truncated");
	}
	EXPECT_EQ(walk(b.p, b.len, err, sizeof(err)), 0);
	sb_free(&b);
}

TEST(snapfmt_a_flipped_byte_fails_the_crc)
{
	struct sbuf b;
	char err[128];

	build(&b);
	b.p[16 + 48 + 2] ^= 0x40;	/* in section "one"'s payload */
	EXPECT_EQ(walk(b.p, b.len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "section one (instance 7) fails its CRC");
	sb_free(&b);
}

TEST(snapfmt_other_format_or_magic_or_trailing_bytes)
{
	struct sbuf b;
	char err[128];

	build(&b);
	b.p[8] = 2;
	EXPECT_EQ(walk(b.p, b.len, err, sizeof(err)), -2);
	EXPECT_CONTAINS(err, "snapshot format 2; this lkvm reads format 1");
	b.p[8] = 1;
	b.p[0] = 'X';
	EXPECT_EQ(walk(b.p, b.len, err, sizeof(err)), -2);
	EXPECT_CONTAINS(err, "not an lkvm snapshot");
	b.p[0] = 'L';
	sb_u8(&b, 0);
	EXPECT_EQ(walk(b.p, b.len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "1 bytes after the end");
	sb_free(&b);
}

TEST(snapfmt_reader_never_reads_past_the_end)
{
	u8 buf[6] = { 10, 0, 0, 0, 'a', 'b' };	/* a blob claiming 10 bytes */
	struct sreader r;
	char s[16];
	u32 n;

	sr_init(&r, buf, sizeof(buf));
	EXPECT(sr_blob(&r, &n) == NULL);
	EXPECT_EQ(n, 0);
	EXPECT(r.bad);
	EXPECT_EQ(sr_u64(&r), 0);
	EXPECT(!sr_done(&r));
	buf[0] = 2;
	sr_init(&r, buf, sizeof(buf));
	sr_str(&r, s, 2);	/* "ab" does not fit 2 bytes with its NUL */
	EXPECT(r.bad);
}

TEST(snapfmt_state_record_mismatches_are_named)
{
	struct rec in = { 1, 2 }, out;
	struct sreader r;
	struct sbuf b = { 0 };
	char err[128];

	sb_state(&b, &rec_desc, &in);
	b.p[4] = 'X';		/* the name: "Xest-rec" */
	sr_init(&r, b.p, b.len);
	EXPECT_EQ(sr_state(&r, &rec_desc, &out, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "expected a test-rec record, found 'Xest-rec'");
	b.p[4] = 't';
	b.p[12] = 2;		/* version 2 */
	sr_init(&r, b.p, b.len);
	EXPECT_EQ(sr_state(&r, &rec_desc, &out, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "record version 2 is newer than this lkvm's 1");
	b.p[12] = 1;
	sr_init(&r, b.p, b.len - 1);
	EXPECT_EQ(sr_state(&r, &rec_desc, &out, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "truncated");
	sb_free(&b);
}
