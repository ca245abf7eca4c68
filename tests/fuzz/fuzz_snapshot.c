/* libFuzzer target for the snapshot stream (kvm/snapfmt.c, kvm/snapmeta.c):
 * snap_open/snap_next over arbitrary bytes, each section's payload through
 * the manifest parser and the codec's readers. Input: the state file. */
#include "fuzz.h"
#include "kvm/snapshot.h"
#include "kvm/state.h"

/* fuzz-sources: kvm/snapfmt.c kvm/snapmeta.c kvm/state.c kvm/util.c
 * fuzz-runs: 400000
 * fuzz-max-len: 4096 */

struct two {
	u32 a;
	u16 b;
};

STATE_DESC(two_desc, "fuzz-two", struct two, 1,
	   STATE_FIELD(struct two, a, 1), STATE_FIELD(struct two, b, 1))

/* Every reader on the payload: none may read outside it. */
static void payload(const struct snap_sec *s)
{
	struct snap_manifest m;
	struct sreader r;
	struct two t;
	char str[16], err[128];
	u32 n;
	int i;

	if (!snap_manifest_parse(s, &m, err, sizeof(err))) {
		FUZZ_ASSERT(m.argc > 0 && m.argc <= SNAP_MAX_ARGS);
		for (i = 0; i < m.argc; i++)
			FUZZ_ASSERT(!strchr(m.argv[i], '\n'));
		snap_manifest_free(&m);
	}
	sr_init(&r, s->data, s->len);
	while (!r.bad && r.off < r.len) {
		sr_str(&r, str, sizeof(str));
		sr_blob(&r, &n);
		sr_state(&r, &two_desc, &t, err, sizeof(err));
		sr_u64(&r);
		FUZZ_ASSERT(r.off <= r.len);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	u8 *copy = malloc(len + 1);	/* exact size: ASan sees overreads */
	struct sreader r;
	struct snap_sec s;
	char err[256];
	int rc = -1;

	FUZZ_ASSERT(copy);
	memcpy(copy, data, len);
	if (!snap_open(&r, copy, len, err, sizeof(err))) {
		while ((rc = snap_next(&r, &s, err, sizeof(err))) == 1) {
			FUZZ_ASSERT(s.data >= copy && s.data + s.len <= copy + len);
			payload(&s);
		}
		FUZZ_ASSERT(rc == 0 || rc == -1);
		FUZZ_ASSERT(rc || r.off == len);
	}
	free(copy);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct snap_manifest m = { .format = 1, .arch = "x86_64",
				   .page_size = 4096, .version = "1",
				   .ram_size = 1 << 26, .nr_cpus = 1, .argc = 2,
				   .argv = { "run", "--raw" } };
	struct two t = { 7, 9 };
	struct fseed seed = { .n = 0 };
	struct sbuf b = { 0 };
	char err[64];
	size_t h;

	if (!fuzz_seeding())
		return 0;
	snap_begin(&b);
	snap_manifest_put(&b, &m, err, sizeof(err));
	h = snap_sec_begin(&b, "serial", 0, 1);
	sb_str(&b, "uart");
	sb_state(&b, &two_desc, &t);
	snap_sec_end(&b, h);
	snap_end(&b);
	fs_bytes(&seed, b.p, b.len);
	fuzz_seed("stream", &seed);
	sb_free(&b);
	exit(0);
}
