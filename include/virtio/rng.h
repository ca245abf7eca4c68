/* virtio-rng request handling, exported for the unit tests (the device
 * itself is created by --rng, see virtio/rng.c). */
#ifndef LKVM_VIRTIO_RNG_H
#define LKVM_VIRTIO_RNG_H

#include "virtio/pci.h"

/* Fills every available buffer of queue q from fd (device lock held). */
void rng_process(struct virtio_dev *v, int fd, unsigned int q);

/* The device of vm->cfg, if asked for (INIT_DEVICE); exported for the
 * unit tests. On failure nothing is left: no fd, thread or PCI slot. */
int rng_init(struct vm *vm);
void rng_exit(struct vm *vm);

#endif
