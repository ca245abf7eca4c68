/* Shared between the control socket's files (kvm/control.c: names, the
 * VM side's lifetime and jobs; kvm/ctl_server.c: the thread serving
 * clients; kvm/ctl_client.c: the commands' side): the per-VM state and
 * the path helpers. Not for other subsystems: they use kvm/control.h. */
#ifndef LKVM_KVM_CTL_INTERNAL_H
#define LKVM_KVM_CTL_INTERNAL_H

#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include "kvm/control.h"
#include "kvm/ctl_events.h"
#include "kvm/ctl_msg.h"

#define SOCK_SUFFIX	".sock"
#define LOCK_SUFFIX	".lock"
#define NAME_MAX_LEN	64
#define PATH_LEN	256
#define SUN_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)
#define MAX_CLIENTS	16	/* served at once; more evict the oldest */
#define CLIENT_MS	5000	/* a client's time to ask and read the answer */
#define STAT_TIMEOUT_S	5	/* how long a command waits for an answer */
#define REFUSED		"refused: "	/* an answer to a peer of another uid */

struct client {
	int fd;			/* -1: free slot */
	size_t len;		/* bytes in req */
	char req[CTL_REQ_MAX + 1];
	bool skip;		/* discarding the rest of a too long line */
	bool eof;		/* closed its end: close once out is sent */
	bool sub;		/* a subscriber: events, no deadline */
	bool waiting;		/* for the main thread: its job runs, or its
				 * next line needs it while another's runs */
	bool job;		/* the main thread has its job and its fds:
				 * the slot stays taken even if it closes */
	struct ctl_buf out;	/* answers and events still to send */
	int fds[CTL_MAX_FDS];	/* passed with the request (SCM_RIGHTS) */
	int nfds;
	u64 deadline;		/* now_ns() after which it is dropped */
};

struct control {
	struct vm *vm;
	int lfd, lock_fd, stop_efd;
	uid_t uid;		/* ours: peers of this uid (or root) are served */
	bool bound;		/* sock is the socket we bound (dev, ino) */
	bool started;
	dev_t dev;
	ino_t ino;
	pthread_t thread;
	/* a request for the main thread: job, then job_efd; done_efd back */
	pthread_mutex_t job_lock;
	struct ctl_job *job;
	int job_efd, done_efd;
	/* the job the main thread has (ctl_server.c): its client waits while
	 * the others are served; its request and answer live here */
	struct client *job_cl;
	struct ctl_req job_req;
	struct ctl_job job_slot;
	FILE *job_out;
	char *job_text;
	size_t job_len;
	struct ctl_events ev;
	char dir[PATH_LEN], sock[PATH_LEN], lock[PATH_LEN];
	struct client cl[MAX_CLIENTS];
};

/* kvm/ctl_server.c: the thread's body. */
void *ctl_server_thread(void *arg);

/* kvm/control.c: dir/name+suffix into buf[PATH_LEN]; -1 if too long for a
 * socket address. */
int ctl_name_path(const char *dir, const char *name, const char *suffix,
		  char *buf);
void ctl_copy_str(char *dst, size_t len, const char *src);
void ctl_sock_addr(const char *path, struct sockaddr_un *a);
bool ctl_is_socket(const char *path);
/* 1: something listens at path, 0: a stale socket, -1: nothing there. */
int ctl_probe(const char *path);
/* Removes a stale socket unless a VM holds its name (NAME.lock). */
void ctl_remove_stale(const char *sock, const char *lock);

#endif
