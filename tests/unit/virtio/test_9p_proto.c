/* Unit tests of the 9P2000.L wire format (virtio/9p_proto.c): field round
 * trips, every short or oversized field and header, replies that overflow. */
#include <errno.h>
#include "virtio/9p_proto.h"
#include "unit.h"

TEST(p9_proto_round_trip)
{
	u8 buf[64];
	struct p9_out o;
	struct p9_in in;
	struct p9_qid q = { P9_QTDIR, 7, 0x1122334455667788ULL }, q2;
	char s[16];
	u8 type;
	u16 tag;
	u32 n;

	p9_start(&o, buf, sizeof(buf), P9_RWALK, 0xbeef);
	p9_put8(&o, 0xab);
	p9_put16(&o, 0x1234);
	p9_put32(&o, 0xdeadbeef);
	p9_put64(&o, 0x0102030405060708ULL);
	p9_put_str(&o, "name");
	p9_put_qid(&o, &q);
	n = p9_finish(&o);
	EXPECT_EQ(n, 7 + 1 + 2 + 4 + 8 + 6 + 13);
	EXPECT_EQ(buf[0], n);			/* little-endian size */
	EXPECT_EQ(buf[5], 0xef);
	ASSERT(!p9_parse_hdr(&in, buf, n, &type, &tag));
	EXPECT_EQ(type, P9_RWALK);
	EXPECT_EQ(tag, 0xbeef);
	EXPECT_EQ(p9_get8(&in), 0xab);
	EXPECT_EQ(p9_get16(&in), 0x1234);
	EXPECT_EQ(p9_get32(&in), 0xdeadbeef);
	EXPECT_EQ(p9_get64(&in), 0x0102030405060708ULL);
	EXPECT_EQ(p9_get_str(&in, s, sizeof(s) - 1), 0);
	EXPECT_STR(s, "name");
	q2.type = p9_get8(&in);
	q2.version = p9_get32(&in);
	q2.path = p9_get64(&in);
	EXPECT_EQ(q2.type, q.type);
	EXPECT_EQ(q2.version, 7);
	EXPECT_EQ(q2.path, q.path);
	EXPECT(!in.err);
	/* one byte more than the message holds */
	EXPECT_EQ(p9_get8(&in), 0);
	EXPECT(in.err);
	EXPECT_EQ(p9_get32(&in), 0);	/* and zeros from then on */
}

TEST(p9_proto_short_fields)
{
	/* size 11: a u32 field of which only 3 bytes are in the message */
	u8 m[16] = { 10, 0, 0, 0, P9_TCLUNK, 1, 0, 1, 2, 3, 4 };
	struct p9_in in;
	u8 type;
	u16 tag;

	ASSERT(!p9_parse_hdr(&in, m, sizeof(m), &type, &tag));
	EXPECT_EQ(in.len, 10);		/* the message's own size, not len */
	EXPECT_EQ(p9_get32(&in), 0);
	EXPECT(in.err);
	ASSERT(!p9_parse_hdr(&in, m, sizeof(m), &type, &tag));
	EXPECT(p9_get_bytes(&in, 3) != NULL);
	EXPECT(p9_get_bytes(&in, 1) == NULL);
	ASSERT(!p9_parse_hdr(&in, m, sizeof(m), &type, &tag));
	EXPECT(p9_get_bytes(&in, 0xffffffffu) == NULL);	/* no wrap */
}

TEST(p9_proto_bad_headers)
{
	u8 m[16] = { 0 };
	struct p9_in in;
	u8 type;
	u16 tag;

	EXPECT_EQ(p9_parse_hdr(&in, m, 6, &type, &tag), -EINVAL);
	m[0] = 6;	/* size below the header */
	EXPECT_EQ(p9_parse_hdr(&in, m, sizeof(m), &type, &tag), -EINVAL);
	m[0] = 17;	/* size beyond what arrived */
	EXPECT_EQ(p9_parse_hdr(&in, m, sizeof(m), &type, &tag), -EINVAL);
	m[0] = 0; m[3] = 0x80;	/* huge */
	EXPECT_EQ(p9_parse_hdr(&in, m, sizeof(m), &type, &tag), -EINVAL);
	m[3] = 0; m[0] = 7;
	EXPECT_EQ(p9_parse_hdr(&in, m, sizeof(m), &type, &tag), 0);
}

TEST(p9_proto_strings)
{
	u8 m[32] = { 0, 0, 0, 0, 0, 0, 0 };
	struct p9_in in;
	char s[8];

	/* length 5 but only 3 bytes follow */
	m[7] = 5; memcpy(m + 9, "abc", 3);
	in = (struct p9_in){ .d = m, .len = 12, .pos = 7 };
	EXPECT_EQ(p9_get_str(&in, s, 7), -EINVAL);
	EXPECT(in.err);
	EXPECT_STR(s, "");
	/* longer than the caller's max: refused, the reader moves on */
	m[7] = 4; memcpy(m + 9, "abcd", 4);
	in = (struct p9_in){ .d = m, .len = 13, .pos = 7 };
	EXPECT_EQ(p9_get_str(&in, s, 3), -ENAMETOOLONG);
	EXPECT(!in.err);
	/* an embedded NUL */
	m[10] = 0;
	in = (struct p9_in){ .d = m, .len = 13, .pos = 7 };
	EXPECT_EQ(p9_get_str(&in, s, 7), -EINVAL);
	/* the empty string */
	m[7] = 0;
	in = (struct p9_in){ .d = m, .len = 9, .pos = 7 };
	EXPECT_EQ(p9_get_str(&in, s, 7), 0);
	EXPECT_STR(s, "");
}

TEST(p9_proto_reply_overflow)
{
	u8 buf[16];
	struct p9_out o;

	p9_start(&o, buf, 12, P9_RREAD, 3);
	p9_put32(&o, 1);
	EXPECT_EQ(p9_finish(&o), 11);
	p9_start(&o, buf, 12, P9_RREAD, 3);
	p9_put_str(&o, "toolong");
	EXPECT(o.err);
	EXPECT_EQ(p9_finish(&o), 0);
	EXPECT(p9_put_space(&o, 1) == NULL);
	EXPECT_EQ(p9_lerror(buf, 10, 1, EIO), 0);
	EXPECT_EQ(p9_lerror(buf, 11, 1, EIO), 11);
	EXPECT_EQ(buf[4], P9_RLERROR);
	EXPECT_EQ(buf[7], EIO);
}
