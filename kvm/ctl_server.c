/* The control socket's server thread (include/kvm/ctl_internal.h):
 * accepting peers of our uid, reading request lines (bounded: a longer
 * line is answered with an error and skipped), answering each with one
 * JSON line, handing requests on vCPUs and devices to the main thread
 * one at a time (the other clients are served meanwhile; one asking for
 * another such request waits its turn), and sending events to subscribers. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kvm/ctl_internal.h"
#include "kvm/json.h"
#include "kvm/seccomp.h"
#include "kvm/vm.h"

static void client_fds_close(struct client *cl)
{
	while (cl->nfds)
		if (cl->fds[--cl->nfds] >= 0)	/* -1: a job took it */
			close(cl->fds[cl->nfds]);
}

/* A client whose job the main thread runs keeps its passed fds (the job
 * may be using them) and its slot until job_done. */
static void client_close(struct client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	if (!cl->job)
		client_fds_close(cl);
	ctl_buf_free(&cl->out);
	cl->fd = -1;
	cl->len = 0;
	cl->skip = cl->eof = cl->sub = false;
	cl->waiting = cl->job;
}

static u64 client_deadline(void)
{
	return now_ns() + CLIENT_MS * 1000000ULL;
}

/* Hands r (cl's, with its fds) to the main thread; the answer is sent
 * when done_efd says it is written (job_done). Meanwhile cl waits and
 * the other clients are served. False when no memory for the answer. */
static bool start_job(struct control *c, struct client *cl,
		      const struct ctl_req *r)
{
	c->job_text = NULL;
	c->job_len = 0;
	c->job_out = open_memstream(&c->job_text, &c->job_len);
	if (!c->job_out)
		return false;
	c->job_req = *r;
	c->job_slot = (struct ctl_job){ .req = &c->job_req, .fds = cl->fds,
					.nfds = cl->nfds, .out = c->job_out };
	c->job_cl = cl;
	cl->waiting = cl->job = true;
	pthread_mutex_lock(&c->job_lock);
	c->job = &c->job_slot;
	pthread_mutex_unlock(&c->job_lock);
	eventfd_write(c->job_efd, 1);
	return true;
}

/* stat and info: the providers' text (info: and its JSON object). A stat
 * without a topic shows vfio when the VM has a VFIO device, vm otherwise. */
static void answer_show(struct control *c, struct ctl_req *r, FILE *out)
{
	const char *topic;

	if (r->cmd == CTL_STAT && !r->what[0])
		strcpy(r->what, control_has_topic("vfio") ? "vfio" : "vm");
	topic = r->cmd == CTL_INFO ? "info" : r->what;
	char *text = NULL, *json = NULL;
	size_t len = 0, jlen = 0;
	FILE *f = open_memstream(&text, &len);
	int n = 0;

	pthread_mutex_lock(&c->vm->ctl_lock);	/* no device comes or goes */
	if (f)
		n = control_show(c->vm, topic, f);
	if (n && r->cmd == CTL_INFO) {
		FILE *j = open_memstream(&json, &jlen);

		if (j) {
			control_show(c->vm, "info-json", j);
			fclose(j);
		}
	}
	pthread_mutex_unlock(&c->vm->ctl_lock);
	if (f)
		fclose(f);
	if (!n) {
		ctl_put_error(out, r->cmd == CTL_INFO ? "no information" :
			      "no statistics for '%s'", r->what);
	} else {
		ctl_put_ok(out, r->cmd);
		if (r->cmd == CTL_STAT)
			fprintf(out, ", \"what\": \"%s\"", r->what);
		while (jlen && json[jlen - 1] == '\n')
			jlen--;
		if (jlen)
			fprintf(out, ", \"vm\": %.*s", (int)jlen, json);
		fputs(", \"text\": ", out);
		json_put_mem(out, text, len);
		ctl_put_end(out);
	}
	free(text);
	free(json);
}

