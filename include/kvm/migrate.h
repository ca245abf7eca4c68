/* Live migration's stream (kvm/migproto.c, pure): a preamble, then
 * records of type, length and CRC: the source's hello (the snapshot's
 * manifest and the devices' fingerprints), the destination's answer, RAM
 * (data pages and runs of zero pages), devices' pre-copy data, the VM's
 * state (a snapshot state stream), the end marker and the destination's
 * acknowledgment; and the pre-copy policy deciding when to stop the VM and
 * copy the rest. */
#ifndef LKVM_KVM_MIGRATE_H
#define LKVM_KVM_MIGRATE_H

#include <stdbool.h>
#include <sys/socket.h>
#include <linux/kvm.h>
#include "kvm/snapshot.h"
#include "lkvm/util.h"

#define MIG_MAGIC		"LKVMMIGR"	/* 8 bytes, no NUL */
#define MIG_PROTO		2	/* version of this stream (2: devdata) */
#define MIG_PREAMBLE_LEN	16	/* magic, MIG_PROTO, reserved */
#define MIG_HDR_LEN		16	/* type, reserved, CRC, length */
#define MIG_MAX_REC		(64u << 20)	/* largest record accepted */
#define MIG_RAM_BATCH		256	/* pages per RAM record at most */

enum mig_rec {
	MIG_HELLO = 1,		/* source: snapshot stream (manifest, fps) */
	MIG_ANSWER,		/* destination: u32 status, reason string */
	MIG_PAGES,		/* u64 offset, u32 count, count pages */
	MIG_ZEROS,		/* u64 offset, u32 count: pages of zeros */
	MIG_STATE,		/* the paused VM's snapshot state stream */
	MIG_END,		/* source: nothing follows */
	MIG_ACK,		/* destination: u32 status, reason string */
	MIG_DEVDATA,		/* source: devices' pre-copy bytes (u16 BDF,
				 * blob)..., while the VM runs */
	MIG_REC_MAX,
};

/* MIG_ANSWER / MIG_ACK status. */
enum mig_status {
	MIG_OK = 0,
	MIG_REFUSED,		/* handshake: the reason names the field */
	MIG_FAILED,		/* the destination could not load the state */
};

/* The preamble: magic and MIG_PROTO. */
void mig_preamble(u8 out[MIG_PREAMBLE_LEN]);
/* 0, or -1 with err: not an lkvm migration stream, another version. */
int mig_preamble_check(const u8 in[MIG_PREAMBLE_LEN], char *err,
		       size_t errlen);

/* Opens a record of type in b; mig_rec_end fills its length and CRC. */
size_t mig_rec_begin(struct sbuf *b, enum mig_rec type);
void mig_rec_end(struct sbuf *b, size_t handle);
/* A whole status record (MIG_ANSWER or MIG_ACK). */
void mig_put_status(struct sbuf *b, enum mig_rec type, enum mig_status st,
		    const char *reason);

struct mig_hdr {
	enum mig_rec type;
	u32 crc;
	u64 len;
};

/* A record header: 0, or -1 with err (unknown type, longer than max). */
int mig_hdr_parse(const u8 in[MIG_HDR_LEN], struct mig_hdr *h, u64 max,
		  char *err, size_t errlen);
/* The payload's CRC against h: 0, or -1 with err. */
int mig_payload_check(const struct mig_hdr *h, const void *p, char *err,
		      size_t errlen);
/* A status record's payload into *st and reason[len]: 0 or -1. */
int mig_get_status(const void *p, size_t n, enum mig_status *st,
		   char *reason, size_t len);
const char *mig_rec_name(enum mig_rec type);

/* RAM pages [first, first + count) of ram (page_size each) as records:
 * runs of zero pages as MIG_ZEROS, the others as MIG_PAGES of at most
 * MIG_RAM_BATCH pages. Returns the bytes of page data added. */
u64 mig_put_ram(struct sbuf *b, const u8 *ram, u64 page_size, u64 first,
		u64 count);
/* Applies a MIG_PAGES or MIG_ZEROS payload to ram[ram_size]: 0, or -1
 * with err (outside RAM, a length not matching the count). */
int mig_apply_ram(u8 *ram, u64 ram_size, u64 page_size, enum mig_rec type,
		  const u8 *p, size_t n, char *err, size_t errlen);

/* The pre-copy policy: after a pass, copy again or stop the VM? */
struct mig_policy {
	u64 max_downtime_ms;	/* budget for the stopped phase */
	u32 max_passes;		/* then stop whatever remains */
	u64 bandwidth;		/* bytes/s cap (0: none) */
};

