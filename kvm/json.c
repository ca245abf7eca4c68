/* The control socket's JSON codec (include/kvm/json.h): a bounded
 * tokenizer (token count and nesting depth fixed by the caller), lookups
 * and decoding of strings, integers and booleans, and string escaping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/json.h"

struct parser {
	struct json_doc *d;
	size_t pos;
	u32 depth;
	char *err;
	size_t errlen;
};

static int value(struct parser *p);

static int fail(struct parser *p, const char *why)
{
	return set_err(p->err, p->errlen, "%s at byte %zu", why, p->pos);
}

static void skip_ws(struct parser *p)
{
	const char *s = p->d->src;

	while (p->pos < p->d->len && (s[p->pos] == ' ' || s[p->pos] == '\t' ||
				      s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
}

static int peek(struct parser *p)
{
	skip_ws(p);
	return p->pos < p->d->len ? (unsigned char)p->d->src[p->pos] : -1;
}

static int new_tok(struct parser *p, enum json_type type)
{
	struct json_doc *d = p->d;
	struct json_tok *t;

	if (d->ntok >= d->max_tok)
		return fail(p, "too many values");
	t = &d->tok[d->ntok];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->start = p->pos;
	return d->ntok++;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* p->pos at the opening quote; the token spans the characters inside. */
static int string(struct parser *p)
{
	const char *s = p->d->src;
	int t = new_tok(p, JSON_STRING);
	size_t i;

	if (t < 0)
		return -1;
	p->d->tok[t].start = ++p->pos;
	while (p->pos < p->d->len && s[p->pos] != '"') {
		if ((unsigned char)s[p->pos] < 0x20)
			return fail(p, "control character in a string");
		if (s[p->pos++] != '\\')
			continue;
		if (p->pos >= p->d->len)
			break;
		if (s[p->pos] == 'u') {
			for (i = 1; i <= 4; i++)
				if (p->pos + i >= p->d->len ||
				    !is_hex(s[p->pos + i]))
					return fail(p, "bad \\u escape");
			p->pos += 5;
			continue;
		}
		if (!strchr("\"\\/bfnrt", s[p->pos]) || !s[p->pos])
			return fail(p, "bad escape");
		p->pos++;
	}
	if (p->pos >= p->d->len)
		return fail(p, "unterminated string");
	p->d->tok[t].len = p->pos - p->d->tok[t].start;
	p->d->tok[t].next = p->d->ntok;
	p->pos++;
	return t;
}

static size_t digits(struct parser *p)
{
	size_t n = 0;

	while (p->pos < p->d->len && p->d->src[p->pos] >= '0' &&
	       p->d->src[p->pos] <= '9') {
		p->pos++;
		n++;
	}
	return n;
}

static bool at(struct parser *p, char c)
{
	return p->pos < p->d->len && p->d->src[p->pos] == c;
}

static int number(struct parser *p)
{
	int t = new_tok(p, JSON_NUMBER);
	size_t n;

	if (t < 0)
		return -1;
	if (at(p, '-'))
		p->pos++;
	n = digits(p);
	if (!n || (n > 1 && p->d->src[p->d->tok[t].start +
					  (p->d->src[p->d->tok[t].start] == '-')] == '0'))
		return fail(p, "bad number");
	if (at(p, '.')) {
		p->pos++;
		if (!digits(p))
			return fail(p, "bad number");
	}
	if (at(p, 'e') || at(p, 'E')) {
		p->pos++;
		if (at(p, '+') || at(p, '-'))
			p->pos++;
		if (!digits(p))
			return fail(p, "bad number");
	}
	p->d->tok[t].len = p->pos - p->d->tok[t].start;
	p->d->tok[t].next = p->d->ntok;
	return t;
}

static int literal(struct parser *p)
{
	static const struct { const char *s; enum json_type type; } lits[] = {
		{ "true", JSON_TRUE }, { "false", JSON_FALSE },
		{ "null", JSON_NULL },
	};
	size_t i, n;
	int t;

	for (i = 0; i < ARRAY_SIZE(lits); i++) {
		n = strlen(lits[i].s);
		if (p->d->len - p->pos < n ||
		    memcmp(p->d->src + p->pos, lits[i].s, n))
			continue;
		t = new_tok(p, lits[i].type);
		if (t < 0)
			return -1;
		p->pos += n;
		p->d->tok[t].len = n;
		p->d->tok[t].next = p->d->ntok;
		return t;
	}
	return fail(p, "unexpected character");
}

/* One member ("key": value) of an object at p->pos. */
static int member(struct parser *p)
{
	if (peek(p) != '"')
		return fail(p, "expected a member name");
	if (string(p) < 0)
		return -1;
	if (peek(p) != ':')
		return fail(p, "expected ':'");
	p->pos++;
	return value(p);
}

/* An object or an array at p->pos ('{' or '['). */
static int container(struct parser *p, bool obj)
{
	int t = new_tok(p, obj ? JSON_OBJECT : JSON_ARRAY), c;
	char close = obj ? '}' : ']';

	if (t < 0)
		return -1;
	if (++p->depth > p->d->max_depth)
		return fail(p, "nested too deep");
	p->pos++;
	if (peek(p) == close) {
		p->pos++;
		goto done;
	}
	for (;;) {
		if ((obj ? member(p) : value(p)) < 0)
			return -1;
		p->d->tok[t].n++;
		c = peek(p);
		if (c != close && c != ',')
			return fail(p, obj ? "expected ',' or '}'" :
				    "expected ',' or ']'");
		p->pos++;
		if (c == close)
			break;
	}
done:
	p->depth--;
	p->d->tok[t].len = p->pos - p->d->tok[t].start;
	p->d->tok[t].next = p->d->ntok;
	return t;
}

