/* Address windows of the hotplug root ports (pure): each port's 32-bit and
 * prefetchable windows carved from the tops of the bus's windows, so that
 * a device added later finds its room; bus 0 keeps what is below. */
#include <stdio.h>
#include "pci/rootport.h"

static bool size_ok(u64 sz)
{
	return !sz || (sz >= RP_WIN_ALIGN && !(sz & (sz - 1)));
}

/* n windows of each bytes from the top of [*base, *base + *size): the
 * first at *first; *size shrinks to what is left below them. */
static int carve(u64 *base, u64 *size, u32 n, u64 each, u64 *first)
{
	u64 top = *base + *size, start;

	*first = 0;
	if (!n || !each)
		return 0;
	if (each > *size || n > *size / each)
		return -1;
	start = ALIGN_DOWN(top - n * each, each);
	if (start < *base)
		return -1;
	*first = start;
	*size = start - *base;
	return 0;
}

static int too_small(char *err, size_t len, const char *what, u64 have,
		     u32 n, u64 each, const char *opt)
{
	snprintf(err, len, "hotplug: %u root ports with %llu MiB of %s window "
		 "each do not fit in its %llu MiB; lower %s or --hotplug-slots",
		 n, (unsigned long long)(each / SZ_1M), what,
		 (unsigned long long)(have / SZ_1M), opt);
	return -1;
}

int rootport_plan(struct pci_windows *w, u32 nports, u64 mem_size,
		  u64 pref_size, struct rp_window *out, char *err,
		  size_t errlen)
{
	struct pci_windows left = *w;
	u64 mem0, pref0;
	u32 i;

	if (!size_ok(mem_size) || !size_ok(pref_size)) {
		snprintf(err, errlen, "hotplug: a window size must be a power of "
			 "two of at least 1 MiB, or 0 (--hotplug-mem, "
			 "--hotplug-pref)");
		return -1;
	}
	if (carve(&left.mem32_base, &left.mem32_size, nports, mem_size, &mem0))
		return too_small(err, errlen, "the 32-bit PCI", w->mem32_size,
				 nports, mem_size, "--hotplug-mem");
	if (carve(&left.mem64_base, &left.mem64_size, nports, pref_size,
		  &pref0))
		return too_small(err, errlen, "the 64-bit PCI", w->mem64_size,
				 nports, pref_size, "--hotplug-pref");
	for (i = 0; i < nports; i++) {
		out[i].mem_base = mem_size ? mem0 + i * mem_size : 0;
		out[i].mem_size = mem_size;
		out[i].pref_base = pref_size ? pref0 + i * pref_size : 0;
		out[i].pref_size = pref_size;
	}
	*w = left;
	return 0;
}
