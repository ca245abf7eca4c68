/* virtio-9p device (--9p HOSTDIR,TAG[,ro], repeatable): one request queue
 * whose messages the 9P server (9p_ops.c) answers on the device's own I/O
 * thread, confined as the "9p" seccomp kind; the mount tag in config. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/virtio_ids.h>
#include "kvm/seccomp.h"
#include "kvm/vm.h"
#include "virtio/9p_dev.h"

#define P9_CLASS		0x000200	/* unclassified: kvmtool's choice */
#define VIRTIO_9P_MOUNT_TAG	0
#define P9_MAX_SEGS		(P9_MSIZE_MAX / 4096 + 8)

static int bad_arg(char *err, size_t errlen, const char *arg, const char *why)
{
	return set_err(err, errlen, "invalid --9p '%s': %s (use HOSTDIR,TAG"
		       "[,ro])", arg, why);
}

int p9_parse(const char *arg, struct p9_share *sh, char *err, size_t errlen)
{
	char *s = strdup(arg), *tag, *opt;

	if (!s)
		return set_err(err, errlen, "out of memory");
	*sh = (struct p9_share){ .dir = s };
	tag = strchr(s, ',');
	if (!*s || tag == s || !tag || !tag[1] || tag[1] == ',') {
		free(s);
		return bad_arg(err, errlen, arg, "a directory and a tag are "
			       "needed");
	}
	*tag++ = 0;
	opt = strchr(tag, ',');
	if (opt)
		*opt++ = 0;
	sh->tag = tag;
	if (strlen(tag) > P9_TAG_MAX) {
		free(s);
		return bad_arg(err, errlen, arg, "the tag is longer than 64 "
			       "bytes");
	}
	if (opt && strcmp(opt, "ro")) {
		free(s);
		return bad_arg(err, errlen, arg, "unknown option after the tag "
			       "(valid: ro)");
	}
	sh->ro = !!opt;
	return 0;
}

/* One request: its reply's length in the chain's writable part. */
static u32 p9_serve(struct p9_dev *d, const struct vq_chain *c)
{
	u32 len = MIN(c->read_len, (u64)P9_MSIZE_MAX);
	u32 cap = MIN(c->write_len, (u64)P9_MSIZE_MAX);
	u32 n;

	len = vq_chain_read(c, 0, d->req, len);
	n = p9_handle(&d->srv, d->req, len, d->resp, cap);
	return vq_chain_write(c, 0, d->resp, n);
}

void p9_process(struct p9_dev *d, unsigned int q)
{
	struct virtio_dev *v = &d->v;
	struct virtqueue *vq = &v->vq[q];
	struct vq_seg segs[P9_MAX_SEGS];
	struct vq_chain c;
	u16 old = vq->used_idx;
	int r;

	vq_chain_init(&c, segs, P9_MAX_SEGS);
	while ((r = vq_pop(vq, v->mem, &c)) > 0)
		if (vq_push(vq, v->mem, c.head, p9_serve(d, &c)))
			break;
	if (r < 0 || vq_is_broken(vq))
		virtio_dev_fail(v, "9p queue: %s", vq_error(vq));
	virtio_queue_done(v, q, old);
}

static void p9_notify(struct virtio_dev *v, unsigned int q)
{
	p9_process(v->priv, q);
}

static void p9_reset(struct virtio_dev *v)
{
	struct p9_dev *d = v->priv;

	p9_server_reset(&d->srv);
}

void p9_dev_teardown(struct p9_dev *d)
{
	p9_server_fini(&d->srv);
	free(d->req);
	free(d->resp);
	d->req = d->resp = NULL;
}

static void p9_free(struct virtio_dev *v)
{
	struct p9_dev *d = v->priv;

	p9_dev_teardown(d);
	free(d);
}

static const struct virtio_dev_ops p9_ops = {
	.notify = p9_notify,
	.reset = p9_reset,
	.free = p9_free,
	.no_snapshot = "a virtio-9p share's open files (fids) are host state "
		       "a snapshot cannot hold; run without --9p to snapshot",
};

/* Room for every share's open files in the fd limit, where it allows. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int p9_dev_setup(struct p9_dev *d, struct vm *vm, const struct p9_share *sh,
		 int index)
{
	size_t tl = strlen(sh->tag);
	char err[PATH_MAX + 128];

	snprintf(d->name, sizeof(d->name), "virtio-9p%d", index);
	if (p9_server_init(&d->srv, sh->dir, sh->ro, err, sizeof(err))) {
		pr_err("%s", err);
		return -1;
	}
	d->req = malloc(P9_MSIZE_MAX);
	d->resp = malloc(P9_MSIZE_MAX);
	d->v.priv = d;
	if (!d->req || !d->resp ||
	    virtio_dev_init(&d->v, vm, d->name, VIRTIO_ID_9P, P9_CLASS, 1,
			    P9_QUEUE_SIZE, &p9_ops)) {
		pr_err("%s: out of memory", d->name);
		p9_dev_teardown(d);
		return -1;
	}
	d->v.host_features |= 1ULL << VIRTIO_9P_MOUNT_TAG;
	d->v.thread_kind = SC_9P;
	d->v.config_len = 2 + tl;
	virtio_cfg_put16(&d->v, 0, tl);
	memcpy(d->v.config + 2, sh->tag, tl);
	raise_nofile();
	return 0;
}

/* Every --9p is checked (syntax, tags told apart) before any is opened. */
static int parse_all(const struct dev_args *a, struct p9_share *sh)
{
	char err[256];
	int i, j;

	for (i = 0; i < a->nr; i++) {
		if (p9_parse(a->v[i], &sh[i], err, sizeof(err))) {
			pr_err("%s", err);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(sh[i].tag, sh[j].tag))
				continue;
			pr_err("--9p: tag '%s' is given twice: give each share "
			       "its own tag", sh[i].tag);
			return -1;
		}
	}
	return 0;
}

int p9_init_all(struct vm *vm)
{
	const struct dev_args *a = &vm->cfg->shares;
	struct p9_share sh[MAX_DEV_ARGS] = { 0 };
	struct p9_dev *d;
	int i, ret = parse_all(a, sh);

	for (i = 0; i < a->nr && !ret; i++) {
		d = calloc(1, sizeof(*d));
		ret = -1;
		if (!d)
			pr_err("out of memory");
		else if (p9_dev_setup(d, vm, &sh[i], i))
			free(d);
		else
			ret = virtio_dev_start(&d->v);	/* frees d on failure */
	}
	for (i = 0; i < a->nr; i++)
		free(sh[i].dir);
	if (ret)
		p9_exit_all(vm);
	return ret;
}

void p9_exit_all(struct vm *vm)
{
	virtio_devs_destroy(vm, VIRTIO_ID_9P);
}

LKVM_INIT(INIT_DEVICE, p9_init_all, p9_exit_all)