/* Answers one request line (NULL: a line too long) into out; true when
 * it is for the main thread instead, parsed into r and not answered. */
static bool handle_request(struct control *c, struct client *cl,
			   const char *line, struct ctl_req *r, FILE *out)
{
	char err[256];

	if (!line) {
		ctl_put_error(out, "request longer than %d bytes",
			      CTL_REQ_MAX - 1);
		return false;
	}
	if (ctl_req_parse(line, strlen(line), r, err, sizeof(err))) {
		ctl_put_error(out, "%s", err);
		return false;
	}
	if (ctl_cmd_on_main(r->cmd))
		return true;
	if (r->cmd == CTL_SUBSCRIBE) {
		cl->sub = true;
		cl->deadline = UINT64_MAX;
		ctl_put_ok(out, r->cmd);
		ctl_put_end(out);
		return false;
	}
	answer_show(c, r, out);
	return false;
}

/* Sends what it can of the client's output; closes it when it is gone,
 * or when all is sent after its end closed. */
static void send_rest(struct client *cl)
{
	struct ctl_buf *b = &cl->out;
	ssize_t n;

	while (b->off < b->len) {
		n = send(cl->fd, b->p + b->off, b->len - b->off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_close(cl);
			return;
		}
		b->off += n;
	}
	ctl_buf_free(b);
	if (cl->eof && !cl->waiting)	/* a waiting line still to answer */
		client_close(cl);
}

/* Closes f, the memstream of *text and *len, and queues that answer on
 * cl (closed instead when there is none or no room). */
static void put_answer(struct client *cl, FILE *f, char **text, size_t *len)
{
	bool bad = fclose(f) || !*text ||
		   ctl_buf_append(&cl->out, *text, *len, SIZE_MAX);

	client_fds_close(cl);
	free(*text);
	*text = NULL;
	if (bad)
		client_close(cl);
	else if (!cl->sub)
		cl->deadline = client_deadline();
}

/* Answers line, or hands it to the main thread. False when it is not
 * taken: it needs the main thread while another client's job runs, and
 * waits in cl->req for job_done. */
static bool answer(struct control *c, struct client *cl, const char *line)
{
	struct ctl_req r;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		client_close(cl);
		return true;
	}
	if (handle_request(c, cl, line, &r, f)) {
		fclose(f);
		free(text);
		if (c->job_cl) {
			cl->waiting = true;
			return false;
		}
		if (!start_job(c, cl, &r))
			client_close(cl);
		return true;
	}
	put_answer(cl, f, &text, &len);
	return true;
}

/* Keeps the fds passed with a request (at most CTL_MAX_FDS; others are
 * closed). */
static void take_fds(struct client *cl, struct msghdr *mh)
{
	struct cmsghdr *cm;
	int *fd, i, n;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fd = (int *)CMSG_DATA(cm);
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (cl->nfds < CTL_MAX_FDS)
				cl->fds[cl->nfds++] = fd[i];
			else
				close(fd[i]);
		}
	}
}

static ssize_t recv_fds(struct client *cl)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CTL_MAX_FDS)];
	} u;
	struct iovec iov = { cl->req + cl->len, CTL_REQ_MAX - cl->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u) };
	ssize_t n = recvmsg(cl->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n >= 0)
		take_fds(cl, &mh);
	return n;
}

/* Answers every complete line in req, keeping what follows the last. */
static void take_lines(struct control *c, struct client *cl)
{
	char *nl;
	size_t used;
	bool cr;

	while (cl->fd >= 0 && !cl->waiting &&
	       (nl = memchr(cl->req, '\n', cl->len))) {
		*nl = 0;
		used = nl + 1 - cl->req;
		cr = nl > cl->req && nl[-1] == '\r';
		if (cr)
			nl[-1] = 0;
		if (!cl->skip && !answer(c, cl, cl->req)) {
			*nl = '\n';	/* not taken: again after job_done */
			if (cr)
				nl[-1] = '\r';
			return;
		}
		cl->skip = false;
		memmove(cl->req, cl->req + used, cl->len - used);
		cl->len -= used;
		cl->req[cl->len] = 0;
	}
	if (cl->fd >= 0 && !cl->waiting && cl->len == CTL_REQ_MAX) {
		if (!cl->skip)
			answer(c, cl, NULL);	/* too long: skip to its end */
		cl->skip = true;
		cl->len = 0;
	}
}

