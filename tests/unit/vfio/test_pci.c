/* Unit tests for an assigned device's config hooks (vfio/pci.c) against the
 * simulated kernel: a config region shorter than 256 bytes (mtty mdevs) is
 * read only within its size; the rest reads zero and takes no writes. */
#include <linux/pci_regs.h>
#include "unit.h"
#include "sim/vfio_sim.h"
#include "vfio/pci.h"

#define UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

TEST(vfio_pci_short_config_region)
{
	static const u8 w[4] = { 0x11, 0x22, 0x33, 0x44 };
	struct vcfg_input in = { .cfg_size = PCI_CFG_SIZE, .dev_size = 0xff };
	struct vfio_container c;
	char err[VFIO_ERR_LEN];
	struct vfio_pci vp = { 0 };
	u8 real[PCI_CFG_SIZE] = { 0 }, d[4];
	struct vfio_spec sp;
	struct vfio_sim s;
	struct sim_dev *sd;

	ASSERT_EQ(vfio_sim_init(&s), 0);
	sd = vfio_sim_add(&s, SIM_MTTY, UUID, 30);
	sd->cfg[0xfc] = 0xa1;
	sd->cfg[0xfd] = 0xa2;
	sd->cfg[0xfe] = 0xa3;
	sd->cfg[0xff] = 0xee;		/* beyond the region: never seen */
	ASSERT_EQ(vfio_spec_parse(UUID, &sp, err, sizeof(err)), 0);
	vfio_container_init(&c, &s.ops);
	ASSERT_EQ(vfio_device_open(&c, &sp, &vp.vdev, err, sizeof(err)), 0);
	ASSERT_EQ(vfio_device_layout(&vp.vdev, &vp.layout, err, sizeof(err)),
		  0);
	ASSERT_EQ(vfio_cfg_read(&vp.vdev, 0, real, 0xff), 0);
	in.cfg = real;
	in.bars = &vp.layout;
	vp.pci.name = "mtty";
	ASSERT_EQ(vcfg_build(&vp.cfg, &vp.pci, &in, err, sizeof(err)), 0);
	vp.pci.priv = &vp;
	ASSERT(vfio_pci_ops.cfg_read(&vp.pci, 0xfc, d, 4));
	EXPECT_EQ(d[0] | d[1] << 8 | d[2] << 16 | (u32)d[3] << 24, 0x00a3a2a1);
	ASSERT(vfio_pci_ops.cfg_read(&vp.pci, 0xfe, d, 2));
	EXPECT_EQ(d[0] | d[1] << 8, 0x00a3);
	ASSERT(vfio_pci_ops.cfg_read(&vp.pci, 0xff, d, 1));
	EXPECT_EQ(d[0], 0);
	ASSERT(vfio_pci_ops.cfg_write(&vp.pci, 0xfc, w, 4));
	EXPECT_EQ(sd->cfg[0xfc], 0x11);
	EXPECT_EQ(sd->cfg[0xfe], 0x33);
	EXPECT_EQ(sd->cfg[0xff], 0xee);
	ASSERT(vfio_pci_ops.cfg_read(&vp.pci, 0xfc, d, 4));
	EXPECT_EQ(d[0] | d[1] << 8 | d[2] << 16 | (u32)d[3] << 24, 0x00332211);
	EXPECT_EQ(s.bad_calls, 0);
	vfio_device_close(&vp.vdev);
	vfio_container_exit(&c);
	EXPECT_EQ(s.open_fds, 0);
	vfio_sim_destroy(&s);
}
