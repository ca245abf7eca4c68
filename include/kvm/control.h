/* The VM's control socket: a Unix socket named after the VM under
 * $XDG_RUNTIME_DIR/lkvm/ or $HOME/.lkvm/, answering one-line requests such
 * as "stat vfio" from `lkvm stat`, with text that subsystems provide. */
#ifndef LKVM_KVM_CONTROL_H
#define LKVM_KVM_CONTROL_H

#include <stdio.h>
#include "lkvm/util.h"

struct vm;

/* A provider writes its report for `topic` (e.g. "vfio") to out. */
struct control_stat {
	const char *topic;
	void (*show)(struct vm *vm, FILE *out);
	struct control_stat *next;
};

void control_register_stat(struct control_stat *s);
/* Writes every provider's report for topic; returns how many there were. */
int control_show(struct vm *vm, const char *topic, FILE *out);

/* Socket path for a VM name; returns 0 or -1 (no usable directory). */
int control_path(const char *name, char *buf, size_t len);
/* Creates and listens; returns the fd or -1 (error printed). */
int control_listen(const char *name, char *path, size_t len);
/* Serves one connection on the listening fd. */
void control_serve(struct vm *vm, int lfd);
void control_close(int lfd, const char *path);

/* `lkvm stat [--vfio] [--name NAME]`: client side. Returns exit status. */
int control_stat_cmd(int argc, char **argv);

#endif
