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
	/* Live migration's log of what lkvm itself writes into guest RAM
	 * (virtio devices), a bit per page of each region: kept once made,
	 * "logging" says whether writes are recorded. */
	u64 *ulog[GUEST_MEM_MAX_REGIONS];
	u64 ulog_page;
	bool logging;
};

/* Host pointer for [gpa, gpa+len) if it lies wholly inside one region,
 * else NULL (also for len == 0 overflowing ranges). */
void *guest_ptr(const struct guest_mem *m, u64 gpa, u64 len);

/* Adds a region; returns -1 if full or overlapping. */
int guest_mem_add(struct guest_mem *m, u64 gpa, u64 size, void *hva);

/* The write log: guest_mem_log_start makes (once) and clears the bitmaps
 * and turns recording on, 0 or -1 (out of memory); guest_mem_mark records
 * that [p, p + len) of guest RAM was written (any thread, lock-free; a
 * pointer outside guest RAM or logging off: nothing); guest_mem_log_take
 * ORs region i's marks into bits and clears them (words of 64 pages),
 * returning how many it took; guest_mem_log_stop turns recording off and
 * guest_mem_log_free (no thread may mark any more) releases the bitmaps. */
int guest_mem_log_start(struct guest_mem *m, u64 page);
void guest_mem_mark(const struct guest_mem *m, const void *p, u64 len);
u64 guest_mem_log_take(struct guest_mem *m, int i, u64 *bits, u64 words);
void guest_mem_log_stop(struct guest_mem *m);
void guest_mem_log_free(struct guest_mem *m);

#endif
