/* The registry of device state descriptions and the field-list codec
 * (include/kvm/state.h): save and load copy the described fields in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/state.h"

static struct state_desc *descs;	/* init-level registry, process-wide */

void state_register(struct state_desc *d)
{
	d->next = descs;
	descs = d;
}

const struct state_desc *state_first(void)
{
	return descs;
}

const struct state_desc *state_find(const char *name)
{
	const struct state_desc *d;

	for (d = descs; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

int state_check(const struct state_desc *d, char *err, size_t len)
{
	const struct state_field *f;
	u32 i, j, end = 0;

	if (!d->name || !*d->name || !d->version)
		return snprintf(err, len, "%s: no name or version",
				d->name ? d->name : "?"), -1;
	for (i = 0; i < d->nr; i++) {
		f = &d->fields[i];
		if (!f->size || f->off < end || f->off + f->size > d->size)
			return snprintf(err, len, "%s.%s: overlaps or outside the struct",
					d->name, f->name), -1;
		if (!f->since || f->since > d->version)
			return snprintf(err, len, "%s.%s: since %u, version %u",
					d->name, f->name, f->since, d->version), -1;
		for (j = 0; j < i; j++)
			if (!strcmp(d->fields[j].name, f->name))
				return snprintf(err, len, "%s.%s: twice", d->name,
						f->name), -1;
		end = f->off + f->size;
	}
	return 0;
}

/* Where field f of obj lives, and how many bytes it has. */
static u8 *field_at(const struct state_field *f, const void *obj, u32 *n)
{
	u8 *p = (u8 *)obj + f->off;

	*n = f->len ? f->len(obj) : f->size;
	return f->len ? *(u8 **)p : p;
}

size_t state_size(const struct state_desc *d, const void *obj, u16 ver)
{
	size_t sum = 0;
	u32 i, n;

	for (i = 0; i < d->nr; i++) {
		if (d->fields[i].since > ver)
			continue;
		field_at(&d->fields[i], obj, &n);
		sum += n;
	}
	return sum;
}

void state_save(const struct state_desc *d, const void *obj, u8 *buf)
{
	const struct state_field *f;
	const u8 *p;
	u32 n;

	for (f = d->fields; f < d->fields + d->nr; buf += n, f++) {
		p = field_at(f, obj, &n);
		if (n)
			memcpy(buf, p, n);
	}
}

/* Whether buf[len] holds exactly the fields of version ver, table lengths
 * taken from the values being loaded (a scratch copy of obj gets them) and
 * equal to those obj's tables were allocated with. */
static bool load_fits(const struct state_desc *d, const void *obj, u16 ver,
		      const u8 *buf, size_t len)
{
	const struct state_field *f;
	u8 *tmp = malloc(d->size);
	bool ok = tmp != NULL;
	u32 n;

	if (tmp)
		memcpy(tmp, obj, d->size);
	for (f = d->fields; ok && f < d->fields + d->nr; f++) {
		if (f->since > ver)
			continue;
		n = f->len ? f->len(tmp) : f->size;
		/* a table keeps the size it was allocated with */
		if (n > len || (f->len && n != f->len(obj))) {
			ok = false;
			break;
		}
		if (!f->len)
			memcpy(tmp + f->off, buf, n);
		buf += n;
		len -= n;
	}
	free(tmp);
	return ok && !len;
}

int state_load(const struct state_desc *d, void *obj, u16 ver,
	       const u8 *buf, size_t len)
{
	const struct state_field *f;
	u8 *p;
	u32 n;

	if (ver > d->version || !load_fits(d, obj, ver, buf, len))
		return -1;
	for (f = d->fields; f < d->fields + d->nr; f++) {
		if (f->since > ver)
			continue;
		p = field_at(f, obj, &n);
		if (n)
			memcpy(p, buf, n);
		buf += n;
	}
	return 0;
}
