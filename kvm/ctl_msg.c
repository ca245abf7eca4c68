/* Control socket messages (include/kvm/ctl_msg.h): the request table (each
 * request's name, its members, and the thread that runs it), request
 * parsing and formatting, response and event lines. Pure: no I/O but to
 * the FILE or buffer given. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kvm/ctl_msg.h"
#include "kvm/json.h"

/* Members a request may carry besides "cmd". */
#define M_WHAT	(1u << 0)
#define M_STOP	(1u << 1)
#define M_FORCE	(1u << 2)
#define M_NMI	(1u << 3)
#define M_SYSRQ	(1u << 4)
#define M_DOWNTIME	(1u << 5)
#define M_BANDWIDTH	(1u << 6)
#define M_DEV	(1u << 7)
#define M_GROUP	(1u << 8)
#define M_CDEV	(1u << 9)
#define M_TIMEOUT	(1u << 10)
#define MAX_DOWNTIME_MS	600000	/* 10 min */
#define MAX_MBPS	1000000
#define TOPIC_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789-_"

static const struct {
	const char *name;
	u32 members;
	bool main;
} cmds[] = {
	[CTL_STAT] = { "stat", M_WHAT, false },
	[CTL_INFO] = { "info", 0, false },
	[CTL_PAUSE] = { "pause", 0, true },
	[CTL_RESUME] = { "resume", 0, true },
	[CTL_SNAPSHOT] = { "snapshot", M_STOP, true },
	[CTL_STOP] = { "stop", M_FORCE, true },
	[CTL_DEBUG] = { "debug", M_NMI | M_SYSRQ, true },
	[CTL_SUBSCRIBE] = { "subscribe", 0, false },
	[CTL_MIGRATE] = { "migrate", M_DOWNTIME | M_BANDWIDTH, true },
	[CTL_VFIO_ADD] = { "vfio-add", M_DEV | M_GROUP | M_CDEV, true },
	[CTL_VFIO_REMOVE] = { "vfio-remove", M_DEV | M_FORCE | M_TIMEOUT,
			      true },
	[CTL_DISK_ADD] = { "disk-add", M_DEV, true },
	[CTL_DISK_REMOVE] = { "disk-remove", M_DEV | M_FORCE | M_TIMEOUT,
			      true },
};

static const char *const member_names[] = {
	"what", "stop", "force", "nmi", "sysrq", "max_downtime_ms",
	"bandwidth_mbps", "dev", "group", "cdev", "timeout_ms",
};

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	return (u32)cmd < ARRAY_SIZE(cmds) && cmds[cmd].name ? cmds[cmd].name :
	       "?";
}

bool ctl_cmd_on_main(enum ctl_cmd cmd)
{
	return (u32)cmd < ARRAY_SIZE(cmds) && cmds[cmd].main;
}

static enum ctl_cmd cmd_by_name(const char *s)
{
	u32 i;

	for (i = 1; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, s))
			return i;
	return CTL_NONE;
}

static int member_bit(const char *s)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(member_names); i++)
		if (!strcmp(member_names[i], s))
			return 1 << i;
	return 0;
}

/* migrate's numbers: 1..max. */
static int number_value(const struct json_doc *d, int t, u32 m,
			struct ctl_req *r, char *err, size_t errlen)
{
	long long max = m == M_DOWNTIME ? MAX_DOWNTIME_MS : MAX_MBPS, v;

	if (json_int(d, t, 1, max, &v))
		return set_err(err, errlen, "\"%s\" must be a number from 1 "
			       "to %lld", m == M_DOWNTIME ? "max_downtime_ms" :
			       "bandwidth_mbps", max);
	if (m == M_DOWNTIME)
		r->downtime_ms = v;
	else
		r->bandwidth_mbps = v;
	return 0;
}

/* vfio-add's and vfio-remove's members: the device (a --vfio value, or
 * a name), the group or cdev whose fds come with it, the guest's time. */
static int hotplug_value(const struct json_doc *d, int t, u32 m,
			 struct ctl_req *r, char *err, size_t errlen)
{
	long long v;

