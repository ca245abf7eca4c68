/* libFuzzer target for the MSI-X/MSI model (pci/msix.c) through both of
 * its front-ends: as VFIO drives it (results, vector states, SET_IRQS
 * ranges, MSI; up to 2048 vectors) and through virtio-pci's BAR 0 and
 * MSI-X capability, checked step by step against a reference model. */
#include <linux/pci_regs.h>
#include <linux/virtio_pci.h>
#include "fuzz.h"
#include "kvm/irq.h"
#include "kvm/vm.h"
#include "pci/msix.h"
#include "virtio/pci.h"

/* fuzz-sources: pci/msix.c virtio/pci.c virtio/io.c virtio/spare.c virtio/virtqueue.c pci/pci.c pci/ports.c pci/rootport.c pci/rootport_plan.c pci/config.c pci/bar.c kvm/msi_route.c kvm/irq.c kvm/util.c kvm/guest_mem.c kvm/iobus.c kvm/init.c kvm/guest_log.c kvm/state.c kvm/seccomp.c kvm/privdrop.c virtio/snapshot.c kvm/snapfmt.c
 * fuzz-runs: 60000
 * fuzz-max-len: 2048 */

enum {
	OP_TBL_WRITE, OP_TBL_READ, OP_PBA_READ, OP_CTRL, OP_FIRE,
	OP_MSI_UPDATE, OP_MSI_FIRE, OP_QUERY, NR_OPS
};

static const u32 lens[8] = { 1, 2, 4, 8, 4, 3, 0, 16 };

static u32 popcount_map(const u64 *map, u32 words)
{
	u32 n = 0, i;

	for (i = 0; i < words; i++)
		n += (u32)__builtin_popcountll(map[i]);
	return n;
}

/* Bits of @map at or above @nr are clear. */
static bool map_below(const u64 *map, u32 words, u32 nr)
{
	u32 w;

	for (w = nr / 64; w < words; w++)
		if (map[w] & (w == nr / 64 ? ~0ULL << (nr % 64) : ~0ULL))
			return false;
	return true;
}

static void check_res(const struct msix_result *r, u32 nr)
{
	FUZZ_ASSERT(r->nr_deliver == popcount_map(r->deliver,
						  ARRAY_SIZE(r->deliver)));
	FUZZ_ASSERT(map_below(r->deliver, ARRAY_SIZE(r->deliver), nr));
	FUZZ_ASSERT(!!(r->flags & MSIX_R_DELIVER) == !!r->nr_deliver);
	if (r->flags & MSIX_R_ROUTE)
		FUZZ_ASSERT(r->route_count && r->route_first < nr &&
			    r->route_count <= nr - r->route_first);
	FUZZ_ASSERT(!((r->flags & MSIX_R_ENABLE) &&
		      (r->flags & MSIX_R_DISABLE)));
}

static void check_msix(const struct msix_state *s)
{
	FUZZ_ASSERT(s->nr >= 1 && s->nr <= MSIX_MAX_VECTORS);
	FUZZ_ASSERT(map_below(s->pba, msix_pba_size(s->nr) / 8, s->nr));
}

/* The virtio-pci front-end runs without a VM (v->vm NULL): the KVM side
 * is never reached, these only satisfy the linker. */
int arch_irq_routing_base(struct kvm_irq_routing_entry *e, int max,
			  u32 *first_free)
{
	abort();
}

int arch_msi_route(struct vm *vm, u32 gsi, u64 addr, u32 data, u32 devid,
		   struct kvm_irq_routing_entry *e)
{
	abort();
}

int arch_signal_msi(struct vm *vm, u64 addr, u32 data, u32 devid)
{
	abort();
}

void vm_request_exit(struct vm *vm, enum vm_exit_reason why)
{
}

bool vm_signal_pending(const struct vm *vm)	/* kvm/init.c's stop check */
{
	return false;
}

int vm_irq_line(struct vm *vm, u32 irq, int level)
{
	return 0;
}

