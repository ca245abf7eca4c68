/* Events for the control socket's subscribers (kvm/ctl_events.c): a
 * bounded ring that any thread posts to without waiting on a subscriber
 * (a full ring drops the oldest event), drained by the control thread;
 * and each subscriber's bounded output buffer (a subscriber that does not
 * read is dropped, it never holds up the VM). */
#ifndef LKVM_KVM_CTL_EVENTS_H
#define LKVM_KVM_CTL_EVENTS_H

#include <pthread.h>
#include "lkvm/util.h"

#define CTL_EV_LINE	256	/* longest event line */
#define CTL_EV_RING	32	/* events waiting for the control thread */
#define CTL_SUB_MAX	(64 * 1024)	/* unsent bytes a subscriber may owe */

struct ctl_events {
	pthread_mutex_t lock;
	int efd;		/* readable while events wait */
	char line[CTL_EV_RING][CTL_EV_LINE];
	u32 head, count;
	u64 lost;		/* dropped because the ring was full */
};

/* 0, or -1 (no eventfd). */
int ctl_events_init(struct ctl_events *e);
void ctl_events_destroy(struct ctl_events *e);
/* Queues one line (cut to CTL_EV_LINE - 1 bytes, newline kept); any
 * thread. */
void ctl_events_post(struct ctl_events *e, const char *line);
/* Takes the oldest line into buf[CTL_EV_LINE]; its length, 0 if none. */
size_t ctl_events_take(struct ctl_events *e, char *buf);

/* An output buffer: bytes [off, len) of p are still to be sent. */
struct ctl_buf {
	char *p;
	size_t len, off;
};

/* Appends n bytes unless more than max would then be unsent: 0, or -1
 * (the caller drops the subscriber; b is left as it was). */
int ctl_buf_append(struct ctl_buf *b, const char *s, size_t n, size_t max);
void ctl_buf_free(struct ctl_buf *b);

#endif
