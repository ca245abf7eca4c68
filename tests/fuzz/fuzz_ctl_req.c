/* libFuzzer target for the control socket's request parser: ctl_req_parse()
 * (kvm/ctl_msg.c over kvm/json.c) on arbitrary request lines. A request
 * that parses formats back to a line that parses to the same request; a
 * string member decodes within its buffer. Input: the line's bytes. */
#include "fuzz.h"
#include "kvm/ctl_msg.h"
#include "kvm/json.h"

/* fuzz-sources: kvm/ctl_msg.c kvm/json.c kvm/util.c
 * fuzz-runs: 300000
 * fuzz-max-len: 1100 */

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	char *line = malloc(len + 1), err[160], out[CTL_REQ_MAX + 64];
	struct ctl_req r, r2;
	int n;

	FUZZ_ASSERT(line);
	memcpy(line, data, len);	/* exact size: ASan sees any overread */
	line[len] = 0;
	err[0] = 0;
	if (ctl_req_parse(line, len, &r, err, sizeof(err))) {
		FUZZ_ASSERT(err[0] && r.cmd == CTL_NONE);
		free(line);
		return 0;
	}
	FUZZ_ASSERT(r.cmd != CTL_NONE && strlen(r.what) < sizeof(r.what));
	n = ctl_req_format(&r, out, sizeof(out));
	FUZZ_ASSERT(n > 0 && out[n - 1] == '\n');
	FUZZ_ASSERT(!ctl_req_parse(out, n - 1, &r2, err, sizeof(err)));
	FUZZ_ASSERT(!memcmp(&r, &r2, sizeof(r)));
	free(line);
	return 0;
}

static void seed(const char *name, const char *line)
{
	struct fseed s = { .n = 0 };

	fs_bytes(&s, line, strlen(line));
	fuzz_seed(name, &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!fuzz_seeding())
		return 0;
	seed("stat", "{\"cmd\": \"stat\", \"what\": \"vfio\"}");
	seed("debug", "{\"cmd\": \"debug\", \"nmi\": true, \"sysrq\": \"\\u0068\"}");
	seed("stop", "{\"cmd\":\"stop\",\"force\":false}");
	seed("snap", "{\"cmd\": \"snapshot\", \"stop\": true}");
	seed("nested", "{\"cmd\": [{\"a\": [1, -2.5e+3, null]}]}");
	seed("esc", "\"\\ud83d\\ude00\\n\"");
	exit(0);
}
