/* Messages a guest can trigger (include/kvm/guest_log.h): a burst is
 * printed, then only a running count, so no guest can flood the host's
 * log however often it repeats a bad access. */
#include <stdarg.h>
#include <stdio.h>
#include "kvm/guest_log.h"
#include "kvm/vm.h"

static bool power_of_ten(u64 n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

enum guest_log_verdict guest_log_count(u64 *counter)
{
	u64 n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);

	if (n < GUEST_LOG_BURST)
		return GUEST_LOG_PRINT;
	if (n == GUEST_LOG_BURST)
		return GUEST_LOG_LAST;
	return power_of_ten(n) ? GUEST_LOG_TALLY : GUEST_LOG_QUIET;
}

void pr_guest(struct vm *vm, const char *fmt, ...)
{
	enum guest_log_verdict v = guest_log_count(&vm->guest_msgs);
	char msg[512];
	va_list ap;

	if (v == GUEST_LOG_QUIET)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v == GUEST_LOG_TALLY) {
		pr_warn("%llu guest-triggered warnings so far; the latest: %s",
			(unsigned long long)vm->guest_msgs, msg);
		return;
	}
	pr_warn("%s", msg);
	if (v == GUEST_LOG_LAST)
		pr_warn("further guest-triggered warnings are counted, and shown "
			"at each power of ten (lkvm stat --vm has the count)");
}
