/* Unit tests of the VFIO migration uAPI edge (vfio/migrate.c) against the
 * simulated kernel's mtty-like device: the arcs a save and a load walk,
 * the data fd read to EOF in short reads and refused above the bound, a
 * refused load resetting the device, PRE_COPY's walk (data while running,
 * the rest at the stop, the abort back to RUNNING on a failure), and the
 * uAPI constants lkvm adds (include/vfio/mig_uapi.h) against
 * <linux/vfio.h> where it has them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>
#ifdef VFIO_MIGRATION_PRE_COPY
#define HOST_HAS_PRE_COPY	1	/* the build host's header has it */
#endif
#include "unit.h"
#include "kvm/snapshot.h"
#include "sim/vfio_sim.h"
#include "vfio/migrate.h"

#define UUID_A "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define UUID_B "83b8f4f2-509f-382f-3c1e-e6bfe0fa1002"

struct mig_rig {
	struct vfio_sim s;
	struct vfio_container c;
	struct vfio_device a, b;
	struct sim_dev *sa, *sb;
};

static int rig_open(struct mig_rig *g, struct vfio_device *d, const char *u)
{
	struct vfio_spec sp;
	char err[VFIO_ERR_LEN];

	if (vfio_spec_parse(u, &sp, err, sizeof(err)))
		return -1;
	return vfio_device_open(&g->c, &sp, d, err, sizeof(err));
}

static int rig_init(struct mig_rig *g)
{
	if (vfio_sim_init(&g->s))
		return -1;
	g->sa = vfio_sim_add(&g->s, SIM_MTTY, UUID_A, 30);
	g->sb = vfio_sim_add(&g->s, SIM_MTTY, UUID_B, 31);
	vfio_sim_migratable(g->sa);
	vfio_sim_migratable(g->sb);
	vfio_container_init(&g->c, &g->s.ops);
	if (rig_open(g, &g->a, UUID_A) || rig_open(g, &g->b, UUID_B))
		return -1;
	return 0;
}

static void rig_fini(struct mig_rig *g)
{
	vfio_device_close(&g->a);
	vfio_device_close(&g->b);
	vfio_container_exit(&g->c);
	EXPECT_EQ(g->s.open_fds, 0);
	EXPECT_EQ(g->s.bad_calls, 0);
	vfio_sim_destroy(&g->s);
}

static void expect_trace(struct sim_dev *d, const u32 *want, int n)
{
	int i;

	EXPECT_EQ(d->mig_sets, n);
	for (i = 0; i < n && i < d->mig_sets; i++)
		EXPECT_EQ(d->mig_trace[i], want[i]);
}

/* A's UART scratch register moves to B through STOP_COPY and RESUMING. */
TEST(vfio_mig_save_then_load_moves_device_data)
{
	static const u32 save_arcs[] = { VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP };
	static const u32 load_arcs[] = { VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RESUMING, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RUNNING };
	char err[VFIO_ERR_LEN] = "";
	struct mig_rig g;
	u8 v = 0xa5, *data;
	size_t len;

	ASSERT_EQ(rig_init(&g), 0);
	ASSERT_EQ(vfio_region_write(&g.a, 0, 7, &v, 1), 0);
	EXPECT_EQ(g.sb->mem[0][7], 0);
	ASSERT_EQ(vfio_mig_save(&g.a, 4096, &data, &len, err, sizeof(err)),
		  0);
	expect_trace(g.sa, save_arcs, 3);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_STOP);
	EXPECT_EQ(len, sizeof(struct sim_mig_hdr) + 8);
	ASSERT_EQ(vfio_mig_run(&g.a, err, sizeof(err)), 0);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	ASSERT_EQ(vfio_mig_load(&g.b, data, len, err, sizeof(err)), 0);
	expect_trace(g.sb, load_arcs, 4);
	EXPECT_EQ(g.sb->mig_loads, 1);
	EXPECT_EQ(g.sb->mem[0][7], 0xa5);
	EXPECT_EQ(g.sb->resets, 1);	/* the open's, no other */
	free(data);
	rig_fini(&g);
}

