/* Unit tests of the small virtio devices on hand-built rings: virtio-rng
 * (virtio/rng.c) filling buffers from a file, virtio-console
 * (virtio/console.c) input buffering into receiveq and transmitq output. */
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <linux/virtio_ids.h>
#include "kvm/config.h"
#include "virtio/console.h"
#include "virtio/rng.h"
#include "fake_vm.h"
#include "virtio_harness.h"

static struct harness H;

static void noop_notify(struct virtio_dev *v, unsigned int q)
{
}

static const struct virtio_dev_ops rng_test_ops = { .notify = noop_notify };

TEST(virtio_rng_fills_buffers)
{
	struct virtio_dev v = { 0 };
	u8 *b;
	int fd = open("/dev/urandom", O_RDONLY);

	h_init(&H);
	ASSERT(fd >= 0);
	ASSERT_EQ(virtio_dev_init(&v, NULL, "rng", 4, 0, 1, 16, &rng_test_ops), 0);
	v.mem = &H.mem;
	h_bring_up(&v, 0);
	b = h_ptr(&H, H_BUF);
	/* 64 bytes in two writable pieces */
	h_desc(&H, 0, 0, H_BUF, 32, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	h_desc(&H, 0, 1, H_BUF + 32, 32, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 0);
	pthread_mutex_lock(&v.lock);
	rng_process(&v, fd, 0);
	pthread_mutex_unlock(&v.lock);
	EXPECT_EQ(h_used_idx(&H, 0), 1);
	EXPECT_EQ(h_used_len(&H, 0, 0), 64);
	EXPECT(memcmp(b, (u8[64]){ 0 }, 64));
	/* a readable-only buffer gets nothing */
	h_desc(&H, 0, 2, H_BUF, 32, 0, 0);
	h_avail(&H, 0, 2);
	pthread_mutex_lock(&v.lock);
	rng_process(&v, fd, 0);
	pthread_mutex_unlock(&v.lock);
	EXPECT_EQ(h_used_len(&H, 0, 1), 0);
	/* a buffer outside guest RAM breaks the queue, not lkvm */
	h_desc(&H, 0, 3, 0x10, 32, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 3);
	pthread_mutex_lock(&v.lock);
	rng_process(&v, fd, 0);
	pthread_mutex_unlock(&v.lock);
	EXPECT(H_STATUS(&v) & VIRTIO_CONFIG_S_NEEDS_RESET);
	close(fd);
	h_fini(&H);
}

static u8 out_buf[256];
static size_t out_len;

static void capture(const u8 *buf, size_t len)
{
	memcpy(out_buf + out_len, buf, MIN(len, sizeof(out_buf) - out_len));
	out_len += MIN(len, sizeof(out_buf) - out_len);
}

TEST(virtio_console_rx_tx)
{
	struct con_dev *c = calloc(1, sizeof(*c));
	u8 *b;

	h_init(&H);
	ASSERT_EQ(con_setup(c, NULL), 0);
	c->out = capture;
	c->v.mem = &H.mem;
	h_bring_up(&c->v, 0);
	EXPECT_EQ(h_rd(&c->v, VIRTIO_PCI_COMMON_NUMQ, 2), 2);

	/* transmit: two readable pieces reach the terminal in order */
	out_len = 0;
	memcpy(h_ptr(&H, H_BUF), "hello ", 6);
	memcpy(h_ptr(&H, H_BUF + 0x100), "hvc0", 4);
	h_desc(&H, CON_TX, 0, H_BUF, 6, VRING_DESC_F_NEXT, 1);
	h_desc(&H, CON_TX, 1, H_BUF + 0x100, 4, 0, 0);
	h_avail(&H, CON_TX, 0);
	virtio_dev_process(&c->v, CON_TX);
	EXPECT_EQ(out_len, 10);
	EXPECT(!memcmp(out_buf, "hello hvc0", 10));
	EXPECT_EQ(h_used_idx(&H, CON_TX), 1);

	/* receive: typing waits for a buffer, then fills it */
	con_input(c, (const u8 *)"abcdef", 6);
	virtio_dev_process(&c->v, CON_RX);
	EXPECT_EQ(h_used_idx(&H, CON_RX), 0);
	b = h_ptr(&H, H_BUF + 0x200);
	h_desc(&H, CON_RX, 0, H_BUF + 0x200, 4, VRING_DESC_F_WRITE, 0);
	h_avail(&H, CON_RX, 0);
	virtio_dev_process(&c->v, CON_RX);
	EXPECT_EQ(h_used_idx(&H, CON_RX), 1);
	EXPECT_EQ(h_used_len(&H, CON_RX, 0), 4);
	EXPECT(!memcmp(b, "abcd", 4));
	h_desc(&H, CON_RX, 1, H_BUF + 0x300, 64, VRING_DESC_F_WRITE, 0);
	h_avail(&H, CON_RX, 1);
	virtio_dev_process(&c->v, CON_RX);
	EXPECT_EQ(h_used_len(&H, CON_RX, 1), 2);
	EXPECT(!memcmp(h_ptr(&H, H_BUF + 0x300), "ef", 2));
	/* a write-only descriptor in the transmit queue is not output */
	out_len = 0;
	h_desc(&H, CON_TX, 2, H_BUF, 6, VRING_DESC_F_WRITE, 0);
	h_avail(&H, CON_TX, 2);
	virtio_dev_process(&c->v, CON_TX);
	EXPECT_EQ(out_len, 0);
	virtio_dev_destroy(&c->v);
	h_fini(&H);
}

/* rng_init()/con_init() when the device cannot start (no PCI bus): they
 * fail and release everything virtio_dev_start() had made (its eventfds
 * used to leak); with a bus they work and their exit releases it all. */
TEST(virtio_rng_console_start_failure)
{
	struct lkvm_config cfg = { .rng = true, .console = CONSOLE_VIRTIO };
	struct vm vm;
	int fds;

	fprintf(stderr, "(expected errors follow)\n");
	fake_vm_init(&vm, &cfg, false);
	fds = open_fds();
	EXPECT_EQ(rng_init(&vm), -1);
	EXPECT_EQ(open_fds(), fds);
	EXPECT_EQ(con_init(&vm), -1);
	EXPECT_EQ(open_fds(), fds);
	fake_vm_fini(&vm);

	fake_vm_init(&vm, &cfg, true);
	fds = open_fds();
	EXPECT_EQ(rng_init(&vm), 0);
	EXPECT_EQ(con_init(&vm), 0);
	EXPECT(open_fds() > fds);
	con_exit(&vm);
	rng_exit(&vm);
	EXPECT_EQ(open_fds(), fds);
	fake_vm_fini(&vm);
}

/* Devices are per VM: each fake VM lists its own, and one VM's exit leaves
 * the other's devices alone. */
TEST(virtio_devices_are_per_vm)
{
	struct lkvm_config cfg = { .rng = true, .console = CONSOLE_VIRTIO };
	struct vm a, b;
	struct virtio_dev *ra;

	fake_vm_init(&a, &cfg, true);
	fake_vm_init(&b, &cfg, true);
	ASSERT_EQ(rng_init(&a), 0);
	ASSERT_EQ(rng_init(&b), 0);
	ASSERT_EQ(con_init(&a), 0);
	ra = virtio_dev_next(&a, VIRTIO_ID_RNG, NULL);
	ASSERT(ra && ra->vm == &a);
	EXPECT(virtio_dev_next(&a, VIRTIO_ID_RNG, ra) == NULL);
	EXPECT(virtio_dev_next(&a, VIRTIO_ID_CONSOLE, NULL) != NULL);
	EXPECT(virtio_dev_next(&b, VIRTIO_ID_CONSOLE, NULL) == NULL);
	rng_exit(&a);
	EXPECT(virtio_dev_next(&a, VIRTIO_ID_RNG, NULL) == NULL);
	ASSERT(virtio_dev_next(&b, VIRTIO_ID_RNG, NULL) != NULL);
	EXPECT(virtio_dev_next(&b, VIRTIO_ID_RNG, NULL)->vm == &b);
	con_exit(&a);
	EXPECT(a.virtio == NULL);
	rng_exit(&b);
	EXPECT(b.virtio == NULL);
	fake_vm_fini(&a);
	fake_vm_fini(&b);
}
