/* Subscriber events (include/kvm/ctl_events.h): the ring posted to by any
 * thread and drained by the control thread, and the bounded per-client
 * output buffer. */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kvm/ctl_events.h"

int ctl_events_init(struct ctl_events *e)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	e->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return e->efd < 0 ? -1 : 0;
}

void ctl_events_destroy(struct ctl_events *e)
{
	if (e->efd >= 0)
		close(e->efd);
	e->efd = -1;
	pthread_mutex_destroy(&e->lock);
}

void ctl_events_post(struct ctl_events *e, const char *line)
{
	size_t n = strnlen(line, CTL_EV_LINE - 1);
	char *slot;

	pthread_mutex_lock(&e->lock);
	if (e->count == CTL_EV_RING) {
		e->head = (e->head + 1) % CTL_EV_RING;
		e->count--;
		e->lost++;
	}
	slot = e->line[(e->head + e->count) % CTL_EV_RING];
	memcpy(slot, line, n);
	slot[n] = 0;
	if (n && line[n] && slot[n - 1] != '\n')
		slot[n - 1] = '\n';	/* cut: still one line */
	e->count++;
	pthread_mutex_unlock(&e->lock);
	if (e->efd >= 0)
		eventfd_write(e->efd, 1);
}

size_t ctl_events_take(struct ctl_events *e, char *buf)
{
	size_t n = 0;

	pthread_mutex_lock(&e->lock);
	if (e->count) {
		n = strlen(e->line[e->head]);
		memcpy(buf, e->line[e->head], n + 1);
		e->head = (e->head + 1) % CTL_EV_RING;
		e->count--;
	}
	pthread_mutex_unlock(&e->lock);
	return n;
}

int ctl_buf_append(struct ctl_buf *b, const char *s, size_t n, size_t max)
{
	size_t pending = b->len - b->off;
	char *p;

	if (pending + n > max)
		return -1;
	if (b->off) {
		memmove(b->p, b->p + b->off, pending);
		b->len = pending;
		b->off = 0;
	}
	p = realloc(b->p, b->len + n + 1);
	if (!p)
		return -1;
	memcpy(p + b->len, s, n);
	b->p = p;
	b->len += n;
	p[b->len] = 0;
	return 0;
}

void ctl_buf_free(struct ctl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->off = 0;
}