/* Data over many short reads and past the first buffer; the bound. */
TEST(vfio_mig_save_reads_to_eof_bounded)
{
	char err[VFIO_ERR_LEN] = "";
	struct mig_rig g;
	size_t len;
	u8 *data;

	ASSERT_EQ(rig_init(&g), 0);
	g.sa->mig_pad = 200000;
	g.sa->mig_chunk = 999;
	ASSERT_EQ(vfio_mig_save(&g.a, 1u << 20, &data, &len, err,
				sizeof(err)), 0);
	EXPECT_EQ(len, sizeof(struct sim_mig_hdr) + 8 + 200000);
	g.sb->mig_pad = 200000;
	ASSERT_EQ(vfio_mig_load(&g.b, data, len, err, sizeof(err)), 0);
	EXPECT_EQ(g.sb->mig_loads, 1);
	free(data);
	/* exactly at the bound: fine; one byte over: refused */
	ASSERT_EQ(vfio_mig_run(&g.a, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_mig_save(&g.a, len, &data, &len, err, sizeof(err)), 0);
	free(data);
	ASSERT_EQ(vfio_mig_run(&g.a, err, sizeof(err)), 0);
	EXPECT_EQ(vfio_mig_save(&g.a, len - 1, &data, &len, err,
				sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vfio " UUID_A ": the device data is larger than");
	EXPECT(data == NULL);
	/* a refused save leaves the device as it found it */
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	EXPECT_EQ(g.sa->mig_fd, -1);
	g.sa->mig_endless = true;
	EXPECT_EQ(vfio_mig_save(&g.a, 8192, &data, &len, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "larger than 8192 bytes");
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	rig_fini(&g);
}

/* Data the device refuses: the load fails naming it, the device is reset
 * (RESUMING cannot be left otherwise) and runs. */
TEST(vfio_mig_load_refused_resets)
{
	char err[VFIO_ERR_LEN] = "";
	struct mig_rig g;
	size_t len;
	u8 *data;

	ASSERT_EQ(rig_init(&g), 0);
	ASSERT_EQ(vfio_mig_save(&g.a, 4096, &data, &len, err, sizeof(err)),
		  0);
	data[0] ^= 0xff;		/* not mtty data any more */
	EXPECT_EQ(vfio_mig_load(&g.b, data, len, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vfio " UUID_B ": the device refused the saved "
			"data");
	EXPECT_EQ(g.sb->mig_loads, 0);
	EXPECT_EQ(g.sb->resets, 2);
	EXPECT_EQ(g.sb->mig_state, VFIO_DEVICE_STATE_RUNNING);
	/* cut short: refused too */
	data[0] ^= 0xff;
	EXPECT_EQ(vfio_mig_load(&g.b, data, len - 1, err, sizeof(err)), -1);
	EXPECT_EQ(g.sb->mig_loads, 0);
	EXPECT_EQ(vfio_mig_load(&g.b, data, len, err, sizeof(err)), 0);
	EXPECT_EQ(g.sb->mig_loads, 1);
	free(data);
	rig_fini(&g);
}

/* States and flags through the feature ioctl; no migration: ENOTTY. */
TEST(vfio_mig_flags_and_states)
{
	char err[VFIO_ERR_LEN] = "", buf[24];
	struct mig_rig g;
	u64 flags = 0, n = 0;
	u32 st = 0;

	ASSERT_EQ(rig_init(&g), 0);
	ASSERT_EQ(vfio_mig_flags(&g.a, &flags), 0);
	EXPECT_EQ(flags, VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P);
	ASSERT_EQ(vfio_mig_get_state(&g.a, &st), 0);
	EXPECT_EQ(st, VFIO_DEVICE_STATE_RUNNING);
	ASSERT_EQ(vfio_mig_data_size(&g.a, &n), 0);
	EXPECT_EQ(n, sizeof(struct sim_mig_hdr) + 8);
	ASSERT_EQ(vfio_mig_stop(&g.a, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_mig_stop(&g.a, err, sizeof(err)), 0);	/* no-op */
	EXPECT_EQ(g.sa->mig_sets, 1);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_STOP);
	ASSERT_EQ(vfio_mig_run(&g.a, err, sizeof(err)), 0);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	/* a skipped arc is the kernel's to refuse (the sim is strict) */
	EXPECT_EQ(vfio_mig_set_state(&g.a, VFIO_DEVICE_STATE_RESUMING, NULL),
		  -1);
	EXPECT_EQ(errno, EINVAL);
	g.sb->mig_flags = 0;
	EXPECT_EQ(vfio_mig_flags(&g.b, &flags), -1);
	EXPECT_EQ(errno, ENOTTY);
	EXPECT_EQ(vfio_mig_stop(&g.b, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "does its driver support VFIO migration?");
	EXPECT_STR(vfio_mig_state_name(VFIO_DEVICE_STATE_STOP_COPY, buf,
				       sizeof(buf)), "STOP_COPY");
	EXPECT_STR(vfio_mig_state_name(42, buf, sizeof(buf)), "state 42");
	rig_fini(&g);
}

/* The constants lkvm defines for older headers are the kernel's. */
TEST(vfio_mig_uapi_matches_the_kernel)
{
	EXPECT_EQ(VFIO_MIGRATION_PRE_COPY, 1u << 2);
	EXPECT_EQ(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, 9);
	EXPECT_EQ(VFIO_DEVICE_FEATURE_MIG_DATA_SIZE,
		  VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT + 1);
	EXPECT_EQ(VFIO_MIG_GET_PRECOPY_INFO, _IO(VFIO_TYPE, VFIO_BASE + 21));
	EXPECT_EQ(sizeof(struct vfio_precopy_info), 24);
	EXPECT_EQ(offsetof(struct vfio_precopy_info, initial_bytes), 8);
	EXPECT_EQ(offsetof(struct vfio_precopy_info, dirty_bytes), 16);
	EXPECT_EQ(sizeof(struct vfio_device_feature_mig_data_size), 8);
	EXPECT_EQ(LKVM_VFIO_STATE_PRE_COPY, VFIO_DEVICE_STATE_RUNNING_P2P + 1);
	EXPECT_EQ(LKVM_VFIO_STATE_PRE_COPY_P2P, 7);
#ifdef HOST_HAS_PRE_COPY
	EXPECT_EQ(LKVM_VFIO_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY);
	EXPECT_EQ(LKVM_VFIO_STATE_PRE_COPY_P2P,
		  VFIO_DEVICE_STATE_PRE_COPY_P2P);
#endif
}

/* PRE_COPY (live migration): the header is ready while A runs, BAR0 as it
 * is at the stop follows on the same fd; both together load into B. */
TEST(vfio_mig_precopy_walk_moves_the_final_state)
{
	static const u32 arcs[] = { LKVM_VFIO_STATE_PRE_COPY,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP };
	char err[VFIO_ERR_LEN] = "";
	struct sbuf pre = { 0 };
	u8 v = 0x11, *rest;
	u64 total = 0, init, dirty;
	struct mig_rig g;
	size_t len;
	int fd = -1;

	ASSERT_EQ(rig_init(&g), 0);
	vfio_sim_precopy(g.sa);
	ASSERT_EQ(vfio_region_write(&g.a, 0, 7, &v, 1), 0);
	ASSERT_EQ(vfio_mig_precopy_start(&g.a, &fd, err, sizeof(err)), 0);
	EXPECT(fd >= 0);
	EXPECT_EQ(g.sa->mig_state, LKVM_VFIO_STATE_PRE_COPY);
	ASSERT_EQ(vfio_mig_precopy_info(&g.a, fd, &init, &dirty, err,
					sizeof(err)), 0);
	EXPECT_EQ(init, sizeof(struct sim_mig_hdr));
	EXPECT_EQ(dirty, 0);
	ASSERT_EQ(vfio_mig_precopy_read(&g.a, fd, &pre, &total, 4096, err,
					sizeof(err)), 0);
	EXPECT_EQ(pre.len, sizeof(struct sim_mig_hdr));
	EXPECT_EQ(total, pre.len);
	/* nothing more ready: no read blocks, nothing added */
	ASSERT_EQ(vfio_mig_precopy_read(&g.a, fd, &pre, &total, 4096, err,
					sizeof(err)), 0);
	EXPECT_EQ(pre.len, sizeof(struct sim_mig_hdr));
	EXPECT_EQ(g.sa->mig_infos, 3);
	v = 0xa5;	/* the guest goes on writing while A pre-copies */
	ASSERT_EQ(vfio_region_write(&g.a, 0, 7, &v, 1), 0);
	ASSERT_EQ(vfio_mig_precopy_stop(&g.a, err, sizeof(err)), 0);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_STOP_COPY);
	ASSERT_EQ(vfio_mig_precopy_finish(&g.a, fd, 4096 - total, &rest, &len,
					  err, sizeof(err)), 0);
	expect_trace(g.sa, arcs, 3);
	EXPECT_EQ(len, 8);		/* mtty's BAR0 */
	sb_put(&pre, rest, len);
	ASSERT_EQ(vfio_mig_load(&g.b, pre.p, pre.len, err, sizeof(err)), 0);
	EXPECT_EQ(g.sb->mem[0][7], 0xa5);
	free(rest);
	sb_free(&pre);
	rig_fini(&g);
}

/* A failing VFIO_MIG_GET_PRECOPY_INFO is named; the abort closes the fd
 * and A runs again, from PRE_COPY and from STOP_COPY (through STOP); more
 * data than the bound is refused. */
TEST(vfio_mig_precopy_failure_resumes_running)
{
	static const u32 arcs[] = { LKVM_VFIO_STATE_PRE_COPY,
		VFIO_DEVICE_STATE_RUNNING, LKVM_VFIO_STATE_PRE_COPY,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RUNNING };
	char err[VFIO_ERR_LEN] = "";
	struct sbuf pre = { 0 };
	struct mig_rig g;
	u64 total = 0;
	int fd = -1;

	ASSERT_EQ(rig_init(&g), 0);
	vfio_sim_precopy(g.sa);
	ASSERT_EQ(vfio_mig_precopy_start(&g.a, &fd, err, sizeof(err)), 0);
	g.sa->mig_info_fail = true;
	EXPECT_EQ(vfio_mig_precopy_read(&g.a, fd, &pre, &total, 4096, err,
					sizeof(err)), -1);
	EXPECT_STR(err, "vfio " UUID_A ": VFIO_MIG_GET_PRECOPY_INFO: "
		   "Input/output error");
	vfio_mig_precopy_abort(&g.a, fd);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	EXPECT_EQ(g.sa->mig_fd, -1);
	g.sa->mig_info_fail = false;
	ASSERT_EQ(vfio_mig_precopy_start(&g.a, &fd, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_mig_precopy_stop(&g.a, err, sizeof(err)), 0);
	vfio_mig_precopy_abort(&g.a, fd);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	expect_trace(g.sa, arcs, 6);
	/* more pre-copy data than the bound is refused by name */
	ASSERT_EQ(vfio_mig_precopy_start(&g.a, &fd, err, sizeof(err)), 0);
	EXPECT_EQ(vfio_mig_precopy_read(&g.a, fd, &pre, &total, 8, err,
					sizeof(err)), -1);
	EXPECT_CONTAINS(err, "more than 8 bytes of pre-copy data");
	vfio_mig_precopy_abort(&g.a, fd);
	EXPECT_EQ(g.sa->mig_state, VFIO_DEVICE_STATE_RUNNING);
	/* a device without PRE_COPY refuses the arc, nothing changes */
	EXPECT_EQ(vfio_mig_precopy_start(&g.b, &fd, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "migration state RUNNING -> PRE_COPY");
	EXPECT_EQ(g.sb->mig_state, VFIO_DEVICE_STATE_RUNNING);
	EXPECT_EQ(g.sb->mig_sets, 0);
	sb_free(&pre);
	rig_fini(&g);
}