static void vd_notify(struct virtio_dev *v, unsigned int q)
{
}

static const struct virtio_dev_ops vd_ops = { .notify = vd_notify };

/* One run: the model as VFIO uses it (s), or, with v set, virtio-pci's
 * copy driven through its registers next to the reference s. */
struct fz {
	struct msix_state *s;
	struct virtio_dev *v;
	u16 cap;		/* MSI-X capability offset in v's config */
	u64 sent;		/* interrupts the reference says v has sent */
};

static struct virtio_dev *vd_new(u32 nr_vec, u16 *cap)
{
	struct virtio_dev *v = calloc(1, sizeof(*v));

	FUZZ_ASSERT(v);
	FUZZ_ASSERT(!virtio_dev_init(v, NULL, "fz", 4, 0xff0000, nr_vec - 1,
				     64, &vd_ops));
	FUZZ_ASSERT(!virtio_dev_setup_caps(v));
	*cap = pci_find_cap(&v->pci, PCI_CAP_ID_MSIX);
	FUZZ_ASSERT(*cap && v->msix.nr == nr_vec);
	return v;
}

static void vd_free(struct virtio_dev *v)
{
	pthread_mutex_destroy(&v->lock);
	pthread_mutex_destroy(&v->intx_lock);
	free(v);
}

/* virtio keeps the same table, PBA and control as the reference. */
static void vd_check(const struct fz *f)
{
	const struct msix_state *a = &f->v->msix, *b = f->s;

	FUZZ_ASSERT(f->v->irqs_sent == f->sent);
	FUZZ_ASSERT(a->nr == b->nr && a->enabled == b->enabled &&
		    a->func_masked == b->func_masked);
	FUZZ_ASSERT(!memcmp(a->tbl, b->tbl, msix_table_size(a->nr)));
	FUZZ_ASSERT(!memcmp(a->pba, b->pba, msix_pba_size(a->nr)));
}

static void vd_ctrl(struct fz *f, u16 val)
{
	u8 b[2] = { (u8)val, (u8)(val >> 8) };
	struct msix_result res;

	f->v->pci.ops->cfg_write(&f->v->pci, f->cap + PCI_MSIX_FLAGS, b, 2);
	msix_set_ctrl(f->s, val & PCI_MSIX_FLAGS_ENABLE,
		      val & PCI_MSIX_FLAGS_MASKALL, &res);
	f->sent += res.nr_deliver;
}

/* Config change on vector vec (programmed through common config): MSI-X
 * when enabled (delivered or latched), INTx otherwise. */
static void vd_fire(struct fz *f, u16 vec)
{
	u8 b[2] = { (u8)vec, (u8)(vec >> 8) };

	virtio_pci_bar_io(f->v, VP_COMMON_OFF + VIRTIO_PCI_COMMON_MSIX, b, 2,
			  true);
	pthread_mutex_lock(&f->v->lock);
	virtio_config_changed(f->v);
	pthread_mutex_unlock(&f->v->lock);
	if (!f->s->enabled || msix_fire(f->s, vec) == MSIX_DELIVER)
		f->sent++;
}

/* msix_changed_ranges() covers every differing vector, in order. */
static void check_ranges(const u8 *old, const u8 *new, u32 nr, u32 max)
{
	struct msix_range rg[8];
	u32 n = msix_changed_ranges(old, new, nr, rg, max), i, v, last = 0;
	bool covered;

	FUZZ_ASSERT(n <= max);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(rg[i].count && rg[i].start < nr &&
			    rg[i].count <= nr - rg[i].start);
		FUZZ_ASSERT(!i || rg[i].start >= last);
		FUZZ_ASSERT(old[rg[i].start] != new[rg[i].start]);
		last = rg[i].start + rg[i].count;
	}
	for (v = 0, i = 0; v < nr; v++) {
		if (old[v] == new[v])
			continue;
		while (i < n && v >= rg[i].start + rg[i].count)
			i++;
		covered = i < n && v >= rg[i].start;
		FUZZ_ASSERT(covered);
	}
}

