/* The VM's control socket: a Unix socket named after the VM under
 * $XDG_RUNTIME_DIR/lkvm/ or $HOME/.lkvm/, answering JSON request lines
 * (kvm/ctl_msg.h) such as {"cmd": "stat", "what": "vfio"} from `lkvm
 * stat` with one JSON line each, and sending events to subscribers.
 *
 * A VM owns its name through NAME.lock (flock'ed for its lifetime) next to
 * NAME.sock; whoever holds the lock may replace or remove a stale socket.
 * Requests are served by a thread of control.c that holds no lock of its
 * own while a provider writes its report, so providers may take theirs. */
#ifndef LKVM_KVM_CONTROL_H
#define LKVM_KVM_CONTROL_H

#include <getopt.h>
#include <stdio.h>
#include "lkvm/util.h"

struct vm;
struct control;

/* A provider writes its report for `topic` (e.g. "vfio") to out. It is
 * called from the control thread, between control_start and control_stop. */
struct control_stat {
	const char *topic;
	void (*show)(struct vm *vm, FILE *out);
	struct control_stat *next;
};

#define CTL_MAX_FDS	2	/* fds a request may pass (SCM_RIGHTS) */

struct ctl_req;

/* A request the control thread hands to the main thread, which owns the
 * vCPUs' pause, snapshots, stop and debug. The answer is one JSON line
 * (ctl_put_ok ... ctl_put_end, or ctl_put_error). */
struct ctl_job {
	const struct ctl_req *req;
	int *fds;		/* passed with it; closed by control.c
				 * unless a job takes one (sets it -1) */
	int nfds;
	FILE *out;
	struct control *ctl;	/* for events (control_event) */
};

/* Main thread: an eventfd readable while a job waits (-1 for NULL c). */
int control_job_fd(struct control *c);
/* Main thread: runs the waiting job (if any) with run, then lets the
 * control thread send its answer. */
void control_run_job(struct control *c, struct vm *vm,
		     void (*run)(struct vm *vm, struct ctl_job *job));

/* Sends event ev ("paused", "resumed", "stopped"; and for devices
 * "device-added", "device-removed" with the device in detail) to the
 * subscribers; any thread, never waits for them. NULL c is a no-op. */
void control_event(struct control *c, const char *ev, const char *detail);
/* Main thread, in a job that waits for the guest (a removal): lets `lkvm
 * stat` and `info` be answered meanwhile (vm->ctl_lock); the job takes it
 * back before it changes a device. No-ops outside a job. */
void control_job_wait_begin(struct vm *vm);
void control_job_wait_end(struct vm *vm);

/* Adds a provider; safe while the control thread runs. */
void control_register_stat(struct control_stat *s);
/* Removes it; not while the control thread runs. */
void control_unregister_stat(struct control_stat *s);
/* Whether a provider for topic is registered. */
bool control_has_topic(const char *topic);
/* Writes every provider's report for topic; returns how many there were. */
int control_show(struct vm *vm, const char *topic, FILE *out);

/* The socket and name-lock files of c (--user's reaper removes them):
 * 0, or -1 when this VM has no socket. */
int control_files(const struct control *c, const char **sock,
		  const char **lock);

/*
 * Claims vm->name and listens on its socket; requests wait until
 * control_start. Returns 0 with *cp set; 0 with *cp NULL when there is no
 * usable control directory (warned: the VM runs without a socket); -1
 * (error printed) when the name is invalid or taken, or a file that is
 * not lkvm's is in the way.
 */
int control_open(struct vm *vm, struct control **cp);
/* Starts answering requests, from a thread; call once the VM's devices and
 * vCPUs exist. NULL is a no-op. */
void control_start(struct control *c);
/* Stops and joins the thread (waiting at most a second for a provider),
 * removes the socket if it still is ours, releases the name and frees c.
 * NULL is a no-op. */
void control_stop(struct control *c);

/* Why name cannot be a VM name ("is empty", "contains '/'"...), or NULL. */
const char *control_name_invalid(const char *name);
/* Writes len bytes to out, every byte other than printable ASCII, \n and
 * \t as \xNN, so that a peer's bytes never drive the terminal. */
void control_write_escaped(FILE *out, const void *buf, size_t len);

/* `lkvm stat [--vfio] [--name NAME]`: client side. Returns exit status. */
int control_stat_cmd(int argc, char **argv);

/* Client side of the other commands: sends request r (with nfds fds) to
 * the VM named name (NULL: the only one running) and reads its answer
 * line (within secs) into *answer (malloc'ed, without '\n'). An
 * {"error": ...} answer is printed ("CMD: message") and returns 1, as
 * does any failure (printed); 0 for an answer that is not an error. */
int control_request(const char *cmd, const char *name,
		    const struct ctl_req *r, const int *fds, int nfds, int secs,
		    char **answer);
/* The string member key of a JSON answer line into buf[len]; 0 or -1. */
int control_answer_str(const char *answer, const char *key, char *buf,
		       size_t len);

/* The options every VM command shares: --name N, --help, and the
 * command's own in extra (getopt_long entries; their val is returned to
 * opt(arg, val, optarg), which returns 0, or -1 for a bad use). Returns
 * -1 to go on (optind at the first operand), else the exit status (the
 * usage printed for --help, 2 for a bad option or --name). */
struct ctl_opts {
	const char *cmd;		/* "lkvm stat" */
	const char *usage;
	const char *name;		/* --name, NULL if not given */
	const struct option *extra;	/* ends with { 0 }; may be NULL */
	int (*opt)(void *arg, int val, const char *optarg);
	void *arg;
};
int control_parse_opts(struct ctl_opts *o, int argc, char **argv);
/* Calls fn(arg, name) for each running VM in name order (stale sockets
 * removed); returns how many. */
int control_each_vm(void (*fn)(void *arg, const char *name), void *arg);
/* The only running VM's name into name[len]; 0, or 1 (error printed:
 * none, or several with their names). */
int control_pick_vm(const char *cmd, char *name, size_t len);

/* `lkvm list [--json]`: client side. Returns the exit status. */
int control_list_cmd(int argc, char **argv);
/* `lkvm stop` and `lkvm debug` (kvm/ctl_cmds.c): exit statuses. */
int lkvm_cmd_stop(int argc, char **argv);
int lkvm_cmd_debug(int argc, char **argv);
/* Main thread: runs a job of the control thread (kvm/ctl_jobs.c). */
void ctl_run_job(struct vm *vm, struct ctl_job *job);

/* The control directory: $XDG_RUNTIME_DIR/lkvm, else $HOME/.lkvm. Returns
 * 0, -ENOENT with neither variable set, or -ENAMETOOLONG. */
int control_dir(char *buf, size_t len);

#endif
