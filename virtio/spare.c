/* Spare virtio I/O threads: the confined main thread may not clone, so the
 * threads of devices added at run time (`lkvm disk add`) are made at start,
 * one per hotplug root port, confined with the I/O threads' filter before
 * anything runs in them, and parked until a device is handed to one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/seccomp.h"
#include "kvm/vm.h"
#include "virtio/pci.h"
#include "virtio/spare.h"

/* Parked until handed a device (then its loop, then parked again) or the
 * pool quits. */
static void *spare_thread(void *arg)
{
	struct vp_spare *s = arg;
	struct vp_spares *p = s->pool;
	struct virtio_dev *v;

	sc_enter(SC_IO);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!s->dev && !p->quit)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!s->dev)
			break;
		v = s->dev;
		pthread_mutex_unlock(&p->lock);
		vp_io_loop(v);
		pthread_mutex_lock(&p->lock);
		s->dev = NULL;
		s->busy = false;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int vp_spares_init(struct vm *vm)
{
	u32 n = vm->cfg->hotplug_slots, i;
	struct vp_spares *p;

	if (!n)
		return 0;
	p = calloc(1, sizeof(*p) + n * sizeof(p->s[0]));
	if (!p) {
		pr_err("out of memory");
		return -1;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	vm->spares = p;
	for (i = 0; i < n; i++) {
		p->s[i].pool = p;
		if (pthread_create(&p->s[i].thread, NULL, spare_thread,
				   &p->s[i])) {
			pr_err("virtio: cannot start a spare I/O thread for "
			       "hotplug slot %u", i);
			vp_spares_exit(vm);
			return -1;
		}
		pthread_setname_np(p->s[i].thread, "virtio-spare");
		p->nr++;
	}
	return 0;
}

void vp_spares_exit(struct vm *vm)
{
	struct vp_spares *p = vm->spares;
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nr; i++)
		pthread_join(p->s[i].thread, NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
	vm->spares = NULL;
}

int vp_spare_run(struct virtio_dev *v)
{
	struct vp_spares *p = v->vm ? v->vm->spares : NULL;
	int i;

	if (!p)
		return -1;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nr && p->s[i].busy; i++)
		;
	if (i < p->nr) {
		p->s[i].busy = true;
		p->s[i].dev = v;
		v->spare = &p->s[i];
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return i < p->nr ? 0 : -1;
}

void vp_spare_wait(struct virtio_dev *v)
{
	struct vp_spare *s = v->spare;
	struct vp_spares *p = s->pool;

	pthread_mutex_lock(&p->lock);
	while (s->busy && s->dev == v)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	v->spare = NULL;
}

int vp_spares_free(struct vm *vm)
{
	struct vp_spares *p = vm->spares;
	int i, n = 0;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nr; i++)
		n += !p->s[i].busy;
	pthread_mutex_unlock(&p->lock);
	return n;
}

LKVM_INIT(INIT_BUS, vp_spares_init, vp_spares_exit)
