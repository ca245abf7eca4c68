/* virtio-blk disk state and request handling, exported for the unit tests
 * (disks are created from -d/--disk, see virtio/blk.c). */
#ifndef LKVM_VIRTIO_BLK_H
#define LKVM_VIRTIO_BLK_H

#include <sys/stat.h>
#include <linux/virtio_blk.h>
#include "virtio/pci.h"

#define BLK_MAX_SEGS		256	/* per request: header + data + status */
#define BLK_MAX_RANGES		16	/* discard / write-zeroes segments */
#define BLK_QUEUE_SIZE		256

struct blk_dev {
	struct virtio_dev v;
	char *path;
	int fd;
	struct stat st;		/* of the open image */
	bool ro;
	bool is_bdev;
	bool can_discard;	/* DISCARD and WRITE_ZEROES offered */
	bool lock_later;	/* --incoming: locked once the source let go */
	bool hot;		/* added at run time (lkvm disk add) */
	int index;		/* N of its name, virtio-blkN */
	u64 sectors;
	char id[VIRTIO_BLK_ID_BYTES];
	char name[24];
};

/* Parses "<file>[,ro][,port=N]" (*port -1 without port=). Returns 0, or
 * -1 with a message in err. */
int blk_parse(const char *arg, char **path, bool *ro, int *port, char *err,
	      size_t errlen);
/* Opens an image as -d does (never blocking: a FIFO is refused; a regular
 * file or a block device): the fd, or -1 with err naming it and the fix.
 * `lkvm disk add` opens the image with it and passes the fd. */
int blk_open_image(const char *path, bool ro, char *err, size_t errlen);
/* Opens (never blocking: a FIFO is refused) and locks the image and fills
 * b (zeroed) as a device of vm, not yet started. Returns 0, or -1 after
 * printing why (naming the file and the fix) with nothing left open. */
int blk_setup(struct blk_dev *b, struct vm *vm, const char *path, bool ro,
	      int index);
/* blk_setup for an image opened by the client (`lkvm disk add`): fd is
 * b's from now on (closed on failure); checked (its kind, open for writing
 * unless ro, not attached already), locked. 0, or -1 with err. */
int blk_setup_fd(struct blk_dev *b, struct vm *vm, const char *path, int fd,
		 bool ro, int index, char *err, size_t errlen);
void blk_teardown(struct blk_dev *b);
/* The -d/--disk devices of vm->cfg, started (INIT_DEVICE). On failure
 * every disk is released again: no fd, lock or PCI slot is left. */
int blk_init_all(struct vm *vm);
void blk_exit_all(struct vm *vm);
/* Live migration, main thread: the source releases its images' locks
 * once its devices are quiet and the last state is on its way (and takes
 * them again, blk_locks_take, if the move fails); the destination takes
 * them before it acknowledges, waiting up to wait_ms for the source.
 * 0, or -1 with the image named in err. */
void blk_locks_release(struct vm *vm);
int blk_locks_take(struct vm *vm, int wait_ms, char *err, size_t errlen);
/* virtio/blk_hot.c, main thread: `lkvm disk add|remove` (control jobs
 * CTL_DISK_ADD, CTL_DISK_REMOVE); the disk of a remove's spec (its image's
 * path, or "portN"), or NULL. */
struct ctl_job;
void blk_hot_job(struct vm *vm, struct ctl_job *job);
struct blk_dev *blk_hot_find(struct vm *vm, const char *spec);
/* virtio/blk_cmd.c: `lkvm disk add|remove` (argv[0] "add" or "remove"),
 * the client side; its exit status. */
int blk_cmd(int argc, char **argv);
/* Its command line (argv[0] "add" or "remove") into r: -1 to go on, else
 * the exit status (2: a bad use, the usage printed). The image's path is
 * made absolute, so that remove finds it whatever the directory. */
struct ctl_req;
int blk_cmd_args(bool add, int argc, char **argv, struct ctl_req *r,
		 const char **name);
/* Runs every available request of queue q (device lock held). */
void blk_process(struct blk_dev *b, unsigned int q);

#endif
