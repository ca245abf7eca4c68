/* libFuzzer target for the migration stream as the destination reads it
 * (kvm/migproto.c): the preamble, then records (header, CRC), RAM records
 * applied to a small guest RAM, status records. Input: the stream. */
#include "fuzz.h"
#include "kvm/migrate.h"

/* fuzz-sources: kvm/migproto.c kvm/snapfmt.c kvm/state.c kvm/util.c
 * fuzz-runs: 400000
 * fuzz-max-len: 8192 */

#define RAM	(16 * 4096)

static u8 ram[RAM + 1];

int LLVMFuzzerTestOneInput(const u8 *data, size_t len)
{
	struct mig_hdr h;
	enum mig_status st;
	char err[256], why[64];
	size_t off = MIG_PREAMBLE_LEN;
	u8 *copy;

	if (len < MIG_PREAMBLE_LEN || mig_preamble_check(data, err, sizeof(err)))
		return 0;
	while (len - off >= MIG_HDR_LEN) {
		if (mig_hdr_parse(data + off, &h, len - off - MIG_HDR_LEN, err,
				  sizeof(err)))
			break;
		off += MIG_HDR_LEN;
		copy = malloc(h.len + 1);	/* exact: ASan sees overreads */
		FUZZ_ASSERT(copy);
		memcpy(copy, data + off, h.len);
		off += h.len;
		if (!mig_payload_check(&h, copy, err, sizeof(err))) {
			if (h.type == MIG_PAGES || h.type == MIG_ZEROS)
				mig_apply_ram(ram, RAM, 4096, h.type, copy,
					      h.len, err, sizeof(err));
			else if (!mig_get_status(copy, h.len, &st, why,
						 sizeof(why)))
				FUZZ_ASSERT(strlen(why) < sizeof(why));
		}
		free(copy);
	}
	FUZZ_ASSERT(ram[RAM] == 0);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fseed seed = { .n = 0 };
	struct sbuf b = { 0 };
	u8 pre[MIG_PREAMBLE_LEN], pages[3 * 4096] = { 0 };

	if (!fuzz_seeding())
		return 0;
	mig_preamble(pre);
	sb_put(&b, pre, sizeof(pre));
	pages[4096 + 7] = 1;
	mig_put_ram(&b, pages, 4096, 0, 3);
	mig_put_status(&b, MIG_ACK, MIG_FAILED, "why");
	mig_rec_end(&b, mig_rec_begin(&b, MIG_END));
	fs_bytes(&seed, b.p, b.len);
	fuzz_seed("stream", &seed);
	sb_free(&b);
	exit(0);
}
