/* virtio-console state and request handling, exported for the unit tests
 * (the device itself is created by --console virtio, virtio/console.c). */
#ifndef LKVM_VIRTIO_CONSOLE_H
#define LKVM_VIRTIO_CONSOLE_H

#include "virtio/pci.h"

#define CON_RX		0	/* receiveq of port 0 */
#define CON_TX		1	/* transmitq of port 0 */
#define CON_IN_BUF	4096

struct con_dev {
	struct virtio_dev v;
	void (*out)(const u8 *buf, size_t len);	/* term_write */
	pthread_mutex_t in_lock;
	u8 in[CON_IN_BUF];
	size_t in_head, in_len;
};

/* Sets up c (zeroed) as the console device of vm, not yet started. */
int con_setup(struct con_dev *c, struct vm *vm);
/* term input callback: queues bytes for the guest. */
void con_input(void *opaque, const u8 *buf, size_t len);
/* Runs queue q (device lock held). */
void con_process(struct con_dev *c, unsigned int q);

/* The device of vm->cfg, if asked for (INIT_DEVICE); exported for the
 * unit tests. On failure nothing is left: no fd, thread or PCI slot. */
int con_init(struct vm *vm);
void con_exit(struct vm *vm);

#endif