	if (m == M_DEV && json_string(d, t, r->dev, sizeof(r->dev)) <= 0)
		return set_err(err, errlen, "\"dev\" must be a device (1-%d "
			       "bytes)", CTL_DEV_MAX - 1);
	if (m == M_CDEV && (json_string(d, t, r->cdev, sizeof(r->cdev)) <= 4 ||
			    strncmp(r->cdev, "vfio", 4) ||
			    strspn(r->cdev + 4, "0123456789") !=
			    strlen(r->cdev + 4)))
		return set_err(err, errlen, "\"cdev\" must be vfioN");
	if (m == M_GROUP) {
		if (json_int(d, t, 0, 0x7fffffff, &v))
			return set_err(err, errlen, "\"group\" must be an "
				       "IOMMU group number");
		r->group = (u32)v;
		r->has_group = true;
	}
	if (m == M_TIMEOUT) {
		if (json_int(d, t, 0, CTL_MAX_TIMEOUT_MS, &v))
			return set_err(err, errlen, "\"timeout_ms\" must be a "
				       "number from 0 to %d",
				       CTL_MAX_TIMEOUT_MS);
		r->timeout_ms = (u32)v;
	}
	return 0;
}

/* The value of member bit m at token t into r. */
static int member_value(const struct json_doc *d, int t, u32 m,
			struct ctl_req *r, char *err, size_t errlen)
{
	char key[4];
	int b;

	if (m == M_WHAT) {
		if (json_string(d, t, r->what, sizeof(r->what)) <= 0 ||
		    strspn(r->what, TOPIC_CHARS) != strlen(r->what))
			return set_err(err, errlen, "\"what\" must be a topic "
				       "name (1-%d of a-z, 0-9, '-', '_')",
				       CTL_TOPIC_MAX - 1);
		return 0;
	}
	if (m == M_SYSRQ) {
		if (json_string(d, t, key, sizeof(key)) != 1 ||
		    (unsigned char)key[0] < 0x21 || (unsigned char)key[0] > 0x7e)
			return set_err(err, errlen, "\"sysrq\" must be one "
				       "printable character");
		r->sysrq = key[0];
		return 0;
	}
	if (m == M_DOWNTIME || m == M_BANDWIDTH)
		return number_value(d, t, m, r, err, errlen);
	if (m & (M_DEV | M_GROUP | M_CDEV | M_TIMEOUT))
		return hotplug_value(d, t, m, r, err, errlen);
	b = json_bool(d, t);
	if (b < 0)
		return set_err(err, errlen, "\"%s\" must be true or false",
			       m == M_STOP ? "stop" : m == M_FORCE ? "force" :
			       "nmi");
	if (m == M_STOP)
		r->stop = b;
	else if (m == M_FORCE)
		r->force = b;
	else
		r->nmi = b;
	return 0;
}

static int parse_cmd(const struct json_doc *d, struct ctl_req *r, char *err,
		     size_t errlen)
{
	char name[16];
	int t = json_find(d, 0, "cmd");

	if (t < 0)
		return set_err(err, errlen, "a request needs \"cmd\"");
	if (json_string(d, t, name, sizeof(name)) < 0 ||
	    !(r->cmd = cmd_by_name(name)))
		return set_err(err, errlen, "unknown \"cmd\": use one of stat, "
			       "info, pause, resume, snapshot, stop, debug, "
			       "subscribe, migrate, vfio-add, vfio-remove, "
			       "disk-add, disk-remove");
	return 0;
}

/* Every member other than "cmd": known, allowed for the request, valid. */
static int parse_members(const struct json_doc *d, struct ctl_req *r,
			 char *err, size_t errlen)
{
	char key[24];
	u32 i, k, m, seen = 0;

	for (i = 0, k = 1; i < d->tok[0].n; i++, k = d->tok[k + 1].next) {
		if (json_string(d, k, key, sizeof(key)) < 0)
			key[0] = 0;
		if (!strcmp(key, "cmd"))
			continue;
		m = member_bit(key);
		if (!m || !(cmds[r->cmd].members & m))
			return set_err(err, errlen, "\"%s\" takes no member "
				       "\"%.15s\"", cmds[r->cmd].name, key);
		if (seen & m)
			return set_err(err, errlen, "\"%s\" given twice", key);
		seen |= m;
		if (member_value(d, k + 1, m, r, err, errlen))
			return -1;
	}
	return 0;
}

