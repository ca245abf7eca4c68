/* virtio-9p device (--9p HOSTDIR,TAG[,ro], virtio/9p_dev.c): the option's
 * parser and the device around one 9P server, exported for the tests. */
#ifndef LKVM_VIRTIO_9P_DEV_H
#define LKVM_VIRTIO_9P_DEV_H

#include "virtio/9p.h"
#include "virtio/pci.h"

#define P9_QUEUE_SIZE	128

struct p9_dev {
	struct virtio_dev v;
	struct p9_server srv;
	u8 *req, *resp;		/* one message each, P9_MSIZE_MAX bytes */
	char name[24];
};

struct p9_share {
	char *dir;		/* malloc'd: the whole argument, cut at ',' */
	const char *tag;
	bool ro;
};

/* Parses "HOSTDIR,TAG[,ro]". Returns 0, or -1 with err saying what is
 * wrong and the valid form. Pure. */
int p9_parse(const char *arg, struct p9_share *sh, char *err, size_t errlen);
/* Serves every available request of queue q (device lock held). */
void p9_process(struct p9_dev *d, unsigned int q);
/* Fills d (zeroed) as the device of share sh on vm, not yet started:
 * 0, or -1 after printing why. */
int p9_dev_setup(struct p9_dev *d, struct vm *vm, const struct p9_share *sh,
		 int index);
void p9_dev_teardown(struct p9_dev *d);
/* The --9p devices of vm->cfg, started (INIT_DEVICE); on failure none is
 * left. */
int p9_init_all(struct vm *vm);
void p9_exit_all(struct vm *vm);

#endif
