/* virtio-vsock's pure parts and its vhost ioctl sequence against a fake
 * vhost seam: --vsock parsing, config layout, the memory table, the
 * open/start/stop orders and their error messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vhost.h>
#include "kvm/config.h"
#include "kvm/guest_mem.h"
#include "virtio/vsock.h"
#include "unit.h"

#define FAKE_FD		42
#define MAX_CALLS	32

static struct {
	unsigned long req[MAX_CALLS];
	int nr, open_ret, closed;
	unsigned long fail_req;
	int fail_errno;
	u64 cid, features_set;
	u32 nregions;
	struct vhost_vring_file kick[2], call[2];
	struct vhost_vring_addr addr[2];
	int running;
} F;

static int f_open(void)
{
	return F.open_ret;
}

static int f_ioctl(int fd, unsigned long req, void *arg)
{
	if (fd != FAKE_FD || F.nr == MAX_CALLS)
		return -EBADF;
	F.req[F.nr++] = req;
	if (req == F.fail_req)
		return -F.fail_errno;
	if (req == VHOST_GET_FEATURES)
		*(u64 *)arg = 1ULL << 32 | 1ULL << 28;
	else if (req == VHOST_SET_MEM_TABLE)
		F.nregions = ((struct vhost_memory *)arg)->nregions;
	else if (req == VHOST_VSOCK_SET_GUEST_CID)
		F.cid = *(u64 *)arg;
	else if (req == VHOST_SET_FEATURES)
		F.features_set = *(u64 *)arg;
	else if (req == VHOST_SET_VRING_KICK)
		F.kick[((struct vhost_vring_file *)arg)->index & 1] = *(struct vhost_vring_file *)arg;
	else if (req == VHOST_SET_VRING_CALL)
		F.call[((struct vhost_vring_file *)arg)->index & 1] = *(struct vhost_vring_file *)arg;
	else if (req == VHOST_SET_VRING_ADDR)
		F.addr[((struct vhost_vring_addr *)arg)->index & 1] = *(struct vhost_vring_addr *)arg;
	else if (req == VHOST_VSOCK_SET_RUNNING)
		F.running = *(int *)arg;
	return 0;
}

static void f_close(int fd)
{
	F.closed += fd == FAKE_FD;
}

static const struct vhost_seam fake = { f_open, f_ioctl, f_close };

static void f_reset(void)
{
	memset(&F, 0, sizeof(F));
	F.open_ret = FAKE_FD;
	F.running = -1;
}

static struct guest_mem two_regions(void)
{
	struct guest_mem m = { 0 };

	guest_mem_add(&m, 0, 0x100000, (void *)0x7f0000000000ULL);
	guest_mem_add(&m, 0x100000000ULL, 0x200000, (void *)0x7f1000000000ULL);
	return m;
}

TEST(vsock_cid_parsing)
{
	char err[256];
	u64 cid = 0;

	EXPECT_EQ(vsock_parse_cid("3", &cid, err, sizeof(err)), 0);
	EXPECT_EQ(cid, 3);
	EXPECT_EQ(vsock_parse_cid("0xffffffff", &cid, err, sizeof(err)), 0);
	EXPECT_EQ(cid, 0xffffffffULL);
	EXPECT_EQ(vsock_parse_cid("2", &cid, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "CID 2 is out of range");
	EXPECT_EQ(vsock_parse_cid("4294967296", &cid, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "out of range");
	EXPECT_EQ(vsock_parse_cid("-5", &cid, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "invalid --vsock '-5'");
	EXPECT_EQ(vsock_parse_cid("7x", &cid, err, sizeof(err)), -1);
	EXPECT_EQ(vsock_parse_cid("", &cid, err, sizeof(err)), -1);
	EXPECT_EQ(cid, 0xffffffffULL);	/* untouched by the refusals */
}

