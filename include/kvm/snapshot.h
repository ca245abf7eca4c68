/* Snapshots: the stream format (kvm/snapfmt.c, pure: a file header, then
 * sections of type, instance, version, length and CRC, ending with "end"),
 * the byte codec every owner writes its payload with, and the registry of
 * state owners that kvm/snapshot.c calls to save and restore a paused VM. */
#ifndef LKVM_KVM_SNAPSHOT_H
#define LKVM_KVM_SNAPSHOT_H

#include <stdbool.h>
#include "lkvm/util.h"

struct vm;
struct state_desc;

#define SNAP_MAGIC		"LKVMSNAP"	/* 8 bytes, no NUL */
#define SNAP_FORMAT		1	/* version of the framing */
#define SNAP_TYPE_LEN		24	/* section type, NUL-padded */
#define SNAP_STATE_FILE		"state"
#define SNAP_RAM_FILE		"ram"
#define SNAP_MAX_STATE		(64u << 20)	/* largest state file read */
#ifdef __x86_64__
#define SNAP_ARCH		"x86_64"
#else
#define SNAP_ARCH		"arm64"
#endif

/* ---- writing (a growable buffer; oom is sticky) ---- */

struct sbuf {
	u8 *p;
	size_t len, cap;
	bool oom;
};

void sb_put(struct sbuf *b, const void *data, size_t len);
void sb_u8(struct sbuf *b, u8 v);
void sb_u16(struct sbuf *b, u16 v);
void sb_u32(struct sbuf *b, u32 v);
void sb_u64(struct sbuf *b, u64 v);
/* u32 length, then the bytes. */
void sb_blob(struct sbuf *b, const void *data, u32 len);
void sb_str(struct sbuf *b, const char *s);
/* A state description's record: name, version, length, then the fields
 * state_save() writes of obj. */
void sb_state(struct sbuf *b, const struct state_desc *d, const void *obj);
void sb_free(struct sbuf *b);

/* CRC-32 (IEEE 802.3) of p[len]: the sections' and migration records'. */
u32 snap_crc32(const u8 *p, size_t len);

/* True when the len bytes at p (8-byte aligned, len a multiple of 8) are
 * all zero: RAM pages left out of snapshots and migration streams. */
bool snap_zero(const void *p, size_t len);

/* The file header (magic, SNAP_FORMAT). */
void snap_begin(struct sbuf *b);
/* Opens a section; returns the handle snap_sec_end takes. */
size_t snap_sec_begin(struct sbuf *b, const char *type, u32 inst, u16 ver);
/* Fills in the section's length and CRC. */
void snap_sec_end(struct sbuf *b, size_t handle);
/* The closing "end" section. */
void snap_end(struct sbuf *b);

/* ---- reading (bounds-checked; bad is sticky) ---- */

struct sreader {
	const u8 *p;
	size_t len, off;
	bool bad;		/* read past the end, or a malformed value */
};

void sr_init(struct sreader *r, const void *p, size_t len);
void sr_get(struct sreader *r, void *out, size_t len);
u8 sr_u8(struct sreader *r);
u16 sr_u16(struct sreader *r);
u32 sr_u32(struct sreader *r);
u64 sr_u64(struct sreader *r);
/* A sb_blob: points into the input; *len its length (0 and bad when it
 * overruns). */
const u8 *sr_blob(struct sreader *r, u32 *len);
/* A sb_str into out[len] (bad if longer or not NUL-free). */
void sr_str(struct sreader *r, char *out, size_t len);
/* Reads a sb_state record into obj (tables allocated already). Returns 0,
 * or -1 with err naming the record: another description, a newer version,
 * a length that does not fit obj. */
int sr_state(struct sreader *r, const struct state_desc *d, void *obj,
	     char *err, size_t errlen);
/* True when every byte was read and nothing was bad. */
bool sr_done(const struct sreader *r);

struct snap_sec {
	char type[SNAP_TYPE_LEN + 1];
	u32 inst;
	u16 ver;
	const u8 *data;
	u64 len;
};

/* Checks the file header of buf[len]; 0, or -1 with err (not a snapshot,
 * another framing version). r then stands after the header. */
int snap_open(struct sreader *r, const void *buf, size_t len, char *err,
	      size_t errlen);
/* The next section: 1, 0 at the "end" section (nothing may follow), -1
 * with err (truncated, CRC mismatch, no "end"). */
int snap_next(struct sreader *r, struct snap_sec *s, char *err, size_t errlen);

/* ---- the manifest: the first section, "manifest", key=value lines ---- */

#define SNAP_MAX_ARGS	128