/* Answers the client's complete lines (and, after its end, a last one
 * without '\n'), sends what it can, closes it when it is done. Stops at a
 * line for the main thread while a job runs (job_done comes back). */
static void process(struct control *c, struct client *cl)
{
	take_lines(c, cl);
	if (cl->fd >= 0 && cl->eof && !cl->waiting && cl->len) {
		if (!cl->skip && !answer(c, cl, cl->req))
			return;
		cl->len = 0;
	}
	if (cl->fd >= 0)
		send_rest(cl);
	if (cl->fd >= 0 && cl->eof && !cl->waiting &&
	    cl->out.off == cl->out.len)
		client_close(cl);
}

/* Reads what the client sent and answers it (process). */
static void read_request(struct control *c, struct client *cl)
{
	ssize_t n = recv_fds(cl);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_close(cl);
		return;
	}
	cl->len += n;
	cl->req[cl->len] = 0;
	if (!n)
		cl->eof = true;
	process(c, cl);
}

/* A waiting client is not read: its job holds its fds, or its next line
 * waits; what it has to send still goes. */
static void client_io(struct control *c, struct client *cl, short revents)
{
	if (cl->out.off < cl->out.len)
		send_rest(cl);
	else if (!cl->waiting && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_request(c, cl);
}

/* The job's answer to its client (unless it went away meanwhile: then
 * only the fds it passed are closed); no job runs after. */
static void job_answer(struct control *c)
{
	struct client *cl = c->job_cl;

	c->job_cl = NULL;
	cl->waiting = cl->job = false;
	if (cl->fd >= 0) {
		put_answer(cl, c->job_out, &c->job_text, &c->job_len);
	} else {
		client_fds_close(cl);
		fclose(c->job_out);
		free(c->job_text);
		c->job_text = NULL;
	}
	c->job_out = NULL;
}

/* The main thread answered the job: its client gets the answer, then every
 * waiting client (its own included) goes on with its lines. */
static void job_done(struct control *c)
{
	struct client *cl = c->job_cl;
	eventfd_t v;
	int i;

	if (eventfd_read(c->done_efd, &v) || !cl)
		return;
	job_answer(c);
	if (cl->fd >= 0)
		process(c, cl);
	for (i = 0; i < MAX_CLIENTS && !c->job_cl; i++) {
		struct client *w = &c->cl[i];

		if (w->fd < 0 || !w->waiting)
			continue;
		w->waiting = false;
		process(c, w);
	}
}

/* The main thread has left its loop (control_stop): a job it did not take
 * is answered that the VM is stopping. */
static void job_abandon(struct control *c)
{
	struct client *cl = c->job_cl;

	if (!cl)
		return;
	pthread_mutex_lock(&c->job_lock);
	c->job = NULL;
	pthread_mutex_unlock(&c->job_lock);
	ctl_put_error(c->job_out, "the VM is stopping");
	job_answer(c);
	if (cl->fd >= 0)
		send_rest(cl);
}

/* Takes a new client into a free slot, else into the oldest client's. */
static void client_add(struct control *c, int fd)
{
	struct client *cl = &c->cl[0];
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		if (c->cl[i].job)	/* its slot stays until job_done */
			continue;
		if (c->cl[i].fd < 0) {
			cl = &c->cl[i];
			break;
		}
		if (cl->job || c->cl[i].deadline < cl->deadline)
			cl = &c->cl[i];
	}
	client_close(cl);
	cl->fd = fd;
	cl->deadline = client_deadline();
}