/* Delivery follows the vector's state: LIVE delivers, MASKED latches. */
static void fire_one(struct msix_state *s, u32 v)
{
	enum msix_vec_state st = msix_vec_state(s, v);
	enum msix_fire_res r = msix_fire(s, v);

	FUZZ_ASSERT((st == MSIX_VEC_OFF) == (r == MSIX_DROPPED));
	FUZZ_ASSERT((st == MSIX_VEC_LIVE) == (r == MSIX_DELIVER));
	if (r == MSIX_LATCHED)
		FUZZ_ASSERT(msix_pending(s, v));
}

static void msi_fire_one(struct msi_state *m, u32 v)
{
	enum msix_vec_state st = msi_vec_state(m, v);
	enum msix_fire_res r = msi_fire(m, v);
	u64 addr;
	u32 data;

	FUZZ_ASSERT((st == MSIX_VEC_OFF) == (r == MSIX_DROPPED));
	FUZZ_ASSERT((st == MSIX_VEC_LIVE) == (r == MSIX_DELIVER));
	if (r == MSIX_DROPPED)
		return;
	msi_route(m, v, &addr, &data);
	FUZZ_ASSERT(addr == m->addr);
	FUZZ_ASSERT((data & (m->nr - 1)) == (v & (m->nr - 1)));
}

/* The same read through virtio's BAR 0 returns the reference's bytes. */
static void vd_read(struct fz *f, u64 base, u64 off, const u8 *want, u32 len)
{
	u8 got[16];

	if (!f->v)
		return;
	memset(got, 0x5a, sizeof(got));
	virtio_pci_bar_io(f->v, base + off, got, len, false);
	FUZZ_ASSERT(!memcmp(got, want, MIN(len, (u32)sizeof(got))));
}

static void tbl_access(struct fz *f, struct fin *in, int op)
{
	struct msix_state *s = f->s;
	u32 len = lens[fin_u8(in) % 8];
	u64 off = fin_u16(in) % (msix_table_size(s->nr) + 32), far;
	u8 buf[16], data[16];
	struct msix_result res;
	u64 addr;
	u32 d;

	if (fin_u8(in) == 0xff) {
		far = fin_u64(in);	/* absurd offsets (not into virtio's BAR) */
		off = f->v ? off : far;
	}
	if (op == OP_TBL_WRITE) {
		fin_bytes(in, data, sizeof(data));
		if (f->v)
			virtio_pci_bar_io(f->v, VP_MSIX_TABLE_OFF + off, data,
					  len, true);
		if (!msix_table_write(s, off, data, len, &res)) {
			FUZZ_ASSERT(!res.flags && !res.nr_deliver);
			return;
		}
		f->sent += res.nr_deliver;
		FUZZ_ASSERT(res.vector == off / MSIX_ENTRY_SIZE);
		check_res(&res, s->nr);
		return;
	}
	memset(buf, 0xa5, sizeof(buf));
	if (op == OP_PBA_READ) {
		if (msix_pba_read(s, off, buf, len) && len == 1)
			FUZZ_ASSERT(!!(buf[0] & (1u << 0)) ==
				    msix_pending(s, (u32)off * 8));
		vd_read(f, VP_MSIX_PBA_OFF, off, buf, len);
	} else {
		if (msix_table_read(s, off, buf, len) && len == 4 &&
		    off % 16 == 8) {
			msix_route(s, (u32)(off / 16), &addr, &d);
			FUZZ_ASSERT(!memcmp(buf, &d, 4));
		}
		vd_read(f, VP_MSIX_TABLE_OFF, off, buf, len);
	}
	FUZZ_ASSERT(len >= sizeof(buf) || buf[len] == 0xa5);
}

/* Any vector number, far past the table (msix_route once formed a
 * pointer outside it before checking v; fixed, see tests/unit/pci/test_msix.c). */
