/* Live migration, the source side (include/kvm/migrate.h): the `migrate`
 * control request runs here on the main thread with the connection the
 * client opened: hello, RAM pre-copy passes over KVM's dirty log (with
 * the devices' PRE_COPY data), then the vCPUs stop for the last dirty
 * pages and the state, and the VM ends once the destination acknowledged;
 * on any failure before that it runs on. */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/virtio_ids.h>
#include "kvm/control.h"
#include "kvm/config.h"
#include "kvm/ctl_msg.h"
#include "kvm/migrate.h"
#include "kvm/vm.h"
#include "lkvm/version.h"
#include "pci/pci.h"
#include "vfio/pci.h"
#include "virtio/blk.h"
#include "virtio/pci.h"

#define IO_MS		10000	/* a peer silent this long is gone */
#define ACK_MS		60000	/* the destination loads the state */
#define RELOCK_MS	5000	/* a failed destination lets go of the disks */
#define FLUSH_BYTES	(1u << 20)
#define STATE_GUESS	(64u << 10)	/* state bytes before it is built */

struct mig_src {
	struct vm *vm;
	int sock, prog;		/* the destination; progress (or -1) */
	struct mig_policy pol;
	u64 page;
	u64 *dirty[GUEST_MEM_MAX_REGIONS];
	struct sbuf b;
	u64 bytes, t0, tstop;	/* bytes sent; start and stop times */
	u32 passes;
	bool logging;
	bool manual;		/* KVM_CLEAR_DIRTY_LOG re-arms the log */
	bool dma_all;		/* device writes: resend all RAM stopped */
	bool unlocked;		/* the disks' locks released to the destination */
	bool ulog;		/* virtio writes logged (guest_mem's log) */
	struct vfio_container *dma;	/* its DMA dirty tracking is on */
	char err[512];
};

static void progress(struct mig_src *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(struct mig_src *m, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (m->prog < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(m->prog, line, n) < 0)
		m->prog = -1;	/* the client went: migrate on */
}

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/* Writes b to the destination, empties b. */
static int flush(struct mig_src *m)
{
	int r;

	if (m->b.oom)
		return set_err(m->err, sizeof(m->err), "out of memory");
	r = mig_write_all(m->sock, m->b.p, m->b.len, IO_MS);
	if (r)
		return set_err(m->err, sizeof(m->err), "sending to the "
			       "destination: %s", r == -ETIMEDOUT ?
			       "it took nothing for 10 s" : strerror(-r));
	m->bytes += m->b.len;
	m->b.len = 0;
	return 0;
}

static void throttle(struct mig_src *m, u64 t_pass, u64 sent)
{
	u64 want, el = now_ns() - t_pass;
	struct timespec ts;

	if (!m->pol.bandwidth)
		return;
	want = sent * 1000000000ull / m->pol.bandwidth;
	if (want <= el)
		return;
	ts.tv_sec = (want - el) / 1000000000ull;
	ts.tv_nsec = (want - el) % 1000000000ull;
	nanosleep(&ts, NULL);
}

/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 on (before logging starts: KVM then
 * protects each slot whole) or off again; said once. */
static void manual_protect(struct mig_src *m, bool on)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 };

	if (on)
		cap.args[0] = mig_manual_protect_arg(ioctl(m->vm->vm_fd,
			KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2));
	if (on && (!cap.args[0] || ioctl(m->vm->vm_fd, KVM_ENABLE_CAP, &cap))) {
		progress(m, "migrate: dirty log: KVM_GET_DIRTY_LOG (no manual "
			 "protection in this kernel)");
		return;
	}
	if (!on && (!m->manual || ioctl(m->vm->vm_fd, KVM_ENABLE_CAP, &cap)))
		return;
	m->manual = on;
	if (on)
		progress(m, "migrate: dirty log: KVM_GET_DIRTY_LOG and "
			 "KVM_CLEAR_DIRTY_LOG (manual protection)");
}

static int set_logging(struct mig_src *m, bool on)
{
	struct vm *vm = m->vm;
	int i;

	if (on) {
		manual_protect(m, true);
		m->logging = true;	/* src_free undoes a part done */
	}
	for (i = 0; i < vm->mem.nr; i++)
		if (vm_set_memslot(vm, i, vm->mem.r[i].gpa, vm->mem.r[i].size,
				   vm->mem.r[i].hva,
				   on ? KVM_MEM_LOG_DIRTY_PAGES : 0))
			return set_err(m->err, sizeof(m->err), "KVM cannot log "
				       "dirty pages of RAM slot %d", i);
	m->logging = on;
	if (!on)
		manual_protect(m, false);
	return 0;
}

