/* Unit tests of the control socket's messages (kvm/ctl_msg.c): every
 * request shape parsed and formatted back, the errors a bad request gets
 * (unknown cmd or member, wrong types, too long, not an object), and the
 * response and event lines (valid JSON, read back by kvm/json.c). */
#include <stdio.h>
#include <stdlib.h>
#include "kvm/ctl_msg.h"
#include "kvm/json.h"
#include "unit.h"

static int req(const char *s, struct ctl_req *r, char *err)
{
	return ctl_req_parse(s, strlen(s), r, err, 160);
}

TEST(ctl_req_shapes)
{
	static const char *const good[] = {
		"{\"cmd\": \"stat\", \"what\": \"vm\"}", "{\"cmd\": \"info\"}",
		"{\"cmd\": \"pause\"}", "{\"cmd\": \"resume\"}",
		"{\"cmd\": \"snapshot\", \"stop\": true}",
		"{\"cmd\": \"stop\", \"force\": true}",
		"{\"cmd\": \"debug\", \"nmi\": true}",
		"{\"cmd\": \"debug\", \"sysrq\": \"h\"}",
		"{\"cmd\": \"subscribe\"}",
		"{\"cmd\": \"migrate\", \"max_downtime_ms\": 50, "
		"\"bandwidth_mbps\": 100}",
		"{\"cmd\": \"migrate\"}",
		"{\"cmd\": \"vfio-add\", \"dev\": \"0000:01:00.0,port=2\", "
		"\"group\": 0}",
		"{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\", \"cdev\": "
		"\"vfio12\"}",
		"{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\"}",
		"{\"cmd\": \"vfio-remove\", \"force\": true, \"dev\": "
		"\"01:00.0\", \"timeout_ms\": 2500}",
		"{\"cmd\": \"disk-add\", \"dev\": \"/d.img,ro,port=1\"}",
		"{\"cmd\": \"disk-remove\", \"force\": true, \"dev\": "
		"\"port1\", \"timeout_ms\": 2000}",
	};
	char err[160], line[128];
	struct ctl_req r, r2;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (!EXPECT(!req(good[i], &r, err)))
			fprintf(stderr, "  %s: %s\n", good[i], err);
		/* formatted back, it is the same line */
		n = ctl_req_format(&r, line, sizeof(line));
		ASSERT(n > 0 && line[n - 1] == '\n');
		EXPECT(!strncmp(line, good[i], n - 1) && (size_t)n - 1 ==
		       strlen(good[i]));
		EXPECT(!ctl_req_parse(line, n - 1, &r2, err, sizeof(err)) &&
		       !memcmp(&r, &r2, sizeof(r)));
	}
	EXPECT(!req("{\"cmd\":\"stat\"}", &r, err));
	EXPECT_EQ(r.cmd, CTL_STAT);
	EXPECT_STR(r.what, "");	/* the VM picks the topic */
	EXPECT(!req(" {\"sysrq\": \"\\u0068\", \"cmd\": \"debug\"} ", &r, err));
	EXPECT_EQ(r.sysrq, 'h');
	EXPECT(ctl_cmd_on_main(CTL_STOP) && ctl_cmd_on_main(CTL_DEBUG) &&
	       ctl_cmd_on_main(CTL_PAUSE) && !ctl_cmd_on_main(CTL_STAT) &&
	       !ctl_cmd_on_main(CTL_SUBSCRIBE));
	EXPECT(ctl_req_format(&r, line, 8) < 0);	/* does not fit */
	EXPECT(!req("{\"cmd\": \"migrate\", \"max_downtime_ms\": 7}", &r,
		    err));
	EXPECT_EQ(r.downtime_ms, 7);
	EXPECT(ctl_cmd_on_main(CTL_MIGRATE) && ctl_cmd_on_main(CTL_DISK_ADD) &&
	       ctl_cmd_on_main(CTL_DISK_REMOVE));
	EXPECT(req("{\"cmd\": \"migrate\", \"max_downtime_ms\": 0}", &r,
		   err));
	EXPECT_CONTAINS(err, "\"max_downtime_ms\" must be a number from 1");
	EXPECT(req("{\"cmd\": \"migrate\", \"bandwidth_mbps\": \"9\"}",
		   &r, err));
	EXPECT_CONTAINS(err, "\"bandwidth_mbps\" must be a number");
	EXPECT(req("{\"cmd\": \"stop\", \"bandwidth_mbps\": 9}", &r, err));
}

/* vfio-add and vfio-remove (lkvm vfio add|remove): the device, the group
 * (0 is a group) or cdev whose fds come along, the guest's time */
