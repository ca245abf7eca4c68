/* Test guest "abuse_lockwin" (--rng): the lock-order stress of
 * lib/abuse_lock.c with the kick and the ISR read going through the
 * VIRTIO_PCI_CAP_PCI_CFG window of config space (conf1); prints
 * "GUEST abuse-lock done" after 2 s and goes on until lkvm is stopped. */
#include "abuse.h"

static volatile int up = 1;	/* the BSP */

void ap_main(int apic_id)
{
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
	abuse_lock_ap(apic_id);
}

void guest_main(void)
{
	abuse_lock_main(1, &up);
	printf("GUEST abuse-lock FAIL\n");
	poweroff();
}