static int value(struct parser *p)
{
	int c = peek(p);

	if (c == '{' || c == '[')
		return container(p, c == '{');
	if (c == '"')
		return string(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(p);
	if (c < 0)
		return fail(p, "unexpected end");
	return literal(p);
}

int json_parse(struct json_doc *d, const char *src, size_t len, char *err,
	       size_t errlen)
{
	struct parser p = { .d = d, .err = err, .errlen = errlen };

	d->src = src;
	d->len = len;
	d->ntok = 0;
	if (value(&p) < 0)
		return -1;
	if (peek(&p) >= 0)
		return fail(&p, "trailing characters");
	return 0;
}

static bool tok_ok(const struct json_doc *d, int t)
{
	return t >= 0 && (u32)t < d->ntok;
}

int json_find(const struct json_doc *d, u32 obj, const char *key)
{
	char name[64];
	u32 i, k;

	if (!tok_ok(d, obj) || d->tok[obj].type != JSON_OBJECT)
		return -1;
	for (i = 0, k = obj + 1; i < d->tok[obj].n; i++) {
		if (json_string(d, k, name, sizeof(name)) >= 0 &&
		    !strcmp(name, key))
			return k + 1;
		k = d->tok[k + 1].next;
	}
	return -1;
}

static int hex4(const char *s)
{
	char h[5] = { s[0], s[1], s[2], s[3], 0 };

	return (int)strtol(h, NULL, 16);
}

/* UTF-8 of code point c into out (room for 4); its length. */
static int utf8(u32 c, char *out)
{
	if (c < 0x80) {
		out[0] = c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = 0xc0 | (c >> 6);
		out[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		out[0] = 0xe0 | (c >> 12);
		out[1] = 0x80 | ((c >> 6) & 0x3f);
		out[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (c >> 18);
	out[1] = 0x80 | ((c >> 12) & 0x3f);
	out[2] = 0x80 | ((c >> 6) & 0x3f);
	out[3] = 0x80 | (c & 0x3f);
	return 4;
}

/* The \u escape at s (s[0] == 'u', room checked by the parser) into
 * out; its length, or -1. *used: characters consumed after the '\\'. */
static int unicode(const char *s, const char *end, char *out, int *used)
{
	u32 c = hex4(s + 1), lo;

	*used = 5;
	if (c >= 0xdc00 && c <= 0xdfff)
		return -1;
	if (c >= 0xd800 && c <= 0xdbff) {
		if (end - s < 11 || s[5] != '\\' || s[6] != 'u')
			return -1;
		lo = hex4(s + 7);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -1;
		c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		*used = 11;
	}
	return c ? utf8(c, out) : -1;
}

static char unescape(char c)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *p = strchr(from, c);

	return p ? to[p - from] : c;
}

int json_string(const struct json_doc *d, int t, char *buf, size_t len)
{
	const char *s, *end;
	char tmp[4];
	size_t n = 0;
	int k, used;

	if (!tok_ok(d, t) || d->tok[t].type != JSON_STRING || !len)
		return -1;
	s = d->src + d->tok[t].start;
	end = s + d->tok[t].len;
	while (s < end) {
		if (*s != '\\') {
			tmp[0] = *s++;
			k = 1;
		} else if (s[1] == 'u') {
			k = unicode(s + 1, end, tmp, &used);
			s += 1 + used;
		} else {
			tmp[0] = unescape(s[1]);
			k = 1;
			s += 2;
		}
		if (k < 0 || n + k >= len)
			return -1;
		memcpy(buf + n, tmp, k);
		n += k;
	}
	buf[n] = 0;
	return (int)n;
}

int json_int(const struct json_doc *d, int t, long long min, long long max,
	     long long *v)
{
	char num[24], *e;
	u32 len;

	if (!tok_ok(d, t) || d->tok[t].type != JSON_NUMBER)
		return -1;
	len = d->tok[t].len;
	if (len >= sizeof(num))
		return -1;
	memcpy(num, d->src + d->tok[t].start, len);
	num[len] = 0;
	errno = 0;
	*v = strtoll(num, &e, 10);
	if (*e || errno || *v < min || *v > max)
		return -1;
	return 0;
}

int json_bool(const struct json_doc *d, int t)
{
	if (!tok_ok(d, t))
		return -1;
	if (d->tok[t].type == JSON_TRUE)
		return 1;
	return d->tok[t].type == JSON_FALSE ? 0 : -1;
}

void json_put_mem(FILE *out, const void *buf, size_t len)
{
	const unsigned char *s = buf;
	size_t i;

	putc('"', out);
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(out, "\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", out);
		else if (s[i] == '\t')
			fputs("\\t", out);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			fprintf(out, "\\u%04x", s[i]);
		else
			putc(s[i], out);
	}
	putc('"', out);
}

void json_put_str(FILE *out, const char *s)
{
	json_put_mem(out, s, strlen(s));
}

void json_put_kv(FILE *out, const char *key, const char *val)
{
	json_put_str(out, key);
	fputs(": ", out);
	json_put_str(out, val);
}
