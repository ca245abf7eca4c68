/* The control socket's messages (kvm/ctl_msg.c), pure: a request line
 * parsed into struct ctl_req, the response lines ({"ok": true, ...} or
 * {"error": "..."}) and event lines ({"event": "paused", ...}). */
#ifndef LKVM_KVM_CTL_MSG_H
#define LKVM_KVM_CTL_MSG_H

#include <stdio.h>
#include "lkvm/util.h"

#define CTL_REQ_MAX	1024	/* longest request line, with its '\n' */
#define CTL_REQ_TOKENS	24	/* values in one request */
#define CTL_REQ_DEPTH	1	/* a request is a flat object */
#define CTL_TOPIC_MAX	32

enum ctl_cmd {
	CTL_NONE = 0, CTL_STAT, CTL_INFO, CTL_PAUSE, CTL_RESUME, CTL_SNAPSHOT,
	CTL_STOP, CTL_DEBUG, CTL_SUBSCRIBE, CTL_MIGRATE, CTL_VFIO_ADD,
	CTL_VFIO_REMOVE, CTL_DISK_ADD, CTL_DISK_REMOVE,
};

#define CTL_DEV_MAX	256	/* vfio-add's device and options */
#define CTL_CDEV_MAX	16	/* "vfio12345" */
#define CTL_MAX_TIMEOUT_MS	600000

struct ctl_req {
	enum ctl_cmd cmd;
	char what[CTL_TOPIC_MAX];	/* stat: the topic ("vfio", "vm") */
	bool stop;			/* snapshot: the VM stops after it */
	bool force;			/* stop: hard stop at once */
	bool nmi;			/* debug: NMI to every vCPU */
	char sysrq;			/* debug: SysRq key to the console */
	u32 downtime_ms;		/* migrate: budget (0: default) */
	u32 bandwidth_mbps;		/* migrate: cap (0: none) */
	/* disk-add: --disk's value (the image's fd comes with it);
	 * disk-remove: the image's path or "portN", force, timeout_ms.
	 * vfio-add: --vfio's value, the IOMMU group or the cdev whose fds
	 * come with it; vfio-remove: the device, the guest's time (ms) */
	char dev[CTL_DEV_MAX];
	bool has_group;
	u32 group;
	char cdev[CTL_CDEV_MAX];
	u32 timeout_ms;
};

/* Parses one request line (without its '\n'); 0, or -1 with a message
 * for the {"error": ...} response in err. */
int ctl_req_parse(const char *line, size_t len, struct ctl_req *r, char *err,
		  size_t errlen);
/* The request's name ("stat", ...). */
const char *ctl_cmd_name(enum ctl_cmd cmd);
/* Whether the main thread runs it (it touches vCPUs or devices). */
bool ctl_cmd_on_main(enum ctl_cmd cmd);
/* Writes the request line for r (with '\n') into buf[len]; its length,
 * or -1 if it does not fit. */
int ctl_req_format(const struct ctl_req *r, char *buf, size_t len);

/* {"error": "..."} and a newline. */
void ctl_put_error(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* {"ok": true, "cmd": NAME, then the caller's members (each starting
 * with ", "), then ctl_put_end. */
void ctl_put_ok(FILE *out, enum ctl_cmd cmd);
void ctl_put_end(FILE *out);
/* An event line into buf[len]: {"event": EV, "vm": NAME[, "detail": D]}
 * and '\n'; its length, or -1 if it does not fit. */
int ctl_event_format(char *buf, size_t len, const char *ev, const char *vm,
		     const char *detail);

#endif
