/* Unit tests of the JSON codec (kvm/json.c): values of every type, their
 * lookup and decoding, escapes and surrogates, and the bounds (tokens,
 * depth) that turn hostile input into an error; the writer's escaping
 * read back by the reader. */
#include <stdio.h>
#include <stdlib.h>
#include "kvm/json.h"
#include "unit.h"

static struct json_tok tok[32];

static int parse(struct json_doc *d, const char *s, u32 depth, char *err)
{
	d->tok = tok;
	d->max_tok = ARRAY_SIZE(tok);
	d->max_depth = depth;
	return json_parse(d, s, strlen(s), err, 128);
}

TEST(json_values_and_lookup)
{
	struct json_doc d;
	char err[128], buf[64];
	long long v;
	int t;

	ASSERT(!parse(&d, " {\"a\": [1, -2.5e3, true], \"b\": {\"c\": null},"
		      " \"s\": \"x\\ty\", \"n\": -42, \"f\": false} ", 4, err));
	EXPECT_EQ(tok[0].type, JSON_OBJECT);
	EXPECT_EQ(tok[0].n, 5);
	t = json_find(&d, 0, "a");
	EXPECT_EQ(tok[t].type, JSON_ARRAY);
	EXPECT_EQ(tok[t].n, 3);
	EXPECT_EQ(tok[tok[t].next].type, JSON_STRING);	/* "b" follows */
	t = json_find(&d, 0, "b");
	EXPECT_EQ(tok[json_find(&d, t, "c")].type, JSON_NULL);
	EXPECT_EQ(json_string(&d, json_find(&d, 0, "s"), buf, sizeof(buf)), 3);
	EXPECT_STR(buf, "x\ty");
	EXPECT(!json_int(&d, json_find(&d, 0, "n"), -100, 100, &v) && v == -42);
	EXPECT(json_int(&d, json_find(&d, 0, "n"), 0, 100, &v));
	EXPECT(json_int(&d, json_find(&d, 0, "s"), -100, 100, &v));
	EXPECT_EQ(json_bool(&d, json_find(&d, 0, "f")), 0);
	EXPECT_EQ(json_bool(&d, json_find(&d, 0, "n")), -1);
	EXPECT_EQ(json_find(&d, 0, "zz"), -1);
	EXPECT_EQ(json_find(&d, 1, "a"), -1);	/* not an object */
	EXPECT_EQ(json_string(&d, 99, buf, sizeof(buf)), -1);
}

TEST(json_string_escapes)
{
	struct json_doc d;
	char err[128], buf[16];

	ASSERT(!parse(&d, "\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\n\"", 1, err));
	EXPECT_EQ(json_string(&d, 0, buf, sizeof(buf)), 10);
	EXPECT_STR(buf, "\xc3\xa9\xf0\x9f\x98\x80\"\\/\n");
	EXPECT_EQ(json_string(&d, 0, buf, 10), -1);	/* does not fit */
	ASSERT(!parse(&d, "\"\\ud83d\"", 1, err));	/* lone surrogate */
	EXPECT_EQ(json_string(&d, 0, buf, sizeof(buf)), -1);
	ASSERT(!parse(&d, "\"a\\u0000b\"", 1, err));	/* no NUL in C */
	EXPECT_EQ(json_string(&d, 0, buf, sizeof(buf)), -1);
}

TEST(json_rejects_bad_input)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "{1: 2}",
		"\"abc", "\"a\\x\"", "\"\\u12g4\"", "\"tab\there\"", "01",
		"1.", "-", "1e", "tru", "nul", "{} {}", "[1] x", "\"\\",
	};
	struct json_doc d;
	char err[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		if (!EXPECT(parse(&d, bad[i], 4, err) == -1))
			fprintf(stderr, "  accepted: '%s'\n", bad[i]);
		EXPECT_CONTAINS(err, " at byte ");
	}
}

TEST(json_bounds)
{
	char deep[64], many[256], err[128];
	struct json_doc d;
	int i, n = 0;

	for (i = 0; i < 5; i++)
		deep[n++] = '[';
	for (i = 0; i < 5; i++)
		deep[n++] = ']';
	deep[n] = 0;
	EXPECT(!parse(&d, deep, 5, err));
	EXPECT_EQ(parse(&d, deep, 4, err), -1);
	EXPECT_CONTAINS(err, "nested too deep");
	n = snprintf(many, sizeof(many), "[");
	for (i = 0; i < 40; i++)
		n += snprintf(many + n, sizeof(many) - n, "%s1", i ? "," : "");
	snprintf(many + n, sizeof(many) - n, "]");
	EXPECT_EQ(parse(&d, many, 2, err), -1);	/* 41 tokens, room for 32 */
	EXPECT_CONTAINS(err, "too many values");
}

/* What the writer escapes, the reader gives back. */
TEST(json_writer_round_trip)
{
	static const char in[] = "q\"b\\s/\n\t\x01\x1b[31m";
	char *text = NULL, buf[64];
	size_t len = 0;
	struct json_doc d;
	FILE *f = open_memstream(&text, &len);

	ASSERT(f);
	json_put_str(f, in);
	fclose(f);
	EXPECT_STR(text, "\"q\\\"b\\\\s/\\n\\t\\u0001\\u001b[31m\"");
	ASSERT(!parse(&d, text, 1, buf));
	EXPECT(json_string(&d, 0, buf, sizeof(buf)) > 0);
	EXPECT_STR(buf, in);
	free(text);
}
