/* The VM's control socket: a Unix socket named after the VM under
 * $XDG_RUNTIME_DIR/lkvm/ or $HOME/.lkvm/, answering one-line requests such
 * as "stat vfio" from `lkvm stat`, with text that subsystems provide.
 *
 * A VM owns its name through NAME.lock (flock'ed for its lifetime) next to
 * NAME.sock; whoever holds the lock may replace or remove a stale socket.
 * Requests are served by a thread of control.c that holds no lock of its
 * own while a provider writes its report, so providers may take theirs. */
#ifndef LKVM_KVM_CONTROL_H
#define LKVM_KVM_CONTROL_H

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

/* Adds a provider; safe while the control thread runs. */
void control_register_stat(struct control_stat *s);
/* Removes it; not while the control thread runs. */
void control_unregister_stat(struct control_stat *s);
/* Writes every provider's report for topic; returns how many there were. */
int control_show(struct vm *vm, const char *topic, FILE *out);

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

/* The control directory: $XDG_RUNTIME_DIR/lkvm, else $HOME/.lkvm. Returns
 * 0, -ENOENT with neither variable set, or -ENAMETOOLONG. */
int control_dir(char *buf, size_t len);

#endif
