/* Unit tests of virtio-blk (virtio/blk.c): --disk syntax, image open/lock
 * errors, and requests on hand-built rings over a temporary image: IN, OUT,
 * FLUSH, GET_ID, DISCARD/WRITE_ZEROES, read-only disks, bad requests; the
 * image lock handed from a migration's source to its destination. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kvm/config.h"
#include "virtio/blk.h"
#include "fake_vm.h"
#include "virtio_harness.h"

#define IMG_SECTORS	64
#define HDR		H_BUF
#define DATA		(H_BUF + 0x100)
#define STATUS		(H_BUF + 0x80)

static struct harness H;
static char img[64];

static void make_image(void)
{
	u8 buf[IMG_SECTORS * 512];
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i / 512 + 1;		/* sector s holds byte s+1 */
	snprintf(img, sizeof(img), "/tmp/lkvm-ut-blk-XXXXXX");
	fd = mkstemp(img);
	EXPECT(fd >= 0);
	EXPECT_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
}

static struct blk_dev *blk_open(bool ro)
{
	struct blk_dev *b = calloc(1, sizeof(*b));

	h_init(&H);
	make_image();
	if (blk_setup(b, NULL, img, ro, 0)) {
		free(b);
		return NULL;
	}
	b->v.mem = &H.mem;
	h_bring_up(&b->v, b->v.host_features & ~(1ULL << VIRTIO_F_VERSION_1));
	return b;
}

static void blk_close(struct blk_dev *b)
{
	virtio_dev_destroy(&b->v);
	unlink(img);
	h_fini(&H);
}

static void put_hdr(u32 type, u64 sector)
{
	struct virtio_blk_outhdr *h = h_ptr(&H, HDR);

	h->type = htole32(type);
	h->ioprio = 0;
	h->sector = htole64(sector);
}

/* Header, one data buffer (len 0: none), status; returns the used len. */
static u32 submit(struct blk_dev *b, u32 type, u64 sector, u32 len,
		  bool data_write)
{
	u16 n = 0, used = h_used_idx(&H, 0);

	put_hdr(type, sector);
	*(u8 *)h_ptr(&H, STATUS) = 0xee;
	h_desc(&H, 0, n, HDR, 16, VRING_DESC_F_NEXT, n + 1);
	n++;
	if (len) {
		h_desc(&H, 0, n, DATA, len, VRING_DESC_F_NEXT |
		       (data_write ? VRING_DESC_F_WRITE : 0), n + 1);
		n++;
	}
	h_desc(&H, 0, n, STATUS, 1, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 0);
	virtio_dev_process(&b->v, 0);
	EXPECT_EQ(h_used_idx(&H, 0), (u16)(used + 1));
	return h_used_len(&H, 0, used);
}

static u8 status(void)
{
	return *(u8 *)h_ptr(&H, STATUS);
}

#define PARSE(s)	blk_parse(s, &path, &ro, &port, err, sizeof(err))

TEST(virtio_blk_parse)
{
	char err[160], *path;
	bool ro;
	int port;

	EXPECT_EQ(PARSE("disk.img"), 0);
	EXPECT_STR(path, "disk.img");
	EXPECT(!ro);
	EXPECT_EQ(port, -1);
	free(path);
	EXPECT_EQ(PARSE("/x/d.img,port=3,ro"), 0);
	EXPECT_STR(path, "/x/d.img");
	EXPECT(ro);
	EXPECT_EQ(port, 3);
	free(path);
	EXPECT_EQ(PARSE("d.img,port=16"), -1);
	EXPECT_CONTAINS(err, "port= takes a root port number 0..15");
	EXPECT_EQ(PARSE("d.img,port=x"), -1);
	EXPECT_CONTAINS(err, "port= takes a root port number");
	EXPECT_EQ(PARSE("d.img,port=1,port=2"), -1);
	EXPECT_CONTAINS(err, "option 'port' given twice");
	EXPECT_EQ(PARSE("/x/d.img,ro"), 0);
	EXPECT_STR(path, "/x/d.img");
	EXPECT(ro);
	free(path);
	EXPECT_EQ(PARSE("d.img,rw"), -1);
	EXPECT_CONTAINS(err, "unknown option 'rw' (valid: ro, port=N)");
	EXPECT_EQ(PARSE(",ro"), -1);
	EXPECT_CONTAINS(err, "no file name");
	EXPECT_EQ(PARSE("d.img,ro,ro"), -1);
	EXPECT_CONTAINS(err, "option 'ro' given twice");
}

