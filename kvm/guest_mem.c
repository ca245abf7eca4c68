/* Bounds-checked translation of guest physical addresses to host
 * pointers, and the log of pages lkvm itself writes into guest RAM while a
 * migration runs (see include/kvm/guest_mem.h). */
#include <stdlib.h>
#include <string.h>
#include "kvm/guest_mem.h"

void *guest_ptr(const struct guest_mem *m, u64 gpa, u64 len)
{
	int i;

	if (gpa + len < gpa)
		return NULL;
	for (i = 0; i < m->nr; i++) {
		const struct guest_region *r = &m->r[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_add(struct guest_mem *m, u64 gpa, u64 size, void *hva)
{
	int i;

	if (m->nr >= GUEST_MEM_MAX_REGIONS || !size || gpa + size < gpa)
		return -1;
	for (i = 0; i < m->nr; i++) {
		const struct guest_region *r = &m->r[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -1;
	}
	m->r[m->nr++] = (struct guest_region){ gpa, size, hva };
	return 0;
}

static u64 log_words(const struct guest_mem *m, int i)
{
	return (m->r[i].size / m->ulog_page + 63) / 64;
}

int guest_mem_log_start(struct guest_mem *m, u64 page)
{
	int i;

	if (m->ulog_page && m->ulog_page != page)
		guest_mem_log_free(m);
	m->ulog_page = page;
	for (i = 0; i < m->nr; i++) {
		if (!m->ulog[i])
			m->ulog[i] = calloc(log_words(m, i), 8);
		if (!m->ulog[i])
			return -1;
		memset(m->ulog[i], 0, log_words(m, i) * 8);
	}
	__atomic_store_n(&m->logging, true, __ATOMIC_RELEASE);
	return 0;
}

void guest_mem_mark(const struct guest_mem *m, const void *p, u64 len)
{
	const u8 *b = p;
	u64 first, last, pg;
	int i;

	if (!len || !__atomic_load_n(&m->logging, __ATOMIC_ACQUIRE))
		return;
	for (i = 0; i < m->nr; i++) {
		const struct guest_region *r = &m->r[i];

		if (b < r->hva || b >= r->hva + r->size || !m->ulog[i])
			continue;
		first = (b - r->hva) / m->ulog_page;
		last = (MIN((u64)(b - r->hva) + len, r->size) - 1) /
		       m->ulog_page;
		for (pg = first; pg <= last; pg++)
			__atomic_fetch_or(&m->ulog[i][pg / 64], 1ull << (pg % 64),
					  __ATOMIC_RELAXED);
		return;
	}
}

u64 guest_mem_log_take(struct guest_mem *m, int i, u64 *bits, u64 words)
{
	u64 w, v, n = 0;

	if (i < 0 || i >= m->nr || !m->ulog[i])
		return 0;
	words = MIN(words, log_words(m, i));
	for (w = 0; w < words; w++) {
		v = __atomic_exchange_n(&m->ulog[i][w], 0, __ATOMIC_ACQ_REL);
		bits[w] |= v;
		n += __builtin_popcountll(v);
	}
	return n;
}

void guest_mem_log_stop(struct guest_mem *m)
{
	__atomic_store_n(&m->logging, false, __ATOMIC_RELEASE);
}

void guest_mem_log_free(struct guest_mem *m)
{
	int i;

	guest_mem_log_stop(m);
	for (i = 0; i < GUEST_MEM_MAX_REGIONS; i++) {
		free(m->ulog[i]);
		m->ulog[i] = NULL;
	}
	m->ulog_page = 0;
}
