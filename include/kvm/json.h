/* A small JSON reader and writer for the control socket (kvm/json.c): the
 * reader tokenizes one text into a caller-sized token array with a depth
 * bound (too many tokens or too deep is an error, never a crash); values
 * are then looked up and decoded by token index. The writer escapes. */
#ifndef LKVM_KVM_JSON_H
#define LKVM_KVM_JSON_H

#include <stdio.h>
#include "lkvm/util.h"

enum json_type {
	JSON_NONE = 0, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER,
	JSON_TRUE, JSON_FALSE, JSON_NULL,
};

struct json_tok {
	u8 type;
	u32 start, len;		/* the value's text in src (a string's
				 * without its quotes) */
	u32 n;			/* members (object) or elements (array) */
	u32 next;		/* index of the token after this subtree */
};

struct json_doc {
	const char *src;
	size_t len;
	struct json_tok *tok;	/* the caller's array of max_tok */
	u32 max_tok, ntok;
	u32 max_depth;		/* nesting allowed: 1 is a flat object */
};

/* Tokenizes src[len] (one value, whitespace around it); 0, or -1 with
 * the reason (and its byte offset) in err. */
int json_parse(struct json_doc *d, const char *src, size_t len, char *err,
	       size_t errlen);
/* The value token of member key of object token obj, or -1. */
int json_find(const struct json_doc *d, u32 obj, const char *key);
/* The unescaped string of token t into buf[len] (NUL-terminated); its
 * length, or -1: not a string, too long, or a \u0000 or lone surrogate. */
int json_string(const struct json_doc *d, int t, char *buf, size_t len);
/* Token t as an integer in [min, max]; 0, or -1 if it is not one. */
int json_int(const struct json_doc *d, int t, long long min, long long max,
	     long long *v);
/* 1 true, 0 false, -1 not a boolean. */
int json_bool(const struct json_doc *d, int t);

/* Writes s as a JSON string: quoted, '"', '\\' and control bytes
 * escaped; bytes >= 0x80 as \u00XX (each byte one character). */
void json_put_str(FILE *out, const char *s);
void json_put_mem(FILE *out, const void *buf, size_t len);
/* `"key": ` then the string value. */
void json_put_kv(FILE *out, const char *key, const char *val);

#endif
