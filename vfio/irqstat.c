/* Per-vector interrupt counts of an assigned device from the host's
 * /proc/interrupts (vfio-pci names each handler after the vector and the
 * device): a plain parser and the read that feeds it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>
#include "vfio/irqstat.h"
#include "vfio/seam.h"

#define IRQSTAT_MAX_FILE	(4u << 20)

/* The number of "CPUn" columns in the header line, 0 if there are none. */
static u32 count_cpus(const char *line, const char *end)
{
	u32 n = 0;

	while (line < end) {
		while (line < end && isspace((unsigned char)*line))
			line++;
		if (end - line < 3 || strncmp(line, "CPU", 3))
			break;
		n++;
		while (line < end && !isspace((unsigned char)*line))
			line++;
	}
	return n;
}

/* Sum of the ncpu counters after the "NN:" label; *ok false if malformed. */
static u64 sum_counts(const char *p, const char *end, u32 ncpu, bool *ok)
{
	u64 sum = 0;
	char *e;
	u32 i;

	p = memchr(p, ':', end - p);
	*ok = p != NULL;
	if (!p)
		return 0;
	p++;
	for (i = 0; i < ncpu; i++) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || !isdigit((unsigned char)*p)) {
			*ok = false;
			return sum;
		}
		sum += strtoull(p, &e, 10);
		p = e;
	}
	return sum;
}

/* Vector number of the handler name "<prefix>N](bdf)" in the line, -1 if
 * no such name is there. For INTx the prefix is "vfio-intx(" and 0 is
 * returned. */
static long match_name(const char *line, const char *end, u32 index,
		       const char *bdf)
{
	const char *prefix = index == VFIO_PCI_MSIX_IRQ_INDEX ? "vfio-msix[" :
			     index == VFIO_PCI_MSI_IRQ_INDEX ? "vfio-msi[" :
			     "vfio-intx(";
	size_t pl = strlen(prefix), bl = strlen(bdf);
	const char *p = line;
	unsigned long v;
	char *e;

	while ((p = memmem(p, end - p, prefix, pl))) {
		p += pl;
		v = 0;
		e = (char *)p;
		if (index != VFIO_PCI_INTX_IRQ_INDEX) {
			if (!isdigit((unsigned char)*p))
				continue;
			v = strtoul(p, &e, 10);
			if (end - e < 2 || strncmp(e, "](", 2))
				continue;
			e += 2;
		}
		if ((size_t)(end - e) > bl && !strncmp(e, bdf, bl) &&
		    e[bl] == ')')
			return v > 0x7fffffffUL ? -1 : (long)v;
	}
	return -1;
}

int irqstat_parse(const char *text, const char *bdf, u32 index, u64 *counts,
		  u32 nr)
{
	const char *line = text, *end, *stop = text + strlen(text);
	u32 ncpu = 0;
	int matched = 0;
	long v;
	bool ok;
	u64 n;

	memset(counts, 0, nr * sizeof(*counts));
	for (; line < stop; line = end + (end < stop)) {
		end = memchr(line, '\n', stop - line);
		if (!end)
			end = stop;
		if (!ncpu) {
			ncpu = count_cpus(line, end);
			if (!ncpu)
				return -1;
			continue;
		}
		v = match_name(line, end, index, bdf);
		if (v < 0 || (u64)v >= nr)
			continue;
		n = sum_counts(line, end, ncpu, &ok);
		if (!ok)
			continue;
		counts[v] += n;
		matched++;
	}
	return ncpu ? matched : -1;
}

/* Doubles the buffer *buf of *cap bytes (plus one for the NUL). */
static bool grow(char **buf, size_t *cap)
{
	char *nb = realloc(*buf, *cap * 2 + 1);

	if (!nb)
		return false;
	*buf = nb;
	*cap *= 2;
	return true;
}

int irqstat_open(const struct vfio_seam_ops *ops)
{
	if (!ops->interrupts) {
		errno = ENOENT;
		return -1;
	}
	return open(ops->interrupts, O_RDONLY | O_CLOEXEC);
}

char *irqstat_load(int fd)
{
	size_t len = 0, cap = 65536;
	char *buf = fd >= 0 ? malloc(cap + 1) : NULL;
	ssize_t r;

	if (!buf)
		return NULL;
	/* pread from 0 each time: the one fd serves every read (seq_file
	 * starts over at offset 0), no open after the filters are on */
	while ((r = pread(fd, buf + len, cap - len, len)) > 0) {
		len += r;
		if (len < cap)
			continue;
		if (cap >= IRQSTAT_MAX_FILE || !grow(&buf, &cap)) {
			r = -1;		/* a partial file would undercount */
			break;
		}
	}
	if (r < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

int irqstat_read(int fd, const char *bdf, u32 index, u64 *counts, u32 nr)
{
	char *text = irqstat_load(fd);
	int ret;

	if (!text)
		return -1;
	ret = irqstat_parse(text, bdf, index, counts, nr);
	free(text);
	return ret;
}
