/* Unit tests of the virtio-9p device (virtio/9p_dev.c): --9p parsing, the
 * mount tag in config space, requests and replies through a hand-built
 * ring (a reply longer than the driver's buffer is cut to an Rlerror) and
 * the snapshot refusal naming the device. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "virtio/9p_dev.h"
#include "fake_vm.h"
#include "virtio_harness.h"

static struct harness H;

TEST(p9_parse_option)
{
	struct p9_share sh;
	char err[256];

	ASSERT(!p9_parse("/srv/x,hostshare", &sh, err, sizeof(err)));
	EXPECT_STR(sh.dir, "/srv/x");
	EXPECT_STR(sh.tag, "hostshare");
	EXPECT(!sh.ro);
	free(sh.dir);
	ASSERT(!p9_parse("/srv/x,t,ro", &sh, err, sizeof(err)));
	EXPECT(sh.ro);
	EXPECT_STR(sh.tag, "t");
	free(sh.dir);
	EXPECT(p9_parse("/srv/x", &sh, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "HOSTDIR,TAG[,ro]");
	EXPECT(p9_parse(",tag", &sh, err, sizeof(err)) < 0);
	EXPECT(p9_parse("/srv/x,", &sh, err, sizeof(err)) < 0);
	EXPECT(p9_parse("/srv/x,,ro", &sh, err, sizeof(err)) < 0);
	EXPECT(p9_parse("/srv/x,t,rw", &sh, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "valid: ro");
	{
		char arg[80] = "/d,";

		memset(arg + 3, 't', 65);	/* a 65-byte tag */
		EXPECT(p9_parse(arg, &sh, err, sizeof(err)) < 0);
		EXPECT_CONTAINS(err, "64");
		arg[3 + 64] = 0;
		EXPECT(!p9_parse(arg, &sh, err, sizeof(err)));
		free(sh.dir);
	}
}

/* Tversion in one readable buffer, the reply into a writable one of len. */
static void version_request(u32 wlen)
{
	u8 *req = h_ptr(&H, H_BUF);
	struct p9_out o;
	u32 n;

	p9_start(&o, req, 64, P9_TVERSION, P9_NOTAG);
	p9_put32(&o, 65536);
	p9_put_str(&o, P9_VERSION);
	n = p9_finish(&o);
	h_desc(&H, 0, 0, H_BUF, n, VRING_DESC_F_NEXT, 1);
	h_desc(&H, 0, 1, H_BUF + 0x1000, wlen, VRING_DESC_F_WRITE, 0);
	h_avail(&H, 0, 0);
}

TEST(p9_device_serves_its_queue)
{
	char dir[] = "/tmp/lkvm-9p-dev-XXXXXX", err[256];
	struct p9_share sh = { .tag = "labshare" };
	struct p9_dev *d = calloc(1, sizeof(*d));
	u8 *rep;

	h_init(&H);
	ASSERT(d && mkdtemp(dir));
	sh.dir = dir;
	ASSERT(!p9_dev_setup(d, NULL, &sh, 0));
	EXPECT_EQ(d->v.config_len, 2 + 8);
	EXPECT_EQ(d->v.config[0], 8);
	EXPECT(!memcmp(d->v.config + 2, "labshare", 8));
	EXPECT(d->v.host_features & 1);		/* MOUNT_TAG */
	d->v.mem = &H.mem;
	h_bring_up(&d->v, 1);
	version_request(4096);
	pthread_mutex_lock(&d->v.lock);
	p9_process(d, 0);
	pthread_mutex_unlock(&d->v.lock);
	rep = h_ptr(&H, H_BUF + 0x1000);
	EXPECT_EQ(h_used_idx(&H, 0), 1);
	EXPECT_EQ(h_used_len(&H, 0, 0), 7 + 4 + 2 + 8);
	EXPECT_EQ(rep[4], P9_RVERSION);
	/* a reply buffer of 12 bytes: the Rversion does not fit, Rlerror does */
	version_request(12);
	pthread_mutex_lock(&d->v.lock);
	p9_process(d, 0);
	pthread_mutex_unlock(&d->v.lock);
	EXPECT_EQ(h_used_len(&H, 0, 1), 11);
	EXPECT_EQ(rep[4], P9_RLERROR);
	/* snapshots are refused, naming the device and the way out */
	EXPECT(d->v.pci.ops->snap_check(&d->v.pci, err, sizeof(err)) < 0);
	EXPECT_CONTAINS(err, "virtio-9p0");
	EXPECT_CONTAINS(err, "without --9p");
	p9_dev_teardown(d);
	free(d);
	rmdir(dir);
	h_fini(&H);
}
