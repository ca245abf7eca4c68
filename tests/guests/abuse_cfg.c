/* Test guest "abuse_cfg" (any devices; the suite gives --rng, --console
 * virtio, -d and --pci-testdev): fuzzes the config space and the BAR
 * placement of every PCI function from a fixed seed, then checks that the
 * ids are intact, restores the BARs and that virtio-rng still works.
 *  1. BAR storm: memory BAR 0 of every function with one is moved onto
 *     another device's BAR and onto ECAM (both refused), then back.
 *  2. Random writes of 1, 2 or 4 bytes, aligned or not, to random offsets
 *     (0..4095 through ECAM, 0..255 through conf1) of random functions
 *     (and a few absent ones), with values picked to hurt: BAR addresses of
 *     other devices, ECAM, RAM, the APICs, all-ones, command toggles, I/O
 *     ports in use; each is read back.
 * Prints "GUEST abuse-cfg done ..." and powers off. */
#include "abuse.h"

#define SEED		0x5eed0ab05e5eed01ULL
#define FUZZ_ITERS	4000
#define STORM_ROUNDS	500
#define MAX_FNS		64
#define RAM_LIMIT	(64UL << 20)	/* the suite runs it with -m 64 */
#define CMD_IO		0x1
#define CMD_MEM		0x2
#define CMD_MASTER	0x4
#define RING_BASE	0x400000UL
#define BUF_BASE	0x480000UL

struct fn {
	int bdf;
	u32 id, class_rev, hdr;
	u32 bar[6], rom;
	u16 cmd;
};

static struct fn fns[MAX_FNS];
static int nfn;
static u64 seed = SEED;
static volatile u64 stray_irqs;
static int ok = 1;

static void check(int cond, const char *what)
{
	if (cond)
		return;
	printf("GUEST abuse-cfg: check failed: %s\n", what);
	ok = 0;
}

/* A device that gets an MSI enabled by the fuzzing could deliver one:
 * count it (interrupts stay disabled, but NMIs do not). */
static void on_stray(struct intr_frame *f)
{
	stray_irqs++;
}

static u32 rnd(void)
{
	return (u32)(prng_next(&seed) >> 32);
}

static void scan(void)
{
	int slot, fn, i;

	for (slot = 0; slot < 32; slot++) {
		for (fn = 0; fn < 8 && nfn < MAX_FNS; fn++) {
			int bdf = BDF(slot, fn);
			u32 id = conf1_read(bdf, 0, 4);
			struct fn *f;

			if (id == 0xffffffff)
				continue;
			f = &fns[nfn++];
			f->bdf = bdf;
			f->id = id;
			f->class_rev = conf1_read(bdf, 8, 4);
			f->hdr = conf1_read(bdf, 0x0e, 1);
			f->cmd = conf1_read(bdf, 4, 2);
			for (i = 0; i < 6; i++)
				f->bar[i] = conf1_read(bdf, 0x10 + 4 * i, 4);
			f->rom = conf1_read(bdf, 0x30, 4);
			printf("GUEST abuse-cfg fn %02x.%x id %08x class %08x "
			       "bar0 %08x\n", slot, fn, id, f->class_rev,
			       f->bar[0]);
		}
	}
}

/* Memory BAR 0 (32-bit) of f, or 0. */
static u32 mem_bar0(const struct fn *f)
{
	u32 b = f->bar[0];

	return (b && !(b & 1) && !(b & 6)) ? (b & ~0xfu) : 0;
}

static void restore(const struct fn *f)
{
	int i;

	ecam_write(f->bdf, 4, 2, 0);
	for (i = 0; i < 6; i++)
		ecam_write(f->bdf, 0x10 + 4 * i, 4, f->bar[i]);
	ecam_write(f->bdf, 0x30, 4, f->rom);
}

static void restore_all(void)
{
	int i;

	for (i = 0; i < nfn; i++)
		restore(&fns[i]);
	for (i = 0; i < nfn; i++)
		ecam_write(fns[i].bdf, 4, 2, fns[i].cmd | CMD_MEM | CMD_IO);
}

/* Phase 1: moves the guest is refused, as fast as it can make them. */
static void storm(void)
{
	int a, b, r, moves = 0, wrong = 0;

	restore_all();
	for (r = 0; r < STORM_ROUNDS; r++) {
		for (a = 0; a < nfn; a++) {
			u32 ba = mem_bar0(&fns[a]);

			if (!ba)
				continue;
			b = (a + 1 + r) % nfn;
			if (!mem_bar0(&fns[b]) || b == a)
				b = (b + 1) % nfn;
			if (mem_bar0(&fns[b]) && b != a) {
				u32 id = mmio_read32(mem_bar0(&fns[b]) + 0x18);

				/* onto b's live BAR: b must keep answering */
				ecam_write(fns[a].bdf, 0x10, 4, mem_bar0(&fns[b]));
				moves++;
				if (mmio_read32(mem_bar0(&fns[b]) + 0x18) != id)
					wrong++;
			}
			/* onto ECAM itself */
			ecam_write(fns[a].bdf, 0x10, 4, (u32)ecam_base());
			moves++;
			if (ecam_read(fns[a].bdf, 0, 4) != fns[a].id)
				wrong++;
			ecam_write(fns[a].bdf, 0x10, 4, fns[a].bar[0]);
		}
	}
	printf("GUEST abuse-cfg storm moves=%d wrong=%d\n", moves, wrong);
	check(wrong == 0, "a refused BAR move took over another range");
}