#define QUERY_V_LIMIT	0x10000u

static void query(struct fz *f, struct fin *in, u8 *prev)
{
	struct msix_state *s = f->s;
	u8 now[MSIX_MAX_VECTORS], b[4];
	u32 v = fin_u16(in) % QUERY_V_LIMIT, e;
	u64 addr;
	u32 data;

	msix_route(s, v, &addr, &data);
	if (v >= s->nr)
		FUZZ_ASSERT(!addr && !data);
	FUZZ_ASSERT(msix_vec_masked(s, v) == (v < s->nr &&
		    (s->tbl[v * 4 + 3] & MSIX_CTRL_MASKBIT)));
	msix_vec_states(s, now);
	check_ranges(prev, now, s->nr, 1 + fin_u8(in) % 8);
	memcpy(prev, now, s->nr);
	for (e = 0; f->v && e < s->nr * 4; e++) {	/* every dword */
		msix_table_read(s, e * 4, b, 4);
		vd_read(f, VP_MSIX_TABLE_OFF, e * 4, b, 4);
	}
}

static void msi_op(struct msi_state *m, struct fin *in)
{
	struct msix_result res;
	u8 f = fin_u8(in);
	u32 nr = fin_u8(in) % 40, mask = fin_u32(in);
	u64 addr = fin_u64(in);
	u16 data = fin_u16(in);

	msi_update(m, f & 1, nr, addr, data, mask, &res);
	check_res(&res, MSI_MAX_VECTORS);
	FUZZ_ASSERT(m->nr >= 1 && m->nr <= MSI_MAX_VECTORS &&
		    !(m->nr & (m->nr - 1)));
	FUZZ_ASSERT(map_below(res.deliver, ARRAY_SIZE(res.deliver), m->nr));
	if (!m->maskable)
		FUZZ_ASSERT(!m->mask);
}

static void msix_op(struct fz *f, struct fin *in, u8 op)
{
	struct msix_result res;
	u8 c;

	switch (op) {
	case OP_TBL_WRITE:
	case OP_TBL_READ:
	case OP_PBA_READ:
		tbl_access(f, in, op);
		break;
	case OP_CTRL:
		if (f->v) {
			vd_ctrl(f, fin_u16(in));
			break;
		}
		c = fin_u8(in);
		msix_set_ctrl(f->s, c & 1, c & 2, &res);
		check_res(&res, f->s->nr);
		FUZZ_ASSERT(f->s->enabled == (c & 1) &&
			    f->s->func_masked == !!(c & 2));
		break;
	case OP_FIRE:
		if (f->v)
			vd_fire(f, fin_u16(in) % (f->s->nr + 4));
		else
			fire_one(f->s, fin_u16(in) % (f->s->nr + 4));
		break;
	}
}

/* Header: u16 vectors, u8 flags (bit 0: MSI per-vector masking; bit 1:
 * virtio-pci front-end with 2 + vectors % 8 vectors), then operations. */
int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct fin in = { data, len };
	struct fz f = { 0 };
	struct msi_state m;
	u8 *prev = calloc(MSIX_MAX_VECTORS, 1);
	u32 nr = fin_u16(&in) % (MSIX_MAX_VECTORS + 8), steps = 0;
	u8 op, flags = fin_u8(&in);

	if (flags & 2) {
		nr = 2 + nr % 8;
		f.v = vd_new(nr, &f.cap);
	}
	f.s = msix_new(nr);
	FUZZ_ASSERT(f.s && prev);
	FUZZ_ASSERT(f.s->nr == MIN(MAX(nr, 1u), (u32)MSIX_MAX_VECTORS));
	msi_init(&m, flags & 1);
	while (in.n && steps++ < 512) {
		op = fin_u8(&in) % NR_OPS;
		if (op == OP_MSI_UPDATE)
			msi_op(&m, &in);
		else if (op == OP_MSI_FIRE)
			msi_fire_one(&m, fin_u8(&in) % 40);
		else if (op == OP_QUERY)
			query(&f, &in, prev);
		else
			msix_op(&f, &in, op);
		check_msix(f.s);
		if (f.v)
			vd_check(&f);
	}
	if (f.v)
		vd_free(f.v);
	free(prev);
	free(f.s);
	return 0;
}