static u64 region_pages(const struct mig_src *m, int i)
{
	return m->vm->mem.r[i].size / m->page;
}

/* With manual protection, what one KVM_GET_DIRTY_LOG of slot i gave is
 * write-protected again before it is sent: a write from now on is seen. */
static int clear_dirty(struct mig_src *m, int i, const u64 *bits)
{
	struct kvm_clear_dirty_log c = { .slot = i };
	u64 next = 0;

	while (mig_clear_next(bits, region_pages(m, i), MIG_CLEAR_MAX_PAGES,
			      &next, &c))
		if (ioctl(m->vm->vm_fd, KVM_CLEAR_DIRTY_LOG, &c) < 0)
			return set_err(m->err, sizeof(m->err), "KVM_CLEAR_DIRTY_"
				       "LOG of slot %d: %s", i, strerror(errno));
	return 0;
}

/* The pages of slot i assigned devices wrote by DMA since the last call,
 * into bits (words long). A failure turns tracking off: all of RAM goes
 * again once the VM stopped, said so. */
static void dma_dirty(struct mig_src *m, int i, u64 *bits, u64 words)
{
	const struct guest_region *r = &m->vm->mem.r[i];
	char why[256];

	memset(bits, 0, words * 8);
	if (!vfio_dirty_get(m->dma, r->gpa, r->size, m->page, bits, why,
			    sizeof(why)))
		return;
	memset(bits, 0, words * 8);
	vfio_dirty_stop(m->dma);
	m->dma = NULL;
	m->dma_all = true;
	m->pol.max_passes = 1;
	progress(m, "migrate: DMA dirty tracking failed (%s): all guest RAM "
		 "is sent again while the VM is stopped", why);
}

/* KVM's dirty log of every RAM slot ORed into m->dirty (KVM_GET_DIRTY_LOG
 * clears its own, or clear_dirty does); returns the dirty pages now in
 * m->dirty, or -1. */
static s64 fetch_dirty(struct mig_src *m)
{
	struct kvm_dirty_log log = { 0 };
	u64 words, *tmp, n = 0;
	int i, r;

	for (i = 0; i < m->vm->mem.nr; i++) {
		words = (region_pages(m, i) + 63) / 64;
		tmp = calloc(words, 8);
		if (!tmp)
			return set_err(m->err, sizeof(m->err), "out of memory");
		log.slot = i;
		log.dirty_bitmap = tmp;
		r = ioctl(m->vm->vm_fd, KVM_GET_DIRTY_LOG, &log);
		if (r < 0)
			set_err(m->err, sizeof(m->err), "KVM_GET_DIRTY_LOG of "
				"slot %d: %s", i, strerror(errno));
		else if (m->manual)
			r = clear_dirty(m, i, tmp);
		if (!r && m->dma) {	/* and what devices wrote */
			mig_merge_dirty(m->dirty[i], tmp, words);
			dma_dirty(m, i, tmp, words);
		}
		if (!r && m->ulog)	/* and what lkvm's virtio devices wrote */
			guest_mem_log_take(&m->vm->mem, i, m->dirty[i], words);
		if (!r)
			n += mig_merge_dirty(m->dirty[i], tmp, words);
		free(tmp);
		if (r)
			return -1;
	}
	return n;
}

/* Pages [first, first + count) of region i, as records. */
static int send_pages(struct mig_src *m, int i, u64 first, u64 count)
{
	u64 base = (m->vm->mem.r[i].hva - m->vm->ram) / m->page, n;

	while (count) {
		n = count < MIG_RAM_BATCH ? count : MIG_RAM_BATCH;
		mig_put_ram(&m->b, m->vm->ram, m->page, base + first, n);
		first += n;
		count -= n;
		if (m->b.len >= FLUSH_BYTES && flush(m))
			return -1;
	}
	return 0;
}

