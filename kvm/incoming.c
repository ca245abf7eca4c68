/* Live migration, the destination side (include/kvm/migrate.h): `lkvm run
 * --incoming unix:PATH|tcp:HOST:PORT` waits for one connection, checks
 * the source's hello (the VM's arguments, arch, page size, the RAM and
 * vCPUs this side expects) and builds the VM from it; then receives RAM
 * and state before any vCPU runs, and acknowledges. A failure on either
 * side leaves nothing started and nothing behind. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "kvm/config.h"
#include "kvm/migrate.h"
#include "kvm/run.h"
#include "kvm/vm.h"
#include "pci/pci.h"
#include "virtio/blk.h"

#define HELLO_MS	60000	/* the source sends the hello at once */
#define STREAM_MS	30000	/* then something at least this often */
#define LOCK_MS		5000	/* the source lets go of the disks */

static int listen_unix(const struct mig_addr *a, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return set_err(err, errlen, "socket: %s", strerror(errno));
	strcpy(sa.sun_path, a->path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		set_err(err, errlen, "unix:%s: %s%s", a->path, strerror(errno),
			errno == EADDRINUSE ? " (remove the stale socket?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int listen_tcp(const struct mig_addr *a, char *err, size_t errlen)
{
	int one = 1, fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one)) ||
			bind(fd, (const struct sockaddr *)&a->sa, a->salen) ||
			listen(fd, 1))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		set_err(err, errlen, "tcp:%s:%s: %s", a->host, a->port,
			strerror(errno));
	return fd;
}

/* Listens on addr, takes one connection: its fd, or -1 with err. */
static int accept_one(const char *addr, char *err, size_t errlen)
{
	struct mig_addr a;
	int l, fd;

	if (mig_addr_parse(addr, &a, err, errlen))
		return -1;
	l = a.tcp ? listen_tcp(&a, err, errlen) : listen_unix(&a, err, errlen);
	if (l < 0)
		return -1;
	fprintf(stderr, "lkvm: waiting for an incoming VM on %s\n", addr);
	do
		fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		set_err(err, errlen, "accept: %s", strerror(errno));
	close(l);
	if (!a.tcp)
		unlink(a.path);
	return fd;
}

static void send_status(int fd, enum mig_rec type, enum mig_status st,
			const char *why)
{
	struct sbuf b = { 0 };

	mig_put_status(&b, type, st, why);
	if (!b.oom)
		mig_write_all(fd, b.p, b.len, STREAM_MS);
	sb_free(&b);
}

/* The preamble and the hello: its manifest into m, the whole hello into
 * *hello (malloc'ed) and *len. 0, or -1 with err. */
static int read_hello(int fd, struct snap_manifest *m, u8 **hello,
		      size_t *len, char *err, size_t errlen)
{
	u8 pre[MIG_PREAMBLE_LEN], *p;
	struct mig_hdr h;
	struct sreader r;
	struct snap_sec s;
	int rc;

	rc = mig_read_full(fd, pre, sizeof(pre), HELLO_MS);
	if (rc)
		return set_err(err, errlen, "no hello from the source: %s",
			       strerror(-rc));
	if (mig_preamble_check(pre, err, errlen) ||
	    mig_read_rec(fd, HELLO_MS, SNAP_MAX_STATE, &h, &p, err, errlen))
		return -1;
	rc = -1;
	if (h.type != MIG_HELLO)
		set_err(err, errlen, "the source sent a %s record before its "
			"hello", mig_rec_name(h.type));
	else if (!snap_open(&r, p, h.len, err, errlen) &&
		 snap_next(&r, &s, err, errlen) == 1 &&
		 !snap_manifest_parse(&s, m, err, errlen)) {
		rc = snap_manifest_check(m, SNAP_ARCH, sysconf(_SC_PAGESIZE),
					 err, errlen);
		if (rc)
			snap_manifest_free(m);
	}
	if (rc) {
		free(p);
		return rc;
	}
	*hello = p;
	*len = h.len;
	return 0;
}

/* The run arguments of the incoming VM (the source's, the device options
 * given here replacing its host resources) into cfg: 0, or -1 with err. */
static int build_config(int argc, char **argv, int at,
			struct snap_manifest *m, struct lkvm_config *cfg,
			char **args, int max, char *err, size_t errlen)
{
	char *mine[SNAP_MAX_ARGS], *rest[SNAP_MAX_ARGS];
	int i, n = 0, nrest, nargs, skip = strchr(argv[at], '=') ? 1 : 2;

	for (i = 1; i < argc && n < SNAP_MAX_ARGS; i++)
		if (i < at || i >= at + skip)
			mine[n++] = argv[i];
	if (mig_expect_args(n, mine, rest, &nrest, m->ram_size, m->nr_cpus,
			     err, errlen))
		return -1;
	nargs = snap_restore_args(m->argc, m->argv, nrest, rest, args, max,
				  err, errlen);
	if (nargs < 0)
		return -1;
	if (config_parse_run(cfg, nargs, args, err, errlen))
		return -1;
	if ((u64)cfg->ram_mib * SZ_1M != m->ram_size ||
	    (u32)cfg->nr_cpus != m->nr_cpus)
		return set_err(err, errlen, "the hello's RAM or vCPUs do not "
			       "match its arguments");
	return 0;
}