/* A control word: u8 en | fm << 1 for the model, the capability's u16
 * for virtio-pci. */
static void seed_ctrl(struct fseed *s, bool virtio, bool en, bool fm)
{
	fs_u8(s, OP_CTRL);
	if (virtio)
		fs_u16(s, (en ? PCI_MSIX_FLAGS_ENABLE : 0) |
		       (fm ? PCI_MSIX_FLAGS_MASKALL : 0));
	else
		fs_u8(s, en | fm << 1);
}

/* Enable, program and unmask vector 0, fire it, mask the function;
 * 65 vectors on the model, 7 (65 % 8 + 2) on virtio-pci. */
static void seed_msix(const char *name, bool virtio)
{
	struct fseed s = { .n = 0 };
	u32 v;

	fs_u16(&s, 65);
	fs_u8(&s, virtio ? 3 : 1);
	for (v = 0; v < 3; v++) {
		fs_u8(&s, OP_TBL_WRITE);
		fs_u8(&s, 2);			/* len 4 */
		fs_u16(&s, v * 16 + 0);		/* addr lo */
		fs_u8(&s, 0);
		fs_u32(&s, 0xfee00000 | v << 12);
		fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
		fs_u8(&s, OP_TBL_WRITE);
		fs_u8(&s, 2);
		fs_u16(&s, v * 16 + 8);		/* data */
		fs_u8(&s, 0);
		fs_u32(&s, 0x4021 + v);
		fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	}
	seed_ctrl(&s, virtio, true, false);
	fs_u8(&s, OP_FIRE);
	fs_u16(&s, 0);				/* masked: latched */
	fs_u8(&s, OP_QUERY);
	fs_u16(&s, 0);
	fs_u8(&s, 3);
	fs_u8(&s, OP_TBL_WRITE);
	fs_u8(&s, 2);
	fs_u16(&s, 12);				/* vector 0 control */
	fs_u8(&s, 0);
	fs_bytes(&s, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	fs_u8(&s, OP_PBA_READ);
	fs_u8(&s, 3);
	fs_u16(&s, 0);
	fs_u8(&s, 0);
	seed_ctrl(&s, virtio, true, true);
	fs_u8(&s, OP_FIRE);
	fs_u16(&s, 0);				/* function masked: latched */
	seed_ctrl(&s, virtio, true, false);
	fs_u8(&s, OP_QUERY);
	fs_u16(&s, 1);
	fs_u8(&s, 7);
	fuzz_seed(name, &s);
}

/* MSI with 4 of 8 vectors, vector 1 masked, fired and unmasked. */
static void seed_msi(void)
{
	struct fseed s = { .n = 0 };

	fs_u16(&s, 1);
	fs_u8(&s, 1);			/* maskable */
	fs_u8(&s, OP_MSI_UPDATE);
	fs_u8(&s, 1);
	fs_u8(&s, 4);
	fs_u32(&s, 2);
	fs_u64(&s, 0xfee00000);
	fs_u16(&s, 0x40);
	fs_u8(&s, OP_MSI_FIRE);
	fs_u8(&s, 1);
	fs_u8(&s, OP_MSI_UPDATE);
	fs_u8(&s, 1);
	fs_u8(&s, 4);
	fs_u32(&s, 0);
	fs_u64(&s, 0xfee00000);
	fs_u16(&s, 0x40);
	fuzz_seed("msi-mask", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!fuzz_seeding())
		return 0;
	seed_msix("msix-enable", false);
	seed_msix("virtio-msix-enable", true);
	seed_msi();
	exit(0);
}
