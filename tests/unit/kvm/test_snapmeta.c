/* kvm/snapmeta.c: the manifest round-trips with the run arguments, is
 * checked against the host field by field, and the owners are kept in
 * load order. */
#include "unit.h"
#include "kvm/snapshot.h"

static char *args[] = { "run", "-k", "guest.bin", "-p", "a=b c", "" };

static void sample(struct snap_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->format = SNAP_FORMAT;
	strcpy(m->arch, "x86_64");
	m->page_size = 4096;
	strcpy(m->version, "0.9");
	m->ram_size = 64 << 20;
	m->nr_cpus = 2;
	m->argc = 6;
	memcpy(m->argv, args, sizeof(args));
}

/* Builds a stream with m and reads its first section back into out. */
static int roundtrip(const struct snap_manifest *m, struct snap_manifest *out,
		     char *err)
{
	struct sbuf b = { 0 };
	struct sreader r;
	struct snap_sec s;
	int rc;

	snap_begin(&b);
	if (snap_manifest_put(&b, m, err, 128)) {
		sb_free(&b);
		return -2;
	}
	snap_end(&b);
	snap_open(&r, b.p, b.len, err, 128);
	snap_next(&r, &s, err, 128);
	rc = snap_manifest_parse(&s, out, err, 128);
	sb_free(&b);
	return rc;
}

TEST(snapmeta_manifest_roundtrip)
{
	struct snap_manifest m, out;
	char err[128];
	int i;

	sample(&m);
	ASSERT_EQ(roundtrip(&m, &out, err), 0);
	EXPECT_STR(out.arch, "x86_64");
	EXPECT_EQ(out.page_size, 4096);
	EXPECT_STR(out.version, "0.9");
	EXPECT_EQ(out.ram_size, 64 << 20);
	EXPECT_EQ(out.nr_cpus, 2);
	ASSERT_EQ(out.argc, 6);
	for (i = 0; i < 6; i++)
		EXPECT_STR(out.argv[i], args[i]);
	EXPECT_EQ(snap_manifest_check(&out, "x86_64", 4096, err, 128), 0);
	snap_manifest_free(&out);
}

TEST(snapmeta_manifest_refuses_newlines_and_checks_the_host)
{
	struct snap_manifest m, out;
	char *bad[] = { "run", "-p", "a\nb" };
	char err[128];

	sample(&m);
	m.argc = 3;
	memcpy(m.argv, bad, sizeof(bad));
	EXPECT_EQ(roundtrip(&m, &out, err), -2);
	EXPECT_CONTAINS(err, "argument 2 contains a newline");
	sample(&m);
	EXPECT_EQ(snap_manifest_check(&m, "arm64", 4096, err, 128), -1);
	EXPECT_CONTAINS(err, "architecture: snapshot x86_64, this host arm64");
	EXPECT_EQ(snap_manifest_check(&m, "x86_64", 65536, err, 128), -1);
	EXPECT_CONTAINS(err, "host page size: snapshot 4096, this host 65536");
	m.format = 2;
	EXPECT_EQ(snap_manifest_check(&m, "x86_64", 4096, err, 128), -1);
	EXPECT_CONTAINS(err, "format: snapshot 2, this lkvm 1");
}

static int parse_text(const char *text, char *err)
{
	struct snap_sec s = { .type = "manifest", .ver = 1,
			      .data = (const u8 *)text, .len = strlen(text) };
	struct snap_manifest m;
	int rc = snap_manifest_parse(&s, &m, err, 128);

	if (!rc)
		snap_manifest_free(&m);
	return rc;
}

TEST(snapmeta_manifest_bad_text)
{
	char err[128];

	EXPECT_EQ(parse_text("format=1\narch=x86_64\npage_size=4096\n"
			     "ram_size=1\ncpus=1\narg=run\n", err), 0);
	EXPECT_EQ(parse_text("format=1\nwhat=2\n", err), -1);
	EXPECT_CONTAINS(err, "bad or unknown entry 'what'");
	EXPECT_EQ(parse_text("format=1\ncpus=-1\n", err), -1);
	EXPECT_CONTAINS(err, "'cpus'");
	EXPECT_EQ(parse_text("format=1\narch=x86_64\n", err), -1);
	EXPECT_CONTAINS(err, "an entry is missing");
	EXPECT_EQ(parse_text("format=1", err), -1);
	EXPECT_CONTAINS(err, "not key=value lines");
	EXPECT_EQ(parse_text("noequals\n", err), -1);
	EXPECT_CONTAINS(err, "not key=value lines");
}

static int no_load(struct vm *vm, const struct snap_sec *s, char *err,
		   size_t len)
{
	return 0;
}

SNAP_OWNER(test_owner_vcpu, .type = "test-vcpu", .order = SNAP_ORDER_VCPU,
	   .version = 1, .load = no_load)
SNAP_OWNER(test_owner_vm, .type = "test-vm", .order = SNAP_ORDER_VM,
	   .version = 1, .load = no_load)

TEST(snapmeta_owners_in_load_order)
{
	const struct snap_owner *o;
	int last = -1;

	EXPECT(snap_owner_find("test-vm") == &test_owner_vm);
	EXPECT(snap_owner_find("nope") == NULL);
	for (o = snap_owner_first(); o; o = o->next) {
		EXPECT((int)o->order >= last);
		last = o->order;
		EXPECT(o->load != NULL);
	}
	EXPECT_EQ(last, SNAP_ORDER_VCPU);
}