TEST(virtio_blk_config_and_features)
{
	struct blk_dev *b = blk_open(false);

	ASSERT(b);
	EXPECT_EQ(h_rd(&b->v, VP_DEVCFG_OFF, 4), IMG_SECTORS);
	EXPECT(b->v.host_features & (1ULL << VIRTIO_BLK_F_FLUSH));
	EXPECT(!(b->v.host_features & (1ULL << VIRTIO_BLK_F_RO)));
	EXPECT_EQ(H_STATUS(&b->v) & VIRTIO_CONFIG_S_DRIVER_OK,
		  VIRTIO_CONFIG_S_DRIVER_OK);
	blk_close(b);
}

TEST(virtio_blk_read_write)
{
	struct blk_dev *b = blk_open(false);
	u8 *d = h_ptr(&H, DATA);
	u8 buf[1024];
	int fd;

	ASSERT(b);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_IN, 3, 1024, true), 1025);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	EXPECT_EQ(d[0], 4);
	EXPECT_EQ(d[1023], 5);
	memset(d, 0xab, 512);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_OUT, 10, 512, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_FLUSH, 0, 0, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	fd = open(img, O_RDONLY);
	EXPECT_EQ(pread(fd, buf, 1024, 10 * 512), 1024);
	close(fd);
	EXPECT_EQ(buf[0], 0xab);
	EXPECT_EQ(buf[511], 0xab);
	EXPECT_EQ(buf[512], 12);
	blk_close(b);
}

TEST(virtio_blk_bad_requests)
{
	struct blk_dev *b = blk_open(false);

	ASSERT(b);
	/* past the end */
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, 1024, true), 1025);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_IN, ~0ULL, 512, true), 513);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	/* not a whole sector */
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_OUT, 0, 100, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	/* unknown type */
	EXPECT_EQ(submit(b, 77, 0, 0, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_UNSUPP);
	EXPECT_EQ(H_STATUS(&b->v) & VIRTIO_CONFIG_S_NEEDS_RESET, 0);
	blk_close(b);
}

