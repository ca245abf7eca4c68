/* Parsing --vfio values: a PCI address with or without its domain, a
 * mediated device's UUID, a sysfs path ending in either, or fd=N (a cdev
 * a launcher opened), then comma-separated options (msix-relocation=...,
 * iommu=..., on-error=..., rombar=..., romfile=..., port=...); duplicates
 * across the whole command line are refused. Pure, no system calls. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vfio/vfio.h"

static const char bdf_help[] = "expected [domain:]bus:device.function in hex, "
			       "e.g. 0000:01:00.0 or 01:00.0, a mediated "
			       "device's UUID, or its sysfs path (/sys/bus/"
			       "mdev/devices/<UUID>)";

/* Parses 1..maxdigits hex digits at *s, advancing it. */
static int hex_field(const char **s, int maxdigits, u32 max, u32 *v)
{
	const char *p = *s;
	u32 x = 0;
	int n = 0;

	while (n < maxdigits && p[n] && strchr("0123456789abcdefABCDEF", p[n])) {
		char c = p[n];

		x = x * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		n++;
	}
	if (!n || x > max)
		return -1;
	*s = p + n;
	*v = x;
	return 0;
}

/* "[dddd:]bb:dd.f" of exactly len characters. */
static int parse_bdf(const char *s, size_t len, struct vfio_spec *spec)
{
	char buf[32];
	const char *p = buf;
	u32 dom = 0, bus, dev, fn;
	int colons = 0;
	size_t i;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	for (i = 0; i < len; i++)
		colons += buf[i] == ':';
	if (colons == 2 && (hex_field(&p, 8, 0xffffffff, &dom) || *p++ != ':'))
		return -1;
	if (colons < 1 || colons > 2)
		return -1;
	if (hex_field(&p, 2, 0xff, &bus) || *p++ != ':')
		return -1;
	if (hex_field(&p, 2, 0x1f, &dev) || *p++ != '.')
		return -1;
	if (hex_field(&p, 1, 7, &fn) || *p)
		return -1;
	spec->domain = dom;
	spec->bus = bus;
	spec->dev = dev;
	spec->fn = fn;
	snprintf(spec->name, sizeof(spec->name), "%04x:%02x:%02x.%x", dom, bus,
		 dev, fn);
	return 0;
}

/* 8-4-4-4-12 hex digits; stored lower case as sysfs spells it. */
static int parse_uuid(const char *s, size_t len, struct vfio_spec *spec)
{
	size_t i;

	if (len != 36)
		return -1;
	for (i = 0; i < len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return -1;
		spec->name[i] = tolower((unsigned char)s[i]);
	}
	spec->name[len] = 0;
	spec->mdev = true;
	return 0;
}

/* A BDF, a UUID, or a path whose last component is one of them. */
static int parse_device(const char *s, size_t len, struct vfio_spec *spec)
{
	const char *base = s;
	size_t i;

	if (*s == '/') {
		if (len >= sizeof(spec->path))
			return -1;
		memcpy(spec->path, s, len);
		while (len > 1 && s[len - 1] == '/')
			len--;
		for (i = 0; i < len; i++)
			if (s[i] == '/')
				base = s + i + 1;
		len -= base - s;
	}
	if (!parse_uuid(base, len, spec))
		return 0;
	return parse_bdf(base, len, spec);
}

/* "fd=N": a VFIO cdev fd inherited from a launcher. */
static int parse_fd(const char *s, size_t len, struct vfio_spec *spec)
{
	char *end;
	long v;

	if (len < 4 || strncmp(s, "fd=", 3) || !isdigit((unsigned char)s[3]))
		return -1;
	v = strtol(s + 3, &end, 10);
	if (end != s + len || v < 0 || v > 1 << 20)
		return -1;
	spec->has_fd = true;
	spec->fd = (int)v;
	snprintf(spec->name, sizeof(spec->name), "fd=%d", spec->fd);
	return 0;
}

