/* Test guest "abuse_lock" (--rng, -c 1 or more): the lock-order stress of
 * lib/abuse_lock.c through the MSI-X control word (conf1 on the BSP, ECAM
 * on the APs) and ISR reads; prints "GUEST abuse-lock done" after 2 s and
 * goes on until lkvm is stopped. */
#include "abuse.h"

static volatile int up = 1;	/* the BSP */

void ap_main(int apic_id)
{
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
	abuse_lock_ap(apic_id);
}

void guest_main(void)
{
	abuse_lock_main(0, &up);
	printf("GUEST abuse-lock FAIL\n");
	poweroff();
}