TEST(virtio_blk_malformed_chain)
{
	struct blk_dev *b = blk_open(false);

	ASSERT(b);
	/* header only: nowhere to put the status */
	put_hdr(VIRTIO_BLK_T_IN, 0);
	h_desc(&H, 0, 0, HDR, 16, 0, 0);
	h_avail(&H, 0, 0);
	virtio_dev_process(&b->v, 0);
	EXPECT(H_STATUS(&b->v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* short header after a reset */
	h_bring_up(&b->v, 0);
	memset(H.avail_idx, 0, sizeof(H.avail_idx));
	memset(h_ptr(&H, H_AVAIL), 0, 0x100);
	memset(h_ptr(&H, H_USED), 0, 0x100);
	h_desc(&H, 0, 0, HDR, 8, VRING_DESC_F_NEXT, 1);
	h_desc(&H, 0, 1, STATUS, 1, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 0);
	virtio_dev_process(&b->v, 0);
	EXPECT(H_STATUS(&b->v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* a descriptor loop breaks the ring, not lkvm */
	h_bring_up(&b->v, 0);
	memset(H.avail_idx, 0, sizeof(H.avail_idx));
	memset(h_ptr(&H, H_AVAIL), 0, 0x100);
	h_desc(&H, 0, 0, HDR, 16, VRING_DESC_F_NEXT, 1);
	h_desc(&H, 0, 1, DATA, 512, VRING_DESC_F_NEXT, 0);
	h_avail(&H, 0, 0);
	virtio_dev_process(&b->v, 0);
	EXPECT(H_STATUS(&b->v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	blk_close(b);
}

TEST(virtio_blk_get_id)
{
	struct blk_dev *b = blk_open(false);
	const char *base;

	ASSERT(b);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_GET_ID, 0, 20, true), 21);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	base = strrchr(img, '/') + 1;
	EXPECT(!memcmp(h_ptr(&H, DATA), base, strlen(base)));
	blk_close(b);
}

TEST(virtio_blk_read_only)
{
	struct blk_dev *b = blk_open(true);

	ASSERT(b);
	EXPECT(b->v.host_features & (1ULL << VIRTIO_BLK_F_RO));
	EXPECT(!(b->v.host_features & (1ULL << VIRTIO_BLK_F_DISCARD)));
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_OUT, 0, 512, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_IN, 0, 512, true), 513);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	EXPECT_EQ(*(u8 *)h_ptr(&H, DATA), 1);
	blk_close(b);
}

TEST(virtio_blk_discard_write_zeroes)
{
	struct blk_dev *b = blk_open(false);
	struct virtio_blk_discard_write_zeroes *r;
	u8 buf[512];
	int fd;

	ASSERT(b);
	if (!b->can_discard) {
		blk_close(b);
		return;		/* the temp file system cannot punch holes */
	}
	r = h_ptr(&H, DATA);
	r->sector = htole64(8);
	r->num_sectors = htole32(2);
	r->flags = 0;
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_OK);
	fd = open(img, O_RDONLY);
	EXPECT_EQ(pread(fd, buf, 512, 9 * 512), 512);
	EXPECT_EQ(buf[0] | buf[511], 0);
	EXPECT_EQ(pread(fd, buf, 512, 10 * 512), 512);
	EXPECT_EQ(buf[0], 11);
	close(fd);
	r->sector = htole64(IMG_SECTORS);
	r->num_sectors = htole32(1);
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_DISCARD, 0, 16, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	r->sector = 0;
	EXPECT_EQ(submit(b, VIRTIO_BLK_T_DISCARD, 0, 12, false), 1);
	EXPECT_EQ(status(), VIRTIO_BLK_S_IOERR);
	blk_close(b);
}

TEST(virtio_blk_lock_and_open_errors)
{
	struct blk_dev *a, *b2 = calloc(1, sizeof(*b2));

	a = blk_open(false);
	ASSERT(a);
	fprintf(stderr, "(expected errors follow)\n");
	EXPECT_EQ(blk_setup(b2, NULL, img, false, 1), -1);	/* locked */
	blk_teardown(b2);
	memset(b2, 0, sizeof(*b2));
	EXPECT_EQ(blk_setup(b2, NULL, img, true, 1), -1);	/* even ro */
	blk_teardown(b2);
	memset(b2, 0, sizeof(*b2));
	EXPECT_EQ(blk_setup(b2, NULL, "/nonexistent/lkvm.img", true, 1), -1);
	blk_teardown(b2);
	free(b2);
	blk_close(a);
}

/* A FIFO, a character device or a directory is refused before any
 * blocking open (a FIFO opened read-only would wait for a writer), with
 * nothing left open. */
TEST(virtio_blk_refuses_non_files)
{
	const char *const paths[] = { NULL, "/dev/null", "/tmp" };
	char dir[] = "/tmp/lkvm-ut-fifo-XXXXXX", fifo[64];
	struct blk_dev *b = calloc(1, sizeof(*b));
	int fds = open_fds(), i, ro;

	ASSERT(b && mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	fprintf(stderr, "(expected errors follow)\n");
	alarm(10);	/* a blocking open would hang the run: fail instead */
	for (i = 0; i < 3; i++) {
		for (ro = 0; ro < 2; ro++) {
			memset(b, 0, sizeof(*b));
			EXPECT_EQ(blk_setup(b, NULL, paths[i] ? paths[i] : fifo,
					    ro, 0), -1);
			EXPECT_EQ(b->fd, -1);
			EXPECT(!b->path);
		}
	}
	alarm(0);
	EXPECT_EQ(open_fds(), fds);
	free(b);
	unlink(fifo);
	rmdir(dir);
}

static bool blk_on_bus(struct vm *vm)
{
	int slot;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		if (vm->pci && vm->pci->slots[slot] &&
		    !strncmp(vm->pci->slots[slot]->name, "virtio-blk", 10))
			return true;
	return false;
}

/* The image can be opened and locked read-write again: nothing holds it. */
static bool img_free(void)
{
	struct blk_dev *b = calloc(1, sizeof(*b));
	bool ok = b && !blk_setup(b, NULL, img, false, 0);

	if (ok)
		virtio_dev_destroy(&b->v);	/* frees b */
	else
		free(b);
	return ok;
}

/* blk_init_all(disks, with or without a PCI bus): fails, and leaves no fd,
 * lock or PCI slot behind (it used to free a device whose private pointer
 * was never set: SIGSEGV). */
static void expect_unwound(const char *d0, const char *d1, bool bus)
{
	struct lkvm_config cfg = { 0 };
	struct vm vm;
	int fds;

	cfg.disks.v[cfg.disks.nr++] = d0;
	if (d1)
		cfg.disks.v[cfg.disks.nr++] = d1;
	fake_vm_init(&vm, &cfg, bus);
	fds = open_fds();
	EXPECT_EQ(blk_init_all(&vm), -1);
	EXPECT_EQ(open_fds(), fds);
	EXPECT(!blk_on_bus(&vm));
	EXPECT(img_free());
	fake_vm_fini(&vm);
}

TEST(virtio_blk_init_failure_unwinds)
{
	struct lkvm_config cfg = { 0 };
	char ro[80];
	struct vm vm;
	int fds;

	h_init(&H);
	make_image();
	snprintf(ro, sizeof(ro), "%s,ro", img);
	fprintf(stderr, "(expected errors follow)\n");
	expect_unwound(img, "/dev/null", true);
	expect_unwound(img, "/nonexistent/lkvm.img", true);
	expect_unwound(img, img, true);		/* the same file twice */
	expect_unwound(ro, img, true);
	expect_unwound(img, "x.img,rw", true);	/* bad option: none opened */
	expect_unwound(img, NULL, false);	/* no PCI bus: start fails */
	/* and a disk that works is released by blk_exit_all() */
	cfg.disks.v[cfg.disks.nr++] = img;
	fake_vm_init(&vm, &cfg, true);
	fds = open_fds();
	EXPECT_EQ(blk_init_all(&vm), 0);
	EXPECT(blk_on_bus(&vm));
	EXPECT(!img_free());
	blk_exit_all(&vm);
	EXPECT_EQ(open_fds(), fds);
	EXPECT(img_free());
	fake_vm_fini(&vm);
	unlink(img);
	h_fini(&H);
}

/* Live migration's hand-over of an image's lock: a destination
 * (--incoming) opens the image the source still holds without locking it,
 * and takes the lock only once the source released it, waiting a bounded
 * time (the image named when it stays held); the source, its move failed,
 * takes its lock back. */
TEST(virtio_blk_lock_handover)
{
	struct lkvm_config scfg = { 0 }, dcfg = { 0 };
	struct vm src, dst;
	char err[256] = "";

	h_init(&H);
	make_image();
	scfg.disks.v[scfg.disks.nr++] = img;
	dcfg.disks.v[dcfg.disks.nr++] = img;
	dcfg.incoming = "unix:/nonexistent";
	fake_vm_init(&src, &scfg, true);
	fake_vm_init(&dst, &dcfg, true);
	ASSERT_EQ(blk_init_all(&src), 0);
	ASSERT_EQ(blk_init_all(&dst), 0);	/* the source's lock: no matter */
	EXPECT_EQ(blk_locks_take(&dst, 50, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, img);
	EXPECT_CONTAINS(err, "still locked by another process");
	blk_locks_release(&src);
	EXPECT_EQ(blk_locks_take(&dst, 50, err, sizeof(err)), 0);
	EXPECT_EQ(blk_locks_take(&src, 50, err, sizeof(err)), -1); /* dst's */
	blk_exit_all(&dst);
	EXPECT_EQ(blk_locks_take(&src, 50, err, sizeof(err)), 0);
	EXPECT(!img_free());
	blk_exit_all(&src);
	EXPECT(img_free());
	fake_vm_fini(&dst);
	fake_vm_fini(&src);
	unlink(img);
	h_fini(&H);
}
