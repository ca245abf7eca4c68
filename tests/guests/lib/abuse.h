/* Shared parts of the guest-abuse test programs (abuse_*.c). */
#ifndef GUEST_ABUSE_H
#define GUEST_ABUSE_H

#include "virtio.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * abuse_lock.c: sets up virtio-rng (--rng) in INTx mode, starts the APs
 * (when up is given: they bump *up, then call abuse_lock_ap) and loops
 * forever: post a buffer, kick, then either write the MSI-X control word
 * through conf1 and read the ISR (window 0), or kick and read the ISR
 * through the VIRTIO_PCI_CAP_PCI_CFG window (window 1). Prints
 * "GUEST abuse-lock done ..." after 2 s and keeps going. Returns only if
 * the set-up fails.
 */
void abuse_lock_main(int window, volatile int *up);
void abuse_lock_ap(int apic_id) __attribute__((noreturn));

#endif