static int parse_iommu(const char *val, size_t len, struct vfio_spec *spec,
		       char *err, size_t errlen)
{
	static const char *const names[] = {
		[VFIO_IOMMU_AUTO] = "auto", [VFIO_IOMMU_IOMMUFD] = "iommufd",
		[VFIO_IOMMU_LEGACY] = "legacy",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strlen(names[i]) != len || strncmp(val, names[i], len))
			continue;
		if (spec->has_fd && i == VFIO_IOMMU_LEGACY)
			return set_err(err, errlen, "--vfio %s: iommu=legacy: "
				       "an fd= is a VFIO cdev, which only works "
				       "with iommufd (iommu=auto or iommufd)",
				       spec->name);
		spec->iommu = i;
		return 0;
	}
	return set_err(err, errlen, "--vfio %s: iommu=%.*s: expected auto "
		       "(iommufd when /dev/iommu and the device's cdev exist, "
		       "else legacy), iommufd or legacy", spec->name, (int)len,
		       val);
}

/* port=N: behind hotplug root port N (0..MAX_HOTPLUG_SLOTS - 1); whether
 * the VM has that port is the bus's to say. */
static int parse_port(const char *val, size_t len, struct vfio_spec *spec,
		      char *err, size_t errlen)
{
	u32 n = 0;
	size_t i;

	for (i = 0; i < len && i < 3 && isdigit((unsigned char)val[i]); i++)
		n = n * 10 + (u32)(val[i] - '0');
	if (!len || i != len || n >= MAX_HOTPLUG_SLOTS)
		return set_err(err, errlen, "--vfio %s: port=%.*s: expected a "
			       "root port number 0..%d (see --hotplug-slots)",
			       spec->name, (int)len, val,
			       MAX_HOTPLUG_SLOTS - 1);
	spec->port = (int)n + 1;
	return 0;
}

static int parse_option(const char *opt, size_t len, struct vfio_spec *spec,
			char *err, size_t errlen)
{
	static const char reloc[] = "msix-relocation=";
	char val[32], e[160];

	if (len >= 5 && !strncmp(opt, "port=", 5))
		return parse_port(opt + 5, len - 5, spec, err, errlen);
	if (len >= 6 && !strncmp(opt, "iommu=", 6))
		return parse_iommu(opt + 6, len - 6, spec, err, errlen);
	if (len >= 7 && !strncmp(opt, "rombar=", 7)) {
		if ((len == 9 && !strncmp(opt + 7, "on", 2)) ||
		    (len == 10 && !strncmp(opt + 7, "off", 3))) {
			spec->rombar_off = len == 10;
			return 0;
		}
		return set_err(err, errlen, "--vfio %s: %.*s: expected rombar=on "
			       "(the device's expansion ROM, read-only) or "
			       "rombar=off (no ROM BAR)", spec->name, (int)len,
			       opt);
	}
	if (len >= 8 && !strncmp(opt, "romfile=", 8)) {
		if (len == 8 || len - 8 >= sizeof(spec->romfile))
			return set_err(err, errlen, "--vfio %s: romfile= needs "
				       "the path of a ROM image (at most %zu "
				       "bytes, no commas)", spec->name,
				       sizeof(spec->romfile) - 1);
		memcpy(spec->romfile, opt + 8, len - 8);
		spec->romfile[len - 8] = 0;
		return 0;
	}
	if (len >= 9 && !strncmp(opt, "on-error=", 9)) {
		opt += 9;
		len -= 9;
		if ((len == 4 && !strncmp(opt, "stop", 4)) ||
		    (len == 6 && !strncmp(opt, "report", 6))) {
			spec->on_error_report = len == 6;
			return 0;
		}
		return set_err(err, errlen, "--vfio %s: on-error=%.*s: expected "
			       "stop (an uncorrectable device error stops the "
			       "VM) or report (log it and run on)", spec->name,
			       (int)len, opt);
	}

	if (len > strlen(reloc) && !strncmp(opt, reloc, strlen(reloc))) {
		if (spec->msix_reloc_given)
			return set_err(err, errlen, "--vfio %s: option "
				       "'msix-relocation' given twice",
				       spec->name);
		len -= strlen(reloc);
		if (len >= sizeof(val))
			len = sizeof(val) - 1;
		memcpy(val, opt + strlen(reloc), len);
		val[len] = 0;
		if (msix_reloc_parse(val, &spec->msix_reloc, e, sizeof(e)))
			return set_err(err, errlen, "--vfio %s: %s", spec->name,
				       e);
		spec->msix_reloc_given = true;
		return 0;
	}
	return set_err(err, errlen, "--vfio %s: unknown option '%.*s': valid "
		       "options are msix-relocation=off|auto|bar<N>, "
		       "iommu=auto|iommufd|legacy, on-error=stop|report, "
		       "rombar=on|off, romfile=PATH, port=N",
		       spec->name, (int)len, opt);
}

