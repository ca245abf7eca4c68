/* Spare virtio I/O threads (virtio/spare.c): made and confined at start,
 * one per hotplug root port, for the devices `lkvm disk add` makes later,
 * when the confined main thread can start no thread. */
#ifndef LKVM_VIRTIO_SPARE_H
#define LKVM_VIRTIO_SPARE_H

#include <pthread.h>
#include "lkvm/util.h"

struct vm;
struct virtio_dev;

struct vp_spare {
	struct vp_spares *pool;
	pthread_t thread;
	struct virtio_dev *dev;	/* the device it serves, NULL: parked */
	bool busy;		/* handed a device, until its loop ended */
};

/* vm->spares: the threads and the lock and condition they wait on. */
struct vp_spares {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool quit;
	int nr;			/* started */
	struct vp_spare s[];
};

/* INIT_BUS: vm->cfg->hotplug_slots threads, each confined as an I/O
 * thread (SC_IO) and parked; none without hotplug slots. 0 or -1. */
int vp_spares_init(struct vm *vm);
/* Ends the threads (every device handed out is gone by then). */
void vp_spares_exit(struct vm *vm);
/* Hands v to a parked thread, which runs v's I/O loop until v's
 * stop_efd fires; 0, or -1 when every spare is busy (v->spare set). */
int vp_spare_run(struct virtio_dev *v);
/* After v's stop_efd was written: waits until its thread parked again. */
void vp_spare_wait(struct virtio_dev *v);
/* io.c: v's I/O loop, until its stop_efd fires (the calling thread is
 * confined already). */
void vp_io_loop(struct virtio_dev *v);
/* Threads parked now (tests, stat). */
int vp_spares_free(struct vm *vm);

#endif