TEST(vsock_option_in_config)
{
	char *ok[] = { "run", "--vsock", "1234", "k" };
	char *low[] = { "run", "--vsock", "1", "k" };
	struct lkvm_config cfg;
	char err[256];

	ASSERT_EQ(config_parse_run(&cfg, 4, ok, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.vsock_cid, 1234);
	ASSERT_EQ(config_parse_run(&cfg, 4, low, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "3 to 4294967295");
	EXPECT_CONTAINS(config_run_usage, "--vsock");
}

TEST(vsock_config_layout_le64)
{
	u8 cfg[VSOCK_CFG_LEN];
	static const u8 want[] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02,
				   0x01 };

	vsock_config_layout(cfg, 0x0102030405060708ULL);
	EXPECT(!memcmp(cfg, want, sizeof(want)));
}

TEST(vsock_mem_table_regions)
{
	struct guest_mem m = two_regions();
	struct vhost_memory *t = vsock_mem_table(&m);

	ASSERT(t);
	EXPECT_EQ(t->nregions, 2);
	EXPECT_EQ(t->regions[1].guest_phys_addr, 0x100000000ULL);
	EXPECT_EQ(t->regions[1].memory_size, 0x200000);
	EXPECT_EQ(t->regions[1].userspace_addr, 0x7f1000000000ULL);
	EXPECT_EQ(t->regions[0].memory_size, 0x100000);
	free(t);
}

TEST(vsock_open_sequence)
{
	static const unsigned long want[] = { VHOST_SET_OWNER,
		VHOST_GET_FEATURES, VHOST_SET_MEM_TABLE,
		VHOST_VSOCK_SET_GUEST_CID };
	struct guest_mem m = two_regions();
	u64 feat = 0;
	char err[256];
	int i;

	f_reset();
	ASSERT_EQ(vsock_vhost_open(&fake, &m, 77, &feat, err, sizeof(err)),
		  FAKE_FD);
	ASSERT_EQ(F.nr, 4);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(F.req[i], want[i]);
	EXPECT_EQ(F.cid, 77);
	EXPECT_EQ(F.nregions, 2);
	EXPECT_EQ(feat, 1ULL << 32 | 1ULL << 28);
	EXPECT_EQ(F.closed, 0);
}

TEST(vsock_open_errors)
{
	struct guest_mem m = two_regions();
	u64 feat;
	char err[256];

	f_reset();
	F.open_ret = -ENOENT;
	EXPECT_EQ(vsock_vhost_open(&fake, &m, 5, &feat, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "/dev/vhost-vsock is missing");
	EXPECT_CONTAINS(err, "modprobe vhost_vsock");
	f_reset();
	F.fail_req = VHOST_VSOCK_SET_GUEST_CID;
	F.fail_errno = EADDRINUSE;
	EXPECT_EQ(vsock_vhost_open(&fake, &m, 4000, &feat, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "CID 4000 is taken");
	EXPECT_EQ(F.closed, 1);
	f_reset();
	F.fail_req = VHOST_SET_MEM_TABLE;
	F.fail_errno = ENOMEM;
	EXPECT_EQ(vsock_vhost_open(&fake, &m, 5, &feat, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "VHOST_SET_MEM_TABLE");
	EXPECT_EQ(F.closed, 1);
	EXPECT_EQ(F.cid, 0);	/* nothing after the failure */
}

static void two_rings(struct vsock_vring r[2])
{
	r[0] = (struct vsock_vring){ 128, 0x1000, 0x2000, 0x3000, 10, 20 };
	r[1] = (struct vsock_vring){ 64, 0x4000, 0x5000, 0x6000, 11, 21 };
}

TEST(vsock_start_stop_sequence)
{
	struct vsock_vring r[2];
	char err[256];

	f_reset();
	two_rings(r);
	ASSERT_EQ(vsock_vhost_start(&fake, FAKE_FD, 1ULL << 32, r, err,
				    sizeof(err)), 0);
	EXPECT_EQ(F.nr, 1 + 2 * 5 + 1);
	EXPECT_EQ(F.req[0], VHOST_SET_FEATURES);
	EXPECT_EQ(F.features_set, 1ULL << 32);
	EXPECT_EQ(F.req[F.nr - 1], VHOST_VSOCK_SET_RUNNING);
	EXPECT_EQ(F.running, 1);
	EXPECT_EQ(F.kick[1].fd, 11);
	EXPECT_EQ(F.call[0].fd, 20);
	EXPECT_EQ(F.addr[1].used_user_addr, 0x6000);
	EXPECT_EQ(F.addr[0].avail_user_addr, 0x2000);
	vsock_vhost_stop(&fake, FAKE_FD);
	EXPECT_EQ(F.running, 0);
}

TEST(vsock_start_error_stops_early)
{
	struct vsock_vring r[2];
	char err[256];

	f_reset();
	two_rings(r);
	F.fail_req = VHOST_SET_VRING_CALL;
	F.fail_errno = EINVAL;
	EXPECT_EQ(vsock_vhost_start(&fake, FAKE_FD, 0, r, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "vhost queue 0");
	EXPECT_EQ(F.running, -1);	/* never set running */
}