static u32 pick_value(int off)
{
	static const u32 cmds[] = { 0, 1, 2, 3, 4, 7, 0x400, 0x407, 0xffff };
	static const u32 ports[] = { 0x3f8, 0xcf8, 0xcfc, 0x600, 0x604, 0x70,
				     0x20, 0xc000, 0xc100 };
	static const u32 fixed[] = { 0xfee00000, 0xfec00000, 0xfed00000,
				     0xffff0000, 0xfffff000, 0x10000, 0x0,
				     0x200000, 0xc0000000, 0x80000000 };
	u32 r = rnd();
	const struct fn *o = &fns[rnd() % nfn];

	switch (r % 12) {
	case 0:
		return rnd();
	case 1:
		return 0;
	case 2:
		return 0xffffffff;
	case 3:
		return o->bar[rnd() % 6];		/* onto another BAR */
	case 4:
		return (u32)ecam_base() + (rnd() & 0xff000);
	case 5:
		return (rnd() % RAM_LIMIT) & ~0xfffu;	/* onto RAM */
	case 6:
		return fixed[rnd() % ARRAY_SIZE(fixed)];
	case 7:
		return fns[rnd() % nfn].bar[0];
	case 8:
		return cmds[rnd() % ARRAY_SIZE(cmds)];
	case 9:
		return ports[rnd() % ARRAY_SIZE(ports)] | 1;
	case 10:
		return 1u << (rnd() % 32);
	default:
		return off < 0x40 ? rnd() & 0xffff : rnd() & 0xff;
	}
}

static int pick_offset(int ecam)
{
	u32 r = rnd();

	switch (r % 10) {
	case 0:
	case 1:
	case 2:
		return 0x10 + 4 * (rnd() % 6);		/* BARs */
	case 3:
		return 0x04;				/* command */
	case 4:
		return 0x30;				/* ROM */
	case 5:
		return rnd() % 0x40;			/* header */
	case 6:
	case 7:
		return 0x40 + rnd() % 0xc0;		/* capabilities */
	case 8:
		return rnd() % 0x100;
	default:
		return ecam ? rnd() % 0x1000 : rnd() % 0x100;
	}
}

static void fuzz(void)
{
	static const int lens[] = { 1, 2, 4 };
	int i, absent = 0, reads_ff = 0;

	for (i = 0; i < FUZZ_ITERS; i++) {
		int ecam = rnd() % 3 != 0, len = lens[rnd() % 3];
		int off = pick_offset(ecam), bdf;
		u32 v = pick_value(off), back;

		if (rnd() % 16 == 0) {
			bdf = rnd() % 256;	/* maybe absent */
			absent++;
		} else {
			bdf = fns[rnd() % nfn].bdf;
		}
		if (rnd() % 4)
			off &= ~(len - 1);	/* mostly aligned */
		else
			off = (off & ~3) | (1 + rnd() % 3);
		if (ecam) {
			ecam_write(bdf, off, len, v);
			back = ecam_read(bdf, off, len);
		} else {
			off &= 0xff;
			conf1_write(bdf, off, len, v);
			back = conf1_read(bdf, off, len);
		}
		reads_ff += back == (len == 4 ? 0xffffffffu :
				     len == 2 ? 0xffffu : 0xffu);
		if (i % 512 == 511)
			printf("GUEST abuse-cfg fuzz %d\n", i + 1);
	}
	printf("GUEST abuse-cfg fuzz iters=%d absent=%d all-ones=%d\n",
	       FUZZ_ITERS, absent, reads_ff);
}

static void check_ids(void)
{
	int i, bad = 0;

	for (i = 0; i < nfn; i++) {
		const struct fn *f = &fns[i];

		if (conf1_read(f->bdf, 0, 4) != f->id ||
		    ecam_read(f->bdf, 0, 4) != f->id ||
		    conf1_read(f->bdf, 8, 4) != f->class_rev ||
		    conf1_read(f->bdf, 0x0e, 1) != f->hdr) {
			printf("GUEST abuse-cfg: fn %x changed identity\n",
			       f->bdf);
			bad++;
		}
	}
	printf("GUEST abuse-cfg ids fns=%d changed=%d\n", nfn, bad);
	check(bad == 0, "read-only identity registers changed");
}

/* After everything: virtio-rng is reset and still serves a request. */
static void rng_works(void)
{
	struct vdev d;
	struct vring r;
	int got;

	if (vdev_find(VIRTIO_ID_RNG, "rng", &d)) {
		printf("GUEST abuse-cfg rng absent\n");
		return;
	}
	ecam_write(BDF(d.slot, 0), d.msix + 2, 2, 0);	/* INTx mode */
	check(vdev_features(&d, VF_VERSION_1) == 0, "rng FEATURES_OK");
	vring_init(&r, RING_BASE, 8);
	memset((void *)BUF_BASE, 0, 64);
	vring_desc(&r, 0, BUF_BASE, 64, VRING_DESC_F_WRITE, 0);
	check(vq_setup(&d, 0, 8, r.desc, r.avail, r.used) == 1,
	      "rng queue enable");
	vdev_driver_ok(&d);
	vring_post(&r, 0);
	vq_notify(&d, 0);
	got = vring_wait(&r, &d, 1, 5000);
	printf("GUEST abuse-cfg rng after fuzz: %s\n",
	       got == 1 ? "ok" : got == 2 ? "needs reset" : "no answer");
	check(got == 1, "virtio-rng does not work after the fuzzing");
	vdev_reset(&d);
}

void guest_main(void)
{
	int v;

	idt_set_handler(2, on_stray);
	for (v = 32; v < 256; v++)
		idt_set_handler(v, on_stray);
	check(ecam_base() != 0, "no ECAM (MCFG)");
	if (!ok)
		poweroff();
	scan();
	storm();
	fuzz();
	restore_all();
	check_ids();
	rng_works();
	printf("GUEST abuse-cfg done fns=%d stray=%lu %s\n", nfn, stray_irqs,
	       ok ? "OK" : "FAIL");
	poweroff();
}
