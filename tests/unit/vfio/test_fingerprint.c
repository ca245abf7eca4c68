/* Unit tests of the compatibility fingerprint (vfio/fingerprint.c): built
 * from the device and not from the config image (which a restore
 * overwrites), written and read back unchanged, compared field by field
 * with the first difference named (hex ids and sizes, decimal counts),
 * and malformed records refused. */
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "vfio/snapshot.h"

static void item(struct vfio_fp *fp, const char *name, u64 val, bool hex)
{
	struct vfio_fp_item *it = &fp->it[fp->nr++];

	snprintf(it->name, sizeof(it->name), "%s", name);
	it->val = val;
	it->hex = hex;
}

TEST(vfio_fp_put_get_compare)
{
	struct vfio_fp *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char err[256] = "";
	struct sbuf buf = { 0 };
	struct sreader r;

	ASSERT(a && b);
	item(a, "vendor ID", 0x1b36, true);
	item(a, "MSI-X vectors", 4, false);
	vfio_fp_put(&buf, a);
	sr_init(&r, buf.p, buf.len);
	ASSERT_EQ(vfio_fp_get(&r, b, err, sizeof(err)), 0);
	EXPECT(sr_done(&r));
	EXPECT_EQ(vfio_fp_compare(a, b, "vfio x", err, sizeof(err)), 0);
	b->it[1].val = 8;
	EXPECT_EQ(vfio_fp_compare(a, b, "vfio 0000:00:03.0", err, sizeof(err)),
		  -1);
	EXPECT_STR(err, "vfio 0000:00:03.0: MSI-X vectors: snapshot 4, this "
		   "device 8");
	b->it[0].val = 0x8086;
	EXPECT_EQ(vfio_fp_compare(a, b, "d", err, sizeof(err)), -1);
	EXPECT_STR(err, "d: vendor ID: snapshot 0x1b36, this device 0x8086");
	b->it[0].val = 0x1b36;
	b->it[1].val = 4;
	item(b, "host page size", 4096, true);
	EXPECT_EQ(vfio_fp_compare(a, b, "d", err, sizeof(err)), -1);
	EXPECT_STR(err, "d: fingerprint: snapshot 2 fields, this device 3 "
		   "(another lkvm version?)");
	snprintf(b->it[1].name, sizeof(b->it[1].name), "MSI vectors");
	EXPECT_EQ(vfio_fp_compare(a, b, "d", err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "fingerprint field 1: snapshot \"MSI-X vectors\"");
	/* cut short at every length */
	for (r.len = 0; r.len < buf.len; r.len++) {
		sr_init(&r, buf.p, r.len);
		EXPECT_EQ(vfio_fp_get(&r, b, err, sizeof(err)), -1);
	}
	sb_free(&buf);
	sb_u32(&buf, VFIO_FP_MAX + 1);
	sr_init(&r, buf.p, buf.len);
	EXPECT_EQ(vfio_fp_get(&r, b, err, sizeof(err)), -1);
	EXPECT_CONTAINS(err, "at most");
	sb_free(&buf);
	free(a);
	free(b);
}

/* Ids come from the device's own bytes, not the (restorable) image. */
TEST(vfio_fp_build_ignores_the_image)
{
	struct vfio_pci *vp = calloc(1, sizeof(*vp));
	struct vfio_fp *fp = calloc(1, sizeof(*fp));
	u32 i;

	ASSERT(vp && fp);
	vp->cfg.dev = &vp->pci;
	vp->cfg.size = 256;
	vp->cfg.real[0] = 0x36;
	vp->cfg.real[1] = 0x1b;
	vp->pci.cfg[0] = 0x86;		/* a restored image says 8086 */
	vp->pci.cfg[1] = 0x80;
	vp->page = 16384;
	vfio_fp_build(vp, fp);
	EXPECT_STR(fp->it[0].name, "vendor ID");
	EXPECT_EQ(fp->it[0].val, 0x1b36);
	EXPECT_STR(fp->it[fp->nr - 1].name, "host page size");
	EXPECT_EQ(fp->it[fp->nr - 1].val, 16384);
	for (i = 0; i < fp->nr; i++)
		EXPECT(fp->it[i].name[0]);
	free(vp);
	free(fp);
}
