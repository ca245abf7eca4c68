/* virtio-9p fid table and share lifetime: a fixed pool of fids (the
 * per-device limit) hashed by number, the count of host fds they hold, and
 * opening the share root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "virtio/9p.h"

static u32 bucket_of(u32 fid)
{
	return (fid ^ (fid >> 10)) % P9_FID_BUCKETS;
}

struct p9_fid *p9_fid_get(struct p9_server *s, u32 fid)
{
	struct p9_fid *f = s->bucket[bucket_of(fid)];

	while (f && f->fid != fid)
		f = f->next;
	return f;
}

struct p9_fid *p9_fid_new(struct p9_server *s, u32 fid, const char *path,
			  int *e)
{
	struct p9_fid *f;
	char *p;

	*e = 0;
	if (fid == P9_NOFID || p9_fid_get(s, fid))
		*e = -EEXIST;
	else if (!s->free || s->nr_fids >= s->max_fids)
		*e = -ENFILE;
	if (*e)
		return NULL;
	p = strdup(path);
	if (!p) {
		*e = -ENOMEM;
		return NULL;
	}
	f = s->free;
	s->free = f->next;
	*f = (struct p9_fid){ .fid = fid, .used = true, .fd = -1, .path = p };
	f->next = s->bucket[bucket_of(fid)];
	s->bucket[bucket_of(fid)] = f;
	s->nr_fids++;
	return f;
}

void p9_fid_put(struct p9_server *s, struct p9_fid *f)
{
	struct p9_fid **p = &s->bucket[bucket_of(f->fid)];

	while (*p && *p != f)
		p = &(*p)->next;
	if (*p)
		*p = f->next;
	if (f->fd >= 0) {
		close(f->fd);
		s->nr_open--;
	}
	free(f->path);
	*f = (struct p9_fid){ .fd = -1, .next = s->free };
	s->free = f;
	s->nr_fids--;
}

void p9_server_reset(struct p9_server *s)
{
	u32 i;

	for (i = 0; i < s->pool; i++)
		if (s->fids[i].used)
			p9_fid_put(s, &s->fids[i]);
	s->msize = 0;
}

int p9_server_init(struct p9_server *s, const char *hostdir, bool ro,
		   char *err, size_t errlen)
{
	u32 i;

	*s = (struct p9_server){ .ro = ro, .max_fids = P9_MAX_FIDS,
				 .max_open = P9_MAX_OPEN, .pool = P9_MAX_FIDS };
	s->root_fd = open(hostdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return set_err(err, errlen, "--9p: cannot open share directory "
			       "'%s': %s (give an existing directory)", hostdir,
			       strerror(errno));
	s->fids = calloc(s->pool, sizeof(*s->fids));
	if (!s->fids) {
		close(s->root_fd);
		return set_err(err, errlen, "--9p: out of memory");
	}
	for (i = s->pool; i--;) {
		s->fids[i].fd = -1;
		s->fids[i].next = s->free;
		s->free = &s->fids[i];
	}
	s->have_openat2 = p9_probe_openat2(s->root_fd);
	return 0;
}

void p9_server_fini(struct p9_server *s)
{
	if (!s->fids)
		return;
	p9_server_reset(s);
	free(s->fids);
	s->fids = NULL;
	close(s->root_fd);
}
