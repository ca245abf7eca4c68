/* Address-range dispatch for port I/O and MMIO exits (include/kvm/iobus.h).
 * Ranges are kept sorted; lookups take a read lock, changes a write lock. */
#include <stdlib.h>
#include <string.h>
#include "kvm/iobus.h"

void iobus_init(struct iobus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	pthread_rwlock_init(&bus->lock, NULL);
}

void iobus_destroy(struct iobus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
	pthread_rwlock_destroy(&bus->lock);
}

/* Index of the first range whose end is above addr. */
static int lower_bound(const struct iobus *bus, u64 addr)
{
	int lo = 0, hi = bus->nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct iobus_range *r = &bus->ranges[mid];

		if (r->base + r->len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int iobus_register(struct iobus *bus, u64 base, u64 len, io_handler_fn fn,
		   void *opaque)
{
	int i, ret = -1;

	if (!len || base + len < base)
		return -1;
	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base < base + len)
		goto out;
	if (bus->nr == bus->cap) {
		int cap = bus->cap ? bus->cap * 2 : 16;
		void *p = realloc(bus->ranges, cap * sizeof(*bus->ranges));

		if (!p)
			goto out;
		bus->ranges = p;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nr - i) * sizeof(*bus->ranges));
	bus->ranges[i] = (struct iobus_range){ base, len, fn, opaque };
	bus->nr++;
	ret = 0;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int iobus_unregister(struct iobus *bus, u64 base)
{
	int i, ret = -1;

	pthread_rwlock_wrlock(&bus->lock);
	i = lower_bound(bus, base);
	if (i < bus->nr && bus->ranges[i].base == base) {
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nr - i - 1) * sizeof(*bus->ranges));
		bus->nr--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

bool iobus_dispatch(struct iobus *bus, u64 addr, u8 *data, u32 len,
		    bool is_write)
{
	struct iobus_range r;
	int i;

	pthread_rwlock_rdlock(&bus->lock);
	i = lower_bound(bus, addr);
	if (i >= bus->nr || bus->ranges[i].base > addr ||
	    addr + len > bus->ranges[i].base + bus->ranges[i].len) {
		pthread_rwlock_unlock(&bus->lock);
		__atomic_add_fetch(&bus->unhandled, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r = bus->ranges[i];
	pthread_rwlock_unlock(&bus->lock);
	/* Called unlocked: a handler may move ranges (BAR reprogramming);
	 * devices live until every vCPU has stopped. */
	r.fn(r.opaque, addr - r.base, data, len, is_write);
	return true;
}
