/* What a snapshot says about itself (include/kvm/snapshot.h): the manifest
 * section (key=value lines: format, arch, page size, lkvm version, RAM,
 * vCPUs, the run arguments) and the registry of state owners. Pure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/snapshot.h"

static struct snap_owner *owners;	/* init-level registry, by order */

void snap_owner_register(struct snap_owner *o)
{
	struct snap_owner **pp = &owners;

	while (*pp && (*pp)->order <= o->order)
		pp = &(*pp)->next;
	o->next = *pp;
	*pp = o;
}

const struct snap_owner *snap_owner_first(void)
{
	return owners;
}

const struct snap_owner *snap_owner_find(const char *type)
{
	const struct snap_owner *o;

	for (o = owners; o; o = o->next)
		if (!strcmp(o->type, type))
			return o;
	return NULL;
}

/* ---- the manifest ---- */

int snap_manifest_put(struct sbuf *b, const struct snap_manifest *m,
		      char *err, size_t errlen)
{
	char line[128];
	size_t h;
	int i;

	for (i = 0; i < m->argc; i++)
		if (strchr(m->argv[i], '\n'))
			return set_err(err, errlen, "argument %d contains a "
				       "newline: a snapshot cannot record it", i);
	h = snap_sec_begin(b, "manifest", 0, 1);
	snprintf(line, sizeof(line), "format=%u\narch=%s\npage_size=%" PRIu64
		 "\nlkvm=%s\nram_size=%" PRIu64 "\ncpus=%u\n", m->format,
		 m->arch, m->page_size, m->version, m->ram_size, m->nr_cpus);
	sb_put(b, line, strlen(line));
	for (i = 0; i < m->argc; i++) {
		sb_put(b, "arg=", 4);
		sb_put(b, m->argv[i], strlen(m->argv[i]));
		sb_put(b, "\n", 1);
	}
	snap_sec_end(b, h);
	return 0;
}

void snap_manifest_free(struct snap_manifest *m)
{
	free(m->store);
	memset(m, 0, sizeof(*m));
}

static int parse_u64(const char *v, u64 *out)
{
	char *end;

	if (!*v || *v == '-')
		return -1;
	*out = strtoull(v, &end, 10);
	return *end ? -1 : 0;
}

static int copy_val(char *dst, size_t len, const char *v)
{
	if (strlen(v) >= len)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* One key=value line (v points into m->store). */
static int manifest_line(struct snap_manifest *m, char *k, char *v)
{
	u64 n;

	if (!strcmp(k, "arg")) {
		if (m->argc >= SNAP_MAX_ARGS)
			return -1;
		m->argv[m->argc++] = v;
		return 0;
	}
	if (!strcmp(k, "arch"))
		return copy_val(m->arch, sizeof(m->arch), v);
	if (!strcmp(k, "lkvm"))
		return copy_val(m->version, sizeof(m->version), v);
	if (parse_u64(v, &n))
		return -1;
	if (!strcmp(k, "format") && n <= UINT32_MAX)
		m->format = n;
	else if (!strcmp(k, "page_size"))
		m->page_size = n;
	else if (!strcmp(k, "ram_size"))
		m->ram_size = n;
	else if (!strcmp(k, "cpus") && n <= UINT32_MAX)
		m->nr_cpus = n;
	else
		return -1;
	return 0;
}

int snap_manifest_parse(const struct snap_sec *s, struct snap_manifest *m,
			char *err, size_t errlen)
{
	char *p, *nl, *eq;

	memset(m, 0, sizeof(*m));
	if (strcmp(s->type, "manifest") || s->ver != 1)
		return set_err(err, errlen, "the first section is not a version "
			       "1 manifest (%s, version %u)", s->type, s->ver);
	m->store = malloc(s->len + 1);
	if (!m->store)
		return set_err(err, errlen, "manifest: out of memory");
	memcpy(m->store, s->data, s->len);
	m->store[s->len] = 0;
	if (strlen(m->store) != s->len || (s->len && m->store[s->len - 1] != '\n'))
		goto bad_text;
	for (p = m->store; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = 0;
		eq = strchr(p, '=');
		if (!eq)
			goto bad_text;
		*eq = 0;
		if (manifest_line(m, p, eq + 1)) {
			set_err(err, errlen, "manifest: bad or unknown entry '%s'", p);
			snap_manifest_free(m);
			return -1;
		}
	}
	if (!m->format || !*m->arch || !m->page_size || !m->ram_size ||
	    !m->nr_cpus || !m->argc || strcmp(m->argv[0], "run")) {
		set_err(err, errlen, "manifest: an entry is missing (format, "
			"arch, page_size, ram_size, cpus, arg=run)");
		snap_manifest_free(m);
		return -1;
	}
	return 0;
bad_text:
	snap_manifest_free(m);
	return set_err(err, errlen, "manifest: not key=value lines");
}

int snap_manifest_check(const struct snap_manifest *m, const char *arch,
			u64 page_size, char *err, size_t errlen)
{
	if (m->format != SNAP_FORMAT)
		return set_err(err, errlen, "format: snapshot %u, this lkvm %u",
			       m->format, SNAP_FORMAT);
	if (strcmp(m->arch, arch))
		return set_err(err, errlen, "architecture: snapshot %s, this "
			       "host %s", m->arch, arch);
	if (m->page_size != page_size)
		return set_err(err, errlen, "host page size: snapshot %" PRIu64
			       ", this host %" PRIu64, m->page_size, page_size);
	return 0;
}