TEST(ctl_req_hotplug)
{
	static const struct { const char *in, *why; } bad[] = {
		{ "{\"cmd\": \"vfio-add\", \"dev\": \"\"}", "\"dev\" must be" },
		{ "{\"cmd\": \"vfio-add\", \"dev\": 1}", "\"dev\" must be" },
		{ "{\"cmd\": \"vfio-add\", \"group\": -1}",
		  "\"group\" must be" },
		{ "{\"cmd\": \"vfio-add\", \"cdev\": \"vfio\"}",
		  "\"cdev\" must be vfioN" },
		{ "{\"cmd\": \"vfio-add\", \"cdev\": \"vfio1/../x\"}",
		  "\"cdev\" must be vfioN" },
		{ "{\"cmd\": \"vfio-add\", \"force\": true}",
		  "\"vfio-add\" takes no member \"force\"" },
		{ "{\"cmd\": \"vfio-remove\", \"group\": 3}",
		  "\"vfio-remove\" takes no member \"group\"" },
		{ "{\"cmd\": \"vfio-remove\", \"timeout_ms\": 600001}",
		  "\"timeout_ms\" must be a number from 0 to 600000" },
		{ "{\"cmd\": \"disk-add\", \"force\": true}",
		  "\"disk-add\" takes no member \"force\"" },
		{ "{\"cmd\": \"disk-remove\", \"cdev\": \"vfio1\"}",
		  "\"disk-remove\" takes no member \"cdev\"" },
	};
	char err[160];
	struct ctl_req r;
	size_t i;

	EXPECT(!req("{\"cmd\": \"vfio-add\", \"dev\": \"01:00.0\", "
		    "\"group\": 0}", &r, err));
	EXPECT_EQ(r.cmd, CTL_VFIO_ADD);
	EXPECT_STR(r.dev, "01:00.0");
	EXPECT(r.has_group && r.group == 0 && !r.cdev[0]);
	EXPECT(!req("{\"cmd\": \"vfio-remove\", \"dev\": \"x\"}", &r, err));
	EXPECT(!r.has_group && !r.force && r.timeout_ms == 0);
	EXPECT(ctl_cmd_on_main(CTL_VFIO_ADD) &&
	       ctl_cmd_on_main(CTL_VFIO_REMOVE));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		EXPECT_EQ(req(bad[i].in, &r, err), -1);
		EXPECT_CONTAINS(err, bad[i].why);
	}
}

TEST(ctl_req_errors)
{
	static const struct { const char *in, *why; } bad[] = {
		{ "stat vfio", "bad JSON: unexpected character at byte 0" },
		{ "[\"stat\"]", "a request is a JSON object" },
		{ "{}", "a request needs \"cmd\"" },
		{ "{\"cmd\": 1}", "unknown \"cmd\"" },
		{ "{\"cmd\": \"reboot\"}", "unknown \"cmd\"" },
		{ "{\"cmd\": \"pause\", \"what\": \"x\"}",
		  "\"pause\" takes no member \"what\"" },
		{ "{\"cmd\": \"stat\", \"bogus\": 1}",
		  "\"stat\" takes no member \"bogus\"" },
		{ "{\"cmd\": \"stat\", \"what\": 3}", "\"what\" must be" },
		{ "{\"cmd\": \"stat\", \"what\": \"\"}", "\"what\" must be" },
		/* found by fuzz_ctl_req: a byte >= 0x80 did not format back */
		{ "{\"cmd\": \"stat\", \"what\": \"\xffvfio\"}", "\"what\" must be" },
		{ "{\"cmd\": \"stat\", \"what\": \"V M\"}", "\"what\" must be" },
		{ "{\"cmd\": \"stop\", \"force\": 1}",
		  "\"force\" must be true or false" },
		{ "{\"cmd\": \"debug\", \"sysrq\": \"hh\"}", "\"sysrq\" must be" },
		{ "{\"cmd\": \"debug\", \"sysrq\": \" \"}", "\"sysrq\" must be" },
		{ "{\"cmd\": \"debug\", \"nmi\": true, \"nmi\": false}",
		  "\"nmi\" given twice" },
		{ "{\"cmd\": {\"x\": 1}}", "nested too deep" },
	};
	char err[160], big[CTL_REQ_MAX + 8];
	struct ctl_req r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		EXPECT_EQ(req(bad[i].in, &r, err), -1);
		EXPECT_CONTAINS(err, bad[i].why);
		EXPECT_EQ(r.cmd, CTL_NONE);
	}
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "{\"cmd\": \"info\"}", 15);
	EXPECT_EQ(req(big, &r, err), -1);
	EXPECT_CONTAINS(err, "request longer than 1023 bytes");
	big[CTL_REQ_MAX - 1] = 0;	/* at the limit: fine */
	EXPECT(!req(big, &r, err));
}

/* A line is one JSON object; key's string value into buf. */
static bool line_str(const char *line, const char *key, char *buf,
		     size_t len)
{
	struct json_tok t[32];
	struct json_doc d = { .tok = t, .max_tok = 32, .max_depth = 4 };
	size_t n = strlen(line);

	return n && line[n - 1] == '\n' && !strchr(line, '\n')[1] &&
	       !json_parse(&d, line, n - 1, NULL, 0) &&
	       json_string(&d, json_find(&d, 0, key), buf, len) >= 0;
}

TEST(ctl_responses_and_events)
{
	char *text = NULL, buf[160], ev[64];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT(f);
	ctl_put_error(f, "no \"%s\"\n here", "x");
	fclose(f);
	EXPECT(line_str(text, "error", buf, sizeof(buf)));
	EXPECT_STR(buf, "no \"x\"\n here");
	free(text);
	f = open_memstream(&text, &len);
	ASSERT(f);
	ctl_put_ok(f, CTL_STOP);
	fputs(", \"how\": \"none\"", f);
	ctl_put_end(f);
	fclose(f);
	EXPECT_STR(text, "{\"ok\": true, \"cmd\": \"stop\", \"how\": \"none\"}\n");
	free(text);
	EXPECT(ctl_event_format(buf, sizeof(buf), "stopped", "vm\"1",
				"poweroff") > 0);
	EXPECT_STR(buf, "{\"event\": \"stopped\", \"vm\": \"vm\\\"1\", "
		   "\"detail\": \"poweroff\"}\n");
	EXPECT(line_str(buf, "vm", ev, sizeof(ev)));
	EXPECT_STR(ev, "vm\"1");
	EXPECT_EQ(ctl_event_format(buf, 20, "paused", "a", NULL), -1);
}
