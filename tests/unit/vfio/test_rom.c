/* Unit tests of romfile= (vfio/rom.c, served by vfio/bar.c) on a fake VM
 * with the simulated kernel: the image replaces the device's ROM, the ROM
 * BAR sizes to the next power of two (2 KiB at least), reads past the image
 * are zero, writes are dropped; a device without a ROM gets one; a missing
 * or empty file and romfile= with rombar=off are refused by name. */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include "unit.h"
#include "vfio/rig.h"

/* A ROM image of len bytes: 0x55 0xaa, then i & 0xff. */
static void make_rom(char *path, size_t plen, u32 len)
{
	u8 *b = malloc(len);
	int fd;
	u32 i;

	snprintf(path, plen, "/tmp/lkvm-ut-rom-XXXXXX");
	fd = mkstemp(path);
	for (i = 0; b && i < len; i++)
		b[i] = i == 0 ? 0x55 : i == 1 ? 0xaa : (u8)i;
	if (fd < 0 || !b || write(fd, b, len) != (ssize_t)len)
		perror("make_rom");
	if (fd >= 0)
		close(fd);
	free(b);
}

static u32 rom_rd(struct vfio_pci *vp, u64 gpa, u32 off)
{
	u32 v = 0;

	iobus_dispatch(&vp->vm->mmio, gpa + off, (u8 *)&v, 4, false);
	return v;
}

/* Sizes the ROM BAR as firmware does; returns its size, leaves it at
 * gpa, enabled, with memory decode on. */
static u32 rom_bar(struct vfio_pci *vp, u64 gpa)
{
	u32 sz;

	cfg_wr(vp, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK, 4);
	sz = ~(cfg_rd(vp, PCI_ROM_ADDRESS, 4) & PCI_ROM_ADDRESS_MASK) + 1;
	cfg_wr(vp, PCI_ROM_ADDRESS, (u32)gpa | PCI_ROM_ADDRESS_ENABLE, 4);
	cfg_wr(vp, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	return sz;
}

TEST(vfio_rom_romfile_replaces_the_device_rom)
{
	const u64 gpa = 0xc8000000;
	char path[64], spec[96];
	struct vfio_pci *vp;
	struct sim_dev *d;
	struct rig g;
	u32 w = 0x12345678;

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_E1000E, "0000:02:00.0", 12);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	ASSERT(d->rom_size == 256 * 1024);
	make_rom(path, sizeof(path), 3000);
	snprintf(spec, sizeof(spec), "02:00.0,romfile=%s", path);
	vp = dev_open(&g, spec);
	ASSERT(vp != NULL);
	EXPECT_EQ(rom_bar(vp, gpa), 4096);
	EXPECT_EQ(rom_rd(vp, gpa, 0), 0x0302aa55);
	EXPECT_EQ(rom_rd(vp, gpa, 2996), 0xb7b6b5b4);
	EXPECT_EQ(rom_rd(vp, gpa, 3000), 0);		/* padding */
	EXPECT_EQ(rom_rd(vp, gpa, 4092), 0);
	iobus_dispatch(&g.vm.mmio, gpa, (u8 *)&w, 4, true);
	EXPECT_EQ(rom_rd(vp, gpa, 0), 0x0302aa55);	/* read-only */
	vfio_pci_destroy(vp);
	unlink(path);
	rig_fini(&g);
}

/* A device without a ROM region gets the image; 1 byte sizes to 2 KiB. */
TEST(vfio_rom_romfile_without_device_rom)
{
	const u64 gpa = 0xc8000000;
	char path[64], spec[96];
	struct vfio_pci *vp;
	struct sim_dev *d;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_NVME, "0000:01:00.0", 31);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	ASSERT(d->rom_size == 0);
	make_rom(path, sizeof(path), 1);
	snprintf(spec, sizeof(spec), "01:00.0,romfile=%s", path);
	vp = dev_open(&g, spec);
	ASSERT(vp != NULL);
	EXPECT_EQ(rom_bar(vp, gpa), 2048);
	EXPECT_EQ(rom_rd(vp, gpa, 0), 0x55);
	vfio_pci_destroy(vp);
	unlink(path);
	rig_fini(&g);
}

/* The copy a read-only memslot maps: the device's ROM region read once, or
 * romfile='s image padded; kept for the next enable. Without a memslot
 * (here: the fake VM's ioctls fail) the ROM's reads trap as before. */