/* Only our uid and root may ask: others get an error and are closed. */
static bool peer_allowed(struct control *c, int fd)
{
	static const char msg[] = "{\"error\": \"" REFUSED "this VM's control "
				  "socket serves only its owner's uid and "
				  "root\"}\n";
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) &&
	    (cr.uid == c->uid || cr.uid == 0))
		return true;
	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0;	/* gone already: nothing to tell */
	close(fd);
	return false;
}

static void accept_clients(struct control *c)
{
	int i, fd;

	for (i = 0; i < MAX_CLIENTS; i++) {
		fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			if (peer_allowed(c, fd))
				client_add(c, fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			usleep(100 * 1000);	/* do not spin on it */
		return;
	}
}

/* Every waiting event to every subscriber; one that owes more than
 * CTL_SUB_MAX bytes is dropped. */
static void deliver_events(struct control *c)
{
	char line[CTL_EV_LINE];
	eventfd_t v;
	size_t n;
	int i;

	eventfd_read(c->ev.efd, &v);
	while ((n = ctl_events_take(&c->ev, line))) {
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *cl = &c->cl[i];

			if (cl->fd < 0 || !cl->sub)
				continue;
			if (cl == c->job_cl) {	/* sent after its job */
				ctl_buf_append(&cl->out, line, n, CTL_SUB_MAX);
				continue;
			}
			if (ctl_buf_append(&cl->out, line, n, CTL_SUB_MAX)) {
				pr_warn("control: dropping a subscriber that "
					"does not read its events");
				client_close(cl);
				continue;
			}
			send_rest(cl);
		}
	}
}

/* Closes clients past their deadline; returns the poll timeout (ms) until
 * the next one, or -1. */
static int drop_idle(struct control *c)
{
	u64 now = now_ns(), next = 0;
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->cl[i];

		if (cl->waiting)
			continue;	/* for the main thread, however long */
		if (cl->fd >= 0 && cl->deadline <= now)
			client_close(cl);
		if (cl->fd >= 0 && !cl->sub && (!next || cl->deadline < next))
			next = cl->deadline;
	}
	return next ? (int)((next - now) / 1000000 + 1) : -1;
}

static void fill_poll(struct control *c, struct pollfd *p)
{
	int i;

	p[0] = (struct pollfd){ .fd = c->stop_efd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = c->ev.efd, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = c->done_efd, .events = POLLIN };
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c->cl[i];
		bool out = cl->out.off < cl->out.len;

		/* not even a waiting client's hang-up: it would spin; the
		 * job's client is left alone (the main thread has its fds) */
		p[4 + i] = (struct pollfd){
			.fd = cl == c->job_cl || (cl->waiting && !out) ?
			      -1 : cl->fd,
			.events = out ? POLLOUT : POLLIN };
	}
}

/* At the end: the last events (the VM stopped) go out if the subscriber's
 * socket takes them at once. */
static void close_all(struct control *c)
{
	int i;

	job_done(c);		/* answered just before the stop */
	job_abandon(c);
	deliver_events(c);
	for (i = 0; i < MAX_CLIENTS; i++)
		client_close(&c->cl[i]);
}

void *ctl_server_thread(void *arg)
{
	struct pollfd p[4 + MAX_CLIENTS];
	struct control *c = arg;
	int i, n;

	sc_enter(SC_CONTROL);
	for (;;) {
		fill_poll(c, p);
		n = poll(p, ARRAY_SIZE(p), drop_idle(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || p[0].revents)
			break;
		for (i = 0; i < MAX_CLIENTS; i++)
			if (p[4 + i].revents && c->cl[i].fd == p[4 + i].fd)
				client_io(c, &c->cl[i], p[4 + i].revents);
		if (p[3].revents)
			job_done(c);
		if (p[2].revents)
			deliver_events(c);
		if (p[1].revents)
			accept_clients(c);
	}
	close_all(c);
	return NULL;
}