int vfio_spec_parse(const char *arg, struct vfio_spec *spec, char *err,
		    size_t errlen)
{
	const char *p, *end;

	memset(spec, 0, sizeof(*spec));
	spec->msix_reloc.mode = MSIX_RELOC_AUTO;
	spec->msix_reloc.bar = -1;
	if (!arg || !*arg)
		return set_err(err, errlen, "--vfio needs a device: %s",
			       bdf_help);
	end = strchrnul(arg, ',');
	if (parse_fd(arg, end - arg, spec) && !strncmp(arg, "fd=", 3))
		return set_err(err, errlen, "--vfio '%.*s': expected fd=N, N "
			       "a VFIO cdev fd the launcher left open",
			       (int)(end - arg), arg);
	if (!spec->has_fd && parse_device(arg, end - arg, spec))
		return set_err(err, errlen, "--vfio '%.*s': invalid PCI address "
			       "or mediated device: %s", (int)(end - arg), arg,
			       bdf_help);
	for (p = end; *p; p = end) {
		p++;
		end = strchrnul(p, ',');
		if (end == p)
			return set_err(err, errlen, "--vfio %s: empty option "
				       "in '%s'", spec->name, arg);
		if (parse_option(p, end - p, spec, err, errlen))
			return -1;
	}
	if (spec->romfile[0] && spec->rombar_off)
		return set_err(err, errlen, "--vfio %s: romfile= and rombar=off"
			       ": a ROM image needs the ROM BAR (drop one)",
			       spec->name);
	return 0;
}

int vfio_spec_at_port(const char *arg, int port, char *out, size_t len)
{
	const char *p = strchrnul(arg, ','), *end;
	size_t n = 0;
	int w;

	if ((size_t)(p - arg) >= len)
		return -1;
	memcpy(out, arg, p - arg);
	n = p - arg;
	for (; *p; p = end) {
		end = strchrnul(p + 1, ',');
		if (!strncmp(p, ",port=", 6))
			continue;
		if ((size_t)(end - p) >= len - n)
			return -1;
		memcpy(out + n, p, end - p);
		n += end - p;
	}
	w = snprintf(out + n, len - n, ",port=%d", port);
	return w < 0 || (size_t)w >= len - n ? -1 : 0;
}

static bool same_device(const struct vfio_spec *a, const struct vfio_spec *b)
{
	return !strcmp(a->name, b->name);
}

int vfio_specs_parse(const struct dev_args *args, struct vfio_spec *specs,
		     char *err, size_t errlen)
{
	int i, j;

	if (args->nr > VFIO_MAX_DEVICES)
		return set_err(err, errlen, "too many --vfio devices (max %d)",
			       VFIO_MAX_DEVICES);
	for (i = 0; i < args->nr; i++) {
		if (vfio_spec_parse(args->v[i], &specs[i], err, errlen))
			return -1;
		for (j = 0; j < i; j++) {
			if (same_device(&specs[i], &specs[j]))
				return set_err(err, errlen, "--vfio %s given "
					       "twice ('%s' and '%s'): a device "
					       "can be assigned only once",
					       specs[i].name, args->v[j],
					       args->v[i]);
		}
	}
	return args->nr;
}