struct mig_pass {
	u32 pass;		/* passes done (1 after the first full copy) */
	u64 remaining;		/* bytes dirty now */
	u64 prev_remaining;	/* ...after the pass before (pass > 1) */
	u64 measured;		/* bytes/s the link moved in the last pass */
	u64 state_bytes;	/* estimate of the device/vCPU state */
};

#define MIG_DEFAULT_DOWNTIME_MS	300
#define MIG_DEFAULT_PASSES	30
#define MIG_STALL_PASSES	3	/* passes before a stall may stop it */

/* The downtime the stop-and-copy would take now, in ms (the rate is the
 * measured one, capped by the bandwidth; an unknown rate: UINT64_MAX). */
u64 mig_expected_downtime(const struct mig_policy *p, const struct mig_pass *s);
/* True when the VM should stop now: the rest fits the budget, the passes
 * are used up, or pre-copy stalls (from MIG_STALL_PASSES on, a pass that
 * shrank the rest by less than a tenth: the guest dirties as fast as the
 * link sends, more passes would not shorten the downtime). */
bool mig_should_stop(const struct mig_policy *p, const struct mig_pass *s);

/* kvm/migdirty.c. KVM_CHECK_EXTENSION(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)'s
 * answer: the KVM_ENABLE_CAP argument that makes KVM_GET_DIRTY_LOG leave
 * its bits (KVM_CLEAR_DIRTY_LOG re-arms what pre-copy took), or 0: none,
 * KVM_GET_DIRTY_LOG clears as it reads. */
u64 mig_manual_protect_arg(int check);
/* ORs bits[words] into acc; returns the pages now set in acc. */
u64 mig_merge_dirty(u64 *acc, const u64 *bits, u64 words);
/* The next KVM_CLEAR_DIRTY_LOG of a slot of pages whose taken bits are
 * bits, from page *next on (a multiple of 64): a run of non-zero 64-page
 * words, at most max_pages (KVM: first_page a multiple of 64, num_pages
 * too unless the run ends the slot); c's slot is the caller's. False when
 * no bit is left; *next moves past the run. */
#define MIG_CLEAR_MAX_PAGES	(1u << 31)
bool mig_clear_next(const u64 *bits, u64 pages, u64 max_pages, u64 *next,
		    struct kvm_clear_dirty_log *c);

/* -m/--mem and -c/--cpus among the destination's n arguments in[]: what
 * it expects of the incoming VM (ram_size bytes, nr_cpus). The other
 * arguments go to rest[*nrest]. 0, or -1 with err naming the field and
 * both values (or a bad value). */
int mig_expect_args(int n, char **in, char **rest, int *nrest, u64 ram_size,
		    u32 nr_cpus, char *err, size_t errlen);

/* "unix:PATH" or "tcp:HOST:PORT" into its parts: 0, or -1 with err.
 * HOST is an IPv4 or IPv6 literal ([::1] too) or localhost: lkvm is one
 * static binary and resolves no names. */
struct mig_addr {
	bool tcp;
	char path[108];		/* sun_path */
	char host[256];
	char port[8];
	struct sockaddr_storage sa;	/* tcp: HOST:PORT as a socket address */
	socklen_t salen;
};
int mig_addr_parse(const char *s, struct mig_addr *a, char *err,
		   size_t errlen);

/* ---- the VM side (kvm/migrate.c, kvm/incoming.c) ---- */

struct vm;
struct ctl_job;
struct lkvm_config;

/* A record from fd (each read waits at most ms): its header and payload
 * (malloc'ed, CRC checked). 0, or -1 with err (closed, silent, corrupt). */
int mig_read_rec(int fd, int ms, u64 max, struct mig_hdr *h, u8 **payload,
		 char *err, size_t errlen);
/* Reads len bytes: 0, or -errno (-EPIPE at EOF, -ETIMEDOUT). */
int mig_read_full(int fd, void *buf, size_t len, int ms);
/* Writes buf[len] to fd; 0 or -errno (-ETIMEDOUT). */
int mig_write_all(int fd, const void *buf, size_t len, int ms);

/* The `migrate` request (main thread): fds[0] the connection to the
 * destination, fds[1] (optional) where progress lines go. Answers with
 * the summary and ends the VM (status 0) once the destination has it;
 * else the error, the VM running on. */
void mig_control(struct vm *vm, struct ctl_job *job);

/* `lkvm run --incoming ADDR [options]` (argv[0] "run", argv[at] the
 * option): waits for one VM, checks its hello, runs it. Exit status. */
int mig_cmd_incoming(int argc, char **argv, int at,
		     void (*adjust)(struct lkvm_config *));
/* lkvm_run's part: answers the hello, receives RAM and state into the
 * built VM before its vCPUs start. 0, or -1 (printed). */
int mig_receive(struct vm *vm);

/* `lkvm migrate`: the client. Exit status. */
int lkvm_cmd_migrate(int argc, char **argv);

#endif
