/* State descriptions: what each device type saves and restores, as a
 * versioned list of plain-data fields of its state struct. Snapshot and
 * migration write them; state_check() keeps every description well formed. */
#ifndef LKVM_KVM_STATE_H
#define LKVM_KVM_STATE_H

#include <stddef.h>
#include "lkvm/util.h"

struct state_field {
	const char *name;
	u32 off, size;		/* bytes within the owner's struct */
	u16 since;		/* first version that has it */
	/* set: the field is a pointer to len(obj) bytes (a table) */
	u32 (*len)(const void *obj);
};

struct state_desc {
	const char *name;	/* device type: "virtio-blk", "pci-config" */
	u16 version;
	u32 size;		/* sizeof the owner's struct */
	const struct state_field *fields;
	u32 nr;
	struct state_desc *next;
};

#define STATE_FIELD(type, m, v) \
	{ #m, offsetof(type, m), sizeof(((type *)0)->m), v, NULL }
#define STATE_TABLE(type, m, lenfn, v) \
	{ #m, offsetof(type, m), sizeof(void *), v, lenfn }

/* Defines and registers the description of struct type (fields in offset
 * order, each STATE_FIELD(type, member, since)). */
#define STATE_DESC(id, tname, type, ver, ...)				\
	static const struct state_field id##_fields[] = { __VA_ARGS__ };	\
	struct state_desc id = { tname, ver, sizeof(type), id##_fields,	\
		ARRAY_SIZE(id##_fields), NULL };			\
	__attribute__((constructor)) static void id##_reg(void)	\
	{ state_register(&id); }

void state_register(struct state_desc *d);
const struct state_desc *state_find(const char *name);
const struct state_desc *state_first(void);
/* 0, or -1 with the first defect in err. */
int state_check(const struct state_desc *d, char *err, size_t len);
/* Bytes state_save writes of obj for version ver of d. */
size_t state_size(const struct state_desc *d, const void *obj, u16 ver);
void state_save(const struct state_desc *d, const void *obj, u8 *buf);
/* Reads what state_save wrote for version ver (<= d->version) into obj,
 * whose tables are allocated already; fields newer than ver keep their
 * values. Returns 0, or -1 when len does not match obj (tables sized
 * differently: not the same device). */
int state_load(const struct state_desc *d, void *obj, u16 ver,
	       const u8 *buf, size_t len);

#endif