/* Every dirty page (all of RAM with all), then clears m->dirty. */
static int send_dirty(struct mig_src *m, bool all)
{
	u64 t = now_ns(), b0 = m->bytes, p, end, np;
	int i;

	for (i = 0; i < m->vm->mem.nr; i++) {
		np = region_pages(m, i);
		for (p = 0; p < np; p = end) {
			while (p < np && !all &&
			       !(m->dirty[i][p / 64] & (1ull << (p % 64))))
				p++;
			end = p;
			while (end < np && (all ||
			       (m->dirty[i][end / 64] & (1ull << (end % 64)))))
				end++;
			if (end > p && send_pages(m, i, p, end - p))
				return -1;
			throttle(m, t, m->bytes - b0);
		}
		memset(m->dirty[i], 0, (np + 63) / 64 * 8);
	}
	return flush(m);
}

/* ---- records in (shared with kvm/incoming.c) ---- */

int mig_read_full(int fd, void *buf, size_t len, int ms)
{
	u8 *p = buf;
	ssize_t n;
	int r;

	while (len) {
		r = wait_fd(fd, POLLIN, ms);
		if (r)
			return r;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static const char *io_why(int r)
{
	return r == -EPIPE ? "the peer closed the connection" :
	       r == -ETIMEDOUT ? "the peer went silent" : strerror(-r);
}

int mig_read_rec(int fd, int ms, u64 max, struct mig_hdr *h, u8 **payload,
		 char *err, size_t errlen)
{
	u8 hdr[MIG_HDR_LEN];
	int r;

	*payload = NULL;
	r = mig_read_full(fd, hdr, sizeof(hdr), ms);
	if (r)
		return set_err(err, errlen, "%s", io_why(r));
	if (mig_hdr_parse(hdr, h, max, err, errlen))
		return -1;
	*payload = malloc(h->len + 1);
	if (!*payload)
		return set_err(err, errlen, "out of memory for a %llu-byte "
			       "record", (unsigned long long)h->len);
	r = mig_read_full(fd, *payload, h->len, ms);
	if (!r && !mig_payload_check(h, *payload, err, errlen))
		return 0;
	if (r)
		set_err(err, errlen, "%s", io_why(r));
	free(*payload);
	*payload = NULL;
	return -1;
}

int mig_write_all(int fd, const void *buf, size_t len, int ms)
{
	const u8 *p = buf;
	ssize_t n;
	int r;

	while (len) {
		r = wait_fd(fd, POLLOUT, ms);
		if (r)
			return r;
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- the phases ---- */

/* The manifest as the snapshot writes it (this VM's arguments), and the
 * devices' identities and fingerprints. */
static int send_hello(struct mig_src *m)
{
	u8 pre[MIG_PREAMBLE_LEN];
	struct sbuf s = { 0 };
	size_t h;
	int r;

	mig_preamble(pre);
	sb_put(&m->b, pre, sizeof(pre));
	r = snap_build_hello(m->vm, &s, m->err, sizeof(m->err));
	if (!r) {
		h = mig_rec_begin(&m->b, MIG_HELLO);
		sb_put(&m->b, s.p, s.len);
		mig_rec_end(&m->b, h);
	}
	sb_free(&s);
	return r ? r : flush(m);
}

/* The destination's MIG_ANSWER or MIG_ACK: 0 when it says yes. */
static int get_status(struct mig_src *m, enum mig_rec want, int ms)
{
	char why[400];
	enum mig_status st;
	struct mig_hdr h;
	u8 *p;
	int r;

	if (mig_read_rec(m->sock, ms, 4096, &h, &p, why, sizeof(why)))
		return set_err(m->err, sizeof(m->err), "the destination: %s",
			       why);
	r = h.type != want ? -1 : mig_get_status(p, h.len, &st, why,
						  sizeof(why));
	free(p);
	if (r)
		return set_err(m->err, sizeof(m->err), "the destination sent "
			       "a %s record, not its %s", mig_rec_name(h.type),
			       mig_rec_name(want));
	if (st != MIG_OK)
		return set_err(m->err, sizeof(m->err), "the destination %s: %s",
			       st == MIG_REFUSED ? "refused the VM" :
			       "could not take the VM", why);
	return 0;
}

/* The devices' pre-copy data ready now (VFIO PRE_COPY), one record. */
static int send_devdata(struct mig_src *m, u32 pass)
{
	struct sbuf d = { 0 };
	size_t h;
	s64 n;
	int r;

	n = pci_mig_precopy(m->vm, &d, m->err, sizeof(m->err));
	r = n < 0 ? -1 : 0;
	if (n > 0) {
		h = mig_rec_begin(&m->b, MIG_DEVDATA);
		sb_put(&m->b, d.p, d.len);
		mig_rec_end(&m->b, h);
		r = flush(m);
		progress(m, "migrate: pass %u: %lld bytes of device data sent "
			 "while the VM runs (PRE_COPY)", pass, (long long)n);
	}
	sb_free(&d);
	return r;
}

/* Pre-copy: all of RAM, then the dirty pages again until the rest fits
 * the downtime budget (or the passes are used up). */
static int precopy(struct mig_src *m)
{
	struct mig_pass s = { .state_bytes = STATE_GUESS };
	u64 t, b0, el;
	s64 n;

	for (;;) {
		t = now_ns();
		b0 = m->bytes;
		if (send_dirty(m, !s.pass) || send_devdata(m, s.pass + 1))
			return -1;
		n = fetch_dirty(m);
		if (n < 0)
			return -1;
		el = now_ns() - t;
		s.pass = ++m->passes;
		s.prev_remaining = s.remaining;
		s.remaining = n * m->page;
		s.measured = el ? (m->bytes - b0) * 1000000000ull / el : 0;
		progress(m, "migrate: pass %u: %llu MiB sent, %lld pages dirtied "
			 "(%.1f MiB/s), link %.1f MiB/s, expected downtime %llu "
			 "ms", s.pass, (unsigned long long)(m->bytes >> 20),
			 (long long)n, s.remaining / 1048576.0 / (el / 1e9 + 1e-9),
			 s.measured / 1048576.0,
			 (unsigned long long)mig_expected_downtime(&m->pol, &s));
		if (mig_should_stop(&m->pol, &s))
			return 0;
	}
}

/* lkvm's virtio devices write guest RAM from its own threads: their
 * virtqueues log it (guest_mem's write log) unless a device's data path is
 * in the kernel (vhost: vsock); true when logged. */
static bool virtio_logged(struct mig_src *m)
{
	if (m->ulog)
		return true;
	if (virtio_dev_next(m->vm, VIRTIO_ID_VSOCK, NULL) ||
	    guest_mem_log_start(&m->vm->mem, m->page))
		return false;
	m->ulog = true;
	progress(m, "migrate: the writes of virtio devices to guest RAM are "
		 "logged by their queues");
	return true;
}

/* KVM's log misses what devices write into guest RAM: assigned devices
 * by DMA (type1's VFIO_IOMMU_DIRTY_PAGES tracks it where the container
 * can) and lkvm's own virtio devices (logged by their queues, except
 * vhost's). With untracked ones, every page they can reach (all of RAM)
 * goes again once they stopped, and pre-copy does one pass; said so. */
static void dma_untracked(struct mig_src *m)
{
	struct vfio_container *c = vfio_vm_container(m->vm);
	const struct dev_args *v = &m->vm->cfg->vfio;
	char why[256] = "no VFIO container";
	bool vfio_all;

	if (v->nr && !m->dma && c &&
	    !vfio_dirty_start(c, m->page, why, sizeof(why))) {
		m->dma = c;
		progress(m, "migrate: DMA dirty tracking: VFIO_IOMMU_DIRTY_PAGES "
			 "on the type1 container of the %d assigned device%s",
			 v->nr, v->nr > 1 ? "s" : "");
	}
	vfio_all = v->nr && !m->dma;
	if (vfio_all)
		progress(m, "migrate: no DMA dirty tracking for the %d assigned "
			 "device%s (%s%s): %s: all guest RAM is sent again while "
			 "the VM is stopped", v->nr, v->nr > 1 ? "s" : "",
			 v->v[0], v->nr > 1 ? ", ..." : "", why);
	else if (m->vm->virtio && !virtio_logged(m))
		progress(m, "migrate: the writes of virtio devices to guest RAM "
			 "are not tracked (vhost-vsock writes from the kernel): "
			 "all guest RAM is sent again while the VM is stopped");
	m->dma_all = vfio_all || (m->vm->virtio && !m->ulog);
	if (m->dma_all)
		m->pol.max_passes = 1;
}

/* The VM stopped: last dirty pages, the state, the end, the ack. */
static int stop_and_copy(struct mig_src *m)
{
	size_t h;

	if (!m->dma_all && m->vm->virtio)	/* started since */
		dma_untracked(m);
	if (fetch_dirty(m) < 0 || send_dirty(m, m->dma_all))
		return -1;
	h = mig_rec_begin(&m->b, MIG_STATE);
	if (snap_build_state(m->vm, &m->b, m->err, sizeof(m->err)))
		return -1;
	mig_rec_end(&m->b, h);
	mig_rec_end(&m->b, mig_rec_begin(&m->b, MIG_END));
	/* the disks are quiet: the destination takes their locks */
	blk_locks_release(m->vm);
	m->unlocked = true;
	if (flush(m))
		return -1;
	return get_status(m, MIG_ACK, ACK_MS);
}

static void src_free(struct mig_src *m)
{
	int i;

	if (m->logging)
		set_logging(m, false);
	if (m->dma)
		vfio_dirty_stop(m->dma);
	if (m->ulog)
		guest_mem_log_stop(&m->vm->mem);
	for (i = 0; i < GUEST_MEM_MAX_REGIONS; i++)
		free(m->dirty[i]);
	sb_free(&m->b);
}

static int src_setup(struct mig_src *m)
{
	int i;

	if (m->vm->user_paused)
		return set_err(m->err, sizeof(m->err), "the VM is paused "
			       "(`lkvm pause`): resume it first");
	if (snap_check_all(m->vm, m->err, sizeof(m->err)))
		return -1;
	dma_untracked(m);
	for (i = 0; i < m->vm->mem.nr; i++) {
		m->dirty[i] = calloc((region_pages(m, i) + 63) / 64, 8);
		if (!m->dirty[i])
			return set_err(m->err, sizeof(m->err), "out of memory");
	}
	return 0;
}

/* Stops the vCPUs and devices, copies the rest: 0 once the destination
 * has the VM (its vCPUs stay stopped), else -1 with it running again. */
static int final_phase(struct mig_src *m)
{
	char why[256];

	if (vcpus_pause(m->vm, SNAP_PAUSE_MS))
		return set_err(m->err, sizeof(m->err), "a vCPU did not stop "
			       "within %d ms", SNAP_PAUSE_MS);
	m->tstop = now_ns();
	if (!snap_quiesce_all(m->vm, m->err, sizeof(m->err)) &&
	    !stop_and_copy(m))
		return 0;
	if (m->unlocked && blk_locks_take(m->vm, RELOCK_MS, why, sizeof(why)))
		pr_warn("migrate: %s", why);
	snap_resume_owners(m->vm);
	vcpus_resume(m->vm);
	return -1;
}

static int migrate(struct mig_src *m)
{
	int r;

	if (src_setup(m) || send_hello(m) || get_status(m, MIG_ANSWER, ACK_MS))
		return -1;
	r = set_logging(m, true) || precopy(m) ? -1 : final_phase(m);
	if (r)		/* devices still in pre-copy run on as before */
		pci_mig_precopy_abort(m->vm);
	return r;
}

static void answer(struct mig_src *m, struct ctl_job *job, int r)
{
	u64 end = now_ns();

	if (r) {
		ctl_put_error(job->out, "%s; the VM runs on here", m->err);
		return;
	}
	ctl_put_ok(job->out, CTL_MIGRATE);
	fprintf(job->out, ", \"total_ms\": %llu, \"downtime_ms\": %llu, "
		"\"bytes\": %llu, \"passes\": %u",
		(unsigned long long)(end - m->t0) / 1000000,
		(unsigned long long)(end - m->tstop) / 1000000,
		(unsigned long long)m->bytes, m->passes);
	ctl_put_end(job->out);
}

void mig_control(struct vm *vm, struct ctl_job *job)
{
	struct mig_src m = {
		.vm = vm, .sock = job->nfds > 0 ? job->fds[0] : -1,
		.prog = job->nfds > 1 ? job->fds[1] : -1,
		.pol = { .max_downtime_ms = job->req->downtime_ms ?:
				MIG_DEFAULT_DOWNTIME_MS,
			 .max_passes = MIG_DEFAULT_PASSES,
			 .bandwidth = job->req->bandwidth_mbps * 1000000ull / 8 },
		.page = sysconf(_SC_PAGESIZE), .t0 = now_ns(),
	};
	int r;

	if (m.sock < 0) {
		ctl_put_error(job->out, "a migrate request passes the "
			      "connection to the destination");
		return;
	}
	r = migrate(&m);
	src_free(&m);
	answer(&m, job, r);
	if (!r) {
		pr_info("migrated: the destination runs the VM now");
		vm_request_exit(vm, VM_POWEROFF);
	}
}