struct snap_manifest {
	u32 format;
	char arch[16];
	u64 page_size;
	char version[32];	/* lkvm's */
	u64 ram_size;
	u32 nr_cpus;
	int argc;		/* the `lkvm run` arguments, argv[0] "run" */
	char *argv[SNAP_MAX_ARGS];
	char *store;		/* what argv points into (malloc'ed) */
};

/* Writes m as the "manifest" section. Arguments containing '\n' are
 * refused: -1 with err. */
int snap_manifest_put(struct sbuf *b, const struct snap_manifest *m,
		      char *err, size_t errlen);
/* Parses a "manifest" section into m (m->store allocated; free with
 * snap_manifest_free). Returns 0 or -1 with err naming the key. */
int snap_manifest_parse(const struct snap_sec *s, struct snap_manifest *m,
			char *err, size_t errlen);
void snap_manifest_free(struct snap_manifest *m);
/* 0 when this build and host can restore m (format, arch, page size);
 * -1 with err naming the field and both values. */
int snap_manifest_check(const struct snap_manifest *m, const char *arch,
			u64 page_size, char *err, size_t errlen);

/* The arguments of `lkvm run --restore DIR NARGV...` (kvm/snapargs.c):
 * the snapshot's SARGV (SARGV[0] "run") with the n-th --vfio, --disk or
 * --network of NARGV replacing the snapshot's n-th of that kind, and
 * --name, --seccomp, --debug appended. Fills out[max] with pointers into
 * both; returns the count, or -1 with err (an option that cannot change,
 * more devices of a kind than the snapshot has). */
int snap_restore_args(int sargc, char **sargv, int nargc, char **nargv,
		      char **out, int max, char *err, size_t errlen);

/* A VM's run arguments as snapshots record them once its devices changed
 * at run time (kvm/snapargs.c): its own copies of the strings. */
struct snap_args {
	int argc;
	char *argv[SNAP_MAX_ARGS];
	bool lost;		/* a change could not be recorded */
};

/* Copies argv[argc]: 0, or -1 (more than SNAP_MAX_ARGS, out of memory). */
int snap_args_init(struct snap_args *a, int argc, char *const *argv);
void snap_args_free(struct snap_args *a);
/* Appends "OPT VAL" (a device added): 0, or -1 with a unchanged. */
int snap_args_add(struct snap_args *a, const char *opt, const char *val);
/* Removes the first option of OPT's kind (--vfio and --vfio-pci are one
 * kind; any spelling: "--vfio V", "--vfio=V") whose value match() accepts
 * (a device removed): 0, or -1 when none does. */
int snap_args_drop(struct snap_args *a, const char *opt,
		   bool (*match)(const char *val, void *arg), void *arg);

/* ---- state owners ---- */

/* Load order of the owners' sections (save writes them in this order). */
enum snap_order {
	SNAP_ORDER_VM = 0,	/* VM-wide arch state: irqchip, PIT, clock */
	SNAP_ORDER_DEVICE,	/* platform devices, then PCI devices by BDF */
	SNAP_ORDER_VCPU,	/* vCPUs last: LAPIC after the irqchip */
	SNAP_ORDERS,
};

/*
 * An owner saves and restores one kind of state of a paused VM.
 * check (optional): before pausing, may this VM be saved? 0, or -1 with
 *   err naming the device and why (the snapshot is refused, the VM keeps
 *   running, nothing is written).
 * save: writes its sections (snap_sec_begin(b, type, inst, version) ...)
 *   with every vCPU parked; 0 or -1 with err.
 * load: one section of its type, in file order, on a VM built from the
 *   same options whose vCPUs have not run; 0 or -1 with err.
 * quiesce (optional): the vCPUs just parked; stop what could still change
 *   state (devices' interrupts, DMA) before any owner saves; 0 or -1 with
 *   err (the snapshot is refused, everything resumed).
 * resume (optional): the VM runs on after a snapshot was saved (or a save
 *   failed half-way): undo what quiesce and save stopped.
 */
struct snap_owner {
	const char *type;
	enum snap_order order;
	u16 version;		/* newest section version it reads */
	int (*check)(struct vm *vm, char *err, size_t errlen);
	int (*save)(struct vm *vm, struct sbuf *b, char *err, size_t errlen);
	int (*load)(struct vm *vm, const struct snap_sec *s, char *err,
		    size_t errlen);
	int (*quiesce)(struct vm *vm, char *err, size_t errlen);
	void (*resume)(struct vm *vm);
	/* Live migration's handshake (optional): hello writes sections of
	 * what must be equal on the destination (identities, fingerprints);
	 * hello_check compares one of them with the destination's VM, built
	 * but not yet run: 0, or -1 with err naming the field. */
	int (*hello)(struct vm *vm, struct sbuf *b, char *err, size_t errlen);
	int (*hello_check)(struct vm *vm, const struct snap_sec *s, char *err,
			   size_t errlen);
	struct snap_owner *next;
};

