/* Guest physical memory as the VMM sees it: a few RAM regions, each a
 * contiguous host mapping. Translation is bounds-checked, so a guest-given
 * address can never reach outside guest RAM. */
#ifndef LKVM_KVM_GUEST_MEM_H
#define LKVM_KVM_GUEST_MEM_H

#include "lkvm/util.h"

#define GUEST_MEM_MAX_REGIONS 4

struct guest_region {
	u64 gpa;
	u64 size;
	u8 *hva;
};

struct guest_mem {
	struct guest_region r[GUEST_MEM_MAX_REGIONS];
	int nr;
};

/* Host pointer for [gpa, gpa+len) if it lies wholly inside one region,
 * else NULL (also for len == 0 overflowing ranges). */
void *guest_ptr(const struct guest_mem *m, u64 gpa, u64 len);

/* Adds a region; returns -1 if full or overlapping. */
int guest_mem_add(struct guest_mem *m, u64 gpa, u64 size, void *hva);

#endif