TEST(vfio_rom_map_copy)
{
	const u64 gpa = 0xc8000000;
	char path[64], spec[96];
	struct vfio_pci *vp;
	struct sim_dev *d;
	struct rig g;
	u8 *copy;
	u32 v;

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_E1000E, "0000:02:00.0", 12);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	vp = dev_open(&g, "02:00.0");
	ASSERT(vp != NULL);
	g.vm.readonly_mem = true;	/* its memslot ioctl fails: trapped */
	EXPECT_EQ(rom_bar(vp, gpa), 256 * 1024);
	copy = vp->rom_map;
	ASSERT(copy != NULL);
	EXPECT_EQ(vp->rom_map_size, 256 * 1024);
	EXPECT(!memcmp(copy, d->mem[6], d->rom_size));
	memcpy(&v, copy + 0x1230, 4);
	EXPECT_EQ(rom_rd(vp, gpa, 0x1230), v);		/* the trap agrees */
	cfg_wr(vp, PCI_ROM_ADDRESS, (u32)gpa, 4);	/* off and on again */
	cfg_wr(vp, PCI_ROM_ADDRESS, (u32)gpa | PCI_ROM_ADDRESS_ENABLE, 4);
	EXPECT(vp->rom_map == copy);			/* read once */
	vfio_pci_destroy(vp);
	rig_fini(&g);

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_E1000E, "0000:02:00.0", 12);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	make_rom(path, sizeof(path), 3000);
	snprintf(spec, sizeof(spec), "02:00.0,romfile=%s", path);
	vp = dev_open(&g, spec);
	ASSERT(vp != NULL);
	g.vm.readonly_mem = true;
	EXPECT_EQ(rom_bar(vp, gpa), 4096);
	ASSERT(vp->rom_map != NULL);
	EXPECT(!memcmp(vp->rom_map, vp->rom, 4096));
	EXPECT_EQ(vp->rom_map[1], 0xaa);
	vfio_pci_destroy(vp);
	unlink(path);
	rig_fini(&g);
}

/* No KVM_CAP_READONLY_MEM: no copy is made, every read traps. */
TEST(vfio_rom_map_needs_readonly_memslots)
{
	const u64 gpa = 0xc8000000;
	struct vfio_pci *vp;
	struct sim_dev *d;
	struct rig g;

	ASSERT_EQ(rig_init(&g), 0);
	d = vfio_sim_add(&g.s, SIM_E1000E, "0000:02:00.0", 12);
	d->irq_count[VFIO_PCI_INTX_IRQ_INDEX] = 0;
	vp = dev_open(&g, "02:00.0");
	ASSERT(vp != NULL);
	g.vm.readonly_mem = false;
	EXPECT_EQ(rom_bar(vp, gpa), 256 * 1024);
	EXPECT(vp->rom_map == NULL);
	EXPECT_EQ(rom_rd(vp, gpa, 0) & 0xffff, 0xaa55);
	vfio_pci_destroy(vp);
	rig_fini(&g);
}

TEST(vfio_rom_romfile_refused)
{
	char path[64], spec[96], err[VFIO_ERR_LEN];
	struct vfio_spec sp;
	struct vfio_pci *vp;
	struct rig g;
	int fd;

	ASSERT_EQ(rig_init(&g), 0);
	vfio_sim_add(&g.s, SIM_NVME, "0000:01:00.0", 31)->irq_count[
		VFIO_PCI_INTX_IRQ_INDEX] = 0;
	vp = dev_open(&g, "01:00.0,romfile=/nonexistent/x.rom");
	EXPECT(vp == NULL);
	snprintf(path, sizeof(path), "/tmp/lkvm-ut-rom-XXXXXX");
	fd = mkstemp(path);
	ASSERT(fd >= 0);
	close(fd);
	snprintf(spec, sizeof(spec), "01:00.0,romfile=%s", path);
	vp = dev_open(&g, spec);	/* empty */
	EXPECT(vp == NULL);
	unlink(path);
	rig_fini(&g);
	/* the messages, through the parts that make them */
	EXPECT_EQ(vfio_spec_parse("01:00.0,romfile=/x,rombar=off", &sp, err,
				  sizeof(err)), -1);
	EXPECT_CONTAINS(err, "romfile= and rombar=off");
	EXPECT_EQ(vfio_spec_parse("01:00.0,romfile=", &sp, err, sizeof(err)),
		  -1);
	EXPECT_CONTAINS(err, "romfile= needs the path of a ROM image");
	ASSERT_EQ(vfio_spec_parse("01:00.0,romfile=/nonexistent/x.rom", &sp,
				  err, sizeof(err)), 0);
	vp = calloc(1, sizeof(*vp));
	ASSERT(vp != NULL);
	vp->vdev.spec = sp;
	snprintf(vp->name, sizeof(vp->name), "vfio 0000:01:00.0");
	EXPECT_EQ(vfio_rom_load(vp, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "vfio 0000:01:00.0: romfile=/nonexistent/x.rom: "
			"No such file or directory");
	free(vp);
}
