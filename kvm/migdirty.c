/* Pre-copy's dirty bitmaps (include/kvm/migrate.h), pure: which dirty-log
 * mode KVM offers, KVM_GET_DIRTY_LOG's bits merged into the pages still to
 * send, and the KVM_CLEAR_DIRTY_LOG requests that re-arm what was taken. */
#include "kvm/migrate.h"

u64 mig_manual_protect_arg(int check)
{
	if (check <= 0 || !(check & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
		return 0;
	return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;
}

u64 mig_merge_dirty(u64 *acc, const u64 *bits, u64 words)
{
	u64 j, n = 0;

	for (j = 0; j < words; j++) {
		acc[j] |= bits[j];
		n += __builtin_popcountll(acc[j]);
	}
	return n;
}

bool mig_clear_next(const u64 *bits, u64 pages, u64 max_pages, u64 *next,
		    struct kvm_clear_dirty_log *c)
{
	u64 words = (pages + 63) / 64, w = *next / 64, end, max_words;

	max_words = max_pages / 64 ? max_pages / 64 : 1;
	if (*next >= pages)
		return false;
	while (w < words && !bits[w])
		w++;
	if (w >= words) {
		*next = pages;
		return false;
	}
	end = w;
	while (end < words && bits[end] && end - w < max_words)
		end++;
	c->first_page = w * 64;
	c->num_pages = (u32)(MIN(end * 64, pages) - w * 64);
	c->dirty_bitmap = (void *)(bits + w);
	*next = MIN(end * 64, pages);
	return true;
}
