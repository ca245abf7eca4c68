/* Bounds-checked translation of guest physical addresses to host
 * pointers (see include/kvm/guest_mem.h). */
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