void snap_owner_register(struct snap_owner *o);
const struct snap_owner *snap_owner_find(const char *type);
const struct snap_owner *snap_owner_first(void);	/* by order */

#define SNAP_OWNER(id, ...)						\
	static struct snap_owner id = { __VA_ARGS__ };			\
	__attribute__((constructor)) static void id##_reg(void)	\
	{ snap_owner_register(&id); }

/* ---- kvm/snapshot.c: the VM side ---- */

#define SNAP_PAUSE_MS	2000	/* how long vCPUs may take to park */

/* `lkvm snapshot`: checks every owner, pauses the vCPUs (unless paused
 * already), saves, then resumes them (unless `lkvm pause` holds them) or,
 * with stop, requests a poweroff exit (status 0). 0, or -1 with err; the
 * VM runs on after a failure. Main thread. */
int snap_take(struct vm *vm, int state_fd, int ram_fd, bool stop, char *err,
	      size_t errlen);
/* `lkvm pause|resume` and `lkvm snapshot` (kvm/snapcmd.c); argv[0] is the
 * command. Return the exit status: 0, 1 (failed), 2 (usage). */
int lkvm_cmd_pause(int argc, char **argv);
int lkvm_cmd_snapshot(int argc, char **argv);

/* A device added (its option OPT VAL, as --restore and a migration's
 * destination build it) or removed (the first OPT whose value match()
 * accepts; what names it in a warning) at run time: vm->args follow.
 * When they cannot, snapshots and migrations are refused. Main thread. */
void snap_note_added(struct vm *vm, const char *opt, const char *val);
void snap_note_removed(struct vm *vm, const char *opt,
		       bool (*match)(const char *val, void *arg), void *arg,
		       const char *what);

/* Runs a control request of the main thread: pause, resume, snapshot. */
struct ctl_job;
void snap_control(struct vm *vm, struct ctl_job *job);
/* DIR's RAM file, opened read-only: an fd, or -1 with err. */
int snap_open_ram(const char *dir, char *err, size_t errlen);

/* Saves the paused vm: the state sections into state_fd, guest RAM
 * (sparse: zero pages left as holes) into ram_fd. Every owner's check
 * runs first. 0, or -1 with err (nothing useful written: the caller
 * removes the files). */
int snap_save(struct vm *vm, int state_fd, int ram_fd, char *err,
	      size_t errlen);
/* The pieces snap_take and live migration (kvm/migrate.c) share: every
 * owner's check; quiesce after the vCPUs parked (-1: call
 * snap_resume_owners); the state stream (manifest, every owner's
 * sections, end) into b; the owners' resume. */
int snap_check_all(struct vm *vm, char *err, size_t errlen);
int snap_quiesce_all(struct vm *vm, char *err, size_t errlen);
int snap_build_state(struct vm *vm, struct sbuf *b, char *err, size_t errlen);
/* The "manifest" section of this VM (its run arguments) into b. */
int snap_put_manifest(struct vm *vm, struct sbuf *b, char *err,
		      size_t errlen);
void snap_resume_owners(struct vm *vm);
/* Migration's hello: snap_begin, the manifest, every owner's hello
 * sections, snap_end into b. And its check on the destination's built VM:
 * every section after the manifest through its owner's hello_check. 0, or
 * -1 with err. */
int snap_build_hello(struct vm *vm, struct sbuf *b, char *err,
		     size_t errlen);
int snap_check_hello(struct vm *vm, const void *buf, size_t len, char *err,
		     size_t errlen);
/* Loads a state stream (as snap_build_state writes) into a VM built from
 * its manifest whose vCPUs have not run: every section is checked before
 * the first is loaded. 0, or -1 with err. */
int snap_load_state(struct vm *vm, const void *buf, size_t len, char *err,
		    size_t errlen);
/* `lkvm run --restore DIR`: reads DIR's manifest (the caller builds the
 * VM from its arguments), checks it against this host. */
int snap_read_manifest(const char *dir, struct snap_manifest *m, char *err,
		       size_t errlen);
/* Maps DIR's RAM over vm->ram (MAP_PRIVATE: pages load on first touch)
 * and loads every section through its owner. 0, or -1 with err. */
int snap_restore(struct vm *vm, const char *dir, char *err, size_t errlen);

#endif