int ctl_req_parse(const char *line, size_t len, struct ctl_req *r, char *err,
		  size_t errlen)
{
	struct json_tok tok[CTL_REQ_TOKENS];
	struct json_doc d = { .tok = tok, .max_tok = CTL_REQ_TOKENS,
			      .max_depth = CTL_REQ_DEPTH };
	char why[96];

	memset(r, 0, sizeof(*r));
	if (len >= CTL_REQ_MAX)
		return set_err(err, errlen, "request longer than %d bytes",
			       CTL_REQ_MAX - 1);
	if (json_parse(&d, line, len, why, sizeof(why)))
		return set_err(err, errlen, "bad JSON: %s", why);
	if (tok[0].type != JSON_OBJECT)
		return set_err(err, errlen, "a request is a JSON object");
	if (parse_cmd(&d, r, err, errlen) ||
	    parse_members(&d, r, err, errlen)) {
		r->cmd = CTL_NONE;
		return -1;
	}
	return 0;
}

static void format_hotplug(const struct ctl_req *r, FILE *f)
{
	if (r->dev[0]) {
		fputs(", ", f);
		json_put_kv(f, "dev", r->dev);
	}
	if (r->has_group)
		fprintf(f, ", \"group\": %u", r->group);
	if (r->cdev[0]) {
		fputs(", ", f);
		json_put_kv(f, "cdev", r->cdev);
	}
	if (r->timeout_ms)
		fprintf(f, ", \"timeout_ms\": %u", r->timeout_ms);
}

int ctl_req_format(const struct ctl_req *r, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	long n;

	if (!f)
		return -1;
	fprintf(f, "{\"cmd\": \"%s\"", ctl_cmd_name(r->cmd));
	if (r->what[0]) {
		fputs(", ", f);
		json_put_kv(f, "what", r->what);
	}
	if (r->stop)
		fputs(", \"stop\": true", f);
	if (r->force)
		fputs(", \"force\": true", f);
	if (r->nmi)
		fputs(", \"nmi\": true", f);
	if (r->downtime_ms)
		fprintf(f, ", \"max_downtime_ms\": %u", r->downtime_ms);
	if (r->bandwidth_mbps)
		fprintf(f, ", \"bandwidth_mbps\": %u", r->bandwidth_mbps);
	if (r->sysrq) {
		fputs(", \"sysrq\": ", f);
		json_put_mem(f, &r->sysrq, 1);
	}
	format_hotplug(r, f);
	fputs("}\n", f);
	n = ftell(f);
	if (fclose(f) || n <= 0 || (size_t)n >= len)
		return -1;
	return (int)n;
}

void ctl_put_error(FILE *out, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("{", out);
	json_put_kv(out, "error", msg);
	fputs("}\n", out);
}

void ctl_put_ok(FILE *out, enum ctl_cmd cmd)
{
	fprintf(out, "{\"ok\": true, \"cmd\": \"%s\"", ctl_cmd_name(cmd));
}

void ctl_put_end(FILE *out)
{
	fputs("}\n", out);
}

int ctl_event_format(char *buf, size_t len, const char *ev, const char *vm,
		     const char *detail)
{
	FILE *f = fmemopen(buf, len, "w");
	long n;

	if (!f)
		return -1;
	fputs("{", f);
	json_put_kv(f, "event", ev);
	fputs(", ", f);
	json_put_kv(f, "vm", vm);
	if (detail) {
		fputs(", ", f);
		json_put_kv(f, "detail", detail);
	}
	fputs("}\n", f);
	n = ftell(f);
	if (fclose(f) || n <= 0 || (size_t)n >= len)
		return -1;
	return (int)n;
}