static const char *incoming_addr(char **argv, int at)
{
	const char *eq = strchr(argv[at], '=');

	return eq ? eq + 1 : argv[at + 1];
}

int mig_cmd_incoming(int argc, char **argv, int at,
		     void (*adjust)(struct lkvm_config *))
{
	char *args[3 * SNAP_MAX_ARGS], err[512];
	const char *addr = at + 1 < argc || strchr(argv[at], '=') ?
			   incoming_addr(argv, at) : NULL;
	struct snap_manifest m;
	struct lkvm_config cfg;
	u8 *hello = NULL;
	size_t hlen = 0;
	int fd, status;

	signal(SIGPIPE, SIG_IGN);	/* a source gone: EPIPE, not death */
	if (!addr || !*addr) {
		fprintf(stderr, "lkvm run: --incoming needs unix:PATH or "
			"tcp:HOST:PORT\n");
		return 2;
	}
	fd = accept_one(addr, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "lkvm run: --incoming %s: %s\n", addr, err);
		return 1;
	}
	if (read_hello(fd, &m, &hello, &hlen, err, sizeof(err))) {
		send_status(fd, MIG_ANSWER, MIG_REFUSED, err);
		fprintf(stderr, "lkvm run: --incoming %s: %s; nothing was "
			"started\n", addr, err);
		close(fd);
		return 1;
	}
	if (build_config(argc, argv, at, &m, &cfg, args, ARRAY_SIZE(args), err,
			 sizeof(err))) {
		send_status(fd, MIG_ANSWER, MIG_REFUSED, err);
		fprintf(stderr, "lkvm run: --incoming %s: refused: %s; nothing "
			"was started\n", addr, err);
		status = 1;
	} else {
		cfg.incoming = addr;
		cfg.incoming_fd = fd;
		cfg.incoming_hello = hello;
		cfg.incoming_hello_len = hlen;
		if (adjust)
			adjust(&cfg);
		status = lkvm_run(&cfg);
	}
	snap_manifest_free(&m);
	free(hello);
	close(fd);
	return status;
}

/* ---- inside lkvm_run: RAM and state, before the vCPUs start ---- */

/* One record of the stream; 1 at the end, 0 for more, -1 with err. */
static int take(struct vm *vm, const struct mig_hdr *h, u8 *p, u8 **state,
		size_t *slen, char *err, size_t errlen)
{
	u64 page = sysconf(_SC_PAGESIZE);

	switch (h->type) {
	case MIG_PAGES:
	case MIG_ZEROS:
		return mig_apply_ram(vm->ram, vm->ram_size, page, h->type, p,
				     h->len, err, errlen);
	case MIG_DEVDATA:
		return pci_mig_precopy_load(vm, p, h->len, err, errlen);
	case MIG_STATE:
		free(*state);
		*state = p;
		*slen = h->len;
		return 0;
	case MIG_END:
		if (!*state)
			return set_err(err, errlen, "the stream ended without "
				       "the VM's state");
		return snap_load_state(vm, *state, *slen, err, errlen) ? -1 : 1;
	default:
		return set_err(err, errlen, "unexpected %s record",
			       mig_rec_name(h->type));
	}
}

int mig_receive(struct vm *vm)
{
	int fd = vm->cfg->incoming_fd, r = 0;
	u8 *p, *state = NULL;
	u64 t0 = now_ns();
	struct mig_hdr h;
	size_t slen = 0;
	char err[512];

	if (snap_check_hello(vm, vm->cfg->incoming_hello,
			     vm->cfg->incoming_hello_len, err, sizeof(err))) {
		send_status(fd, MIG_ANSWER, MIG_REFUSED, err);
		pr_err("--incoming %s: refused: %s; nothing was started",
		       vm->cfg->incoming, err);
		return -1;
	}
	send_status(fd, MIG_ANSWER, MIG_OK, NULL);
	while (!r) {
		if (mig_read_rec(fd, STREAM_MS, SNAP_MAX_STATE, &h, &p, err,
				 sizeof(err))) {
			r = -1;
			break;
		}
		r = take(vm, &h, p, &state, &slen, err, sizeof(err));
		if (p != state)
			free(p);
	}
	free(state);
	/* the source released its disks' locks before its last record */
	if (r >= 0 && blk_locks_take(vm, LOCK_MS, err, sizeof(err)))
		r = -1;
	if (r < 0) {
		send_status(fd, MIG_ACK, MIG_FAILED, err);
		pr_err("--incoming %s: %s; the VM was discarded, nothing was "
		       "started", vm->cfg->incoming, err);
		return -1;
	}
	send_status(fd, MIG_ACK, MIG_OK, NULL);
	pr_debug("incoming: VM received in %.1f ms", (now_ns() - t0) / 1e6);
	return 0;
}
